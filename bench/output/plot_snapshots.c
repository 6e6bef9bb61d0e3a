/* The kernel's buddyinfo snapshots against the model: graphs per trace of a suite whose run
 * compared snapshots (DIR/snapshots.csv), drawn by suite_plots.c's machinery: the order-9
 * unusable index, and THP availability (order-9 allocations the free blocks would serve). */
#include <stdint.h>
#include <string.h>

#include "bench/output/csv.h"
#include "core/mm_types.h"
#include "bench/output/plot.h"
#include "bench/output/suite_plots_priv.h"

/* The configurations of trace tr in the per-snapshot rows of zone (first-seen order),
 * and the index of the first such row. */
static size_t snap_configs(const struct csvtab *t, const int *c, const char *tr, const char *zone,
			   const char **cfg, size_t max, size_t *first)
{
	size_t n = 0;
	*first = SIZE_MAX;
	for (size_t r = 0; r < t->nrows; r++) {
		if (strcmp(t->rows[r][c[0]], tr) || strcmp(t->rows[r][c[3]], zone))
			continue;
		*first = MM_MIN(*first, r);
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen |= !strcmp(cfg[i], t->rows[r][c[1]]);
		if (!seen && n < max)
			cfg[n++] = t->rows[r][c[1]];
	}
	return n;
}

/* What one snapshot graph draws: the kernel's and the model's columns of DIR/snapshots.csv. */
struct snap_graph {
	const char *prefix, *kernel, *model, *what, *ylabel;
	double yscale;
	int key;
};

/* The kernel's figure at each buddyinfo snapshot (DIR/snapshots.csv, the highest zone) with
 * each configuration's model over it; a configuration whose zone was exhausted at a snapshot
 * has no figure there but a mark in the last series. */
static void plot_snap_graph(struct plotctx *p, const char *tr, const struct snap_graph *g)
{
	const char *const cols[] = {"trace", "config", "t_s", "zone", g->kernel, g->model, "exhausted"};
	static const char *const zones[] = {"Normal", "DMA32", "DMA"};
	const struct csvtab *t = p->snaps;
	int c[7];
	for (int i = 0; i < 7; i++)
		if (!t || (c[i] = csvtab_col(t, cols[i])) < 0)
			return;
	const char *cfg[MAX_SERIES - 2], *zone = NULL;
	size_t first = 0, n = 0;
	for (size_t z = 0; z < 3 && !n; z++) /* the highest zone the snapshots have */
		if ((n = snap_configs(t, c, tr, zones[z], cfg, MAX_SERIES - 2, &first)))
			zone = zones[z];
	struct csv w;
	char name[512], title[512];
	bool any_exh = false;
	for (size_t r = first; n && r < t->nrows; r++)
		any_exh |= !strcmp(t->rows[r][c[0]], tr) && !strcmp(t->rows[r][c[6]], "1");
	snprintf(name, sizeof(name), "%s_%s", g->prefix, tr);
	if (!n || !suite_plots_open(p, name, &w))
		return;
	fprintf(w.f, "x,kernel");
	for (size_t i = 0; i < n; i++) {
		fprintf(w.f, ",x,");
		suite_plots_text(w.f, cfg[i]);
	}
	fprintf(w.f, ",x,%s\n", any_exh ? "model ran out of memory" : ""); /* "": no key entry */
	for (size_t r = first; r < t->nrows; r++) { /* a line per snapshot of the first configuration */
		char *const *row = t->rows[r];
		if (strcmp(row[c[0]], tr) || strcmp(row[c[3]], zone) || strcmp(row[c[1]], cfg[0]))
			continue;
		double v;
		bool exh = false;
		fprintf(w.f, "%s,%s", row[c[2]], csv_number(row[c[4]], &v) ? row[c[4]] : "");
		for (size_t i = 0; i < n; i++) {
			const char *m = "";
			for (size_t q = first; q < t->nrows; q++)
				if (!strcmp(t->rows[q][c[0]], tr) && !strcmp(t->rows[q][c[3]], zone) &&
				    !strcmp(t->rows[q][c[1]], cfg[i]) &&
				    !strcmp(t->rows[q][c[2]], row[c[2]])) {
					m = csv_number(t->rows[q][c[5]], &v) ? t->rows[q][c[5]] : "";
					exh |= !strcmp(t->rows[q][c[6]], "1");
					break;
				}
			fprintf(w.f, ",%s,%s", row[c[2]], m);
		}
		fprintf(w.f, ",%s,%s\n", row[c[2]], exh && csv_number(row[c[4]], &v) ? row[c[4]] : "");
	}
	snprintf(title, sizeof(title), "%s: %s zone, %s: the kernel (buddyinfo) and the model", tr, zone,
		 g->what);
	struct plot_req req = {.script = "snapshots.gp",
			       .nseries = (int)n + 2,
			       .yscale = g->yscale,
			       .title = title,
			       .xlabel = "seconds on the trace's clock",
			       .ylabel = g->ylabel,
			       .key = g->key};
	suite_plots_draw(p, &w, name, &req);
}

void plot_snapshots(struct plotctx *p, const char *tr)
{
	static const struct snap_graph g = {"snapshots",
					    "ufi9_kernel",
					    "ufi9_model",
					    "order-9 unusable index",
					    "unusable free space index, order 9",
					    1000.0,
					    PLOT_KEY_BOTTOM_LEFT};
	plot_snap_graph(p, tr, &g);
}

/* THP availability: order-9 allocations the free blocks would serve, per configuration. */
void plot_thp(struct plotctx *p, const char *tr)
{
	static const struct snap_graph g = {
		"thp",
		"thp_kernel",
		"thp_model",
		"THP availability (order-9 allocations the free blocks would serve)",
		"order-9 allocations",
		1.0,
		PLOT_KEY_BOTTOM_LEFT};
	plot_snap_graph(p, tr, &g);
}
