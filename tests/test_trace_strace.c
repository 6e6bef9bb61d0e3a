/* The strace reader on hand-made lines: prefixes and timestamps (-t, -tt, -ttt), the fields
 * of every replayed call per mm_event.h, unfinished/resumed joins, failures, the fork
 * ordering rule, ignored lines and errors. */
#include "tests/trace_testutil.h"

static void load_ok(const char *s, struct mm_trace *t)
{
	struct mm_diag d = {{0}};
	cr_assert_eq(tu_load(s, NULL, t, &d), 0, "%s", d.msg);
	cr_assert_eq(t->format, TRACE_FMT_STRACE);
}

Test(trace_strace, mmap_fields)
{
	struct mm_trace t;
	load_ok("100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
		"0x7f4102a00000\n"
		"100 mmap(0x7f4102839000, 1400832, PROT_READ|PROT_EXEC, "
		"MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7f4102839000\n"
		"100 mmap(NULL, 4096, PROT_NONE, MAP_SHARED|MAP_STACK|MAP_GROWSDOWN, 5</dev/shm/x>, "
		"4096) = 0x1000\n"
		"100 mmap(0x10000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED_NOREPLACE|MAP_ANONYMOUS, -1, "
		"0) = -1 ENOMEM (Cannot allocate memory)\n",
		&t);
	cr_assert_eq(t.n, 4);
	const struct mm_event *e = t.ev;
	cr_assert_eq(e[0].kind, MME_MMAP);
	cr_assert_eq(e[0].pid, 100);
	cr_assert_eq(e[0].addr, 0x7f4102a00000ull);
	cr_assert_eq(e[0].len, 8192);
	cr_assert_eq(e[0].addr2, 0);
	cr_assert_eq(e[0].prot, 3);
	cr_assert_eq(e[0].flags, MME_F_ANON);
	cr_assert_eq(e[0].len2, (u64)-1);
	cr_assert_eq(e[0].aux, 0);
	cr_assert_eq(e[1].addr2, 0x7f4102839000ull);
	cr_assert_eq(e[1].prot, 5);
	cr_assert_eq(e[1].flags, MME_F_FIXED);
	cr_assert_eq(e[1].len2, 3);
	cr_assert_eq(e[1].aux, 0x26000);
	cr_assert_eq(e[2].prot, 0);
	cr_assert_eq(e[2].flags, MME_F_SHARED | MME_F_STACK | MME_F_GROWSDOWN);
	cr_assert_eq(e[2].len2, 5, "-y prints fd<path>");
	cr_assert_eq(e[2].aux, 4096);
	cr_assert_eq(e[3].flags, MME_F_FIXED | MME_F_ANON | MME_F_FAILED);
	cr_assert_eq(e[3].ret, -12);
	cr_assert_eq(e[3].addr, 0);
	cr_assert_eq(t.stats.failed, 1);
	trace_free(&t);
}

Test(trace_strace, other_calls)
{
	struct mm_trace t;
	load_ok("7 brk(NULL)                         = 0x55f2561c4000\n"
		"7 brk(0x55f2561e5000)               = 0x55f2561e5000\n"
		"7 munmap(0x7f41029f5000, 41503)     = 0\n"
		"7 mprotect(0x7f41029e2000, 16384, PROT_READ) = 0\n"
		"7 mprotect(0x7ffd000, 4096, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_GROWSDOWN) = 0\n"
		"7 mremap(0x7efe9c110000, 40960, 106496, MREMAP_MAYMOVE) = 0x7efe9b93f000\n"
		"7 mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x200000) = 0x200000\n"
		"7 madvise(0x7f0000000000, 65536, MADV_DONTNEED) = 0\n"
		"7 pkey_mprotect(0x1000, 4096, PROT_READ, 1) = 0\n"
		"7 execve(\"/bin/x\", [\"x\", \"a) = 5\"], 0x7ffe /* 41 vars */) = 0\n"
		"7 exit_group(0)                     = ?\n",
		&t);
	cr_assert_eq(t.n, 11);
	const struct mm_event *e = t.ev;
	cr_assert_eq(e[0].kind, MME_BRK);
	cr_assert_eq(e[0].addr2, 0, "brk(NULL) is a query");
	cr_assert_eq(e[0].addr, 0x55f2561c4000ull);
	cr_assert_eq(e[1].addr2, 0x55f2561e5000ull);
	cr_assert_eq(e[2].kind, MME_MUNMAP);
	cr_assert_eq(e[2].len, 41503);
	cr_assert_eq(e[3].kind, MME_MPROTECT);
	cr_assert_eq(e[3].prot, 1);
	cr_assert_eq(e[4].prot, 7);
	cr_assert_eq(e[4].flags, MME_F_PROT_GROWSDOWN);
	cr_assert_eq(e[5].kind, MME_MREMAP);
	cr_assert_eq(e[5].addr, 0x7efe9c110000ull);
	cr_assert_eq(e[5].len, 40960);
	cr_assert_eq(e[5].len2, 106496);
	cr_assert_eq(e[5].addr2, 0x7efe9b93f000ull);
	cr_assert_eq(e[5].aux, 1);
	cr_assert_eq(e[6].aux, 3);
	cr_assert_eq(e[6].addr2, 0x200000);
	cr_assert_eq(e[7].kind, MME_MADVISE);
	cr_assert_eq(e[7].aux, 4, "MADV_DONTNEED");
	cr_assert_eq(e[8].kind, MME_MPROTECT);
	cr_assert_eq(e[9].kind, MME_EXEC);
	cr_assert_eq(e[9].flags, 0, "the ') = 5' inside a string is not the result");
	cr_assert_eq(e[10].kind, MME_EXIT);
	cr_assert_eq(e[10].flags, 0);
	trace_free(&t);
}

