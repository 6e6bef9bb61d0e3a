/* mmreplay convert: any trace format in, the native binary format out (trace_native.h),
 * streamed, written to a temporary file and renamed so a failed run leaves nothing. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/cli/trace_cli.h"

static const struct cli_cmd convert_cmd = {
	.name = "convert",
	.synopsis = "IN OUT",
	.about =
		"Converts IN (perf script, tracefs/trace-cmd report, trace-cmd trace.dat, strace -f or\n"
		"native; plain or .zst; '-' for stdin) to the native binary format in OUT ('-' for stdout).\n"
		"OUT is written under a temporary name and renamed when complete.",
	.more = trace_cli_opts,
	.min_args = 2,
	.max_args = 2,
};

int cmd_convert(int argc, char **argv)
{
	struct trace_cli tc = {0};
	struct trace_opts to;
	int first = 0, rc = cli_parse(&convert_cmd, argc, argv, &tc, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	if (trace_cli_get(&convert_cmd, &tc, &to))
		return MM_EXIT_USAGE;
	const char *in = argv[first], *out = argv[first + 1];
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
