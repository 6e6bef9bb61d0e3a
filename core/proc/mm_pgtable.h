/* The address spaces' page tables: struct mm_pt_ops over core/kva/pgtable.h, one pgtable per mm,
 * table pages from a machine's buddy. Data frames are not modelled (no trace records page
 * touches): every present PTE maps one placeholder pfn and only table pages are allocated. */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include "core/proc/mm.h"
#include "core/kva/pgtable.h"

#define MM_PGTABLE_BATCH 512

struct mm_pgtable {
	struct pagesrc src; /* table pages come from here (borrowed) */
	unsigned levels;
	struct pgtable_stats st;    /* every process's tables add to it */
	u64 pfns[MM_PGTABLE_BATCH]; /* the placeholder frame, repeated for pgtable_map_range */
};

extern const struct mm_pt_ops mm_pgtable_ops;

/* ctx is what mm_cfg.pt_ctx points at; it must outlive every mm using it. */
void mm_pgtable_init(struct mm_pgtable *ctx, struct buddy *b, unsigned levels);
/* The same with table pages from any page source (a machine's zones). */
void mm_pgtable_init_src(struct mm_pgtable *ctx, const struct pagesrc *src, unsigned levels);

#endif
