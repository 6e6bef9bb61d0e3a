/* How good buddy mode's guesses of compaction's fast free search are (compact_held): whether a
 * page lies in a free block, against a slow page map built from the free blocks, on random
 * zones; and the counts a run's given-back pieces make of its guesses. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/lib/rng.h"
#include "core/phys/compact_held.h"

#define BASE 0x100000ULL
#define PAGES 4096u

static void zone_init(struct buddy *b)
{
	struct buddy_cfg c = {.base_pfn = BASE, .nr_pages = PAGES, .max_order = 10};
	cr_assert_eq(buddy_init(b, &c), 0);
}

Test(compact_held, free_end_against_a_page_map)
{
	struct rng r;
	rng_seed(&r, 22);
	static u64 held[PAGES], nheld;
	static unsigned hord[PAGES];
	for (int round = 0; round < 20; round++) {
		struct buddy b;
		zone_init(&b);
		nheld = 0;
		for (int k = 0; k < 600; k++) { /* random allocations and frees */
			if (nheld && rng_below(&r, 3) == 0) {
				u64 i = rng_below(&r, nheld);
				cr_assert_eq(buddy_free(&b, held[i], hord[i]), 0);
				held[i] = held[--nheld];
				hord[i] = hord[nheld];
			} else {
				unsigned o = (unsigned)rng_below(&r, 5);
				u64 pfn;
				if (!buddy_alloc(&b, o, MT_MOVABLE, &pfn)) {
					held[nheld] = pfn;
					hord[nheld++] = o;
				}
			}
		}
		static u64 end[PAGES]; /* the slow way: each free block marks its pages */
		for (u32 i = 0; i < PAGES; i++)
			end[i] = 0;
		for (u32 i = 0; i < PAGES; i++)
			if (buddy_frame_is_free(&b, i))
				for (u32 j = i; j < i + (1u << buddy_frame_order(&b, i)); j++)
					end[j] = BASE + i + (1u << buddy_frame_order(&b, i));
		for (u32 i = 0; i < PAGES; i++)
			cr_assert_eq(compact_held_free_end(&b, BASE + i), end[i], "page %u", i);
		cr_assert_eq(compact_held_free_end(&b, BASE - 1), 0, "below the zone");
		cr_assert_eq(compact_held_free_end(&b, BASE + PAGES), 0, "above it");
		buddy_fini(&b);
	}
}

/* The model's guess of an isolation: its pages taken as order-0 blocks, as compact_take does. */
static void guess(struct buddy *b, struct compact_held *h, u32 pid, u64 pfn, unsigned order)
{
	for (u64 p = pfn; p < pfn + (1ULL << order); p++)
		cr_assert_eq(buddy_alloc_at(b, p, 0, MT_MOVABLE), 0);
	compact_held_add(h, pid, pfn, order);
}

Test(compact_held, pieces_given_back_confirm_or_contradict_the_guesses)
{
	struct buddy b;
	zone_init(&b);
	struct compact_held h = {0};
	compact_held_begin(&h, 7);
	guess(&b, &h, 7, BASE + 0x100, 4);
	guess(&b, &h, 7, BASE + 0x200, 4);
	guess(&b, &h, 7, BASE + 0x300, 4);
	u64 src;
	cr_assert_eq(buddy_alloc_at(&b, BASE + 0x400, 0, MT_MOVABLE), 0); /* a migration's source */
	src = BASE + 0x400;
	compact_held_free(&h, &b, 7, src, 0);
	cr_assert_eq(h.confirmed_pages + h.contradicted_pages, 0, "a page in use: no piece");
	compact_held_free(&h, &b, 8, BASE + 0x108, 3);
	cr_assert_eq(h.confirmed_pages, 0, "another task's free names nothing");
	compact_held_free(&h, &b, 7, BASE + 0x108, 3); /* the rest of the first guess comes back */
	cr_assert_eq(h.confirmed_pages, 16);
	compact_held_free(&h, &b, 7, BASE + 0x10c, 2);
	cr_assert_eq(h.confirmed_pages, 16, "a guess is confirmed once");
	/* a piece the model has free: the kernel's order-4 block was at 0x500, not a guess */
	compact_held_free(&h, &b, 7, BASE + 0x508, 3);
	cr_assert_eq(h.contradicted_pages, 16);
	compact_held_free(&h, &b, 7, BASE + 0x608, 3);
	cr_assert_eq(h.contradicted_pages, 32, "the second unnamed guess of that order");
	compact_held_free(&h, &b, 7, BASE + 0x708, 3);
	cr_assert_eq(h.contradicted_pages, 32, "no unnamed guess left to contradict");
	compact_held_end(&h, 7);
	cr_assert_eq(h.unnamed_pages, 0, "every guess was named");
	compact_held_begin(&h, 7);
	guess(&b, &h, 7, BASE + 0x800, 5);
	compact_held_free(&h, &b, 7, BASE + 0xa00, 6); /* a larger piece than the guess: no */
	cr_assert_eq(h.contradicted_pages, 32);
	compact_held_begin(&h, 7); /* a new run ends the old one: its guess was never named */
	cr_assert_eq(h.unnamed_pages, 32);
	compact_held_end(&h, 7);
	cr_assert_eq(h.unnamed_pages, 32, "an empty run adds nothing");
	for (u32 pid = 0; pid < COMPACT_HELD_RUNS + 2; pid++) { /* more runs than slots */
		compact_held_begin(&h, 100 + pid);
		compact_held_add(&h, 100 + pid, BASE + 0xc00, 0);
	}
	cr_assert_eq(h.unnamed_pages, 34, "the two oldest runs' guesses stay unnamed");
	buddy_fini(&b);
}

/* The pages in doubt stay within doubt_max however many guesses go unconfirmed: the oldest go
 * first, and a confirmed guess never enters. */
Test(compact_held, doubt_is_bounded_oldest_first)
{
	struct compact_held h = {0};
	struct migpend d = {0};
	h.doubt = &d;
	h.doubt_max = 6;
	compact_held_begin(&h, 1);
	compact_held_add(&h, 1, BASE, 2);      /* 4 pages, oldest */
	compact_held_add(&h, 1, BASE + 64, 2); /* 4 more */
	compact_held_add(&h, 1, BASE + 128, 1);
	struct buddy b;
	zone_init(&b);
	compact_held_free(&h, &b, 1, BASE + 129, 0); /* a piece inside the last: confirmed */
	compact_held_end(&h, 1);
	cr_assert_eq(d.n, 6);
	u64 pfn;
	cr_assert(migpend_pop(&d, 0, &pfn));
	cr_assert_eq(pfn, BASE + 2, "the two oldest pages went first");
	for (unsigned i = 1; i < 6; i++)
		cr_assert(migpend_pop(&d, 0, &pfn));
	cr_assert_eq(pfn, BASE + 67, "the confirmed guess never entered");
	buddy_fini(&b);
	migpend_fini(&d);
}
