/* Placement policies for the buddy allocator, and their registry.
 * lifo:     Linux's free lists: free to the head (to the tail when the block is likely to
 *           merge further, buddy.c's buddy_merge_likely), allocate from the head of the
 *           smallest non-empty order.
 * addr:     the lowest-address block of the smallest sufficient order (an address-ordered
 *           index per order, a hierarchical bitmap).
 * mobility: grouping by mobility (2.6.24+): lists per migratetype, pageblocks tagged with a
 *           type; a request its type cannot serve claims another type's block or pageblock,
 *           else steals the smallest block (mm/page_alloc.c, Linux 6.15+: __rmqueue_claim,
 *           __rmqueue_steal). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/phys/buddy.h"
#include "core/lib/hbitmap.h"

static int clamp_mt(int mt)
{
	return mt >= 0 && mt < MT_NR ? mt : MT_UNMOVABLE;
}

/* ---- lifo ---- */

static int lifo_take(struct buddy *b, unsigned order, int mt, u32 *idx, unsigned *blk_order)
{
	for (unsigned o = order; o <= b->max_order; o++) {
		b->st.list_visits++;
		u32 h = b->head[o][0];
		if (h != BUDDY_NIL) {
			buddy_unlink(b, h);
			*idx = h;
			*blk_order = o;
			return 0;
		}
	}
	return -ENOMEM;
}

static unsigned list_zero(const struct buddy *b, u32 idx)
{
	return 0;
}

static const struct buddy_policy_ops lifo_ops = {
	.name = "lifo",
	.desc = "Linux free lists: LIFO head insert and head allocation",
	.take = lifo_take,
	.list_of = list_zero,
};

/* ---- addr ---- */

struct addr_priv {
	u64 aligned_base;				/* base_pfn rounded down to a max-order block */
	struct hbitmap free[BUDDY_MAX_ORDER_LIMIT + 1]; /* bit per order-o slot: a free block starts there */
};

static u64 addr_bit(const struct buddy *b, u32 idx, unsigned order)
{
	const struct addr_priv *p = b->priv;
	return (b->base_pfn + idx - p->aligned_base) >> order;
}

static int addr_init(struct buddy *b)
{
	struct addr_priv *p = b->priv;
	p->aligned_base = b->base_pfn & ~((1ULL << b->max_order) - 1);
	u64 span = b->base_pfn + b->nr_pages - p->aligned_base;
	for (unsigned o = 0; o <= b->max_order; o++) {
		int err = hbitmap_init(&p->free[o], (span >> o) + 1);
		if (err)
			return err;
	}
	return 0;
}

static void addr_fini(struct buddy *b)
{
	struct addr_priv *p = b->priv;
	if (!p)
		return;
	for (unsigned o = 0; o <= b->max_order; o++)
		hbitmap_fini(&p->free[o]);
}

static void addr_on_link(struct buddy *b, u32 idx, unsigned order)
{
	struct addr_priv *p = b->priv;
	hbitmap_set(&p->free[order], addr_bit(b, idx, order));
}

static void addr_on_unlink(struct buddy *b, u32 idx, unsigned order)
{
	struct addr_priv *p = b->priv;
	hbitmap_clear(&p->free[order], addr_bit(b, idx, order));
}

static int addr_take(struct buddy *b, unsigned order, int mt, u32 *idx, unsigned *blk_order)
{
	struct addr_priv *p = b->priv;
	for (unsigned o = order; o <= b->max_order; o++) {
		b->st.list_visits++;
		u64 bit = hbitmap_first(&p->free[o]);
		if (bit != UINT64_MAX) {
			u32 i = (u32)((bit << o) + p->aligned_base - b->base_pfn);
			buddy_unlink(b, i);
			*idx = i;
			*blk_order = o;
			return 0;
		}
	}
	return -ENOMEM;
}

static const struct buddy_policy_ops addr_ops = {
	.name = "addr",
	.desc = "lowest-address block of the smallest sufficient order",
	.priv_size = sizeof(struct addr_priv),
	.init = addr_init,
	.fini = addr_fini,
	.take = addr_take,
	.list_of = list_zero,
	.on_link = addr_on_link,
	.on_unlink = addr_on_unlink,
};

/* ---- mobility ---- */

