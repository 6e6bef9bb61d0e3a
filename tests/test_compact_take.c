/* The recorded free scanner replayed (compact_take): against a slow reference written the way
 * the kernel's isolate_freepages_block loops over a plain array of pages (stride, compound
 * pages skipped from their head, free blocks isolated whole from their head, the stop once
 * enough pages are isolated), on random zones at every stride; and the case that showed the
 * stride matters (the lowest free page is not the one the kernel's scan visits). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/rng.h"
#include "core/phys/buddy.h"
#include "core/phys/compact.h"

#define BASE 0x100000ULL
#define PAGES 2048u

/* A page as the kernel's scanner sees it: the head of a free block (PageBuddy), the head of an
 * allocated block (of order > 0: a compound page), or any other page. */
enum ref_kind { REF_OTHER, REF_FREE_HEAD, REF_ALLOC_HEAD };
struct ref_page {
	enum ref_kind kind;
	unsigned order;
	bool taken;
};

static void ref_from(const struct buddy *b, struct ref_page *pg)
{
	for (u32 i = 0; i < PAGES; i++) {
		pg[i] = (struct ref_page){REF_OTHER, 0, false};
		if (buddy_frame_is_free(b, i))
			pg[i] = (struct ref_page){REF_FREE_HEAD, buddy_frame_order(b, i), false};
		else if (buddy_frame_is_alloc(b, i))
			pg[i] = (struct ref_page){REF_ALLOC_HEAD, buddy_frame_order(b, i), false};
	}
}

/* isolate_freepages_block(start, end, stride), stopping once `enough` pages are isolated (the
 * kernel's nr_migratepages <= nr_freepages). Returns the pages isolated; *stop and *scanned as
 * the tracepoint prints them. */
static u64 ref_scan(struct ref_page *pg, u64 start, u64 end, u64 stride, u64 enough, u64 *stop, u64 *scanned)
{
	u64 blockpfn = start, nr_scanned = 0, total = 0;
	for (; blockpfn < end; blockpfn += stride) {
		struct ref_page *p = &pg[blockpfn - BASE];
		nr_scanned++;
		if (p->kind == REF_ALLOC_HEAD) { /* PageCompound: skip the compound page */
			blockpfn += (1ULL << p->order) - 1;
			nr_scanned += (1ULL << p->order) - 1;
			continue;
		}
		if (p->kind != REF_FREE_HEAD)
			continue;
		u64 isolated = 1ULL << p->order;
		for (u64 k = 0; k < isolated; k++)
			pg[blockpfn - BASE + k].taken = true;
		nr_scanned += isolated - 1;
		total += isolated;
		if (total >= enough) {
			blockpfn += isolated;
			break;
		}
		blockpfn += isolated - 1;
	}
	*stop = MM_MIN(blockpfn, end);
	*scanned = nr_scanned;
	return total;
}

/* A zone of PAGES pages with random allocations of orders 0-3, some freed again. */
static void random_zone(struct buddy *b, struct rng *r)
{
	struct buddy_cfg c = {.base_pfn = BASE, .nr_pages = PAGES, .max_order = 9};
	cr_assert_eq(buddy_init(b, &c), 0);
	u64 pfn[4096];
	unsigned ord[4096], n = 0;
	while (n < 4096) {
		unsigned o = (unsigned)rng_below(r, 4);
		if (buddy_alloc(b, o, MT_MOVABLE, &pfn[n]))
			break;
		ord[n++] = o;
	}
	for (unsigned i = 0; i < n; i++)
		if (rng_below(r, 100) < 30)
			buddy_free(b, pfn[i], ord[i]);
}

Test(compact_take, stride_scan_against_the_kernels_loop)
{
	struct rng r;
	rng_seed(&r, 2218);
	unsigned checked = 0, unique = 0;
	for (int round = 0; round < 300; round++) {
		struct buddy b;
		random_zone(&b, &r);
		static struct ref_page pg[PAGES], trial[PAGES];
		ref_from(&b, pg);
		u64 block = BASE + 512 * rng_below(&r, PAGES / 512);
		u64 start = block + (rng_below(&r, 2) ? rng_below(&r, 512) : 0), end = block + 512;
		u64 stride = 1ULL << rng_below(&r, 6), enough = 1 + rng_below(&r, 64);
		u64 stop, scanned;
		u64 want = ref_scan(pg, start, end, stride, enough, &stop, &scanned);
		/* strides whose scan prints the same figures take whichever pages they visit: the
		 * pages are checked only where the figures name one stride */
		unsigned same = 0;
		for (u64 s = 1; s <= 32; s <<= 1) {
			u64 st, sc;
			ref_from(&b, trial);
			same += ref_scan(trial, start, end, s, enough, &st, &sc) == want && sc == scanned;
		}
		u64 free0 = b.free_pages;
		u64 got = compact_take(&b, start, stop, want, scanned, false, NULL);
		cr_assert_eq(got, want, "round %d: %llu pages taken, the kernel %llu", round,
			     (unsigned long long)got, (unsigned long long)want);
		cr_assert_eq(b.free_pages, free0 - want);
		char msg[160];
		cr_assert_eq(buddy_check(&b, msg, sizeof(msg)), 0, "%s", msg);
		if (same == 1) {
			unique++;
			for (u32 i = 0; i < PAGES; i++)
				if (pg[i].taken)
					cr_assert(buddy_frame_is_alloc(&b, i) &&
							  buddy_frame_order(&b, i) == 0,
						  "round %d (stride %llu): page 0x%llx the kernel isolated "
						  "is not taken",
						  round, (unsigned long long)stride,
						  (unsigned long long)(BASE + i));
		}
		checked += want > 0;
		buddy_fini(&b);
	}
	cr_assert_gt(checked, 100, "rounds that isolated something: %u", checked);
	cr_assert_gt(unique, 50, "rounds whose figures name one stride: %u", unique);
}

