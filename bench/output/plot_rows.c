/* The rows a graph draws and what its title and key say (suite_plots_priv.h): the reference
 * configuration of a trace, one row per value of an axis with the others held there. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine/settings.h"
#include "bench/output/suite_plots_priv.h"

double plot_rows_field(const struct plotctx *p, size_t row, const char *col)
{
	int c = csvtab_col(p->sum, col);
	double v = 0;
	if (c >= 0)
		csv_number(p->sum->rows[row][c], &v);
	return v;
}

const char *plot_rows_text(const struct plotctx *p, size_t row, const char *col)
{
	int c = csvtab_col(p->sum, col);
	return c >= 0 ? p->sum->rows[row][c] : "";
}

/* The configuration columns that name a setting: rows of a trace differ in these. */
static bool plot_rows_setting(const char *name)
{
	return settings_find(name) != NULL && strcmp(name, "ncpus");
}

/* The trace's reference row: the one running the most settings at their defaults (what a
 * graph holds fixed while one axis varies). */
size_t plot_rows_ref(const struct plotctx *p, const char *tr)
{
	size_t best = 0;
	int best_score = -1;
	for (size_t r = 0; r < p->sum->nrows; r++) {
		int score = 0;
		if (strcmp(p->sum->rows[r][p->c_trace], tr))
			continue;
		for (size_t c = 0; c < p->sum->ncols; c++) {
			const struct setting *st =
				plot_rows_setting(p->sum->head[c]) ? settings_find(p->sum->head[c]) : NULL;
			score += st && !strcmp(st->def, p->sum->rows[r][c]);
		}
		if (score > best_score)
			best_score = score, best = r;
	}
	return best;
}

/* Rows of trace tr, one per value of `axis`, every other setting as in the reference row. */
size_t plot_rows_pick(const struct plotctx *p, const char *tr, const char *axis, size_t *rows, size_t max)
{
	size_t n = 0, ref = plot_rows_ref(p, tr);
	int c = csvtab_col(p->sum, axis);
	for (size_t r = 0; r < p->sum->nrows && n < max; r++) {
		bool ok = !strcmp(p->sum->rows[r][p->c_trace], tr);
		for (size_t k = 0; ok && k < p->sum->ncols; k++)
			if ((int)k != c && plot_rows_setting(p->sum->head[k]))
				ok = !strcmp(p->sum->rows[r][k], p->sum->rows[ref][k]);
		for (size_t k = 0; ok && k < n && c >= 0; k++)
			ok = strcmp(p->sum->rows[rows[k]][c], p->sum->rows[r][c]);
		if (ok && (c >= 0 || !n))
			rows[n++] = r;
	}
	return n;
}

/* "k_threads2.perf: WHAT (held: augmented/lazy/lifo; lower is better)" */
void plot_rows_title(const struct plotctx *p, const char *tr, const char *what, bool lower_better, char *buf,
		     size_t len)
{
	size_t n = 0;
	for (size_t r = 0; r < p->sum->nrows; r++)
		n += !strcmp(p->sum->rows[r][p->c_trace], tr);
	/* two lines: what is drawn, then what is held and which way is better */
	snprintf(buf, len, "%s: %s\n%s%s%s%s", tr, what, n > 1 ? "others held at " : "",
		 n > 1 ? p->sum->rows[plot_rows_ref(p, tr)][p->c_config] : "",
		 n > 1 && lower_better ? "; " : "", lower_better ? "lower is better" : "");
}

/* A note for a graph whose configurations ran out of memory. */
void plot_rows_exhausted(const struct plotctx *p, const size_t *rows, size_t n, char *buf, size_t len)
{
	double most = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++)
		most = plot_rows_field(p, rows[i], "alloc_failures") > most
			       ? plot_rows_field(p, rows[i], "alloc_failures")
			       : most;
	if (most > 0)
		snprintf(buf, len,
			 "model memory exhausted: up to %.0f allocations failed; later values are not the "
			 "kernel's",
			 most);
}

/* Each series' final value in its title ("lazy: 3"), so a line lying on the axis still says
 * what it is; the largest and smallest positive final values into *hi, *lo. */
void plot_rows_final_in_key(struct series_set *s, double scale, double *hi, double *lo)
{
	*hi = 0, *lo = 0;
	for (size_t i = 0; i < s->n; i++) {
		double v = s->nrow[i] ? s->y[i][s->nrow[i] - 1] / scale : 0;
		if (scale == 1 && v == (double)(long long)v)
			snprintf(s->own[i], sizeof(s->own[i]), "%s: %lld", s->title[i], (long long)v);
		else
			snprintf(s->own[i], sizeof(s->own[i]), "%s: %.3f", s->title[i], v);
		s->title[i] = s->own[i];
		if (v > 0) {
			*hi = v > *hi ? v : *hi;
			*lo = !*lo || v < *lo ? v : *lo;
		}
	}
}

/* Whether every value of every series is the same (a flat, empty graph). */
bool plot_rows_flat(const struct series_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		for (size_t r = 0; r < s->nrow[i]; r++)
			if (s->y[i][r] != s->y[0][0])
				return false;
	return true;
}

/* vmlist work per operation against live areas, from interval differences of a time series:
 * visits per op into v, host ns per op into h (x = live areas, shared). Points a log-log graph
 * can show are counted into pos_v and pos_n. */
int plot_rows_vmlist(const struct csvtab *t, struct series_set *v, struct series_set *h, const char *title,
		     size_t *pos_v, size_t *pos_n)
{
	int cl = csvtab_col(t, "vmap_live"), co = csvtab_col(t, "vmap_ops"),
	    cv = csvtab_col(t, "vmlist_visits"), cn = csvtab_col(t, "host_vmap_ns");
	if (cl < 0 || co < 0 || cv < 0 || cn < 0)
		return -EINVAL;
	size_t m = t->nrows;
	double *x = malloc((m + 1) * sizeof(double)), *yv = malloc((m + 1) * sizeof(double)),
	       *x2 = malloc((m + 1) * sizeof(double)), *yn = malloc((m + 1) * sizeof(double));
	if (!x || !yv || !x2 || !yn) {
		free(x), free(yv), free(x2), free(yn);
		return -ENOMEM;
	}
	size_t n = 0;
	for (size_t r = 1; r < m; r++) {
		double l = 0, o0 = 0, o1 = 0, v0 = 0, v1 = 0, n0 = 0, n1 = 0;
		csv_number(t->rows[r][cl], &l);
		csv_number(t->rows[r - 1][co], &o0);
		csv_number(t->rows[r][co], &o1);
		csv_number(t->rows[r - 1][cv], &v0);
		csv_number(t->rows[r][cv], &v1);
		csv_number(t->rows[r - 1][cn], &n0);
		csv_number(t->rows[r][cn], &n1);
		if (o1 > o0 && l > 0) {
			x[n] = x2[n] = l;
			yv[n] = (v1 - v0) / (o1 - o0);
			yn[n] = (n1 - n0) / (o1 - o0);
			*pos_v += v1 > v0;
			*pos_n += n1 > n0;
			n++;
		}
	}
	v->title[v->n] = h->title[h->n] = title;
	v->x[v->n] = x, v->y[v->n] = yv, v->nrow[v->n++] = n;
	h->x[h->n] = x2, h->y[h->n] = yn, h->nrow[h->n++] = n;
	return 0;
}
