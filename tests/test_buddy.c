/* The buddy allocator: invariants after every operation of random stress, each placement
 * policy against the slow reference in buddy_ref.h, faithful placement, zone edge cases. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/phys/buddy.h"
#include "tests/buddy_ref.h"
#include "core/lib/rng.h"

struct live {
	u64 pfn;
	unsigned order;
};

static void assert_ok(const struct buddy *b, int step)
{
	char msg[256];
	int err = buddy_check(b, msg, sizeof(msg));
	cr_assert_eq(err, 0, "step %d: %s", step, msg);
}

static unsigned pick_order(struct rng *g, unsigned maxo)
{
	/* mostly small orders, like real traffic, with the odd large one */
	unsigned o = rng_below(g, 8) ? (unsigned)rng_below(g, 4) : (unsigned)rng_below(g, maxo + 1);
	return MM_MIN(o, maxo);
}

/* Random alloc/free/alloc_at against the reference; identical pfns, counts and indices.
 * alloc_pct of the operations allocate (45: the zone stays about half free). */
static void oracle_run_fill(const char *policy, int refpol, u64 base, u64 n, unsigned maxo, u64 seed,
			    int steps, unsigned alloc_pct, struct buddy_stats *st)
{
	struct buddy b;
	struct ref_buddy r;
	struct buddy_cfg cfg = {base, n, maxo, buddy_policy_find(policy)};
	cr_assert_not_null(cfg.policy);
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	ref_init(&r, base, n, maxo, refpol);
	struct live *live = malloc(sizeof(*live) * n);
	size_t nlive = 0;
	struct rng g;
	rng_seed(&g, seed);
	assert_ok(&b, -1);
	for (int step = 0; step < steps; step++) {
		u64 op = rng_below(&g, 100);
		if (op < alloc_pct || nlive == 0) {
			unsigned o = pick_order(&g, maxo);
			int mt = (int)rng_below(&g, MT_NR);
			u64 pfn = 0, rpfn = 0;
			int err = buddy_alloc(&b, o, mt, &pfn), rerr = ref_alloc(&r, o, mt, &rpfn);
			cr_assert_eq(err == 0, rerr == 0, "%s step %d: alloc order %u: model %d ref %d",
				     policy, step, o, err, rerr);
			if (!err) {
				cr_assert_eq(pfn, rpfn,
					     "%s step %d: order %u mt %d: model pfn %#llx, reference %#llx",
					     policy, step, o, mt, (unsigned long long)pfn,
					     (unsigned long long)rpfn);
				live[nlive++] = (struct live){pfn, o};
			}
		} else if (op < alloc_pct + 10) {
			/* faithful placement at a random aligned pfn */
			unsigned o = pick_order(&g, maxo);
			u64 pfn = (base + rng_below(&g, n)) & ~((1ULL << o) - 1);
			int mt = (int)rng_below(&g, MT_NR);
			int err = buddy_alloc_at(&b, pfn, o, mt);
			if (err == -ERANGE) {
				cr_assert(pfn < base || pfn + (1ULL << o) > base + n);
				continue;
			}
			int rerr = ref_alloc_at(&r, pfn, o, mt);
			cr_assert_eq(err == 0, rerr == 0, "%s step %d: alloc_at %#llx/%u: model %d ref %d",
				     policy, step, (unsigned long long)pfn, o, err, rerr);
			if (!err)
				live[nlive++] = (struct live){pfn, o};
		} else {
			size_t i = rng_below(&g, nlive);
			cr_assert_eq(buddy_free(&b, live[i].pfn, live[i].order), 0);
			ref_free(&r, live[i].pfn);
			live[i] = live[--nlive];
		}
		assert_ok(&b, step);
		for (unsigned o = 0; o <= maxo; o++)
			cr_assert_eq(b.nr_free[o], ref_free_pages(&r, o), "%s step %d: order %u free blocks",
				     policy, step, o);
	}
	if (st)
		*st = b.st;
	/* free everything: the zone must coalesce back to its initial shape */
	while (nlive) {
		nlive--;
		cr_assert_eq(buddy_free(&b, live[nlive].pfn, live[nlive].order), 0);
	}
	assert_ok(&b, steps);
	cr_assert_eq(b.free_pages, n);
	free(live);
	ref_fini(&r);
	buddy_fini(&b);
}

static void oracle_run(const char *policy, int refpol, u64 base, u64 n, unsigned maxo, u64 seed, int steps)
{
	oracle_run_fill(policy, refpol, base, n, maxo, seed, steps, 45, NULL);
}

