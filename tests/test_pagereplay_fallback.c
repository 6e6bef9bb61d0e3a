/* Placement: an allocation of order > 0 that no free block of the model serves, while its zone
 * holds the pages, is served as order-0 pages (core/phys/pagereplay_fallback.c), as a THP fault
 * falls back to base pages; its free returns every page. Checked against a page count on random
 * traces over a fragmented zone, with per-CPU lists as the trace: pieces and blocks in another
 * zone than the kernel's go to the buddy, never to a list nothing drains. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/lib/hmap.h"
#include "core/lib/rng.h"
#include "core/phys/pagereplay.h"
#include "core/phys/pcp.h"
#include "core/phys/seed.h"
#include "core/phys/zones.h"

#define BASE 0x100000ULL
#define NPAGES 16384
#define SLOT(k) (BASE + ((u64)(k) << 9)) /* traced pfns: the kernel's blocks in the zone */

struct machine {
	struct zones zs;
	struct pcp pcp;
	struct pagereplay r;
	struct buddy *b;
	bool lists;
};

/* One Normal zone whose odd pages were allocated before the recording, but for the free range
 * [BASE + free_from, BASE + NPAGES): no block above order 0 below it. */
static void setup(struct machine *m, u64 free_from, bool lists)
{
	memset(m, 0, sizeof(*m));
	struct zones_cfg c;
	zones_cfg_default(&c);
	c.nr_zones = 1;
	c.policy = buddy_policy_find("mobility");
	c.zone[0] = (struct zone_spec){.type = ZONE_NORMAL, .start_pfn = BASE, .nr_pages = NPAGES};
	cr_assert_eq(zones_init(&m->zs, &c), 0);
	struct seed s;
	cr_assert_eq(seed_init(&s, &c), 0);
	for (u64 i = 0; i < NPAGES; i++)
		if (i >= free_from || !(i & 1))
			s.zone[0].page[i] = SEED_FREE;
	cr_assert_eq(seed_apply(&m->zs, &s), 0);
	seed_fini(&s);
	m->lists = lists;
	if (lists) {
		struct pcp_cfg pc;
		memset(&pc, 0, sizeof(pc));
		pc.ncpus = 2;
		pc.tune = PCP_TUNE_TRACE;
		cr_assert_eq(pcp_init(&m->pcp, &m->zs, &pc), 0);
	}
	struct pagesrc src = pagesrc_zones(&m->zs);
	cr_assert_eq(pagereplay_init_src(&m->r, &src, PAGEREPLAY_PLACEMENT), 0);
	pagereplay_attach(&m->r, &m->zs, lists ? &m->pcp : NULL);
	m->b = &m->zs.zone[0].buddy;
}

static void teardown(struct machine *m)
{
	char msg[200];
	cr_assert_eq(buddy_check(m->b, msg, sizeof(msg)), 0, "%s", msg);
	pagereplay_fini(&m->r);
	if (m->lists)
		pcp_fini(&m->pcp);
	zones_fini(&m->zs);
}

static void feed(struct machine *m, unsigned kind, u64 pfn, unsigned order)
{
	struct mm_event e;
	memset(&e, 0, sizeof(e));
	e.kind = (u8)kind;
	e.addr = pfn;
	e.order = (u8)order;
	e.mt = MT_MOVABLE;
	e.cpu = (u16)(pfn & 1);
	cr_assert_eq(pagereplay_event(&m->r, &e), 0);
}

/* Pages on the model's lists. */
static u64 listed(const struct machine *m)
{
	return m->lists ? pcp_zone_pages(&m->pcp, 0) : 0;
}

Test(pagereplay_fallback, a_block_no_free_block_serves_is_taken_as_base_pages)
{
	struct machine m;
	setup(&m, NPAGES - 256, false); /* single free pages, and 256 in a block of order 8 */
	u64 free0 = m.b->free_pages, fails0 = m.zs.st.failures;
	cr_assert_gt(free0, 512);
	feed(&m, MME_PAGE_ALLOC, SLOT(3), 9);
	cr_assert_eq(m.r.st.base_fallbacks, 1);
	cr_assert_eq(m.r.st.alloc_failures, 0);
	cr_assert_eq(m.zs.st.failures, fails0, "served in the end: no exhaustion");
	cr_assert_eq(m.b->free_pages, free0 - 512);
	feed(&m, MME_PAGE_FREE, SLOT(3), 9); /* the whole block: every piece */
	cr_assert_eq(m.b->free_pages, free0);
	cr_assert_eq(m.r.st.piece_frees, 1);
	feed(&m, MME_PAGE_ALLOC, SLOT(3), 9);
	feed(&m, MME_PAGE_FREE, SLOT(3) + 7, 0); /* one page of it (a split THP) */
	cr_assert_eq(m.b->free_pages, free0 - 511);
	teardown(&m);
}

Test(pagereplay_fallback, without_the_pages_the_allocation_fails)
{
	struct machine m;
	setup(&m, NPAGES, false); /* 8192 single free pages */
	for (u64 i = 0; i < 9; i++)
		feed(&m, MME_PAGE_ALLOC, SLOT(2 * i), 10); /* 1024 pages each */
	cr_assert_eq(m.r.st.base_fallbacks, 8);
	cr_assert_eq(m.r.st.alloc_failures, 1);
	cr_assert_eq(m.zs.st.failures, 1, "the ninth is exhaustion");
	cr_assert_eq(m.b->free_pages, 0);
	teardown(&m);
}

