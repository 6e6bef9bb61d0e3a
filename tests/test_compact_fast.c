/* compaction_alloc's targets and fast_isolate_freepages (core/phys/compact.c), the parts the
 * random reference (compact_ref.h) does not cover: the free lists' rotation against an array
 * written out, the fast target search's pick (the top quarter between the scanners, lower
 * orders first, ahead of the linear scanner's highest pageblock), the fast source search's
 * (a nearly free pageblock instead of the zone's first), and a run that ends contended when a
 * block finds no isolated target of its order. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/lib/rng.h"
#include "core/phys/compact.h"

#define BASE 0x100000ULL
#define NP (16u << BUDDY_PAGEBLOCK_ORDER)

struct fw {
	struct zones zs;
	struct compact c;
	u8 mov[NP];	  /* the allocated order-0 page here is movable */
	u64 moved_to[NP]; /* where the page first at i went (0: not moved) */
	u64 origin[NP];	  /* the first page whose block is now here, + 1 */
};

static bool fw_movable(void *ctx, unsigned z, u64 pfn, unsigned order)
{
	struct fw *w = ctx;
	(void)z, (void)order;
	return w->mov[pfn - BASE];
}

static void fw_moved(void *ctx, u64 from, u64 to, unsigned order)
{
	struct fw *w = ctx;
	(void)order;
	u64 o = w->origin[from - BASE] ? w->origin[from - BASE] - 1 : from - BASE;
	w->moved_to[o] = to;
	w->origin[to - BASE] = o + 1;
	w->mov[to - BASE] = 1;
	w->mov[from - BASE] = 0;
}

/* Every page allocated (order 0, movable), then the listed ones freed. */
static void fw_init(struct fw *w, const u64 *free_idx, unsigned nfree)
{
	memset(w, 0, sizeof(*w));
	struct zones_cfg zc = {.nr_zones = 1, .max_order = 10, .policy = buddy_policy_find("lifo")};
	zc.zone[0] = (struct zone_spec){ZONE_NORMAL, BASE, NP};
	cr_assert_eq(zones_init(&w->zs, &zc), 0);
	struct compact_hooks h = {fw_movable, fw_moved, w};
	cr_assert_eq(compact_init(&w->c, &w->zs, &h, 0), 0);
	struct buddy *b = &w->zs.zone[0].buddy;
	for (u64 i = 0; i < NP; i++)
		cr_assert_eq(buddy_alloc_at(b, BASE + i, 0, MT_MOVABLE), 0);
	memset(w->mov, 1, sizeof(w->mov));
	for (unsigned k = 0; k < nfree; k++) {
		cr_assert_eq(buddy_free(b, BASE + free_idx[k], 0), 0);
		w->mov[free_idx[k]] = 0;
	}
}

static void fw_fini(struct fw *w)
{
	compact_fini(&w->c);
	zones_fini(&w->zs);
}

/* The list of (order, list) as an array, head first. */
static unsigned list_array(const struct buddy *b, unsigned o, unsigned l, u32 *out)
{
	unsigned n = 0;
	for (u32 i = b->head[o][l]; i != BUDDY_NIL; i = buddy_frame_next(b, i))
		out[n++] = i;
	return n;
}

Test(compact_fast, list_rotation_matches_arrays)
{
	static struct zones zs;
	struct zones_cfg zc = {.nr_zones = 1, .max_order = 10, .policy = buddy_policy_find("lifo")};
	zc.zone[0] = (struct zone_spec){ZONE_NORMAL, BASE, NP};
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct buddy *b = &zs.zone[0].buddy;
	struct rng g;
	rng_seed(&g, 7);
	for (u64 i = 0; i < NP; i++)
		cr_assert_eq(buddy_alloc_at(b, BASE + i, 0, MT_MOVABLE), 0);
	for (u64 i = 0; i < NP; i += 2) /* order-0 free pages that cannot merge */
		if (rng_below(&g, 3))
			cr_assert_eq(buddy_free(b, BASE + i, 0), 0);
	static u32 before[NP], after[NP], want[NP];
	for (unsigned round = 0; round < 2000; round++) {
		unsigned n = list_array(b, 0, 0, before);
		cr_assert_gt(n, 2);
		unsigned k = (unsigned)rng_below(&g, n);
		bool to_head = rng_below(&g, 2);
		/* the kernel's list_cut_before / list_cut_position + list_splice_tail, on arrays */
		unsigned cut = to_head ? k : k + 1; /* entries [0, cut) move to the tail */
		if (k == 0 || (!to_head && k == n - 1))
			cut = 0;
		for (unsigned e = 0; e < n; e++)
			want[e] = before[(e + cut) % n];
		buddy_list_rotate(b, before[k], to_head);
		cr_assert_eq(list_array(b, 0, 0, after), n);
		cr_assert_eq(memcmp(after, want, n * sizeof(u32)), 0, "round %u: k %u of %u, to_head %d",
			     round, k, n, to_head);
		char msg[128];
		cr_assert_eq(buddy_check(b, msg, sizeof(msg)), 0, "%s", msg);
	}
	zones_fini(&zs);
}

/* Pageblock 0 holds two movable pages (0 and 1), pages 2-7 free and the rest unmovable;
 * elsewhere the free pages are an order-1 block at pageblock 12 (in the top quarter between the
 * scanners) and one page at pageblock 13 (above it, where the linear scanner looks first) and
 * one at pageblock 2, and every other page of pageblocks 3-6 (below the search's bottom;
 * compaction_suitable wants more than 2 << 3 free pages). An order-3 direct run (sync light) must take both
 * targets from pageblock 12's block: the fast search reads orders 2 down to 0, and finds order 1 first. */
