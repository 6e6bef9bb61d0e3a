/* Tracepoints of page movements no kmem event shows: compaction (its free scanner takes free
 * pages without mm_page_alloc), migration, page isolation, kswapd and direct reclaim. They are
 * evidence for the snapshot comparison and the input of a compaction model. Formats (Linux
 * 6.18, tracefs events/GROUP/NAME/format):
 *   mm_compaction_isolate_freepages, _fast_isolate_freepages, _isolate_migratepages
 *                            range=(0x%lx ~ 0x%lx) nr_scanned=%lu nr_taken=%lu
 *   mm_compaction_begin      zone_start=0x%lx migrate_pfn=0x%lx free_pfn=0x%lx zone_end=0x%lx, mode=%s
 *   mm_compaction_end        the same, then " status=%s" (skipped, deferred, continue, success,
 *                            partial_skipped, complete, no_suitable_page, not_suitable_zone,
 *                            contended)
 *   mm_compaction_migratepages nr_migrated=%lu nr_failed=%lu
 *   mm_compaction_try_to_compact_pages order=%d gfp_mask=%s priority=%d (a direct compaction
 *                            request: the allocation it serves found no block)
 *   mm_migrate_pages         nr_succeeded=%lu nr_failed=%lu nr_thp_succeeded=%lu ... mode=%s reason=%s
 *   test_pages_isolated      start_pfn=0x%lx end_pfn=0x%lx fin_pfn=0x%lx ret=%s
 * Other compaction:* events and the vmscan ones are kept by kind only (fields not read). */
#include <string.h>

#include "workloads/trace/trace_priv.h"

/* The number after the first "key" in the fields (up to the line's end). */
static int km_num(struct trace_reader *r, const char *f, const char *key, u64 *v)
{
	const char *s = strstr(f, key);
	if (!s || s >= r->line_end)
		return trace_bad(r, "expected '%s'", key);
	s += strlen(key);
	int e = tp_num(&s, v);
	return e ? trace_bad(r, "%s in '%s'", tp_errstr(e), key) : 0;
}

/* The index of the word after "key" in names[] (n of them): *v, or -EINVAL. */
static int km_word(struct trace_reader *r, const char *f, const char *key, const char *const *names, size_t n,
		   u64 *v)
{
	const char *s = strstr(f, key);
	if (!s || s >= r->line_end)
		return trace_bad(r, "expected '%s'", key);
	s += strlen(key);
	size_t len = strcspn(s, " \t");
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == len && !memcmp(s, names[i], len)) {
			*v = i;
			return 0;
		}
	return trace_bad(r, "unknown value after '%s'", key);
}

/* gfp_mask=NAMES of a compaction request: its migratetype as mm_page_alloc prints it (0
 * unmovable, 1 movable: a name ending in MOVABLE or a TRANSHUGE one, 2 reclaimable) and the zone
 * modifiers (MME_F_ZONE_*). */
static void km_gfp(struct trace_reader *r, const char *f, struct mm_event *ev)
{
#define TOK(s) (k == sizeof(s) - 1 && !memcmp(t, s, sizeof(s) - 1))
	const char *s = strstr(f, "gfp_mask=");
	ev->mt = 0;
	if (!s || s >= r->line_end)
		return;
	s += 9;
	const char *end = s + strcspn(s, " \t\n");
	for (const char *t = s; t < end; t++) {
		size_t k = strcspn(t, "| \t\n");
		if (TOK("__GFP_RECLAIMABLE"))
			ev->mt = 2;
		else if ((k >= 7 && !memcmp(t + k - 7, "MOVABLE", 7)) ||
			 (k >= 13 && !memcmp(t, "GFP_TRANSHUGE", 13)))
			ev->mt = 1;
		else if (TOK("GFP_DMA") || TOK("__GFP_DMA"))
			ev->flags |= MME_F_ZONE_DMA;
		else if (TOK("GFP_DMA32") || TOK("__GFP_DMA32"))
			ev->flags |= MME_F_ZONE_DMA32;
		t += k;
	}
#undef TOK
}

