/* Page tables against a slow reference (a hash map va -> pfn) on random map/unmap, for 2..5
 * levels; table pages counted against the buddy's own allocation counters and against the
 * number of distinct address prefixes the reference implies; -ENOMEM leaves nothing behind. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "core/phys/buddy.h"
#include "core/lib/hmap.h"
#include "core/kva/pgtable.h"
#include "core/lib/rng.h"

static void zone(struct buddy *b, u64 pages)
{
	struct buddy_cfg bc = {.base_pfn = 0x1000, .nr_pages = pages, .policy = buddy_policy_find("addr")};
	cr_assert_eq(buddy_init(b, &bc), 0);
}

static u64 buddy_held(const struct buddy *b)
{
	return b->st.allocs[0] - b->st.frees[0];
}

/* Table pages a tree holding exactly the reference's pages must have when empty tables are
 * always freed: the root plus one table per distinct prefix at each lower level. */
static u64 expected_tables(const struct hmap *ref, unsigned levels)
{
	u64 total = 1;
	for (unsigned l = 1; l < levels; l++) {
		struct hmap seen;
		cr_assert_eq(hmap_init(&seen, ref->count + 1), 0);
		unsigned shift = 12 + 9 * (levels - l); /* bits indexing levels >= l */
		u64 key;
		for (u64 pos = 0; hmap_next(ref, &pos, &key, NULL);)
			hmap_put(&seen, key >> shift, 0);
		total += seen.count;
		hmap_fini(&seen);
	}
	return total;
}

struct unmap_check {
	struct hmap *ref;
	u64 cover_mask;
	u64 calls;
	bool bad;
};

static void on_unmap(void *arg, u64 va, u64 pfn)
{
	struct unmap_check *c = arg;
	u64 want;
	if (!hmap_del(c->ref, va & c->cover_mask, &want) || want != pfn)
		c->bad = true;
	c->calls++;
}

/* Random addresses in a few clustered windows (dense, sparse, far apart, and kernel-high) so
 * that tables are shared, split across boundaries and aliased when levels < 5. */
static u64 random_va(struct rng *g)
{
	static const u64 base[] = {0x0, 0x7f0000000000ULL, 0xffffc90000000000ULL, 0x40000000ULL};
	u64 b = base[rng_below(g, 4)];
	switch (rng_below(g, 3)) {
	case 0:
		return b + (rng_below(g, 2048) << 12);
	case 1:
		return b + (rng_below(g, 1 << 20) << 12);
	default:
		return b + (rng_below(g, 1ULL << 27) << 12);
	}
}

