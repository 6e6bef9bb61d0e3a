#include "bench/output/compare.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/host/welch.h"
#include "bench/output/compare_priv.h"
#include "bench/output/metrics.h"
#include "workloads/diag.h"

/* s as a message may hold it: control bytes and invalid UTF-8 escaped (diag.h), at most 95
 * bytes (cells come from the CSV; four fit in one message). */
static const char *esc(char buf[96], const char *s)
{
	diag_escape(buf, 96, s);
	return buf;
}

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

static size_t values(const struct cmp *c, const struct group *g, size_t col, double *out)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n && n < COMPARE_MAX_SAMPLES; i++) {
		int k = compare_join_numbers(c->t->rows[g->rows[i]][col], out + n, COMPARE_MAX_SAMPLES - n);
		if (k > 0)
			n += (size_t)k;
	}
	return n;
}

/* Does comma-separated glob list pats match s? (NULL: everything) */
static bool globs_match(const char *pats, const char *s)
{
	char buf[1024];
	if (!pats)
		return true;
	snprintf(buf, sizeof(buf), "%s", pats);
	for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (!fnmatch(p, s, 0))
			return true;
	return false;
}

double compare_floor(const char *metric)
{
	const struct metric *m = metric_find(metric, METRIC_IN_ROWS);
	if (m && !strcmp(m->unit, "thousandths"))
		return 100;
	return 1;
}

void compare_fmt(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(v) < 1e15 && v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 1000)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

/* Trace i's baseline: the group matching o->baseline, or its first. -EINVAL when several match
 * (d lists them). */
static int pick_base(const struct cmp *c, size_t i, size_t *base, bool *matched, struct mm_diag *d)
{
	size_t n = 0, g0 = c->tg[c->tg_off[i]];
	*base = g0;
	*matched = false;
	for (size_t k = c->tg_off[i]; k < c->tg_off[i + 1] && c->o->baseline; k++) {
		size_t g = c->tg[k];
		if (compare_join_matches(c, &c->groups[g], c->o->baseline)) {
			if (n++ == 0)
				*base = g;
			else if (n == 2) {
				char e[4][96];
				snprintf(d->msg, sizeof(d->msg),
					 "--baseline %s matches several configurations of %s: %s, %s ... "
					 "(name more of the label)",
					 esc(e[0], c->o->baseline), esc(e[1], c->groups[g0].trace),
					 esc(e[2], c->groups[*base].label), esc(e[3], c->groups[g].label));
			}
		}
	}
	*matched = n == 1;
	return n > 1 ? -EINVAL : 0;
}

static void fill_line(struct cmp *c, const struct group *g, size_t col, double bmed, size_t nb,
		      struct compare_line *l)
{
	size_t na = values(c, g, col, c->va);
	double med = median(c->va, na), floor_ = compare_floor(c->t->head[col]);
	struct welch w = {0, 0, 1, 0, 0};
	l->trace = g->trace;
	l->config = g->label;
	l->metric = c->t->head[col];
	l->col = col;
	l->value = med;
	l->base = bmed;
	l->pct_raw = bmed != 0 ? (med - bmed) / fabs(bmed) * 100.0 : NAN;
	l->pct = fabs(bmed) >= floor_ ? l->pct_raw : NAN;
	l->effect = fabs(med - bmed) / fmax(fabs(bmed), floor_);
	l->host = c->is_host[col];
	l->integer = med == floor(med) && bmed == floor(bmed);
	l->verdict = 1;
	l->p = l->p_adj = 0;
	l->ci_lo = l->ci_hi = NAN;
	l->nrep = MM_MIN(na, nb);
	if (l->host) {
		unsigned minr = c->o->min_repeats ? c->o->min_repeats : 2;
		w = welch_test(c->va, na, c->vb, nb);
		l->p = l->p_adj = w.p;
		welch_ci(&w, 0.05, &l->ci_lo, &l->ci_hi);
		l->verdict = na < minr || nb < minr ? -1 : w.p < c->o->alpha;
	}
	l->beyond_noise = l->effect >= c->o->min_effect && l->verdict == 1;
}

