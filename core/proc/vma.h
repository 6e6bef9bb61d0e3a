/* Virtual memory areas of one address space and the index that finds them. A VMA is a
 * page-aligned range [start, end) with protection, flags and a backing (anonymous, or a file id
 * and offset). Index variants sit behind struct vma_index_ops: `list` (sorted list with a one-entry
 * find cache), `rbtree` (rbtree plus sorted list, 2.6 to 6.0), `maple` (a B-tree over ranges, 6.1+). */
#ifndef VMA_H
#define VMA_H

#include <sys/tree.h>

#include "core/mm_types.h"

/* vma->flags: the PROT_* bits, then the VM_* flags that decide whether two VMAs may merge. */
#define VMA_READ 0x1u
#define VMA_WRITE 0x2u
#define VMA_EXEC 0x4u
#define VMA_PROT_MASK 0x7u
#define VMA_SHARED 0x8u	     /* MAP_SHARED */
#define VMA_GROWSDOWN 0x10u  /* MAP_GROWSDOWN */
#define VMA_NOHUGEPAGE 0x20u /* MAP_STACK (VM_NOHUGEPAGE since 6.7) */
#define VMA_ACCOUNT 0x40u    /* VM_ACCOUNT: private writable memory charged to the commit */

#define VMA_ANON ((u64)-1) /* vma->file of anonymous memory */

struct vma {
	u64 start, end; /* [start, end), page aligned, start < end; VMAs of one index never overlap */
	u64 file;	/* file id from the trace (the mmap fd), or VMA_ANON */
	u64 pgoff;	/* page offset of start: the file's, or start >> 12 at creation for anon */
	u32 flags;	/* VMA_* */
	u32 anon_vma;	/* 0: no anon_vma yet (never faulted); equal ids share one anon_vma */
	/* index-private links: the sorted list (list, rbtree) and the tree node (rbtree) */
	struct vma *prev, *next;
	RB_ENTRY(vma) rb;
	struct vma *detached; /* do_munmap's detached chain while the VMA is off the index */
};

/* Counters of the index work. find_vma_visits counts every VMA or tree entry examined. */
struct vma_stats {
	u64 find_vma_calls;
	u64 find_vma_visits;
	u64 cache_hits;	   /* list/rbtree: the one-entry mmap_cache answered */
	u64 vma_splits;	   /* split_vma: one VMA became two */
	u64 vma_merges;	   /* vma_merge calls that merged (a three-way merge counts once) */
	u64 vmas_detached; /* VMAs taken off the index by do_munmap */
	u64 vmas_peak;	   /* largest VMA count of any one address space */
};

struct vma_index_ops {
	const char *name; /* "list", "rbtree", "maple" */
	const char *desc;
	size_t priv_size; /* zeroed and owned by the address space; a variant never mallocs it */
	int (*init)(void *priv);
	void (*fini)(void *priv); /* frees index nodes, never the VMAs */
	/* Optional: a syscall begins (maple: a fresh walk state; the list and rbtree mmap_cache
	 * lives on across calls, as in the kernel). */
	void (*reset)(void *priv);
	/* find_vma: the first VMA with end > addr, or NULL. */
	struct vma *(*find)(void *priv, u64 addr, struct vma_stats *st);
	struct vma *(*first)(void *priv, struct vma_stats *st);
	struct vma *(*next)(void *priv, struct vma *v, struct vma_stats *st);
	struct vma *(*prev)(void *priv, struct vma *v, struct vma_stats *st);
	/* Link v; its range must not overlap any linked VMA. 0 or -ENOMEM (host). */
	int (*insert)(void *priv, struct vma *v, struct vma_stats *st);
	void (*erase)(void *priv, struct vma *v, struct vma_stats *st);
	/* Move a linked VMA's bounds to [start, end), which overlap no other linked VMA. */
	int (*resize)(void *priv, struct vma *v, u64 start, u64 end, struct vma_stats *st);
	/* Invariant check for tests: 0 or -EUCLEAN with msg. */
	int (*check)(void *priv, char *msg, size_t msglen);
};

extern const struct vma_index_ops vma_index_list, vma_index_rbtree, vma_index_maple;
/* NULL-terminated registry, in history order. */
extern const struct vma_index_ops *const vma_indexes[];
const struct vma_index_ops *vma_index_find(const char *name);

/* For the list and rbtree variants' checks: the sorted list from head is ordered, non-overlapping,
 * doubly linked and holds count VMAs. 0 or -EUCLEAN. */
int vma_list_check_links(struct vma *head, u64 count, char *msg, size_t msglen);

/* Formats perms like /proc/PID/maps ("r-xp", "rw-s"); buf holds at least 5 bytes. */
void vma_perms(const struct vma *v, char *buf);

#endif