Test(buddy, lifo_matches_reference)
{
	oracle_run("lifo", REF_LIFO, 0x100000, 3000, 10, 1, 6000);
	oracle_run("lifo", REF_LIFO, 0x12345, 777, 5, 2, 6000); /* unaligned base, odd size */
}

Test(buddy, addr_matches_reference)
{
	oracle_run("addr", REF_ADDR, 0x100000, 3000, 10, 3, 6000);
	oracle_run("addr", REF_ADDR, 0x12345, 777, 5, 4, 6000);
}

/* A zone kept nearly full: requests that their type's lists cannot serve claim pageblocks and,
 * failing that, steal the smallest block of another type (its remainders keep the block's type),
 * and merges across pageblocks of different types. */
Test(buddy, mobility_matches_reference_nearly_full)
{
	struct buddy_stats st;
	for (u64 seed = 11; seed < 15; seed++) {
		oracle_run_fill("mobility", REF_MOBILITY, 0x100000, 4096, 10, seed, 8000, 62, &st);
		cr_assert_gt(st.steals, st.claims, "seed %llu: steals without a claim must happen",
			     (unsigned long long)seed);
		cr_assert_gt(st.claims, 0);
	}
}

Test(buddy, mobility_matches_reference)
{
	oracle_run("mobility", REF_MOBILITY, 0x100000, 4096, 10, 5, 6000);
	oracle_run("mobility", REF_MOBILITY, 0x1ff, 2500, 10, 6, 6000); /* pageblocks cut by the zone */
}

Test(buddy, stress_invariants_large_zone)
{
	/* a larger zone with only the invariant check: pages conserved, blocks disjoint,
	 * buddies merged, counts equal a recount (buddy_check) */
	const char *pols[] = {"lifo", "addr", "mobility"};
	for (int p = 0; p < 3; p++) {
		struct buddy b;
		struct buddy_cfg cfg = {0x40000, 1 << 16, 10, buddy_policy_find(pols[p])};
		cr_assert_eq(buddy_init(&b, &cfg), 0);
		struct live *live = malloc(sizeof(*live) * (1 << 16));
		size_t nlive = 0;
		struct rng g;
		rng_seed(&g, 11 + (u64)p);
		u64 allocated = 0;
		for (int step = 0; step < 20000; step++) {
			if (rng_below(&g, 2) || !nlive) {
				unsigned o = pick_order(&g, 10);
				u64 pfn;
				if (!buddy_alloc(&b, o, (int)rng_below(&g, 3), &pfn)) {
					live[nlive++] = (struct live){pfn, o};
					allocated += 1ULL << o;
				}
			} else {
				size_t i = rng_below(&g, nlive);
				cr_assert_eq(buddy_free(&b, live[i].pfn, live[i].order), 0);
				allocated -= 1ULL << live[i].order;
				live[i] = live[--nlive];
			}
			cr_assert_eq(b.free_pages + allocated, b.nr_pages, "pages not conserved");
			if (step % 500 == 0)
				assert_ok(&b, step);
		}
		assert_ok(&b, 20000);
		free(live);
		buddy_fini(&b);
	}
}

Test(buddy, zone_shapes)
{
	struct buddy b;
	struct buddy_cfg cfg = {0, 1, 10, NULL};
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	cr_assert_eq(b.nr_free[0], 1);
	cr_assert_eq(buddy_largest_free_order(&b), 0);
	buddy_fini(&b);

	/* 1536 pages from pfn 0: one order-10 block and one order-9 block */
	cfg = (struct buddy_cfg){0, 1536, 10, NULL};
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	cr_assert_eq(b.nr_free[10], 1);
	cr_assert_eq(b.nr_free[9], 1);
	assert_ok(&b, 0);
	buddy_fini(&b);

	/* base 3, 5 pages: [3] order 0, [4..7] order 2 */
	cfg = (struct buddy_cfg){3, 5, 10, NULL};
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	cr_assert_eq(b.nr_free[0], 1);
	cr_assert_eq(b.nr_free[2], 1);
	u64 pfn;
	cr_assert_eq(buddy_alloc(&b, 3, 0, &pfn), -ENOMEM);
	cr_assert_eq(b.st.failures[3], 1);
	cr_assert_eq(buddy_alloc(&b, 11, 0, &pfn), -EINVAL);
	buddy_fini(&b);

	cfg = (struct buddy_cfg){0, (u64)BUDDY_MAX_FRAMES + 1, 10, NULL};
	cr_assert_eq(buddy_init(&b, &cfg), -E2BIG);
	cfg = (struct buddy_cfg){0, 16, 16, NULL};
	cr_assert_eq(buddy_init(&b, &cfg), -EINVAL);
}

