/* Placement and faithful: a free of a block the model holds as several pieces. A page allocated
 * before the recording is the model's at its own pfn (seeded) until the model's compaction moves
 * it; it then is a live record at its traced pfn, the model's copy elsewhere. The kernel frees a
 * large folio of such pages as one block at its head: every page of the block must go, the
 * moved ones from their copies and the others from their seeded frames. Freed as a whole block
 * only when every page is one of those two, so a free of pages the model never held (a
 * migration target's) changes nothing. */
#include "core/phys/pagereplay.h"
#include "core/phys/pagereplay_priv.h"

#include "core/phys/seed.h"

/* Is the page at pfn, in buddy b, an order-0 page allocated before the recording? */
static bool pieces_seeded(const struct buddy *b, u64 pfn)
{
	if (pfn < b->base_pfn || pfn >= b->base_pfn + b->nr_pages)
		return false;
	u32 i = (u32)(pfn - b->base_pfn);
	return buddy_frame_is_alloc(b, i) && buddy_frame_order(b, i) == 0 &&
	       buddy_frame_list(b, i) == BUDDY_TAG_SEEDED;
}

/* [pfn, end) held whole by the model: live records inside it and seeded pages. With `take`,
 * each piece is taken out (records from `live`, seeded pages claimed) and freed. True when
 * every page was a piece and at least one piece was a record. */
static bool pieces_walk(struct pagereplay *r, const struct mm_event *ev, struct buddy *b, bool take)
{
	u64 end = ev->addr + (1ULL << ev->order), rec;
	bool any_rec = false;
	for (u64 p = ev->addr; p < end;) {
		if (hmap_get(&r->live, p, &rec)) {
			u64 n = 1ULL << rec_order(rec);
			if (n > end - p)
				return false; /* sticks out of the freed block */
			any_rec = true;
			if (take) {
				hmap_del(&r->live, p, NULL);
				pagereplay_free_rec(r, ev, rec);
			}
			p += n;
		} else if (pieces_seeded(b, p)) {
			if (take && !seed_claim(b, p, 0, ev->mt))
				pagereplay_free_rec(r, ev, rec_make(p, ev->mt, 0));
			p++;
		} else {
			return false;
		}
	}
	return any_rec;
}

bool pagereplay_free_pieces(struct pagereplay *r, const struct mm_event *ev)
{
	if (r->mode == PAGEREPLAY_BUDDY || !r->zs || !ev->order || ev->order > BUDDY_MAX_ORDER_LIMIT)
		return false;
	int z = zones_find(r->zs, ev->addr);
	if (z < 0)
		return false;
	struct buddy *b = &r->zs->zone[z].buddy;
	if (ev->addr + (1ULL << ev->order) > b->base_pfn + b->nr_pages || !pieces_walk(r, ev, b, false))
		return false;
	/* the pieces go to the buddy: the kernel's block went there, or to a list of its own order,
	 * which the kernel's drain empties; on lists of their order nothing would drain them */
	bool bypass = r->bypass;
	r->bypass = true;
	(void)pieces_walk(r, ev, b, true);
	r->bypass = bypass;
	r->st.piece_frees++;
	return true;
}
