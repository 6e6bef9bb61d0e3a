/* mmreplay compare: each configuration of a summary CSV against a baseline, per trace. By default
 * the short view: the metrics that changed beyond noise, largest effect first; --all lists every
 * difference, --csv every line as CSV. The comparison itself is bench/output/compare.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/output/compare.h"

static const char *const corrections[] = {"holm", "bh", "none", NULL};

struct compare_cli {
	struct compare_opts c;
	const char *correction;
	double min_pct;
	u64 top;
	bool csv, all;
};

static const struct cli_opt compare_opts[] = {
	CLI_OPT_STR("baseline", "CONFIG", struct compare_cli, c.baseline,
		    "the configuration to compare against: its label or part of it ('list/eager', "
		    "'buddy=addr'; globs allowed); default: each trace's first"),
	CLI_OPT_STR("metric", "GLOBS", struct compare_cli, c.metric,
		    "only these metrics (comma-separated globs: 'vmlist_*,tlb_flushes')"),
	CLI_OPT_STR("config", "GLOBS", struct compare_cli, c.config,
		    "only these configurations (labels or parts of them, as --baseline)"),
	CLI_OPT_FLAG("all", struct compare_cli, all,
		     "every metric that differs, in column order (default: those beyond noise, by effect)"),
	CLI_OPT_U64("top", "N", struct compare_cli, top, 0, 1u << 30,
		    "the short view: at most N lines per trace (20; 0: no limit)"),
	CLI_OPT_F64("min-effect", "PCT", struct compare_cli, min_pct, 0, 1e12,
		    "the short view: changes of at least PCT percent of the baseline (1; a baseline "
		    "under 1, or under 100 thousandths, counts as that)"),
	CLI_OPT_F64("alpha", "A", struct compare_cli, c.alpha, 1e-12, 1 - 1e-12,
		    "significance level of Welch's t-test on host metrics (0.05)"),
	CLI_OPT_CHOICE("correction", "NAME", struct compare_cli, correction, corrections,
		       "host metrics' p-values corrected for the number of tests (every host line of "
		       "every trace): holm (Holm's step-down, default), bh (Benjamini-Hochberg) or none"),
	CLI_OPT_FLAG("csv", struct compare_cli, csv,
		     "print trace,config,metric,value,baseline,change_pct,welch_p,significant (every "
		     "difference)"),
	CLI_OPT_END,
};

static const struct cli_cmd compare_cmd = {
	.name = "compare",
	.synopsis = "SUMMARY.csv",
	.about = "For every trace in SUMMARY.csv (a suite's summary.csv, or replay's --out CSV), sets each\n"
		 "configuration against the baseline, metric by metric, on the median over repeats. Model\n"
		 "metrics are deterministic: any change is real. Host metrics (host_*) get Welch's t-test\n"
		 "over the repeats, corrected for the number of tests (--correction): '*' marks a corrected\n"
		 "p < A, '?' too few repeats to tell. A relative change is given\n"
		 "where the baseline is at least 1 (100 for a thousandths index); below that, the absolute\n"
		 "change only. The short view lists the changes beyond noise, largest effect first.",
	.opts = compare_opts,
	.min_args = 1,
	.max_args = 1,
};

/* "+5.50%", "x54.5" (at least twice), "/55.1" (at most half), or "" (tiny baseline). */
static void relative(const struct compare_line *l, char *buf, size_t len)
{
	buf[0] = 0;
	if (isnan(l->pct)) {
		snprintf(buf, len, l->base == 0 ? "from 0" : "tiny base");
		return;
	}
	double ratio = l->base != 0 ? l->value / l->base : 0, f = ratio >= 1 ? ratio : 1 / ratio;
	if (ratio >= 2 || (ratio > 0 && ratio <= 0.5))
		snprintf(buf, len, f >= 100 ? "%c%.0f" : "%c%.3g", ratio >= 2 ? 'x' : '/', f);
	else
		snprintf(buf, len, "%+.2f%%", l->pct);
}

static void print_line(const struct compare_line *l, int cw, size_t same)
{
	char v[48], b[48], d[48], r[32], mark[64] = "";
	compare_fmt(l->value, v, sizeof(v));
	compare_fmt(l->base, b, sizeof(b));
	compare_fmt(l->value - l->base, d + 1, sizeof(d) - 1);
	d[0] = l->value >= l->base ? '+' : ' ';
	relative(l, r, sizeof(r));
	if (l->host)
		snprintf(mark, sizeof(mark), l->verdict < 0 ? "  ?" : "  p=%.2g corrected %.2g%s", l->p,
			 l->p_adj, l->verdict > 0 ? " *" : "");
	printf("  %-26s %-*s %14s %14s %14s %9s%s", l->metric, cw, l->config, v, b, d[1] == '-' ? d + 1 : d,
	       r, mark);
	if (same)
		printf("  (and %zu more configuration%s, the same)", same, same > 1 ? "s" : "");
	putchar('\n');
}

/* The short view folds model lines of one metric with the same value and baseline into the
 * first of them: same[i] counts the later lines sel[i] stands for, done[k] marks them. By
 * sorting the lines on (metric, value, baseline, position), not by comparing each line with
 * every later one (a million lines took over 5 minutes). */