/* Every differing (configuration, metric) of trace i. */
static int compare_one(struct cmp *c, size_t i, size_t base, struct compare_trace *out)
{
	size_t cap = 64, n = 0;
	struct compare_line *lines = malloc(cap * sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	for (size_t col = 0; col < c->t->ncols; col++) {
		if (!c->is_metric[col] || !globs_match(c->o->metric, c->t->head[col]))
			continue;
		size_t nb = values(c, &c->groups[base], col, c->vb);
		if (!nb)
			continue;
		double bmed = median(c->vb, nb); /* sorts vb: the samples are still the same set */
		for (size_t k = c->tg_off[i]; k < c->tg_off[i + 1]; k++) {
			const struct group *gr = &c->groups[c->tg[k]];
			if (c->tg[k] == base || !gr->wanted)
				continue;
			size_t na = values(c, gr, col, c->va);
			if (!na || median(c->va, na) == bmed)
				continue;
			if (++c->nlines > COMPARE_MAX_LINES) {
				free(lines);
				return -E2BIG;
			}
			if (n == cap) {
				struct compare_line *m = realloc(lines, 2 * cap * sizeof(*lines));
				if (!m) {
					free(lines);
					return -ENOMEM;
				}
				lines = m, cap *= 2;
			}
			fill_line(c, gr, col, bmed, nb, &lines[n++]);
		}
	}
	out->trace = c->groups[c->tg[c->tg_off[i]]].trace;
	out->baseline = c->groups[base].label;
	out->lines = lines;
	out->nlines = n;
	return 0;
}

const char *compare_correction_name(enum compare_correction c)
{
	return c == COMPARE_HOLM ? "Holm" : c == COMPARE_BH ? "Benjamini-Hochberg" : "none";
}

static int by_p(const void *a, const void *b)
{
	double x = (*(const struct compare_line *const *)a)->p,
	       y = (*(const struct compare_line *const *)b)->p;
	return x < y ? -1 : x > y;
}

/* Every host line with enough repeats, of every trace, is one test: p_adj by the correction, then
 * the verdicts and the short view's selection follow it. */
static int correct(struct compare *out, const struct compare_opts *o)
{
	size_t m = 0;
	for (size_t i = 0; i < out->ntraces; i++)
		for (size_t k = 0; k < out->tr[i].nlines; k++)
			m += out->tr[i].lines[k].host && out->tr[i].lines[k].verdict >= 0;
	out->ntests = m;
	if (!m || o->correction == COMPARE_UNCORRECTED)
		return 0;
	struct compare_line **v = malloc(m * sizeof(*v));
	if (!v)
		return -ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < out->ntraces; i++)
		for (size_t k = 0; k < out->tr[i].nlines; k++)
			if (out->tr[i].lines[k].host && out->tr[i].lines[k].verdict >= 0)
				v[n++] = &out->tr[i].lines[k];
	qsort(v, m, sizeof(*v), by_p);
	if (o->correction == COMPARE_HOLM) { /* step-down: max over the smaller p's of (m - j) p_j */
		double run = 0;
		for (size_t j = 0; j < m; j++)
			v[j]->p_adj = run = fmax(run, fmin(1, (double)(m - j) * v[j]->p));
	} else { /* step-up: min over the larger p's of m p_j / (j + 1) */
		double run = 1;
		for (size_t j = m; j-- > 0;)
			v[j]->p_adj = run = fmin(run, fmin(1, (double)m * v[j]->p / (double)(j + 1)));
	}
	for (size_t j = 0; j < m; j++) {
		v[j]->verdict = v[j]->p_adj < o->alpha;
		v[j]->beyond_noise = v[j]->effect >= o->min_effect && v[j]->verdict == 1;
	}
	free(v);
	return 0;
}

static int compare_all(struct cmp *c, struct compare *out, struct mm_diag *d)
{
	int err = compare_join_classify(c);
	bool any = !c->o->baseline;
	if (!err)
		err = compare_join_labels(c, &out->mem[0]);
	if (!err)
		err = compare_join_groups(c);
	if (err)
		return err;
	for (size_t g = 0; g < c->ngroups; g++)
		c->groups[g].wanted = compare_join_wanted(c, &c->groups[g]);
	out->tr = calloc(c->ntr + 1, sizeof(*out->tr));
	if (!out->tr)
		return -ENOMEM;
	for (size_t i = 0; i < c->ntr && !err; i++) {
		size_t base;
		bool matched;
		if ((err = pick_base(c, i, &base, &matched, d)))
			break;
		any |= matched;
		out->tr[out->ntraces].matched = matched;
		err = compare_one(c, i, base, &out->tr[out->ntraces]);
		out->ntraces += !err;
	}

	if (!err)
		err = correct(out, c->o);
	if (!err && !any) {
		char e[2][96];
		size_t n = (size_t)snprintf(d->msg, sizeof(d->msg),
					    "no configuration matches --baseline %s; configurations are:",
					    esc(e[0], c->o->baseline));
		for (size_t g = 0; g < c->ngroups && n < sizeof(d->msg); g++)
			n += (size_t)snprintf(d->msg + n, sizeof(d->msg) - n, "\n  %s %s",
					      esc(e[0], c->groups[g].trace), esc(e[1], c->groups[g].label));
		err = -EINVAL;
	}
	return err;
}

