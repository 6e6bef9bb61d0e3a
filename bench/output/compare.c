#include "bench/output/compare.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/output/metrics.h"
#include "bench/host/welch.h"

#define COMPARE_MAX_SAMPLES 4096

#define LABEL_MAX 512

struct group {
	const char *trace;
	char *label;  /* LABEL_MAX bytes of the compare's label store */
	size_t *rows; /* row indices of this (trace, config) */
	size_t n;
};

struct cmp {
	const struct compare_opts *o;
	const struct csvtab *t;
	int tcol, ccfg;
	const char **rtrace; /* per row: its trace, told apart by trace_id (row_traces) */
	bool *is_cfg, *is_metric, *is_host;
	struct group *groups;
	size_t ngroups;
	double *va, *vb;
	char *labels; /* LABEL_MAX per group, owned by struct compare */
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

/* A field's numbers: one, or a ';'-separated list (a suite's per-repeat host timings). How many
 * were stored at out (at most max); -1 when the field is not numeric. */
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

static size_t values(const struct cmp *c, const struct group *g, size_t col, double *out)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n && n < COMPARE_MAX_SAMPLES; i++) {
		int k = field_numbers(c->t->rows[g->rows[i]][col], out + n, COMPARE_MAX_SAMPLES - n);
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
	for (size_t col = 0; col < c->t->ncols; col++) {
		const char *h = c->t->head[col];
		const struct metric *m = metric_find(h, METRIC_IN_ROWS);
		bool numeric = c->t->nrows > 0;
		for (size_t r = 0; r < c->t->nrows && numeric; r++)
			numeric = field_numbers(c->t->rows[r][col], c->va, COMPARE_MAX_SAMPLES) >= 0;
		bool cfg = m ? m->cls == METRIC_CONFIG : !numeric;
		if ((int)col == c->tcol || !strcmp(h, "repeat") || !strcmp(h, "seed") ||
		    !strcmp(h, "trace_id"))
			continue;
		/* min/median/max beside a per-repeat list: the list carries the samples */
		if (numeric && (ends_with(h, "_min") || ends_with(h, "_median") || ends_with(h, "_max"))) {
			char sib[256];
			snprintf(sib, sizeof(sib), "%.*s_all", (int)(strrchr(h, '_') - h), h);
			if (csvtab_col(c->t, sib) >= 0)
				continue;
		}
		c->is_cfg[col] = cfg;
		c->is_metric[col] = !cfg && numeric;
		c->is_host[col] = m ? m->cls == METRIC_HOST : !strncmp(h, "host_", 5);
	}
}

static bool varies_in_a_trace(const struct cmp *c, size_t col)
{
	for (size_t r = 0; r < c->t->nrows; r++)
		for (size_t k = 0; k < r; k++)
			if (!strcmp(c->rtrace[r], c->rtrace[k]) &&
			    strcmp(c->t->rows[r][col], c->t->rows[k][col]))
				return true;
	return false;
}

/* Row r's label: its config column, or (an older CSV) the configuration columns that vary. */
static void row_label(const struct cmp *c, size_t r, const bool *varies, bool any, char *label, size_t len)
{
	label[0] = 0;
	if (c->ccfg >= 0) {
		snprintf(label, len, "%s", c->t->rows[r][c->ccfg]);
		return;
	}
	for (size_t col = 0; col < c->t->ncols; col++)
		if (c->is_cfg[col] && (varies[col] || !any)) {
			if (label[0])
				strncat(label, "/", len - strlen(label) - 1);
			strncat(label, c->t->rows[r][col], len - strlen(label) - 1);
		}
}

/* Each row's trace: its trace column, and where rows of one label come from different traces
 * (their trace_id differs: CSVs of separate runs joined), the label with the id's first 8 hex
 * digits ("t.zst#1c050dea"), so two traces are never averaged as one. */
