/* Helpers shared by the address-space files (mm.c: VMAs, merging, do_munmap; mm_calls.c:
 * mprotect, brk, mremap, madvise). Not part of the model's interface. */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include "core/proc/mm.h"

static inline u64 vma_pages(const struct vma *v)
{
	return (v->end - v->start) >> MM_PAGE_SHIFT;
}

static inline bool mm_anon_vma_compat(u32 a, u32 b)
{
	return !a || !b || a == b;
}

/* a lies just below b (a->end == b->start): may they be one VMA? (is_mergeable_vma, contiguous
 * pgoff, compatible anon_vma) */
bool mm_mergeable(const struct vma *a, const struct vma *b);

struct vma *mm_vma_alloc(struct mm *mm);
void mm_vma_free(struct mm *mm, struct vma *v);
int mm_link(struct mm *mm, struct vma *v);
void mm_unlink(struct mm *mm, struct vma *v);
int mm_resize(struct mm *mm, struct vma *v, u64 start, u64 end);
struct vma *mm_prev(struct mm *mm, struct vma *v);

/* split_vma: v keeps [start, addr), *upper gets [addr, end). check_limit refuses (-ENOMEM) at
 * max_map_count. */
int mm_split(struct mm *mm, struct vma *v, u64 addr, bool check_limit, struct vma **upper);

/* Map t's range (free in the index) merging with the VMA below (and above when merge_next) as
 * vma_merge_new_range does; returns the VMA now covering it, or NULL (-ENOMEM, host). */
struct vma *mm_map_range(struct mm *mm, const struct vma *t, bool merge_next);

/* do_munmap of [start, end), both page aligned. 0 or -ENOMEM (max_map_count). */
int mm_do_munmap(struct mm *mm, u64 start, u64 end);

/* Page-table seam: with populate, make [s, e) present unless flags say PROT_NONE; clear [s, e)
 * (returns PTEs cleared plus table pages freed). */
int mm_pt_fill(struct mm *mm, u64 s, u64 e, u32 flags);
u64 mm_pt_clear(struct mm *mm, u64 s, u64 e, bool free_tables);

/* populate: MAP_POPULATE write-faults a private writable anonymous VMA, which gives it an
 * anon_vma (anon_vma_prepare) unless a merge brought one; read faults map the zero page and
 * leave it without. */
void mm_populate_anon_vma(struct mm *mm, struct vma *v);

/* A syscall begins: lets the index reset its walk state. */
static inline void mm_call_begin(struct mm *mm)
{
	if (mm->cfg->index->reset)
		mm->cfg->index->reset(mm->index);
}

/* One flush of a range of pages of the mm's TLB entries (flush_tlb_mm_range): on x86 a full
 * flush above the ceiling. */
static inline void mm_flush_range(struct mm *mm, u64 pages)
{
	if (mm->cfg->flush_ceiling && pages > mm->cfg->flush_ceiling) {
		mm->st->tlb_flush_all++;
		return;
	}
	mm->st->tlb_flush_range++;
	mm->st->tlb_flush_pages += pages;
}

/* Count a failure by errno and return it. */
int mm_fail(struct mm *mm, int err);

#endif
