/* mmreplay info: what a trace holds (events per kind, pids, cpus, time span, unknown events,
 * skipped lines), streamed so memory stays flat whatever the trace length. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/cli/info_by.h"
#include "bench/cli/info_rec.h"
#include "bench/cli/trace_cli.h"

struct info_opts {
	struct trace_cli tc; /* first: trace_cli_opts' offsets */
	bool csv;
	const char *by, *workload;
};

static const char *const info_bys[] = {"comm", "tree", "cgroup", NULL};

static const struct cli_opt info_opts[] = {
	CLI_OPT_FLAG("csv", struct info_opts, csv,
		     "print only 'kind,count' and one row per event kind (with --by: 'GROUP,kind,count')"),
	CLI_OPT_CHOICE("by", "WHAT", struct info_opts, by, info_bys,
		       "events per kind per command (comm), top-level process tree (tree; the recorded "
		       "command's tree is one group) or cgroup, from the trace's task records"),
	CLI_OPT_STR("workload", "SPEC", struct info_opts, workload,
		    "whose share to state: all, comm:NAME, pid:N, tree:PID, cgroup:/PATH (default: the "
		    "recorded command's process tree when the trace names it, else all)"),
	CLI_OPT_END,
};

static const struct cli_cmd info_cmd = {
	.name = "info",
	.synopsis = "TRACE|DIR",
	.about = "Reads TRACE (perf script, tracefs/trace-cmd report, trace-cmd trace.dat, strace -f or\n"
		 "native; plain or .zst; '-' for stdin) and prints its event counts per kind, the pids and\n"
		 "cpus seen, the time span, events of other kinds (by name) and skipped lines, what perf\n"
		 "lost, the recorded command, the tasks and the workload's share. A recording directory\n"
		 "DIR: the same of its trace, and its snapshots of the machine (start, end, the series)\n"
		 "with when they were read.",
	.opts = info_opts,
	.more = trace_cli_opts,
	.min_args = 1,
	.max_args = 1,
};

static void info_print(FILE *o, const char *path, enum trace_format fmt, const struct trace_stats *st)
{
	fprintf(o, "trace        %s (%s)\n", path, trace_format_name(fmt));
	if (fmt != TRACE_FMT_NATIVE && fmt != TRACE_FMT_TRACEDAT)
		fprintf(o, "lines        %" PRIu64 " (ignored %" PRIu64 ", skipped %" PRIu64 ")\n", st->lines,
			st->ignored, st->skipped);
	fprintf(o,
		"events       %" PRIu64 " (%" PRIu64
		" the kernel's own failed calls: replay counts them in skipped_traced_failed)\n",
		st->events, st->failed);
	if (st->kind[MME_LOST])
		fprintf(o,
			"lost         %" PRIu64
			" events perf lost while recording (%.3f %%; in no count here)\n",
			st->lost,
			100.0 * (double)st->lost / (double)(st->lost + st->events - st->kind[MME_LOST]));
	for (unsigned k = 1; k < MME_NR_KINDS; k++)
		if (st->kind[k])
			fprintf(o, "  %-12s %" PRIu64 "\n", mm_event_kind_name(k), st->kind[k]);
	fprintf(o, "pids         %" PRIu64 "\n", st->nr_pids);
	if (st->nr_cpus)
		fprintf(o, "cpus         %" PRIu64 " (highest %u)\n", st->nr_cpus, st->max_cpu);
	else
		fprintf(o, "cpus         not recorded\n");
	if (st->has_ts && st->events)
		fprintf(o,
			"time         first %" PRIu64 ".%09" PRIu64 " s, last %" PRIu64 ".%09" PRIu64
			" s, span %.6f s\n",
			st->first_ts / 1000000000, st->first_ts % 1000000000, st->last_ts / 1000000000,
			st->last_ts % 1000000000, (double)(st->max_ts - st->min_ts) / 1e9);
	else
		fprintf(o, "time         not recorded\n");
	if (st->joined || st->unresumed)
		fprintf(o, "strace       %" PRIu64 " unfinished calls joined, %" PRIu64 " never resumed\n",
			st->joined, st->unresumed);
	if (st->unordered)
		fprintf(o, "strace       %" PRIu64 " events delivered before their fork (hold window full)\n",
			st->unordered);
	fprintf(o, "unknown      %" PRIu64 " events of other kinds (skipped)\n", st->unknown);
	for (u32 i = 0; i < st->nr_unknown_names; i++)
		fprintf(o, "  %-30s %" PRIu64 "\n", st->unknown_names[i].name, st->unknown_names[i].count);
	if (st->unknown_other)
		fprintf(o, "  %-30s %" PRIu64 "\n", "(other names)", st->unknown_other);
	if (st->skipped)
		fprintf(o, "skipped      %" PRIu64 " malformed lines; first: %s\n", st->skipped,
			st->first_skip);
}

