/* mmreplay compare: each configuration of a summary CSV against a baseline, metric by metric,
 * per trace; host metrics (host_*) are tested with Welch's t-test over the repeats, so a
 * difference within run-to-run noise is not reported as one. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "csvread.h"
#include "welch.h"

/* Columns that name a configuration even when numeric. */
static const char *const config_cols[] = {"buddy", "vmlist",	"tlb",	       "vma",	   "levels",
					  "cpus",  "page_mode", "zone_pages",  "populate", "max_order",
					  "guard", "zones",	"pkmap_slots", NULL};

static bool is_config_name(const char *n)
{
	for (const char *const *c = config_cols; *c; c++)
		if (!strcmp(*c, n))
			return true;
	return false;
}

static void compare_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay compare [--baseline CONFIG] [--alpha A] [--csv] SUMMARY.csv\n\n"
		   "For every trace in SUMMARY.csv (a summary written by replay or suite), prints each\n"
		   "configuration's change against the baseline in percent, per metric, using the median\n"
		   "over repeats. A configuration is named by its configuration columns joined with '/'\n"
		   "(e.g. lifo/augmented/lazy); --baseline picks it (default: the trace's first). Host\n"
		   "metrics (host_*) also get Welch's t-test over the repeats: '*' marks p < A (default\n"
		   "0.05); with fewer than two repeats on either side there is no verdict ('?').\n"
		   "--csv prints trace,config,metric,value,baseline,change_pct,welch_p,significant.\n");
}

