/* Where a list-order free went, from the block's next event (core/phys/hindsight.h): against a
 * slow reference that looks forward from each free through the whole trace, on random traces
 * scanned in random batches; and buddy mode returning such a free to the buddy. */
#include <criterion/criterion.h>

#include "core/lib/rng.h"
#include "core/phys/hindsight.h"
#include "core/phys/pagereplay.h"
#include "core/phys/zones.h"

/* The reference: the free at i went to the buddy when the next event of its pfn takes it from
 * the buddy (zone_locked, extfrag; of a block holding it) rather than handing it out, draining
 * it or freeing it. */
static bool ref_to_buddy(const struct mm_event *ev, size_t n, size_t i)
{
	if (ev[i].kind != MME_PAGE_FREE || ev[i].order > 3) /* list orders below the pageblock's */
		return false;
	for (size_t j = i + 1; j < n; j++) {
		bool take = ev[j].kind == MME_PAGE_ZONE_LOCKED || ev[j].kind == MME_PAGE_EXTFRAG;
		if (take && ev[i].addr >= ev[j].addr && ev[i].addr < ev[j].addr + (1ULL << ev[j].order))
			return true; /* a take of a block holding the page (it merged into it) */
		if (ev[j].addr != ev[i].addr)
			continue;
		switch (ev[j].kind) {
		case MME_PAGE_ALLOC:
		case MME_PAGE_PCPU_DRAIN:
		case MME_PAGE_FREE:
			return false;
		default:
			break;
		}
	}
	return false;
}

Test(hindsight, against_a_forward_search)
{
	static const unsigned kinds[] = {
		MME_PAGE_FREE,	     MME_PAGE_FREE,    MME_PAGE_ALLOC, MME_PAGE_ZONE_LOCKED,
		MME_PAGE_PCPU_DRAIN, MME_PAGE_EXTFRAG, MME_MMAP};
	static const unsigned orders[] = {0, 0, 0, 1, 2, 3, 9, 10};
	struct rng r;
	rng_seed(&r, 2121);
	unsigned yes = 0, no = 0;
	for (int round = 0; round < 40; round++) {
		size_t n = 500 + rng_below(&r, 3000);
		struct mm_event *ev = calloc(n, sizeof(*ev));
		u64 ts = 1000;
		for (size_t i = 0; i < n; i++, ts += 1 + rng_below(&r, 3))
			ev[i] = (struct mm_event){.kind = (u8)kinds[rng_below(&r, MM_ARRAY_SIZE(kinds))],
						  .order = (u8)orders[rng_below(&r, MM_ARRAY_SIZE(orders))],
						  .addr = 0x100000 + rng_below(&r, 64) -
							  rng_below(&r, 2) * rng_below(&r, 8),
						  .ts_ns = ts};
		struct hindsight h;
		cr_assert_eq(hindsight_init(&h), 0);
		for (size_t i = 0; i < n;) {		      /* in batches cut at random points */
			size_t want = 1 + rng_below(&r, 200); /* (MM_MIN evaluates twice) */
			size_t k = MM_MIN(n - i, want);
			cr_assert_eq(hindsight_scan(&h, ev + i, k), 0);
			i += k;
		}
		hindsight_done(&h);
		for (size_t i = 0; i < n; i++) {
			bool want = ref_to_buddy(ev, n, i);
			cr_assert_eq(hindsight_to_buddy(&h, &ev[i]), want,
				     "round %d event %zu (kind %u order %u)", round, i, ev[i].kind,
				     ev[i].order);
			yes += want;
			no += ev[i].kind == MME_PAGE_FREE && !want;
		}
		hindsight_fini(&h);
		free(ev);
	}
	cr_assert_gt(yes, 100, "%u frees to the buddy", yes);
	cr_assert_gt(no, 100, "%u frees to lists", no);
}

/* Buddy mode: a free whose block the kernel takes from the buddy next goes to the buddy at the
 * free; one whose block is handed out from a list next stays on the list. */
Test(hindsight, buddy_mode_returns_such_a_free)
{
	const u64 base = 0x100000;
	struct zones_cfg c;
	zones_cfg_default(&c);
	c.nr_zones = 1;
	c.zone[0] = (struct zone_spec){.type = ZONE_NORMAL, .start_pfn = base, .nr_pages = 4096};
	struct zones zs;
	cr_assert_eq(zones_init(&zs, &c), 0);
	struct pagereplay pr;
	cr_assert_eq(pagereplay_init(&pr, &zs.zone[0].buddy, PAGEREPLAY_BUDDY), 0);
	pagereplay_attach(&pr, &zs, NULL);
	const struct mm_event ev[] = {
		{.kind = MME_PAGE_ZONE_LOCKED, .addr = base + 1, .ts_ns = 1},
		{.kind = MME_PAGE_ZONE_LOCKED, .addr = base + 2, .ts_ns = 2},
		{.kind = MME_PAGE_FREE, .addr = base + 1, .ts_ns = 3}, /* next: taken from the buddy */
		{.kind = MME_PAGE_FREE, .addr = base + 2, .ts_ns = 4}, /* next: handed out */
		{.kind = MME_PAGE_ZONE_LOCKED, .addr = base + 1, .ts_ns = 5},
		{.kind = MME_PAGE_ALLOC, .addr = base + 2, .ts_ns = 6},
	};
	struct hindsight h;
	cr_assert_eq(hindsight_init(&h), 0);
	cr_assert_eq(hindsight_scan(&h, ev, MM_ARRAY_SIZE(ev)), 0);
	hindsight_done(&h);
	pr.hindsight = &h;
	const struct buddy *b = &zs.zone[0].buddy;
	for (size_t i = 0; i < MM_ARRAY_SIZE(ev); i++) {
		cr_assert_eq(pagereplay_event(&pr, &ev[i]), 0);
		if (i == 2)
			cr_assert_eq(b->free_pages, 4096 - 1, "the free went to the buddy");
		if (i == 3)
			cr_assert_eq(b->free_pages, 4096 - 1, "the free went to a list");
	}
	cr_assert_eq(b->free_pages, 4096 - 2);
	cr_assert_eq(pr.st.hindsight_frees, 1);
	cr_assert_eq(pr.st.untraced_join_pages, 0, "the take found the page free");
	hindsight_fini(&h);
	pagereplay_fini(&pr);
	zones_fini(&zs);
}
