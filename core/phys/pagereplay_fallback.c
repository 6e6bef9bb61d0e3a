/* Placement: a traced allocation of order > 0 the model cannot serve as one block, even after
 * compaction's retry, while its zones hold the pages. The kernel served the block; the model's
 * zones are more fragmented than the kernel's were. What the caller does then is fall back: a THP
 * fault maps base pages, slab and network buffers take smaller orders. The model serves the
 * allocation as 2^order order-0 pages from the buddy of the kernel's zone (whose watermarks let
 * the kernel serve it there), each its own live record at its traced pfn, freed by the block's
 * later free as pieces (pagereplay_pieces.c): the workload's memory stays taken and the model's
 * free pages stay the kernel's. The block is counted (`page_alloc_base_fallbacks`), not failed,
 * and is no exhaustion. Without the pages, nothing is taken and the allocation fails as before. */
#include "core/phys/pagereplay.h"
#include "core/phys/pagereplay_priv.h"

bool pagereplay_base_fallback(struct pagereplay *r, const struct mm_event *ev, int limit)
{
	if (r->mode != PAGEREPLAY_PLACEMENT || !r->zs || !ev->order || ev->order > BUDDY_MAX_ORDER_LIMIT)
		return false;
	int z = zones_find(r->zs, ev->addr);
	u64 n = 1ULL << ev->order, pfn;
	if (z < 0 || r->zs->zone[z].type > (enum zone_type)limit || r->zs->zone[z].buddy.free_pages < n)
		return false;
	for (u64 i = 0; i < n; i++) /* a traced pfn the model holds already: not a block it can own */
		if (hmap_get(&r->live, ev->addr + i, &pfn))
			return false;
	u64 i = 0;
	for (; i < n; i++) {
		if (buddy_alloc(&r->zs->zone[z].buddy, 0, ev->mt, &pfn))
			break;
		if (hmap_put(&r->live, ev->addr + i, rec_make(pfn, ev->mt, 0)) < 0) {
			buddy_free(&r->zs->zone[z].buddy, pfn, 0);
			break;
		}
	}
	if (i < n) { /* undone: the pages taken go back */
		u64 rec;
		while (i--)
			if (hmap_del(&r->live, ev->addr + i, &rec))
				buddy_free(&r->zs->zone[z].buddy, rec_pfn(rec), 0);
		return false;
	}
	if (MM_UNLIKELY(r->owner_built) && ev->mt == MT_MOVABLE)
		for (i = 0; i < n; i++) {
			u64 rec = 0;
			hmap_get(&r->live, ev->addr + i, &rec);
			(void)pfnmap_put(&r->owner, rec_pfn(rec), ev->addr + i);
		}
	r->st.base_fallbacks++;
	return true;
}
