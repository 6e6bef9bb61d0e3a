/* The vmalloc address space allocator ("vmlist"), three generations behind one ops table:
 *   list      2.4: struct vm_struct on a singly linked list sorted by address, first fit by
 *             linear scan, linear lookup on free
 *   rbtree    2.6.28: busy areas in an rbtree keyed by address plus a sorted list; descend to
 *             the first area at or above vstart, then walk the list for a gap
 *   rbtree_cache  2.6.36..5.1: rbtree with the free_vmap_cache (cached hole) shortcut
 *   augmented 5.2: free space in an rbtree ordered by address, each node keeping
 *             subtree_max_size; lowest fit in O(log n); FL/LE/RE/NE splits; merge on free
 * All variants return the same address for the same request sequence: the lowest address in
 * [vstart, vend) where an `align`-aligned block of `size` bytes fits. Laziness (areas freed but
 * not yet purged) is the vmalloc layer's business: to a vmlist an area is busy until freed. */
#ifndef VMLIST_H
#define VMLIST_H

#include "mm_types.h"

struct vmlist_cfg {
	u64 vstart, vend; /* the space managed: [vstart, vend) */
	bool cached_hole; /* rbtree only: the later free_vmap_cache shortcut */
};

struct vmlist_stats {
	u64 visits;	   /* nodes examined (list entries, tree nodes) by alloc and free */
	u64 alloc_visits;  /* the part of visits spent by allocations (searching for a fit) */
	u64 allocs, frees; /* successful allocations and frees */
	u64 failures;	   /* no fit in [vstart, vend) (-ENOMEM) */
	u64 bad_frees;	   /* free of an address that is not the start of a busy area */
	u64 invalid;	   /* requests rejected with -EINVAL (size 0, bad align, empty range) */
	u64 live;	   /* busy areas now == allocs - frees */
	u64 live_bytes;	   /* bytes in busy areas now */
	u64 splits[4];	   /* augmented: FL, LE, RE, NE fits (VMLIST_FIT_*) */
	u64 merges;	   /* augmented: free blocks merged with a neighbour on free (0..2 per free) */
};

/* Indices of vmlist_stats.splits, the kernel's fit types (mm/vmalloc.c classify_va_fit_type). */
enum { VMLIST_FIT_FL, VMLIST_FIT_LE, VMLIST_FIT_RE, VMLIST_FIT_NE };

/* A variant. Callers go through vmlist_alloc()/vmlist_free(), which validate and normalise the
 * request and keep allocs, frees, failures, bad_frees, invalid, live and live_bytes; the ops see
 * only valid requests (size a non-zero page multiple, align a power of two >= PAGE_SIZE, vstart
 * < vend page-aligned and inside the space) and count visits, splits and merges. */
struct vmlist_ops {
	const char *name; /* "list", "rbtree", "augmented" */
	const char *desc;
	size_t priv_size; /* the vmlist allocates it; a variant never mallocs its context */
	int (*init)(void *priv, const struct vmlist_cfg *cfg, struct vmlist_stats *st);
	void (*fini)(void *priv);
	/* Reserve size bytes (page multiple) at an align-aligned address (align a power of two,
	 * >= PAGE_SIZE) within [vstart, vend) (a sub-range of the space). 0 or -ENOMEM. */
	int (*alloc)(void *priv, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr);
	/* Release the busy area that starts at addr; 0 with *size, or -ENOENT. */
	int (*free)(void *priv, u64 addr, u64 *size);
	/* Full invariant check (tests): 0 or -EUCLEAN. */
	int (*check)(const void *priv);
};

extern const struct vmlist_ops *const vmlist_variants[]; /* NULL-terminated: vmlist_registry.c */
const struct vmlist_ops *vmlist_find(const char *name);

/* A vmlist instance: the ops, their private state and the counters. The variant keeps a
 * pointer to st, so a struct vmlist must not be moved (copied) after vmlist_init. */
struct vmlist {
	const struct vmlist_ops *ops;
	void *priv;
	struct vmlist_stats st;
	u64 vstart, vend; /* the space, vend rounded down to a page: [vstart, vend) */
};

/* cfg->vstart must be page-aligned and below cfg->vend; an unaligned vend (the kernel's
 * inclusive-looking VMALLOC_END 0x...ffff) is rounded down to a page. 0, -EINVAL or -ENOMEM. */
int vmlist_init(struct vmlist *v, const struct vmlist_ops *ops, const struct vmlist_cfg *cfg);
void vmlist_fini(struct vmlist *v);
/* Reserve the lowest align-aligned [*addr, *addr + size) inside [vstart, vend) intersected with
 * the space that overlaps no busy area. size must be a non-zero page multiple; align a power
 * of two (values below PAGE_SIZE act as PAGE_SIZE: every address is page-aligned anyway);
 * vstart < vend. 0, -EINVAL (counted in invalid) or -ENOMEM (no fit, counted in failures). */
int vmlist_alloc(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr);
/* Release the busy area starting at addr: 0 with *size (may be NULL), or -ENOENT for a
 * misaligned, unknown or already freed address (counted in bad_frees, nothing changes). */
int vmlist_free(struct vmlist *v, u64 addr, u64 *size);
/* The variant's full invariant check plus the wrapper's counters: 0 or -EUCLEAN. */
int vmlist_check(const struct vmlist *v);

#endif
