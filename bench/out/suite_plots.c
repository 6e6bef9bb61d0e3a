#include "suite_plots.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "csvread.h"
#include "plot.h"

/* Every column the graphs read: a test checks them against the metrics registry, and a results
 * directory missing one is an error, not an empty graph. */
const char *const suite_plot_summary_columns[] = {"trace",
						  "config",
						  "buddy",
						  "tlb",
						  "vmlist",
						  "levels",
						  "vmap_allocs",
						  "vmap_frees",
						  "vmalloc_tlb_flushes",
						  "walk_l0",
						  "walk_l1",
						  "walk_l2",
						  "walk_l3",
						  "walk_l4",
						  "host_ns_per_event_median",
						  "host_ns_per_event_min",
						  "host_ns_per_event_max",
						  NULL};
const char *const suite_plot_series_columns[] = {"ufi9",	  "tlb_flushes",  "vmap_live", "vmap_ops",
						 "vmlist_visits", "host_vmap_ns", NULL};

struct plotctx {
	const char *dir;
	FILE *log;
	FILE *manifest;	   /* plots/graphs.csv: trace,file,note per graph drawn (the report page) */
	const char *trace; /* the trace being drawn */
	const struct csvtab *sum;
	int c_trace, c_config;
	int failures, drawn;
};

static double field(const struct plotctx *p, size_t row, const char *col)
{
	int c = csvtab_col(p->sum, col);
	double v = 0;
	if (c >= 0)
		csv_number(p->sum->rows[row][c], &v);
	return v;
}

static const char *sfield(const struct plotctx *p, size_t row, const char *col)
{
	int c = csvtab_col(p->sum, col);
	return c >= 0 ? p->sum->rows[row][c] : "";
}

static void ts_path(const struct plotctx *p, size_t row, char *buf, size_t len)
{
	char slug[512];
	snprintf(slug, sizeof(slug), "%s", p->sum->rows[row][p->c_config]);
	for (char *c = slug; *c; c++)
		if (*c == '/')
			*c = '_';
	snprintf(buf, len, "%s/timeseries/%s__%s.csv", p->dir, p->sum->rows[row][p->c_trace], slug);
}

/* 1-based index of column name in a CSV file's header, or 0. */
static int header_col(const char *path, const char *name)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int idx = 0;
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		int i = 1;
		for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save), i++)
			if (!strcmp(tok, name)) {
				idx = i;
				break;
			}
	}
	fclose(f);
	return idx;
}

/* Rows of trace tr whose `axis` value is the first seen for that value (one per variant). */
static size_t pick(const struct plotctx *p, const char *tr, const char *axis, size_t *rows, size_t max)
{
	size_t n = 0;
	int c = csvtab_col(p->sum, axis);
	for (size_t r = 0; r < p->sum->nrows && n < max; r++) {
		if (strcmp(p->sum->rows[r][p->c_trace], tr))
			continue;
		bool seen = false;
		for (size_t k = 0; k < n && c >= 0; k++)
			seen |= !strcmp(p->sum->rows[rows[k]][c], p->sum->rows[r][c]);
		if (c < 0 && n)
			seen = true;
		if (!seen)
			rows[n++] = r;
	}
	return n;
}

static void draw(struct plotctx *p, const char *script, const char *data, const char *name, const char *extra)
{
	char out[4200], log[4200];
	snprintf(out, sizeof(out), "%s/%s", p->dir, name);
	snprintf(log, sizeof(log), "%s/plots/gnuplot.log", p->dir);
	if (plot_run(script, data, out, extra, log)) {
		fprintf(p->log, "mmreplay: gnuplot failed drawing %s.png (is gnuplot installed? see %s)\n",
			out, log);
		p->failures++;
		return;
	}
	fprintf(p->log, "  %s.png (and .svg)\n", out);
	p->drawn++;
	if (p->manifest)
		fprintf(p->manifest, "%s,%s.svg,\n", p->trace, name);
}

/* Lines over the time series of the rows picked by axis, y = column ycol of each file. */
static void plot_series(struct plotctx *p, const char *tr, const char *axis, const char *ycol,
			const char *name, const char *what, const char *extra)
{
	size_t rows[32];
	size_t n = pick(p, tr, axis, rows, 32);
	char files[16384] = "", titles[2048] = "", path[4096], e[20000];
	int col = 0;
	for (size_t i = 0; i < n; i++) {
		ts_path(p, rows[i], path, sizeof(path));
		if (!col)
			col = header_col(path, ycol);
		size_t fl = strlen(files), tl = strlen(titles);
		snprintf(files + fl, sizeof(files) - fl, "%s%s", i ? " " : "", path);
		snprintf(titles + tl, sizeof(titles) - tl, "%s%s", i ? " " : "", sfield(p, rows[i], axis));
	}
	if (n && !col) {
		fprintf(p->log, "mmreplay: %s has no column %s\n", path, ycol);
		p->failures++;
	}
	if (!n || !col)
		return;
	snprintf(e, sizeof(e), "files='%s'; titles='%s'; xcol=1; ycol=%d; title='%s: %s'; %s", files, titles,
		 col, tr, what, extra);
	draw(p, "lines.gp", "", name, e);
}

