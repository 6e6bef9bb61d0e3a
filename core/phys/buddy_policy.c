/* Placement policies for the buddy allocator, and their registry.
 * lifo:     Linux's free lists: free to the head (to the tail when the block is likely to
 *           merge further, buddy.c's buddy_merge_likely), allocate from the head of the
 *           smallest non-empty order.
 * addr:     the lowest-address block of the smallest sufficient order (an address-ordered
 *           index per order, a hierarchical bitmap).
 * mobility: grouping by mobility (2.6.24+): lists per migratetype, pageblocks tagged with a
 *           type, fallback stealing from another type's largest block and claiming the whole
 *           pageblock when enough of it is free or alike (mm/page_alloc.c, 5.x semantics). */
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

/* Free pages plus pages allocated as mt in pageblock pb (the kernel's free + alike count). */
static u64 mob_pb_usable(const struct buddy *b, u64 pb, int mt)
{
	u64 lo, hi, n = 0;
	mob_pb_range(b, pb, &lo, &hi);
	for (u64 i = lo; i < hi; i++) {
		if (buddy_frame_is_free(b, (u32)i)) {
			n += 1ULL << buddy_frame_order(b, (u32)i);
		} else {
			int ao = buddy_alloc_order(b, b->base_pfn + i);
			if (ao >= 0 && (int)buddy_frame_list(b, (u32)i) == mt)
				n += 1ULL << ao;
		}
	}
	return n;
}

static int mob_take(struct buddy *b, unsigned order, int mt, u32 *idx, unsigned *blk_order)
{
	mt = clamp_mt(mt);
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
	/* __rmqueue_fallback: steal the largest block of another type; with ALLOC_NOFRAGMENT only
	 * a whole pageblock or more (the caller then tries other zones, and again without it) */
	int fb = -1;
	unsigned o, lo = b->nofragment ? MM_MAX(order, BUDDY_PAGEBLOCK_ORDER) : order;
	bool can_steal = false;
	for (o = b->max_order + 1; o-- > lo;) {
		fb = mob_find_fallback(b, o, mt);
		if (fb < 0)
			continue;
		can_steal = o >= BUDDY_PAGEBLOCK_ORDER / 2 || mt != MT_MOVABLE;
		if (!can_steal && o > order) {
			/* a movable request that cannot claim the block takes the smallest instead */
			for (o = order; o <= b->max_order; o++)
				if ((fb = mob_find_fallback(b, o, mt)) >= 0)
					break;
		}
		break;
	}
	if (fb < 0 || o > b->max_order || o < lo)
		return -ENOMEM;
	u32 h = b->head[o][fb];
	b->st.steals++;
	b->st.claim_tries += can_steal;
	if (o >= BUDDY_PAGEBLOCK_ORDER) {
		u64 first = buddy_pageblock(b, h), last = buddy_pageblock(b, h + (1ULL << o) - 1);
		for (u64 pb = first; pb <= last; pb++)
			if (b->pageblock_mt[pb] != mt)
				mob_claim(b, pb, mt);
	} else if (can_steal) {
		u64 pb = buddy_pageblock(b, h);
		if (mob_pb_usable(b, pb, mt) >= (1ULL << (BUDDY_PAGEBLOCK_ORDER - 1)))
			mob_claim(b, pb, mt);
	}
	buddy_unlink(b, h);
	*idx = h;
	*blk_order = o;
	return 0;
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
