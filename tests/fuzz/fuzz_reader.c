/* libFuzzer target for one trace reader; FUZZ_FORMAT (a TRACE_FMT_* value, 0 = automatic
 * detection, which also reaches the zstd decoder) is set per executable by meson. Each input
 * is read strictly and then with skip_bad; every delivered event must be of a valid kind
 * and the statistics must add up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workloads/trace/trace.h"

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT TRACE_FMT_AUTO
#endif

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int fuzz_fd = -1;

static void fuzz_run(const char *path, bool skip_bad)
{
	struct trace_opts o = {
		.skip_bad = skip_bad, .format = (enum trace_format)FUZZ_FORMAT, .name = "fuzz"};
	struct trace_reader *r;
	struct mm_diag d;
	if (trace_open(path, &o, &r, &d)) {
		if (!d.msg[0])
			abort(); /* every failure explains itself */
		return;
	}
	struct mm_event ev;
	u64 n = 0;
	int e;
	while ((e = trace_next(r, &ev)) == 1) {
		if (ev.kind == MME_NONE || ev.kind >= MME_NR_KINDS)
			abort();
		n++;
	}
	const struct trace_stats *st = trace_stats(r);
	if (e < 0 && !trace_diag(r)->msg[0])
		abort();
	u64 sum = 0;
	for (unsigned k = 0; k < MME_NR_KINDS; k++)
		sum += st->kind[k];
	if (sum != n || st->events != n || st->kind[MME_NONE])
		abort();
	trace_close(r);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char path[64];
	if (fuzz_fd < 0) {
		fuzz_fd = memfd_create("fuzz-trace", 0);
		if (fuzz_fd < 0)
			abort();
	}
	if (ftruncate(fuzz_fd, 0) || pwrite(fuzz_fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fuzz_fd);
	fuzz_run(path, false);
	fuzz_run(path, true);
	return 0;
}