static const int mob_fallbacks[MT_NR][2] = {
	[MT_UNMOVABLE] = {MT_RECLAIMABLE, MT_MOVABLE},
	[MT_MOVABLE] = {MT_RECLAIMABLE, MT_UNMOVABLE},
	[MT_RECLAIMABLE] = {MT_UNMOVABLE, MT_MOVABLE},
};

static int mob_init(struct buddy *b)
{
	u64 n = buddy_nr_pageblocks(b);
	b->pageblock_mt = malloc(n);
	if (!b->pageblock_mt)
		return -ENOMEM;
	memset(b->pageblock_mt, MT_MOVABLE, n); /* boot marks every pageblock movable */
	return 0;
}

static unsigned mob_list_of(const struct buddy *b, u32 idx)
{
	return b->pageblock_mt[buddy_pageblock(b, idx)];
}

static int mob_find_fallback(struct buddy *b, unsigned o, int mt)
{
	for (int i = 0; i < 2; i++) {
		b->st.list_visits++;
		if (b->head[o][mob_fallbacks[mt][i]] != BUDDY_NIL)
			return mob_fallbacks[mt][i];
	}
	return -1;
}

/* Frame range [lo, hi) of pageblock pb, clipped to the zone. */
static void mob_pb_range(const struct buddy *b, u64 pb, u64 *lo, u64 *hi)
{
	u64 first = (b->base_pfn >> BUDDY_PAGEBLOCK_ORDER) + pb;
	u64 s = first << BUDDY_PAGEBLOCK_ORDER, e = s + (1ULL << BUDDY_PAGEBLOCK_ORDER);
	s = MM_MAX(s, b->base_pfn);
	e = MM_MIN(e, b->base_pfn + b->nr_pages);
	*lo = s - b->base_pfn;
	*hi = e - b->base_pfn;
}

/* Retag pageblock pb as mt and move its free blocks, in address order, to the tails of mt's
 * lists (move_freepages_block: move_to_free_list is a list_move_tail). */
static void mob_retag(struct buddy *b, u64 pb, int mt)
{
	u64 lo, hi;
	mob_pb_range(b, pb, &lo, &hi);
	b->pageblock_mt[pb] = (u8)mt;
	if (b->pageblock_guess)
		b->pageblock_guess[pb] = 0;
	for (u64 i = lo; i < hi;) {
		if (buddy_frame_is_free(b, (u32)i)) {
			unsigned o = buddy_frame_order(b, (u32)i);
			buddy_unlink(b, (u32)i);
			buddy_link_tail(b, (u32)i, o, (unsigned)mt);
			i += 1ULL << o;
		} else {
			i++;
		}
	}
}

static void mob_claim(struct buddy *b, u64 pb, int mt)
{
	b->st.claims++;
	mob_retag(b, pb, mt);
}

bool buddy_pageblock_reveal(struct buddy *b, u64 pfn, int mt)
{
	if (!b->pageblock_guess || mt < 0 || mt >= MT_NR || pfn < b->base_pfn ||
	    pfn >= b->base_pfn + b->nr_pages)
		return false;
	u64 pb = buddy_pageblock(b, pfn - b->base_pfn);
	if (!b->pageblock_guess[pb])
		return false;
	b->pageblock_guess[pb] = 0;
	b->st.pb_revealed++;
	if (b->pageblock_mt[pb] == mt)
		return false;
	b->st.pb_retyped++;
	mob_retag(b, pb, mt);
	return true;
}

/* __rmqueue_smallest: the head of mt's list of the smallest order that has one. */
static int mob_smallest(struct buddy *b, unsigned order, int mt, u32 *idx, unsigned *blk_order)
{
	for (unsigned o = order; o <= b->max_order; o++) {
		b->st.list_visits++;
		u32 h = b->head[o][mt];
		if (h != BUDDY_NIL) {
			buddy_unlink(b, h);
			*idx = h;
			*blk_order = o;
			return 0;
		}
	}
	return -ENOMEM;
}

/* should_try_claim_block: blocks of this order may be claimed for mt (a small movable request
 * never claims: compaction can move its pages later). */
static bool mob_may_claim(unsigned o, int mt)
{
	return o >= BUDDY_PAGEBLOCK_ORDER / 2 || mt != MT_MOVABLE;
}

