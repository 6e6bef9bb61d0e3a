/* Kernel text readers (perf script, tracefs, trace-cmd report) on hand-made lines whose
 * expected events follow from the tracepoint formats in kernel-facts.md; malformed input,
 * compressed input and over-long lines. */
#include "tests/trace_testutil.h"

#define PERF_ALLOC                                                                                           \
	"   python3 1234 [001]   432.546721:             kmem:mm_page_alloc: page=0x11d932 "                 \
	"pfn=0x11d932 order=2 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO\n"
#define PERF_FREE                                                                                            \
	"   python3 1234 [000]   432.546722:              kmem:mm_page_free: page=0x10bd20 "                 \
	"pfn=0x10bd20 order=0\n"

Test(trace_text, perf_fields)
{
	const char *s = PERF_ALLOC PERF_FREE
		"  wl thr 5 [001]   432.550365:        vmalloc:alloc_vmap_area: va_start: "
		"18446683600674078720 size=20480 align=16384 vstart=0xffffc90000000000 "
		"vend=0xffffe8ffffffffff failed=0\n"
		" kworker/0:1-vir    11 [000]   432.970272:   vmalloc:purge_vmap_area_lazy: "
		"start=0xffffc900000c4000 end=0xffffc9000a7b1000 num_purged=3292\n"
		"         swapper     0 [000]   432.546822:                  tlb:tlb_flush: pages:-1 "
		"reason:flush on task switch (0)\n"
		"             :-1    -1 [001]   266.764202:                  tlb:tlb_flush: pages:7 "
		"reason:remote IPI send (4)\n"
		"  bash 9 [001]   1.000000:        vmalloc:free_vmap_area_noflush: "
		"va_start=0xffffc90000120000 nr_lazy=15050 nr_lazy_max=16384\n";
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.format, TRACE_FMT_PERF);
	cr_assert_eq(t.n, 7);
	const struct mm_event *e = t.ev;
	cr_assert_eq(e[0].kind, MME_PAGE_ALLOC);
	cr_assert_eq(e[0].addr, 0x11d932);
	cr_assert_eq(e[0].order, 2);
	cr_assert_eq(e[0].mt, 1);
	cr_assert_eq(e[0].pid, 1234);
	cr_assert_eq(e[0].cpu, 1);
	cr_assert_eq(e[0].ts_ns, 432546721000ull);
	cr_assert_eq(e[0].flags, 0);
	cr_assert_eq(e[1].kind, MME_PAGE_FREE);
	cr_assert_eq(e[1].addr, 0x10bd20);
	cr_assert_eq(e[1].ts_ns, 432546722000ull);
	cr_assert_eq(e[2].kind, MME_VMAP_ALLOC);
	cr_assert_eq(e[2].addr, 18446683600674078720ull);
	cr_assert_eq(e[2].len, 20480);
	cr_assert_eq(e[2].aux, 16384);
	cr_assert_eq(e[2].addr2, 0xffffc90000000000ull);
	cr_assert_eq(e[2].len2, 0xffffe8ffffffffffull);
	cr_assert_eq(e[2].pid, 5, "comm 'wl thr' has a space");
	cr_assert_eq(e[3].kind, MME_VMAP_PURGE);
	cr_assert_eq(e[3].addr, 0xffffc900000c4000ull);
	cr_assert_eq(e[3].addr2, 0xffffc9000a7b1000ull);
	cr_assert_eq(e[3].aux, 3292);
	cr_assert_eq(e[4].kind, MME_TLB_FLUSH);
	cr_assert_eq(e[4].len, (u64)-1, "pages:-1 is a full flush");
	cr_assert_eq(e[4].aux, 0);
	cr_assert_eq(e[5].len, 7);
	cr_assert_eq(e[5].aux, 4);
	cr_assert_eq(e[5].pid, TRACE_PID_NONE);
	cr_assert_eq(e[6].kind, MME_VMAP_FREE);
	cr_assert_eq(e[6].len2, 15050);
	cr_assert_eq(e[6].aux, 16384);
	cr_assert_eq(t.stats.nr_pids, 6);
	cr_assert_eq(t.stats.nr_cpus, 2);
	cr_assert_eq(t.stats.min_ts, 1000000000ull);
	trace_free(&t);
}

