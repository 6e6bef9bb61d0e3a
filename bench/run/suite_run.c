#include "bench/run/suite_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workloads/infile.h"
#include "bench/run/cells.h"
#include "bench/host/clock.h"
#include "bench/mm_exit.h"
#include "bench/output/csv.h"
#include "bench/host/hostinfo.h"
#include "bench/output/metrics.h"
#include "bench/run/recording_cfg.h"
#include "bench/run/replay.h"
#include "bench/output/report.h"
#include "bench/output/series.h"
#include "bench/output/shell.h"
#include "bench/output/snapcheck_csv.h"
#include "bench/run/suite_axes.h"
#include "bench/run/suite_cell.h"
#include "bench/run/suite_dir.h"
#include "bench/run/suite_interrupt.h"
#include "bench/run/suite_merge.h"
#include "bench/run/suite_prepare.h"
#include "bench/run/suite_table.h"
#include "bench/output/suite_plots.h"
#include "bench/run/trace_spec.h"

/* What suite_cells hands its cells (cells.h). */
struct suite_ctx {
	const struct suite *s;
	const struct suite_run_opts *o;
	const struct suite_jobs *jobs;
	FILE *summary;		     /* a whole run's, written as cells finish; NULL for jobs */
	struct snapcheck_csv *snaps; /* the same for the snapshots */
	int width, cwidth;	     /* of the table's trace and config columns */
	char (*labels)[128];	     /* [trace] */
	struct recording_cfg **recs; /* [trace]: a file or recording and its files; NULL for gen: */
	size_t failed;		     /* cells that failed (jobs and resume go on past them) */
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
	struct task_spec wl;
	char werr[400];
	if (!err && task_spec_parse(s->workload, &wl, werr, sizeof(werr))) /* checked when loaded */
		wl.kind = TASK_SPEC_DEFAULT;
	if (!err)
		err = suite_cell_timed(label, job->feed, job->progress, &cfg, &wl, s->repeats, &c->row,
				       &c->h);
	if (err > 0)
		err = -EIO; /* c->err says why */
	else if (err)
		snprintf(c->err, sizeof(c->err), "%s %s: %s", label, c->cfg_label, strerror(-err));
	replay_row_drop_machine(&c->row);
	return err;
}

static size_t job_of(const struct suite_jobs *j, size_t cell)
{
	size_t lo = 0, hi = j->n;
	while (lo + 1 < hi) {
		size_t mid = (lo + hi) / 2;
		if (j->cell[mid] <= cell)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The job's own files: DIR/cells/cell-J.csv (plan, job, the summary's columns) and its
 * snapshots; or DIR/cells/cell-J.err with why it failed. 0 or -errno after a message. */
static int cell_files(const struct suite_ctx *sc, size_t job, const struct metric_src *src,
		      const struct replay_row *row, const char *why)
{
	char rel[64], snap_rel[64];
	struct csv w;
	suite_dir_cell_rel(job, why ? "err" : "csv", rel, sizeof(rel));
	int err = csv_open_in(&w, sc->o->out_dir, rel);
	if (err) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", w.out.path, csv_error(&w, err));
		return err;
	}
	if (why) {
		fprintf(w.f, "%s\n", why);
		return csv_commit(&w);
	}
	fputs("plan,job,", w.f);
	metrics_csv_header(w.f, METRIC_IN_SUMMARY, NULL);
	fprintf(w.f, "%s,%zu,", sc->jobs->id, job);
	metrics_csv_row(w.f, METRIC_IN_SUMMARY, src);
	suite_dir_snap_rel(job, snap_rel, sizeof(snap_rel));
	struct snapcheck_csv snaps = {.root = sc->o->out_dir, .path = snap_rel};
	err = snapcheck_csv_rows(&snaps, src->trace, src->config, row->snap_rows, row->nsnap_rows);
	int serr = snapcheck_csv_close(&snaps, !err);
	if (err || serr) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", snap_rel, strerror(-(err ? err : serr)));
		csv_abort(&w);
		return err ? err : serr;
	}
	if ((err = csv_commit(&w))) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", w.out.path, csv_error(&w, err));
		return err;
	}
	suite_dir_cell_rel(job, "err", rel, sizeof(rel));
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", sc->o->out_dir, rel);
	unlink(path); /* an earlier failure of this job, now done */
	return 0;
}