static int km_compaction(struct trace_reader *r, const char *n, size_t len, const char *f,
			 struct mm_event *ev)
{
	static const char *const status[] = {"not_suitable_zone", "skipped",   "deferred",
					     "no_suitable_page",  "continue",  "complete",
					     "partial_skipped",	  "contended", "success"};
#define IS(s) (len == sizeof(s) - 1 && !memcmp(n, s, sizeof(s) - 1))
	int e = 0;
	u64 st = 0;
	ev->kind = MME_COMPACTION;
	if (IS("mm_compaction_isolate_freepages") || IS("mm_compaction_fast_isolate_freepages") ||
	    IS("mm_compaction_isolate_migratepages")) {
		ev->aux = IS("mm_compaction_isolate_freepages")	       ? MME_COMPACT_ISOLATE_FREE
			  : IS("mm_compaction_fast_isolate_freepages") ? MME_COMPACT_FAST_ISOLATE_FREE
								       : MME_COMPACT_ISOLATE_MIGRATE;
		if ((e = km_num(r, f, "range=(", &ev->addr)) || (e = km_num(r, f, " ~ ", &ev->addr2)) ||
		    (e = km_num(r, f, "nr_scanned=", &ev->len)) || (e = km_num(r, f, "nr_taken=", &ev->len2)))
			return e;
	} else if (IS("mm_compaction_begin") || IS("mm_compaction_end")) {
		ev->aux = IS("mm_compaction_begin") ? MME_COMPACT_BEGIN : MME_COMPACT_END;
		if ((e = km_num(r, f, "zone_start=", &ev->addr)) ||
		    (e = km_num(r, f, "migrate_pfn=", &ev->len)) ||
		    (e = km_num(r, f, "free_pfn=", &ev->len2)) || (e = km_num(r, f, "zone_end=", &ev->addr2)))
			return e;
		if (ev->aux == MME_COMPACT_END &&
		    (e = km_word(r, f, "status=", status, MM_ARRAY_SIZE(status), &st)))
			return e;
		ev->ret = (i32)st;
	} else if (IS("mm_compaction_try_to_compact_pages")) {
		u64 order = 0, prio = 0;
		ev->aux = MME_COMPACT_TRY;
		if ((e = km_num(r, f, "order=", &order)) || (e = km_num(r, f, "priority=", &prio)))
			return e;
		if (order > 15 || prio > 2)
			return trace_bad(r, "order or priority out of range");
		ev->order = (u8)order;
		ev->len = prio;
		km_gfp(r, f, ev);
	} else if (IS("mm_compaction_deferred") || IS("mm_compaction_defer_compaction") ||
		   IS("mm_compaction_defer_reset")) {
		static const char *const zone[] = {"DMA", "DMA32", "Normal", "Movable"};
		u64 failed = 0;
		ev->aux = MME_COMPACT_DEFER;
		if ((e = km_word(r, f, "zone=", zone, MM_ARRAY_SIZE(zone), &ev->addr)) ||
		    (e = km_num(r, f, "order_failed=", &failed)) ||
		    (e = km_num(r, f, "consider=", &ev->len)) || (e = km_num(r, f, "limit=", &ev->len2)))
			return e;
		if (failed > 15)
			return trace_bad(r, "order_failed out of range");
		ev->order = (u8)failed;
	} else if (IS("mm_compaction_migratepages")) {
		ev->aux = MME_COMPACT_MIGRATEPAGES;
		if ((e = km_num(r, f, "nr_migrated=", &ev->len)) ||
		    (e = km_num(r, f, "nr_failed=", &ev->len2)))
			return e;
	} else if (IS("mm_compaction_kcompactd_sleep")) {
		ev->aux = MME_COMPACT_KCOMPACTD_SLEEP;
	} else {
		ev->aux = MME_COMPACT_OTHER;
	}
#undef IS
	return 1;
}

int trace_kmove(struct trace_reader *r, const char *sys, size_t slen, const char *n, size_t len,
		const char *f, struct mm_event *ev)
{
	static const char *const reasons[] = {
		"compaction",	  "memory_failure", "memory_hotplug", "syscall_or_cpuset", "mempolicy_mbind",
		"numa_misplaced", "contig_range",   "longterm_pin",   "demotion",	   "damon"};
	static const char *const reclaim[] = {"mm_vmscan_kswapd_wake", "mm_vmscan_kswapd_sleep",
					      "mm_vmscan_wakeup_kswapd", "mm_vmscan_direct_reclaim_begin",
					      "mm_vmscan_direct_reclaim_end"};
#define SYS(s) (!sys || (slen == sizeof(s) - 1 && !memcmp(sys, s, sizeof(s) - 1)))
#define IS(s) (len == sizeof(s) - 1 && !memcmp(n, s, sizeof(s) - 1))
	int e;
	if (len > 14 && !memcmp(n, "mm_compaction_", 14) && SYS("compaction"))
		return km_compaction(r, n, len, f, ev);
	if (IS("mm_migrate_pages") && SYS("migrate")) {
		ev->kind = MME_MIGRATE;
		if ((e = km_num(r, f, "nr_succeeded=", &ev->len)) ||
		    (e = km_num(r, f, "nr_failed=", &ev->len2)) ||
		    (e = km_word(r, f, "reason=", reasons, MM_ARRAY_SIZE(reasons), &ev->aux)))
			return e;
		return 1;
	}
	if (IS("test_pages_isolated") && SYS("page_isolation")) {
		static const char *const ret[] = {"success", "fail"};
		u64 failed = 0;
		ev->kind = MME_PAGE_ISOLATION;
		if ((e = km_num(r, f, "start_pfn=", &ev->addr)) ||
		    (e = km_num(r, f, "end_pfn=", &ev->addr2)) || (e = km_num(r, f, "fin_pfn=", &ev->len)) ||
		    (e = km_word(r, f, "ret=", ret, 2, &failed)))
			return e;
		if (failed)
			ev->flags |= MME_F_FAILED;
		return 1;
	}
	for (size_t i = 0; i < MM_ARRAY_SIZE(reclaim) && SYS("vmscan"); i++)
		if (len == strlen(reclaim[i]) && !memcmp(n, reclaim[i], len)) {
			ev->kind = MME_RECLAIM;
			ev->aux = i;
			/* the order kswapd is woken for (kswapd_wake: the run's alloc_order) */
			const char *o = strstr(f, "order=");
			u64 order;
			if ((i == MME_RECLAIM_KSWAPD_WAKE || i == MME_RECLAIM_WAKEUP_KSWAPD) && o &&
			    o < r->line_end) {
				if ((e = km_num(r, f, "order=", &order)))
					return e;
				if (order > 15)
					return trace_bad(r, "order out of range");
				ev->order = (u8)order;
			}
			return 1;
		}
#undef SYS
#undef IS
	return 0;
}
