/* mmreplay compare: each configuration of a summary CSV against a baseline, metric by metric,
 * per trace; host metrics are tested with Welch's t-test over the repeats, so a difference within
 * run-to-run noise is not reported as one. Which column names a configuration and which is a host
 * measurement comes from the metrics registry (metrics.h); a column the registry does not know
 * (another tool's CSV) is a configuration when it is not numeric. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "csvread.h"
#include "metrics.h"
#include "welch.h"

struct compare_opts {
	const char *baseline;
	double alpha;
	bool csv;
};

static const struct cli_opt compare_opts[] = {
	CLI_OPT_STR("baseline", "CONFIG", struct compare_opts, baseline,
		    "the configuration to compare against "
		    "(default: each trace's first)"),
	CLI_OPT_F64("alpha", "A", struct compare_opts, alpha, 1e-12, 1 - 1e-12, "significance level (0.05)"),
	CLI_OPT_FLAG("csv", struct compare_opts, csv,
		     "print trace,config,metric,value,baseline,change_pct,welch_p,significant"),
	CLI_OPT_END,
};

static const struct cli_cmd compare_cmd = {
	.name = "compare",
	.synopsis = "SUMMARY.csv",
	.about = "For every trace in SUMMARY.csv (a summary written by replay or suite), prints each\n"
		 "configuration's change against the baseline in percent, per metric, using the median over\n"
		 "repeats. A configuration is named by its configuration columns that vary within a trace,\n"
		 "joined with '/' (e.g. lifo/augmented/lazy), or by a suite's config column. Host metrics\n"
		 "also get Welch's t-test over the repeats: '*' marks p < A; with fewer than two repeats on\n"
		 "either side there is no verdict ('?').",
	.opts = compare_opts,
	.min_args = 1,
	.max_args = 1,
};

#define COMPARE_MAX_SAMPLES 4096

struct group {
	char trace[256];
	char label[512];
	size_t *rows; /* row indices of this (trace, config) */
	size_t n;
};

struct cmp {
	const struct compare_opts *o;
	struct csvtab t;
	int tcol, ccfg;
	bool *is_cfg, *is_metric, *is_host;
	struct group *groups;
	size_t ngroups;
	double *va, *vb;
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

/* A field's numbers: one, or a ';'-separated list (a suite's per-repeat host timings). Returns how
 * many were stored at out (at most max); -1 when the field is not numeric. */
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

/* Values of column c over group g (numbers only; lists expanded); returns how many. */
static size_t values(const struct cmp *c, const struct group *g, size_t col, double *out)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n && n < COMPARE_MAX_SAMPLES; i++) {
		int k = field_numbers(c->t.rows[g->rows[i]][col], out + n, COMPARE_MAX_SAMPLES - n);
		if (k > 0)
			n += (size_t)k;
	}
	return n;
}

static bool ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n > k && !strcmp(name + n - k, suffix);
}

/* Which columns name the configuration, which are metrics, which of those are host figures. */
static void classify(struct cmp *c)
{
	for (size_t col = 0; col < c->t.ncols; col++) {
		const char *h = c->t.head[col];
		const struct metric *m = metric_find(h, METRIC_IN_ROWS);
		bool numeric = c->t.nrows > 0;
		for (size_t r = 0; r < c->t.nrows && numeric; r++)
			numeric = field_numbers(c->t.rows[r][col], c->va, COMPARE_MAX_SAMPLES) >= 0;
		bool cfg = m ? m->cls == METRIC_CONFIG : !numeric;
		if ((int)col == c->tcol || !strcmp(h, "repeat") || !strcmp(h, "seed"))
			continue;
		if (c->ccfg >= 0 && (int)col != c->ccfg && cfg) /* a suite names it in "config" */
			continue;
		/* min/median/max beside a per-repeat list: the list carries the samples */
		if (numeric && (ends_with(h, "_min") || ends_with(h, "_median") || ends_with(h, "_max"))) {
			char sib[256];
			snprintf(sib, sizeof(sib), "%.*s_all", (int)(strrchr(h, '_') - h), h);
			if (csvtab_col(&c->t, sib) >= 0)
				continue;
		}
		c->is_cfg[col] = cfg || (int)col == c->ccfg;
		c->is_metric[col] = !c->is_cfg[col] && numeric;
		c->is_host[col] = m ? m->cls == METRIC_HOST : !strncmp(h, "host_", 5);
	}
}

