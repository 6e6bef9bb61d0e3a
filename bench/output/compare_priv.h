/* Private to compare.c and compare_join.c: the join of a CSV's rows into (trace, configuration)
 * groups. */
#ifndef BENCH_OUTPUT_COMPARE_PRIV_H
#define BENCH_OUTPUT_COMPARE_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/output/compare.h"

#define COMPARE_MAX_SAMPLES 4096
#define COMPARE_MAX_LINES (1u << 23) /* differences held at once: about 1 GiB of lines */

#define LABEL_MAX 512 /* a label built from configuration columns (older CSVs) */

/* The rows of one (trace, configuration). */
struct group {
	const char *trace, *label;
	size_t ti;    /* its trace's index */
	size_t *rows; /* row indices, in file order (a slice of cmp.grows) */
	size_t n;
	bool wanted; /* --config takes it */
};

/* The join, linear in the rows: every row's trace and label are found in hash maps (strmap.h),
 * never by scanning the rows or groups before it (that took 42 s and 3.2 GB of address space
 * for 20,000 configurations). */
struct cmp {
	const struct compare_opts *o;
	const struct csvtab *t;
	int tcol, ccfg;
	const char **rtrace; /* per row: its trace, told apart by trace_id (row_traces) */
	const char **rlabel; /* per row: its configuration's label */
	size_t *rti;	     /* per row: its trace's index, in order of first appearance */
	size_t ntr;
	bool *is_cfg, *is_metric, *is_host;
	struct group *groups;
	size_t ngroups;
	size_t *grows;	     /* every row, by group */
	size_t *tg, *tg_off; /* the groups of trace i: tg[tg_off[i] .. tg_off[i + 1]) */
	double *va, *vb;
	size_t nlines; /* lines of every trace so far (COMPARE_MAX_LINES) */
};

/* A field's numbers (one, or a ';' list): how many were stored at out (at most max); -1 when the
 * field is not numeric. */
int compare_join_numbers(const char *f, double *out, size_t max);
/* Which columns name the configuration, which are metrics, which of those are host figures. */
int compare_join_classify(struct cmp *c);
/* Each row's trace (c->rtrace, c->rti, c->ntr); mixed traces' names stored in *store. */
int compare_join_traces(struct cmp *c, char **store);
/* Each row's configuration label (c->rlabel); built labels stored in *store. */
int compare_join_labels(struct cmp *c, char **store);
/* The groups in order of their first row, and each trace's groups (c->tg, c->tg_off). */
int compare_join_groups(struct cmp *c);
/* A configuration pattern against group g: the whole label (a glob), or every '/'-item matching
 * (a label item, or AXIS=VALUE against that column). */
bool compare_join_matches(const struct cmp *c, const struct group *g, const char *pat);
/* Whether --config takes group g. */
bool compare_join_wanted(const struct cmp *c, const struct group *g);

#endif