Test(buddy, lifo_reuses_last_freed)
{
	struct buddy b;
	struct buddy_cfg cfg = {0, 1024, 10, NULL};
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	u64 a, c, d;
	cr_assert_eq(buddy_alloc(&b, 0, 0, &a), 0);
	cr_assert_eq(a, 0); /* the lowest block is at the head after boot */
	cr_assert_eq(b.st.splits, 10);
	cr_assert_eq(buddy_alloc(&b, 0, 0, &c), 0);
	cr_assert_eq(c, 1); /* the buddy freed by the split was pushed last */
	cr_assert_eq(buddy_alloc(&b, 0, 0, &d), 0);
	cr_assert_eq(buddy_free(&b, c, 0), 0); /* c's buddy a is allocated: no merge */
	cr_assert_eq(b.st.merges, 0);
	u64 e;
	cr_assert_eq(buddy_alloc(&b, 0, 0, &e), 0);
	cr_assert_eq(e, c); /* LIFO: the page just freed comes back first */
	cr_assert_eq(buddy_free(&b, a, 0), 0);
	cr_assert_eq(buddy_free(&b, e, 0), 0);
	cr_assert_eq(buddy_free(&b, d, 0), 0);
	cr_assert_eq(b.nr_free[10], 1); /* everything merged back */
	/* e merges with a (1); d merges with 3, then at orders 1..9 up to the 1024 block (10) */
	cr_assert_eq(b.st.merges, 11);
	buddy_fini(&b);
}

Test(buddy, bad_frees_are_counted)
{
	struct buddy b;
	struct buddy_cfg cfg = {100, 64, 6, NULL};
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	u64 pfn;
	cr_assert_eq(buddy_alloc(&b, 1, 0, &pfn), 0);
	cr_assert_eq(buddy_free(&b, pfn, 0), -EINVAL);	   /* wrong order */
	cr_assert_eq(buddy_free(&b, pfn + 1, 0), -EINVAL); /* not a head */
	cr_assert_eq(buddy_free(&b, 5, 0), -EINVAL);	   /* outside the zone */
	cr_assert_eq(buddy_free(&b, pfn, 1), 0);
	cr_assert_eq(buddy_free(&b, pfn, 1), -EINVAL); /* double free */
	cr_assert_eq(b.st.bad_frees, 4);
	assert_ok(&b, 0);
	buddy_fini(&b);
}

Test(buddy, faithful_conflicts)
{
	struct buddy b;
	struct buddy_cfg cfg = {0, 1024, 10, NULL};
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	cr_assert_eq(buddy_alloc_at(&b, 517, 0, 1), 0);
	cr_assert_eq(b.st.splits, 10);
	cr_assert_eq(buddy_alloc_at(&b, 517, 0, 1), -EBUSY);
	cr_assert_eq(buddy_alloc_at(&b, 516, 2, 1), -EBUSY); /* overlaps 517 */
	cr_assert_eq(buddy_alloc_at(&b, 518, 1, 1), 0);	     /* its free neighbour */
	cr_assert_eq(buddy_alloc_at(&b, 1, 1, 1), -EINVAL);  /* misaligned for order 1 */
	cr_assert_eq(buddy_alloc_at(&b, 1023, 1, 1), -ERANGE);
	cr_assert_eq(b.st.conflicts, 2);
	assert_ok(&b, 0);
	buddy_fini(&b);
}

Test(buddy, mobility_groups_and_steals)
{
	struct buddy b;
	/* 4 pageblocks, all movable at boot */
	struct buddy_cfg cfg = {0, 2048, 10, buddy_policy_find("mobility")};
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	u64 m, u, u2;
	cr_assert_eq(buddy_alloc(&b, 0, MT_MOVABLE, &m), 0);
	cr_assert_eq(b.st.steals, 0);
	/* an unmovable request must steal: the largest block (order 10 = 2 pageblocks) is
	 * claimed whole for unmovable */
	cr_assert_eq(buddy_alloc(&b, 0, MT_UNMOVABLE, &u), 0);
	cr_assert_eq(b.st.steals, 1);
	cr_assert_eq(b.st.claims, 2);
	cr_assert_eq(b.pageblock_mt[buddy_pageblock(&b, u)], MT_UNMOVABLE);
	cr_assert_neq(buddy_pageblock(&b, u), buddy_pageblock(&b, m)); /* kept apart from movable */
	/* the next unmovable request is served from its own type's lists */
	cr_assert_eq(buddy_alloc(&b, 0, MT_UNMOVABLE, &u2), 0);
	cr_assert_eq(b.st.steals, 1);
	cr_assert_eq(buddy_pageblock(&b, u2), buddy_pageblock(&b, u));
	cr_assert_eq(buddy_mixed_pageblocks(&b), 0);
	char msg[200];
	cr_assert_eq(buddy_check(&b, msg, sizeof(msg)), 0, "%s", msg);
	buddy_fini(&b);
}