/* vmlist work per operation against live areas, from interval differences of the series. */
static void plot_vmlist(struct plotctx *p, const char *tr)
{
	size_t rows[16];
	size_t n = pick(p, tr, "vmlist", rows, 16);
	char vfiles[8192] = "", titles[1024] = "", e[12000];
	size_t drawn = 0, pos_v = 0, pos_n = 0; /* points a log-log graph can show */
	for (size_t i = 0; i < n; i++) {
		char path[4096], out[4200];
		if (field(p, rows[i], "vmap_allocs") == 0)
			continue;
		ts_path(p, rows[i], path, sizeof(path));
		struct csvtab t;
		struct mm_diag d;
		if (csvtab_read(path, &t, &d))
			continue;
		int cl = csvtab_col(&t, "vmap_live"), co = csvtab_col(&t, "vmap_ops"),
		    cv = csvtab_col(&t, "vmlist_visits"), cn = csvtab_col(&t, "host_vmap_ns");
		snprintf(out, sizeof(out), "%s/plots/vmlist_%s_%s.csv", p->dir, tr,
			 sfield(p, rows[i], "vmlist"));
		struct csv w;
		if (cl < 0 || co < 0 || cv < 0 || cn < 0 || csv_open(&w, out)) {
			if (cl < 0 || co < 0 || cv < 0 || cn < 0) {
				fprintf(p->log, "mmreplay: %s lacks a vmlist column\n", path);
				p->failures++;
			}
			csvtab_free(&t);
			continue;
		}
		fprintf(w.f, "live_areas,visits_per_op,host_ns_per_op\n");
		for (size_t r = 1; r < t.nrows; r++) {
			double l, o0, o1, v0, v1, n0, n1;
			csv_number(t.rows[r][cl], &l);
			csv_number(t.rows[r - 1][co], &o0);
			csv_number(t.rows[r][co], &o1);
			csv_number(t.rows[r - 1][cv], &v0);
			csv_number(t.rows[r][cv], &v1);
			csv_number(t.rows[r - 1][cn], &n0);
			csv_number(t.rows[r][cn], &n1);
			if (o1 > o0 && l > 0) {
				fprintf(w.f, "%.0f,%.3f,%.1f\n", l, (v1 - v0) / (o1 - o0),
					(n1 - n0) / (o1 - o0));
				pos_v += v1 > v0;
				pos_n += n1 > n0;
			}
		}
		csvtab_free(&t);
		if (csv_commit(&w))
			continue;
		size_t fl = strlen(vfiles), tl = strlen(titles);
		snprintf(vfiles + fl, sizeof(vfiles) - fl, "%s%s", drawn ? " " : "", out);
		snprintf(titles + tl, sizeof(titles) - tl, "%s%s", drawn ? " " : "",
			 sfield(p, rows[i], "vmlist"));
		drawn++;
	}
	if (!drawn)
		return;
	char name[512];
	if (pos_v) {
		snprintf(e, sizeof(e),
			 "files='%s'; titles='%s'; xcol=1; ycol=2; logx=1; logy=1; key='top left'; "
			 "style='points'; "
			 "xlabel='live vmap areas'; ylabel='vmlist nodes visited per vmalloc/vfree'; "
			 "title='%s: vmlist work per operation against live areas'",
			 vfiles, titles, tr);
		snprintf(name, sizeof(name), "vmlist_visits_%s", tr);
		draw(p, "lines.gp", "", name, e);
	}
	if (!pos_n)
		return;
	snprintf(e, sizeof(e),
		 "files='%s'; titles='%s'; xcol=1; ycol=3; logx=1; logy=1; key='top left'; style='points'; "
		 "xlabel='live vmap areas'; ylabel='host ns per vmalloc/vfree (incl. pages, tables)'; "
		 "title='%s: host time per vmap operation against live areas'",
		 vfiles, titles, tr);
	snprintf(name, sizeof(name), "vmlist_ns_%s", tr);
	draw(p, "lines.gp", "", name, e);
}

/* Page-table entries visited per operation and level, one bar per levels configuration. */
static void plot_walk(struct plotctx *p, const char *tr)
{
	size_t rows[8];
	size_t n = pick(p, tr, "levels", rows, 8);
	char out[4200], name[512];
	double ops[8];
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		ops[i] = field(p, rows[i], "vmap_allocs") + field(p, rows[i], "vmap_frees");
		used += ops[i] > 0;
	}
	if (!used)
		return;
	snprintf(out, sizeof(out), "%s/plots/walk_%s.csv", p->dir, tr);
	struct csv w;
	if (csv_open(&w, out))
		return;
	fprintf(w.f, "level");
	for (size_t i = 0; i < n; i++)
		if (ops[i] > 0)
			fprintf(w.f, ",%s levels", sfield(p, rows[i], "levels"));
	fputc('\n', w.f);
	static const char *const lv[] = {"walk_l0", "walk_l1", "walk_l2", "walk_l3", "walk_l4"};
	static const char *const ln[] = {"top (PGD)", "2", "3", "4", "5"};
	for (int l = 0; l < 5; l++) {
		fprintf(w.f, "%s", ln[l]);
		for (size_t i = 0; i < n; i++)
			if (ops[i] > 0)
				fprintf(w.f, ",%.3f", field(p, rows[i], lv[l]) / ops[i]);
		fputc('\n', w.f);
	}
	if (csv_commit(&w))
		return;
	char e[1024];
	snprintf(e, sizeof(e),
		 "xlabel='page-table level, from the top'; ylabel='entries visited per vmalloc/vfree'; "
		 "title='%s: page-table walk per operation and level'",
		 tr);
	snprintf(name, sizeof(name), "walk_%s", tr);
	draw(p, "bars.gp", out, name, e);
}