/* In cell order: the cell's file, the summary row, the kernel's snapshots, the table's row. */
static int suite_cell_emit(void *ctx, const struct cells_job *job, int err)
{
	struct suite_ctx *sc = ctx;
	struct suite_cell *c = job->slot;
	const char *label = sc->labels[job->trace];
	size_t jn = job_of(sc->jobs, job->cell);
	if (err) {
		fprintf(stderr, "mmreplay suite: %s\n", c->err);
		cell_files(sc, jn, NULL, NULL, c->err);
		sc->failed++;
		return sc->summary ? MM_EXIT_FAIL : 0; /* a whole run stops; jobs and resume go on */
	}
	c->h.lat = c->lat;
	struct metric_src src = {
		.trace = label, .config = c->cfg_label, .st = &c->row.st, .host = &c->h, .wl = &c->row.wl};
	/* Ctrl-C counts the cell files: one lands only with its count (the workers hold the
	 * signals, so this thread takes them). */
	sigset_t sigs;
	outfile_signals_hold(&sigs);
	int ferr = cell_files(sc, jn, &src, &c->row, NULL);
	if (!ferr)
		suite_interrupt_count();
	outfile_signals_release(&sigs);
	if (ferr)
		return MM_EXIT_FAIL;
	if (sc->summary)
		metrics_csv_row(sc->summary, METRIC_IN_SUMMARY, &src);
	if (sc->recs[job->trace]) /* the kernel's snapshots, exhaustion */
		recording_cfg_warn(sc->recs[job->trace], "suite", &c->row.st);
	if (sc->snaps &&
	    (err = snapcheck_csv_rows(sc->snaps, label, c->cfg_label, c->row.snap_rows, c->row.nsnap_rows))) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", sc->snaps->c.out.path,
			snapcheck_csv_error(sc->snaps, err));
		return MM_EXIT_FAIL;
	}
	if (sc->o->table)
		suite_table_row(&src, sc->width, sc->cwidth, c->facets);
	return 0;
}

