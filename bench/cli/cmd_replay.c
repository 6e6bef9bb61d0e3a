/* mmreplay replay: every configuration of the settings given (by default every vmlist x tlb x
 * buddy variant) over every trace, each trace parsed once; one CSV row per (trace,
 * configuration), from the metrics registry, and the brief columns as a table on stdout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "csv.h"
#include "mem_note.h"
#include "metrics.h"
#include "recording_cfg.h"
#include "replay.h"
#include "snapcsv.h"
#include "trace.h"
#include "trace_label.h"

struct replay_opts {
	const char *out, *snap_out;
	bool quiet, skip_bad, cached_hole;
};

static const struct cli_opt replay_opts[] = {
	CLI_OPT_STR("out", "FILE", struct replay_opts, out,
		    "write the CSV: one row per trace and configuration, atomically; '-' for stdout"),
	CLI_OPT_STR("snapshots-out", "FILE", struct replay_opts, snap_out,
		    "the per-snapshot CSV (with --snapshots or a recording; default: beside --out, "
		    "NAME.snapshots.csv)"),
	CLI_OPT_FLAG("quiet", struct replay_opts, quiet, "no table on stdout"),
	CLI_OPT_FLAG("skip-bad", struct replay_opts, skip_bad,
		     "count malformed trace lines instead of stopping"),
	CLI_OPT_FLAG("cached-hole", struct replay_opts, cached_hole,
		     "alias: rbtree in --vmlist means rbtree_cache (the free_vmap_cache shortcut)"),
	CLI_OPT_END,
};

static const char *const replay_defaults[] = {"vmlist=all", "tlb=all", "buddy=all", NULL};

static const struct cli_cmd cli_replay = {
	.name = "replay",
	.synopsis = "TRACE...",
	.about =
		"Replays each TRACE (perf script, tracefs, strace or native; zstd or plain; parsed once) on\n"
		"a fresh machine per configuration: every combination of the settings' values. vmap events\n"
		"go through vmalloc on the vmlist variant, frees paired with their traced allocation; page\n"
		"events drive the zones' buddy allocators; process calls go to one address space per pid.\n"
		"A TRACE may be a recording directory (data/recordings/README.md): the machine is then the\n"
		"recorded one (zones, page state, vmalloc space) and the kernel's buddyinfo snapshots are\n"
		"the check; options override what the directory gives (docs/physical-fidelity.md).\n"
		"Columns (`mmreplay columns`): host_ ones are measurements, the rest deterministic. The\n"
		"table of the main columns goes to stdout unless --quiet or --out -.",
	.opts = replay_opts,
	.min_args = 1,
	.max_args = 1u << 30,
	.settings = replay_defaults,
	.first_fastest = true,
};

#define TABLE_MAX_COLS 64

/* The brief columns as a table: widths from the names, text left-aligned. */
static void table_row(FILE *f, const struct metric_src *src, int trace_width, bool header)
{
	char buf[256];
	struct metric_iter it;
	for (const struct metric *m = metric_first(&it); m; m = metric_next(&it)) {
		if ((m->flags & (METRIC_IN_REPLAY | METRIC_BRIEF)) != (METRIC_IN_REPLAY | METRIC_BRIEF))
			continue;
		int w = (int)strlen(m->name);
		w = !strcmp(m->name, "trace") ? MM_MAX(trace_width, w) : MM_MAX(w, 9);
		if (header)
			snprintf(buf, sizeof(buf), "%s", m->name);
		else
			metric_value(m, src, 0, buf, sizeof(buf));
		fprintf(f, m->flags & METRIC_TEXT ? "%-*s " : "%*s ", w, buf);
	}
	fputc('\n', f);
}

struct replay_out {
	FILE *csv;
	bool table, progress;
	int trace_width;
	struct snapcsv snap; /* the per-snapshot CSV */
};

