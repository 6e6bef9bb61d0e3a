/* The compaction model (core/phys/compact.h) against its slow reference (compact_ref.h) on
 * random workloads, and its rules one scenario each: deferral, skip hints, placement with
 * compaction, the fragmentation index, free pageblocks as targets. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/rng.h"
#include "core/phys/pagereplay.h"
#include "core/phys/pcp.h"
#include "tests/compact_ref.h"

static void churn(struct world *w, struct rng *g, unsigned steps, unsigned free_pct)
{
	struct buddy *b = &w->zs.zone[0].buddy;
	for (unsigned s = 0; s < steps; s++) {
		unsigned o = (unsigned)rng_below(g, NOWN);
		if (w->pfn_model[o] != UINT64_MAX || rng_below(g, 100) < free_pct) {
			if (w->pfn_model[o] == UINT64_MAX)
				continue;
			u64 pfn = w->pfn_model[o];
			cr_assert_eq(buddy_free(b, pfn, w->order[o]), 0);
			r_clear(&w->r, pfn - BASE, w->order[o]);
			w->m_own[pfn - BASE] = 0;
			w->pfn_model[o] = w->pfn_ref[o] = UINT64_MAX;
			continue;
		}
		unsigned order = rng_below(g, 20) == 0 ? 9 : (unsigned)rng_below(g, 4);
		int mt = rng_below(g, 10) < 7 ? MT_MOVABLE : (int)rng_below(g, 2) * 2;
		u64 pfn;
		if (buddy_alloc(b, order, mt, &pfn))
			continue;
		w->order[o] = order;
		w->pfn_model[o] = w->pfn_ref[o] = pfn;
		w->m_own[pfn - BASE] = o + 1;
		w->m_mov[pfn - BASE] = mt == MT_MOVABLE;
		r_mark(&w->r, pfn - BASE, order, mt == MT_MOVABLE, o);
	}
}

static void random_runs(const char *policy, u64 seed)
{
	static struct world w;
	world_init(&w, policy);
	struct rng g;
	rng_seed(&g, seed);
	char when[64];
	for (unsigned round = 0; round < 40; round++) {
		churn(&w, &g, 3000,
		      rng_below(&g, 3) ? 0 : (unsigned)rng_below(&g, 90)); /* some rounds mostly free */
		unsigned order = rng_below(&g, 3) ? 9 : (unsigned)rng_below(&g, 9) + 1;
		unsigned kind =
			(unsigned)rng_below(&g, 4); /* async, sync light, sync full direct; kcompactd */
		struct compact_req rq = {order, MT_MOVABLE,
					 kind == 0   ? COMPACT_PRIO_ASYNC
					 : kind == 2 ? COMPACT_PRIO_SYNC_FULL
						     : COMPACT_PRIO_SYNC_LIGHT,
					 kind != 3};
		if (rng_below(&g, 4) == 0) {
			compact_kswapd_sleep(&w.c);
			r_kswapd_sleep(&w.r);
		}
		enum compact_result mres = compact_zone(&w.c, 0, &rq);
		enum compact_result rres = r_compact(&w, &rq);
		snprintf(when, sizeof(when), "%s seed %llu round %u order %u kind %u", policy,
			 (unsigned long long)seed, round, order, kind);
		cr_assert_eq(mres, rres, "%s: result %d vs %d", when, mres, rres);
		if (mres == COMPACT_SUCCESS)
			cr_assert(compact_order_free(&w.c, 0, order), "%s: success without a block", when);
		agree(&w, when);
	}
	cr_assert_gt(w.c.st.migrated, 0, "%s: the workload never migrated a page", policy);
	world_fini(&w);
}

Test(compact, scanners_match_reference_lifo)
{
	for (u64 seed = 1; seed <= 4; seed++)
		random_runs("lifo", seed);
}

Test(compact, scanners_match_reference_mobility)
{
	for (u64 seed = 1; seed <= 4; seed++)
		random_runs("mobility", seed);
}

/* defer_compaction and compaction_deferred: after a failed synchronous run, 1 << defer_shift
 * attempts (counting the one that runs) pass before the next run; asynchronous failures defer
 * nothing; the last-resort priority is never deferred. */
