/* Which compaction runs happen, as the kernel's mm_compaction_begin / _end events count them:
 * proactive compaction (compact_node) calls compact_zone on every populated zone of the node
 * once the node's fragmentation score is above the high mark, without compaction_suitable; a
 * zone whose own score is at or below the low mark ends at once (compact_finished before the
 * first step: a run, successful, that scans nothing and leaves the cached scanner positions).
 * Checked against the rules written out: per-zone scores by brute force over the free lists. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/phys/compact.h"

#define DMA_BASE 0x1000ULL
#define DMA_NP (1u << BUDDY_PAGEBLOCK_ORDER)
#define NRM_BASE 0x100000ULL
#define NRM_NP (16u << BUDDY_PAGEBLOCK_ORDER)

static bool never_movable(void *ctx, unsigned z, u64 pfn, unsigned order)
{
	(void)ctx, (void)z, (void)pfn, (void)order;
	return false;
}
static void no_move(void *ctx, u64 from, u64 to, unsigned order)
{
	(void)ctx, (void)from, (void)to, (void)order;
	cr_assert_fail("nothing is movable");
}

/* A node of a DMA zone (one pageblock) and a Normal zone (16), all free, with compaction over it
 * at proactiveness 20 and nothing movable. */
static void dma_and_normal(struct zones *zs, struct compact *c)
{
	struct zones_cfg zc = {.nr_zones = 2, .max_order = 10, .policy = buddy_policy_find("lifo")};
	zc.zone[0] = (struct zone_spec){ZONE_DMA, DMA_BASE, DMA_NP};
	zc.zone[1] = (struct zone_spec){ZONE_NORMAL, NRM_BASE, NRM_NP};
	cr_assert_eq(zones_init(zs, &zc), 0);
	static const struct compact_hooks h = {never_movable, no_move, NULL};
	cr_assert_eq(compact_init(c, zs, &h, 20), 0);
}

/* The reference score of a zone: the percentage of free pages outside blocks of pageblock
 * order or more, counted page by page. */
static unsigned ref_score(const struct buddy *b)
{
	u64 free = 0, big = 0;
	for (u32 i = 0; i < b->nr_pages;) {
		if (!buddy_frame_is_free(b, i)) {
			i++;
			continue;
		}
		unsigned o = buddy_frame_order(b, i);
		free += 1ULL << o;
		if (o >= BUDDY_PAGEBLOCK_ORDER)
			big += 1ULL << o;
		i += 1u << o;
	}
	return free ? (unsigned)((free - big) * 100 / free) : 0;
}

Test(compact_runs, proactive_runs_every_zone)
{
	static struct zones zs;
	static struct compact c;
	dma_and_normal(&zs, &c);
	/* Normal: every page allocated, then every other page freed (score 100, nothing to
	 * migrate); DMA: left whole (score 0, at or below the low mark 80) */
	struct buddy *n = &zs.zone[1].buddy;
	for (u64 i = 0; i < NRM_NP; i++) {
		u64 pfn;
		cr_assert_eq(buddy_alloc(n, 0, MT_UNMOVABLE, &pfn), 0);
	}
	for (u64 i = 0; i < NRM_NP; i += 2)
		cr_assert_eq(buddy_free(n, NRM_BASE + i, 0), 0);
	cr_assert_eq(ref_score(n), 100);
	cr_assert_eq(ref_score(&zs.zone[0].buddy), 0); /* the node: 100 * 16 / 17, above 90 */
	/* cached positions of an earlier direct run stay where a run that ends at once leaves them */
	c.z[0].migrate_pb = 1;
	c.z[0].free_pb = 3;
	compact_tick(&c, 1); /* the first tick arms the timer */
	cr_assert_eq(c.st.runs, 0);
	compact_tick(&c, 1 + COMPACT_PROACTIVE_NS);
	cr_assert_eq(c.st.proactive_runs, 2, "a proactive pass runs every populated zone");
	cr_assert_eq(c.st.runs, 2);
	cr_assert_eq(c.st.success, 1, "the DMA zone, already below the low mark, succeeds at once");
	cr_assert_eq(c.st.complete, 1, "Normal: nothing movable, the scanners meet");
	cr_assert_eq(c.z[0].migrate_pb, 1);
	cr_assert_eq(c.z[0].free_pb, 3);
	cr_assert_eq(c.st.migrated, 0);
	/* no progress: kcompactd's next 64 timeouts only count down (proactive_defer), the 65th
	 * passes again; timeouts between two ticks the model saw count too */
	compact_tick(&c, 1 + 2 * COMPACT_PROACTIVE_NS);
	cr_assert_eq(c.st.runs, 2);
	compact_tick(&c, 1 + 65 * COMPACT_PROACTIVE_NS); /* the 2nd-64th timeouts */
	cr_assert_eq(c.st.runs, 2, "the 64th timeout after the pass still waits");
	compact_tick(&c, 1 + 66 * COMPACT_PROACTIVE_NS);
	cr_assert_eq(c.st.runs, 4);
	compact_fini(&c);
	zones_fini(&zs);
}

