/* trace-cmd's trace.dat read natively: the same events, field by field, as the `trace-cmd
 * report` text of the same file (whose timestamps are rounded to the microsecond). The
 * bundled pair always; a fresh `trace-cmd record` where this machine allows one (skipped
 * with a message otherwise). Without libtracecmd, opening one names the way out. */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/trace_testutil.h"
#include "tests/zst_slurp.h"

extern char **environ;

#define TD_DAT DATA("k_tcmd.trace.dat.zst")
#define TD_TXT DATA("k_tcmd.report.zst")

/* Every event of a (trace.dat) equals b's (report text), ts within the report's rounding. */
static void td_same(const struct mm_trace *a, const struct mm_trace *b)
{
	cr_assert_eq(a->format, TRACE_FMT_TRACEDAT);
	cr_assert_eq(b->format, TRACE_FMT_FTRACE);
	cr_assert_gt(a->n, 0);
	cr_assert_eq(a->n, b->n, "trace.dat %zu events, report %zu", a->n, b->n);
	for (unsigned k = 0; k < MME_NR_KINDS; k++)
		cr_assert_eq(a->stats.kind[k], b->stats.kind[k], "kind %u", k);
	cr_assert_eq(a->stats.unknown, b->stats.unknown);
	cr_assert_eq(a->stats.nr_pids, b->stats.nr_pids);
	for (size_t i = 0; i < a->n; i++) {
		struct mm_event x = a->ev[i], y = b->ev[i];
		u64 d = x.ts_ns > y.ts_ns ? x.ts_ns - y.ts_ns : y.ts_ns - x.ts_ns;
		cr_assert_leq(d, 500, "event %zu: ts %llu vs %llu", i, (unsigned long long)x.ts_ns,
			      (unsigned long long)y.ts_ns);
		x.ts_ns = y.ts_ns = 0;
		cr_assert(!memcmp(&x, &y, sizeof(x)), "event %zu differs (kind %u/%u addr %llx/%llx)", i,
			  x.kind, y.kind, (unsigned long long)x.addr, (unsigned long long)y.addr);
	}
}

Test(trace_tracedat, bundled_equals_report)
{
	if (!trace_tracedat_supported())
		cr_skip_test("built without libtracecmd: trace.dat is not read");
	struct mm_trace a, b;
	struct mm_diag d;
	cr_assert_eq(trace_load(TD_DAT, NULL, &a, &d), 0, "%s", d.msg);
	cr_assert_eq(trace_load(TD_TXT, NULL, &b, &d), 0, "%s", d.msg);
	td_same(&a, &b);
	cr_assert_gt(a.stats.kind[MME_TLB_FLUSH], 0); /* tlb plugin text "pages=N reason=..." */
	cr_assert_gt(a.stats.kind[MME_VMAP_ALLOC], 0);

	/* the same through a plain file (libtracecmd reads it in place) and through stdin */
	char path[] = "/tmp/mmreplay-test-tdXXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	cr_assert_eq(trace_decompress(TD_DAT, f, &d), 0, "%s", d.msg);
	fclose(f);
	struct mm_trace c;
	cr_assert_eq(trace_load(path, NULL, &c, &d), 0, "%s", d.msg);
	td_same(&c, &b);
	trace_free(&c);
	unlink(path);
	trace_free(&a);
	trace_free(&b);
}

Test(trace_tracedat, truncated_is_an_error)
{
	if (!trace_tracedat_supported())
		cr_skip_test("built without libtracecmd");
	size_t len;
	char *all = zst_slurp(TD_DAT, &len);
	struct mm_diag d = {{0}};
	struct mm_trace t;
	/* cut inside the headers: refused with a message, no crash */
	char *p = tu_write(all, 4096);
	struct trace_opts o = {.name = "t.dat"};
	cr_assert_lt(trace_load(p, &o, &t, &d), 0);
	cr_assert(strstr(d.msg, "t.dat: "), "%s", d.msg);
	unlink(p);
	free(p);
	free(all);
}

