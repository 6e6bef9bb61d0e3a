/* Placement and faithful: a free of part of a live block. The kernel splits high-order pages
 * (split_page, a THP split in a partial munmap) and frees the pieces one by one; the trace has
 * the allocation's head pfn and order, then frees of pieces at other pfns or of smaller order.
 * The model splits its block the same way: pieces of the free's order, each a live record at
 * its traced pfn (model pfn at the same offset), so every piece frees its own pages. */
#include "core/phys/pagereplay.h"
#include "core/phys/pagereplay_priv.h"

#include <string.h>

#include "core/phys/pfnmap.h"

/* The live block whose head lies below pfn and holds the traced range [pfn, pfn + 2^order): its
 * head's traced pfn (and record), or false. */
static bool split_enclosing(const struct pagereplay *r, u64 pfn, unsigned order, u64 *head, u64 *rec)
{
	for (unsigned o = order + 1; o <= BUDDY_MAX_ORDER_LIMIT; o++) {
		u64 h = pfn & ~((1ULL << o) - 1);
		if (hmap_get(&r->live, h, rec) && rec_order(*rec) > order && rec_order(*rec) >= o) {
			if (pfn - h + (1ULL << order) > 1ULL << rec_order(*rec)) /* no wrap: pfn >= h */
				return false;					 /* sticks out of the block */
			*head = h;
			return true;
		}
	}
	return false;
}

/* The buddy holding the model's block at pfn m: a zone of the machine, or the one buddy a unit's
 * page source is (NULL: phantom pages, nobody's frames). */
static struct buddy *split_buddy(const struct pagereplay *r, u64 m)
{
	if (r->zs) {
		int z = zones_find(r->zs, m);
		return z < 0 ? NULL : &r->zs->zone[z].buddy;
	}
	struct buddy *b = r->src.ops && !strcmp(r->src.ops->name, "buddy") ? r->src.ctx : NULL;
	return b && m >= b->base_pfn && m < b->base_pfn + b->nr_pages ? b : NULL;
}

bool pagereplay_split(struct pagereplay *r, const struct mm_event *ev, const u64 *own)
{
	u64 head = ev->addr, rec = own ? *own : 0;
	if (r->mode == PAGEREPLAY_BUDDY || (own && rec_order(rec) <= ev->order) ||
	    (!own && !split_enclosing(r, ev->addr, ev->order, &head, &rec)))
		return false;
	u64 m = rec_pfn(rec);
	unsigned o = rec_order(rec), k = ev->order;
	struct buddy *b = split_buddy(r, m);
	if (!b)
		return false;
	u32 i0 = (u32)(m - b->base_pfn);
	if (!buddy_frame_is_alloc(b, i0) || buddy_frame_order(b, i0) != o)
		return false; /* not the model's block as recorded: freed whole */
	unsigned tag = buddy_frame_list(b, i0);
	int mt = rec_mt(rec);
	u64 n = 1ULL << (o - k), owner;
	bool owned = r->owner_built && pfnmap_del(&r->owner, m, &owner);
	for (u64 i = 0; i < n; i++) /* the records first: host memory short leaves the block whole */
		if (hmap_put(&r->live, head + (i << k), rec_make(m + (i << k), mt, k)) < 0) {
			for (u64 j = 0; j < i; j++)
				hmap_del(&r->live, head + (j << k), NULL);
			if (!own) /* (the free in hand releases its own block whole) */
				hmap_put(&r->live, head, rec);
			if (owned)
				(void)pfnmap_put(&r->owner, m, owner);
			return false;
		}
	for (u64 i = 0; i < n; i++) {
		buddy_frame_set_alloc(b, i0 + (u32)(i << k), k, tag);
		if (owned)
			(void)pfnmap_put(&r->owner, m + (i << k), head + (i << k));
	}
	r->st.split_blocks++;
	return true;
}