/* A job whose trace could not be read: DIR/cells/cell-J.err says why. */
static void suite_cell_unread(void *ctx, const struct cells_job *job, const char *msg)
{
	struct suite_ctx *sc = ctx;
	cell_files(sc, job_of(sc->jobs, job->cell), NULL, NULL, msg);
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

/* DIR/prepared/trace-NNN.mmr: trace ti converted to the native format once (suite_prepare.h). */
static bool prepared_path(const struct suite_ctx *sc, size_t ti, char *buf, size_t len)
{
	suite_prepared_path(sc->o->out_dir, ti, buf, len);
	return sc->o->use_prepared && !infile_check(buf, INFILE_REGULAR, &(struct mm_diag){{0}});
}

/* On the worker that opens the trace: a file or recording directory with its files
 * (recording_cfg.h), its trace read from the prepared native file where there is one; a gen:
 * workload is its own source. */
static const char *suite_prepare(void *ctx, size_t trace, struct mm_diag *d)
{
	const struct suite_ctx *sc = ctx;
	const char *spec = sc->s->traces[trace];
	char native[RECORDING_PATH_MAX];
	bool prepared = prepared_path(sc, trace, native, sizeof(native));
	if (!strncmp(spec, "gen:", 4) && !prepared)
		return spec;
	struct recording_cfg *rec = malloc(sizeof(*rec));
	int err = rec ? recording_cfg_open(rec, prepared && !recording_is_dir(spec) ? native : spec, true, d)
		      : -ENOMEM;
	if (err) {
		if (!rec || err == -ENOMEM)
			diag_set(d, spec, 0, "out of memory");
		if (rec)
			recording_cfg_close(rec);
		free(rec);
		return NULL;
	}
	if (prepared)
		snprintf(rec->trace, sizeof(rec->trace), "%s", native);
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

/* Run jobs[0..n) of the plan on the workers (cells.h), each trace read once. */
static int suite_cells(const struct suite *s, const struct suite_run_opts *o, const struct suite_jobs *j,
		       const size_t *jobs, size_t n, FILE *sum, struct snapcheck_csv *snaps)
{
	struct suite_ctx sc = {.s = s,
			       .o = o,
			       .jobs = j,
			       .summary = sum,
			       .snaps = snaps,
			       .cwidth = suite_table_config_width(s),
			       .labels = calloc(s->ntraces, 128),
			       .recs = calloc(s->ntraces, sizeof(*sc.recs))};
	size_t *cells = calloc(n + 1, sizeof(*cells));
	struct progress prog;
	int rc = sc.labels && sc.recs && cells ? 0 : -ENOMEM;
	for (size_t ti = 0; !rc && ti < s->ntraces; ti++)
		suite_trace_label(s, ti, sc.labels[ti], sizeof(sc.labels[ti])); /* unique */
	for (size_t k = 0; !rc && k < n; k++)
		cells[k] = j->cell[jobs[k]];
	sc.width = rc ? 5 : suite_table_label_width(sc.labels, s->ntraces);
	if (!rc && o->table)
		suite_table_header(sc.width, sc.cwidth);
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
			      .unread = suite_cell_unread,
			      .release = suite_cell_release,
			      .ctx = &sc,
			      .progress = &prog};
	if (!rc)
		rc = cells_run(&r);
	free(cells);
	free(sc.labels);
	free(sc.recs);
	return rc || sc.failed ? MM_EXIT_FAIL : MM_EXIT_OK;
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

/* The graphs and the report page of a complete directory. */
static int suite_finish(const struct suite_run_opts *o)
{
	int rc = MM_EXIT_OK;
	if (o->plots && suite_plots(o->out_dir, "suite", stderr))
		rc = MM_EXIT_FAIL;
	if (suite_command(o) || report_write(o->out_dir, "suite"))
		rc = MM_EXIT_FAIL;
	else
		fprintf(stderr, "  %s/index.html (the report page)\n", o->out_dir);
	return rc;
}

/* A whole run: plan the cells (suite_axes.h), say which are skipped, write traces.csv,
 * skipped.csv and the plan (the outputs of any earlier run removed), then every cell. */
static int suite_run_all(const struct suite *s, const struct suite_run_opts *o)
{
	struct suite_plan plan;
	struct suite_jobs j;
	struct mm_diag d;
	if (suite_plan_build(s, s->every_cell, &plan, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	suite_plan_print(s, &plan, stderr);
	int err = suite_plan_write(s, &plan, o->out_dir);
	if (!err && (err = suite_jobs_make(s, &plan, &j)))
		fprintf(stderr, "mmreplay suite: out of memory\n");
	suite_plan_free(&plan);
	if (err)
		return MM_EXIT_FAIL;
	size_t *all = malloc((j.n + 1) * sizeof(*all));
	if (!all || suite_dir_write(o->out_dir, s, &j, true, stderr)) {
		free(all);
		suite_jobs_free(&j);
		return MM_EXIT_FAIL;
	}
	suite_dir_mark(o->out_dir, &j, true);
	for (size_t k = 0; k < j.n; k++)
		all[k] = k;
	struct snapcheck_csv snaps = {.root = o->out_dir, .path = "snapshots.csv"}; /* per snapshot */
	struct csv sum;
	if ((err = csv_open_in(&sum, o->out_dir, "summary.csv"))) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", sum.out.path, csv_error(&sum, err));
		free(all);
		suite_jobs_free(&j);
		return MM_EXIT_FAIL;
	}
	metrics_csv_header(sum.f, METRIC_IN_SUMMARY, NULL);
	suite_interrupt_arm(o->out_dir, 0, j.n);
	int rc = suite_cells(s, o, &j, all, j.n, sum.f, &snaps);
	suite_interrupt_disarm();
	free(all);
	if ((err = snapcheck_csv_close(&snaps, rc == MM_EXIT_OK)) && rc == MM_EXIT_OK) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", snaps.c.out.path,
			snapcheck_csv_error(&snaps, err));
		rc = MM_EXIT_FAIL;
	}
	if (rc == MM_EXIT_OK && (err = csv_commit(&sum))) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", sum.out.path, csv_error(&sum, err));
		rc = MM_EXIT_FAIL;
	} else if (rc != MM_EXIT_OK) {
		csv_abort(&sum);
		fprintf(stderr,
			"mmreplay suite: stopped: %zu of %zu cells done (`mmreplay suite --resume %s`)\n",
			suite_interrupt_done(), j.n, o->out_dir);
	}
	if (rc == MM_EXIT_OK)
		suite_dir_mark(o->out_dir, &j, false);
	suite_jobs_free(&j);
	if (rc == MM_EXIT_OK && o->table)
		fflush(stdout);
	return rc == MM_EXIT_OK ? suite_finish(o) : rc;
}

