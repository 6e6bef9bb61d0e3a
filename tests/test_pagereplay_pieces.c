/* Placement on a seeded machine: a page allocated before the recording that the model's
 * compaction moved is a live record at its traced pfn. The kernel frees the large folio holding
 * it as one block: every page of the block goes back, the moved ones from their copies. A free
 * of a block the model does not hold whole changes nothing. Checked on random moves against a
 * page count. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/lib/rng.h"
#include "core/phys/compact.h"
#include "core/phys/pagereplay.h"
#include "core/phys/seed.h"
#include "core/phys/zones.h"

#define BASE 0x100000ULL
#define NPAGES 8192
#define USED 2048 /* [BASE, BASE + USED) allocated before the recording */

struct machine {
	struct zones zs;
	struct pagereplay r;
	struct compact_hooks h;
	struct buddy *b;
};

static void setup(struct machine *m)
{
	struct zones_cfg c;
	zones_cfg_default(&c);
	c.nr_zones = 1;
	c.policy = buddy_policy_find("mobility"); /* pageblock types: compaction moves movable pages */
	c.zone[0] = (struct zone_spec){.type = ZONE_NORMAL, .start_pfn = BASE, .nr_pages = NPAGES};
	cr_assert_eq(zones_init(&m->zs, &c), 0);
	struct seed s;
	cr_assert_eq(seed_init(&s, &c), 0);
	for (u64 i = USED; i < NPAGES; i++)
		s.zone[0].page[i] = SEED_FREE;
	cr_assert_eq(seed_apply(&m->zs, &s), 0);
	seed_fini(&s);
	struct pagesrc src = pagesrc_zones(&m->zs);
	cr_assert_eq(pagereplay_init_src(&m->r, &src, PAGEREPLAY_PLACEMENT), 0);
	pagereplay_attach(&m->r, &m->zs, NULL);
	pagereplay_compact_hooks(&m->r, &m->h);
	m->b = &m->zs.zone[0].buddy;
}

static void teardown(struct machine *m)
{
	char msg[200];
	cr_assert_eq(buddy_check(m->b, msg, sizeof(msg)), 0, "%s", msg);
	pagereplay_fini(&m->r);
	zones_fini(&m->zs);
}

/* What the compaction model does to a movable seeded page: a target taken, the hook told, the
 * source freed. False when the page is not movable (not seeded any more). */
static bool move(struct machine *m, u64 pfn)
{
	if (!m->h.movable(m->h.ctx, 0, pfn, 0))
		return false;
	u64 to;
	cr_assert_eq(buddy_alloc(m->b, 0, MT_MOVABLE, &to), 0);
	m->h.moved(m->h.ctx, pfn, to, 0);
	cr_assert_eq(buddy_free(m->b, pfn, 0), 0);
	return true;
}

static void feed_free(struct machine *m, u64 pfn, unsigned order)
{
	struct mm_event e;
	memset(&e, 0, sizeof(e));
	e.kind = MME_PAGE_FREE;
	e.addr = pfn;
	e.order = (u8)order;
	e.mt = MT_MOVABLE;
	cr_assert_eq(pagereplay_event(&m->r, &e), 0);
}

Test(pagereplay_pieces, a_folio_with_moved_pages_frees_every_page)
{
	struct machine m;
	setup(&m);
	u64 free0 = m.b->free_pages, h = BASE + 64;
	cr_assert(move(&m, h + 1));
	cr_assert(move(&m, h + 9));
	cr_assert_eq(m.b->free_pages, free0, "a move takes one page and gives one");
	feed_free(&m, h, 4); /* head seeded, two pages moved */
	cr_assert_eq(m.r.st.piece_frees, 1);
	cr_assert_eq(m.b->free_pages, free0 + 16);
	cr_assert(move(&m, h + 32));
	feed_free(&m, h + 32, 3); /* head moved: the record's order is below the free's */
	cr_assert_eq(m.r.st.piece_frees, 2);
	cr_assert_eq(m.b->free_pages, free0 + 24);
	cr_assert_eq(m.r.st.unmatched_frees, 0);
	teardown(&m);
}

Test(pagereplay_pieces, a_block_not_held_whole_is_left_alone)
{
	struct machine m;
	setup(&m);
	u64 h = BASE + 256;
	cr_assert(move(&m, h + 2));
	feed_free(&m, h + 5, 0); /* a seeded page freed alone: that page is the model's no more */
	u64 free1 = m.b->free_pages;
	feed_free(&m, h, 3); /* h + 5 is free in the model: not a block the model holds */
	cr_assert_eq(m.r.st.piece_frees, 0);
	cr_assert_eq(m.r.st.unmatched_frees, 1);
	cr_assert_eq(m.b->free_pages, free1);
	feed_free(&m, BASE + USED + 128, 2); /* pages the model never held (a migration target) */
	cr_assert_eq(m.b->free_pages, free1);
	teardown(&m);
}

/* Random moves, then each 16-page folio of the seeded range freed whole: every seeded page
 * comes back exactly once, moved or not (the reference: the count of pages never freed). */
Test(pagereplay_pieces, random_moves_against_a_page_count)
{
	struct rng g;
	rng_seed(&g, 777);
	for (int round = 0; round < 10; round++) {
		struct machine m;
		setup(&m);
		u64 free0 = m.b->free_pages;
		for (int k = 0; k < 300; k++)
			(void)move(&m, BASE + rng_below(&g, USED));
		cr_assert_eq(m.b->free_pages, free0);
		unsigned order = (unsigned)rng_below(&g, 5);
		for (u64 p = BASE; p < BASE + USED; p += 1ULL << order)
			feed_free(&m, p, order);
		cr_assert_eq(m.b->free_pages, free0 + USED, "round %d order %u: %llu pages free", round,
			     order, (unsigned long long)(m.b->free_pages - free0));
		cr_assert_eq(m.r.st.unmatched_frees, 0);
		teardown(&m);
	}
}
