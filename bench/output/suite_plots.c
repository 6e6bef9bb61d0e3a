#include "bench/output/suite_plots.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workloads/infile.h"
#include "bench/output/csv.h"
#include "bench/output/csvread.h"
#include "workloads/diag.h"
#include "bench/output/plot.h"
#include "bench/output/suite_plots_priv.h"

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
						  "zone_failures",
						  "vma",
						  "find_vma_visits",
						  "vma_splits",
						  "vma_merges",
						  "munmap_calls",
						  "host_munmap_p50_ns",
						  "alloc_failures",
						  "page_allocs",
						  NULL};
const char *const suite_plot_series_columns[] = {"ufi9",	  "tlb_flushes",  "vmap_live", "vmap_ops",
						 "vmlist_visits", "host_vmap_ns", NULL};

void suite_plots_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == ',' || *s == '"' || (unsigned char)*s < 0x20 || *s == 0x7f ? '_' : *s, f);
}

/* A trace label usable in file names (graphs are DIR/KIND_TRACE.png): summary.csv may come
 * from anywhere, so a label with '/' or control bytes draws nothing. */
static bool label_ok(const char *s)
{
	if (!*s || strlen(s) > 200)
		return false;
	for (; *s; s++)
		if (*s == '/' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int suite_plots_ts_read(const struct plotctx *p, size_t r, struct csvtab *t)
{
	char path[4096], slug[512];
	struct mm_diag d;
	snprintf(slug, sizeof(slug), "%s", p->sum->rows[r][p->c_config]);
	for (char *c = slug; *c; c++)
		if (*c == '/')
			*c = '_';
	snprintf(path, sizeof(path), "%s/timeseries/%s__%s.csv", p->dir, p->sum->rows[r][p->c_trace], slug);
	return csvtab_read_regular(path, t, &d);
}

bool suite_plots_open(struct plotctx *p, const char *name, struct csv *w)
{
	char rel[600];
	snprintf(rel, sizeof(rel), "plots/%s.csv", name);
	int err = csv_open_in(w, p->dir, rel);
	if (err) {
		fprintf(stderr, "mmreplay %s: %s: %s\n", p->cmd, w->out.path, csv_error(w, err));
		p->failures++;
	}
	return !err;
}

void suite_plots_draw(struct plotctx *p, struct csv *w, const char *name, struct plot_req *req)
{
	char why[1600];
	if (fflush(w->f) || ferror(w->f)) {
		fprintf(stderr, "mmreplay %s: %s: write error: %s\n", p->cmd, w->out.path, strerror(errno));
		csv_abort(w);
		p->failures++;
		return;
	}
	req->data_fd = fileno(w->f);
	char title[1024]; /* every graph of a trace whose model ran out of memory says so */
	if (p->exhausted) {
		snprintf(title, sizeof(title), "%s [the model ran out of memory]",
			 req->title ? req->title : "");
		req->title = title;
	}
	int log_err = 0;
	int err = plot_draw(p->dir, name, req, p->log_fd, &log_err, why, sizeof(why));
	if (log_err && !p->log_err) { /* said once; the log is incomplete: a failure */
		fprintf(stderr, "mmreplay %s: %s/plots/gnuplot.log: write error: %s\n", p->cmd, p->dir,
			strerror(-log_err));
		p->log_err = log_err;
		p->failures++;
	}
	if (err == -ENOENT && !p->no_gnuplot) /* once: every graph would say it */
		fprintf(stderr, "mmreplay %s: %s\n", p->cmd, why);
	else if (err && err != -ENOENT)
		fprintf(stderr, "mmreplay %s: %s (gnuplot's messages: %s/plots/gnuplot.log)\n", p->cmd, why,
			p->dir);
	p->no_gnuplot |= err == -ENOENT;
	if (!err && (err = csv_commit(w)))
		fprintf(stderr, "mmreplay %s: %s: %s\n", p->cmd, w->out.path, csv_error(w, err));
	if (err) {
		csv_abort(w);
		p->failures++;
		return;
	}
	fprintf(p->log, "  %s/%s.png (and .svg)\n", p->dir, name);
	p->drawn++;
	if (p->manifest) {
		char file[600];
		snprintf(file, sizeof(file), "%s.svg", name);
		csv_write_field(p->manifest, p->trace);
		fputc(',', p->manifest);
		csv_write_field(p->manifest, file);
		fputc(',', p->manifest);
		csv_write_field(p->manifest, req->note ? req->note : "");
		fputc('\n', p->manifest);
	}
}

static void plot_vmlist(struct plotctx *p, const char *tr)
{
	size_t rows[16];
	size_t n = plot_rows_pick(p, tr, "vmlist", rows, 16), pos_v = 0, pos_n = 0;
	struct series_set v = {0}, h = {0};
	for (size_t i = 0; i < n; i++) {
		struct csvtab t;
		if (plot_rows_field(p, rows[i], "vmap_allocs") == 0 || suite_plots_ts_read(p, rows[i], &t))
			continue;
		const char *vl = plot_rows_text(p, rows[i], "vmlist");
		if (plot_rows_vmlist(&t, &v, &h, vl, &pos_v, &pos_n) == -EINVAL)
			fprintf(stderr, "mmreplay %s: a time series of %s lacks a vmlist column\n", p->cmd,
				vl);
		csvtab_free(&t);
	}
	char name[512], title[600];
	struct plot_req req = {.logx = true, .logy = true, .points = true, .key = PLOT_KEY_TOP_LEFT};
	req.xlabel = "live vmap areas";
	req.title = title;
	if (pos_v) {
		plot_rows_title(p, tr, "vmlist work per operation against live areas, per vmlist", true,
				title, sizeof(title));
		snprintf(name, sizeof(name), "vmlist_visits_%s", tr);
		req.ylabel = "vmlist nodes visited per vmalloc/vfree";
		plot_series_draw(p, name, &v, &req);
	}
	if (pos_n) {
		plot_rows_title(p, tr, "host time per vmap operation against live areas, per vmlist", true,
				title, sizeof(title));
		snprintf(name, sizeof(name), "vmlist_ns_%s", tr);
		req.ylabel = "host ns per vmalloc/vfree (incl. pages, tables)";
		plot_series_draw(p, name, &h, &req);
	}
	plot_series_free(&v);
	plot_series_free(&h);
}

/* Page-table entries visited per operation and level, one bar per levels configuration. */
static void plot_walk(struct plotctx *p, const char *tr)
{
	size_t rows[8];
	size_t n = plot_rows_pick(p, tr, "levels", rows, 8);
	char name[512], title[600];
	double ops[8];
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		ops[i] = plot_rows_field(p, rows[i], "vmap_allocs") +
			 plot_rows_field(p, rows[i], "vmap_frees");
		used += ops[i] > 0;
	}
	snprintf(name, sizeof(name), "walk_%s", tr);
	struct csv w;
	if (!used || !suite_plots_open(p, name, &w))
		return;
	fprintf(w.f, "level");
	for (size_t i = 0; i < n; i++)
		if (ops[i] > 0) {
			fputc(',', w.f);
			suite_plots_text(w.f, plot_rows_text(p, rows[i], "levels"));
			fprintf(w.f, " levels");
		}
	fputc('\n', w.f);
	static const char *const lv[] = {"walk_l0", "walk_l1", "walk_l2", "walk_l3", "walk_l4"};
	static const char *const ln[] = {"top (PGD)", "2", "3", "4", "5"};
	for (int l = 0; l < 5; l++) {
		fprintf(w.f, "%s", ln[l]);
		for (size_t i = 0; i < n; i++)
			if (ops[i] > 0)
				fprintf(w.f, ",%.3f", plot_rows_field(p, rows[i], lv[l]) / ops[i]);
		fputc('\n', w.f);
	}
	plot_rows_title(p, tr, "page-table walk per operation and level", true, title, sizeof(title));
	struct plot_req req = {.script = "bars.gp",
			       .title = title,
			       .xlabel = "page-table level, from the top",
			       .ylabel = "entries visited per vmalloc/vfree"};
	suite_plots_draw(p, &w, name, &req);
}

/* Whether '/'-item item of a label is in every configuration label of trace tr. */
static bool item_everywhere(const struct plotctx *p, const char *tr, const char *item, size_t len)
{
	for (size_t r = 0; r < p->sum->nrows; r++) {
		const char *l = p->sum->rows[r][p->c_config];
		bool found = false;
		if (strcmp(p->sum->rows[r][p->c_trace], tr))
			continue;
		for (const char *s = l; *s && !found; s += strcspn(s, "/"), s += *s == '/')
			found = strcspn(s, "/") == len && !strncmp(s, item, len);
		if (!found)
			return false;
	}
	return true;
}

/* label without the items every configuration of tr shares (those go to the title), into buf;
 * the shared ones appended to common (once, from the first row). */
static void label_short(const struct plotctx *p, const char *tr, const char *label, char *buf, size_t len,
			char *common, size_t clen)
{
	size_t n = 0;
	buf[0] = 0;
	for (const char *s = label; *s; s += strcspn(s, "/"), s += *s == '/') {
		size_t k = strcspn(s, "/");
		bool shared = item_everywhere(p, tr, s, k);
		if (shared && common && strlen(common) + k + 2 < clen)
			snprintf(common + strlen(common), clen - strlen(common), "%s%.*s",
				 common[0] ? "/" : "", (int)k, s);
		if (!shared && n + k + 2 < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%.*s", n ? "/" : "", (int)k, s);
	}
	if (!buf[0])
		snprintf(buf, len, "%s", label);
}

static void plot_host(struct plotctx *p, const char *tr)
{
	char name[512], title[900], common[300] = "";
	struct csv w;
	int nrows = 0;
	snprintf(name, sizeof(name), "host_%s", tr);
	if (!suite_plots_open(p, name, &w))
		return;
	fprintf(w.f, "config,median,min,max\n");
	for (size_t r = 0; r < p->sum->nrows; r++)
		if (!strcmp(p->sum->rows[r][p->c_trace], tr)) {
			double v[3];
			char lab[512];
			static const char *const col[3] = {"host_ns_per_event_median",
							   "host_ns_per_event_min", "host_ns_per_event_max"};
			label_short(p, tr, p->sum->rows[r][p->c_config], lab, sizeof(lab),
				    nrows ? NULL : common, sizeof(common));
			suite_plots_text(w.f, lab);
			nrows++;
			for (int k = 0; k < 3; k++)
				if (csv_number(plot_rows_text(p, r, col[k]), &v[k]))
					fprintf(w.f, ",%.17g", v[k]);
				else
					fputc(',', w.f);
			fputc('\n', w.f);
		}
	snprintf(title, sizeof(title), "%s: host time per event per configuration (lower is better)%s%s", tr,
		 common[0] && nrows > 1 ? "\nevery configuration also " : "", nrows > 1 ? common : "");
	struct plot_req req = {.script = "host.gp", .title = title, .nseries = nrows};
	suite_plots_draw(p, &w, name, &req);
}

/* The unusable free space index at order 9 over the replay, per buddy policy. */
static void plot_frag(struct plotctx *p, const char *tr)
{
	char name[512];
	snprintf(name, sizeof(name), "frag_%s", tr);
	struct plot_req req = {.yscale = 1000.0, .ylabel = "unusable free space index, order 9"};
	size_t ref = plot_rows_ref(p, tr); /* no page from the buddy: a flat line is no news */
	req.skip_flat = plot_rows_field(p, ref, "page_allocs") + plot_rows_field(p, ref, "vmap_allocs") == 0;
	plot_series_lines(p, tr, "buddy", "ufi9", name,
			  "unusable free space index at order 9 (2 MiB), per buddy policy", &req);
}

/* TLB flushes over the replay, per TLB policy, when the trace flushed at all. */
static void plot_tlb(struct plotctx *p, const char *tr)
{
	char name[512];
	bool flushes = false;
	for (size_t k = 0; k < p->sum->nrows; k++)
		if (!strcmp(p->sum->rows[k][p->c_trace], tr))
			flushes |= plot_rows_field(p, k, "vmalloc_tlb_flushes") > 0;
	if (!flushes)
		return;
	snprintf(name, sizeof(name), "tlb_%s", tr);
	struct plot_req req = {.ylabel = "TLB flushes (cumulative)"};
	plot_series_lines(p, tr, "tlb", "tlb_flushes", name, "TLB flushes so far, per TLB policy", &req);
}

/* Process address-space work per VMA index: find_vma visits, splits and merges, counts alone
 * (a host time has another unit: the answer table and the host graph show it), as bars on a log
 * axis (their scales differ), for traces with process calls. */
static void plot_vma(struct plotctx *p, const char *tr)
{
	static const char *const col[] = {"find_vma_visits", "vma_splits", "vma_merges"};
	static const char *const head[] = {"find_vma visits", "VMA splits", "VMA merges"};
	size_t rows[8];
	size_t n = plot_rows_pick(p, tr, "vma", rows, 8);
	char name[512], title[600], note[300];
	struct csv w;
	if (!n || (plot_rows_field(p, rows[0], "munmap_calls") == 0 &&
		   plot_rows_field(p, rows[0], "find_vma_visits") == 0))
		return;
	snprintf(name, sizeof(name), "vma_%s", tr);
	if (!suite_plots_open(p, name, &w))
		return;
	fprintf(w.f, "figure");
	for (size_t i = 0; i < n; i++) {
		fputc(',', w.f);
		suite_plots_text(w.f, plot_rows_text(p, rows[i], "vma"));
	}
	fputc('\n', w.f);
	for (size_t k = 0; k < MM_ARRAY_SIZE(col); k++) {
		if (csvtab_col(p->sum, col[k]) < 0)
			continue;
		fprintf(w.f, "%s", head[k]);
		for (size_t i = 0; i < n; i++)
			fprintf(w.f, ",%.17g", plot_rows_field(p, rows[i], col[k]));
		fputc('\n', w.f);
	}
	plot_rows_title(p, tr, "process address-space work per VMA index", true, title, sizeof(title));
	plot_rows_exhausted(p, rows, n, note, sizeof(note));
	struct plot_req req = {.script = "bars.gp",
			       .title = title,
			       .ylabel = "count over the replay (log scale)",
			       .logy = true,
			       .note = note[0] ? note : NULL};
	suite_plots_draw(p, &w, name, &req);
}

/* The graphs drawn per trace, in order: one line each (their columns are listed above). */
static const struct suite_graph {
	const char *name;
	void (*draw)(struct plotctx *p, const char *tr);
} suite_graphs[] = {
	{"frag", plot_frag}, {"tlb", plot_tlb},	  {"vmlist", plot_vmlist},	 {"vma", plot_vma},
	{"walk", plot_walk}, {"host", plot_host}, {"snapshots", plot_snapshots}, {"thp", plot_thp},
	{NULL, NULL},
};

int suite_plots(const char *dir, const char *cmd, FILE *log)
{
	char path[4096];
	struct csvtab sum;
	struct mm_diag d;
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	if (csvtab_read_regular(path, &sum, &d)) {
		fprintf(stderr, "mmreplay %s: %s\n", cmd, d.msg);
		return -ENODATA;
	}
	struct plotctx p = {.dir = dir,
			    .cmd = cmd,
			    .log = log,
			    .sum = &sum,
			    .c_trace = csvtab_col(&sum, "trace"),
			    .c_config = csvtab_col(&sum, "config"),
			    .log_fd = -1};
	if (p.c_trace < 0 || p.c_config < 0) {
		diag_set(&d, path, 0, "not a suite summary (no trace and config columns)");
		fprintf(stderr, "mmreplay %s: %s\n", cmd, d.msg);
		csvtab_free(&sum);
		return -ENODATA;
	}
	for (const char *const *c = suite_plot_summary_columns; *c; c++)
		if (csvtab_col(&sum, *c) < 0) {
			diag_set(&d, path, 1, "no column %s (the graphs read it)", *c);
			fprintf(stderr, "mmreplay %s: %s\n", cmd, d.msg);
			p.failures++;
		}
	struct outfile glog; /* gnuplot's messages, published with the graphs */
	int err = outfile_open_in(&glog, dir, "plots/gnuplot.log");
	if (err) {
		fprintf(stderr, "mmreplay %s: %s: %s\n", cmd, glog.path, outfile_error(&glog, err));
		csvtab_free(&sum);
		return err;
	}
	p.log_fd = fileno(glog.f);
	struct csvtab snaps;
	char spath[4096];
	snprintf(spath, sizeof(spath), "%s/snapshots.csv", dir);
	if (infile_check(spath, INFILE_STREAM, &d) !=
	    -ENOENT) { /* the per-snapshot comparison, when the suite had one */
		if (csvtab_read_regular(spath, &snaps, &d))
			fprintf(stderr, "mmreplay %s: %s\n", cmd, d.msg);
		else
			p.snaps = &snaps;
	}
	struct csv man; /* which graphs each trace has, for the report page */
	if ((err = csv_open_in(&man, dir, "plots/graphs.csv"))) {
		fprintf(stderr, "mmreplay %s: %s: %s\n", cmd, man.out.path, csv_error(&man, err));
		p.failures++;
	} else {
		p.manifest = man.f;
		fprintf(man.f, "trace,file,note\n");
	}
	fprintf(log, "graphs:\n");
	bool *first = csvtab_firsts(&sum, p.c_trace);
	if (!first) {
		fprintf(stderr, "mmreplay %s: out of memory\n", cmd);
		p.failures++;
	}
	for (size_t r = 0; first && r < sum.nrows; r++) {
		const char *tr = sum.rows[r][p.c_trace];
		if (!first[r])
			continue;
		if (!label_ok(tr)) {
			diag_set(&d, path, r + 2, "trace '%s' is not usable in a file name: no graphs for it",
				 tr);
			fprintf(stderr, "mmreplay %s: %s\n", cmd, d.msg);
			p.failures++;
			continue;
		}
		p.trace = tr;
		p.exhausted = false;
		for (size_t k = 0; k < sum.nrows; k++)
			p.exhausted |= !strcmp(sum.rows[k][p.c_trace], tr) &&
				       plot_rows_field(&p, k, "zone_failures") > 0;
		for (const struct suite_graph *g = suite_graphs; g->name; g++)
			g->draw(&p, tr);
	}
	if (p.manifest && (err = csv_commit(&man))) {
		fprintf(stderr, "mmreplay %s: %s: %s\n", cmd, man.out.path, csv_error(&man, err));
		p.failures++;
	}
	free(first);
	if (p.snaps)
		csvtab_free(&snaps);
	if ((err = outfile_commit(&glog))) { /* published with the graphs: its loss is a failure */
		fprintf(stderr, "mmreplay %s: %s: %s\n", cmd, glog.path, outfile_error(&glog, err));
		p.failures++;
	}
	csvtab_free(&sum);
	return p.failures ? -ECHILD : 0;
}
