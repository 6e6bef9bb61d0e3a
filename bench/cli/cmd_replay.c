/* mmreplay replay: every configuration of the settings given (by default every vmlist x tlb x
 * buddy variant) over every trace, each trace parsed once; one CSV row per (trace,
 * configuration), from the metrics registry, and the brief columns as a table on stdout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/run/cells.h"
#include "workloads/trace/spillfile.h"
#include "bench/cli/trace_cli.h"
#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/output/csv.h"
#include "bench/run/lockstep.h"
#include "bench/run/mem_note.h"
#include "bench/output/metrics.h"
#include "bench/run/recording_cfg.h"
#include "bench/run/replay.h"
#include "bench/output/snapcheck_csv.h"
#include "workloads/trace/trace.h"
#include "bench/run/trace_label.h"

struct replay_opts {
	const char *spill_max; /* NULL: SPILLFILE_MAX_DEFAULT */
	const char *out, *snap_out, *workload;
	bool quiet, skip_bad, cached_hole;
	u64 workers; /* 0: the CPUs online */
};

static const struct cli_opt replay_opts[] = {
	CLI_OPT_OUT("out", "FILE", struct replay_opts, out,
		    "write the CSV: one row per trace and configuration, atomically; '-' for stdout"),
	CLI_OPT_OUT("snapshots-out", "FILE", struct replay_opts, snap_out,
		    "the per-snapshot CSV (with --snapshots or a recording; default: beside --out, "
		    "NAME.snapshots.csv)"),
	CLI_OPT_FLAG("quiet", struct replay_opts, quiet, "no table on stdout"),
	CLI_OPT_STR("workload", "SPEC", struct replay_opts, workload,
		    "whose work the workload_ columns count: tree:PID, comm:NAME, pid:N, cgroup:/PATH or "
		    "all (default: the recorded command's process tree where the trace names it, else "
		    "all); the machine and the other columns still take every event"),
	CLI_OPT_WORKERS(struct replay_opts, workers),
	CLI_OPT_STR("spill-max", "SIZE", struct replay_opts, spill_max,
		    "bound on each spill file (a trace past the memory window parsed into a temporary, a "
		    "gen: workload), K/M/G/T/P; default 8G; a spill also stops before its file system has "
		    "under 320 MiB free"),
	CLI_OPT_FLAG("skip-bad", struct replay_opts, skip_bad,
		     "count malformed trace lines instead of stopping"),
	CLI_OPT_CACHED_HOLE(struct replay_opts, cached_hole),
	CLI_OPT_END,
};

static const char *const replay_defaults[] = {"vmlist=all", "tlb=all", "buddy=all", NULL};

static const struct cli_cmd cli_replay = {
	.name = "replay",
	.synopsis = "TRACE...",
	.about =
		"Replays each TRACE (perf script, tracefs, strace, trace.dat or native; zstd or plain; "
		"parsed\n"
		"once, never held in memory) on a fresh machine per configuration: every combination of the\n"
		"settings' values, on -j worker threads, rows in the same order whatever -j. vmap events\n"
		"go through vmalloc on the vmlist variant, frees paired with their traced allocation; page\n"
		"events drive the zones' buddy allocators; process calls go to one address space per pid.\n"
		"A TRACE may be a recording directory (data/recordings/README.md): the machine is then the\n"
		"recorded one (zones, page state, vmalloc space) and the kernel's buddyinfo snapshots are\n"
		"the check; options override what the directory gives (docs/physical-fidelity.md).\n"
		"Columns (`mmreplay columns`): host_ ones are measurements, the rest deterministic. The\n"
		"table of the main columns (a recording's agreement with the kernel too) goes to stdout\n"
		"unless --quiet or --out -.",
	.opts = replay_opts,
	.min_args = 1,
	.max_args = 1u << 30,
	.settings = replay_defaults,
	.first_fastest = true,
};

/* The agreement with the kernel a recording carries, shown beside the brief columns when a
 * trace is a recording directory (the CSV has them all). */
