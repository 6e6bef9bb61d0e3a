/* Deferred memory init (a kernel booted with deferred_init=lazy): a zone's memory past the part
 * initialized so far is not managed yet (kpageflags reads it as flag-free; the seed makes it
 * never allocatable) and joins the buddy free, in ascending pfn order, when the kernel needs it,
 * with no tracepoint. The model grows a zone the same way: from a cursor at the start of the
 * zone's trailing run of never-allocatable max-order blocks, upward, block by block. */
#ifndef DEFERRED_H
#define DEFERRED_H

#include "core/phys/buddy.h"

/* Memory the kernel initializes at once: a sparsemem section of x86-64 (128 MiB of 4 KiB pages);
 * zoneinfo's managed pages grow in multiples of it on the recording machine. */
#define DEFERRED_SECTION_PAGES (1ULL << 15)

/* The first pfn of b's trailing run of max-order blocks whose every page is a never-allocatable
 * order-0 block (BUDDY_TAG_NEVER), or the zone's end when there is none. */
u64 deferred_cursor(const struct buddy *b);
/* The pages of b that are not never-allocatable: what the kernel's managed count stands for. */
u64 deferred_managed(const struct buddy *b);
/* Free up to `pages` pages from *cursor upward (page by page up to a max-order boundary, then
 * whole max-order blocks), advancing it; stops at the first page or block not wholly
 * never-allocatable. Returns the pages freed. */
u64 deferred_grow(struct buddy *b, u64 *cursor, u64 pages);
/* The kernel frees [pfn, pfn + 2^order) at or past *cursor: initialization hands memory to the
 * buddy through ordinary (traced) frees. Free what lies below it, make the block's pages used
 * (seeded order-0 pages the free that follows releases) and move the cursor past it. Returns
 * the pages that joined the zone. */
u64 deferred_reveal(struct buddy *b, u64 *cursor, u64 pfn, unsigned order);

#endif
