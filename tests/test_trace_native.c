/* The native format: perf text -> native -> read back gives identical events (through the
 * writer and through `mmreplay convert`), and truncated or corrupt native files are errors. */
#include <sys/wait.h>

#include "workloads/trace/trace_native.h"
#include "tests/trace_testutil.h"
#include "tests/spawn_cmd.h"

static char *tmpname(void)
{
	char *p = tu_write("", 0);
	return p;
}

static void write_native(const char *path, const struct mm_event *ev, size_t n)
{
	struct trace_writer *w;
	struct mm_diag d;
	cr_assert_eq(trace_writer_open(path, &w, &d), 0, "%s", d.msg);
	cr_assert_eq(trace_writer_put(w, ev, n), 0);
	cr_assert_eq(trace_writer_commit(w, &d), 0, "%s", d.msg);
}

static void assert_same(const struct mm_trace *a, const struct mm_trace *b)
{
	cr_assert_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		cr_assert_eq(memcmp(&a->ev[i], &b->ev[i], sizeof(struct mm_event)), 0, "event %zu differs",
			     i);
	for (unsigned k = 0; k < MME_NR_KINDS; k++)
		cr_assert_eq(a->stats.kind[k], b->stats.kind[k]);
	cr_assert_eq(a->stats.nr_pids, b->stats.nr_pids);
	cr_assert_eq(a->stats.nr_cpus, b->stats.nr_cpus);
	cr_assert_eq(a->stats.first_ts, b->stats.first_ts);
	cr_assert_eq(a->stats.last_ts, b->stats.last_ts);
}

Test(trace_native, perf_roundtrip_identical)
{
	struct mm_trace a, b;
	struct mm_diag d;
	cr_assert_eq(trace_load(DATA("k_fork.perf.txt.zst"), NULL, &a, &d), 0, "%s", d.msg);
	char *p = tmpname();
	write_native(p, a.ev, a.n);
	cr_assert_eq(trace_load(p, NULL, &b, &d), 0, "%s", d.msg);
	cr_assert_eq(b.format, TRACE_FMT_NATIVE);
	assert_same(&a, &b);
	/* the same through the streaming reader, event by event */
	struct trace_reader *r;
	struct mm_event ev;
	cr_assert_eq(trace_open(p, NULL, &r, &d), 0);
	size_t i = 0;
	while (trace_next(r, &ev) == 1)
		cr_assert_eq(memcmp(&ev, &a.ev[i++], sizeof(ev)), 0);
	cr_assert_eq(i, a.n);
	trace_close(r);
	trace_free(&b);

	/* a compressed native file reads the same */
	FILE *f = fopen(p, "rb");
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	rewind(f);
	char *raw = malloc((size_t)len);
	cr_assert_eq(fread(raw, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	size_t zl;
	void *z = tu_zstd(raw, (size_t)len, &zl);
	char *pz = tu_write(z, zl);
	cr_assert_eq(trace_load(pz, NULL, &b, &d), 0, "%s", d.msg);
	assert_same(&a, &b);
	trace_free(&b);
	unlink(pz);
	free(pz);
	free(z);

	/* truncated: a partial last record */
	char *pt = tu_write(raw, (size_t)len - 10);
	cr_assert_lt(trace_load(pt, NULL, &b, &d), 0);
	cr_assert(strstr(d.msg, "truncated"), "%s", d.msg);
	unlink(pt);
	free(pt);
	/* an invalid kind */
	raw[TRACE_NATIVE_HDR_SIZE + 64 * 5] = (char)MME_NR_KINDS;
	pt = tu_write(raw, (size_t)len);
	cr_assert_lt(trace_load(pt, NULL, &b, &d), 0);
	cr_assert(strstr(d.msg, "record 5: invalid event kind"), "%s", d.msg);
	unlink(pt);
	free(pt);
	/* a wrong version */
	raw[TRACE_NATIVE_HDR_SIZE + 64 * 5] = MME_PAGE_FREE;
	raw[8] = 9;
	pt = tu_write(raw, (size_t)len);
	cr_assert_lt(trace_load(pt, NULL, &b, &d), 0);
	cr_assert(strstr(d.msg, "version"), "%s", d.msg);
	unlink(pt);
	free(pt);
	free(raw);
	unlink(p);
	free(p);
	trace_free(&a);
}

Test(trace_native, convert_command_strace)
{
	char *out = tmpname();
	cr_assert_eq(MMR_STATUS(NULL, "convert", DATA("u_churn1.strace.txt.zst"), out), 0);
	struct mm_trace a, b;
	struct mm_diag d;
	cr_assert_eq(trace_load(DATA("u_churn1.strace.txt.zst"), NULL, &a, &d), 0, "%s", d.msg);
	cr_assert_eq(trace_load(out, NULL, &b, &d), 0, "%s", d.msg);
	assert_same(&a, &b);
	trace_free(&a);
	trace_free(&b);
	/* a failing conversion leaves no output and no temporary behind */
	unlink(out);
	char *bad = tu_write_str("1 munmap(0x1000, 4096) = 0\n1 munmap(zz) = 0\n");
	cr_assert_eq(MMR_STATUS(NULL, "convert", bad, out), 1);
	cr_assert_neq(access(out, F_OK), 0, "no half-written output");
	unlink(bad);
	free(bad);
	free(out);
}

Test(trace_native, empty_native_file)
{
	char *p = tmpname();
	write_native(p, NULL, 0);
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(trace_load(p, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 0);
	cr_assert_eq(t.format, TRACE_FMT_NATIVE);
	trace_free(&t);
	unlink(p);
	free(p);
}
