/* The streaming side of the readers: zero-copy batches equal trace_load's events, a mapped
 * native file and a spill give the same stream as the source, the strace hold window is
 * bounded and counts what it could not order, format detection past a long first line,
 * pzstd's skippable frame, and control bytes escaped in diagnostics. */
#include "tests/trace_testutil.h"

/* All events of path through trace_batch (max per call), appended to out. */
static void st_batches(const char *path, const struct trace_opts *o, size_t max, struct mm_trace *out)
{
	struct trace_reader *r;
	struct mm_diag d;
	memset(out, 0, sizeof(*out));
	cr_assert_eq(trace_open(path, o, &r, &d), 0, "%s", d.msg);
	const struct mm_event *evs;
	long k;
	while ((k = trace_batch(r, &evs, max)) > 0) {
		cr_assert_leq((size_t)k, max);
		for (long i = 0; i < k; i++)
			cr_assert_eq(trace_push(out, &evs[i]), 0);
	}
	cr_assert_eq(k, 0, "%s", trace_diag(r)->msg);
	out->stats = *trace_stats(r);
	out->format = trace_reader_format(r);
	trace_close(r);
}

static void st_same(const struct mm_trace *a, const struct mm_trace *b)
{
	cr_assert_eq(a->n, b->n);
	cr_assert(!memcmp(a->ev, b->ev, a->n * sizeof(*a->ev)));
}

Test(trace_stream, batches_equal_load_every_format)
{
	static const char *const files[] = {"k_fork.perf.txt.zst", "k_fork.ftrace.txt.zst",
					    "u_churn1.strace.txt.zst"};
	static const size_t maxes[] = {1, 7, TRACE_BATCH, 100000};
	for (size_t f = 0; f < MM_ARRAY_SIZE(files); f++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/traces/%s", MMREPLAY_DATA_DIR, files[f]);
		struct mm_trace whole, parts;
		struct mm_diag d;
		cr_assert_eq(trace_load(path, NULL, &whole, &d), 0, "%s", d.msg);
		for (size_t m = 0; m < MM_ARRAY_SIZE(maxes); m++) {
			st_batches(path, NULL, maxes[m], &parts);
			st_same(&whole, &parts);
			cr_assert_eq(parts.stats.events, whole.stats.events);
			cr_assert_eq(parts.stats.nr_pids, whole.stats.nr_pids);
			trace_free(&parts);
		}
		trace_free(&whole);
	}
}

/* A native file bigger than the mapping window, read mapped (batches, next, read) and
 * through a spill; a truncated one fails after its whole records. */
Test(trace_stream, mapped_native_and_spill)
{
	struct mm_trace src;
	struct mm_diag d;
	cr_assert_eq(trace_load(DATA("k_threads2.perf.txt.zst"), NULL, &src, &d), 0, "%s", d.msg);
	char path[] = "/tmp/mmreplay-test-natXXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	struct trace_writer *w;
	cr_assert_eq(trace_writer_open(path, &w, &d), 0, "%s", d.msg);
	cr_assert_eq(trace_writer_put(w, src.ev, src.n), 0); /* 219 k events: 14 MB */
	cr_assert_eq(trace_writer_put(w, src.ev, src.n), 0);
	cr_assert_eq(trace_writer_put(w, src.ev, src.n), 0);
	cr_assert_eq(trace_writer_commit(w, &d), 0, "%s", d.msg);
	struct mm_trace nat, b;
	cr_assert_eq(trace_load(path, NULL, &nat, &d), 0, "%s", d.msg);
	cr_assert_eq(nat.n, 3 * src.n);
	cr_assert(!memcmp(nat.ev + 2 * src.n, src.ev, src.n * sizeof(*src.ev)));
	st_batches(path, NULL, 5000, &b);
	st_same(&nat, &b);
	trace_free(&b);

	struct trace_reader *r;
	cr_assert_eq(trace_open(path, NULL, &r, &d), 0, "%s", d.msg);
	struct mm_event ev;
	size_t i = 0;
	int e;
	while ((e = trace_next(r, &ev)) == 1)
		cr_assert(!memcmp(&ev, &nat.ev[i++], sizeof(ev)));
	cr_assert_eq(e, 0);
	cr_assert_eq(i, nat.n);
	trace_close(r);

	/* the native file serves as its own spill; a text source is parsed into one */
	struct trace_spill *sp, *sp2;
	cr_assert_eq(trace_spill_create(path, NULL, NULL, &sp, &d), 0, "%s", d.msg);
	cr_assert_eq(trace_spill_stats(sp)->events, nat.n);
	cr_assert_eq(trace_spill_create(DATA("k_threads2.perf.txt.zst"), NULL, NULL, &sp2, &d), 0, "%s",
		     d.msg);
	cr_assert_eq(trace_spill_format(sp2), TRACE_FMT_PERF);
	cr_assert_eq(trace_spill_stats(sp2)->events, src.n);
	cr_assert_eq(trace_spill_stats(sp2)->lines, src.stats.lines);
	for (int pass = 0; pass < 2; pass++) { /* two passes, two readers open at once */
		struct trace_reader *r1, *r2;
		cr_assert_eq(trace_spill_open(sp2, &r1, &d), 0, "%s", d.msg);
		cr_assert_eq(trace_spill_open(sp2, &r2, &d), 0, "%s", d.msg);
		size_t n1 = 0, n2 = 0;
		const struct mm_event *evs;
		long k;
		while ((k = trace_batch(r1, &evs, 1000)) > 0) {
			cr_assert(!memcmp(evs, src.ev + n1, (size_t)k * sizeof(*evs)));
			n1 += (size_t)k;
			if ((k = trace_batch(r2, &evs, 333)) > 0) {
				cr_assert(!memcmp(evs, src.ev + n2, (size_t)k * sizeof(*evs)));
				n2 += (size_t)k;
			}
		}
		cr_assert_eq(n1, src.n);
		trace_close(r1);
		trace_close(r2);
	}
	trace_spill_free(sp);
	trace_spill_free(sp2);

	cr_assert_eq(truncate(path, 16 + 64 * 1000 + 10), 0);
	cr_assert_lt(trace_load(path, NULL, &b, &d), 0);
	cr_assert(strstr(d.msg, "truncated native trace"), "%s", d.msg);
	unlink(path);
	trace_free(&nat);
	trace_free(&src);
}