static void plot_host(struct plotctx *p, const char *tr)
{
	char out[4200], name[512], e[1024];
	snprintf(out, sizeof(out), "%s/plots/host_%s.csv", p->dir, tr);
	struct csv w;
	if (csv_open(&w, out))
		return;
	fprintf(w.f, "config,median,min,max\n");
	for (size_t r = 0; r < p->sum->nrows; r++)
		if (!strcmp(p->sum->rows[r][p->c_trace], tr))
			fprintf(w.f, "%s,%s,%s,%s\n", p->sum->rows[r][p->c_config],
				sfield(p, r, "host_ns_per_event_median"),
				sfield(p, r, "host_ns_per_event_min"), sfield(p, r, "host_ns_per_event_max"));
	if (csv_commit(&w))
		return;
	snprintf(e, sizeof(e), "title='%s: host time per event per configuration'", tr);
	snprintf(name, sizeof(name), "host_%s", tr);
	draw(p, "host.gp", out, name, e);
}

/* The unusable free space index at order 9 over the replay, per buddy policy. */
static void plot_frag(struct plotctx *p, const char *tr)
{
	char name[512];
	snprintf(name, sizeof(name), "frag_%s", tr);
	plot_series(p, tr, "buddy", "ufi9", name,
		    "unusable free space index at order 9 (2 MiB), per buddy policy",
		    "yscale=1000.0; ylabel='unusable free space index, order 9'");
}

/* TLB flushes over the replay, per TLB policy, when the trace flushed at all. */
static void plot_tlb(struct plotctx *p, const char *tr)
{
	char name[512];
	bool flushes = false;
	snprintf(name, sizeof(name), "tlb_%s", tr);
	for (size_t k = 0; k < p->sum->nrows; k++)
		if (!strcmp(p->sum->rows[k][p->c_trace], tr))
			flushes |= field(p, k, "vmalloc_tlb_flushes") > 0;
	if (flushes)
		plot_series(p, tr, "tlb", "tlb_flushes", name, "TLB flushes so far, per policy",
			    "ylabel='TLB flushes (cumulative)'");
}

/* The graphs drawn per trace, in order: one line each (their columns are listed above). */
static const struct suite_graph {
	const char *name;
	void (*draw)(struct plotctx *p, const char *tr);
} suite_graphs[] = {
	{"frag", plot_frag}, {"tlb", plot_tlb},	  {"vmlist", plot_vmlist},
	{"walk", plot_walk}, {"host", plot_host}, {NULL, NULL},
};

int suite_plots(const char *dir, FILE *log)
{
	char path[4096];
	struct csvtab sum;
	struct mm_diag d;
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	if (csvtab_read(path, &sum, &d)) {
		fprintf(log, "mmreplay: %s\n", d.msg);
		return -EINVAL;
	}
	struct plotctx p = {dir, log, NULL, NULL, &sum, csvtab_col(&sum, "trace"), csvtab_col(&sum, "config"), 0, 0};
	if (p.c_trace < 0 || p.c_config < 0) {
		fprintf(log, "mmreplay: %s: not a suite summary (no trace and config columns)\n", path);
		csvtab_free(&sum);
		return -EINVAL;
	}
	for (const char *const *c = suite_plot_summary_columns; *c; c++)
		if (csvtab_col(&sum, *c) < 0) {
			fprintf(log, "mmreplay: %s/summary.csv has no column %s (the graphs read it)\n", dir,
				*c);
			p.failures++;
		}
	snprintf(path, sizeof(path), "%s/plots", dir);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/plots/gnuplot.log", dir);
	remove(path);
	struct csv man;
	snprintf(path, sizeof(path), "%s/plots/graphs.csv", dir);
	if (!csv_open(&man, path)) {
		p.manifest = man.f;
		fprintf(man.f, "trace,file,note\n");
	}
	fprintf(log, "graphs:\n");
	for (size_t r = 0; r < sum.nrows; r++) {
		const char *tr = sum.rows[r][p.c_trace];
		if (!csvtab_first(&sum, p.c_trace, r))
			continue;
		p.trace = tr;
		for (const struct suite_graph *g = suite_graphs; g->name; g++)
			g->draw(&p, tr);
	}
	if (p.manifest && csv_commit(&man))
		p.failures++;
	csvtab_free(&sum);
	return p.failures ? -ECHILD : 0;
}
