#include "core/phys/compact.h"

/* Free-list entries fast_isolate_freepages' replay looks at per list (bounds the work). */
#define TAKE_LIST_SCAN 4096u
/* The free scanner's largest stride, COMPACT_CLUSTER_MAX (SWAP_CLUSTER_MAX) pages. */
#define COMPACT_FREE_STRIDE_MAX 32u

/* Take the free pages of [pfn, pfn + n) as order-0 blocks; pages taken. */
static u64 take_pages(struct buddy *b, u64 pfn, u64 n)
{
	u64 got = 0, c0 = b->st.conflicts; /* a page not free is no conflict here */
	for (u64 p = pfn; p < pfn + n; p++)
		got += !buddy_alloc_at(b, p, 0, MT_MOVABLE);
	b->st.conflicts = c0;
	return got;
}

/* The highest free block of exactly order o whose pages lie in [lo, hi) and that named says
 * was the kernel's (every one when named is NULL), or UINT64_MAX. */
static u64 highest_block(const struct buddy *b, unsigned o, u64 lo, u64 hi, const struct compact_named *named)
{
	u64 best = UINT64_MAX;
	for (unsigned l = 0; l < MT_NR; l++) {
		unsigned seen = 0;
		for (u32 i = b->head[o][l]; i != BUDDY_NIL && seen < TAKE_LIST_SCAN;
		     i = buddy_frame_next(b, i)) {
			u64 pfn = b->base_pfn + i;
			seen++;
			if (pfn >= lo && pfn + (1ULL << o) <= hi && (best == UINT64_MAX || pfn > best) &&
			    (!named || named->fn(named->ctx, pfn, o)))
				best = pfn;
		}
	}
	return best;
}

/* The order of the block headed by the page at index i: a page in use since the start that
 * headed a compound page then, with the compound's pages all still so, counts as one. */
static unsigned seeded_compound(const struct buddy *b, u32 i)
{
	unsigned o = buddy_frame_order(b, i);
	if (o || !b->seed_compound || !b->seed_compound[i] || buddy_frame_is_free(b, i))
		return o;
	u64 n = 1ULL << b->seed_compound[i];
	if (i + n > b->nr_pages)
		return 0;
	for (u32 k = i; k < i + n; k++)
		if (!buddy_frame_is_alloc(b, k) || buddy_frame_order(b, k) ||
		    buddy_frame_list(b, k) != BUDDY_TAG_SEEDED)
			return 0;
	return b->seed_compound[i];
}

/* One call of the kernel's isolate_freepages_block at stride s over b: it visits lo, lo + s,
 * ...; a visited page that heads an allocated block of order > 0 (a compound page) skips the
 * block, one that heads a free block (PageBuddy) isolates the whole block and the next visit is
 * s past its end, any other page (a tail, an order-0 page in use) is passed over. The kernel
 * stops once its compaction has enough free pages; the trace's range ends there (hi), so the
 * scan goes to hi and takes at most want pages. *scanned gets what the kernel counts in
 * nr_scanned. With take false nothing changes (a stride's trial). Returns the pages of the free
 * blocks found (taken or not). */
static u64 stride_scan(struct buddy *b, u64 lo, u64 hi, u64 want, u64 s, bool take, u64 *scanned)
{
	u64 found = 0, got = 0, n = 0;
	for (u64 p = lo; p < hi; p += s) {
		u32 i = (u32)(p - b->base_pfn);
		n++;
		if (!buddy_frame_is_free(b, i) && !buddy_frame_is_alloc(b, i))
			continue;
		u64 size = 1ULL << seeded_compound(b, i);
		n += size - 1;
		if (buddy_frame_is_free(b, i)) {
			found += size;
			if (take && got < want) /* (a block larger than the kernel's: what it took) */
				got += take_pages(b, p, MM_MIN(size, want - got));
		}
		p += size - 1;
	}
	*scanned = n;
	return take ? got : found;
}

