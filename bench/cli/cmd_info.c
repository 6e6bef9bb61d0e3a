/* mmreplay info: what a trace holds (events per kind, pids, cpus, time span, unknown events,
 * skipped lines), streamed so memory stays flat whatever the trace length. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "trace.h"

static void info_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay info [--csv] [--skip-bad] [--format FMT] TRACE\n\n"
		   "Reads TRACE (perf script, tracefs/trace-cmd report, trace-cmd trace.dat, strace -f or\n"
		   "native; plain or .zst; '-' for stdin) and prints its event counts per kind, the pids\n"
		   "and cpus seen, the time span, events of other kinds (by name) and skipped lines.\n"
		   "  --csv         print only 'kind,count' and one row per event kind\n"
		   "  --skip-bad    count and skip malformed lines instead of stopping at the first\n"
		   "  --format FMT  force the format: native, perf, ftrace, strace, tracedat (default:\n"
		   "                detect)\n");
}

static void info_print(FILE *o, const char *path, enum trace_format fmt, const struct trace_stats *st)
{
	fprintf(o, "trace        %s (%s)\n", path, trace_format_name(fmt));
	if (fmt != TRACE_FMT_NATIVE && fmt != TRACE_FMT_TRACEDAT)
		fprintf(o, "lines        %" PRIu64 " (ignored %" PRIu64 ", skipped %" PRIu64 ")\n", st->lines,
			st->ignored, st->skipped);
	fprintf(o, "events       %" PRIu64 " (failed %" PRIu64 ")\n", st->events, st->failed);
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
	static const struct option opts[] = {
		{"csv", no_argument, NULL, 'c'},
		{"skip-bad", no_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct trace_opts to = {0};
	bool csv = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "csf:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			csv = true;
			break;
		case 's':
			to.skip_bad = true;
			break;
		case 'f':
			if (trace_format_parse(optarg, &to.format)) {
				fprintf(stderr, "mmreplay info: unknown format '%s'\n", optarg);
				return MM_EXIT_USAGE;
			}
			break;
		case 'h':
			info_usage(stdout);
			return MM_EXIT_OK;
		default:
			info_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		info_usage(stderr);
		return MM_EXIT_USAGE;
	}
	const char *path = argv[optind];
	struct trace_reader *r;
	struct mm_diag d = {{0}};
	if (trace_open(path, &to, &r, &d)) {
		fprintf(stderr, "mmreplay info: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	struct mm_event evs[256];
	long n;
	while ((n = trace_read(r, evs, MM_ARRAY_SIZE(evs))) > 0)
		;
	if (n < 0) {
		fprintf(stderr, "mmreplay info: %s\n", trace_diag(r)->msg);
		trace_close(r);
		return MM_EXIT_FAIL;
	}
	const struct trace_stats *st = trace_stats(r);
	if (csv) {
		printf("kind,count\n");
		for (unsigned k = 1; k < MME_NR_KINDS; k++)
			printf("%s,%" PRIu64 "\n", mm_event_kind_name(k), st->kind[k]);
		if (st->skipped)
			fprintf(stderr, "mmreplay info: skipped %" PRIu64 " malformed lines; first: %s\n",
				st->skipped, st->first_skip);
	} else {
		info_print(stdout, path, trace_reader_format(r), st);
	}
	trace_close(r);
	return fflush(stdout) ? MM_EXIT_FAIL : MM_EXIT_OK;
}
