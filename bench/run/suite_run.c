#include "suite_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "csv.h"
#include "hostinfo.h"
#include "metrics.h"
#include "recording_cfg.h"
#include "replay.h"
#include "series.h"
#include "shell.h"
#include "snapcsv.h"
#include "trace_spec.h"
#include "suite_axes.h"
#include "report.h"
#include "suite_plots.h"

/* The short table on stdout: metric, header, width, scale (1: as written), and the facets a
 * trace needs for the figure to mean something (settings.h; 0: every trace): '-' otherwise. */
static const struct {
	const char *metric, *head;
	int width;
	double scale;
	u32 facets;
} suite_table[] = {
	{"events", "events", 9, 1, 0},
	{"vmlist_visits", "vmlist_vis", 11, 1, SETTING_ON_VMAP},
	{"tlb_flushes", "flushes", 9, 1, SETTING_ON_VMAP | SETTING_ON_PGTABLE},
	{"ufi9_end", "ufi(9)", 7, 1000, SETTING_ON_BUDDY},
	{"find_vma_visits", "find_vma", 9, 1, SETTING_ON_PROC},
	{"vma_splits", "splits", 7, 1, SETTING_ON_PROC},
	{"host_ns_per_event_median", "ns/event", 9, 1, 0},
};

const char *suite_run_table_column(size_t i)
{
	return i < MM_ARRAY_SIZE(suite_table) ? suite_table[i].metric : NULL;
}

static void suite_table_header(int width, int cwidth)
{
	printf("%-*s %-*s", width, "trace", cwidth, "config");
	for (size_t i = 0; i < MM_ARRAY_SIZE(suite_table); i++)
		printf(" %*s", suite_table[i].width, suite_table[i].head);
	putchar('\n');
	fflush(stdout);
}

static void suite_table_row(const struct metric_src *src, int width, int cwidth, u32 facets)
{
	printf("%-*s %-*s", width, src->trace, cwidth, src->config);
	for (size_t i = 0; i < MM_ARRAY_SIZE(suite_table); i++) {
		char v[64];
		double x = 0;
		const struct metric *m = metric_find(suite_table[i].metric, METRIC_IN_SUMMARY);
		metric_value(m, src, 0, v, sizeof(v));
		if (suite_table[i].facets && !(suite_table[i].facets & facets))
			printf(" %*s", suite_table[i].width, "-");
		else if (suite_table[i].scale != 1 && sscanf(v, "%lf", &x) == 1)
			printf(" %*.3f", suite_table[i].width, x / suite_table[i].scale);
		else
			printf(" %*s", suite_table[i].width, v);
	}
	putchar('\n');
	fflush(stdout);
}

/* The sampled pass: time series, per-operation latencies and the machine's heap. */
static int cell_sampled(const struct mm_trace *t, const struct sim_cfg *cfg, u64 every, const char *dir,
			const char *rel, struct run_host *h, struct histo *lat)
{
	struct sim *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	u64 a0 = 0, r0 = 0, a1, r1;
	bool heap = hostinfo_heap(&a0, &r0);
	int err = sim_init(s, cfg);
	if (err) {
		free(s);
		return err;
	}
	struct csv ts;
	if ((err = csv_open_in(&ts, dir, rel))) { /* no symlink below dir is followed */
		fprintf(stderr, "\nmmreplay suite: %s: %s\n", ts.out.path, csv_error(&ts, err));
		sim_fini(s);
		free(s);
		return 1; /* reported */
	}
	struct series_writer w = {.f = ts.f};
	struct run_sampler smp = {.every = every, .sample = series_sample, .ctx = &w, .lat = lat};
	struct run_array arr;
	struct run_source src = run_source_array(&arr, t->ev, t->n);
	struct run_result r = {0, 0, 0};
	err = run_events(s, &src, &smp, &r);
	if (heap && hostinfo_heap(&a1, &r1)) {
		h->heap_known = true;
		h->heap_allocated = a1 > a0 ? a1 - a0 : 0;
		h->heap_resident = r1 > r0 ? r1 - r0 : 0;
	}
	sim_fini(s);
	free(s);
	if (err) {
		csv_abort(&ts);
		return err;
	}
	if ((err = csv_commit(&ts)))
		fprintf(stderr, "\nmmreplay suite: %s: %s\n", ts.out.path, csv_error(&ts, err));
	return err ? 1 : 0;
}

