/* The persistent kmap pool: hand-worked LAST_PKMAP = 4 cases, one TLB flush per wrap, and the
 * pool against a slow reference that transliterates mm/highmem.c's loops over plain arrays
 * (linear page lookup, the kernel's step-by-step scan with its `count` budget). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "core/kva/pkmap.h"
#include "core/lib/rng.h"

static void pk_ok(const struct pkmap *pk)
{
	char msg[200];
	cr_assert_eq(pkmap_check(pk, msg, sizeof(msg)), 0, "%s", msg);
}

static void pk_new(struct pkmap *pk, u32 slots, u64 highmem)
{
	struct pkmap_cfg c = {.nr_slots = slots, .highmem_start_pfn = highmem};
	cr_assert_eq(pkmap_init(pk, &c), 0);
}

static u32 kmap_slot(struct pkmap *pk, u64 pfn)
{
	u32 s = 12345;
	cr_assert_eq(pkmap_kmap(pk, pfn, &s), 0, "kmap %#llx", (unsigned long long)pfn);
	pk_ok(pk);
	return s;
}

/* Worked by hand from map_new_virtual(): the scan starts after last_pkmap_nr (0 at boot), so
 * the first page gets slot 1; landing on slot 0 calls flush_all_zero_pkmaps(). */
Test(pkmap, hand_worked_four_slots)
{
	struct pkmap pk;
	pk_new(&pk, 4, 0x1000);
	const u64 H1 = 0x1001, H2 = 0x1002, H3 = 0x1003, H4 = 0x1004, H5 = 0x1005;
	cr_assert_eq(kmap_slot(&pk, H1), 1);
	cr_assert_eq(pk.count[1], 2);
	cr_assert_eq(kmap_slot(&pk, H1), 1, "a mapped page reuses its slot");
	cr_assert_eq(pk.count[1], 3);
	cr_assert_eq(pkmap_kunmap(&pk, H1), 0);
	cr_assert_eq(pkmap_kunmap(&pk, H1), 0);
	cr_assert_eq(pk.count[1], 1, "unmapped, but its TLB entry may live: not yet free");
	cr_assert_eq(kmap_slot(&pk, H1), 1, "count 1 still holds the page's address: a hit");
	cr_assert_eq(pkmap_kunmap(&pk, H1), 0);
	cr_assert_eq(kmap_slot(&pk, H2), 2);
	cr_assert_eq(kmap_slot(&pk, H3), 3);
	cr_assert_eq(pk.st.wraps, 0);
	/* the scan steps 3 -> 0: wrap, flush frees slot 1 (H1 at count 1), slot 0 is free */
	cr_assert_eq(kmap_slot(&pk, H4), 0);
	cr_assert_eq(pk.st.wraps, 1);
	cr_assert_eq(pk.st.tlb_flushes, 1);
	cr_assert_eq(pk.st.slots_flushed, 1);
	cr_assert_eq(pkmap_slot_of(&pk, H1), PKMAP_NO_SLOT, "the flush took H1's address away");
	cr_assert_eq(kmap_slot(&pk, H1), 1, "H1 maps anew, into the next free slot");
	/* all four slots at count 2: the kernel would sleep */
	u32 s;
	cr_assert_eq(pkmap_kmap(&pk, H5, &s), -EAGAIN);
	cr_assert_eq(s, PKMAP_NO_SLOT);
	cr_assert_eq(pk.st.waits, 1);
	cr_assert_eq(pk.st.wraps, 2, "the failed scan passed slot 0 once");
	cr_assert_eq(pk.st.tlb_flushes, 1, "and freed nothing, so flushed nothing");
	cr_assert_eq(pk.last, 3);
	pk_ok(&pk);
	cr_assert_eq(pkmap_kunmap(&pk, H2), 0);
	/* 3 -> 0 wraps again; the flush frees slot 2, slots 0 and 1 are busy */
	cr_assert_eq(kmap_slot(&pk, H5), 2);
	cr_assert_eq(pk.st.wraps, 3);
	cr_assert_eq(pk.st.tlb_flushes, 2);
	cr_assert_eq(pkmap_kunmap(&pk, H5), 0);
	cr_assert_eq(pkmap_kunmap(&pk, H5), 0, "the kunmap of the kmap that waited");
	cr_assert_eq(pk.st.kunmap_waited, 1);
	cr_assert_eq(pkmap_kunmap(&pk, H5), -EINVAL, "one kunmap too many");
	cr_assert_eq(pkmap_kunmap(&pk, 0x9999), -EINVAL, "never mapped");
	cr_assert_eq(pk.st.bad_kunmaps, 2);
	cr_assert_eq(kmap_slot(&pk, 0x10), PKMAP_NO_SLOT, "low memory needs no slot");
	cr_assert_eq(pkmap_kunmap(&pk, 0x10), 0);
	/* kmaps: H1 x3, H2, H3, H4, H1, H5 x2, low = 10 */
	cr_assert_eq(pk.st.kmaps, 10);
	cr_assert_eq(pk.st.kmap_hits, 2);
	cr_assert_eq(pk.st.new_maps, 6);
	cr_assert_eq(pk.st.kmap_lowmem, 1);
	cr_assert_eq(pk.st.kmaps, pk.st.kmap_hits + pk.st.new_maps + pk.st.waits + pk.st.kmap_lowmem);
	/* kunmaps: H1 x3, H2, H5 x3, 0x9999, low = 9 */
	cr_assert_eq(pk.st.kunmaps, 9);
	cr_assert_eq(pk.st.kunmap_lowmem, 1);
	pkmap_fini(&pk);
}