Test(compact, deferral)
{
	static struct world w;
	world_init(&w, "lifo");
	struct buddy *b = &w.zs.zone[0].buddy;
	/* every other page held by an unmovable owner: nothing to migrate, order 1 never free */
	for (u64 i = 0; i < NP; i++) {
		u64 pfn;
		cr_assert_eq(buddy_alloc(b, 0, MT_UNMOVABLE, &pfn), 0);
	}
	for (u64 i = 0; i < NP; i += 2)
		cr_assert_eq(buddy_free(b, BASE + i, 0), 0);
	const int zl[1] = {0};
	struct compact_req rq = {1, MT_MOVABLE, COMPACT_PRIO_ASYNC, true};
	for (unsigned k = 0; k < 5; k++)
		cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_COMPLETE, "async attempt %u", k);
	rq.prio = COMPACT_PRIO_SYNC_LIGHT;
	cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_COMPLETE);
	unsigned runs = 6;
	for (unsigned shift = 1; shift <= COMPACT_MAX_DEFER_SHIFT + 1; shift++) {
		unsigned wait = 1u << MM_MIN(shift, (unsigned)COMPACT_MAX_DEFER_SHIFT);
		for (unsigned k = 1; k < wait; k++)
			cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_DEFERRED, "shift %u attempt %u",
				     shift, k);
		cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_COMPLETE, "shift %u", shift);
		runs++;
	}
	rq.prio = COMPACT_PRIO_SYNC_FULL;
	cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_COMPLETE, "the last resort is not deferred");
	cr_assert_eq(w.c.st.runs, runs + 1);
	rq = (struct compact_req){0, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, true};
	cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_SATISFIED,
		     "order 0 below the failed order is free");
	world_fini(&w);
}

/* Skip hints persist after the scanners meet and reset only when kswapd sleeps: a second
 * failed run scans no pageblock its predecessor scanned. */
Test(compact, hints_persist_until_kswapd_sleeps)
{
	static struct world w;
	world_init(&w, "lifo");
	struct buddy *b = &w.zs.zone[0].buddy;
	for (u64 i = 0; i < NP; i++) {
		u64 pfn;
		cr_assert_eq(buddy_alloc(b, 0, MT_UNMOVABLE, &pfn), 0);
	}
	for (u64 i = 0; i < NP; i += 2)
		cr_assert_eq(buddy_free(b, BASE + i, 0), 0);
	struct compact_req rq = {1, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, true};
	cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_COMPLETE);
	u64 scanned = w.c.st.migrate_scanned + w.c.st.free_scanned;
	cr_assert_gt(scanned, 0);
	cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_COMPLETE);
	cr_assert_eq(w.c.st.migrate_scanned + w.c.st.free_scanned, scanned, "the hints held");
	compact_kswapd_sleep(&w.c);
	cr_assert_eq(w.c.st.hint_resets, 1);
	cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_COMPLETE);
	cr_assert_eq(w.c.st.migrate_scanned + w.c.st.free_scanned, 2 * scanned,
		     "a full rescan after the reset");
	world_fini(&w);
}

/* Placement replay with compaction: memory full of order-0 movable pages, every other one
 * freed; an order-1 allocation finds no block, compaction migrates, the allocation succeeds,
 * and every later traced free finds its block where compaction moved it: at the end the zone is
 * wholly free and no free went unmatched. With compaction off the allocation fails. */