int cmd_info(int argc, char **argv)
{
	struct info_opts o = {0};
	struct trace_opts to;
	int first = 0, rc = cli_parse(&info_cmd, argc, argv, &o, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	if (trace_cli_get(&info_cmd, &o.tc, &to))
		return MM_EXIT_USAGE;
	bool csv = o.csv;
	const char *path = argv[first];
	struct trace_reader *r;
	struct mm_diag d = {{0}};
	struct recording *rec = NULL;
	if (recording_is_dir(path)) {
		rec = malloc(sizeof(*rec));
		if (!rec || recording_open(rec, path, &d)) {
			fprintf(stderr, "mmreplay info: %s\n", rec ? d.msg : "out of memory");
			free(rec);
			return MM_EXIT_FAIL;
		}
		path = rec->trace;
	}
	if (trace_open(path, &to, &r, &d)) {
		fprintf(stderr, "mmreplay info: %s\n", d.msg);
		free(rec);
		return MM_EXIT_FAIL;
	}
	struct task_spec spec;
	char err[200];
	if (task_spec_parse(o.workload, &spec, err, sizeof(err))) {
		fprintf(stderr, "mmreplay info: %s\n", err);
		trace_close(r);
		free(rec);
		return MM_EXIT_USAGE;
	}
	enum info_by by = INFO_BY_NONE;
	for (unsigned i = 0; o.by && info_bys[i]; i++)
		if (!strcmp(o.by, info_bys[i]))
			by = (enum info_by)(i + 1);
	/* one pass: the attribution first, into memory, printed after the trace's totals */
	char *att = NULL;
	size_t attlen = 0;
	FILE *ao = open_memstream(&att, &attlen);
	if (!ao || info_by(path, r, by, &spec, csv, ao)) {
		if (ao)
			fclose(ao);
		free(att);
		trace_close(r);
		free(rec);
		return MM_EXIT_FAIL;
	}
	fclose(ao);
	const struct trace_stats *st = trace_stats(r);
	if (csv && by) {
		fputs(att, stdout);
	} else if (csv) {
		printf("kind,count\n");
		for (unsigned k = 1; k < MME_NR_KINDS; k++)
			printf("%s,%" PRIu64 "\n", mm_event_kind_name(k), st->kind[k]);
		if (st->skipped)
			fprintf(stderr, "mmreplay info: skipped %" PRIu64 " malformed lines; first: %s\n",
				st->skipped, st->first_skip);
	} else {
		info_print(stdout, path, trace_reader_format(r), st);
		if (rec && info_recording(rec, stdout, &d)) {
			fprintf(stderr, "mmreplay info: %s\n", d.msg);
			free(att);
			trace_close(r);
			free(rec);
			return MM_EXIT_FAIL;
		}
		/* the share line (its trace line is the one above); the table after it */
		const char *p = strchr(att, '\n');
		fputs(p ? p + 1 : att, stdout);
	}
	free(att);
	trace_close(r);
	free(rec);
	return fflush(stdout) ? MM_EXIT_FAIL : MM_EXIT_OK;
}
