/* Progress of a whole run, on stderr when it is a terminal and nowhere otherwise: one line
 * (cells done of all, events replayed of those expected, elapsed, ETA, what is being read),
 * rewritten in place at most every PROGRESS_MS. Whoever writes to the terminal (a table row on
 * stdout, a message on stderr) erases it first (progress_clear); the next draw puts it back, so
 * the line never ends up inside the output. Only the thread that runs the command draws. */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdio.h>

#include "core/mm_types.h"

#define PROGRESS_MS 250

struct progress {
	bool on;	 /* stderr is a terminal */
	bool shown;	 /* the line is on the terminal now */
	const char *cmd; /* "replay": the line starts with it */
	u64 t0, last;	 /* ns: the start, the last draw */
};

struct progress_figures {
	size_t done, total; /* cells */
	u64 events;	    /* replayed so far */
	u64 expected;	    /* events the whole run replays; 0 while unknown */
	const char *what;   /* "reading TRACE", or NULL */
};

void progress_init(struct progress *p, const char *cmd);
/* Draw the line when it is due (or always with force). */
void progress_draw(struct progress *p, const struct progress_figures *fig, bool force);
/* Erase the line, if shown, before something else is written to the terminal. */
void progress_clear(struct progress *p);
/* The run is over: erase the line for good. */
void progress_end(struct progress *p);
/* "1:05", "1:02:03": seconds as the line shows them (tests). */
void progress_hms(double s, char *buf, size_t len);

#endif
