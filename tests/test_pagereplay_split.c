/* Placement: frees of parts of a live block (split_page, a THP split) free exactly those
 * pages, against a reference that keeps every traced page's state, on random traces; and one
 * THP freed piece by piece. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/lib/rng.h"
#include "core/phys/pagereplay.h"
#include "core/phys/zones.h"

#define BASE 0x100000ULL
#define NPAGES 16384

static void setup(struct zones *zs, struct pagereplay *r)
{
	struct zones_cfg c;
	zones_cfg_default(&c);
	c.nr_zones = 1;
	c.zone[0] = (struct zone_spec){.type = ZONE_NORMAL, .start_pfn = BASE, .nr_pages = NPAGES};
	cr_assert_eq(zones_init(zs, &c), 0);
	struct pagesrc src = pagesrc_zones(zs);
	cr_assert_eq(pagereplay_init_src(r, &src, PAGEREPLAY_PLACEMENT), 0);
	pagereplay_attach(r, zs, NULL);
}

static void feed(struct pagereplay *r, unsigned kind, u64 pfn, unsigned order)
{
	struct mm_event e;
	memset(&e, 0, sizeof(e));
	e.kind = (u8)kind;
	e.addr = pfn;
	e.order = (u8)order;
	e.mt = MT_MOVABLE;
	cr_assert_eq(pagereplay_event(r, &e), 0);
}

Test(pagereplay_split, a_thp_freed_piece_by_piece)
{
	struct zones zs;
	struct pagereplay r;
	setup(&zs, &r);
	const struct buddy *b = &zs.zone[0].buddy;
	u64 t = 0x7000000; /* traced pfns: never the model's */
	feed(&r, MME_PAGE_ALLOC, t, 9);
	cr_assert_eq(b->free_pages, NPAGES - 512);
	feed(&r, MME_PAGE_FREE, t + 3, 0); /* a piece: the block splits, one page goes */
	cr_assert_eq(b->free_pages, NPAGES - 511);
	cr_assert_eq(r.st.split_blocks, 1);
	feed(&r, MME_PAGE_FREE, t, 0); /* the head is a page now, not the THP */
	cr_assert_eq(b->free_pages, NPAGES - 510);
	for (u64 p = 1; p < 512; p++)
		if (p != 3)
			feed(&r, MME_PAGE_FREE, t + p, 0);
	cr_assert_eq(b->free_pages, NPAGES);
	cr_assert_eq(r.st.unmatched_frees, 0);
	cr_assert_eq(r.st.order_mismatches, 0);
	char msg[200];
	cr_assert_eq(buddy_check(b, msg, sizeof(msg)), 0, "%s", msg);
	pagereplay_fini(&r);
	zones_fini(&zs);
}

Test(pagereplay_split, pieces_free_their_pages_against_a_page_map)
{
	enum { NBLK = 24 };
	struct rng g;
	rng_seed(&g, 4242);
	for (int round = 0; round < 20; round++) {
		struct zones zs;
		struct pagereplay r;
		setup(&zs, &r);
		const struct buddy *b = &zs.zone[0].buddy;
		static unsigned char held[NBLK][512]; /* the reference: each traced page allocated? */
		unsigned ord[NBLK] = {0}, piece[NBLK] = {0};
		bool split[NBLK] = {false};
		bool live[NBLK] = {false};
		memset(held, 0, sizeof(held));
		u64 used = 0;
		for (int op = 0; op < 3000; op++) {
			unsigned k = (unsigned)rng_below(&g, NBLK);
			u64 t = 0x7000000 + (u64)k * 512;
			if (!live[k]) { /* allocate a block of a random order at the slot's base */
				ord[k] = (unsigned)rng_below(&g, 10);
				piece[k] = (unsigned)rng_below(&g, ord[k] + 1);
				split[k] = false;
				feed(&r, MME_PAGE_ALLOC, t, ord[k]);
				live[k] = true;
				memset(held[k], 1, 1u << ord[k]);
				used += 1u << ord[k];
			} else { /* free an aligned piece that is still allocated: the whole block, or a
				  * piece of the order it splits into (split_page, a THP split) */
				unsigned o = split[k] || rng_below(&g, 4) ? piece[k] : ord[k];
				u64 off = rng_below(&g, 1u << (ord[k] - o)) << o;
				bool whole = true;
				for (u64 p = off; p < off + (1u << o); p++)
					whole &= held[k][p] == 1;
				if (!whole) /* the kernel frees pieces it holds: pick another */
					continue;
				feed(&r, MME_PAGE_FREE, t + off, o);
				split[k] |= o < ord[k];
				memset(held[k] + off, 0, 1u << o);
				used -= 1u << o;
				bool any = false;
				for (u64 p = 0; p < (1u << ord[k]); p++)
					any |= held[k][p];
				live[k] = any;
			}
			cr_assert_eq(b->free_pages, NPAGES - used, "round %d op %d", round, op);
		}
		cr_assert_eq(r.st.unmatched_frees, 0);
		cr_assert_gt(r.st.split_blocks, 0);
		char msg[200];
		cr_assert_eq(buddy_check(b, msg, sizeof(msg)), 0, "%s", msg);
		pagereplay_fini(&r);
		zones_fini(&zs);
	}
}
