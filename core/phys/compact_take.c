#include "core/phys/compact.h"

/* Free-list entries fast_isolate_freepages' replay looks at per list (bounds the work). */
#define TAKE_LIST_SCAN 4096u

/* Take the free pages of [pfn, pfn + n) as order-0 blocks; pages taken. */
static u64 take_pages(struct buddy *b, u64 pfn, u64 n)
{
	u64 got = 0, c0 = b->st.conflicts; /* a page not free is no conflict here */
	for (u64 p = pfn; p < pfn + n; p++)
		got += !buddy_alloc_at(b, p, 0, MT_MOVABLE);
	b->st.conflicts = c0;
	return got;
}

/* The highest free block of exactly order o whose pages lie in [lo, hi), or UINT64_MAX. */
static u64 highest_block(const struct buddy *b, unsigned o, u64 lo, u64 hi)
{
	u64 best = UINT64_MAX;
	for (unsigned l = 0; l < MT_NR; l++) {
		unsigned seen = 0;
		for (u32 i = b->head[o][l]; i != BUDDY_NIL && seen < TAKE_LIST_SCAN;
		     i = buddy_frame_next(b, i)) {
			u64 pfn = b->base_pfn + i;
			seen++;
			if (pfn >= lo && pfn + (1ULL << o) <= hi && (best == UINT64_MAX || pfn > best))
				best = pfn;
		}
	}
	return best;
}

u64 compact_take(struct buddy *b, u64 lo, u64 hi, u64 want, bool fast)
{
	u64 zend = b->base_pfn + b->nr_pages;
	lo = MM_MAX(lo, b->base_pfn);
	hi = MM_MIN(hi, zend);
	if (!want || lo >= hi)
		return 0;
	if (fast && !(want & (want - 1))) {
		unsigned o = (unsigned)__builtin_ctzll(want);
		u64 pfn = o <= b->max_order ? highest_block(b, o, lo, hi) : UINT64_MAX;
		if (pfn != UINT64_MAX)
			return take_pages(b, pfn, want);
	}
	u64 got = 0;
	for (u64 p = lo; p < hi && got < want;) {
		u32 i = (u32)(p - b->base_pfn);
		if (buddy_frame_is_free(b, i)) {
			u64 n = MM_MIN(1ULL << buddy_frame_order(b, i), MM_MIN(want - got, hi - p));
			got += take_pages(b, p, n);
			p += n;
		} else if (buddy_frame_is_alloc(b, i)) {
			p += 1ULL << buddy_frame_order(b, i);
		} else { /* inside a free block that began below lo, or an allocated block's tail */
			got += take_pages(b, p, 1);
			p++;
		}
	}
	return got;
}
