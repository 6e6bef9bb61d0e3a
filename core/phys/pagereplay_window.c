/* Placement with per-CPU lists while the page state was read: the seed is each page at its own
 * read time, and the replay's start is the instant the read ended (the buddyinfo read after
 * kpageflags). An event between the two, on a page read before it, is the kernel's own move and
 * brings the seed to that instant, as buddy mode replays it: a zone_locked takes its block from
 * the buddy, a pcpu_drain and a free of another order return theirs. The model decides nothing
 * there: had it placed those allocations itself (its own refills, drains and blocks), its buddy
 * would start the replay apart from the kernel's (c-mixed-lowfree: 18 k Normal and 9 k DMA32
 * pages more free after its 1.8 s read).
 *
 * Every block the kernel moved stays a used page of the seed (order-0, BUDDY_TAG_SEEDED), so a
 * later free or reveal finds it as it finds any page allocated before the recording; and the
 * per-CPU lists' start pages (zoneinfo's count, read just before the page state) follow the
 * trace's list traffic: refills and frees to a list add, allocations and drains take away.
 *
 * The free scanner's isolations are the kernel's moves too (untraced takes, as buddy mode
 * replays them): its migrations' targets stay out of the buddy, their sources' frees are traced.
 * Left out, each page migrated while the page state was read came back as a free page of the
 * model's (c-thp-hog-full2: 40 k pages migrated in its 1 s read, 25 k pages more free). */
#include "core/phys/pagereplay.h"

#include "core/phys/pagereplay_priv.h"
#include "core/phys/pcp.h"
#include "core/phys/seed.h"

int pagereplay_window_event(struct pagereplay *r, const struct mm_event *ev)
{
	int z = r->zs && ev->order <= 15 ? zones_find(r->zs, ev->addr) : -1;
	if (z < 0)
		return 0;
	struct buddy *b = &r->zs->zone[z].buddy;
	bool listed = pcp_order_index(ev->order) >= 0;
	i64 n = 1LL << ev->order;
	pagereplay_refill_mark(r, ev);
	u64 c0 = b->st.conflicts; /* the kernel's moves: the model follows, nothing conflicts */
	switch (ev->kind) {
	case MME_PAGE_ZONE_LOCKED:
		(void)seed_take_range(b, ev->addr, ev->order, ev->mt);
		seed_mark_used(b, ev->addr, ev->order);
		if (ev->flags & MME_F_PCP_REFILL)
			pcp_start_move(r->pcp, (unsigned)z, ev->cpu, n);
		break;
	case MME_PAGE_EXTFRAG: /* a whole block claimed with no zone_locked of its own */
		if (!buddy_alloc_at(b, ev->addr, ev->order, ev->mt))
			seed_mark_used(b, ev->addr, ev->order);
		break;
	case MME_PAGE_PCPU_DRAIN:
		seed_release_range(b, ev->addr, ev->order, NULL, NULL, NULL);
		pcp_start_move(r->pcp, (unsigned)z, ev->cpu, -n);
		break;
	case MME_PAGE_FREE:
		/* a free while its CPU refills finds the list locked: to the buddy (pagereplay.c) */
		if (listed && !pagereplay_list_locked(r, ev))
			pcp_start_move(r->pcp, (unsigned)z, ev->cpu, n);
		else
			seed_release_range(b, ev->addr, ev->order, NULL, NULL, NULL);
		break;
	case MME_PAGE_ALLOC:
		if (ev->flags & MME_F_FAILED)
			break;
		if (listed)
			pcp_start_move(r->pcp, (unsigned)z, ev->cpu, -n);
		if (!buddy_alloc_at(b, ev->addr, ev->order, ev->mt)) /* left the buddy untraced */
			seed_mark_used(b, ev->addr, ev->order);
		break;
	default:
		break;
	}
	b->st.conflicts = c0;
	return 0;
}

/* The pages an isolation took (order-0 blocks, movable) become used pages of the seed, as the
 * window's other moves: n of them, the lowest in [lo, hi) (where the take found them). */
static void pagereplay_window_mark_taken(struct buddy *b, u64 lo, u64 hi, u64 n)
{
	u64 end = MM_MIN(hi, b->base_pfn + b->nr_pages);
	for (u64 p = MM_MAX(lo, b->base_pfn); n && p < end; p++) {
		u32 i = (u32)(p - b->base_pfn);
		unsigned tag = buddy_frame_list(b, i);
		if (buddy_frame_is_alloc(b, i) && !buddy_frame_order(b, i) && tag != BUDDY_TAG_SEEDED &&
		    tag != BUDDY_TAG_NEVER) {
			buddy_frame_set_alloc(b, i, 0, BUDDY_TAG_SEEDED);
			n--;
		}
	}
}

void pagereplay_window_isolation(struct pagereplay *r, const struct mm_event *ev)
{
	u64 block, isolated = r->st.compact_isolated_pages;
	int z = r->zs ? pagereplay_isolate(r, ev, &block) : -1;
	if (z < 0)
		return;
	u64 got = r->st.compact_isolated_pages - isolated;
	bool fast = ev->aux == MME_COMPACT_FAST_ISOLATE_FREE; /* its range's end is inclusive */
	u64 lo = block != UINT64_MAX ? block : ev->addr,
	    hi = block != UINT64_MAX ? block + got : ev->addr2 + fast;
	pagereplay_window_mark_taken(&r->zs->zone[z].buddy, lo, hi, got);
}