/* The timed passes; the row keeps the last one's machine view. */
static int cell_timed(const char *label, const struct mm_trace *t, const struct sim_cfg *cfg,
		      unsigned repeats, struct replay_row *row, struct run_host *h)
{
	struct hwcounter hw[RUN_HW_EVENTS];
	int err = 0;
	for (int i = 0; i < RUN_HW_EVENTS; i++)
		hwcounter_open(&hw[i], run_hw_events[i]);
	memset(row, 0, sizeof(*row));
	for (unsigned r = 0; r < repeats && !err; r++) {
		u64 c0[RUN_HW_EVENTS];
		replay_row_fini(row);
		for (int i = 0; i < RUN_HW_EVENTS; i++)
			c0[i] = hwcounter_read(&hw[i]);
		err = replay_run(label, t->ev, t->n, cfg, row);
		for (int i = 0; r == 0 && i < RUN_HW_EVENTS; i++)
			h->hw[i] = hwcounter_read(&hw[i]) - c0[i];
		h->ns_per_event[r] = row->host.ns_per_event[0];
	}
	h->hw_hardware = hw[0].hardware;
	for (int i = 0; i < RUN_HW_EVENTS; i++)
		hwcounter_close(&hw[i]);
	h->events = row->host.events;
	h->ns = row->host.ns;
	h->cpu_ns = row->host.cpu_ns;
	h->peak_rss = row->host.peak_rss;
	h->repeats = repeats;
	return err;
}

struct trace_slot {
	char label[128];
	int width, cwidth; /* of the table's trace and config columns */
	struct mm_trace t;
	struct sim_trace_facts facts; /* what the trace decides: its CPUs, purge timing, vmap nodes */
	struct recording_cfg *rec;    /* a trace file or recording and its files; NULL for gen: */
};

/* Where configuration label's time series goes, below the results directory: '/' in labels
 * becomes '_'. */
static void cell_series_path(const char *trace, const char *cfg_label, char *buf, size_t len)
{
	char slug[512];
	snprintf(slug, sizeof(slug), "%s", cfg_label);
	for (char *p = slug; *p; p++)
		if (*p == '/')
			*p = '_';
	snprintf(buf, len, "timeseries/%s__%s.csv", trace, slug);
}

static int run_cell(const struct suite *s, const struct suite_run_opts *o, const struct trace_slot *ts,
		    size_t ci, FILE *summary, struct snapcsv *snaps, bool tty, size_t k, size_t total)
{
	struct sim_cfg cfg;
	char err_s[512], cfg_label[512], path[4096];
	if (ts->rec ? recording_cfg_build(ts->rec, &s->axes, ci, &ts->facts, &cfg, err_s, sizeof(err_s))
		    : replay_cfg(&s->axes, ci, &ts->facts, &cfg, err_s, sizeof(err_s))) {
		fprintf(stderr, "mmreplay suite: %s\n", err_s);
		return -EINVAL;
	}
	matrix_label(&s->axes, ci, cfg_label, sizeof(cfg_label));
	if (tty)
		fprintf(stderr, "\r[%zu/%zu] %s %s ...%20s", k + 1, total, ts->label, cfg_label, "");
	struct run_host *h = calloc(1, sizeof(*h));
	struct histo *lat = calloc(RUN_LAT_NR, sizeof(*lat));
	struct replay_row *row = calloc(1, sizeof(*row));
	int err = h && lat && row ? 0 : -ENOMEM;
	cell_series_path(ts->label, cfg_label, path, sizeof(path));
	u64 every = s->sample_every ? s->sample_every : series_every(ts->t.n, 1000);
	if (!err)
		err = cell_sampled(&ts->t, &cfg, every, o->out_dir, path, h, lat);
	if (!err)
		err = cell_timed(ts->label, &ts->t, &cfg, s->repeats, row, h);
	if (err > 0) {
		err = -EIO; /* cell_sampled said why */
	} else if (err) {
		fprintf(stderr, "\nmmreplay suite: %s %s: %s\n", ts->label, cfg_label, strerror(-err));
	} else {
		h->lat = lat;
		struct metric_src src = {.trace = ts->label, .config = cfg_label, .st = &row->st, .host = h};
		metrics_csv_row(summary, METRIC_IN_SUMMARY, &src);
		if (ts->rec) /* issue 12: the kernel's snapshots, exhaustion */
			recording_cfg_warn(ts->rec, "suite", &row->st);
		if ((err = snapcsv_rows(snaps, ts->label, cfg_label, row->snap_rows, row->nsnap_rows)))
			fprintf(stderr, "\nmmreplay suite: %s: %s\n", snaps->c.out.path,
				snapcsv_error(snaps, err));
		if (tty)
			fprintf(stderr, "\r%100s\r", "");
		if (o->table)
			suite_table_row(&src, ts->width, ts->cwidth, settings_facets(ts->t.stats.kind, &cfg));
	}
	if (row)
		replay_row_fini(row);
	free(row);
	free(lat);
	free(h);
	return err;
}

