/* Synthetic kmap/kunmap workloads for the persistent kmap pool (core/kva/pkmap.h): deterministic
 * event streams from a seed, with no time, pid or host state in them, handed one by one to an
 * emit callback (the same shape as the generator registry's gen_emit_fn).
 *   copy: a file copy, page by page: kmap(src) kmap(dst) kunmap(dst) kunmap(src); highmem
 *         pages are all distinct (until 2 * loops exceeds the span) and scattered over it.
 *   hot:  a working set: each kmap hits one of `hot_pages` pages with probability hot_pct,
 *         else a cold page; up to `hold` mappings live at once, kunmapped oldest first. */
#ifndef GEN_KMAP_H
#define GEN_KMAP_H

#include "core/mm_event.h"

typedef int (*gen_kmap_emit_fn)(void *ctx, const struct mm_event *ev);

struct gen_kmap_params {
	u64 seed;
	u64 loops;	 /* copy: pages copied; hot: kmap calls. 0 = 10000 */
	u64 highmem_pfn; /* first highmem pfn; low-memory pages are drawn below it */
	u64 span_pages;	 /* highmem pages drawn from: [highmem_pfn, highmem_pfn + span); 0 = 1 Mi */
	u32 lowmem_pct;	 /* percent of pages that are low memory (no pool slot), 0..100 */
	u32 hot_pages;	 /* hot: working-set size (>= 1) */
	u32 hot_pct;	 /* hot: percent of kmaps on the working set, 0..100 */
	u32 hold;	 /* hot: most mappings live at once (>= 1) */
};

/* seed 1, 10000 loops, highmem at pfn 0x38000 (896 MiB), 1 Mi pages of span, no low memory,
 * 64 hot pages at 90 %, hold 8. */
void gen_kmap_params_default(struct gen_kmap_params *p);

/* 0, -EINVAL for parameters out of range, or the first non-zero value emit returned. */
int gen_kmap_copy(const struct gen_kmap_params *p, gen_kmap_emit_fn emit, void *ctx);
int gen_kmap_hot(const struct gen_kmap_params *p, gen_kmap_emit_fn emit, void *ctx);

#endif
