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
#include "replay.h"
#include "series.h"
#include "suite_plots.h"
#include "trace_spec.h"

/* The short table on stdout: metric, header, width, scale (1: as written). */
static const struct {
	const char *metric, *head;
	int width;
	double scale;
} suite_table[] = {
	{"events", "events", 9, 1},
	{"vmlist_visits", "vmlist_vis", 11, 1},
	{"tlb_flushes", "flushes", 9, 1},
	{"ufi9_end", "ufi(9)", 7, 1000},
	{"host_ns_per_event_median", "ns/event", 9, 1},
};

const char *suite_run_table_column(size_t i)
{
	return i < MM_ARRAY_SIZE(suite_table) ? suite_table[i].metric : NULL;
}

static void suite_table_header(void)
{
	printf("%-26s %-32s", "trace", "config");
	for (size_t i = 0; i < MM_ARRAY_SIZE(suite_table); i++)
		printf(" %*s", suite_table[i].width, suite_table[i].head);
	putchar('\n');
}

static void suite_table_row(const struct metric_src *src)
{
	printf("%-26.26s %-32.32s", src->trace, src->config);
	for (size_t i = 0; i < MM_ARRAY_SIZE(suite_table); i++) {
		char v[64];
		double x = 0;
		const struct metric *m = metric_find(suite_table[i].metric, METRIC_IN_SUMMARY);
		metric_value(m, src, 0, v, sizeof(v));
		if (suite_table[i].scale != 1 && sscanf(v, "%lf", &x) == 1)
			printf(" %*.3f", suite_table[i].width, x / suite_table[i].scale);
		else
			printf(" %*s", suite_table[i].width, v);
	}
	putchar('\n');
	fflush(stdout);
}

/* The sampled pass: time series, per-operation latencies and the machine's heap. */
static int cell_sampled(struct feed *f, u64 *progress, const struct sim_cfg *cfg, u64 every, const char *path,
			struct run_host *h, struct histo *lat)
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
	if ((err = csv_open(&ts, path))) {
		sim_fini(s);
		free(s);
		return err;
	}
	struct series_writer w = {ts.f, false};
	struct run_sampler smp = {.every = every, .sample = series_sample, .ctx = &w, .lat = lat};
	struct feed_pass pass;
	struct run_source src;
	struct mm_diag d;
	struct run_result r = {0, 0, 0};
	err = feed_pass_open(f, &pass, progress, &src, &d);
	if (!err) {
		err = run_events(s, &src, &smp, &r);
		feed_pass_close(&pass);
	}
	if (heap && hostinfo_heap(&a1, &r1)) {
		h->heap_known = true;
		h->heap_allocated = (i64)(a1 - a0) > 0 ? a1 - a0 : 0; /* this thread's: may wrap */
		h->heap_resident = r1 > r0 ? r1 - r0 : 0;
	}
	sim_fini(s);
	free(s);
	if (err) {
		csv_abort(&ts);
		return err;
	}
	return csv_commit(&ts);
}