/* Configuration k of m on one loaded trace: a row of the CSV and the table. */
static int replay_one(const struct matrix *m, size_t k, struct recording_cfg *rc, const struct mm_trace *t,
		      const struct sim_trace_facts *tf, struct replay_out *out, bool first)
{
	struct sim_cfg cfg;
	char err[512];
	if (recording_cfg_build(rc, m, k, tf, &cfg, err, sizeof(err))) {
		fprintf(stderr, "mmreplay replay: %s\n", err);
		return MM_EXIT_FAIL;
	}
	struct replay_row *row = calloc(1, sizeof(*row));
	int e = row ? replay_run(rc->label, t->ev, t->n, &cfg, row) : -ENOMEM;
	if (e) {
		fprintf(stderr, "mmreplay replay: %s: %s\n", rc->label, strerror(-e));
		free(row);
		return MM_EXIT_FAIL;
	}
	char label[512];
	matrix_label(m, k, label, sizeof(label));
	if (first) /* issue 14: a model that takes much memory says so, once per configuration */
		mem_note_config(stderr, "replay", label, &cfg);
	struct metric_src src = {.trace = row->trace, .config = label, .st = &row->st, .host = &row->host};
	if (out->csv)
		metrics_csv_row(out->csv, METRIC_IN_REPLAY, &src);
	if (out->table)
		table_row(stdout, &src, out->trace_width, false);
	recording_cfg_warn(rc, "replay", &row->st);
	mem_note_row(stderr, "replay", rc->label, label, &row->st);
	if ((e = snapcsv_rows(&out->snap, row->trace, label, row->snap_rows, row->nsnap_rows)))
		fprintf(stderr, "mmreplay replay: %s: %s\n", out->snap.path, snapcsv_error(&out->snap, e));
	replay_row_fini(row);
	free(row);
	return e ? MM_EXIT_FAIL : MM_EXIT_OK;
}

/* Every configuration of m on one trace (a file or a recording directory), its rows named label
 * (trace_label.h); first: the run's first trace. */
static int replay_trace(const struct matrix *m, const char *path, const char *label,
			const struct trace_opts *topts, struct replay_out *out, bool first)
{
	struct mm_trace t;
	struct mm_diag d = {{0}};
	struct recording_cfg *rc = malloc(sizeof(*rc));
	int e = rc ? recording_cfg_open(rc, path, true, &d) : -ENOMEM;
	if (!e) {
		snprintf(rc->label, sizeof(rc->label), "%s", label); /* issue 14: unique in the run */
		e = trace_load(rc->trace, topts, &t, &d);
	}
	if (e) {
		fprintf(stderr, "mmreplay replay: %s\n", d.msg[0] ? d.msg : strerror(-e));
		if (rc)
			recording_cfg_close(rc);
		free(rc);
		return MM_EXIT_FAIL;
	}
	if (t.stats.skipped)
		fprintf(stderr, "mmreplay replay: %s: %llu malformed lines skipped (first: %s)\n", rc->trace,
			(unsigned long long)t.stats.skipped, t.stats.first_skip);
	struct sim_trace_facts tf;
	sim_trace_facts(t.ev, t.n, &tf);
	size_t nconf = matrix_size(m);
	int res = MM_EXIT_OK;
	for (size_t k = 0; k < nconf && res == MM_EXIT_OK; k++) {
		if (out->progress)
			fprintf(stderr, "\r%s: %zu/%zu", rc->label, k + 1, nconf);
		res = replay_one(m, k, rc, &t, &tf, out, first);
	}
	if (out->progress)
		fputc('\n', stderr);
	trace_free(&t);
	recording_cfg_close(rc);
	free(rc);
	return res;
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
	if (rc == CLI_RUN && o.cached_hole &&
	    matrix_rename(m, settings_find("vmlist"), "rbtree", "rbtree_cache"))
		rc = cli_error(&cli_replay, "--cached-hole: too many values");
	if (rc != CLI_RUN) {
		free(m);
		return rc;
	}
	struct trace_opts topts = {.skip_bad = o.skip_bad};
	bool csv_stdout = o.out && !strcmp(o.out, "-");
	struct replay_out out = {.table = !o.quiet && !csv_stdout, .trace_width = 5};
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
	for (int i = first; i < argc; i++)
		out.trace_width = MM_MAX(out.trace_width, (int)strlen(labels[i - first]));
	out.progress = isatty(STDERR_FILENO) && (!out.table || !isatty(STDOUT_FILENO));
	if (out.table)
		table_row(stdout, NULL, out.trace_width, true);
	char snap_path[4200];
	out.snap.path = o.snap_out ? o.snap_out : replay_snap_path(o.out, snap_path, sizeof(snap_path));
	rc = MM_EXIT_OK;
	for (int i = first; i < argc && rc == MM_EXIT_OK; i++)
		rc = replay_trace(m, argv[i], labels[i - first], &topts, &out, i == first);
	free(labels);
	free(m);
	if (o.out && !csv_stdout)
		rc = replay_commit(&csv, o.out, rc);
	int e = snapcsv_close(&out.snap, rc == MM_EXIT_OK);
	if (e) {
		fprintf(stderr, "mmreplay replay: %s: %s\n", out.snap.path, snapcsv_error(&out.snap, e));
		rc = MM_EXIT_FAIL;
	}
	return rc;
}