Test(trace_text, page_alloc_variants)
{
	const char *s =
		/* old kernels print pfn=%lu in decimal */
		"  a 1 [000] 1.000001: kmem:mm_page_alloc: page=ffffea0004276480 pfn=1089938 order=0 "
		"migratetype=0 gfp_flags=GFP_KERNEL\n"
		/* a failed allocation prints no pfn */
		"  a 1 [000] 1.000002: kmem:mm_page_alloc: page=(null) order=3 migratetype=2 "
		"gfp_flags=GFP_KERNEL\n"
		"  a 1 [000] 1.000003: kmem:mm_page_alloc: page=0x1 pfn=0x1 order=0 migratetype=0 "
		"gfp_flags=GFP_DMA\n"
		"  a 1 [000] 1.000004: kmem:mm_page_alloc: page=0x2 pfn=0x2 order=0 migratetype=0 "
		"gfp_flags=GFP_KERNEL|__GFP_DMA32\n"
		"  a 1 [000] 1.000005: kmem:mm_page_alloc: page=0x3 pfn=0x3 order=0 migratetype=0 "
		"gfp_flags=GFP_DMA32\n"
		"  a 1 [000] 1.000006: kmem:mm_page_alloc: page=0x4 pfn=0x4 order=0 migratetype=0 "
		"gfp_flags=__GFP_DMA|__GFP_NOWARN\n"
		"  a 1 [000] 1.000007: kmem:mm_page_alloc: page=0000000000000000 pfn=0x0 order=1 "
		"migratetype=0 gfp_flags=GFP_KERNEL\n";
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 7);
	cr_assert_eq(t.ev[0].addr, 1089938);
	cr_assert_eq(t.ev[0].flags, 0);
	cr_assert_eq(t.ev[1].flags, MME_F_FAILED);
	cr_assert_eq(t.ev[1].order, 3);
	cr_assert_eq(t.ev[1].mt, 2);
	cr_assert_eq(t.ev[2].flags, MME_F_ZONE_DMA);
	cr_assert_eq(t.ev[3].flags, MME_F_ZONE_DMA32);
	cr_assert_eq(t.ev[4].flags, MME_F_ZONE_DMA32, "GFP_DMA32 is not GFP_DMA");
	cr_assert_eq(t.ev[5].flags, MME_F_ZONE_DMA);
	cr_assert_eq(t.ev[6].flags, MME_F_FAILED, "a NULL page is a failed allocation");
	cr_assert_eq(t.stats.failed, 2);
	trace_free(&t);
}

Test(trace_text, tracefs_task_names_and_tgid)
{
	const char *s = "# tracer: nop\n"
			"#\n"
			"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
			"            bash-9711    [000] .....   445.456725: mm_page_free: "
			"page=000000004fc9a747 pfn=0x10a006 order=1\n"
			" my task-with-dash-77    [001] d..1.   445.456726: mm_page_free: "
			"page=000000004fc9a747 pfn=0x10a007 order=0\n"
			"          <idle>-0       (-------) [001] ..s1.   445.456727: mm_page_free: "
			"page=00000000175724f9 pfn=0x1 order=0\n"
			"       python3-9718  (   9700) [001] .....   445.456728: mm_page_free: "
			"page=00000000175724f9 pfn=0x2 order=0\n"
			"CPU:1 [LOST 12 EVENTS]\n"
			"            bash-9711    [000] .....   445.456729: sched_switch: prev=a\n";
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.format, TRACE_FMT_FTRACE);
	cr_assert_eq(t.n, 4);
	cr_assert_eq(t.ev[0].pid, 9711);
	cr_assert_eq(t.ev[0].order, 1);
	cr_assert_eq(t.ev[0].ts_ns, 445456725000ull);
	cr_assert_eq(t.ev[1].pid, 77, "the pid follows the last '-'");
	cr_assert_eq(t.ev[1].cpu, 1);
	cr_assert_eq(t.ev[2].pid, 0);
	cr_assert_eq(t.ev[3].pid, 9718);
	cr_assert_eq(t.stats.unknown, 1);
	cr_assert_str_eq(t.stats.unknown_names[0].name, "sched_switch");
	cr_assert_eq(t.stats.ignored, 4);
	trace_free(&t);
}

Test(trace_text, trace_cmd_report)
{
	const char *s = "version = 6\n"
			"CPU 0 is empty\n"
			"cpus=2\n"
			"          python-1234  [001]  1234.567890: mm_page_alloc:        "
			"page=0xffffea0004276480 pfn=0x109d92 order=0 migratetype=1 "
			"gfp_flags=GFP_HIGHUSER_MOVABLE\n"
			"          python-1234  [001]  1234.567891123: tlb_flush:            pages:1 "
			"reason:local MM shootdown (3)\n";
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.format, TRACE_FMT_FTRACE);
	cr_assert_eq(t.n, 2);
	cr_assert_eq(t.ev[0].addr, 0x109d92);
	cr_assert_eq(t.ev[0].pid, 1234);
	cr_assert_eq(t.ev[1].kind, MME_TLB_FLUSH);
	cr_assert_eq(t.ev[1].ts_ns, 1234567891123ull, "nanosecond timestamps are kept");
	cr_assert_eq(t.ev[1].aux, 3);
	trace_free(&t);
}