static void placement_run(bool compaction, u64 *failures, u64 *migrated)
{
	struct zones zs;
	struct zones_cfg zc = {.nr_zones = 1, .max_order = MAXO, .policy = buddy_policy_find("lifo")};
	zc.zone[0] = (struct zone_spec){ZONE_NORMAL, BASE, 4 << BUDDY_PAGEBLOCK_ORDER};
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct pagesrc src = pagesrc_zones(&zs);
	struct pagereplay r;
	struct compact c;
	cr_assert_eq(pagereplay_init_src(&r, &src, PAGEREPLAY_PLACEMENT), 0);
	pagereplay_attach(&r, &zs, NULL);
	if (compaction) {
		struct compact_hooks h;
		pagereplay_compact_hooks(&r, &h);
		cr_assert_eq(compact_init(&c, &zs, &h, 0), 0);
		cr_assert_eq(pagereplay_attach_compact(&r, &c), 0);
	}
	u64 n = zs.zone[0].buddy.nr_pages;
	struct mm_event ev = {.kind = MME_PAGE_ALLOC, .mt = MT_MOVABLE};
	for (u64 i = 0; i < n; i++) {
		ev.addr = 0x9000000 + i; /* trace pfns unrelated to the model's */
		cr_assert_eq(pagereplay_event(&r, &ev), 0);
	}
	ev.kind = MME_PAGE_FREE;
	for (u64 i = 0; i < n; i += 2) {
		ev.addr = 0x9000000 + i;
		cr_assert_eq(pagereplay_event(&r, &ev), 0);
	}
	ev = (struct mm_event){.kind = MME_PAGE_ALLOC, .mt = MT_MOVABLE, .order = 1, .addr = 0x8000000};
	cr_assert_eq(pagereplay_event(&r, &ev), 0);
	ev.kind = MME_PAGE_FREE;
	cr_assert_eq(pagereplay_event(&r, &ev), 0);
	ev.order = 0;
	for (u64 i = 1; i < n; i += 2) {
		ev.addr = 0x9000000 + i;
		cr_assert_eq(pagereplay_event(&r, &ev), 0);
	}
	*failures = r.st.alloc_failures;
	*migrated = compaction ? c.st.migrated : 0;
	char msg[256];
	cr_assert_eq(buddy_check(&zs.zone[0].buddy, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(r.st.unmatched_frees, r.st.alloc_failures, "a free did not find its block");
	if (!*failures)
		cr_assert_eq(zs.zone[0].buddy.free_pages, n, "pages lost");
	pagereplay_fini(&r);
	if (compaction)
		compact_fini(&c);
	zones_fini(&zs);
}

/* A traced pfn beyond what the owner map holds (2^32 - 1 or more: a hostile line, or a
 * machine of 16 TiB) once compaction has built the map: the allocation and its free are
 * replayed (that block is only never moved), not an error that stops the replay. */
Test(compact, placement_takes_a_traced_pfn_the_owner_map_cannot_hold)
{
	struct zones zs;
	struct zones_cfg zc = {.nr_zones = 1, .max_order = MAXO, .policy = buddy_policy_find("lifo")};
	zc.zone[0] = (struct zone_spec){ZONE_NORMAL, BASE, 4 << BUDDY_PAGEBLOCK_ORDER};
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct pagesrc src = pagesrc_zones(&zs);
	struct pagereplay r;
	struct compact c;
	struct compact_hooks h;
	cr_assert_eq(pagereplay_init_src(&r, &src, PAGEREPLAY_PLACEMENT), 0);
	pagereplay_attach(&r, &zs, NULL);
	pagereplay_compact_hooks(&r, &h);
	cr_assert_eq(compact_init(&c, &zs, &h, 0), 0);
	cr_assert_eq(pagereplay_attach_compact(&r, &c), 0);
	u64 n = zs.zone[0].buddy.nr_pages;
	struct mm_event ev = {.kind = MME_PAGE_ALLOC, .mt = MT_MOVABLE};
	for (u64 i = 0; i < n; i++) { /* memory full, then every other page free */
		ev.addr = 0x9000000 + i;
		cr_assert_eq(pagereplay_event(&r, &ev), 0);
	}
	ev.kind = MME_PAGE_FREE;
	for (u64 i = 0; i < n; i += 2) {
		ev.addr = 0x9000000 + i;
		cr_assert_eq(pagereplay_event(&r, &ev), 0);
	}
	ev = (struct mm_event){.kind = MME_PAGE_ALLOC, .mt = MT_MOVABLE, .order = 1, .addr = 0x8000000};
	cr_assert_eq(pagereplay_event(&r, &ev), 0); /* compaction runs: the owner map is built */
	cr_assert(r.owner_built);
	cr_assert_gt(c.st.migrated, 0);
	ev = (struct mm_event){.kind = MME_PAGE_ALLOC, .mt = MT_MOVABLE, .addr = 1ULL << 40};
	u64 allocs = r.st.allocs;
	cr_assert_eq(pagereplay_event(&r, &ev), 0);
	cr_assert_eq(r.st.allocs, allocs + 1);
	ev.kind = MME_PAGE_FREE;
	cr_assert_eq(pagereplay_event(&r, &ev), 0);
	cr_assert_eq(r.st.unmatched_frees, r.st.alloc_failures, "the free found its block");
	char msg[256];
	cr_assert_eq(buddy_check(&zs.zone[0].buddy, msg, sizeof(msg)), 0, "%s", msg);
	pagereplay_fini(&r);
	compact_fini(&c);
	zones_fini(&zs);
}

Test(compact, placement_records_follow_migrated_blocks)
{
	u64 fail, migrated;
	placement_run(false, &fail, &migrated);
	cr_assert_eq(fail, 1, "without compaction the order-1 allocation fails");
	placement_run(true, &fail, &migrated);
	cr_assert_eq(fail, 0, "compaction made an order-1 block");
	cr_assert_gt(migrated, 0);
}

/* compaction_suitable's fragmentation index: free memory in order-3 blocks only is a lack of
 * memory for an order-4 request (index below the threshold: skipped) and fragmentation for an
 * order-9 one (it runs). */
Test(compact, fragmentation_index_decides)
{
	static struct world w;
	world_init(&w, "lifo");
	struct buddy *b = &w.zs.zone[0].buddy;
	for (u64 i = 0; i < NP; i++) {
		u64 pfn;
		cr_assert_eq(buddy_alloc(b, 0, MT_UNMOVABLE, &pfn), 0);
	}
	for (u64 i = 0; i < NP; i += 16)
		for (u64 k = 0; k < 8; k++)
			cr_assert_eq(buddy_free(b, BASE + i + k, 0), 0);
	cr_assert_eq(b->nr_free[3], NP / 16);
	struct compact_req rq = {4, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, true};
	cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_SKIPPED);
	cr_assert_eq(w.c.st.runs, 0);
	rq.order = 9;
	cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_COMPLETE);
	cr_assert_eq(w.c.st.runs, 1);
	world_fini(&w);
}