/* A file copy: K distinct highmem pages, each kmapped and kunmapped once. Page i (1-based)
 * lands in slot i mod N, so the scan lands on slot 0 at pages N, 2N, ...: floor(K / N) wraps,
 * each flushing once: N - 1 stale slots the first time (slot 0 was never used), N after. */
Test(pkmap, file_copy_flushes_once_per_wrap)
{
	static const u32 slots[] = {1, 2, 4, 7, 64, 1024};
	for (size_t k = 0; k < MM_ARRAY_SIZE(slots); k++) {
		u32 n = slots[k];
		struct pkmap pk;
		pk_new(&pk, n, 0x38000);
		const u64 pages = 5000;
		for (u64 i = 1; i <= pages; i++) {
			u32 s;
			cr_assert_eq(pkmap_kmap(&pk, 0x40000 + i, &s), 0);
			cr_assert_eq(s, i % n, "N %u page %llu", n, (unsigned long long)i);
			cr_assert_eq(pkmap_kunmap(&pk, 0x40000 + i), 0);
		}
		u64 wraps = pages / n;
		cr_assert_eq(pk.st.wraps, wraps, "N %u", n);
		/* with one slot the first wrap finds nothing stale: it calls the flush but flushes nothing */
		cr_assert_eq(pk.st.tlb_flushes, wraps - (n == 1), "N %u", n);
		cr_assert_eq(pk.st.slots_flushed, wraps ? (n - 1) + (wraps - 1) * n : 0, "N %u", n);
		cr_assert_eq(pk.st.new_maps, pages);
		pk_ok(&pk);
		pkmap_fini(&pk);
	}
}

/* ---- the slow reference: mm/highmem.c's kmap_high / kunmap_high over plain arrays ---- */

struct ref_pk {
	u32 n, last;
	u64 highmem;
	u32 *count;
	u64 *page;
	u64 *waited; /* pfns of kmaps that failed as waits, one entry per failure */
	size_t nwaited;
	struct pkmap_stats st;
};

static void ref_init(struct ref_pk *r, u32 n, u64 highmem)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->highmem = highmem;
	r->count = calloc(n, sizeof(u32));
	r->page = calloc(n, sizeof(u64));
	r->waited = calloc(100000, sizeof(u64));
}

static void ref_fini(struct ref_pk *r)
{
	free(r->count);
	free(r->page);
	free(r->waited);
}

static int ref_lookup(const struct ref_pk *r, u64 pfn)
{
	for (u32 s = 0; s < r->n; s++)
		if (r->count[s] && r->page[s] == pfn)
			return (int)s;
	return -1;
}

static void ref_flush_all_zero(struct ref_pk *r)
{
	int need_flush = 0;
	r->st.wraps++;
	for (u32 i = 0; i < r->n; i++) {
		if (r->count[i] != 1)
			continue;
		r->count[i] = 0;
		r->st.slots_flushed++;
		need_flush = 1;
	}
	if (need_flush)
		r->st.tlb_flushes++;
}

static int ref_map_new_virtual(struct ref_pk *r, u64 pfn)
{
	u32 count = r->n;
	for (;;) {
		r->last = (r->last + 1) % r->n;
		r->st.scan_steps++;
		if (!r->last) {
			ref_flush_all_zero(r);
			count = r->n;
		}
		if (!r->count[r->last])
			break;
		if (--count)
			continue;
		return -1; /* would sleep */
	}
	r->count[r->last] = 1;
	r->page[r->last] = pfn;
	return (int)r->last;
}

static int ref_kmap(struct ref_pk *r, u64 pfn, u32 *slot)
{
	r->st.kmaps++;
	*slot = PKMAP_NO_SLOT;
	if (pfn < r->highmem) {
		r->st.kmap_lowmem++;
		return 0;
	}
	int s = ref_lookup(r, pfn);
	if (s >= 0) {
		r->st.kmap_hits++;
	} else if ((s = ref_map_new_virtual(r, pfn)) >= 0) {
		r->st.new_maps++;
	} else {
		r->st.waits++;
		r->waited[r->nwaited++] = pfn;
		return -EAGAIN;
	}
	r->count[s]++;
	*slot = (u32)s;
	return 0;
}