/* A configuration column names something when it varies within a trace. */
static bool varies_in_a_trace(const struct cmp *c, size_t col)
{
	for (size_t r = 0; r < c->t.nrows; r++)
		for (size_t k = 0; k < r; k++)
			if ((c->tcol < 0 || !strcmp(c->t.rows[r][c->tcol], c->t.rows[k][c->tcol])) &&
			    strcmp(c->t.rows[r][col], c->t.rows[k][col]))
				return true;
	return false;
}

static int build_groups(struct cmp *c)
{
	bool *varies = calloc(c->t.ncols, sizeof(bool)), any = false;
	if (!varies)
		return -1;
	for (size_t col = 0; col < c->t.ncols; col++)
		any |= varies[col] = c->is_cfg[col] && varies_in_a_trace(c, col);
	for (size_t r = 0; r < c->t.nrows; r++) {
		char label[512] = "";
		for (size_t col = 0; col < c->t.ncols; col++)
			if (c->is_cfg[col] && (varies[col] || !any)) {
				if (label[0])
					strncat(label, "/", sizeof(label) - strlen(label) - 1);
				strncat(label, c->t.rows[r][col], sizeof(label) - strlen(label) - 1);
			}
		const char *tr = c->tcol >= 0 ? c->t.rows[r][c->tcol] : "";
		size_t g;
		for (g = 0; g < c->ngroups; g++)
			if (!strcmp(c->groups[g].trace, tr) && !strcmp(c->groups[g].label, label))
				break;
		if (g == c->ngroups) {
			snprintf(c->groups[g].trace, sizeof(c->groups[g].trace), "%s", tr);
			snprintf(c->groups[g].label, sizeof(c->groups[g].label), "%s", label);
			if (!(c->groups[g].rows = malloc(sizeof(size_t) * c->t.nrows))) {
				free(varies);
				return -1;
			}
			c->ngroups++;
		}
		c->groups[g].rows[c->groups[g].n++] = r;
	}
	free(varies);
	return 0;
}

/* One configuration's line for one metric. */
static void compare_line(struct cmp *c, const struct group *g, size_t col, double bmed, size_t nb)
{
	size_t na = values(c, g, col, c->va);
	if (!na)
		return;
	double med = median(c->va, na),
	       pct = bmed != 0 ? (med - bmed) / fabs(bmed) * 100.0 : (med == 0 ? 0 : NAN);
	struct welch w = {0, 0, 1};
	const char *mark = "";
	bool host = c->is_host[col], unknown = na < 2 || nb < 2;
	if (host) {
		w = welch_test(c->va, na, c->vb, nb);
		mark = unknown ? "?" : (w.p < c->o->alpha ? "*" : "");
	}
	if (c->o->csv && host)
		printf("%s,%s,%s,%.10g,%.10g,%.4f,%.6g,%s\n", g->trace, g->label, c->t.head[col], med, bmed,
		       pct, w.p, unknown ? "unknown" : (w.p < c->o->alpha ? "yes" : "no"));
	else if (c->o->csv)
		printf("%s,%s,%s,%.10g,%.10g,%.4f,,\n", g->trace, g->label, c->t.head[col], med, bmed, pct);
	else if (isnan(pct))
		printf("  %-28s %-36s %14.6g %10s %s\n", "", g->label, med, "(base 0)", mark);
	else
		printf("  %-28s %-36s %14.6g %+9.2f%% %s\n", "", g->label, med, pct, mark);
}

