/* mmreplay bench parse: how fast the trace readers are, measured in one run.
 *  1. text: the trace decompressed to a temporary file, parsed single-threaded (best of
 *     --repeat), in events/s and MB/s, against `awk '/mm_page_alloc/{n++}'` on the same file;
 *  2. native: the events converted to the native format and replicated to at least
 *     --native-events records, read back in events/s (trace_batch: mapped, no copy), and
 *     the peak RSS of a child streaming that file (bounded by the mapping window);
 *  3. streaming memory: peak RSS of a child process streaming the text once and --scale
 *     times concatenated (it should not grow).
 * awk runs through posix_spawn with an argument vector: no shell ever sees a path. */
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/host/clock.h"
#include "workloads/infile.h"
#include "bench/microbench/microbench.h"
#include "bench/cli/cli.h"
#include "bench/mm_exit.h"
#include "workloads/trace/trace.h"

extern char **environ;

struct pb_opts {
	u64 repeat, native_events, scale;
};

static const struct cli_opt pb_opts[] = {
	CLI_OPT_U64("repeat", "N", struct pb_opts, repeat, 1, 1000, "timed repetitions, best kept (3)"),
	CLI_OPT_U64("native-events", "N", struct pb_opts, native_events, 1, 1ULL << 34,
		    "native records to read (20000000)"),
	CLI_OPT_U64("scale", "K", struct pb_opts, scale, 1, 1000,
		    "concatenation factor for the memory check (10)"),
	CLI_OPT_END,
};

static const struct cli_cmd pb_cmd = {
	.name = "bench parse",
	.synopsis = "TRACE",
	.about = "Measures the readers on TRACE (a text trace, plain or .zst): text parse events/s and MB/s\n"
		 "against awk '/mm_page_alloc/{n++}' on the same decompressed file, native read events/s,\n"
		 "and the peak RSS of streaming the text 1x and K x concatenated.",
	.opts = pb_opts,
	.min_args = 1,
	.max_args = 1,
};

/* Temporary file in $TMPDIR; returns the open FILE and its name in buf. */
static FILE *pb_tmp(char *buf, size_t n, const char *tag)
{
	const char *dir = getenv("TMPDIR");
	snprintf(buf, n, "%s/mmreplay-%s-XXXXXX", dir && *dir ? dir : "/tmp", tag);
	int fd = mkstemp(buf);
	return fd < 0 ? NULL : fdopen(fd, "w+b");
}

/* Stream the whole trace; returns events, or -1 (diag printed). */
static long long pb_stream(const char *path, const struct trace_opts *o, struct trace_stats *st)
{
	struct trace_reader *r;
	struct mm_diag d = {{0}};
	const struct mm_event *evs;
	if (trace_open(path, o, &r, &d)) {
		fprintf(stderr, "mmreplay bench parse: %s\n", d.msg);
		return -1;
	}
	long n;
	while ((n = trace_batch(r, &evs, TRACE_BATCH)) > 0)
		;
	if (n < 0) {
		fprintf(stderr, "mmreplay bench parse: %s\n", trace_diag(r)->msg);
		trace_close(r);
		return -1;
	}
	if (st)
		*st = *trace_stats(r);
	long long ev = (long long)trace_stats(r)->events;
	trace_close(r);
	return ev;
}

/* Wall time of `awk '/mm_page_alloc/{n++} END{print n+0}' path` (spawned with an argument
 * vector, its output read from a pipe), its count in *count. */