/* Below the high mark no zone runs, whatever a single zone's score. */
Test(compact_runs, proactive_waits_for_node_score)
{
	static struct zones zs;
	static struct compact c;
	dma_and_normal(&zs, &c);
	/* DMA fragmented (score 100) but a 17th of the node: the node's score 100 * 1 / 17 */
	struct buddy *d = &zs.zone[0].buddy;
	for (u64 i = 0; i < DMA_NP; i++) {
		u64 pfn;
		cr_assert_eq(buddy_alloc(d, 0, MT_UNMOVABLE, &pfn), 0);
	}
	for (u64 i = 0; i < DMA_NP; i += 2)
		cr_assert_eq(buddy_free(d, DMA_BASE + i, 0), 0);
	cr_assert_eq(ref_score(d), 100);
	compact_tick(&c, 1);
	compact_tick(&c, 1 + COMPACT_PROACTIVE_NS);
	cr_assert_eq(c.st.runs, 0);
	cr_assert_eq(c.st.proactive_runs, 0);
	compact_fini(&c);
	zones_fini(&zs);
}

/* wakeup_kcompactd: order 0 wakes nothing; a wake while no zone is suitable at its order
 * (kcompactd_node_suitable: Normal has a free order-9 block) leaves the order pending, and
 * kcompactd's next timeout compacts every zone at it (DMA: too few free pages, skipped; Normal
 * runs once the block is taken), instead of a proactive pass; a wake while a zone is suitable
 * runs at once. */
Test(compact_runs, kcompactd_at_the_wake_order)
{
	static struct zones zs;
	static struct compact c;
	dma_and_normal(&zs, &c);
	struct buddy *d = &zs.zone[0].buddy, *n = &zs.zone[1].buddy;
	u64 pfn;
	for (u64 i = 0; i < DMA_NP; i++)
		cr_assert_eq(buddy_alloc(d, 0, MT_UNMOVABLE, &pfn), 0);
	/* Normal: every other page free (score 100, node above the high mark) but one order-9 block */
	for (u64 i = 0; i < NRM_NP; i++)
		cr_assert_eq(buddy_alloc(n, 0, MT_UNMOVABLE, &pfn), 0);
	for (u64 i = 512; i < NRM_NP; i += 2)
		cr_assert_eq(buddy_free(n, NRM_BASE + i, 0), 0);
	for (u64 i = 0; i < 512; i++)
		cr_assert_eq(buddy_free(n, NRM_BASE + i, 0), 0);
	cr_assert(compact_order_free(&c, 1, 9));
	compact_tick(&c, 1); /* arms the timer */
	compact_wake_kcompactd(&c, 0);
	compact_wake_kcompactd(&c, 9);
	cr_assert_eq(c.st.runs, 0, "no zone suitable: nothing runs now");
	cr_assert_eq(c.kcompactd_order, 9);
	cr_assert_eq(buddy_alloc_at(n, NRM_BASE, 9, MT_UNMOVABLE), 0);
	compact_tick(&c, 1 + COMPACT_PROACTIVE_NS);
	cr_assert_eq(c.st.kcompactd_wakes, 1);
	cr_assert_eq(c.st.runs, 1, "Normal at order 9; DMA has nothing free");
	cr_assert_eq(c.st.kcompactd_runs, 1);
	cr_assert_eq(c.st.runs_order[9], 1);
	cr_assert_eq(c.st.proactive_runs, 0, "the timeout did kcompactd's work, no proactive pass");
	cr_assert_eq(c.kcompactd_order, 0);
	/* Normal suitable now: a wake runs at once; order 4 is below the failed order 9 */
	compact_wake_kcompactd(&c, 4);
	cr_assert_eq(c.st.kcompactd_wakes, 2, "a suitable zone: kcompactd runs at once");
	cr_assert_eq(c.st.runs, 2);
	cr_assert_eq(c.st.runs_order[4], 1);
	/* that run failed too (order_failed 4, shift 2): the next at order 9 is deferred */
	compact_wake_kcompactd(&c, 9);
	cr_assert_eq(c.st.kcompactd_wakes, 3);
	cr_assert_eq(c.st.runs, 2, "deferred");
	compact_fini(&c);
	zones_fini(&zs);
}

