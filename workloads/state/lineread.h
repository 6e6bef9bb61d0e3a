/* The bounded line reader every text input goes through (the /proc snapshot readers, times.txt,
 * the buddyinfo series, CSV tables, suite files, command.txt): a line longer than its limit or
 * holding a NUL byte stops the reader with "FILE:LINE: reason", so no input (/dev/zero, a binary
 * file, a file of one endless line) makes a reader's memory grow past the limit. Traces have
 * their own reader (trace_input.h), bounded the same way at TRACE_LINE_MAX. */
#ifndef LINEREAD_H
#define LINEREAD_H

#include <stdio.h>

#include "workloads/diag.h"
#include "core/mm_types.h"

#define LINEREAD_MAX 4096 /* /proc/zoneinfo, buddyinfo, pagetypeinfo lines are far shorter */

/* What a kind of text input allows: the longest line, and what the input is said not to be
 * when a line breaks the limit ("not a /proc text snapshot"). */
struct linelimit {
	size_t max;
	const char *what;
	bool measure; /* an overlong line is read to its end, to say its length: "line too long (N
			 bytes, the limit is M)" (for regular files only: /dev/zero has no end) */
};

struct lineread {
	FILE *f;
	const char *name; /* for diagnostics; not owned */
	u64 line;	  /* number of the line in buf (1-based) */
	size_t len;	  /* bytes in buf, without the '\n' (and a '\r' before it) */
	char buf[LINEREAD_MAX + 1];
};

void lineread_init(struct lineread *lr, FILE *f, const char *name);
/* Next line into lr->buf (NUL-terminated). 1, 0 at the end, or -EINVAL with diag. */
int lineread_next(struct lineread *lr, struct mm_diag *d);

/* The reader itself: the next line of f into buf (lim->max + 1 bytes), NUL-terminated, its
 * length without the line end in *len; *line counts the lines read. 1, 0 at the end, or
 * -EINVAL / -errno with "NAME:LINE: reason". */
int lineread_get(FILE *f, const char *name, const struct linelimit *lim, u64 *line, char *buf, size_t *len,
		 struct mm_diag *d);

#endif