Test(trace_tracedat, without_libtracecmd_says_how)
{
	if (trace_tracedat_supported())
		cr_skip_test("built with libtracecmd");
	char *p = tu_write(TRACE_TRACEDAT_MAGIC "\0\0\0\0\0\0", TRACE_TRACEDAT_MAGIC_LEN + 6);
	struct mm_trace t;
	struct mm_diag d = {{0}};
	cr_assert_lt(trace_load(p, NULL, &t, &d), 0);
	cr_assert(strstr(d.msg, "trace-cmd report"), "%s", d.msg);
	unlink(p);
	free(p);
}

/* Run argv (stdout to out_path if not NULL); its pid, or -1. */
static pid_t td_spawn(char *const argv[], const char *out_path)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null",
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;
	int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return e ? -1 : pid;
}

static int td_wait(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char td_tracing_on(void)
{
	char c = 0;
	int fd = open("/sys/kernel/tracing/tracing_on", O_RDONLY);
	if (fd >= 0 && read(fd, &c, 1) != 1)
		c = 0;
	if (fd >= 0)
		close(fd);
	return c;
}

static void td_set_tracing_on(char c)
{
	int fd = open("/sys/kernel/tracing/tracing_on", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, &c, 1) != 1) { /* best effort: restore what trace-cmd switched off */
		}
		close(fd);
	}
}

/* trace-cmd record -d --no-filter (no ftrace, no pid filter: both fail in some VMs) until
 * SIGINT, while this process allocates and frees pages. */
Test(trace_tracedat, fresh_recording_equals_report, .timeout = 120)
{
	if (!trace_tracedat_supported())
		cr_skip_test("built without libtracecmd");
	char dat[] = "/tmp/mmreplay-test-recXXXXXX";
	int fd = mkstemp(dat);
	cr_assert(fd >= 0);
	close(fd);
	char on = td_tracing_on();
	char *rec[] = {
		"trace-cmd", "record",
		"-d",	     "--no-filter",
		"-e",	     "kmem:mm_page_alloc",
		"-e",	     "kmem:mm_page_free",
		"-e",	     "kmem:mm_page_alloc_zone_locked",
		"-e",	     "kmem:mm_page_pcpu_drain",
		"-e",	     "tlb:tlb_flush",
		"-o",	     dat,
		NULL,
	};
	pid_t pid = on ? td_spawn(rec, NULL) : -1;
	if (pid < 0) {
		unlink(dat);
		cr_skip_test("trace-cmd or a readable tracefs is not available here: recording skipped");
	}
	nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL);
	for (int i = 0; i < 64; i++) { /* page traffic of our own */
		void *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m != MAP_FAILED) {
			memset(m, 1, 1 << 20);
			munmap(m, 1 << 20);
		}
	}
	nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	kill(pid, SIGINT);
	int rc = td_wait(pid);
	td_set_tracing_on(on);
	struct stat sb;
	/* trace-cmd exits 1 after SIGINT where it could not set its ftrace filters: what counts
	 * is the file it wrote */
	if (rc >= 128 || stat(dat, &sb) || sb.st_size == 0) {
		unlink(dat);
		cr_skip_test("trace-cmd record did not record here (exit %d): skipped", rc);
	}
	char txt[] = "/tmp/mmreplay-test-repXXXXXX";
	fd = mkstemp(txt);
	cr_assert(fd >= 0);
	close(fd);
	char *rep[] = {"trace-cmd", "report", "-i", dat, NULL};
	pid = td_spawn(rep, txt);
	cr_assert_gt(pid, 0);
	cr_assert_eq(td_wait(pid), 0, "trace-cmd report failed");
	struct mm_trace a, b;
	struct mm_diag d;
	cr_assert_eq(trace_load(dat, NULL, &a, &d), 0, "%s", d.msg);
	cr_assert_eq(trace_load(txt, NULL, &b, &d), 0, "%s", d.msg);
	td_same(&a, &b);
	cr_assert_gt(a.stats.kind[MME_PAGE_ALLOC], 0);
	trace_free(&a);
	trace_free(&b);
	unlink(dat);
	unlink(txt);
}