/* The trace's deferral events seed a zone's deferral: before the replay starts every one sets
 * it (the last stands), after it only the first a zone shows; a seeded deferral then refuses
 * the model's own attempts as the kernel's state would (1 << 5 = 32 considered, 23 already). */
Test(compact_runs, deferral_seen_in_the_trace)
{
	static struct zones zs;
	static struct compact c;
	struct zones_cfg zc = {.nr_zones = 1, .max_order = 10, .policy = buddy_policy_find("lifo")};
	zc.zone[0] = (struct zone_spec){ZONE_NORMAL, NRM_BASE, NRM_NP};
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct compact_hooks h = {never_movable, no_move, NULL};
	cr_assert_eq(compact_init(&c, &zs, &h, 0), 0);
	struct buddy *n = &zs.zone[0].buddy;
	u64 pfn;
	for (u64 i = 0; i < NRM_NP; i++)
		cr_assert_eq(buddy_alloc(n, 0, MT_UNMOVABLE, &pfn), 0);
	for (u64 i = 0; i < NRM_NP; i += 2)
		cr_assert_eq(buddy_free(n, NRM_BASE + i, 0), 0);
	compact_defer_seen(&c, 0, 4, 3, 4, true);
	compact_defer_seen(&c, 0, 9, 23, 32, true); /* the last before the start stands */
	cr_assert_eq(c.z[0].defer_shift, 5);
	cr_assert_eq(c.z[0].considered, 23);
	cr_assert_eq(c.z[0].order_failed, 9);
	compact_defer_seen(&c, 0, 10, 0, 1, false); /* after the start: it was seen already */
	cr_assert_eq(c.z[0].order_failed, 9);
	const int zl[1] = {0};
	const struct compact_req rq = {9, MT_MOVABLE, COMPACT_PRIO_ASYNC, true};
	for (unsigned k = 24; k < 32; k++)
		cr_assert_eq(compact_try(&c, zl, 1, &rq), COMPACT_DEFERRED, "considered %u", k);
	cr_assert_eq(compact_try(&c, zl, 1, &rq), COMPACT_COMPLETE, "the 32nd attempt runs");
	const struct compact_req rq8 = {8, MT_MOVABLE, COMPACT_PRIO_ASYNC, true};
	cr_assert_eq(c.st.runs, 1);
	compact_try(&c, zl, 1, &rq8); /* below order_failed: never deferred */
	cr_assert_eq(c.st.runs, 2);
	compact_fini(&c);
	zones_fini(&zs);
}

/* kcompactd's timeout is 500 ms as the kernel's timer wheel rounds it (128 jiffies, 512 ms, at
 * HZ 250): the trace's kcompactd sleeps give it and its phase. The next timeout falls one
 * interval after the last traced sleep; a gap of two intervals or more (a deferral, a wake) is
 * not an interval. */
Test(compact_runs, kcompactd_timeout_from_traced_sleeps)
{
	static struct zones zs;
	static struct compact c;
	dma_and_normal(&zs, &c);
	const u64 ms = 1000000ULL, s0 = 10000 * ms;
	compact_tick(&c, 1); /* armed; both zones whole: score 0, no pass */
	compact_kcompactd_sleep(&c, s0);
	compact_kcompactd_sleep(&c, s0 + 1500 * ms); /* three intervals: not one */
	cr_assert_eq(c.timeout_ns, COMPACT_PROACTIVE_NS);
	compact_kcompactd_sleep(&c, s0 + 2012 * ms);
	cr_assert_eq(c.timeout_ns, 512 * ms);
	compact_kcompactd_sleep(&c, s0 + 2530 * ms); /* longer (a pass ran): the shortest stays */
	cr_assert_eq(c.timeout_ns, 512 * ms);
	cr_assert_eq(c.next_tick_ns, s0 + 3042 * ms);
	cr_assert_eq(c.st.runs, 0);
	/* Normal fragmented now: the node's score 100 * 16 / 17 */
	struct buddy *n = &zs.zone[1].buddy;
	for (u64 i = 0; i < NRM_NP; i++) {
		u64 pfn;
		cr_assert_eq(buddy_alloc(n, 0, MT_UNMOVABLE, &pfn), 0);
	}
	for (u64 i = 0; i < NRM_NP; i += 2)
		cr_assert_eq(buddy_free(n, NRM_BASE + i, 0), 0);
	compact_tick(&c, s0 + 3030 * ms); /* 500 ms after the sleep: not yet */
	cr_assert_eq(c.st.proactive_runs, 0);
	compact_tick(&c, s0 + 3042 * ms);
	cr_assert_eq(c.st.proactive_runs, 2, "the timeout 512 ms after the last traced sleep");
	cr_assert_eq(c.next_tick_ns, s0 + 3554 * ms);
	compact_fini(&c);
	zones_fini(&zs);
}
