/* mmreplay replay: every configuration of the settings given (by default every vmlist x tlb x
 * buddy variant) over every trace, each trace parsed once; one CSV row per (trace,
 * configuration), from the metrics registry, and the brief columns as a table on stdout. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "csv.h"
#include "metrics.h"
#include "mem_note.h"
#include "replay.h"
#include "trace.h"
#include "trace_label.h"

struct replay_opts {
	const char *out;
	bool quiet, skip_bad, cached_hole;
};

static const struct cli_opt replay_opts[] = {
	CLI_OPT_STR("out", "FILE", struct replay_opts, out,
		    "write the CSV: one row per trace and configuration, atomically; '-' for stdout"),
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

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

struct replay_out {
	FILE *csv;
	bool table, progress;
	int trace_width;
};

/* Every configuration of m on one trace, its rows named label (trace_label.h). */
static int replay_trace(const struct matrix *m, const char *path, const char *label,
			const struct trace_opts *topts, struct replay_out *out, bool first)
{
	struct mm_trace t;
	struct mm_diag d = {{0}};
	int e = trace_load(path, topts, &t, &d);
	if (e) {
		fprintf(stderr, "mmreplay replay: %s\n", d.msg[0] ? d.msg : strerror(-e));
		return MM_EXIT_FAIL;
	}
	if (t.stats.skipped)
		fprintf(stderr, "mmreplay replay: %s: %llu malformed lines skipped (first: %s)\n", path,
			(unsigned long long)t.stats.skipped, t.stats.first_skip);
	struct sim_trace_facts tf;
	sim_trace_facts(t.ev, t.n, &tf);
	size_t nconf = matrix_size(m);
	int rc = MM_EXIT_OK;
	for (size_t k = 0; k < nconf && rc == MM_EXIT_OK; k++) {
		struct sim_cfg cfg;
		struct replay_row *row = calloc(1, sizeof(*row));
		char err[512];
		if (!row || replay_cfg(m, k, &tf, &cfg, err, sizeof(err))) {
			fprintf(stderr, "mmreplay replay: %s\n", row ? err : "out of memory");
			free(row);
			rc = MM_EXIT_FAIL;
			break;
		}
		char cfg_label[512];
		matrix_label(m, k, cfg_label, sizeof(cfg_label));
		if (first) /* issue 14: a model that takes much memory says so, once */
			mem_note_config(stderr, "replay", cfg_label, &cfg);
		if (out->progress)
			fprintf(stderr, "\r%s: %zu/%zu", label, k + 1, nconf);
		e = replay_run(label, t.ev, t.n, &cfg, row);
		if (e) {
			fprintf(stderr, "mmreplay replay: %s: %s\n", path, strerror(-e));
			rc = MM_EXIT_FAIL;
		} else {
			struct metric_src src = {.trace = row->trace, .st = &row->st, .host = &row->host};
			if (out->csv)
				metrics_csv_row(out->csv, METRIC_IN_REPLAY, &src);
			if (out->table)
				table_row(stdout, &src, out->trace_width, false);
			mem_note_row(stderr, "replay", label, cfg_label, &row->st);
			replay_row_fini(row);
		}
		free(row);
	}
	if (out->progress)
		fputc('\n', stderr);
	trace_free(&t);
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
	char(*labels)[TRACE_LABEL_MAX] = calloc((size_t)(argc - first), sizeof(*labels));
	if (!labels || trace_labels((const char *const *)argv + first, (size_t)(argc - first), TRACE_LABEL_FILE,
				    labels)) {
		fprintf(stderr, "mmreplay replay: out of memory\n");
		free(labels);
		free(m);
		if (out.csv == csv.f && csv.f)
			csv_abort(&csv);
		return MM_EXIT_FAIL;
	}
	for (int i = first; i < argc; i++)
		out.trace_width = MM_MAX(out.trace_width, (int)strlen(labels[i - first]));
	out.progress = isatty(STDERR_FILENO) && (!out.table || !isatty(STDOUT_FILENO));
	if (out.table)
		table_row(stdout, NULL, out.trace_width, true);
	rc = MM_EXIT_OK;
	for (int i = first; i < argc && rc == MM_EXIT_OK; i++)
		rc = replay_trace(m, argv[i], labels[i - first], &topts, &out, i == first);
	free(labels);
	free(m);
	if (o.out && !csv_stdout) {
		int e;
		if (rc != MM_EXIT_OK) {
			csv_abort(&csv);
		} else if ((e = csv_commit(&csv))) {
			fprintf(stderr, "mmreplay replay: %s: %s\n", o.out, csv_error(&csv, e));
			rc = MM_EXIT_FAIL;
		}
	}
	return rc;
}