static const char *const table_agreement[] = {
	"snaps_compared",	"snap_ufi9_err_max",	  "snap_ufi9_err_mean",	 "snap_free_pages_err_max",
	"vmap_addr_exact_warm", "vmap_addr_checked_warm", "vmalloc_end_matched", "vmalloc_end_areas",
};

/* A column's width: its name, at least 9, and for a setting its longest value. */
static int table_width(const struct metric *m, int trace_width)
{
	int w = MM_MAX((int)strlen(m->name), 9);
	const struct setting *s = settings_find(m->name);
	if (!strcmp(m->name, "trace"))
		return MM_MAX(trace_width, (int)strlen(m->name));
	for (size_t i = 0; s && s->value && s->value(i); i++)
		w = MM_MAX(w, (int)strlen(s->value(i)));
	return w;
}

static void table_cell(FILE *f, const struct metric *m, const struct metric_src *src, int trace_width)
{
	char buf[256];
	if (!src)
		snprintf(buf, sizeof(buf), "%s", m->name);
	else
		metric_value(m, src, 0, buf, sizeof(buf));
	fprintf(f, m->flags & METRIC_TEXT ? "%-*s " : "%*s ", table_width(m, trace_width), buf);
}

/* The brief columns as a table (the header when src is NULL), text left-aligned; with
 * agreement, a recording's agreement columns too. */
static void table_row(FILE *f, const struct metric_src *src, int trace_width, bool agreement)
{
	struct metric_iter it;
	for (const struct metric *m = metric_first(&it); m; m = metric_next(&it))
		if ((m->flags & (METRIC_IN_REPLAY | METRIC_BRIEF)) == (METRIC_IN_REPLAY | METRIC_BRIEF))
			table_cell(f, m, src, trace_width);
	for (size_t i = 0; agreement && i < MM_ARRAY_SIZE(table_agreement); i++) {
		const struct metric *m = metric_find(table_agreement[i], METRIC_IN_REPLAY);
		if (m)
			table_cell(f, m, src, trace_width);
	}
	fputc('\n', f);
}

struct replay_out {
	FILE *csv;
	bool table, agreement; /* agreement: a trace is a recording (table_agreement[]) */
	int trace_width;
	const struct matrix *m;
	struct task_spec wl;		 /* whose work the workload_ columns count */
	char **paths;			 /* the traces as given */
	struct recording_cfg **recs;	 /* [trace]: a file or recording and its files, while open */
	struct snapcheck_csv snap;	 /* the per-snapshot CSV */
	char (*labels)[TRACE_LABEL_MAX]; /* [trace]: its rows' label, unique in the run (trace_label.h) */
};

/* One configuration of one trace, run on a worker. */
struct replay_cell {
	struct replay_step step; /* run in steps (lockstep.h): the machine until replay_end */
	struct replay_row row;
	struct sim_cfg cfg; /* as built, for the memory note */
	char cfg_label[512];
	char err[600];
};

static const char *replay_spec(void *ctx, size_t trace)
{
	const struct replay_out *out = ctx;
	return out->paths[trace];
}

/* On the worker that opens the trace: the file, or the recording directory and its files. */
static const char *replay_prepare(void *ctx, size_t trace, struct mm_diag *d)
{
	const struct replay_out *out = ctx;
	struct recording_cfg *rc = malloc(sizeof(*rc));
	int e = rc ? recording_cfg_open(rc, out->paths[trace], true, d) : -ENOMEM;
	if (e) {
		if (e == -ENOMEM)
			diag_set(d, out->paths[trace], 0, "out of memory");
		if (rc)
			recording_cfg_close(rc);
		free(rc);
		return NULL;
	}
	snprintf(rc->label, sizeof(rc->label), "%s", out->labels[trace]); /* unique in the run */
	out->recs[trace] = rc;
	return rc->trace;
}