/* The timed passes; the row keeps the last one's machine view. */
static int cell_timed(const char *label, struct feed *f, u64 *progress, const struct sim_cfg *cfg,
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
		struct feed_pass pass;
		struct run_source src;
		struct mm_diag d;
		if ((err = feed_pass_open(f, &pass, progress, &src, &d)))
			break;
		err = replay_run_src(label, &src, cfg, row);
		feed_pass_close(&pass);
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

/* What suite_cells hands its cells (cells.h). */
struct suite_ctx {
	const struct suite *s;
	const struct suite_run_opts *o;
	FILE *summary;
	char (*labels)[128]; /* [trace] */
};

/* A cell's result, filled on a worker. */
struct suite_cell {
	struct run_host h;
	struct histo lat[RUN_LAT_NR];
	struct replay_row row;
	char cfg_label[512];
	char err[600];
};

/* Where configuration label's time series goes: '/' in labels becomes '_'. */
static void cell_series_path(const char *dir, const char *trace, const char *cfg_label, char *buf, size_t len)
{
	char slug[512];
	snprintf(slug, sizeof(slug), "%s", cfg_label);
	for (char *p = slug; *p; p++)
		if (*p == '/')
			*p = '_';
	snprintf(buf, len, "%s/timeseries/%s__%s.csv", dir, trace, slug);
}

/* On a worker: the sampled pass, then the timed ones. */
static int suite_cell_run(void *ctx, const struct cells_job *job)
{
	const struct suite_ctx *sc = ctx;
	const struct suite *s = sc->s;
	struct suite_cell *c = job->slot;
	const char *label = sc->labels[job->trace];
	struct sim_cfg cfg;
	char path[4096];
	matrix_label(&s->axes, job->config, c->cfg_label, sizeof(c->cfg_label));
	if (replay_cfg(&s->axes, job->config, feed_facts(job->feed), &cfg, c->err, sizeof(c->err)))
		return -EINVAL;
	cell_series_path(sc->o->out_dir, label, c->cfg_label, path, sizeof(path));
	u64 every = s->sample_every ? s->sample_every : series_every(feed_events(job->feed), 1000);
	int err = cell_sampled(job->feed, job->progress, &cfg, every, path, &c->h, c->lat);
	if (!err)
		err = cell_timed(label, job->feed, job->progress, &cfg, s->repeats, &c->row, &c->h);
	if (err)
		snprintf(c->err, sizeof(c->err), "%s %s: %s", label, c->cfg_label, strerror(-err));
	replay_row_drop_machine(&c->row);
	return err;
}

/* In cell order: the summary row and the table's. */
static int suite_cell_emit(void *ctx, const struct cells_job *job, int err)
{
	const struct suite_ctx *sc = ctx;
	struct suite_cell *c = job->slot;
	if (err) {
		fprintf(stderr, "mmreplay suite: %s\n", c->err);
		return MM_EXIT_FAIL;
	}
	c->h.lat = c->lat;
	struct metric_src src = {
		.trace = sc->labels[job->trace], .config = c->cfg_label, .st = &c->row.st, .host = &c->h};
	metrics_csv_row(sc->summary, METRIC_IN_SUMMARY, &src);
	if (sc->o->table)
		suite_table_row(&src);
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

void suite_list_jobs(const struct suite *s, const char *path, const char *out_dir, FILE *f)
{
	for (size_t k = 0; k < suite_ncells(s); k++)
		fprintf(f, "mmreplay suite --job %zu --out %s %s\n", k, out_dir, path);
}

/* Run cells [first, last) on the workers (cells.h), each trace read once. */
static int suite_cells(const struct suite *s, const struct suite_run_opts *o, size_t first, size_t last,
		       FILE *sum)
{
	struct suite_ctx sc = {.s = s, .o = o, .summary = sum, .labels = calloc(s->ntraces, 128)};
	size_t *cells = calloc(last - first, sizeof(*cells));
	struct progress prog;
	int rc = sc.labels && cells ? 0 : -ENOMEM;
	for (size_t ti = 0; !rc && ti < s->ntraces; ti++)
		trace_spec_label(s->traces[ti], sc.labels[ti], sizeof(sc.labels[ti]));
	for (size_t k = first; !rc && k < last; k++)
		cells[k - first] = k;
	progress_init(&prog, "suite");
	struct cells_run r = {.cmd = "suite",
			      .ntraces = s->ntraces,
			      .nconfigs = suite_nconfigs(s),
			      .spec = suite_spec,
			      .cells = cells,
			      .ncells = last - first,
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
	return rc ? MM_EXIT_FAIL : MM_EXIT_OK;
}

int suite_run(const struct suite *s, const struct suite_run_opts *o)
{
	size_t ncells = suite_ncells(s);
	char err_s[512], path[4096];
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
	if (o->job >= 0)
		snprintf(path, sizeof(path), "%s/cells/cell-%05ld.csv", o->out_dir, o->job);
	else
		snprintf(path, sizeof(path), "%s/summary.csv", o->out_dir);
	struct csv sum;
	int err = csv_open(&sum, path);
	if (err) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", path, strerror(-err));
		return MM_EXIT_FAIL;
	}
	metrics_csv_header(sum.f, METRIC_IN_SUMMARY, NULL);
	if (o->table)
		suite_table_header();
	size_t first = o->job >= 0 ? (size_t)o->job : 0, last = o->job >= 0 ? (size_t)o->job + 1 : ncells;
	int rc = suite_cells(s, o, first, last, sum.f);
	if (rc != MM_EXIT_OK) {
		csv_abort(&sum);
		return rc;
	}
	if ((err = csv_commit(&sum))) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", path, strerror(-err));
		return MM_EXIT_FAIL;
	}
	if (o->plots && suite_plots(o->out_dir, stderr))
		rc = MM_EXIT_FAIL;
	return rc;
}