/* The block of the trace whose first group is g0. */
static void compare_trace(struct cmp *c, size_t g0)
{
	const struct group *base = &c->groups[g0];
	for (size_t g = g0; g < c->ngroups; g++)
		if (c->o->baseline && !strcmp(c->groups[g].trace, base->trace) &&
		    !strcmp(c->groups[g].label, c->o->baseline))
			base = &c->groups[g];
	if (!c->o->csv)
		printf("== %s (baseline %s; metrics equal in every configuration are left out)\n",
		       base->trace[0] ? base->trace : "(all)", base->label);
	for (size_t col = 0; col < c->t.ncols; col++) {
		size_t nb = c->is_metric[col] ? values(c, base, col, c->vb) : 0;
		if (!nb)
			continue;
		double bmed = median(c->vb, nb);
		bool differs = c->o->csv;
		for (size_t g = g0; g < c->ngroups && !differs; g++) {
			size_t na = strcmp(c->groups[g].trace, base->trace)
					    ? 0
					    : values(c, &c->groups[g], col, c->va);
			differs = na && median(c->va, na) != bmed;
		}
		if (!differs)
			continue;
		nb = values(c, base, col, c->vb);
		if (!c->o->csv)
			printf("  %-28s %-36s %14.6g\n", c->t.head[col], base->label, bmed);
		for (size_t g = g0; g < c->ngroups; g++)
			if (&c->groups[g] != base && !strcmp(c->groups[g].trace, base->trace))
				compare_line(c, &c->groups[g], col, bmed, nb);
	}
}

static int compare_run(struct cmp *c)
{
	classify(c);
	if (build_groups(c))
		return MM_EXIT_FAIL;
	bool found = !c->o->baseline;
	for (size_t g = 0; g < c->ngroups && !found; g++)
		found = !strcmp(c->groups[g].label, c->o->baseline);
	if (!found) {
		fprintf(stderr, "mmreplay compare: no configuration named '%s'; configurations are:\n",
			c->o->baseline);
		for (size_t g = 0; g < c->ngroups; g++)
			fprintf(stderr, "  %s\n", c->groups[g].label);
		return MM_EXIT_FAIL;
	}
	if (c->o->csv)
		printf("trace,config,metric,value,baseline,change_pct,welch_p,significant\n");
	for (size_t g0 = 0; g0 < c->ngroups; g0++) {
		bool first = true; /* the first group of each trace starts that trace's block */
		for (size_t k = 0; k < g0; k++)
			first &= strcmp(c->groups[k].trace, c->groups[g0].trace) != 0;
		if (first)
			compare_trace(c, g0);
	}
	return MM_EXIT_OK;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts o = {.alpha = 0.05};
	struct cmp c = {.o = &o};
	struct mm_diag d;
	int first = 0, rc = cli_parse(&compare_cmd, argc, argv, &o, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	if (csvtab_read(argv[first], &c.t, &d)) {
		fprintf(stderr, "mmreplay compare: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	c.tcol = csvtab_col(&c.t, "trace");
	c.ccfg = csvtab_col(&c.t, "config");
	c.is_cfg = calloc(c.t.ncols, sizeof(bool));
	c.is_metric = calloc(c.t.ncols, sizeof(bool));
	c.is_host = calloc(c.t.ncols, sizeof(bool));
	c.groups = calloc(c.t.nrows + 1, sizeof(*c.groups));
	c.va = malloc(sizeof(double) * COMPARE_MAX_SAMPLES);
	c.vb = malloc(sizeof(double) * COMPARE_MAX_SAMPLES);
	rc = c.is_cfg && c.is_metric && c.is_host && c.groups && c.va && c.vb ? compare_run(&c)
									      : MM_EXIT_FAIL;
	for (size_t g = 0; g < c.ngroups; g++)
		free(c.groups[g].rows);
	free(c.groups);
	free(c.is_cfg);
	free(c.is_metric);
	free(c.is_host);
	free(c.va);
	free(c.vb);
	csvtab_free(&c.t);
	return rc;
}