/* DIR's plan, which must be this suite's. 0, or an exit code after a message. */
static int suite_run_plan_of(const struct suite *s, const struct suite_run_opts *o, struct suite_jobs *j)
{
	struct mm_diag d;
	int err = suite_dir_read(o->out_dir, j, &d);
	if (err == -ENOENT) {
		fprintf(stderr,
			"mmreplay suite: %s has no plan: `mmreplay suite --list-jobs` or `--prepare` with "
			"--out %s writes it\n",
			o->out_dir, o->out_dir);
		return MM_EXIT_USAGE;
	}
	if (err) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	if (!suite_dir_same_suite(o->out_dir, s)) {
		fprintf(stderr,
			"mmreplay suite: %s/plan.ini is another suite's plan (the suite file or the command "
			"line changed since it was planned): list the jobs again, or run %s/plan.ini\n",
			o->out_dir, o->out_dir);
		suite_jobs_free(j);
		return MM_EXIT_USAGE;
	}
	return 0;
}

/* Jobs [job_first, job_last] of DIR's plan, or (resume) every job not done, then the merge. */
static int suite_run_jobs(const struct suite *s, const struct suite_run_opts *o)
{
	struct suite_jobs j;
	struct suite_dir_state st = {0};
	int rc = suite_run_plan_of(s, o, &j);
	if (rc)
		return rc;
	size_t *run = malloc((j.n + 1) * sizeof(*run)), n = 0;
	if (!run || (o->resume && suite_dir_scan(o->out_dir, &j, &st))) {
		free(run);
		suite_jobs_free(&j);
		return MM_EXIT_FAIL;
	}
	if (o->resume) {
		for (size_t k = 0; k < j.n; k++)
			if (st.st[k] != SUITE_CELL_DONE)
				run[n++] = k;
		fprintf(stderr, "mmreplay suite: %s: %zu of %zu cells done, running the other %zu\n",
			o->out_dir, st.done, j.n, n);
	} else if ((size_t)o->job_last >= j.n) {
		fprintf(stderr, "mmreplay suite: --job %ld-%ld: the plan has %zu jobs (0-%zu)\n",
			o->job_first, o->job_last, j.n, j.n ? j.n - 1 : 0);
		rc = MM_EXIT_USAGE;
	} else {
		for (size_t k = (size_t)o->job_first; k <= (size_t)o->job_last; k++)
			run[n++] = k;
	}
	if (!rc && o->resume)
		suite_dir_mark(o->out_dir, &j, true);
	if (!rc) {
		suite_interrupt_arm(o->out_dir, st.done, j.n);
		rc = suite_cells(s, o, &j, run, n, NULL, NULL);
		suite_interrupt_disarm();
	}
	free(run);
	suite_dir_state_free(&st);
	suite_jobs_free(&j);
	if (rc || !o->resume)
		return rc;
	if (suite_merge_dir(o->out_dir, "suite"))
		return MM_EXIT_FAIL;
	return suite_finish(o);
}

int suite_run(const struct suite *s, const struct suite_run_opts *o)
{
	char err_s[512];
	for (size_t c = 0; c < suite_nconfigs(s); c++) {
		struct sim_cfg cfg;
		if (matrix_cfg(&s->axes, c, &cfg, err_s, sizeof(err_s))) {
			fprintf(stderr, "mmreplay suite: %s: %s\n", s->name, err_s);
			return MM_EXIT_USAGE;
		}
	}
	return o->job_first >= 0 || o->resume ? suite_run_jobs(s, o) : suite_run_all(s, o);
}