void suite_command_line(int argc, char **argv, char *buf, size_t len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	buf[0] = 0;
	if (!f)
		return;
	fputs("mmreplay", f);
	for (int i = 0; i < argc; i++) {
		fputc(' ', f);
		if (!strncmp(argv[i], "--", 2) && argv[i][2] != '-' && argv[i][2])
			fputs("--", f), shell_quote(f, argv[i] + 2); /* an option: as it is */
		else
			shell_quote(f, argv[i]);
	}
	fclose(f);
	snprintf(buf, len, "%s", text ? text : "");
	free(text);
}

int suite_list_jobs(const struct suite *s, const char *path, const char *out_dir, FILE *f)
{
	struct suite_plan plan;
	struct mm_diag d;
	char file[4200]; /* "-x.ini" would read as an option: "./-x.ini" */
	snprintf(file, sizeof(file), "%s%s", path[0] == '-' ? "./" : "", path);
	if (!shell_one_line(path) || !shell_one_line(out_dir))
		return -EINVAL; /* one command per line */
	if (suite_plan_build(s, false, &plan, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		return -EIO;
	}
	suite_plan_print(s, &plan, stderr);
	for (size_t k = 0; k < suite_ncells(s); k++) {
		if (!suite_plan_runs(&plan, k))
			continue;
		shell_quote(f, shell_self());
		fprintf(f, " suite --job %zu --out ", k);
		shell_quote(f, out_dir);
		fputc(' ', f);
		shell_quote(f, file);
		fputc('\n', f);
	}
	suite_plan_free(&plan);
	return 0;
}

/* A trace of the suite: a gen: workload, or a file or recording directory with its files
 * (recording_cfg.h). */
static int suite_slot_load(const char *spec, struct trace_slot *slot, struct mm_diag *d)
{
	if (!strncmp(spec, "gen:", 4))
		return trace_spec_load(spec, &slot->t, d);
	if (!(slot->rec = malloc(sizeof(*slot->rec))))
		return diag_set(d, spec, 0, "out of memory");
	int err = recording_cfg_open(slot->rec, spec, true, d);
	return err ? err : trace_load(slot->rec->trace, NULL, &slot->t, d);
}

static void suite_slot_free(struct trace_slot *slot)
{
	if (slot->rec)
		recording_cfg_close(slot->rec);
	free(slot->rec);
	slot->rec = NULL;
}

/* The longest configuration label. */
static int config_width(const struct suite *s)
{
	size_t w = 6;
	for (size_t c = 0; c < suite_nconfigs(s); c++) {
		char label[512];
		matrix_label(&s->axes, c, label, sizeof(label));
		w = MM_MAX(w, strlen(label));
	}
	return (int)w;
}

/* Run the planned cells of [first, last), loading each trace once. */
static int suite_cells(const struct suite *s, const struct suite_run_opts *o, const struct suite_plan *plan,
		       size_t first, size_t last, FILE *sum, struct snapcsv *snaps)
{
	size_t done = 0, total = 0;
	for (size_t k = first; k < last; k++)
		total += suite_plan_runs(plan, k);
	size_t nconf = suite_nconfigs(s);
	bool tty = isatty(STDERR_FILENO);
	int rc = MM_EXIT_OK;
	for (size_t ti = first / nconf; ti <= (last - 1) / nconf && rc == MM_EXIT_OK; ti++) {
		struct trace_slot slot;
		if (!plan->tr[ti].cells_run)
			continue;
		struct mm_diag d;
		memset(&slot, 0, sizeof(slot));
		suite_trace_label(s, ti, slot.label, sizeof(slot.label)); /* issue 14: unique */
		slot.width = suite_plan_width(plan);
		slot.cwidth = config_width(s);
		if (tty)
			fprintf(stderr, "\rloading %s ...%40s", slot.label, "");
		if (suite_slot_load(s->traces[ti], &slot, &d)) {
			fprintf(stderr, "\nmmreplay suite: %s\n", d.msg);
			rc = MM_EXIT_FAIL;
			break;
		}
		sim_trace_facts(slot.t.ev, slot.t.n, &slot.facts);
		for (size_t k = MM_MAX(first, ti * nconf); k < MM_MIN(last, (ti + 1) * nconf); k++)
			if (suite_plan_runs(plan, k) &&
			    run_cell(s, o, &slot, k % nconf, sum, snaps, tty, done++, total)) {
				rc = MM_EXIT_FAIL;
				break;
			}
		trace_free(&slot.t);
		suite_slot_free(&slot);
	}
	if (tty)
		fprintf(stderr, "\r%100s\r", "");
	return rc;
}

/* DIR/command.txt: how to run this again (the report page shows it). */
static int suite_command(const struct suite_run_opts *o)
{
	struct csv w;
	if (!o->command)
		return 0;
	int err = csv_open_in(&w, o->out_dir, "command.txt");
	if (!err) {
		fprintf(w.f, "%s\n", o->command);
		err = csv_commit(&w);
	}
	if (err)
		fprintf(stderr, "mmreplay suite: %s: %s\n", w.out.path, csv_error(&w, err));
	return err;
}

/* Plan the cells (suite_axes.h): say which are skipped, write traces.csv and skipped.csv.
 * MM_EXIT_OK to run, -1 when --job names a skipped cell (nothing to do), else an exit code. */
static int suite_run_plan(const struct suite *s, const struct suite_run_opts *o, struct suite_plan *plan)
{
	struct mm_diag d;
	char why[512];
	if (suite_plan_build(s, o->every_cell, plan, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	if (o->job < 0)
		suite_plan_print(s, plan, stderr);
	if (suite_plan_write(s, plan, o->out_dir)) {
		suite_plan_free(plan);
		return MM_EXIT_FAIL;
	}
	if (o->job >= 0 && !suite_plan_runs(plan, (size_t)o->job)) {
		suite_plan_why(s, plan, (size_t)o->job, why, sizeof(why));
		fprintf(stderr, "mmreplay suite: cell %ld is skipped: %s\n", o->job, why);
		suite_plan_free(plan);
		return -1;
	}
	return MM_EXIT_OK;
}

int suite_run(const struct suite *s, const struct suite_run_opts *o)
{
	size_t ncells = suite_ncells(s);
	char err_s[512], rel[64];
	for (size_t c = 0; c < suite_nconfigs(s); c++) {
		struct sim_cfg cfg;
		if (matrix_cfg(&s->axes, c, &cfg, err_s, sizeof(err_s))) {
			fprintf(stderr, "mmreplay suite: %s: %s\n", s->name, err_s);
			return MM_EXIT_USAGE;
		}
	}
	if (o->job >= 0 && (size_t)o->job >= ncells) {
		fprintf(stderr, "mmreplay suite: --job %ld: the suite has %zu cells (0..%zu)\n", o->job,
			ncells, ncells - 1);
		return MM_EXIT_USAGE;
	}
	struct suite_plan plan;
	int rc = suite_run_plan(s, o, &plan);
	if (rc != MM_EXIT_OK)
		return rc == -1 ? MM_EXIT_OK : rc;
	char snap_rel[64];
	if (o->job >= 0) {
		snprintf(rel, sizeof(rel), "cells/cell-%05ld.csv", o->job);
		snprintf(snap_rel, sizeof(snap_rel), "cells/cell-%05ld.snapshots.csv", o->job);
	} else {
		snprintf(rel, sizeof(rel), "summary.csv");
		snprintf(snap_rel, sizeof(snap_rel), "snapshots.csv");
	}
	/* issue 12: per snapshot, beside the summary */
	struct snapcsv snaps = {.root = o->out_dir, .path = snap_rel};
	struct csv sum;
	int err = csv_open_in(&sum, o->out_dir, rel);
	const char *path = sum.out.path;
	if (err) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", path, csv_error(&sum, err));
		suite_plan_free(&plan);
		return MM_EXIT_FAIL;
	}
	metrics_csv_header(sum.f, METRIC_IN_SUMMARY, NULL);
	if (o->table)
		suite_table_header(suite_plan_width(&plan), config_width(s));
	size_t first = o->job >= 0 ? (size_t)o->job : 0, last = o->job >= 0 ? (size_t)o->job + 1 : ncells;
	rc = suite_cells(s, o, &plan, first, last, sum.f, &snaps);
	if ((err = snapcsv_close(&snaps, rc == MM_EXIT_OK)) && rc == MM_EXIT_OK) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", snaps.c.out.path, snapcsv_error(&snaps, err));
		rc = MM_EXIT_FAIL;
	}
	if (rc != MM_EXIT_OK) {
		suite_plan_free(&plan);
		csv_abort(&sum);
		return rc;
	}
	suite_plan_free(&plan);
	if ((err = csv_commit(&sum))) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", path, csv_error(&sum, err));
		return MM_EXIT_FAIL;
	}
	if (o->plots && suite_plots(o->out_dir, stderr))
		rc = MM_EXIT_FAIL;
	if (o->job < 0 && (suite_command(o) || report_write(o->out_dir)))
		rc = MM_EXIT_FAIL;
	else if (o->job < 0)
		fprintf(stderr, "  %s/index.html (the report page)\n", o->out_dir);
	return rc;
}
