/* The report page of a results directory: DIR/index.html, one self-contained page (inline style,
 * graphs as relative SVG files, no network) that answers, per trace, the questions its events can
 * answer, with the answer table, the graphs, the comparison against the baseline, the known
 * limits that apply and the commands that reproduce it. Read from what the run wrote:
 * summary.csv, traces.csv and skipped.csv (suite_axes.h), plots/graphs.csv (suite_plots.h) and
 * command.txt. Everything from those files is data: HTML-escaped where it is written
 * (report_esc), and the page's Content-Security-Policy allows no script at all. Numbers carry
 * their CSV text in data-value attributes so tests can check them against summary.csv.
 *
 * Questions, limits and fidelity figures are tables (report_answers.c): a new question is one
 * entry; fidelity columns are found by name pattern among the summary's columns, so a new
 * agreement metric appears without a code change. */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "bench/output/csvread.h"

/* Host comparisons on the page need this many repeats on each side; fewer are shown, not tested. */
#define REPORT_MIN_REPEATS 5

/* Write DIR/index.html. 0, or -errno after a message "mmreplay CMD: ..." on stderr. */
int report_write(const char *dir, const char *cmd);

/* --- shared by report*.c --- */

/* What a trace's replay starts from, so an answer can say which machine it is about. */
enum report_source {
	REPORT_TRACE_FILE, /* a trace alone (perf, strace, ...): modelled zones, all free; empty vmalloc */
	REPORT_GENERATED,  /* a gen: workload: no kernel made its decisions */
	REPORT_RECORDING,  /* a recording directory: the recorded machine's state at its start */
};

/* One trace of the summary: its rows, facts and reference row. */
struct report_trace {
	enum report_source source;
	const char *label;
	size_t *rows, nrows;
	size_t ref; /* the reference row: the settings' defaults where the trace ran them */
	u64 vmap_events, page_events, process_calls, kmap_events, events;
	bool known; /* facts from traces.csv (else inferred from the summary) */
	const char *spec, *axes_apply;
	size_t cells, cells_run;
	const char *workload; /* whose work the answers count ("all": every event; "" an older summary) */
};

struct report {
	const char *dir;
	FILE *f;
	struct csvtab sum, traces, graphs;
	bool have_traces, have_graphs;
	struct report_trace *tr;
	size_t ntr;
	char command[2048];
};

/* Whether a trace's answers count a workload narrower than every event (its workload_ columns). */
bool report_workload(const struct report *rp, const struct report_trace *t);

/* Text as HTML (element content and quoted attribute values alike): the one way text from the
 * run's files reaches the page. Nothing from a CSV is printed with a bare %s. */
void report_esc(FILE *f, const char *s);
/* report_num's form of a CSV cell, escaped (a cell that is not a number is text like any other). */
void report_esc_num(FILE *f, const char *text);
/* A relative URL of a file name: unreserved bytes as they are, the rest %XX. */
void report_url(FILE *f, const char *s);
/* A number as people read it: thousands separated by ',' for integers (cells left as text when
 * not a number). */
void report_num(const char *text, char *buf, size_t len);
/* The value of column col in row r ("" when the column is missing). */
const char *report_field(const struct report *rp, size_t r, const char *col);
double report_number(const struct report *rp, size_t r, const char *col);
/* The row of trace t with column axis = value and every other configuration column as in its
 * reference row; (size_t)-1 when the suite did not run it. */
size_t report_row(const struct report *rp, const struct report_trace *t, const char *axis, const char *value);

/* report_page.c: the page, given the inputs read. */
void report_page(const struct report *rp);
/* report_answers.c: the one-line answers, the known limits, the fidelity section. */
void report_answers(const struct report *rp, const struct report_trace *t);
void report_limits(const struct report *rp, const struct report_trace *t);
void report_fidelity(const struct report *rp);
/* report_placement.c: per recording, each placement configuration's error against the kernel's
 * snapshots and where it was largest (nothing when no placement configuration compared any). */
void report_placement(const struct report *rp);

#endif
