/* Graphs drawn by the gnuplot scripts in plots/, with nothing from the data or the user's names
 * ever evaluated by gnuplot (docs/hardening.md). The mechanism, which every script
 * keeps (plots/lines.gp's header shows a hand-run):
 * - files reach gnuplot as descriptors only: the data as /dev/fd/3, the PNG and SVG outputs as
 *   /dev/fd/4 and /dev/fd/5 (both temporaries of outfile.h, renamed into place when gnuplot
 *   succeeded), so no path reaches gnuplot, which would run a name starting with '<' or '|';
 * - text (title, axis labels) is passed as `gnuplot -c SCRIPT ARG1 ARG2 ARG3`: plain string
 *   values, never parsed; series titles and tick labels come from the data file's header and
 *   first column, also plain strings;
 * - `-e` carries only numbers and fixed keywords that plot.c formats from typed fields;
 * - gnuplot runs with -d (no ~/.gnuplot), stdin from /dev/null, messages into a log. */
#ifndef PLOT_H
#define PLOT_H

#include <stdbool.h>
#include <stddef.h>

enum plot_key { PLOT_KEY_TOP_LEFT, PLOT_KEY_TOP_RIGHT, PLOT_KEY_BOTTOM_LEFT, PLOT_KEY_BOTTOM_RIGHT };

struct plot_req {
	const char *script;		     /* a file of plots/: "lines.gp", "bars.gp", "host.gp" */
	int data_fd;			     /* the graph's data (a readable regular file) */
	const char *title, *xlabel, *ylabel; /* plain text; NULL: the script's default */
	int nseries;			     /* lines.gp: (x, y) column pairs in the data */
	double yscale;			     /* lines.gp: y is divided by it (0: 1) */
	bool logx, logy, points;	     /* log axes; lines.gp: points instead of lines */
	enum plot_key key;
	const char *note; /* plain text written across the graph (ARG4): what is empty or
			   * exhausted in it; NULL: none */
	bool skip_flat;	  /* suite_plots: draw nothing when every series is one flat line */
};

/* The plots/ directory: $MMREPLAY_PLOTS if set, else the source tree's. */
const char *plot_dir(void);
/* Draw DIR/NAME.png and DIR/NAME.svg (NAME a plain file name; outfile.h's rules) from req.
 * gnuplot's messages go to log_fd (-1: this process's stderr); a failure to write them there
 * sets *log_err (-errno; log_err may be NULL). 0, -ENOENT when gnuplot is
 * missing, -ECHILD when it failed or drew nothing, or -errno; why, when not NULL, gets the
 * reason in words: gnuplot's exit status or signal and its last message, a full file system. */
int plot_draw(const char *dir, const char *name, const struct plot_req *req, int log_fd, int *log_err,
	      char *why, size_t why_len);

#endif