/* A summary or replay CSV names each row's configuration: a config column, or the registry's
 * configuration columns (vmlist, tlb, ...). Any other CSV (traces.csv, skipped.csv, a time
 * series) would compare nonsense. */
static bool names_configs(const struct csvtab *t)
{
	if (csvtab_col(t, "config") >= 0)
		return true;
	for (size_t c = 0; c < t->ncols; c++) {
		const struct metric *m = metric_find(t->head[c], METRIC_IN_ROWS);
		if (m && m->cls == METRIC_CONFIG && strcmp(t->head[c], "trace"))
			return true;
	}
	return false;
}

int compare_load(struct compare *out, const char *path, const struct compare_opts *o, struct mm_diag *d)
{
	memset(out, 0, sizeof(*out));
	int err = csvtab_read(path, &out->t, d);
	if (err)
		return err;
	if (!names_configs(&out->t)) {
		snprintf(d->msg, sizeof(d->msg),
			 "%s: not a summary or replay CSV (no config column, nor vmlist, tlb, buddy, ...): "
			 "compare reads a suite's DIR/summary.csv or `mmreplay replay --out`",
			 path);
		csvtab_free(&out->t);
		return -EINVAL;
	}
	struct cmp c = {.o = o, .t = &out->t};
	size_t n = out->t.nrows + 1;
	c.tcol = csvtab_col(&out->t, "trace");
	c.ccfg = csvtab_col(&out->t, "config");
	c.is_cfg = calloc(out->t.ncols + 1, sizeof(bool));
	c.is_metric = calloc(out->t.ncols + 1, sizeof(bool));
	c.is_host = calloc(out->t.ncols + 1, sizeof(bool));
	c.groups = calloc(n, sizeof(*c.groups));
	c.va = malloc(sizeof(double) * COMPARE_MAX_SAMPLES);
	c.vb = malloc(sizeof(double) * COMPARE_MAX_SAMPLES);
	c.rtrace = calloc(n, sizeof(*c.rtrace));
	c.rlabel = calloc(n, sizeof(*c.rlabel));
	c.rti = calloc(n, sizeof(*c.rti));
	err = c.is_cfg && c.is_metric && c.is_host && c.groups && c.va && c.vb && c.rtrace && c.rlabel &&
			      c.rti
		      ? compare_join_traces(&c, &out->mem[1])
		      : -ENOMEM;
	if (!err)
		err = compare_all(&c, out, d);
	if (err == -E2BIG)
		snprintf(d->msg, sizeof(d->msg),
			 "%s: more than %u differences to hold (about 1 GiB): choose fewer with --metric "
			 "or --config",
			 path, COMPARE_MAX_LINES);
	free(c.groups);
	free(c.grows);
	free(c.tg);
	free(c.tg_off);
	free(c.rtrace);
	free(c.rlabel);
	free(c.rti);
	free(c.is_cfg);
	free(c.is_metric);
	free(c.is_host);
	free(c.va);
	free(c.vb);
	if (err)
		compare_free(out);
	return err;
}

void compare_free(struct compare *c)
{
	for (size_t i = 0; c->tr && i < c->ntraces; i++)
		free(c->tr[i].lines);
	free(c->tr);
	for (size_t i = 0; i < MM_ARRAY_SIZE(c->mem); i++)
		free(c->mem[i]);
	csvtab_free(&c->t);
	memset(c, 0, sizeof(*c));
}

static int by_effect(const void *a, const void *b)
{
	const struct compare_line *x = *(const struct compare_line *const *)a,
				  *y = *(const struct compare_line *const *)b;
	if (x->effect != y->effect)
		return x->effect < y->effect ? 1 : -1;
	return x->col < y->col ? -1 : x->col > y->col;
}

size_t compare_short(const struct compare *c, size_t i, const struct compare_line **out)
{
	size_t n = 0;
	for (size_t l = 0; l < c->tr[i].nlines; l++)
		if (c->tr[i].lines[l].beyond_noise)
			out[n++] = &c->tr[i].lines[l];
	qsort(out, n, sizeof(*out), by_effect);
	return n;
}
