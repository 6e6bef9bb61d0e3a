/* The list and rbtree vmlists (spans underneath, chunks passed whole) against their node-by-node
 * originals in vmlist_walk_ref.h on random workloads with thousands of live areas: every
 * request must return the same code and address, and every counter (visits, alloc_visits, ...)
 * must match after every operation, with and without the cached hole. */
#include <criterion/criterion.h>

#include "core/lib/rng.h"
#include "tests/vmlist_walk_ref.h"

#define PG MM_PAGE_SIZE

struct pair {
	struct vmlist fast, ref;
};

static void pair_init(struct pair *p, const char *name, const struct vmlist_ops *ref, u64 vstart, u64 vend,
		      bool cached_hole)
{
	struct vmlist_cfg cfg = {.vstart = vstart, .vend = vend, .cached_hole = cached_hole};
	cr_assert_eq(vmlist_init(&p->fast, vmlist_find(name), &cfg), 0);
	cr_assert_eq(vmlist_init(&p->ref, ref, &cfg), 0);
}

static void pair_same(const struct pair *p, long step)
{
	cr_assert_eq(memcmp(&p->fast.st, &p->ref.st, sizeof(p->fast.st)), 0,
		     "%s step %ld: visits %llu vs reference %llu, alloc_visits %llu vs %llu",
		     p->fast.ops->name, step, (unsigned long long)p->fast.st.visits,
		     (unsigned long long)p->ref.st.visits, (unsigned long long)p->fast.st.alloc_visits,
		     (unsigned long long)p->ref.st.alloc_visits);
}

/* Mostly 1..4 pages (thread stacks and small buffers), sometimes large. */
static u64 rand_size(struct rng *g)
{
	u64 k = rng_below(g, 100);
	if (k < 80)
		return (1 + rng_below(g, 4)) * PG;
	if (k < 97)
		return (1 + rng_below(g, 64)) * PG;
	return (1 + rng_below(g, 4096)) * PG;
}

static u64 rand_align(struct rng *g)
{
	u64 k = rng_below(g, 100);
	if (k < 75)
		return PG;
	if (k < 97)
		return PG << rng_below(g, 5);
	return PG << rng_below(g, 20);
}

/* Random allocs and frees over [base, base + pages * PG) with live areas swinging between
 * none and max_live; a share of requests narrows [vstart, vend) so walks end at vend. */
static void walk_workload(const char *name, const struct vmlist_ops *ref, bool cached_hole, u64 seed,
			  u64 base, u64 pages, long steps, u64 max_live)
{
	static u64 live[16384];
	u64 nlive = 0, peak = 0;
	struct pair p;
	struct rng g;
	cr_assert_leq(max_live, sizeof(live) / sizeof(live[0]));
	rng_seed(&g, seed);
	u64 vend = base + pages * PG;
	pair_init(&p, name, ref, base, vend, cached_hole);
	for (long step = 0; step < steps; step++) {
		bool filling = (step / 3000) % 3 != 2 && nlive < max_live;
		u64 k = rng_below(&g, 100);
		if (nlive && (k < (filling ? 30u : 75u))) {
			u64 i = rng_below(&g, nlive), sf = 0, sr = 0;
			int rf = vmlist_free(&p.fast, live[i], &sf), rr = vmlist_free(&p.ref, live[i], &sr);
			cr_assert_eq(rf, 0);
			cr_assert_eq(rr, 0);
			cr_assert_eq(sf, sr);
			live[i] = live[--nlive];
		} else if (k < 97) {
			u64 size = rand_size(&g), align = rand_align(&g), vs = base, ve = vend;
			u64 shape = rng_below(&g, 10);
			if (shape == 0)
				ve = base + rng_below(&g, pages + 1) * PG; /* often too low: fails mid-walk */
			else if (shape == 1)
				vs = base + rng_below(&g, pages) * PG;
			else if (shape == 2 && nlive)
				vs = live[rng_below(&g, nlive)] - PG * rng_below(&g, 3);
			u64 af = 0, ar = 0;
			int rf = vmlist_alloc(&p.fast, size, align, vs, ve, &af);
			int rr = vmlist_alloc(&p.ref, size, align, vs, ve, &ar);
			cr_assert_eq(rf, rr, "%s step %ld: %d vs reference %d", name, step, rf, rr);
			if (!rf) {
				cr_assert_eq(af, ar, "%s step %ld: %#llx vs reference %#llx", name, step,
					     (unsigned long long)af, (unsigned long long)ar);
				if (nlive < sizeof(live) / sizeof(live[0]))
					live[nlive++] = af;
				else
					cr_assert_eq(vmlist_free(&p.fast, af, NULL),
						     vmlist_free(&p.ref, af, NULL));
			}
		} else {
			/* an unknown address: the whole list (list) or a failed descent (rbtree) */
			u64 a = base + rng_below(&g, pages) * PG;
			for (u64 i = 0; i < nlive; i++)
				if (live[i] == a)
					a += PG / 2; /* a live one: misaligned instead */
			cr_assert_eq(vmlist_free(&p.fast, a, NULL), vmlist_free(&p.ref, a, NULL));
		}
		peak = MM_MAX(peak, nlive);
		pair_same(&p, step);
		if (step % 997 == 0) {
			cr_assert_eq(vmlist_check(&p.fast), 0, "%s step %ld", name, step);
			cr_assert_eq(vmlist_check(&p.ref), 0);
		}
	}
	cr_assert_eq(vmlist_check(&p.fast), 0);
	cr_assert_gt(p.fast.st.allocs, (u64)steps / 4, "the workload must allocate");
	cr_assert_gt(p.fast.st.failures, 0, "the workload must reach failing requests");
	cr_assert_geq(peak, max_live / 2, "%s: %llu live at most, the walks must span many chunks", name,
		      (unsigned long long)peak);
	vmlist_fini(&p.fast);
	vmlist_fini(&p.ref);
}

Test(vmlist_walk, list_matches_node_walk)
{
	for (u64 seed = 1; seed <= 3; seed++)
		walk_workload("list", &wref_list_ops, false, seed, 0xffffc90000000000ULL, 1 << 16, 12000,
			      3000);
}

Test(vmlist_walk, rbtree_matches_node_walk)
{
	for (u64 seed = 1; seed <= 3; seed++)
		walk_workload("rbtree", &wref_rbtree_ops, false, seed, 0xffffc90000000000ULL, 1 << 16, 12000,
			      3000);
}

Test(vmlist_walk, rbtree_cached_hole_matches_node_walk)
{
	for (u64 seed = 1; seed <= 3; seed++)
		walk_workload("rbtree", &wref_rbtree_ops, true, seed, 0xffffc90000000000ULL, 1 << 16, 12000,
			      3000);
}

/* A small space ending at the top of the 64-bit range: aligned candidates wrap past 2^64. */
Test(vmlist_walk, top_of_space_matches_node_walk)
{
	u64 base = 0ULL - (1ULL << 12 << 12);
	walk_workload("list", &wref_list_ops, false, 7, base, 4095, 8000, 1500);
	walk_workload("rbtree", &wref_rbtree_ops, false, 7, base, 4095, 8000, 1500);
	walk_workload("rbtree", &wref_rbtree_ops, true, 7, base, 4095, 8000, 1500);
}
