/* One process address space (struct mm_struct): its VMAs behind a vma_index variant, its brk,
 * and optionally its page tables, changed by mmap/munmap/mprotect/brk/mremap/madvise the way
 * mm/mmap.c, mm/vma.c, mm/mprotect.c and mm/mremap.c do it (do_munmap's steps: split the front,
 * split the tail, detach, unmap_region, remove), with the work counted and kernel errors returned. */
#ifndef MM_H
#define MM_H

#include <stdio.h>

#include "core/lib/objpool.h"
#include "core/proc/vma.h"

#define MM_MAX_MAP_COUNT 65530	  /* vm.max_map_count default */
#define MM_TASK_SIZE (1ULL << 56) /* x86-64 with 5-level paging (LA57) */
#define MM_MADV_DONTNEED 4	  /* madvise advice */
#define MM_MREMAP_MAYMOVE 1	  /* mremap flags */
#define MM_MREMAP_FIXED 2
#define MM_MREMAP_DONTUNMAP 4

/* The page-table seam: how an address space makes pages present and clears them. Data frames are
 * not modelled (the traces record no page touches): only PTEs and table pages. NULL ops = no
 * page tables. */
struct mm_pt_ops {
	const char *name;
	int (*create)(void *ctx, void **pt);
	u64 (*destroy)(void *ctx, void *pt); /* returns table pages freed */
	/* Make every page of [start, end) present. 0 or -ENOMEM. */
	int (*populate)(void *ctx, void *pt, u64 start, u64 end);
	/* Clear present PTEs in [start, end), freeing table pages left empty when free_tables.
	 * Returns PTEs cleared; *tables_freed gets the table pages freed. */
	u64 (*unmap)(void *ctx, void *pt, u64 start, u64 end, bool free_tables, u64 *tables_freed);
};

/* Counters of one machine's address spaces; every mm of a sim adds to the same struct. */
struct mm_stats {
	struct vma_stats vma;
	u64 mmap_calls, munmap_calls, mprotect_calls, brk_calls, mremap_calls, madvise_calls;
	/* do_munmap, one counter per step (munmap syscalls and the unmaps inside mmap/mremap/brk) */
	u64 do_munmap;		 /* do_munmap runs that found something to unmap */
	u64 munmap_nothing;	 /* ranges with no VMA: success, nothing done */
	u64 munmap_split_front;	 /* start inside a VMA: split_vma of the front part */
	u64 munmap_split_tail;	 /* end inside a VMA: split_vma of the tail */
	u64 munmap_detach;	 /* VMAs detached from the index */
	u64 munmap_unmap_region; /* unmap_region runs (page-table walk of the range) */
	u64 munmap_free_tables;	 /* table pages freed by free_pgtables */
	u64 munmap_remove;	 /* VMA structures freed by remove_vma_list */
	u64 mmap_fixed_unmaps;	 /* mmap that unmapped overlapping VMAs first */
	u64 mmap_model_overlap;	 /* ...without MAP_FIXED: the model kept a VMA the kernel had not */
	u64 mprotect_splits, mprotect_changed;
	u64 mremap_shrink, mremap_grow_in_place, mremap_move;
	u64 brk_grow, brk_shrink, brk_query, brk_refused; /* refused: the result was the old brk */
	u64 madvise_dontneed, madvise_ignored;
	u64 tlb_flush_range, tlb_flush_pages; /* one ranged flush per unmap_region/zap that cleared PTEs */
	u64 tlb_flush_all; /* those above mm_cfg.flush_ceiling pages: a full flush of the mm (x86) */
	u64 ptes_set, ptes_cleared, pgtable_pages_free;
	/* failures, by the errno the kernel returns */
	u64 err_einval, err_enomem, err_efault, err_map_count;
};

struct mm_cfg {
	const struct vma_index_ops *index; /* default maple */
	u64 max_map_count;		   /* default MM_MAX_MAP_COUNT */
	bool populate; /* MAP_POPULATE on every mapping: pages of accessible VMAs present; default off */
	/* ld.so writes the anonymous memory it maps (bss, TLS, link maps) before main: a writable
	 * private anonymous VMA mapped between execve and the first munmap (ld.so unmapping
	 * ld.so.cache) gets an anon_vma, which decides later merges. Default on. */
	bool loader_faults;
	const struct mm_pt_ops *pt; /* NULL: no page tables */
	void *pt_ctx;
	/* x86 flush_tlb_mm_range: a flush of more pages than tlb_single_page_flush_ceiling flushes
	 * the whole mm (counted in tlb_flush_all, not as a range); 0 (the default): never */
	u64 flush_ceiling;
};

struct mm {
	const struct mm_cfg *cfg;
	struct mm_stats *st;
	void *index; /* cfg->index's private state, priv_size bytes */
	void *pt;    /* cfg->pt's table, or NULL */
	u64 map_count;
	u64 start_brk, brk; /* heap: [start_brk, PAGE_ALIGN(brk)); valid when brk_known */
	bool brk_known;
	bool in_loader;		  /* between execve and the first munmap (see mm_cfg.loader_faults) */
	u32 next_anon_vma;	  /* id source for anon_vma (populate) */
	u64 next_shmem;		  /* id source for MAP_SHARED|MAP_ANONYMOUS files */
	unsigned users;		  /* tasks sharing this mm (CLONE_VM threads) */
	struct objpool *vma_pool; /* where VMAs come from (a machine's shared pool), or NULL: malloc */
};

int mm_init(struct mm *mm, const struct mm_cfg *cfg, struct mm_stats *st);
/* exit_mmap: remove every VMA, clear every PTE, free every table page. */
void mm_fini(struct mm *mm);
/* dup_mmap: child gets a copy of every VMA (and, with populate, of the page tables). */
int mm_dup(struct mm *child, const struct mm *parent);

/* The calls. prot is PROT_*; mflags MME_F_{FIXED,ANON,SHARED,GROWSDOWN,STACK}; fd (u64)-1 for
 * anonymous. mmap places the mapping at addr (the address the traced kernel returned).
 * Return 0 or the kernel's -errno; failures are counted. */
int mm_mmap(struct mm *mm, u64 addr, u64 len, unsigned prot, unsigned mflags, u64 fd, u64 off);
int mm_munmap(struct mm *mm, u64 start, u64 len);
/* grows: MME_F_PROT_GROWSDOWN / MME_F_PROT_GROWSUP from the event */
int mm_mprotect(struct mm *mm, u64 start, u64 len, unsigned prot, unsigned grows);
/* brk(requested) that returned result; requested 0 = brk(NULL). */
int mm_brk(struct mm *mm, u64 requested, u64 result);
int mm_mremap(struct mm *mm, u64 old, u64 old_len, u64 new_len, unsigned flags, u64 result);
int mm_madvise(struct mm *mm, u64 start, u64 len, unsigned advice);

/* Walk in address order. */
struct vma *mm_first(struct mm *mm);
struct vma *mm_next(struct mm *mm, struct vma *v);
/* find_vma */
struct vma *mm_find(struct mm *mm, u64 addr);

/* Print like /proc/PID/maps: start-end perms offset dev inode [path]. File-backed VMAs carry
 * the trace's fd, not a path: dev 00:00, inode 0, path "[fd N]". */
void mm_print_maps(struct mm *mm, FILE *out);

/* Index invariants plus the mm's own (sorted, non-overlapping, page-aligned, count). */
int mm_check(struct mm *mm, char *msg, size_t msglen);

#endif