Test(trace_text, malformed_lines_name_file_and_line)
{
	tu_expect_error(PERF_ALLOC PERF_FREE
			"   python3 1234 [001]   432.5:  kmem:mm_page_free: page=0x1 pfn=0x1\n",
			3, "order=");
	tu_expect_error(PERF_ALLOC "   python3 1234 [001]   432.5:  kmem:mm_page_free: page=0x1 "
				   "pfn=0x1ffffffffffffffff order=0\n",
			2, "out of range");
	tu_expect_error(PERF_ALLOC "   python3 1234 [001]   432.5:  kmem:mm_page_free: page=0x1 "
				   "pfn=0x1 order=99\n",
			2, "order");
	tu_expect_error(PERF_ALLOC "   python3 1234 [001]   432.5:  kmem:mm_page_free: page=0x1 "
				   "pfn=zz order=0\n",
			2, "pfn=");
	tu_expect_error(PERF_ALLOC "garbage line\n", 2, "perf script");
	tu_expect_error(PERF_ALLOC "   python3 1234 [001]   99999999999999999999.5:  "
				   "kmem:mm_page_free: page=0x1 pfn=0x1 order=0\n",
			2, "timestamp");
	tu_expect_error(PERF_ALLOC "   python3 1234 [001]   1.5:  tlb:tlb_flush: pages:-2 "
				   "reason:x (1)\n",
			2, "pages");
	tu_expect_error(PERF_ALLOC "   python3 1234 [001]   1.5:  kmem:mm_page_free: page=0x1 "
				   "pfn=0x1 order=0 extra\n",
			2, "unexpected text");
	tu_expect_error("# tracer: nop\n     bash-1 [000] .... 1.0: mm_page_free: page=0 pfn=0x1\n", 2,
			"order=");
	static const char elf[] = "\x7f"
				  "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0";
	tu_expect_error_buf(elf, sizeof(elf) - 1, 1, "binary");
	tu_expect_error("hello world\n", 1, "unrecognised");
}

Test(trace_text, nul_byte_in_a_line)
{
	static const char s[] = PERF_ALLOC "   python3 1234 [001]   1.5:  kmem:mm_page_free: page=0x1 "
					   "pfn=0x1 order=0\0junk\n";
	char *p = tu_write(s, sizeof(s) - 1);
	struct mm_trace t;
	struct mm_diag d;
	struct trace_opts o = {.name = "t.txt"};
	cr_assert_lt(trace_load(p, &o, &t, &d), 0);
	cr_assert(strstr(d.msg, "t.txt:2: ") && strstr(d.msg, "NUL"), "%s", d.msg);
	unlink(p);
	free(p);
}