static int row_traces(struct cmp *c, char **store)
{
	int icol = csvtab_col(c->t, "trace_id");
	size_t n = c->t->nrows;
	*store = malloc((n + 1) * LABEL_MAX);
	if (!*store)
		return -ENOMEM;
	for (size_t r = 0; r < n; r++) {
		const char *tr = c->tcol >= 0 ? c->t->rows[r][c->tcol] : "";
		bool mixed = false;
		for (size_t k = 0; icol >= 0 && k < n && !mixed; k++)
			mixed = !strcmp(c->tcol >= 0 ? c->t->rows[k][c->tcol] : "", tr) &&
				strcmp(c->t->rows[k][icol], c->t->rows[r][icol]);
		c->rtrace[r] = tr;
		if (mixed) {
			snprintf(*store + r * LABEL_MAX, LABEL_MAX, "%.400s#%.8s", tr, c->t->rows[r][icol]);
			c->rtrace[r] = *store + r * LABEL_MAX;
		}
	}
	return 0;
}

static int build_groups(struct cmp *c)
{
	bool *varies = calloc(c->t->ncols + 1, sizeof(bool)), any = false;
	if (!varies)
		return -ENOMEM;
	for (size_t col = 0; col < c->t->ncols; col++)
		any |= varies[col] = c->is_cfg[col] && (int)col != c->ccfg && varies_in_a_trace(c, col);
	for (size_t r = 0; r < c->t->nrows; r++) {
		char label[512];
		row_label(c, r, varies, any, label, sizeof(label));
		const char *tr = c->rtrace[r];
		size_t g;
		for (g = 0; g < c->ngroups; g++)
			if (!strcmp(c->groups[g].trace, tr) && !strcmp(c->groups[g].label, label))
				break;
		if (g == c->ngroups) {
			c->groups[g].trace = tr;
			c->groups[g].label = c->labels + g * LABEL_MAX;
			snprintf(c->groups[g].label, LABEL_MAX, "%s", label);
			if (!(c->groups[g].rows = malloc(sizeof(size_t) * c->t->nrows))) {
				free(varies);
				return -ENOMEM;
			}
			c->ngroups++;
		}
		c->groups[g].rows[c->groups[g].n++] = r;
	}
	free(varies);
	return 0;
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

/* One '/'-item of a pattern against group g: a label item, or AXIS=VALUE against the column. */
static bool item_match(const struct cmp *c, const struct group *g, const char *item)
{
	char lab[512];
	snprintf(lab, sizeof(lab), "%s", g->label);
	for (char *save = NULL, *x = strtok_r(lab, "/", &save); x; x = strtok_r(NULL, "/", &save))
		if (!fnmatch(item, x, 0))
			return true;
	const char *eq = strchr(item, '=');
	if (!eq)
		return false;
	char name[128];
	snprintf(name, sizeof(name), "%.*s", (int)(eq - item), item);
	int col = csvtab_col(c->t, name);
	return col >= 0 && !fnmatch(eq + 1, c->t->rows[g->rows[0]][col], 0);
}

/* A configuration pattern: the whole label (a glob), or every '/'-item matching. */
static bool pattern_match(const struct cmp *c, const struct group *g, const char *pat)
{
	char buf[512];
	if (!fnmatch(pat, g->label, 0))
		return true;
	snprintf(buf, sizeof(buf), "%s", pat);
	for (char *save = NULL, *x = strtok_r(buf, "/", &save); x; x = strtok_r(NULL, "/", &save))
		if (!item_match(c, g, x))
			return false;
	return true;
}

static bool config_wanted(const struct cmp *c, const struct group *g)
{
	char buf[1024];
	if (!c->o->config)
		return true;
	snprintf(buf, sizeof(buf), "%s", c->o->config);
	for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (pattern_match(c, g, p))
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

/* Trace g0's baseline: the group matching o->baseline, or its first. -EINVAL when several
 * match (d lists them). */
static int pick_base(const struct cmp *c, size_t g0, size_t *base, bool *matched, struct mm_diag *d)
{
	size_t n = 0;
	*base = g0;
	*matched = false;
	for (size_t g = g0; g < c->ngroups && c->o->baseline; g++)
		if (!strcmp(c->groups[g].trace, c->groups[g0].trace) &&
		    pattern_match(c, &c->groups[g], c->o->baseline)) {
			if (n++ == 0)
				*base = g;
			else if (n == 2)
				snprintf(d->msg, sizeof(d->msg),
					 "--baseline %s matches several configurations of %s: %s, %s ... "
					 "(name "
					 "more of the label)",
					 c->o->baseline, c->groups[g0].trace, c->groups[*base].label,
					 c->groups[g].label);
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

/* Every differing (configuration, metric) of the trace whose first group is g0. */
static int compare_one(struct cmp *c, size_t g0, size_t base, struct compare_trace *out)
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
		double bmed = median(c->vb, nb);
		for (size_t g = g0; g < c->ngroups; g++) {
			const struct group *gr = &c->groups[g];
			if (g == base || strcmp(gr->trace, c->groups[g0].trace) || !config_wanted(c, gr))
				continue;
			size_t na = values(c, gr, col, c->va);
			if (!na || median(c->va, na) == bmed)
				continue;
			if (n == cap) {
				struct compare_line *m = realloc(lines, 2 * cap * sizeof(*lines));
				if (!m) {
					free(lines);
					return -ENOMEM;
				}
				lines = m, cap *= 2;
			}
			nb = values(c, &c->groups[base], col, c->vb); /* median() sorted it */
			fill_line(c, gr, col, bmed, nb, &lines[n++]);
		}
	}
	out->trace = c->groups[g0].trace;
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
	classify(c);
	int err = build_groups(c);
	bool any = !c->o->baseline;
	if (err)
		return err;
	out->tr = calloc(c->ngroups + 1, sizeof(*out->tr));
	if (!out->tr)
		return -ENOMEM;
	for (size_t g0 = 0; g0 < c->ngroups && !err; g0++) {
		size_t base;
		bool first = true, matched;
		for (size_t k = 0; k < g0; k++)
			first &= strcmp(c->groups[k].trace, c->groups[g0].trace) != 0;
		if (!first)
			continue;
		if ((err = pick_base(c, g0, &base, &matched, d)))
			break;
		any |= matched;
		out->tr[out->ntraces].matched = matched;
		err = compare_one(c, g0, base, &out->tr[out->ntraces]);
		out->ntraces += !err;
	}
	if (!err)
		err = correct(out, c->o);
	if (!err && !any) {
		size_t n = (size_t)snprintf(
			d->msg, sizeof(d->msg),
			"no configuration matches --baseline %s; configurations are:", c->o->baseline);
		for (size_t g = 0; g < c->ngroups && n < sizeof(d->msg); g++)
			n += (size_t)snprintf(d->msg + n, sizeof(d->msg) - n, "\n  %s %s", c->groups[g].trace,
					      c->groups[g].label);
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
	c.tcol = csvtab_col(&out->t, "trace");
	c.ccfg = csvtab_col(&out->t, "config");
	c.is_cfg = calloc(out->t.ncols + 1, sizeof(bool));
	c.is_metric = calloc(out->t.ncols + 1, sizeof(bool));
	c.is_host = calloc(out->t.ncols + 1, sizeof(bool));
	c.groups = calloc(out->t.nrows + 1, sizeof(*c.groups));
	c.va = malloc(sizeof(double) * COMPARE_MAX_SAMPLES);
	c.vb = malloc(sizeof(double) * COMPARE_MAX_SAMPLES);
	c.labels = out->mem[0] = malloc((out->t.nrows + 1) * LABEL_MAX);
	c.rtrace = calloc(out->t.nrows + 1, sizeof(*c.rtrace));
	err = c.labels && c.is_cfg && c.is_metric && c.is_host && c.groups && c.va && c.vb && c.rtrace
		      ? row_traces(&c, &out->mem[1])
		      : -ENOMEM;
	if (!err)
		err = compare_all(&c, out, d);
	for (size_t g = 0; g < c.ngroups; g++)
		free(c.groups[g].rows);
	free(c.groups);
	free(c.rtrace);
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