/* A clone that stays unfinished while its child prints n lines. */
static char *st_clone_trace(unsigned n)
{
	size_t cap = 200 + (size_t)n * 64;
	char *s = malloc(cap);
	size_t o = (size_t)snprintf(s, cap, "10 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>\n");
	for (unsigned i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, cap - o, "11 brk(NULL) = 0x%x\n", 0x1000 + i);
	snprintf(s + o, cap - o, "10 <... clone resumed>) = 11\n");
	return s;
}

Test(trace_stream, strace_hold_window_bounded_and_counted)
{
	struct mm_trace t;
	struct mm_diag d;
	char *s = st_clone_trace(1000); /* within the window: the fork comes first */
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 1001);
	cr_assert_eq(t.ev[0].kind, MME_FORK);
	cr_assert_eq(t.stats.unordered, 0);
	trace_free(&t);
	free(s);

	s = st_clone_trace(100000); /* beyond it: delivered in file order, every one counted */
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 100001);
	cr_assert_eq(t.ev[t.n - 1].kind, MME_FORK);
	cr_assert_eq(t.stats.unordered, 100000);
	for (size_t i = 0; i + 1 < t.n; i++)
		cr_assert_eq(t.ev[i].addr, 0x1000 + i, "file order");
	trace_free(&t);
	free(s);
}

Test(trace_stream, detect_past_a_long_first_line)
{
	size_t n = 300000;
	char *s = malloc(n + 200);
	size_t o = (size_t)sprintf(s, "1 execve(\"/bin/x\", [\"x\", \"");
	memset(s + o, 'a', n);
	o += n;
	sprintf(s + o, "\"], 0x7ffc /* 1 var */) = 0\n1 brk(NULL) = 0x1000\n");
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.format, TRACE_FMT_STRACE);
	cr_assert_eq(t.n, 2);
	cr_assert_eq(t.ev[0].kind, MME_EXEC);
	trace_free(&t);
	free(s);
}

Test(trace_stream, pzstd_skippable_frame_first)
{
	const char *txt = "1 brk(NULL) = 0x1000\n1 munmap(0x1000, 4096) = 0\n";
	size_t zl;
	void *z = tu_zstd(txt, strlen(txt), &zl);
	unsigned char *buf = malloc(zl + 12);
	const unsigned char skip[12] = {0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4}; /* pzstd's */
	memcpy(buf, skip, sizeof(skip));
	memcpy(buf + sizeof(skip), z, zl);
	char *p = tu_write(buf, zl + sizeof(skip));
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(trace_load(p, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 2);
	cr_assert_eq(t.ev[1].kind, MME_MUNMAP);
	trace_free(&t);
	unlink(p);
	free(p);
	free(buf);
	free(z);
}

Test(trace_stream, control_bytes_escaped)
{
	const char s[] = "\x1b]0;pwned\x07 not a trace\n";
	char *p = tu_write(s, sizeof(s) - 1);
	struct mm_trace t;
	struct mm_diag d = {{0}};
	struct trace_opts o = {.name = "t\x1b.txt"};
	cr_assert_lt(trace_load(p, &o, &t, &d), 0);
	for (const char *c = d.msg; *c; c++)
		cr_assert((unsigned char)*c >= 0x20 && *c != 0x7f, "raw control byte in '%s'", d.msg);
	cr_assert(strstr(d.msg, "\\x1b]0;pwned\\x07"), "%s", d.msg);
	cr_assert(!strncmp(d.msg, "t\\x1b.txt:1: ", 12), "%s", d.msg);
	unlink(p);
	free(p);
}