static int pb_awk(const char *path, u64 *ns, u64 *count)
{
	int fd[2];
	if (pipe2(fd, O_CLOEXEC))
		return -1;
	char *argv[] = {"awk", "/mm_page_alloc/{n++} END{print n+0}", (char *)path, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	pid_t pid;
	u64 t0 = clock_ns();
	int e = posix_spawnp(&pid, "awk", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (e) {
		close(fd[0]);
		return -1;
	}
	char out[64];
	size_t got = 0;
	ssize_t k;
	while ((k = read(fd[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)k;
	close(fd[0]);
	int st;
	pid_t w = waitpid(pid, &st, 0);
	*ns = clock_ns() - t0;
	out[got] = '\0';
	char *end;
	unsigned long long c = strtoull(out, &end, 10);
	*count = c;
	return w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 && end != out ? 0 : -1;
}

/* Peak RSS (KiB) of a child that streams path. */
static long pb_child_rss(const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(pb_stream(path, NULL, NULL) < 0 ? 1 : 0);
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return ru.ru_maxrss;
}

static int pb_copy(const char *src, FILE *dst, int times)
{
	char buf[1 << 16];
	for (int i = 0; i < times; i++) {
		struct mm_diag d;
		FILE *f = infile_fopen(src, INFILE_STREAM, &d);
		if (!f)
			return -1;
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			if (fwrite(buf, 1, n, dst) != n) {
				fclose(f);
				return -1;
			}
		fclose(f);
	}
	return fflush(dst) ? -1 : 0;
}

/* 1. text parse vs awk, best of repeat. 0 or -1. */
static int pb_text(const char *path, const char *txt, long long bytes, int repeat)
{
	u64 best = UINT64_MAX, awk_best = UINT64_MAX, awk_count = 0;
	struct trace_stats st;
	long long events = 0;
	for (int i = 0; i < repeat; i++) {
		u64 t0 = clock_ns();
		events = pb_stream(txt, NULL, &st);
		u64 t = clock_ns() - t0;
		if (events < 0)
			return -1;
		best = MM_MIN(best, t);
		u64 at, ac;
		if (pb_awk(txt, &at, &ac)) {
			fprintf(stderr, "mmreplay bench parse: running awk failed\n");
			return -1;
		}
		awk_best = MM_MIN(awk_best, at);
		awk_count = ac;
	}
	printf("text_file            %s (%lld bytes decompressed)\n", path, bytes);
	printf("text_events          %lld (page_alloc %" PRIu64 ", awk counted %" PRIu64 ")\n", events,
	       st.kind[MME_PAGE_ALLOC], awk_count);
	printf("text_parse_ns        %" PRIu64 "\n", best);
	printf("text_events_per_s    %.0f\n", (double)events * 1e9 / (double)best);
	printf("text_mb_per_s        %.1f\n", (double)bytes / 1e6 * 1e9 / (double)best);
	printf("awk_ns               %" PRIu64 "\n", awk_best);
	printf("awk_mb_per_s         %.1f\n", (double)bytes / 1e6 * 1e9 / (double)awk_best);
	printf("speedup_vs_awk       %.2f\n", (double)awk_best / (double)best);
	return 0;
}

/* 2. the events of txt replicated to at least target native records in nat, read back. */
static int pb_native(const char *txt, const char *nat, long long target, int repeat)
{
	struct mm_trace t;
	struct mm_diag d = {{0}};
	struct trace_writer *w;
	if (trace_load(txt, NULL, &t, &d) || !t.n || trace_writer_open(nat, &w, &d)) {
		fprintf(stderr, "mmreplay bench parse: %s\n", d.msg[0] ? d.msg : "no events");
		trace_free(&t);
		return -1;
	}
	long long copies = (target + (long long)t.n - 1) / (long long)t.n;
	for (long long i = 0; i < copies; i++)
		if (trace_writer_put(w, t.ev, t.n)) {
			trace_writer_abort(w);
			trace_free(&t);
			return -1;
		}
	trace_free(&t);
	if (trace_writer_commit(w, &d)) {
		fprintf(stderr, "mmreplay bench parse: %s\n", d.msg);
		return -1;
	}
	u64 nbest = UINT64_MAX;
	long long nev = 0;
	for (int i = 0; i < repeat; i++) {
		u64 t0 = clock_ns();
		nev = pb_stream(nat, NULL, NULL);
		u64 dt = clock_ns() - t0;
		if (nev < 0)
			return -1;
		nbest = MM_MIN(nbest, dt);
	}
	long nrss = pb_child_rss(nat);
	printf("native_events        %lld\n", nev);
	printf("native_read_ns       %" PRIu64 "\n", nbest);
	printf("native_events_per_s  %.0f\n", (double)nev * 1e9 / (double)nbest);
	printf("native_stream_rss_kib %ld\n", nrss);
	return 0;
}

int bench_parse(int argc, char **argv)
{
	struct pb_opts o = {.repeat = 3, .native_events = 20000000, .scale = 10};
	int first = 0, rc = cli_parse(&pb_cmd, argc, argv, &o, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	int repeat = (int)o.repeat, scale = (int)o.scale;
	const char *path = argv[first];
	char txt[4096], nat[4096], big[4096];
	FILE *ft = NULL, *fn = NULL, *fb = NULL;
	struct mm_diag d = {{0}};
	txt[0] = nat[0] = big[0] = '\0';
	rc = MM_EXIT_FAIL;
	if (!(ft = pb_tmp(txt, sizeof(txt), "text")) || trace_decompress(path, ft, &d) || fflush(ft)) {
		fprintf(stderr, "mmreplay bench parse: %s\n", d.msg[0] ? d.msg : "temporary file");
		goto out;
	}
	if (pb_text(path, txt, ftell(ft), repeat) || !(fn = pb_tmp(nat, sizeof(nat), "native")) ||
	    pb_native(txt, nat, (long long)o.native_events, repeat))
		goto out;
	/* 3. streaming memory, 1x vs K x */
	if (!(fb = pb_tmp(big, sizeof(big), "scaled")) || pb_copy(txt, fb, scale)) {
		fprintf(stderr, "mmreplay bench parse: cannot write the scaled copy\n");
		goto out;
	}
	long rss1 = pb_child_rss(txt), rssk = pb_child_rss(big);
	if (rss1 < 0 || rssk < 0) {
		fprintf(stderr, "mmreplay bench parse: streaming child failed\n");
		goto out;
	}
	printf("stream_rss_1x_kib    %ld\n", rss1);
	printf("stream_rss_%dx_kib   %ld\n", scale, rssk);
	rc = MM_EXIT_OK;
out:
	if (ft)
		fclose(ft);
	if (fn)
		fclose(fn);
	if (fb)
		fclose(fb);
	if (txt[0])
		unlink(txt);
	if (nat[0])
		unlink(nat);
	if (big[0])
		unlink(big);
	return rc;
}
