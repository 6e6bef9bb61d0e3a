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
 * trace's list traffic: refills and frees to a list add, allocations and drains take away. */
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