/* try_to_claim_block's count for a request of type mt in pageblock pb of type block: free
 * pages, plus the allocated pages alike: movable ones for a movable request; for another
 * request every non-movable page of a movable pageblock, none of a non-movable one. */
static u64 mob_pb_usable(const struct buddy *b, u64 pb, int mt, int block)
{
	u64 lo, hi, n = 0;
	mob_pb_range(b, pb, &lo, &hi);
	for (u64 i = lo; i < hi; i++) {
		if (buddy_frame_is_free(b, (u32)i)) {
			n += 1ULL << buddy_frame_order(b, (u32)i);
			continue;
		}
		int ao = buddy_alloc_order(b, b->base_pfn + i);
		unsigned t = ao >= 0 ? buddy_frame_list(b, (u32)i) : BUDDY_TAG_NEVER;
		if (t >= MT_NR)
			continue; /* seeded or never allocatable: its movability is unknown */
		if (mt == MT_MOVABLE ? t == MT_MOVABLE : block == MT_MOVABLE && t != MT_MOVABLE)
			n += 1ULL << ao;
	}
	return n;
}

/* __rmqueue as Linux 6.15+ has it: the request's own lists (__rmqueue_smallest); else claim a
 * block of another type (__rmqueue_claim: from the largest order down, the head block of each
 * order, a block of pageblock order or more taken whole, a smaller one's pageblock claimed when
 * at least half of it is free or alike, then __rmqueue_smallest again); else, unless
 * ALLOC_NOFRAGMENT, steal the smallest block of another type, leaving its pageblock's type
 * (__rmqueue_steal). In a refill (rmqueue_bulk) a steal is sticky: the next blocks are stolen
 * straight away. */
static int mob_take(struct buddy *b, unsigned order, int mt, u32 *idx, unsigned *blk_order)
{
	mt = clamp_mt(mt);
	if (!b->bulk_steal && !mob_smallest(b, order, mt, idx, blk_order))
		return 0;
	unsigned lo = b->nofragment ? MM_MAX(order, BUDDY_PAGEBLOCK_ORDER) : order;
	for (unsigned o = b->max_order + 1; !b->bulk_steal && o-- > lo;) {
		if (!mob_may_claim(o, mt))
			break;
		int fb = mob_find_fallback(b, o, mt);
		if (fb < 0)
			continue;
		u32 h = b->head[o][fb];
		if (o >= BUDDY_PAGEBLOCK_ORDER) {
			u64 first = buddy_pageblock(b, h), last = buddy_pageblock(b, h + (1ULL << o) - 1);
			for (u64 pb = first; pb <= last; pb++)
				if (b->pageblock_mt[pb] != mt)
					mob_claim(b, pb, mt);
			b->st.steals++;
			buddy_unlink(b, h);
			*idx = h;
			*blk_order = o;
			return 0;
		}
		b->st.claim_tries++; /* boost_watermark */
		u64 pb = buddy_pageblock(b, h);
		if (mob_pb_usable(b, pb, mt, fb) >= (1ULL << (BUDDY_PAGEBLOCK_ORDER - 1))) {
			mob_claim(b, pb, mt);
			b->st.steals++;
			return mob_smallest(b, order, mt, idx, blk_order);
		}
	}
	if (b->nofragment)
		return -ENOMEM;
	for (unsigned o = order; o <= b->max_order; o++) {
		int fb = mob_find_fallback(b, o, mt);
		if (fb < 0)
			continue;
		u32 h = b->head[o][fb];
		b->st.steals++;
		b->bulk_steal = b->bulk;
		buddy_unlink(b, h);
		*idx = h;
		*blk_order = o;
		return 0;
	}
	return -ENOMEM;
}

static const struct buddy_policy_ops mobility_ops = {
	.name = "mobility",
	.desc = "grouping by mobility: per-migratetype lists, pageblock stealing",
	.init = mob_init,
	.take = mob_take,
	.list_of = mob_list_of,
};

const struct buddy_policy_ops *const buddy_policies[] = {&lifo_ops, &addr_ops, &mobility_ops, NULL};

const struct buddy_policy_ops *buddy_policy_find(const char *name)
{
	for (const struct buddy_policy_ops *const *p = buddy_policies; *p; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}