/* The free scanner never takes a pageblock whose first page is a free block of pageblock order
 * (suitable_migration_target): a proactive pass leaves the free top pageblock whole. */
Test(compact, free_pageblock_is_no_target)
{
	static struct world w;
	world_init(&w, "lifo");
	compact_fini(&w.c);
	struct compact_hooks h = {m_movable, m_moved, &w};
	cr_assert_eq(compact_init(&w.c, &w.zs, &h, 100), 0);
	struct buddy *b = &w.zs.zone[0].buddy;
	for (u64 i = 0; i < NP; i++) {
		u64 pfn;
		if (i < 4 * 512)
			cr_assert_eq(own_alloc(&w, (unsigned)i, MT_MOVABLE), BASE + i);
		else
			cr_assert_eq(buddy_alloc(b, 0, MT_UNMOVABLE, &pfn), 0);
	}
	for (u64 i = 4 * 512; i < 14 * 512; i += 2)
		cr_assert_eq(buddy_free(b, BASE + i, 0), 0);
	for (u64 i = 15 * 512; i < NP; i++)
		cr_assert_eq(buddy_free(b, BASE + i, 0), 0);
	u32 top = 15 * 512;
	cr_assert(buddy_frame_is_free(b, top) && buddy_frame_order(b, top) == 9);
	compact_tick(&w.c, 1);
	compact_tick(&w.c, 1 + COMPACT_PROACTIVE_NS);
	cr_assert_eq(w.c.st.proactive_runs, 1);
	cr_assert_gt(w.c.st.migrated, 0);
	cr_assert(buddy_frame_is_free(b, top) && buddy_frame_order(b, top) >= 9,
		  "the free pageblock was split");
	world_fini(&w);
}