static const struct compare_line **fold_sel;

static int fold_cmp(const void *a, const void *b)
{
	const struct compare_line *x = fold_sel[*(const size_t *)a], *y = fold_sel[*(const size_t *)b];
	int k = strcmp(x->metric, y->metric);
	if (k)
		return k;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int fold(const struct compare_line **sel, size_t n, bool *done, size_t *same)
{
	size_t *ix = malloc((n + 1) * sizeof(*ix)), m = 0;
	if (!ix)
		return -1;
	for (size_t i = 0; i < n; i++) /* host lines, and NaN (never equal), are never folded */
		if (!sel[i]->host && !isnan(sel[i]->value) && !isnan(sel[i]->base))
			ix[m++] = i;
	fold_sel = sel;
	qsort(ix, m, sizeof(*ix), fold_cmp);
	for (size_t i = 0, j; i < m; i = j) {
		const struct compare_line *first = sel[ix[i]];
		for (j = i + 1; j < m && !strcmp(sel[ix[j]]->metric, first->metric) &&
				sel[ix[j]]->value == first->value && sel[ix[j]]->base == first->base;
		     j++)
			done[ix[j]] = true;
		same[ix[i]] = j - i - 1;
	}
	free(ix);
	return 0;
}

static void print_trace(const struct compare *c, size_t i, const struct compare_cli *o)
{
	const struct compare_trace *t = &c->tr[i];
	const struct compare_line **sel = malloc((t->nlines + 1) * sizeof(*sel));
	size_t n = 0, total = t->nlines;
	int cw = 13;
	(void)total;
	if (!sel)
		return;
	if (o->all)
		for (size_t l = 0; l < t->nlines; l++)
			sel[n++] = &t->lines[l];
	else
		n = compare_short(c, i, sel);
	bool *done = calloc(n + 1, sizeof(bool));
	size_t *same = calloc(n + 1, sizeof(size_t)), shown = 0, rows = 0;
	if (!done || !same) {
		free(done), free(same), free(sel);
		return;
	}
	if (!o->all && fold(sel, n, done, same)) {
		free(done), free(same), free(sel);
		return;
	}
	for (size_t l = 0; l < n; l++)
		if (!done[l]) {
			rows++;
			if (o->all || !o->top || shown < o->top)
				cw = MM_MAX(cw, (int)strlen(sel[l]->config)), shown++;
		}
	printf("== %s: baseline %s%s\n", t->trace[0] ? t->trace : "(all)", t->baseline,
	       o->c.baseline && !t->matched ? " (its first: none matches --baseline)" : "");
	if (!o->all)
		printf("   %zu of %zu differences beyond noise, largest effect first%s\n", n, total,
		       total ? " (--all: every one)" : "");
	if (shown)
		printf("  %-26s %-*s %14s %14s %14s %9s\n", "metric", cw, "configuration", "value",
		       "baseline", "change", "relative");
	for (size_t l = 0, k = 0; l < n && k < shown; l++)
		if (!done[l])
			print_line(sel[l], cw, same[l]), k++;
	if (shown < rows)
		printf("  ... %zu more (--top 0 shows them)\n", rows - shown);
	free(done);
	free(same);
	free(sel);
}

static void print_csv(const struct compare *c, const struct compare_cli *o)
{
	printf("trace,config,metric,value,baseline,change_pct,welch_p,significant\n");
	for (size_t i = 0; i < c->ntraces; i++)
		for (size_t k = 0; k < c->tr[i].nlines; k++) {
			const struct compare_line *l = &c->tr[i].lines[k];
			printf("%s,%s,%s,%.10g,%.10g,", l->trace, l->config, l->metric, l->value, l->base);
			if (!isnan(l->pct_raw))
				printf("%.4f", l->pct_raw);
			if (l->host)
				printf(",%.6g,%s\n", l->p,
				       l->verdict < 0 ? "unknown"
				       : l->verdict   ? "yes"
						      : "no");
			else
				printf(",,\n");
		}
	(void)o;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_cli o = {.c = {.alpha = 0.05}, .min_pct = 1, .top = 20, .correction = "holm"};
	struct compare c;
	struct mm_diag d = {{0}};
	int first = 0, rc = cli_parse(&compare_cmd, argc, argv, &o, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	o.c.min_effect = o.min_pct / 100;
	o.c.correction = !strcmp(o.correction, "holm") ? COMPARE_HOLM
			 : !strcmp(o.correction, "bh") ? COMPARE_BH
						       : COMPARE_UNCORRECTED;
	int err = compare_load(&c, argv[first], &o.c, &d);
	if (err) {
		fprintf(stderr, "mmreplay compare: %s\n", d.msg[0] ? d.msg : "out of memory");
		return MM_EXIT_FAIL;
	}
	if (o.csv)
		print_csv(&c, &o);
	else
		for (size_t i = 0; i < c.ntraces; i++)
			print_trace(&c, i, &o);
	compare_free(&c);
	return MM_EXIT_OK;
}
