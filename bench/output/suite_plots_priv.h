/* What the graph functions of suite_plots.c share with plot_rows.c, plot_series.c and
 * plot_snapshots.c: the drawing context and a set of series. Private to bench/output. */
#ifndef SUITE_PLOTS_PRIV_H
#define SUITE_PLOTS_PRIV_H

#include <stdbool.h>
#include <stdio.h>

#include "bench/output/csvread.h"

#define MAX_SERIES 32

struct plotctx {
	const char *dir;
	const char *cmd; /* the command drawing: every message is "mmreplay CMD: ..." */
	FILE *log;
	const struct csvtab *sum;
	int c_trace, c_config;
	int log_fd;  /* gnuplot's messages: DIR/plots/gnuplot.log, or -1 */
	int log_err; /* the first error writing it (-errno), or 0 */
	int failures, drawn;
	bool no_gnuplot;	    /* gnuplot is not installed: said once */
	FILE *manifest;		    /* plots/graphs.csv: trace,file,note per graph drawn (the report page) */
	const char *trace;	    /* the trace being drawn */
	bool exhausted;		    /* the trace's model ran out of memory in some cell */
	const struct csvtab *snaps; /* DIR/snapshots.csv, or NULL */
};

struct series_set {
	size_t n;
	const char *title[MAX_SERIES];
	char own[MAX_SERIES][128]; /* titles with their final values */
	double *x[MAX_SERIES], *y[MAX_SERIES];
	size_t nrow[MAX_SERIES];
};

/* A number / the text of column col in summary row `row` (0 / "" when missing). */
double plot_rows_field(const struct plotctx *p, size_t row, const char *col);
const char *plot_rows_text(const struct plotctx *p, size_t row, const char *col);
/* The trace's reference row: the one running the most settings at their defaults. */
size_t plot_rows_ref(const struct plotctx *p, const char *tr);
/* Rows of trace tr, one per value of `axis`, every other setting as in the reference row. */
size_t plot_rows_pick(const struct plotctx *p, const char *tr, const char *axis, size_t *rows, size_t max);
/* "TRACE: WHAT\nothers held at LABEL; lower is better" (two lines) */
void plot_rows_title(const struct plotctx *p, const char *tr, const char *what, bool lower_better, char *buf,
		     size_t len);
/* The note of a graph whose configurations ran out of memory, or "". */
void plot_rows_exhausted(const struct plotctx *p, const size_t *rows, size_t n, char *buf, size_t len);
/* Each series' final value into its title; the largest and smallest positive ones. */
void plot_rows_final_in_key(struct series_set *s, double scale, double *hi, double *lo);
/* Whether every value of every series is the same. */
bool plot_rows_flat(const struct series_set *s);
/* vmlist work per operation against live areas, from the interval differences of time series t:
 * visits per op into v, host ns per op into h (x = live areas); points a log-log graph can show
 * are counted into pos_v and pos_n. 0, -EINVAL (t lacks a vmlist column) or -ENOMEM. */
int plot_rows_vmlist(const struct csvtab *t, struct series_set *v, struct series_set *h, const char *title,
		     size_t *pos_v, size_t *pos_n);

struct csv;
struct plot_req;
/* Text into a graph's data file as one plain field (no comma, quote or control byte). */
void suite_plots_text(FILE *f, const char *s);
/* Open graph NAME's data file (a temporary until drawn); false (counted) when it cannot be. */
bool suite_plots_open(struct plotctx *p, const char *name, struct csv *w);
/* Draw NAME from the data in w, then publish the data too; failures are counted in p. */
void suite_plots_draw(struct plotctx *p, struct csv *w, const char *name, struct plot_req *req);
/* The time series of summary row r (read in full), or -errno. */
int suite_plots_ts_read(const struct plotctx *p, size_t r, struct csvtab *t);
/* Free a set's series (the set is empty after). */
void plot_series_free(struct series_set *s);
/* One series from table t: x = column 0, y = column ycol (rows that do not parse are left out);
 * false when out of memory. */
bool plot_series_add(struct series_set *s, const char *title, const struct csvtab *t, int ycol);
/* Draw the set as lines (lines.gp) into graph NAME. */
void plot_series_draw(struct plotctx *p, const char *name, struct series_set *s, struct plot_req *req);
/* Lines over the time series of trace tr's rows picked by axis, y = column ycol of each, the
 * final values in the key; a log y axis when they span two orders of magnitude or more. */
void plot_series_lines(struct plotctx *p, const char *tr, const char *axis, const char *ycol,
		       const char *name, const char *what, struct plot_req *req);
/* The order-9 unusable index at each snapshot, kernel and model (plot_snapshots.c). */
void plot_snapshots(struct plotctx *p, const char *tr);
/* The order-9 allocations the free blocks would serve at each snapshot, kernel and model. */
void plot_thp(struct plotctx *p, const char *tr);

#endif