/* After the trace's last cell. */
static void replay_unprepare(void *ctx, size_t trace)
{
	const struct replay_out *out = ctx;
	recording_cfg_close(out->recs[trace]);
	free(out->recs[trace]);
	out->recs[trace] = NULL;
}

/* The cell's label and configuration in its slot: 0, or -EINVAL (the slot says why). */
static int replay_cell_cfg(const struct replay_out *out, const struct cells_job *job)
{
	struct replay_cell *c = job->slot;
	matrix_label(out->m, job->config, c->cfg_label, sizeof(c->cfg_label));
	if (recording_cfg_build(out->recs[job->trace], out->m, job->config, feed_facts(job->feed), &c->cfg,
				c->err, sizeof(c->err)))
		return -EINVAL;
	return 0;
}

static int replay_cell_run(void *ctx, const struct cells_job *job)
{
	const struct replay_out *out = ctx;
	struct replay_cell *c = job->slot;
	struct recording_cfg *rc = out->recs[job->trace];
	struct feed_pass p;
	struct run_source src;
	struct mm_diag d = {{0}};
	if (replay_cell_cfg(out, job))
		return -EINVAL;
	int e = feed_pass_open(job->feed, &p, job->progress, &src, &d);
	if (e) {
		snprintf(c->err, sizeof(c->err), "%s", d.msg);
		return e;
	}
	e = replay_run_src(rc->label, &src, &c->cfg, &out->wl, &c->row);
	if (e && feed_pass_diag(&p)->msg[0])
		snprintf(c->err, sizeof(c->err), "%s", feed_pass_diag(&p)->msg);
	else if (e)
		snprintf(c->err, sizeof(c->err), "%s: %s", rc->label, strerror(-e));
	feed_pass_close(&p);
	replay_row_drop_machine(&c->row); /* the row keeps the view */
	return e;
}

/* The same cell in steps, beside the trace's other configurations (lockstep.h). */
static int replay_cell_begin(void *ctx, const struct cells_job *job)
{
	const struct replay_out *out = ctx;
	struct replay_cell *c = job->slot;
	int e = replay_cell_cfg(out, job);
	if (!e && (e = replay_begin(&c->step, &c->cfg, &out->wl)))
		snprintf(c->err, sizeof(c->err), "%s: %s", out->recs[job->trace]->label, strerror(-e));
	return e;
}

static int replay_cell_step(void *ctx, const struct cells_job *job, const struct mm_event *ev, size_t n)
{
	struct replay_cell *c = job->slot;
	return replay_step(&c->step, ev, n);
}

static int replay_cell_end(void *ctx, const struct cells_job *job, int err, const struct mm_diag *d)
{
	const struct replay_out *out = ctx;
	struct replay_cell *c = job->slot;
	const char *label = out->recs[job->trace]->label;
	int e = replay_end(&c->step, err, label, &c->row);
	if (e && d && d->msg[0])
		snprintf(c->err, sizeof(c->err), "%s", d->msg);
	else if (e)
		snprintf(c->err, sizeof(c->err), "%s: %s", label, strerror(-e));
	replay_row_drop_machine(&c->row); /* the row keeps the view */
	return e;
}

