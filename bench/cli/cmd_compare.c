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
/* A field's numbers: one, or a ';'-separated list (a suite's per-repeat host timings).
 * Returns how many were stored at out (at most max); -1 when the field is not numeric. */
static int field_numbers(const char *f, double *out, size_t max)
{
	char buf[4096];
	int n = 0;
	if (!*f)
		return 0;
	if (strlen(f) >= sizeof(buf))
		return -1;
	strcpy(buf, f);
	for (char *save = NULL, *tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		double v;
		if (!csv_number(tok, &v))
			return -1;
		if ((size_t)n < max)
			out[n++] = v;
	}
	return n;
}

#define COMPARE_MAX_SAMPLES 4096

/* Values of column c over group g (numbers only; lists expanded); returns how many. */
static size_t values(const struct csvtab *t, const struct group *g, size_t c, double *out)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n && n < COMPARE_MAX_SAMPLES; i++) {
		int k = field_numbers(t->rows[g->rows[i]][c], out + n, COMPARE_MAX_SAMPLES - n);
		if (k > 0)
			n += (size_t)k;
	}
	return n;
}

/* name ends in suffix */
static bool ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n > k && !strcmp(name + n - k, suffix);
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
	int tcol = csvtab_col(&t, "trace"), ccfg = csvtab_col(&t, "config");
	bool *varies = NULL;
	bool *is_cfg = calloc(t.ncols, sizeof(bool)), *is_metric = calloc(t.ncols, sizeof(bool));
	struct group *groups = calloc(t.nrows + 1, sizeof(*groups));
	double *va = malloc(sizeof(double) * COMPARE_MAX_SAMPLES),
	       *vb = malloc(sizeof(double) * COMPARE_MAX_SAMPLES);
	size_t ngroups = 0;
	if (!is_cfg || !is_metric || !groups || !va || !vb)
		goto out;
	for (size_t col = 0; col < t.ncols; col++) {
		if ((int)col == tcol || !strcmp(t.head[col], "repeat") || !strcmp(t.head[col], "seed"))
			continue;
		bool numeric = t.nrows > 0;
		for (size_t r = 0; r < t.nrows && numeric; r++)
			numeric = field_numbers(t.rows[r][col], va, COMPARE_MAX_SAMPLES) >= 0;
		/* a suite summary names its configuration in one "config" column */
		if (ccfg >= 0 && (int)col != ccfg && (is_config_name(t.head[col]) || !numeric))
			continue;
		/* min/median/max beside a per-repeat list: the list carries the samples */
		if (numeric && (ends_with(t.head[col], "_min") || ends_with(t.head[col], "_median") ||
				ends_with(t.head[col], "_max"))) {
			char sib[256];
			snprintf(sib, sizeof(sib), "%.*s_all", (int)(strrchr(t.head[col], '_') - t.head[col]),
				 t.head[col]);
			if (csvtab_col(&t, sib) >= 0)
				continue;
		}
		if (is_config_name(t.head[col]) || !numeric || (int)col == ccfg)
			is_cfg[col] = true;
		else
			is_metric[col] = true;
	}
	/* a configuration column with one value in every row names nothing: leave it out */
	bool any_varies = false;
	varies = calloc(t.ncols, sizeof(bool));
	if (!varies)
		goto out;
	for (size_t col = 0; col < t.ncols; col++) {
		for (size_t r = 1; r < t.nrows && is_cfg[col] && !varies[col]; r++)
			varies[col] = strcmp(t.rows[r][col], t.rows[0][col]) != 0;
		any_varies |= varies[col];
	}
	for (size_t r = 0; r < t.nrows; r++) {
		char label[512] = "";
		for (size_t col = 0; col < t.ncols; col++)
			if (is_cfg[col] && (varies[col] || !any_varies)) {
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
			printf("== %s (baseline %s; metrics equal in every configuration are left out)\n",
			       base->trace[0] ? base->trace : "(all)", base->label);
		for (size_t col = 0; col < t.ncols; col++) {
			if (!is_metric[col])
				continue;
			bool host = !strncmp(t.head[col], "host_", 5);
			size_t nb = values(&t, base, col, vb);
			if (!nb)
				continue;
			double bmed = median(vb, nb);
			bool differs = as_csv;
			for (size_t g = g0; g < ngroups && !differs; g++) {
				if (strcmp(groups[g].trace, base->trace))
					continue;
				size_t na = values(&t, &groups[g], col, va);
				differs = na && median(va, na) != bmed;
			}
			if (!differs)
				continue;
			nb = values(&t, base, col, vb);
			if (!as_csv)
				printf("  %-28s %-36s %14.6g\n", t.head[col], base->label, bmed);
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
				else if (isnan(pct))
					printf("  %-28s %-36s %14.6g %10s %s\n", "", groups[g].label, med,
					       "(base 0)", mark);
				else
					printf("  %-28s %-36s %14.6g %+9.2f%% %s\n", "", groups[g].label, med,
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
	free(varies);
	free(is_metric);
	free(va);
	free(vb);
	csvtab_free(&t);
	return rc;
}
