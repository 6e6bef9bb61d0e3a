/* mmreplay convert: any trace format in, the native binary format out (trace_native.h),
 * streamed, written to a temporary file and renamed so a failed run leaves nothing. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "trace.h"

static void convert_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay convert [--skip-bad] [--format FMT] IN OUT\n\n"
		   "Converts IN (perf script, tracefs/trace-cmd report, trace-cmd trace.dat, strace -f or\n"
		   "native; plain or .zst; '-' for stdin) to the native binary format in OUT ('-' for\n"
		   "stdout). OUT is written under a temporary name and renamed when complete.\n"
		   "  --skip-bad    count and skip malformed lines instead of stopping at the first\n"
		   "  --format FMT  force the input format: native, perf, ftrace, strace, tracedat\n");
}

int cmd_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{"skip-bad", no_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct trace_opts to = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "sf:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			to.skip_bad = true;
			break;
		case 'f':
			if (trace_format_parse(optarg, &to.format)) {
				fprintf(stderr, "mmreplay convert: unknown format '%s'\n", optarg);
				return MM_EXIT_USAGE;
			}
			break;
		case 'h':
			convert_usage(stdout);
			return MM_EXIT_OK;
		default:
			convert_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind != argc - 2) {
		convert_usage(stderr);
		return MM_EXIT_USAGE;
	}
	const char *in = argv[optind], *out = argv[optind + 1];
	struct mm_diag d = {{0}};
	struct trace_reader *r;
	struct trace_writer *w;
	if (trace_open(in, &to, &r, &d)) {
		fprintf(stderr, "mmreplay convert: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	if (trace_writer_open(out, &w, &d)) {
		fprintf(stderr, "mmreplay convert: %s\n", d.msg);
		trace_close(r);
		return MM_EXIT_FAIL;
	}
	static struct mm_event evs[4096];
	long n;
	int we;
	while ((n = trace_read(r, evs, MM_ARRAY_SIZE(evs))) > 0)
		if ((we = trace_writer_put(w, evs, (size_t)n))) {
			fprintf(stderr, "mmreplay convert: %s: write error: %s\n", out, strerror(-we));
			trace_writer_abort(w);
			trace_close(r);
			return MM_EXIT_FAIL;
		}
	if (n < 0) {
		fprintf(stderr, "mmreplay convert: %s\n", trace_diag(r)->msg);
		trace_writer_abort(w);
		trace_close(r);
		return MM_EXIT_FAIL;
	}
	const struct trace_stats *st = trace_stats(r);
	if (trace_writer_commit(w, &d)) {
		fprintf(stderr, "mmreplay convert: %s\n", d.msg);
		trace_close(r);
		return MM_EXIT_FAIL;
	}
	if (st->skipped)
		fprintf(stderr, "mmreplay convert: skipped %" PRIu64 " malformed lines; first: %s\n",
			st->skipped, st->first_skip);
	fprintf(stderr, "mmreplay convert: %" PRIu64 " events (%s) -> %s\n", st->events,
		trace_format_name(trace_reader_format(r)), out);
	trace_close(r);
	return MM_EXIT_OK;
}
