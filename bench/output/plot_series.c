/* Line graphs of series sets: a set's (x, y) pairs into a graph's data file, and the time
 * series of the configurations along one axis. Private to bench/output. */
#include <stdlib.h>

#include "bench/output/csv.h"
#include "bench/output/csvread.h"
#include "bench/output/plot.h"
#include "bench/output/suite_plots_priv.h"

/* The (x, y) column pairs of lines.gp, one pair per series; a shorter series leaves its fields
 * empty (gnuplot skips them). x[i], y[i]: nrow[i] values each. */
static void write_pairs(FILE *f, size_t n, const char *const *titles, double *const *x, double *const *y,
			const size_t *nrow)
{
	size_t rows = 0;
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%sx,", i ? "," : "");
		suite_plots_text(f, titles[i]);
		rows = nrow[i] > rows ? nrow[i] : rows;
	}
	fputc('\n', f);
	for (size_t r = 0; r < rows; r++) {
		for (size_t i = 0; i < n; i++)
			if (r < nrow[i])
				fprintf(f, "%s%.17g,%.17g", i ? "," : "", x[i][r], y[i][r]);
			else
				fprintf(f, "%s,", i ? "," : "");
		fputc('\n', f);
	}
}

void plot_series_free(struct series_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->x[i]);
		free(s->y[i]);
	}
	s->n = 0;
}

/* One series from table t: x = column 0, y = column ycol (rows that do not parse are left out). */
bool plot_series_add(struct series_set *s, const char *title, const struct csvtab *t, int ycol)
{
	double *x = malloc((t->nrows + 1) * sizeof(double)), *y = malloc((t->nrows + 1) * sizeof(double));
	size_t n = 0;
	if (!x || !y) {
		free(x);
		free(y);
		return false;
	}
	for (size_t r = 0; r < t->nrows; r++)
		if (csv_number(t->rows[r][0], &x[n]) && csv_number(t->rows[r][ycol], &y[n]))
			n++;
	s->title[s->n] = title;
	s->x[s->n] = x;
	s->y[s->n] = y;
	s->nrow[s->n++] = n;
	return true;
}

void plot_series_draw(struct plotctx *p, const char *name, struct series_set *s, struct plot_req *req)
{
	struct csv w;
	if (!s->n || !suite_plots_open(p, name, &w))
		return;
	write_pairs(w.f, s->n, s->title, s->x, s->y, s->nrow);
	req->script = "lines.gp";
	req->nseries = (int)s->n;
	suite_plots_draw(p, &w, name, req);
}

/* Lines over the time series of the rows picked by axis, y = column ycol of each file, the
 * final values in the key; a log y axis when they span two orders of magnitude or more. */
void plot_series_lines(struct plotctx *p, const char *tr, const char *axis, const char *ycol,
		       const char *name, const char *what, struct plot_req *req)
{
	size_t rows[MAX_SERIES];
	size_t n = plot_rows_pick(p, tr, axis, rows, MAX_SERIES);
	struct series_set s = {0};
	char title[600], note[300];
	for (size_t i = 0; i < n; i++) {
		struct csvtab t;
		if (suite_plots_ts_read(p, rows[i], &t))
			continue;
		int c = csvtab_col(&t, ycol);
		if (c >= 0) {
			plot_series_add(&s, plot_rows_text(p, rows[i], axis), &t, c);
		} else {
			fprintf(stderr, "mmreplay %s: a time series of %s has no column %s\n", p->cmd, tr,
				ycol);
			p->failures++;
		}
		csvtab_free(&t);
	}
	double hi, lo;
	plot_rows_final_in_key(&s, req->yscale > 0 ? req->yscale : 1, &hi, &lo);
	req->logy = lo > 0 && hi / lo >= 100;
	plot_rows_exhausted(p, rows, n, note, sizeof(note));
	if (!note[0] && s.n && plot_rows_flat(&s) && req->skip_flat) { /* nothing to show */
		plot_series_free(&s);
		return;
	}
	if (!note[0] && s.n && plot_rows_flat(&s))
		snprintf(note, sizeof(note), "flat: the value never changes in this replay");
	req->note = note[0] ? note : NULL;
	plot_rows_title(p, tr, what, true, title, sizeof(title));
	req->title = title;
	if (!req->xlabel)
		req->xlabel = "events replayed";
	plot_series_draw(p, name, &s, req);
	plot_series_free(&s);
}