/* The stride of a traced isolate_freepages_block call: the kernel starts each search at 1
 * (synchronous) or COMPACT_CLUSTER_MAX (asynchronous), returns to 1 after a pageblock that gave
 * pages and doubles after one that gave none. The trace names none of this; the stride whose
 * scan of the model's pages isolates the traced number of pages and scans the traced number
 * comes closest (pages first, then scanned; the smallest stride on a tie). */
static u64 stride_of(struct buddy *b, u64 lo, u64 hi, u64 want, u64 scanned)
{
	u64 best = 1, best_cost = UINT64_MAX;
	for (u64 s = 1; s <= COMPACT_FREE_STRIDE_MAX; s <<= 1) {
		u64 sc, got = stride_scan(b, lo, hi, want, s, false, &sc);
		u64 cost = (got > want ? got - want : want - got) << 32 |
			   (sc > scanned ? sc - scanned : scanned - sc);
		if (cost < best_cost) {
			best_cost = cost;
			best = s;
		}
	}
	return best;
}

u64 compact_take(struct buddy *b, u64 lo, u64 hi, u64 want, u64 scanned, bool fast, u64 *block)
{
	u64 zend = b->base_pfn + b->nr_pages;
	if (block)
		*block = UINT64_MAX;
	lo = MM_MAX(lo, b->base_pfn);
	hi = MM_MIN(hi, zend);
	if (!want || lo >= hi)
		return 0;
	if (fast && !(want & (want - 1))) {
		unsigned o = (unsigned)__builtin_ctzll(want);
		u64 pfn = o <= b->max_order ? highest_block(b, o, lo, hi, NULL) : UINT64_MAX;
		if (pfn != UINT64_MAX) {
			if (block)
				*block = pfn;
			return take_pages(b, pfn, want);
		}
	}
	u64 got = 0, sc;
	if (!fast)
		got = stride_scan(b, lo, hi, want, stride_of(b, lo, hi, want, scanned), true, &sc);
	/* what the kernel found that the model has not at its places: the lowest free pages */
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

/* The highest block of order o inside a larger free block (order above o, up to o + 3) whose
 * pages lie in [lo, hi) and that named says was the kernel's, or UINT64_MAX. The kernel's block
 * was whole on its list; in the model its buddy may be free too (a neighbour the model freed
 * early), the two merged. */
static u64 highest_inside(const struct buddy *b, unsigned o, u64 lo, u64 hi,
			  const struct compact_named *named)
{
	u64 best = UINT64_MAX;
	for (unsigned big = o + 1; big <= MM_MIN(o + 3, b->max_order); big++)
		for (unsigned l = 0; l < MT_NR; l++) {
			unsigned seen = 0;
			for (u32 i = b->head[big][l]; i != BUDDY_NIL && seen < TAKE_LIST_SCAN;
			     i = buddy_frame_next(b, i)) {
				u64 pfn = b->base_pfn + i;
				seen++;
				if (!named->fn(named->ctx, pfn, big)) /* no record near: none inside */
					continue;
				for (u64 p = pfn + (1ULL << big) - (1ULL << o);; p -= 1ULL << o) {
					if (p >= lo && p + (1ULL << o) <= hi &&
					    (best == UINT64_MAX || p > best) && named->fn(named->ctx, p, o)) {
						best = p;
						break;
					}
					if (p == pfn)
						break;
				}
			}
		}
	return best;
}

u64 compact_take_named(struct buddy *b, u64 lo, u64 hi, u64 want, const struct compact_named *named)
{
	lo = MM_MAX(lo, b->base_pfn);
	hi = MM_MIN(hi, b->base_pfn + b->nr_pages);
	if (!want || (want & (want - 1)) || lo >= hi || (unsigned)__builtin_ctzll(want) > b->max_order)
		return UINT64_MAX;
	unsigned o = (unsigned)__builtin_ctzll(want);
	u64 pfn = highest_block(b, o, lo, hi, named);
	if (pfn == UINT64_MAX)
		pfn = highest_inside(b, o, lo, hi, named);
	if (pfn != UINT64_MAX)
		take_pages(b, pfn, want);
	return pfn;
}
