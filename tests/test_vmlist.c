/* The lowest-fit vmlist variants (vmlist_variants[], lowest_fit) against the reference of
 * vmlist_ref.h on random workloads: every request must get the same answer from all of them,
 * every invariant check must pass after every operation, and the shared counters must match. */
#include <criterion/criterion.h>

#include "core/lib/rng.h"
#include "tests/vmlist_ref.h"

/* Mostly page alignment, sometimes larger, now and then larger than the whole space. */
static u64 rand_align(struct rng *g)
{
	u64 k = rng_below(g, 100);
	if (k < 60)
		return PG;
	if (k < 90)
		return PG << rng_below(g, 6);
	if (k < 98)
		return PG << rng_below(g, 16);
	return 1ULL << (12 + rng_below(g, 52)); /* up to 2^63 */
}

static void random_workload(u64 seed, u64 base, u64 space_pages, u64 space_vend, long steps)
{
	static struct ref r;
	struct insts in;
	struct rng g;
	rng_seed(&g, seed);
	ref_init(&r, base, space_vend);
	insts_init(&in, base, space_vend);
	u64 last_freed = base, addr;
	for (long step = 0; step < steps; step++) {
		u64 k = rng_below(&g, 100);
		/* Bias towards allocation in bursts so the space fills up and requests fail. */
		bool alloc_phase = (step / 2000) % 2 == 0;
		if (k < (alloc_phase ? 70u : 40u)) {
			u64 size = (1 + (rng_below(&g, 4) ? rng_below(&g, 8) : rng_below(&g, 100))) * PG;
			u64 align = rand_align(&g), vs = 0, ve = ~0ULL;
			u64 shape = rng_below(&g, 10);
			if (shape < 3) { /* exactly the space */
				vs = base;
				ve = space_vend;
			} else if (shape < 8) { /* a random window, maybe partly outside, maybe unaligned */
				vs = base + rng_below(&g, space_pages + 8) * PG - 4 * PG;
				ve = vs + (1 + rng_below(&g, space_pages)) * PG;
				if (ve < vs)
					ve = ~0ULL;
				if (rng_below(&g, 8) == 0)
					vs += rng_below(&g, PG);
				if (rng_below(&g, 8) == 0)
					ve -= rng_below(&g, PG);
			} else if (shape == 8) { /* the window of an exact size */
				vs = base + rng_below(&g, space_pages) * PG;
				ve = vs + size;
			} /* else the whole 64-bit range */
			if (rng_below(&g, 200) == 0)
				size = rng_below(&g, 2) ? 0 : size + 1; /* invalid sizes */
			if (rng_below(&g, 200) == 0)
				align = 3 * PG; /* not a power of two */
			all_alloc(&in, &r, size, align, vs, ve, &addr, step);
		} else if (k < 95) {
			if (r.n) {
				u64 a = r.start[rng_below(&g, (u64)r.n)];
				cr_assert_eq(all_free(&in, &r, a, step), 0);
				last_freed = a;
			}
		} else { /* bad frees: double, misaligned, inside an area, outside the space */
			u64 kind = rng_below(&g, 4);
			u64 a = kind == 0	   ? last_freed
				: kind == 1	   ? base + rng_below(&g, space_pages * PG)
				: kind == 2 && r.n ? r.start[rng_below(&g, (u64)r.n)] + 1
						   : base - PG;
			all_free(&in, &r, a, step);
		}
		insts_check(&in, &r, step);
	}
	/* Some of everything happened. */
	cr_assert_gt(r.failures, 0);
	cr_assert_gt(r.frees, 0);
	cr_assert_gt(r.bad_frees, 0);
	cr_assert_gt(r.invalid, 0);
	/* Every variant that classifies fits (a free tree) saw each fit type and merged. */
	int classifying = 0;
	for (int i = 0; i < in.n; i++) {
		const struct vmlist_stats *st = &in.v[i].st;
		if (!(st->splits[0] | st->splits[1] | st->splits[2] | st->splits[3]))
			continue;
		classifying++;
		for (int t = 0; t < 4; t++)
			cr_assert_gt(st->splits[t], 0, "%s: fit type %d never seen", in.label[i], t);
		cr_assert_gt(st->merges, 0, "%s", in.label[i]);
	}
	cr_assert_gt(classifying, 0);
	/* Free everything: each variant is back to an empty space. */
	while (r.n)
		all_free(&in, &r, r.start[r.n - 1], steps);
	insts_check(&in, &r, steps);
	cr_assert_eq(all_alloc(&in, &r, (r.vend - base), PG, 0, ~0ULL, &addr, steps), 0);
	cr_assert_eq(addr, base);
	insts_fini(&in);
}

Test(vmlist, random_against_reference)
{
	random_workload(1, 0xffffc90000000000ULL, 2048, 0xffffc90000000000ULL + 2048 * PG, 15000);
}

Test(vmlist, random_against_reference_small_space)
{
	random_workload(2, 0xffffc90000000000ULL, 300, 0xffffc90000000000ULL + 300 * PG, 15000);
}

Test(vmlist, random_against_reference_top_of_address_space)
{
	/* The space ends at the last page below 2^64: every candidate address is near overflow. */
	random_workload(3, 0ULL - 1024 * PG, 1023, ~0ULL, 15000);
}

Test(vmlist, random_against_reference_unaligned_base)
{
	/* A base aligned only to 4 KiB, so large alignments land in the middle of the space. */
	random_workload(4, 0x1000ULL * 12345, 4096, 0x1000ULL * (12345 + 4096), 15000);
}