/* In cell order: the CSV row, the table's, the snapshot rows. */
static int replay_cell_emit(void *ctx, const struct cells_job *job, int err)
{
	struct replay_out *out = ctx;
	struct replay_cell *c = job->slot;
	if (err) {
		fprintf(stderr, "mmreplay replay: %s\n", c->err);
		return MM_EXIT_FAIL;
	}
	if (job->trace == 0) /* a model that takes much memory says so, once per configuration */
		mem_note_config(stderr, "replay", c->cfg_label, &c->cfg);
	if (job->config == 0 && c->row.wl.counted) { /* whose work, once per trace */
		u64 all = c->row.st.events - c->row.st.outcome[SIM_NOTED];
		fprintf(stderr,
			"mmreplay replay: %s: the workload_ columns count %s: %llu of %llu events (%.1f %%); "
			"the other columns are the whole machine's (--workload all: everyone's)\n",
			c->row.trace, c->row.wl.label, (unsigned long long)c->row.wl.events,
			(unsigned long long)all, all ? 100.0 * (double)c->row.wl.events / (double)all : 0.0);
	}
	struct metric_src src = {.trace = c->row.trace,
				 .config = c->cfg_label,
				 .st = &c->row.st,
				 .host = &c->row.host,
				 .wl = &c->row.wl};
	if (out->csv)
		metrics_csv_row(out->csv, METRIC_IN_REPLAY, &src);
	if (out->table)
		table_row(stdout, &src, out->trace_width, out->agreement);
	recording_cfg_warn(out->recs[job->trace], "replay", &c->row.st);
	mem_note_row(stderr, "replay", out->recs[job->trace]->label, c->cfg_label, &c->row.st);
	int e = snapcheck_csv_rows(&out->snap, c->row.trace, c->cfg_label, c->row.snap_rows,
				   c->row.nsnap_rows);
	if (e) {
		fprintf(stderr, "mmreplay replay: %s: %s\n", out->snap.path,
			snapcheck_csv_error(&out->snap, e));
		return MM_EXIT_FAIL;
	}
	return 0;
}

static void replay_cell_release(void *ctx, const struct cells_job *job)
{
	struct replay_cell *c = job->slot;
	replay_row_fini(&c->row);
}

static void replay_opened(void *ctx, size_t trace, const struct feed *f)
{
	const struct replay_out *out = ctx;
	const struct trace_stats *st = feed_stats(f);
	if (st->skipped)
		fprintf(stderr, "mmreplay replay: %s: %llu malformed lines skipped (first: %s)\n",
			out->recs[trace]->trace, (unsigned long long)st->skipped, st->first_skip);
}

/* Whether a configuration of m takes something from the trace, or cannot be built alone (its
 * cell says why), or a trace is a recording (its values are settings too). */
static bool replay_need_facts(const struct replay_out *out, size_t ntraces)
{
	for (size_t i = 0; i < ntraces; i++)
		if (recording_is_dir(out->paths[i]))
			return true;
	for (size_t k = 0; k < matrix_size(out->m); k++) {
		struct sim_cfg cfg;
		char err[512];
		if (matrix_cfg(out->m, k, &cfg, err, sizeof(err)) || feed_cfg_needs_facts(&cfg))
			return true;
	}
	return false;
}

/* Every configuration of m on every trace, on the workers, rows in order. */
static int replay_traces(struct replay_out *out, size_t ntraces, const struct trace_opts *topts,
			 unsigned workers)
{
	struct progress prog;
	progress_init(&prog, "replay");
	size_t nconf = matrix_size(out->m);
	out->recs = calloc(ntraces, sizeof(*out->recs));
	if (!out->recs)
		return MM_EXIT_FAIL;
	struct cells_run r = {.cmd = "replay",
			      .ntraces = ntraces,
			      .nconfigs = nconf,
			      .spec = replay_spec,
			      .prepare = replay_prepare,
			      .unprepare = replay_unprepare,
			      .ncells = ntraces * nconf,
			      .passes = 1,
			      .need_facts = replay_need_facts(out, ntraces),
			      .topts = *topts,
			      .workers = workers,
			      .slot_size = sizeof(struct replay_cell),
			      .run = replay_cell_run,
			      .emit = replay_cell_emit,
			      .release = replay_cell_release,
			      .opened = replay_opened,
			      .ctx = out,
			      .progress = &prog};
	if (lockstep_fits(out->m)) { /* else a trace read once is spilled */
		r.begin = replay_cell_begin;
		r.step = replay_cell_step;
		r.end = replay_cell_end;
	}
	int rc = cells_run(&r) ? MM_EXIT_FAIL : MM_EXIT_OK;
	free(out->recs);
	out->recs = NULL;
	return rc;
}