Test(trace_strace, timestamps)
{
	struct mm_trace t;
	/* -tt */
	load_ok("42 12:34:56.123456 munmap(0x1000, 4096) = 0\n", &t);
	cr_assert_eq(t.ev[0].ts_ns, (12 * 3600 + 34 * 60 + 56) * 1000000000ull + 123456000ull);
	cr_assert_eq(t.ev[0].pid, 42);
	cr_assert(t.stats.has_ts);
	trace_free(&t);
	/* -ttt */
	load_ok("42 1763800000.000123 munmap(0x1000, 4096) = 0\n", &t);
	cr_assert_eq(t.ev[0].ts_ns, 1763800000000123000ull);
	trace_free(&t);
	/* -ttt without pid (single process) */
	load_ok("1763800000.5 munmap(0x1000, 4096) = 0\n", &t);
	cr_assert_eq(t.ev[0].ts_ns, 1763800000500000000ull);
	cr_assert_eq(t.ev[0].pid, 0);
	trace_free(&t);
	/* -t, and "[pid N]" prefixes of strace -f writing to stderr */
	load_ok("01:00:02 munmap(0x1000, 4096) = 0\n"
		"[pid  4242] 01:00:03 munmap(0x2000, 4096) = 0\n",
		&t);
	cr_assert_eq(t.ev[0].ts_ns, 3602 * 1000000000ull);
	cr_assert_eq(t.ev[1].pid, 4242);
	cr_assert_eq(t.ev[1].ts_ns, 3603 * 1000000000ull);
	trace_free(&t);
	/* none */
	load_ok("munmap(0x1000, 4096) = 0\n", &t);
	cr_assert(!t.stats.has_ts);
	trace_free(&t);
}

Test(trace_strace, unfinished_resumed_join)
{
	struct mm_trace t;
	load_ok("10 00:00:01.000000 clone(child_stack=NULL, flags=CLONE_VM|CLONE_FS|SIGCHLD "
		"<unfinished ...>\n"
		"10 00:00:03.000000 <... clone resumed>, child_tidptr=0x7f683889ea10) = 11\n"
		"10 00:00:04.000000 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0 <unfinished ...>\n"
		"12 00:00:04.500000 munmap(0x1000, 4096) = 0\n"
		"10 00:00:05.000000 <... mmap resumed>)  = 0x7f0000000000\n",
		&t);
	cr_assert_eq(t.n, 3);
	cr_assert_eq(t.stats.joined, 2);
	cr_assert_eq(t.ev[0].kind, MME_FORK);
	cr_assert_eq(t.ev[0].addr2, 11);
	cr_assert_eq(t.ev[0].flags, MME_F_CLONE_VM);
	cr_assert_eq(t.ev[0].ts_ns, 1000000000ull, "the call's start time");
	cr_assert_eq(t.ev[1].kind, MME_MUNMAP, "a joined call sits where its result arrived");
	cr_assert_eq(t.ev[2].kind, MME_MMAP);
	cr_assert_eq(t.ev[2].addr, 0x7f0000000000ull);
	cr_assert_eq(t.ev[2].len2, 3);
	trace_free(&t);
}

Test(trace_strace, fork_family)
{
	struct mm_trace t;
	load_ok("1 clone3({flags=CLONE_VM|CLONE_FS|CLONE_THREAD, child_tid=0x7f, exit_signal=0, "
		"stack=0x7f00, stack_size=0x7fff00, tls=0x7f} => {parent_tid=[3]}, 88) = 3\n"
		"1 clone3({flags=CLONE_PIDFD, exit_signal=SIGCHLD, stack=NULL, stack_size=0}, 88) = 4\n"
		"1 fork()                           = 5\n"
		"1 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = -1 EAGAIN (Resource "
		"temporarily unavailable)\n"
		"1 vfork()                          = 6\n",
		&t);
	cr_assert_eq(t.n, 5);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(t.ev[i].kind, MME_FORK);
	cr_assert_eq(t.ev[0].flags, MME_F_CLONE_VM);
	cr_assert_eq(t.ev[0].addr2, 3);
	cr_assert_eq(t.ev[1].flags, 0);
	cr_assert_eq(t.ev[2].addr2, 5);
	cr_assert_eq(t.ev[3].flags, MME_F_FAILED);
	cr_assert_eq(t.ev[3].ret, -11);
	cr_assert_eq(t.ev[4].flags, MME_F_CLONE_VM, "vfork shares the mm until exec");
	trace_free(&t);
}

