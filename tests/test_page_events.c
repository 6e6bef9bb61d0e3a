/* The buddy-level page tracepoints (kernel-facts.md, "Page allocator in Linux 6.x"): lines in
 * the exact format of the recordings, their fields in struct mm_event, malformed variants
 * stopped with FILE:LINE, and the counts of a bundled recording against its README. */
#include "tests/trace_testutil.h"

#define ZL(pfn, o, mt, r)                                                                                    \
	"   python3 23386 [000]  2560.518533: kmem:mm_page_alloc_zone_locked: page=" pfn " pfn=" pfn         \
	" order=" o " migratetype=" mt " percpu_refill=" r "\n"

Test(page_events, fields)
{
	const char *s = ZL("0x1d511f", "0", "1", "1")
		ZL("0x3d0800", "10", "0",
		   "0") " kworker/0:0-eve  9200 [000]  2560.032095:        kmem:mm_page_pcpu_drain: "
			"page=0x20bae7 pfn=0x20bae7 order=3 migratetype=2\n"
			"  python3 23432 [001]  2562.984565:     kmem:mm_page_alloc_extfrag: page=0x3d0800 "
			"pfn=0x3d0800 alloc_order=2 fallback_order=10 pageblock_order=9 alloc_migratetype=2 "
			"fallback_migratetype=1 fragmenting=10 change_ownership=1\n";
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 4);
	const struct mm_event *e = t.ev;
	cr_assert_eq(e[0].kind, MME_PAGE_ZONE_LOCKED);
	cr_assert_eq(e[0].addr, 0x1d511f);
	cr_assert_eq(e[0].order, 0);
	cr_assert_eq(e[0].mt, 1);
	cr_assert_eq(e[0].flags, MME_F_PCP_REFILL);
	cr_assert_eq(e[1].order, 10);
	cr_assert_eq(e[1].flags, 0, "percpu_refill=0");
	cr_assert_eq(e[2].kind, MME_PAGE_PCPU_DRAIN);
	cr_assert_eq(e[2].addr, 0x20bae7);
	cr_assert_eq(e[2].order, 3);
	cr_assert_eq(e[2].mt, 2);
	cr_assert_eq(e[3].kind, MME_PAGE_EXTFRAG);
	cr_assert_eq(e[3].addr, 0x3d0800);
	cr_assert_eq(e[3].order, 2);
	cr_assert_eq(e[3].mt, 2);
	cr_assert_eq(e[3].len, 10);
	cr_assert_eq(e[3].len2, 9);
	cr_assert_eq(e[3].addr2, 1);
	cr_assert_eq(e[3].aux, 10);
	cr_assert_eq(e[3].flags, MME_F_CHANGE_OWNER);
	cr_assert_eq(t.stats.kind[MME_PAGE_ZONE_LOCKED], 2);
	cr_assert_str_eq(mm_event_kind_name(MME_PAGE_PCPU_DRAIN), "page_pcpu_drain");
	trace_free(&t);
}

Test(page_events, tracefs_form)
{
	const char *s = "# tracer: nop\n"
			"          python3-23386   [000] .....  2560.518533: mm_page_alloc_zone_locked: "
			"page=00000000c0ffee00 pfn=0x1d511f order=1 migratetype=0 percpu_refill=0\n";
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 1);
	cr_assert_eq(t.ev[0].kind, MME_PAGE_ZONE_LOCKED);
	cr_assert_eq(t.ev[0].order, 1);
	trace_free(&t);
}

Test(page_events, malformed)
{
	tu_expect_error(ZL("0x1", "0", "1", "1") ZL("0x2", "0", "1", "2"), 2, "percpu_refill=2 out of range");
	tu_expect_error(ZL("0x1", "0", "x", "1"), 1, "migratetype=");
	tu_expect_error("  a 1 [000]  1.0: kmem:mm_page_pcpu_drain: page=0x1 pfn=0x1 order=0\n", 1,
			"expected 'migratetype='");
	tu_expect_error("  a 1 [000]  1.0: kmem:mm_page_pcpu_drain: page=(null) pfn=0x1 order=0 "
			"migratetype=0\n",
			1, "NULL");
	tu_expect_error("  a 1 [000]  1.0: kmem:mm_page_alloc_extfrag: page=0x1 pfn=0x1 alloc_order=2 "
			"fallback_order=10 pageblock_order=9 alloc_migratetype=2 fallback_migratetype=1 "
			"fragmenting=1\n",
			1, "change_ownership=");
	tu_expect_error(ZL("0x1", "0", "1", "1 junk"), 1, "unexpected text");
}

Test(page_events, recording_counts_match_its_readme)
{
	/* data/recordings/README.md: d_mixed5 has 80739 zone_locked and 80045 pcpu_drain events */
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(trace_load(MMREPLAY_DATA_DIR "/recordings/d_mixed5/trace.perf.txt.zst", NULL, &t, &d), 0,
		     "%s", d.msg);
	cr_assert_eq(t.stats.kind[MME_PAGE_ZONE_LOCKED], 80739);
	cr_assert_eq(t.stats.kind[MME_PAGE_PCPU_DRAIN], 80045);
	cr_assert_eq(t.stats.kind[MME_PAGE_ALLOC], 204845);
	cr_assert_eq(t.stats.unknown, 0);
	trace_free(&t);
}