/* Does the free list of order `order` and type `list` hold the block at pfn? */
static bool on_list(const struct buddy *b, unsigned order, unsigned list, u64 pfn)
{
	for (u32 i = b->head[order][list]; i != BUDDY_NIL; i = buddy_frame_next(b, i))
		if (b->base_pfn + i == pfn)
			return true;
	return false;
}

/* A seeded machine's pageblock types are the seed's guesses until the trace shows the kernel's:
 * a revealed type moves the pageblock's free blocks to its lists, once; a pageblock the model
 * claimed itself keeps the model's type. */
Test(buddy, pageblock_reveal)
{
	struct buddy b;
	struct buddy_cfg cfg = {0, 2048, 10, buddy_policy_find("mobility")};
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	for (u64 p = 0; p < 2048; p++)
		cr_assert_eq(buddy_alloc_at(&b, p, 0, MT_MOVABLE), 0);
	cr_assert_eq(buddy_free(&b, 600, 0), 0);
	cr_assert_eq(buddy_free(&b, 602, 0), 0);
	cr_assert_eq(buddy_free(&b, 1500, 0), 0);
	for (u64 p = 1536; p < 2048; p++)
		cr_assert_eq(buddy_free(&b, p, 0), 0); /* pageblock 3 free whole: one order-9 block */
	/* the seed guessed pageblock 1 unmovable (its free pages on the unmovable list) */
	b.pageblock_mt[1] = MT_UNMOVABLE;
	buddy_unlink(&b, 600);
	buddy_unlink(&b, 602);
	buddy_link(&b, 600, 0, MT_UNMOVABLE);
	buddy_link(&b, 602, 0, MT_UNMOVABLE);
	b.pageblock_guess = malloc(buddy_nr_pageblocks(&b));
	memset(b.pageblock_guess, 1, buddy_nr_pageblocks(&b));

	cr_assert(buddy_pageblock_reveal(&b, 700, MT_MOVABLE)); /* a drain there: movable */
	cr_assert_eq(b.pageblock_mt[1], MT_MOVABLE);
	cr_assert(on_list(&b, 0, MT_MOVABLE, 600) && on_list(&b, 0, MT_MOVABLE, 602));
	cr_assert_eq(b.head[0][MT_UNMOVABLE], BUDDY_NIL);
	cr_assert_eq(b.st.pb_revealed, 1);
	cr_assert_eq(b.st.pb_retyped, 1);
	cr_assert_not(buddy_pageblock_reveal(&b, 600, MT_UNMOVABLE)); /* known now: stays */
	cr_assert_eq(b.pageblock_mt[1], MT_MOVABLE);
	cr_assert_not(buddy_pageblock_reveal(&b, 1500, MT_MOVABLE)); /* the guess was right */
	cr_assert_eq(b.st.pb_revealed, 2);
	cr_assert_eq(b.st.pb_retyped, 1);

	/* an unmovable request claims the free pageblock 3: the model's decision, kept */
	u64 u;
	cr_assert_eq(buddy_alloc(&b, 0, MT_UNMOVABLE, &u), 0);
	cr_assert_eq(buddy_pageblock(&b, u), 3);
	cr_assert_eq(b.pageblock_mt[3], MT_UNMOVABLE);
	cr_assert_not(buddy_pageblock_reveal(&b, 1600, MT_MOVABLE));
	cr_assert_eq(b.pageblock_mt[3], MT_UNMOVABLE);
	cr_assert_eq(b.st.pb_revealed, 2);
	/* outside the zone, or a type the lists do not keep (highatomic): nothing */
	cr_assert_not(buddy_pageblock_reveal(&b, 4096, MT_MOVABLE));
	cr_assert_not(buddy_pageblock_reveal(&b, 100, 3));
	char msg[200];
	cr_assert_eq(buddy_check(&b, msg, sizeof(msg)), 0, "%s", msg);
	buddy_fini(&b);
}