Test(trace_strace, vfork_child_before_parent_resumes)
{
	/* The vfork parent resumes only after the child's execve (u_build line 153 ff.). */
	struct mm_trace t;
	load_ok("23 brk(NULL) = 0x2000\n"
		"20 vfork( <unfinished ...>\n"
		"24 execve(\"/usr/bin/cc1\", [\"cc1\"], 0x3b29 /* 45 vars */ <unfinished ...>\n"
		"23 munmap(0x1000, 4096) = 0\n"
		"20 <... vfork resumed>)              = 24\n"
		"24 <... execve resumed>)             = 0\n"
		"24 brk(NULL) = 0x1000\n"
		"24 exit_group(0) = ?\n"
		"24 +++ exited with 0 +++\n"
		"20 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=24} ---\n",
		&t);
	cr_assert_eq(t.n, 6);
	cr_assert_eq(t.ev[1].kind, MME_MUNMAP, "pid 23 was seen before: delivered at once");
	cr_assert_eq(t.ev[2].kind, MME_FORK);
	cr_assert_eq(t.ev[2].addr2, 24);
	cr_assert_eq(t.ev[3].kind, MME_EXEC);
	cr_assert_eq(t.ev[3].pid, 24);
	cr_assert_eq(t.ev[4].kind, MME_BRK);
	cr_assert_eq(t.ev[5].kind, MME_EXIT);
	cr_assert_eq(t.stats.ignored, 2, "exit and signal lines are not calls");
	trace_free(&t);
}

Test(trace_strace, child_lines_held_until_fork)
{
	struct mm_trace t;
	load_ok("1 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>\n"
		"2 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x5000\n"
		"1 <... clone resumed>) = 2\n"
		"2 munmap(0x5000, 4096) = 0\n",
		&t);
	cr_assert_eq(t.n, 3);
	cr_assert_eq(t.ev[0].kind, MME_FORK);
	cr_assert_eq(t.ev[1].kind, MME_MMAP);
	cr_assert_eq(t.ev[1].pid, 2);
	cr_assert_eq(t.ev[2].kind, MME_MUNMAP);
	trace_free(&t);
}

Test(trace_strace, unresumed_and_unknown)
{
	struct mm_trace t;
	load_ok("1 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		"2 exit_group(0 <unfinished ...>\n"
		"3 read(3, \"abc\", 3) = 3\n"
		"3 mlock(0x1000, 4096 <unfinished ...>\n"
		"3 <... mlock resumed>) = 0\n"
		"1 +++ killed by SIGKILL +++\n"
		"strace: Process 9 attached\n",
		&t);
	cr_assert_eq(t.n, 2);
	cr_assert_eq(t.ev[0].kind, MME_MMAP);
	cr_assert_eq(t.ev[0].flags & MME_F_FAILED, MME_F_FAILED, "its result never came");
	cr_assert_eq(t.ev[1].kind, MME_EXIT, "an exit_group that never returns is still the exit");
	cr_assert_eq(t.stats.unresumed, 1);
	cr_assert_eq(t.stats.unknown, 2);
	cr_assert_eq(t.stats.nr_unknown_names, 2);
	trace_free(&t);
}

Test(trace_strace, errors)
{
	tu_expect_error("1 munmap(0x1000, 4096) = 0\n2 <... mmap resumed>) = 0x1000\n", 2,
			"without an unfinished");
	tu_expect_error("1 munmap(0x1000, 4096) = 0\n1 mmap(NULL, 4096, PROT_READ <unfinished ...>\n"
			"1 <... munmap resumed>) = 0\n",
			3, "unfinished call is 'mmap'");
	tu_expect_error("1 munmap(0x1000, 4096) = 0\n1 munmap(0x1000) = 0\n", 2, "arguments");
	tu_expect_error("1 munmap(0x1000, 4096) = 0\n1 mprotect(0x1000, 4096, PROT_BOGUS) = 0\n", 2,
			"PROT_BOGUS");
	tu_expect_error("1 munmap(0x1000, 4096) = 0\n1 munmap(0x1000, 99999999999999999999) = 0\n", 2,
			"out of range");
	tu_expect_error("1 munmap(0x1000, 4096) = 0\n1 munmap(0x1000, 4096\n", 2, "unterminated");
	tu_expect_error("1 munmap(0x1000, 4096) = 0\n1 munmap(0x1000, 4096) 0\n", 2, "RESULT");
	tu_expect_error("1 munmap(0x1000, 4096) = 0\n1 madvise(0x1000, 4096, MADV_WHAT) = 0\n", 2,
			"MADV_WHAT");
}