Test(trace_text, skip_bad_counts)
{
	const char *s = PERF_ALLOC "bad line one\n" PERF_FREE
				   "   python3 1234 [001]   1.5:  kmem:mm_page_free: page=0x1 order=0\n"
				   "   python3 1234 [001]   1.6:  kmem:kmalloc: call_site=x\n"
				   "   python3 1234 [001]   1.7:  kmem:kmalloc: call_site=y\n" PERF_FREE;
	struct mm_trace t;
	struct mm_diag d;
	struct trace_opts o = {.skip_bad = true};
	cr_assert_eq(tu_load(s, &o, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 3);
	cr_assert_eq(t.stats.skipped, 2);
	cr_assert(strstr(t.stats.first_skip, "t.txt:2: "), "%s", t.stats.first_skip);
	cr_assert_eq(t.stats.unknown, 2);
	cr_assert_eq(t.stats.nr_unknown_names, 1);
	cr_assert_str_eq(t.stats.unknown_names[0].name, "kmem:kmalloc");
	cr_assert_eq(t.stats.unknown_names[0].count, 2);
	trace_free(&t);
}

Test(trace_text, megabyte_line)
{
	size_t big = 3u << 20;
	size_t a = strlen(PERF_ALLOC);
	char *s = malloc(a + big + 2 + a + 1);
	memcpy(s, PERF_ALLOC, a);
	memset(s + a, 'x', big);
	s[a + big] = '\n';
	memcpy(s + a + big + 1, PERF_ALLOC, a + 1);
	tu_expect_error(s, 2, "longer than");
	struct mm_trace t;
	struct mm_diag d;
	struct trace_opts o = {.skip_bad = true};
	cr_assert_eq(tu_load(s, &o, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 2, "reading resumes after the long line");
	cr_assert_eq(t.stats.skipped, 1);
	cr_assert_eq(t.stats.lines, 3);
	trace_free(&t);
	free(s);
}

Test(trace_text, zstd_input_whole_truncated_corrupt)
{
	/* a few thousand lines so that the compressed stream spans several blocks */
	size_t one = strlen(PERF_ALLOC), n = 4000;
	char *s = malloc(one * n + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * one, PERF_ALLOC, one);
	s[one * n] = '\0';
	size_t zl;
	unsigned char *z = tu_zstd(s, one * n, &zl);
	char *p = tu_write(z, zl);
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(trace_load(p, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, n);
	trace_free(&t);
	unlink(p);
	free(p);

	p = tu_write(z, zl - 7);
	cr_assert_lt(trace_load(p, NULL, &t, &d), 0);
	cr_assert(strstr(d.msg, "truncated zstd"), "%s", d.msg);
	unlink(p);
	free(p);

	for (size_t i = 12; i < zl - 8; i++)
		z[i] ^= 0x5a;
	p = tu_write(z, zl);
	cr_assert_lt(trace_load(p, NULL, &t, &d), 0);
	cr_assert(strstr(d.msg, "zstd"), "%s", d.msg);
	unlink(p);
	free(p);
	free(z);
	free(s);
}

Test(trace_text, stdin_dash)
{
	char *p = tu_write_str(PERF_ALLOC PERF_FREE);
	FILE *f = freopen(p, "r", stdin);
	cr_assert_not_null(f);
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(trace_load("-", NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 2);
	trace_free(&t);
	unlink(p);
	free(p);
}

Test(trace_text, empty_input)
{
	tu_expect_error("", 0, "empty");
}

/* The zone modifiers of random gfp_flags texts against a slow reference: split on '|', a token
 * GFP_DMA or __GFP_DMA is DMA, GFP_DMA32 or __GFP_DMA32 is DMA32, 0xBITS has DMA in bit 0 and
 * DMA32 in bit 2 (the reader skips tokenizing texts that cannot name a zone). */
static unsigned gfp_ref(const char *g)
{
	unsigned f = 0;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", g);
	for (char *save = NULL, *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		if (!strcmp(t, "GFP_DMA") || !strcmp(t, "__GFP_DMA"))
			f |= MME_F_ZONE_DMA;
		else if (!strcmp(t, "GFP_DMA32") || !strcmp(t, "__GFP_DMA32"))
			f |= MME_F_ZONE_DMA32;
		else if ((t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) && t[2]) {
			char *end;
			unsigned long long v = strtoull(t + 2, &end, 16);
			if (!*end && (v & 1))
				f |= MME_F_ZONE_DMA;
			if (!*end && (v & 4))
				f |= MME_F_ZONE_DMA32;
		}
	}
	return f;
}

Test(trace_text, gfp_zone_flags_match_reference)
{
	static const char *const tok[] = {"GFP_KERNEL",	 "GFP_DMA",
					  "__GFP_DMA",	 "GFP_DMA32",
					  "__GFP_DMA32", "__GFP_DIRECT_RECLAIM",
					  "GFP_DMA3",	 "0x1",
					  "0x4",	 "0X5",
					  "0x10",	 "0x",
					  "__GFP_ZERO",	 "GFP_HIGHUSER_MOVABLE",
					  "xDMA",	 ""};
	const size_t ntok = sizeof(tok) / sizeof(tok[0]);
	unsigned seed = 12345;
	for (int round = 0; round < 400; round++) {
		char g[512] = "", line[700];
		int k = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 5;
		for (int i = 0; i < k; i++) {
			seed = seed * 1103515245u + 12345u;
			if (i)
				strcat(g, "|");
			strcat(g, tok[(seed >> 16) % ntok]);
		}
		if (!*g)
			strcpy(g, "GFP_KERNEL");
		snprintf(line, sizeof(line),
			 "  a 1 [000] 1.000001: kmem:mm_page_alloc: page=0x1 pfn=0x1 order=0 "
			 "migratetype=0 gfp_flags=%s\n",
			 g);
		struct mm_trace t;
		struct mm_diag d;
		cr_assert_eq(tu_load(line, NULL, &t, &d), 0, "%s: %s", g, d.msg);
		cr_assert_eq(t.n, 1);
		cr_assert_eq(t.ev[0].flags, gfp_ref(g), "gfp_flags=%s: %#x, reference %#x", g, t.ev[0].flags,
			     gfp_ref(g));
		trace_free(&t);
	}
}