Test(compact_fast, fast_search_takes_the_top_quarter_first)
{
	static struct fw w;
	static u64 fr[NP];
	unsigned n = 0;
	const u64 f12 = 12 * 512 + 96, p13 = 13 * 512 + 8, p2 = 2 * 512 + 9; /* on the strides */
	for (u64 i = 3 * 512; i < 7 * 512; i += 2) /* below the search's bottom: enough free */
		fr[n++] = i;
	for (u64 i = 2; i < 8; i++)
		fr[n++] = i;
	fr[n++] = f12;
	fr[n++] = f12 + 1;
	fr[n++] = p13;
	fr[n++] = p2;
	for (int fast = 1; fast >= 0; fast--) {
		fw_init(&w, fr, n);
		for (u64 i = 8; i < 512; i++)
			w.mov[i] = 0;
		w.c.fast_search = fast;
		struct compact_req rq = {3, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, true};
		cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_SUCCESS);
		cr_assert_eq(w.c.st.migrated, 2);
		if (fast) {
			cr_assert_eq(w.moved_to[0], BASE + f12, "page 0 -> %#llx",
				     (unsigned long long)w.moved_to[0]);
			cr_assert_eq(w.moved_to[1], BASE + f12 + 1);
			cr_assert(buddy_frame_is_free(&w.zs.zone[0].buddy, (u32)p13),
				  "pageblock 13 untouched");
			/* the highest pageblock seen (12) is below the cached free scanner: it stays */
			cr_assert_eq(w.c.z[0].free_pb, 16);
		} else { /* the linear scanner: pageblock 15 down, the first free pages it meets */
			cr_assert_eq(w.moved_to[0], BASE + p13);
			cr_assert_eq(w.moved_to[1], BASE + f12);
		}
		cr_assert(buddy_frame_is_free(&w.zs.zone[0].buddy, (u32)p2), "pageblock 2 untouched");
		cr_assert(compact_order_free(&w.c, 0, 3));
		fw_fini(&w);
	}
}

/* Every page movable and in use but pageblock 5's pages 2-511 (free blocks of orders 1-8) and
 * every other page of pageblocks 8-10 (targets; compaction_suitable wants more than 2 << 9
 * free pages). An order-9 direct movable run: the fast source search reads the order-8 list's
 * head, pageblock 5's block, below half the way to the free scanner, so the migrate scanner
 * starts there and moves its two pages; linearly from the zone's start it moves pageblock 0's
 * 512 instead. */
Test(compact_fast, fast_source_search_finds_the_nearly_free_pageblock)
{
	static struct fw w;
	static u64 fr[NP];
	unsigned n = 0;
	for (u64 i = 8 * 512; i < 11 * 512; i += 2)
		fr[n++] = i;
	for (u64 i = 5 * 512 + 2; i < 6 * 512; i++)
		fr[n++] = i;
	for (int fast = 1; fast >= 0; fast--) {
		fw_init(&w, fr, n);
		w.c.fast_search = fast;
		struct compact_req rq = {9, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, true};
		cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_SUCCESS, "fast %d", fast);
		if (fast) {
			cr_assert_eq(w.c.st.migrated, 2);
			cr_assert_neq(w.moved_to[5 * 512], 0, "pageblock 5's first page moved");
			cr_assert_eq(w.c.z[0].skip[5], 1, "the search marks the pageblock it chose");
		} else {
			cr_assert_eq(w.c.st.migrated, 512);
			cr_assert_eq(w.moved_to[5 * 512], 0);
		}
		fw_fini(&w);
	}
}

/* A block of order 2 to migrate and only single free pages elsewhere: compaction_alloc finds
 * no order-2 target, isolates once more, still none: the run ends contended before the
 * scanners meet, nothing moves, and the isolated free pages go back. */
Test(compact_fast, no_target_of_the_order_is_contended)
{
	static struct fw w;
	static u64 fr[NP];
	unsigned n = 0;
	for (u64 pb = 8; pb < 16; pb++)
		fr[n++] = pb * 512 + 2 * pb; /* even pages with an allocated buddy: never merge */
	for (u64 i = 4; i < 8; i++)
		fr[n++] = i;
	for (u64 i = 3 * 512; i < 7 * 512; i += 2) /* enough free pages for compaction_suitable */
		fr[n++] = i;
	for (int fast = 0; fast <= 1; fast++) {
		fw_init(&w, fr, n);
		w.c.fast_search = fast;
		struct buddy *b = &w.zs.zone[0].buddy;
		/* pages 0-3 as one order-2 movable block */
		for (u64 i = 0; i < 4; i++)
			cr_assert_eq(buddy_free(b, BASE + i, 0), 0);
		cr_assert_eq(buddy_alloc_at(b, BASE, 2, MT_MOVABLE), 0);
		w.mov[1] = w.mov[2] = w.mov[3] = 0;
		for (u64 i = 8; i < 512; i++)
			w.mov[i] = 0;
		u64 free0 = b->free_pages;
		struct compact_req rq = {3, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, true};
		cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_CONTENDED, "fast %d", fast);
		cr_assert_eq(w.c.st.contended, 1);
		cr_assert_eq(w.c.st.migrated, 0);
		cr_assert_eq(w.c.st.failed, 4);
		cr_assert_eq(buddy_alloc_order(b, BASE), 2, "the block stays");
		cr_assert_eq(b->free_pages, free0, "the isolated pages went back");
		fw_fini(&w);
	}
}