static void random_run(unsigned levels, bool always_free, u64 seed)
{
	struct buddy b;
	zone(&b, 1 << 16);
	struct pgtable_stats st = {0};
	struct pgtable *pt;
	cr_assert_eq(pgtable_create(&pt, levels, &b, &st), 0);
	struct hmap ref;
	cr_assert_eq(hmap_init(&ref, 1024), 0);
	struct rng g;
	rng_seed(&g, seed);
	unsigned cover = 12 + 9 * levels;
	u64 cover_mask = cover >= 64 ? ~0ULL : (1ULL << cover) - 1;
	u64 pfns[64], set = 0, cleared = 0;
	for (int step = 0; step < 12000; step++) {
		u64 va = random_va(&g), key = va & cover_mask, have;
		unsigned op = (unsigned)rng_below(&g, 10);
		if (op < 3) {
			u64 pfn = rng_below(&g, 1ULL << 40);
			int err = pgtable_map(pt, va, pfn);
			if (hmap_get(&ref, key, &have)) {
				cr_assert_eq(err, -EEXIST);
			} else {
				cr_assert_eq(err, 0);
				hmap_put(&ref, key, pfn);
				set++;
			}
		} else if (op < 5) {
			u64 n = 1 + rng_below(&g, 64), done = 0, expect = 0;
			for (u64 k = 0; k < n; k++)
				pfns[k] = rng_below(&g, 1ULL << 40);
			while (expect < n && !hmap_get(&ref, (va + (expect << 12)) & cover_mask, &have))
				expect++;
			u64 tables = pgtable_nr_table_pages(pt), cleared_before = st.pte_clear;
			int err = pgtable_map_range(pt, va, pfns, n, &done);
			cr_assert_eq(err, expect == n ? 0 : -EEXIST, "levels %u step %d", levels, step);
			cr_assert_eq(done, expect);
			if (err) { /* undone: the tables and PTEs are as before */
				cr_assert_eq(pgtable_nr_table_pages(pt), tables);
				cr_assert_eq(st.pte_clear - cleared_before, done);
				cleared += done;
			} else {
				for (u64 k = 0; k < done; k++)
					hmap_put(&ref, (va + (k << 12)) & cover_mask, pfns[k]);
			}
			set += done;
		} else if (op < 8) {
			u64 n = 1 + rng_below(&g, op == 7 ? 4096 : 64);
			u64 before = ref.count, expect = 0;
			for (u64 k = 0; k < n; k++)
				expect += hmap_get(&ref, (va + (k << 12)) & cover_mask, &have);
			struct unmap_check c = {.ref = &ref, .cover_mask = cover_mask};
			bool ft = always_free || rng_below(&g, 2);
			u64 got = pgtable_unmap(pt, va, va + (n << 12), ft, on_unmap, &c);
			cr_assert(!c.bad, "unmap reported a page the reference does not hold");
			cr_assert_eq(got, expect);
			cr_assert_eq(c.calls, expect);
			cr_assert_eq(ref.count, before - expect);
			cleared += got;
		} else {
			i64 got = pgtable_lookup(pt, va);
			if (hmap_get(&ref, key, &have))
				cr_assert_eq(got, (i64)have);
			else
				cr_assert_eq(got, -1);
		}
		cr_assert_eq(pgtable_nr_table_pages(pt), buddy_held(&b));
		cr_assert_eq(st.pgtable_pages_alloc - st.pgtable_pages_free, buddy_held(&b));
		if (always_free && step % 997 == 0)
			cr_assert_eq(pgtable_nr_table_pages(pt), expected_tables(&ref, levels),
				     "levels %u step %d", levels, step);
	}
	cr_assert_eq(st.pte_set, set);
	cr_assert_eq(st.pte_clear, cleared);
	u64 sum = 0;
	for (unsigned l = 0; l < PGTABLE_MAX_LEVELS; l++)
		sum += st.walk_level[l];
	cr_assert_eq(sum, st.walk_entries);
	char msg[256];
	cr_assert_eq(buddy_check(&b, msg, sizeof(msg)), 0, "%s", msg);
	pgtable_destroy(pt);
	cr_assert_eq(buddy_held(&b), 0);
	cr_assert_eq(st.pgtable_pages_alloc, st.pgtable_pages_free);
	cr_assert_eq(b.free_pages, b.nr_pages);
	hmap_fini(&ref);
	buddy_fini(&b);
}

Test(pgtable, random_against_reference_all_levels)
{
	for (unsigned levels = 2; levels <= 5; levels++) {
		random_run(levels, false, 100 + levels);
		random_run(levels, true, 200 + levels);
	}
}

Test(pgtable, walk_counts_follow_the_tree_shape)
{
	struct buddy b;
	zone(&b, 1 << 12);
	for (unsigned levels = 2; levels <= 5; levels++) {
		struct pgtable_stats st = {0};
		struct pgtable *pt;
		cr_assert_eq(pgtable_create(&pt, levels, &b, &st), 0);
		/* one page: one entry per level, levels - 1 new tables below the root */
		cr_assert_eq(pgtable_map(pt, 0x200000ULL * 7, 42), 0);
		cr_assert_eq(st.walk_entries, levels);
		for (unsigned l = 0; l < levels; l++)
			cr_assert_eq(st.walk_level[l], 1);
		cr_assert_eq(pgtable_nr_table_pages(pt), levels);
		/* 1024 pages starting on a 2 MiB boundary: 1024 PTEs in two PTE tables */
		static u64 pfns[1024];
		for (int i = 0; i < 1024; i++)
			pfns[i] = (u64)i;
		struct pgtable_stats before = st;
		u64 va = 0x200000ULL * 16, done;
		cr_assert_eq(pgtable_map_range(pt, va, pfns, 1024, &done), 0);
		cr_assert_eq(done, 1024);
		cr_assert_eq(st.walk_level[levels - 1] - before.walk_level[levels - 1], 1024);
		cr_assert_eq(st.walk_level[levels - 2] - before.walk_level[levels - 2], 2);
		for (unsigned l = 0; l + 2 < levels; l++)
			cr_assert_eq(st.walk_level[l] - before.walk_level[l], 1);
		cr_assert_eq(pgtable_lookup(pt, va + 1000 * 4096ULL), 1000);
		/* unmapping everything with free_tables leaves only the root */
		cr_assert_eq(pgtable_unmap(pt, 0, 0, true, NULL, NULL), 1025);
		cr_assert_eq(pgtable_nr_table_pages(pt), 1);
		cr_assert_eq(st.pte_clear, 1025);
		pgtable_destroy(pt);
		cr_assert_eq(buddy_held(&b), 0);
	}
	buddy_fini(&b);
}