struct group {
	char trace[256];
	char label[512];
	size_t *rows; /* row indices of this (trace, config) */
	size_t n;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Values of column c over group g (numbers only); returns how many. */
static size_t values(const struct csvtab *t, const struct group *g, size_t c, double *out)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++)
		if (csv_number(t->rows[g->rows[i]][c], &out[n]))
			n++;
	return n;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{"baseline", required_argument, NULL, 'b'},
		{"alpha", required_argument, NULL, 'a'},
		{"csv", no_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *baseline = NULL;
	double alpha = 0.05;
	bool as_csv = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "b:a:ch", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			baseline = optarg;
			break;
		case 'a':
			if (!csv_number(optarg, &alpha) || alpha <= 0 || alpha >= 1) {
				fprintf(stderr, "mmreplay compare: --alpha takes a number in (0, 1)\n");
				return MM_EXIT_USAGE;
			}
			break;
		case 'c':
			as_csv = true;
			break;
		case 'h':
			compare_usage(stdout);
			return MM_EXIT_OK;
		default:
			compare_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		compare_usage(stderr);
		return MM_EXIT_USAGE;
	}
	struct csvtab t;
	struct mm_diag d;
	if (csvtab_read(argv[optind], &t, &d)) {
		fprintf(stderr, "mmreplay compare: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	int rc = MM_EXIT_FAIL;
	int tcol = csvtab_col(&t, "trace");
	bool *is_cfg = calloc(t.ncols, sizeof(bool)), *is_metric = calloc(t.ncols, sizeof(bool));
	struct group *groups = calloc(t.nrows + 1, sizeof(*groups));
	double *va = malloc(sizeof(double) * (t.nrows + 1)), *vb = malloc(sizeof(double) * (t.nrows + 1));
	size_t ngroups = 0;
	if (!is_cfg || !is_metric || !groups || !va || !vb)
		goto out;
	for (size_t col = 0; col < t.ncols; col++) {
		if ((int)col == tcol || !strcmp(t.head[col], "repeat") || !strcmp(t.head[col], "seed"))
			continue;
		bool numeric = t.nrows > 0;
		for (size_t r = 0; r < t.nrows && numeric; r++)
			numeric = csv_number(t.rows[r][col], &va[0]);
		if (is_config_name(t.head[col]) || !numeric)
			is_cfg[col] = true;
		else
			is_metric[col] = true;
	}
	for (size_t r = 0; r < t.nrows; r++) {
		char label[512] = "";
		for (size_t col = 0; col < t.ncols; col++)
			if (is_cfg[col]) {
				if (label[0])
					strncat(label, "/", sizeof(label) - strlen(label) - 1);
				strncat(label, t.rows[r][col], sizeof(label) - strlen(label) - 1);
			}
		const char *tr = tcol >= 0 ? t.rows[r][tcol] : "";
		size_t g;
		for (g = 0; g < ngroups; g++)
			if (!strcmp(groups[g].trace, tr) && !strcmp(groups[g].label, label))
				break;
		if (g == ngroups) {
			snprintf(groups[g].trace, sizeof(groups[g].trace), "%s", tr);
			snprintf(groups[g].label, sizeof(groups[g].label), "%s", label);
			groups[g].rows = malloc(sizeof(size_t) * t.nrows);
			if (!groups[g].rows)
				goto out;
			ngroups++;
		}
		groups[g].rows[groups[g].n++] = r;
	}
	bool found_baseline = !baseline;
	for (size_t g = 0; g < ngroups && !found_baseline; g++)
		found_baseline = !strcmp(groups[g].label, baseline);
	if (!found_baseline) {
		fprintf(stderr, "mmreplay compare: no configuration named '%s'; configurations are:\n",
			baseline);
		for (size_t g = 0; g < ngroups; g++)
			fprintf(stderr, "  %s\n", groups[g].label);
		goto out;
	}
	if (as_csv)
		printf("trace,config,metric,value,baseline,change_pct,welch_p,significant\n");
	for (size_t g0 = 0; g0 < ngroups; g0++) {
		/* the first group of each trace starts that trace's block */
		bool first = true;
		for (size_t k = 0; k < g0; k++)
			first &= strcmp(groups[k].trace, groups[g0].trace) != 0;
		if (!first)
			continue;
		const struct group *base = &groups[g0];
		for (size_t g = g0; g < ngroups; g++)
			if (baseline && !strcmp(groups[g].trace, base->trace) &&
			    !strcmp(groups[g].label, baseline)) {
				base = &groups[g];
			}
		if (!as_csv)
			printf("== %s (baseline %s, %zu repeat%s)\n", base->trace[0] ? base->trace : "(all)",
			       base->label, base->n, base->n == 1 ? "" : "s");
		for (size_t col = 0; col < t.ncols; col++) {
			if (!is_metric[col])
				continue;
			bool host = !strncmp(t.head[col], "host_", 5);
			size_t nb = values(&t, base, col, vb);
			if (!nb)
				continue;
			double bmed = median(vb, nb);
			if (!as_csv)
				printf("  %-28s %-28s %14.6g\n", t.head[col], base->label, bmed);
			for (size_t g = g0; g < ngroups; g++) {
				if (&groups[g] == base || strcmp(groups[g].trace, base->trace))
					continue;
				size_t na = values(&t, &groups[g], col, va);
				if (!na)
					continue;
				double med = median(va, na);
				double pct =
					bmed != 0 ? (med - bmed) / fabs(bmed) * 100.0 : (med == 0 ? 0 : NAN);
				struct welch w = {0, 0, 1};
				const char *mark = "";
				if (host) {
					w = welch_test(va, na, vb, nb);
					mark = (na < 2 || nb < 2) ? "?" : (w.p < alpha ? "*" : "");
				}
				if (as_csv && host)
					printf("%s,%s,%s,%.10g,%.10g,%.4f,%.6g,%s\n", groups[g].trace,
					       groups[g].label, t.head[col], med, bmed, pct, w.p,
					       na < 2 || nb < 2 ? "unknown" : (w.p < alpha ? "yes" : "no"));
				else if (as_csv)
					printf("%s,%s,%s,%.10g,%.10g,%.4f,,\n", groups[g].trace,
					       groups[g].label, t.head[col], med, bmed, pct);
				else
					printf("  %-28s %-28s %14.6g %+9.2f%% %s\n", "", groups[g].label, med,
					       pct, mark);
			}
		}
	}
	rc = MM_EXIT_OK;
out:
	for (size_t g = 0; g < ngroups; g++)
		free(groups[g].rows);
	free(groups);
	free(is_cfg);
	free(is_metric);
	free(va);
	free(vb);
	csvtab_free(&t);
	return rc;
}