/* A pageblock with free pages at offsets 0x3c, 0x47, 0xc0 and 0xfe, scanned to its end at
 * stride 32 (16 pages visited, one isolated, compaction still short of pages): the kernel's
 * scan finds 0xc0; the lowest free page is 0x3c. */
Test(compact_take, the_stride_decides_which_page)
{
	struct buddy b;
	struct buddy_cfg c = {.base_pfn = BASE, .nr_pages = 512, .max_order = 9};
	cr_assert_eq(buddy_init(&b, &c), 0);
	for (u64 i = 0; i < 512; i++) {
		u64 pfn;
		cr_assert_eq(buddy_alloc(&b, 0, MT_MOVABLE, &pfn), 0);
	}
	static const u64 freed[] = {0x3c, 0x47, 0xc0, 0xfe};
	for (size_t i = 0; i < MM_ARRAY_SIZE(freed); i++)
		cr_assert_eq(buddy_free(&b, BASE + freed[i], 0), 0);
	cr_assert_eq(compact_take(&b, BASE, BASE + 512, 1, 16, false, NULL), 1);
	cr_assert(buddy_frame_is_alloc(&b, 0xc0), "the page at the stride was taken");
	cr_assert(buddy_frame_is_free(&b, 0x3c), "the lowest free page stays free");
	buddy_fini(&b);
}

/* A page in use since the start that headed a compound page then (kpageflags' COMPOUND_HEAD
 * and TAIL) is skipped whole by the kernel's scanner: an order-2 compound page at the block's
 * start moves every later visit of a stride-32 scan by 3 pages, so the kernel isolates the free
 * page at 0x23 (19 pages scanned: 16 visits and the 3 skipped), not the one at 0x20. */
Test(compact_take, a_seeded_compound_page_shifts_the_scan)
{
	struct buddy b;
	struct buddy_cfg c = {.base_pfn = BASE, .nr_pages = 512, .max_order = 9};
	cr_assert_eq(buddy_init(&b, &c), 0);
	for (u64 i = 0; i < 512; i++) {
		u64 pfn;
		cr_assert_eq(buddy_alloc(&b, 0, MT_MOVABLE, &pfn), 0);
	}
	for (u32 i = 0; i < 512; i++) /* pages in use before the recording */
		buddy_frame_set_alloc(&b, i, 0, BUDDY_TAG_SEEDED);
	b.seed_compound = calloc(512, 1);
	b.seed_compound[0] = 2;
	for (u64 p = 0x20; p <= 0x23; p += 3) { /* free two pages as the seed would have them */
		b.frames[p] = 0;
		buddy_link(&b, (u32)p, 0, 0);
	}
	cr_assert_eq(b.free_pages, 2);
	cr_assert_eq(compact_take(&b, BASE, BASE + 512, 1, 19, false, NULL), 1);
	cr_assert(buddy_frame_is_alloc(&b, 0x23), "the page the shifted scan visits was taken");
	cr_assert(buddy_frame_is_free(&b, 0x20), "the page at the unshifted stride stays free");
	buddy_fini(&b);
}

/* The block the trace names, 128 pages at 0x180, lies inside a free block of order 8 in the
 * model (its buddy at 0x100 was freed early there): the named isolation takes the named half,
 * not nothing, and leaves the other half free. A block the trace names nowhere is not taken. */
static bool named_half(const void *ctx, u64 pfn, unsigned order)
{
	const u64 *at = ctx; /* the named piece [at, at + 16) */
	return pfn < *at + 16 && *at < pfn + (1ULL << order);
}

Test(compact_take, a_named_block_inside_a_larger_free_block)
{
	struct buddy b;
	struct buddy_cfg c = {.base_pfn = BASE, .nr_pages = 512, .max_order = 9};
	cr_assert_eq(buddy_init(&b, &c), 0);
	cr_assert_eq(buddy_alloc_at(&b, BASE, 8, MT_MOVABLE), 0); /* [0, 0x100) used */
	cr_assert_eq(b.free_pages, 256);			  /* one free block of order 8 at 0x100 */
	u64 at = BASE + 0x1a0;
	const struct compact_named named = {named_half, &at};
	cr_assert_eq(compact_take_named(&b, BASE, BASE + 512, 128, &named), BASE + 0x180);
	cr_assert_eq(b.free_pages, 128);
	cr_assert(buddy_frame_is_free(&b, 0x100));
	cr_assert(!buddy_frame_is_free(&b, 0x180) && !buddy_frame_is_free(&b, 0x1ff));
	at = BASE + 0x2000; /* named nowhere in the zone */
	cr_assert_eq(compact_take_named(&b, BASE, BASE + 512, 64, &named), UINT64_MAX);
	cr_assert_eq(b.free_pages, 128);
	char msg[200];
	cr_assert_eq(buddy_check(&b, msg, sizeof(msg)), 0, "%s", msg);
	buddy_fini(&b);
}