Test(pgtable, enomem_leaves_nothing_half_built)
{
	for (unsigned levels = 2; levels <= 5; levels++) {
		struct buddy b;
		zone(&b, 9);
		struct pgtable_stats st = {0};
		struct pgtable *pt;
		cr_assert_eq(pgtable_create(&pt, levels, &b, &st), 0);
		int err = 0;
		u64 k;
		/* pages 512 GiB apart need a full chain each (aliasing at low levels only adds EEXIST) */
		for (k = 1; k < 64 && !err; k++) {
			u64 free_before = b.free_pages, tables = pgtable_nr_table_pages(pt);
			u64 va = k * (1ULL << 39) + k * (1ULL << 30) + k * (1ULL << 21);
			err = pgtable_map(pt, va, k);
			if (err == -ENOMEM) {
				cr_assert_eq(b.free_pages, free_before);
				cr_assert_eq(pgtable_nr_table_pages(pt), tables);
				cr_assert_eq(pgtable_lookup(pt, va), -1);
				cr_assert_gt(st.alloc_failures, 0);
			} else if (err == -EEXIST) {
				err = 0;
			}
		}
		cr_assert_eq(err, -ENOMEM, "levels %u never ran out", levels);
		/* a range map that runs out leaves nothing: the pages it mapped are unmapped and
		 * the tables it made are freed; tables that existed stay */
		u64 unmapped = pgtable_unmap(pt, 0, 0, false, NULL, NULL); /* empty tables remain */
		cr_assert_gt(unmapped, 0);
		u64 free_before = b.free_pages, tables = pgtable_nr_table_pages(pt), done = 0;
		u64 cleared_before = st.pte_clear;
		static u64 pfns[1 << 14];
		/* starts in the (now empty) PTE table of the first page, then needs new tables */
		u64 va = (1ULL << 39) + (1ULL << 30) + (1ULL << 21);
		err = pgtable_map_range(pt, va, pfns, 1 << 14, &done);
		cr_assert_eq(err, -ENOMEM, "levels %u", levels);
		cr_assert_geq(done, 512);
		cr_assert_eq(st.pte_clear - cleared_before, done);
		cr_assert_eq(b.free_pages, free_before);
		cr_assert_eq(pgtable_nr_table_pages(pt), tables);
		cr_assert_eq(pgtable_lookup(pt, va), -1);
		cr_assert_eq(pgtable_unmap(pt, 0, 0, false, NULL, NULL), 0);
		char msg[256];
		cr_assert_eq(buddy_check(&b, msg, sizeof(msg)), 0, "%s", msg);
		pgtable_destroy(pt);
		cr_assert_eq(b.free_pages, b.nr_pages);
		buddy_fini(&b);
	}
	/* no page at all for the root */
	struct buddy b;
	zone(&b, 1);
	u64 pfn;
	cr_assert_eq(buddy_alloc(&b, 0, 0, &pfn), 0);
	struct pgtable_stats st = {0};
	struct pgtable *pt = NULL;
	cr_assert_eq(pgtable_create(&pt, 4, &b, &st), -ENOMEM);
	cr_assert_eq(pgtable_create(&pt, 1, &b, &st), -EINVAL);
	cr_assert_eq(pgtable_create(&pt, 6, &b, &st), -EINVAL);
	buddy_fini(&b);
}
