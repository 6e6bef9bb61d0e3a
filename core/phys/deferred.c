#include "core/phys/deferred.h"

/* Whether the max-order block at frame i is wholly never-allocatable order-0 pages. */
static bool deferred_block_never(const struct buddy *b, u64 i)
{
	u64 n = 1ULL << b->max_order;
	if (i + n > b->nr_pages)
		return false;
	for (u64 j = i; j < i + n; j++)
		if (!buddy_frame_is_alloc(b, (u32)j) || buddy_frame_order(b, (u32)j) != 0 ||
		    buddy_frame_list(b, (u32)j) != BUDDY_TAG_NEVER)
			return false;
	return true;
}

u64 deferred_cursor(const struct buddy *b)
{
	u64 n = 1ULL << b->max_order, end = b->base_pfn + b->nr_pages;
	u64 first = (b->base_pfn + n - 1) & ~(n - 1); /* the zone's first aligned block */
	u64 last = end & ~(n - 1);		      /* past its last whole aligned block */
	u64 c = last;
	while (c >= first + n && deferred_block_never(b, c - n - b->base_pfn))
		c -= n;
	return c == last || last < first + n ? end : c;
}

u64 deferred_managed(const struct buddy *b)
{
	u64 never = 0;
	for (u64 i = 0; i < b->nr_pages;) {
		u32 f = (u32)i;
		if (buddy_frame_is_alloc(b, f) && buddy_frame_list(b, f) == BUDDY_TAG_NEVER)
			never++;
		i += buddy_frame_is_free(b, f) || buddy_frame_is_alloc(b, f) ? 1ULL << buddy_frame_order(b, f)
									     : 1;
	}
	return b->nr_pages - never;
}

static bool deferred_page_never(const struct buddy *b, u64 pfn)
{
	u32 i = (u32)(pfn - b->base_pfn);
	return pfn < b->base_pfn + b->nr_pages && buddy_frame_is_alloc(b, i) &&
	       buddy_frame_order(b, i) == 0 && buddy_frame_list(b, i) == BUDDY_TAG_NEVER;
}

u64 deferred_grow(struct buddy *b, u64 *cursor, u64 pages)
{
	u64 n = 1ULL << b->max_order, freed = 0;
	while (freed < pages && (*cursor & (n - 1)) && deferred_page_never(b, *cursor)) {
		buddy_frame_set_alloc(b, (u32)(*cursor - b->base_pfn), 0, BUDDY_TAG_SEEDED);
		buddy_free(b, *cursor, 0); /* an unaligned start, page by page */
		++*cursor;
		freed++;
	}
	while (freed < pages && !(*cursor & (n - 1)) && *cursor + n <= b->base_pfn + b->nr_pages &&
	       deferred_block_never(b, *cursor - b->base_pfn)) {
		u32 i0 = (u32)(*cursor - b->base_pfn);
		for (u32 j = i0 + 1; j < i0 + n; j++)
			b->frames[j] = 0;
		buddy_frame_set_alloc(b, i0, b->max_order, MT_MOVABLE);
		buddy_free(b, *cursor, b->max_order);
		*cursor += n;
		freed += n;
	}
	return freed;
}

u64 deferred_reveal(struct buddy *b, u64 *cursor, u64 pfn, unsigned order)
{
	u64 end = pfn + (1ULL << order), got = deferred_grow(b, cursor, pfn > *cursor ? pfn - *cursor : 0);
	if (*cursor < pfn) /* something below the block is not never-allocatable: stop here */
		return got;
	for (u64 p = pfn; p < end && deferred_page_never(b, p); p++, got++)
		buddy_frame_set_alloc(b, (u32)(p - b->base_pfn), 0, BUDDY_TAG_SEEDED);
	*cursor = MM_MAX(*cursor, end);
	return got;
}