/* NAME.csv -> NAME.snapshots.csv beside it; NULL without --out (or --out -). */
static const char *replay_snap_path(const char *out, char *buf, size_t len)
{
	if (!out || !strcmp(out, "-"))
		return NULL;
	size_t n = strlen(out);
	if (n > 4 && !strcmp(out + n - 4, ".csv"))
		n -= 4;
	snprintf(buf, len, "%.*s.snapshots.csv", (int)n, out);
	return buf;
}

/* Publish c (or drop it when the run failed). */
static int replay_commit(struct csv *c, const char *path, int rc)
{
	int e;
	if (rc != MM_EXIT_OK) {
		csv_abort(c);
	} else if ((e = csv_commit(c))) {
		fprintf(stderr, "mmreplay replay: %s: %s\n", path, csv_error(c, e));
		rc = MM_EXIT_FAIL;
	}
	return rc;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_opts o = {0};
	struct matrix *m = malloc(sizeof(*m));
	int first = 0, rc = m ? cli_parse(&cli_replay, argc, argv, &o, m, &first) : MM_EXIT_FAIL;
	if (rc == CLI_RUN)
		rc = cli_cached_hole(&cli_replay, o.cached_hole, m);
	if (rc == CLI_RUN && o.spill_max && spill_cli_set(o.spill_max))
		rc = cli_error(&cli_replay, "--spill-max '%s': a size from 1M to 1P (K, M, G, T or P)",
			       o.spill_max);
	struct replay_out out = {.table = !o.quiet && !(o.out && !strcmp(o.out, "-")), .trace_width = 5};
	char werr[400];
	if (rc == CLI_RUN && task_spec_parse(o.workload, &out.wl, werr, sizeof(werr)))
		rc = cli_error(&cli_replay, "--workload: %s", werr);
	if (rc != CLI_RUN) {
		free(m);
		return rc;
	}
	struct trace_opts topts = {.skip_bad = o.skip_bad};
	bool csv_stdout = o.out && !strcmp(o.out, "-");
	struct csv csv = {0};
	if (o.out && !csv_stdout && (rc = csv_open(&csv, o.out))) {
		fprintf(stderr, "mmreplay replay: %s: %s\n", o.out, csv_error(&csv, rc));
		free(m);
		return MM_EXIT_FAIL;
	}
	out.csv = csv_stdout ? stdout : csv.f;
	if (out.csv)
		metrics_csv_header(out.csv, METRIC_IN_REPLAY, NULL);
	char(*labels)[TRACE_LABEL_MAX] = calloc((size_t)(argc - first) + 1, sizeof(*labels));
	if (!labels || trace_labels((const char *const *)argv + first, (size_t)(argc - first),
				    TRACE_LABEL_FILE, labels)) {
		fprintf(stderr, "mmreplay replay: out of memory\n");
		free(labels);
		free(m);
		if (o.out && !csv_stdout)
			csv_abort(&csv);
		return MM_EXIT_FAIL;
	}
	for (int i = first; i < argc; i++) {
		out.trace_width = MM_MAX(out.trace_width, (int)strlen(labels[i - first]));
		out.agreement |= recording_is_dir(argv[i]);
	}
	if (out.table) {
		table_row(stdout, NULL, out.trace_width, out.agreement);
		fflush(stdout);
	}
	char snap_path[4200];
	out.snap.path = o.snap_out ? o.snap_out : replay_snap_path(o.out, snap_path, sizeof(snap_path));
	out.m = m;
	out.paths = argv + first;
	out.labels = labels;
	rc = replay_traces(&out, (size_t)(argc - first), &topts, (unsigned)o.workers);
	free(labels);
	free(m);
	if (o.out && !csv_stdout)
		rc = replay_commit(&csv, o.out, rc);
	int e = snapcheck_csv_close(&out.snap, rc == MM_EXIT_OK);
	if (e) {
		fprintf(stderr, "mmreplay replay: %s: %s\n", out.snap.path,
			snapcheck_csv_error(&out.snap, e));
		rc = MM_EXIT_FAIL;
	}
	return rc;
}