/* Random allocations and frees of whole blocks and of single pages: the model's free and listed
 * pages always add up to the zone's pages less the pages the trace holds, and an allocation
 * fails only when the zone's buddy has fewer free pages than it asks. */
Test(pagereplay_fallback, against_a_page_count)
{
	struct rng g;
	rng_seed(&g, 4242);
	unsigned fallbacks = 0, fails = 0;
	for (int round = 0; round < 12; round++) {
		struct machine m;
		setup(&m, NPAGES - 512 * rng_below(&g, 8), round & 1);
		u64 used0 = NPAGES - m.b->free_pages;
		struct hmap held; /* traced pfn -> order of the blocks (or pages) the trace holds */
		cr_assert_eq(hmap_init(&held, 64), 0);
		u64 held_pages = 0;
		for (int i = 0; i < 3000; i++) {
			u64 slot = SLOT(rng_below(&g, NPAGES >> 9)), order;
			if (!hmap_get(&held, slot, &order) && !hmap_get(&held, slot + 1, &order)) {
				unsigned o = rng_below(&g, 3) ? 9 : (unsigned)rng_below(&g, 4);
				u64 f0 = m.r.st.alloc_failures, free_before = m.b->free_pages;
				feed(&m, MME_PAGE_ALLOC, slot, o);
				if (m.r.st.alloc_failures != f0) {
					cr_assert_lt(free_before, 1ULL << o, "failed with %llu free",
						     (unsigned long long)free_before);
					fails++;
					continue;
				}
				cr_assert_eq(hmap_put(&held, slot, o), 0);
				held_pages += 1ULL << o;
			} else if (hmap_get(&held, slot, &order) && (order || rng_below(&g, 2))) {
				feed(&m, MME_PAGE_FREE, slot, (unsigned)order); /* the whole block */
				hmap_del(&held, slot, NULL);
				held_pages -= 1ULL << order;
			} else if (hmap_get(&held, slot, &order)) {
				feed(&m, MME_PAGE_FREE, slot, 0);
				hmap_del(&held, slot, NULL);
				held_pages--;
			}
			cr_assert_eq(m.b->free_pages + listed(&m) + held_pages + used0, NPAGES,
				     "round %d event %d", round, i);
		}
		fallbacks += (unsigned)m.r.st.base_fallbacks;
		hmap_fini(&held);
		teardown(&m);
	}
	cr_assert_gt(fallbacks, 100, "%u fallbacks", fallbacks);
	cr_assert_gt(fails, 20, "%u failures", fails);
}

Test(pagereplay_fallback, with_lists_as_the_trace_the_pieces_go_to_the_buddy)
{
	struct machine m;
	setup(&m, NPAGES - 256, true);
	u64 free0 = m.b->free_pages;
	feed(&m, MME_PAGE_ALLOC, SLOT(3), 9);
	cr_assert_eq(m.r.st.base_fallbacks, 1);
	u64 listed0 = listed(&m);
	feed(&m, MME_PAGE_FREE, SLOT(3), 9); /* the kernel's block to its order-9 list */
	cr_assert_eq(listed(&m), listed0, "no order-0 list holds a piece: no drain would take it");
	cr_assert_eq(m.b->free_pages, free0);
	teardown(&m);
}

/* The model placed the kernel's DMA32 block in Normal (its DMA32 full): the free goes to the
 * buddy, not to Normal's list, which only the kernel's drains of Normal blocks empty. */
Test(pagereplay_fallback, a_block_in_another_zone_than_the_kernels_goes_to_the_buddy)
{
	struct zones zs;
	struct zones_cfg c;
	memset(&c, 0, sizeof(c));
	c.nr_zones = 2;
	c.zone[0] = (struct zone_spec){ZONE_DMA32, 0x1000, 4096};
	c.zone[1] = (struct zone_spec){ZONE_NORMAL, 0x100000, 8192};
	c.policy = buddy_policy_find("lifo");
	cr_assert_eq(zones_init(&zs, &c), 0);
	u64 pfn;
	while (!buddy_alloc(&zs.zone[0].buddy, 0, MT_MOVABLE, &pfn))
		;
	struct pcp p;
	struct pcp_cfg pc;
	memset(&pc, 0, sizeof(pc));
	pc.ncpus = 1;
	pc.tune = PCP_TUNE_TRACE;
	cr_assert_eq(pcp_init(&p, &zs, &pc), 0);
	struct pagereplay r;
	struct pagesrc src = pagesrc_zones(&zs);
	cr_assert_eq(pagereplay_init_src(&r, &src, PAGEREPLAY_PLACEMENT), 0);
	pagereplay_attach(&r, &zs, &p);
	struct mm_event e;
	memset(&e, 0, sizeof(e));
	e.kind = MME_PAGE_ALLOC;
	e.addr = 0x1200;
	e.order = 3;
	e.mt = MT_MOVABLE;
	u64 free0 = zs.zone[1].buddy.free_pages;
	cr_assert_eq(pagereplay_event(&r, &e), 0);
	cr_assert_eq(r.st.allocs, 1);
	cr_assert_eq(zs.zone[1].buddy.free_pages, free0 - 8, "served by Normal");
	e.kind = MME_PAGE_FREE;
	cr_assert_eq(pagereplay_event(&r, &e), 0);
	cr_assert_eq(pcp_zone_pages(&p, 1), 0);
	cr_assert_eq(zs.zone[1].buddy.free_pages, free0);
	pagereplay_fini(&r);
	pcp_fini(&p);
	zones_fini(&zs);
}
