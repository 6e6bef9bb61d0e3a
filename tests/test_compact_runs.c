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
	struct zones_cfg zc = {.nr_zones = 2, .max_order = 10, .policy = buddy_policy_find("lifo")};
	zc.zone[0] = (struct zone_spec){ZONE_DMA, DMA_BASE, DMA_NP};
	zc.zone[1] = (struct zone_spec){ZONE_NORMAL, NRM_BASE, NRM_NP};
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct compact_hooks h = {never_movable, no_move, NULL};
	cr_assert_eq(compact_init(&c, &zs, &h, 20), 0);
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
	/* no progress: the next pass waits 64 intervals */
	compact_tick(&c, 1 + 2 * COMPACT_PROACTIVE_NS);
	cr_assert_eq(c.st.runs, 2);
	compact_tick(&c, 1 + (COMPACT_PROACTIVE_NS << COMPACT_MAX_DEFER_SHIFT) + COMPACT_PROACTIVE_NS);
	cr_assert_eq(c.st.runs, 4);
	compact_fini(&c);
	zones_fini(&zs);
}

/* Below the high mark no zone runs, whatever a single zone's score. */
Test(compact_runs, proactive_waits_for_node_score)
{
	static struct zones zs;
	static struct compact c;
	struct zones_cfg zc = {.nr_zones = 2, .max_order = 10, .policy = buddy_policy_find("lifo")};
	zc.zone[0] = (struct zone_spec){ZONE_DMA, DMA_BASE, DMA_NP};
	zc.zone[1] = (struct zone_spec){ZONE_NORMAL, NRM_BASE, NRM_NP};
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct compact_hooks h = {never_movable, no_move, NULL};
	cr_assert_eq(compact_init(&c, &zs, &h, 20), 0);
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
