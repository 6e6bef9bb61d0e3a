#include "suite_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cells.h"
#include "clock.h"
#include "commands.h"
#include "csv.h"
#include "hostinfo.h"
#include "metrics.h"
#include "recording_cfg.h"
#include "replay.h"
#include "report.h"
#include "series.h"
#include "shell.h"
#include "snapcsv.h"
#include "suite_axes.h"
#include "suite_cell.h"
#include "suite_plots.h"
#include "trace_spec.h"

#include "suite_plots.h"
#include "trace_spec.h"

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

/* What suite_cells hands its cells (cells.h). */
struct suite_ctx {
	const struct suite *s;
	const struct suite_run_opts *o;
	FILE *summary;
	struct snapcsv *snaps;
	int width, cwidth;	     /* of the table's trace and config columns */
	char (*labels)[128];	     /* [trace] */
	struct recording_cfg **recs; /* [trace]: a file or recording and its files; NULL for gen: */
};

/* A cell's result, filled on a worker. */
struct suite_cell {
	struct run_host h;
	struct histo lat[RUN_LAT_NR];
	struct replay_row row;
	u32 facets; /* the trace's under this configuration (settings_facets) */
	char cfg_label[512];
	char err[600];
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

/* On a worker: the sampled pass, then the timed ones. */
static int suite_cell_run(void *ctx, const struct cells_job *job)
{
	const struct suite_ctx *sc = ctx;
	const struct suite *s = sc->s;
	struct suite_cell *c = job->slot;
	const char *label = sc->labels[job->trace];
	struct recording_cfg *rec = sc->recs[job->trace];
	const struct sim_trace_facts *tf = feed_facts(job->feed);
	struct sim_cfg cfg;
	char rel[4096];
	matrix_label(&s->axes, job->config, c->cfg_label, sizeof(c->cfg_label));
	if (rec ? recording_cfg_build(rec, &s->axes, job->config, tf, &cfg, c->err, sizeof(c->err))
		: replay_cfg(&s->axes, job->config, tf, &cfg, c->err, sizeof(c->err)))
		return -EINVAL;
	c->facets = settings_facets(feed_stats(job->feed)->kind, &cfg);
	cell_series_path(label, c->cfg_label, rel, sizeof(rel));
	u64 every = s->sample_every ? s->sample_every : series_every(feed_events(job->feed), 1000);
	int err = suite_cell_sampled(job->feed, job->progress, &cfg, every, sc->o->out_dir, rel, &c->h,
				     c->lat, c->err, sizeof(c->err));
	if (!err)
		err = suite_cell_timed(label, job->feed, job->progress, &cfg, s->repeats, &c->row, &c->h);
	if (err > 0)
		err = -EIO; /* c->err says why */
	else if (err)
		snprintf(c->err, sizeof(c->err), "%s %s: %s", label, c->cfg_label, strerror(-err));
	replay_row_drop_machine(&c->row);
	return err;
}

/* In cell order: the summary row, the kernel's snapshots, the table's row. */
static int suite_cell_emit(void *ctx, const struct cells_job *job, int err)
{
	const struct suite_ctx *sc = ctx;
	struct suite_cell *c = job->slot;
	const char *label = sc->labels[job->trace];
	if (err) {
		fprintf(stderr, "mmreplay suite: %s\n", c->err);
		return MM_EXIT_FAIL;
	}
	c->h.lat = c->lat;
	struct metric_src src = {.trace = label, .config = c->cfg_label, .st = &c->row.st, .host = &c->h};
	metrics_csv_row(sc->summary, METRIC_IN_SUMMARY, &src);
	if (sc->recs[job->trace]) /* the kernel's snapshots, exhaustion */
		recording_cfg_warn(sc->recs[job->trace], "suite", &c->row.st);
	if ((err = snapcsv_rows(sc->snaps, label, c->cfg_label, c->row.snap_rows, c->row.nsnap_rows))) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", sc->snaps->c.out.path,
			snapcsv_error(sc->snaps, err));
		return MM_EXIT_FAIL;
	}
	if (sc->o->table)
		suite_table_row(&src, sc->width, sc->cwidth, c->facets);
	return 0;
}

static void suite_cell_release(void *ctx, const struct cells_job *job)
{
	struct suite_cell *c = job->slot;
	replay_row_fini(&c->row);
}

static const char *suite_spec(void *ctx, size_t trace)
{
	const struct suite_ctx *sc = ctx;
	return sc->s->traces[trace];
}

/* On the worker that opens the trace: a file or recording directory with its files
 * (recording_cfg.h); a gen: workload is its own source. */
static const char *suite_prepare(void *ctx, size_t trace, struct mm_diag *d)
{
	const struct suite_ctx *sc = ctx;
	const char *spec = sc->s->traces[trace];
	if (!strncmp(spec, "gen:", 4))
		return spec;
	struct recording_cfg *rec = malloc(sizeof(*rec));
	int err = rec ? recording_cfg_open(rec, spec, true, d) : -ENOMEM;
	if (err) {
		if (!rec || err == -ENOMEM)
			diag_set(d, spec, 0, "out of memory");
		if (rec)
			recording_cfg_close(rec);
		free(rec);
		return NULL;
	}
	sc->recs[trace] = rec;
	return rec->trace;
}

/* After the trace's last cell. */
static void suite_unprepare(void *ctx, size_t trace)
{
	const struct suite_ctx *sc = ctx;
	if (sc->recs[trace])
		recording_cfg_close(sc->recs[trace]);
	free(sc->recs[trace]);
	sc->recs[trace] = NULL;
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
/* Run the planned cells of [first, last) on the workers (cells.h), each trace read once. */
static int suite_cells(const struct suite *s, const struct suite_run_opts *o, const struct suite_plan *plan,
		       size_t first, size_t last, FILE *sum, struct snapcsv *snaps)
{
	struct suite_ctx sc = {.s = s,
			       .o = o,
			       .summary = sum,
			       .snaps = snaps,
			       .width = suite_plan_width(plan),
			       .cwidth = config_width(s),
			       .labels = calloc(s->ntraces, 128),
			       .recs = calloc(s->ntraces, sizeof(*sc.recs))};
	size_t *cells = calloc(last - first, sizeof(*cells)), n = 0;
	struct progress prog;
	int rc = sc.labels && sc.recs && cells ? 0 : -ENOMEM;
	for (size_t ti = 0; !rc && ti < s->ntraces; ti++)
		suite_trace_label(s, ti, sc.labels[ti], sizeof(sc.labels[ti])); /* unique */
	for (size_t k = first; !rc && k < last; k++)
		if (suite_plan_runs(plan, k))
			cells[n++] = k;
	progress_init(&prog, "suite");
	struct cells_run r = {.cmd = "suite",
			      .ntraces = s->ntraces,
			      .nconfigs = suite_nconfigs(s),
			      .spec = suite_spec,
			      .prepare = suite_prepare,
			      .unprepare = suite_unprepare,
			      .cells = cells,
			      .ncells = n,
			      .passes = 1 + s->repeats,
			      .need_facts = true,
			      .workers = o->workers,
			      .slot_size = sizeof(struct suite_cell),
			      .run = suite_cell_run,
			      .emit = suite_cell_emit,
			      .release = suite_cell_release,
			      .ctx = &sc,
			      .progress = &prog};
	if (!rc)
		rc = cells_run(&r);
	free(cells);
	free(sc.labels);
	free(sc.recs);
	return rc ? MM_EXIT_FAIL : MM_EXIT_OK;
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
	/* per snapshot, beside the summary */
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
