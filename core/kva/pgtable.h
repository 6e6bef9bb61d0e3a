/* Multi-level page tables (2 to 5 levels, 512 entries per table, 9 bits per level) whose table
 * pages come from and return to a buddy. Every entry read or written by a walk is counted, per
 * level, so the cost of mapping and unmapping is a model result. One pgtable per address space
 * (the kernel's init_mm for vmalloc, one per process). */
#ifndef PGTABLE_H
#define PGTABLE_H

#include "core/phys/buddy.h"
#include "core/mm_types.h"
#include "core/phys/pagesrc.h"

#define PGTABLE_MAX_LEVELS 5

struct pgtable_stats {
	u64 walk_entries;		    /* entries visited, all levels */
	u64 walk_level[PGTABLE_MAX_LEVELS]; /* [0] = top level (PGD) ... [levels-1] = PTE */
	u64 pte_set, pte_clear;
	u64 pgtable_pages_alloc, pgtable_pages_free;
	u64 alloc_failures; /* a table page could not be allocated */
};

struct pgtable; /* opaque; see pgtable.c */

/* levels 2..5; table pages are order-0 unmovable allocations from b; stats may be shared by
 * several tables (e.g. all of a machine's processes). */
int pgtable_create(struct pgtable **pt, unsigned levels, struct buddy *b, struct pgtable_stats *st);
/* The same with table pages from any page source (a machine's zones: limit Normal, falling back
 * to DMA32 and DMA as the kernel's GFP_KERNEL table allocations do). */
int pgtable_create_src(struct pgtable **pt, unsigned levels, const struct pagesrc *src,
		       struct pgtable_stats *st);
/* Tear down: free every table page (and count them); mapped frames are not touched. */
void pgtable_destroy(struct pgtable *pt);
/* Map one page va -> pfn, allocating missing intermediate tables. 0, -EEXIST, or -ENOMEM
 * (no table page; nothing half-built is left behind). */
int pgtable_map(struct pgtable *pt, u64 va, u64 pfn);
/* Map n pages va, va + 4 KiB, ... -> pfns[0..n) in one walk, as vmap_pages_range does: each
 * upper-level entry on the way is visited once per table, each PTE once. 0, -EEXIST (a page
 * was already mapped) or -ENOMEM (no table page). On failure nothing half-built is left: the
 * PTEs this call set are cleared again (counted in pte_clear) and the tables it made are freed;
 * *done (may be NULL) says how many pages had been mapped before the failure. */
int pgtable_map_range(struct pgtable *pt, u64 va, const u64 *pfns, u64 n, u64 *done);
/* Clear every present PTE in [start, end) (end 0 means up to 2^64), calling fn(arg, va, pfn)
 * (fn may be NULL) for each; when free_tables, free table pages left empty (free_pgtables;
 * the top table stays). Returns pages unmapped. */
u64 pgtable_unmap(struct pgtable *pt, u64 start, u64 end, bool free_tables,
		  void (*fn)(void *arg, u64 va, u64 pfn), void *arg);
/* The pfn mapped at va, or -1 (counted as a walk). */
i64 pgtable_lookup(struct pgtable *pt, u64 va);
u64 pgtable_nr_table_pages(const struct pgtable *pt);
/* Host bytes one table page takes (its entries and header), for memory budgets. */
size_t pgtable_table_bytes(void);
/* Host bytes of the struct pgtable itself. */
size_t pgtable_bytes(void);
unsigned pgtable_levels(const struct pgtable *pt);

#endif