/* With the trace's lists each allocation is in the kernel's zone, and a request is answered in
 * the zones the kernel's runs then compact: DMA32 here, full of movable pages every other one
 * free, while Normal is wholly free. The request alone compacts nothing (the model's own walk
 * would stop at Normal, which has blocks); the run's begin in DMA32 compacts DMA32. */
static u64 dma32_request(bool begin) /* pages the DMA32 run scanned */
{
	struct zones zs;
	struct zones_cfg zc = {.nr_zones = 2, .max_order = MAXO, .policy = buddy_policy_find("mobility")};
	zc.zone[0] = (struct zone_spec){ZONE_DMA32, 0x1000, 8 << BUDDY_PAGEBLOCK_ORDER};
	zc.zone[1] = (struct zone_spec){ZONE_NORMAL, 0x100000, 4 << BUDDY_PAGEBLOCK_ORDER};
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct pcp p;
	struct pcp_cfg pc = {.ncpus = 1, .high_set = 8, .batch_set = 4, .tune = PCP_TUNE_TRACE};
	cr_assert_eq(pcp_init(&p, &zs, &pc), 0);
	struct pagesrc src = pagesrc_zones(&zs);
	struct pagereplay r;
	struct compact c;
	struct compact_hooks h;
	cr_assert_eq(pagereplay_init_src(&r, &src, PAGEREPLAY_PLACEMENT), 0);
	pagereplay_attach(&r, &zs, &p);
	pagereplay_compact_hooks(&r, &h);
	cr_assert_eq(compact_init(&c, &zs, &h, 0), 0);
	cr_assert_eq(pagereplay_attach_compact(&r, &c), 0);
	u64 n = zs.zone[0].buddy.nr_pages;
	struct mm_event ev = {.kind = MME_PAGE_ALLOC, .mt = MT_MOVABLE, .flags = MME_F_ZONE_DMA32};
	for (u64 i = 0; i < n; i++) { /* the kernel's pfns in DMA32: the model's blocks there too */
		ev.addr = 0x1000 + i;
		cr_assert_eq(pagereplay_event(&r, &ev), 0);
	}
	for (u64 i = 0; i < n; i += 2) { /* every other page freed to a list, the list drained */
		ev.addr = 0x1000 + i;
		ev.kind = MME_PAGE_FREE;
		cr_assert_eq(pagereplay_event(&r, &ev), 0);
		ev.kind = MME_PAGE_PCPU_DRAIN;
		cr_assert_eq(pagereplay_event(&r, &ev), 0);
	}
	cr_assert_eq(zs.zone[0].buddy.free_pages, n / 2);
	ev = (struct mm_event){.kind = MME_COMPACTION,
			       .aux = MME_COMPACT_TRY,
			       .pid = 9,
			       .order = 9,
			       .mt = MT_MOVABLE,
			       .len = COMPACT_PRIO_ASYNC};
	pagereplay_compaction(&r, &ev);
	if (begin) {
		ev = (struct mm_event){
			.kind = MME_COMPACTION, .aux = MME_COMPACT_BEGIN, .pid = 9, .addr = 0x1000};
		pagereplay_compaction(&r, &ev);
	}
	/* DMA32 holds the only used pages: a run that scanned any ran there */
	u64 scanned = c.st.runs == 1 ? c.st.migrate_scanned : 0;
	cr_assert_leq(c.st.runs, 1);
	cr_assert_eq(c.st.satisfied, 0, "no walk stopped at Normal");
	cr_assert_eq(zs.zone[1].buddy.free_pages, zs.zone[1].buddy.nr_pages, "Normal untouched");
	char msg[256];
	cr_assert_eq(buddy_check(&zs.zone[0].buddy, msg, sizeof(msg)), 0, "%s", msg);
	pagereplay_fini(&r);
	compact_fini(&c);
	pcp_fini(&p);
	zones_fini(&zs);
	return scanned;
}

Test(compact, trace_lists_compact_the_zone_the_kernels_run_compacts)
{
	cr_assert_eq(dma32_request(false), 0, "the request alone compacts nothing");
	cr_assert_gt(dma32_request(true), 0, "the run's begin in DMA32 compacts DMA32");
}