static int ref_kunmap(struct ref_pk *r, u64 pfn)
{
	r->st.kunmaps++;
	if (pfn < r->highmem) {
		r->st.kunmap_lowmem++;
		return 0;
	}
	int s = ref_lookup(r, pfn);
	if (s >= 0 && r->count[s] >= 2) {
		r->count[s]--;
		return 0;
	}
	for (size_t i = 0; i < r->nwaited; i++)
		if (r->waited[i] == pfn) {
			r->waited[i] = r->waited[--r->nwaited];
			r->st.kunmap_waited++;
			return 0;
		}
	r->st.bad_kunmaps++;
	return -EINVAL;
}

/* Random kmap/kunmap traffic over a page universe with hot pages, some held for a while, some
 * low-memory pages and stray kunmaps. Every result, slot and counter must match. */
static void oracle_run(u32 n, u64 universe, u64 seed, int steps)
{
	struct pkmap pk;
	struct ref_pk r;
	const u64 highmem = 0x100;
	pk_new(&pk, n, highmem);
	ref_init(&r, n, highmem);
	struct rng g;
	rng_seed(&g, seed);
	u64 *held = malloc(sizeof(u64) * (size_t)steps);
	size_t nheld = 0, hold_cap = 1 + rng_below(&g, (u64)n * 2);
	for (int step = 0; step < steps; step++) {
		u64 op = rng_below(&g, 100);
		if (op < 50 && nheld < hold_cap) {
			u64 pfn = rng_below(&g, 4) ? highmem + rng_below(&g, 1 + universe / 8)
						   : highmem + rng_below(&g, universe);
			if (!rng_below(&g, 20))
				pfn = rng_below(&g, highmem); /* low memory */
			u32 s1, s2;
			u64 wraps = pk.st.wraps, tlb = pk.st.tlb_flushes;
			u32 ones = pk.nr_one;
			int e1 = pkmap_kmap(&pk, pfn, &s1), e2 = ref_kmap(&r, pfn, &s2);
			cr_assert_eq(e1, e2, "N %u seed %llu step %d: kmap %#llx: %d ref %d", n,
				     (unsigned long long)seed, step, (unsigned long long)pfn, e1, e2);
			cr_assert_eq(s1, s2, "N %u seed %llu step %d: slot %u ref %u", n,
				     (unsigned long long)seed, step, s1, s2);
			/* one scan wraps at most once, and flushes once iff that wrap freed a slot */
			cr_assert_leq(pk.st.wraps - wraps, 1);
			cr_assert_eq(pk.st.tlb_flushes - tlb, pk.st.wraps - wraps == 1 && ones > 0 ? 1 : 0);
			held[nheld++] = pfn;
		} else if (op < 97 && nheld) {
			size_t i = rng_below(&g, nheld);
			u64 pfn = held[i];
			held[i] = held[--nheld];
			cr_assert_eq(pkmap_kunmap(&pk, pfn), ref_kunmap(&r, pfn));
		} else {
			u64 pfn = highmem + rng_below(&g, universe); /* a stray kunmap, often bad */
			cr_assert_eq(pkmap_kunmap(&pk, pfn), ref_kunmap(&r, pfn));
		}
		cr_assert_eq(memcmp(&pk.st, &r.st, sizeof(r.st)), 0,
			     "N %u seed %llu step %d: counters differ", n, (unsigned long long)seed, step);
		cr_assert_eq(pk.last, r.last);
		if (n <= 64 || step % 64 == 0) {
			pk_ok(&pk);
			for (u32 s = 0; s < n; s++) {
				cr_assert_eq(pk.count[s], r.count[s], "N %u step %d slot %u", n, step, s);
				if (r.count[s])
					cr_assert_eq(pk.page[s], r.page[s]);
			}
		}
	}
	free(held);
	ref_fini(&r);
	pkmap_fini(&pk);
}

Test(pkmap, matches_reference)
{
	static const struct {
		u32 n;
		u64 universe;
	} cases[] = {{1, 4},  {2, 5},	{3, 10},    {4, 6},	{4, 40},
		     {7, 30}, {64, 50}, {64, 1000}, {100, 400}, {1024, 5000}};
	for (size_t c = 0; c < MM_ARRAY_SIZE(cases); c++)
		for (u64 seed = 1; seed <= 6; seed++)
			oracle_run(cases[c].n, cases[c].universe, seed, 6000);
}

Test(pkmap, config_limits)
{
	struct pkmap pk;
	struct pkmap_cfg c;
	pkmap_cfg_default(&c);
	cr_assert_eq(c.nr_slots, 1024);
	c.nr_slots = 0;
	cr_assert_eq(pkmap_init(&pk, &c), -EINVAL);
	c.nr_slots = PKMAP_MAX_SLOTS + 1;
	cr_assert_eq(pkmap_init(&pk, &c), -EINVAL);
	c.nr_slots = 100;
	cr_assert_eq(pkmap_init(&pk, &c), 0);
	pk_ok(&pk);
	cr_assert_eq(pk.nr_zero, 100);
	pkmap_fini(&pk);
}
