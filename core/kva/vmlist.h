/* The vmalloc address space allocator ("vmlist"), five designs behind one ops table:
 *   list      2.4: struct vm_struct on a singly linked list sorted by address, first fit by
 *             linear scan, linear lookup on free
 *   rbtree    2.6.28: busy areas in an rbtree keyed by address plus a sorted list; descend to
 *             the first area at or above vstart, then walk the list for a gap
 *   rbtree_cache  2.6.36..5.1: rbtree with the free_vmap_cache (cached hole) shortcut
 *   augmented 5.2: free space in an rbtree ordered by address, each node keeping
 *             subtree_max_size; lowest fit in O(log n); FL/LE/RE/NE splits; merge on free
 *   nodes     6.9+ (as in 6.18): per-node pools of exactly sized free areas (last purged, first
 *             out) in front of the augmented tree; the allocating CPU picks the node
 * The lowest_fit variants (list, rbtree, rbtree_cache, augmented) return the same address for the same
 * request sequence: the lowest address in [vstart, vend) where an `align`-aligned block of `size` bytes fits.
 * nodes does not (vmlist_nodes.h says what it does). Laziness (areas freed but not yet purged) is the vmalloc
 * layer's business: to a vmlist an area is busy until freed; a purge is bracketed by vmlist_purge_begin/end
 * so a variant that cares (nodes) sees it as one batch. */
#ifndef VMLIST_H
#define VMLIST_H

#include "core/mm_types.h"

struct vmlist_cfg {
	u64 vstart, vend;  /* the space managed: [vstart, vend) */
	bool cached_hole;  /* rbtree only: the later free_vmap_cache shortcut */
	unsigned nr_nodes; /* nodes only: nr_vmap_nodes, 1..VMLIST_MAX_NODES (0 acts as 1) */
};

#define VMLIST_MAX_NODES 128 /* the kernel clamps nr_vmap_nodes to 1..128 */

/* One normalised request, as the CPU-aware ops see it: size a non-zero page multiple, align a
 * power of two >= PAGE_SIZE, [vstart, vend) page-granular inside the space. */
struct vmlist_req {
	u64 size, align, vstart, vend;
	unsigned cpu; /* the allocating CPU (nodes: node = cpu % nr_nodes) */
	bool filling; /* place during a purge: the pools were still being filled, entries ahead of
		       * the one taken came after it (nothing was decayed) */
};

/* Where an area comes from (predict) or came from (place). */
enum vmlist_src {
	VMLIST_SRC_TREE,       /* the free tree (every variant but nodes' pool hits) */
	VMLIST_SRC_POOL,       /* the head of the node's pool of that size */
	VMLIST_SRC_POOL_DEEP,  /* place: deeper in the same pool; the entries ahead were decayed */
	VMLIST_SRC_POOL_OTHER, /* place: another node's or size's pool */
	VMLIST_SRC_HIDDEN,     /* place: a slot known not to be in the kernel's tree (a pool's) */
	VMLIST_SRC_DECAYED,    /* place: a pool entry the model had decayed and the kernel had not */
	VMLIST_SRC_NR
};

struct vmlist_pick {
	u64 addr;
	u32 node; /* nodes: the node asked (cpu % nr_nodes); 0 otherwise */
	u8 src;	  /* enum vmlist_src */
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
	bool lowest_fit; /* every answer is the lowest fit: such variants agree with each other */
	/* Optional (NULL: the wrapper does the generic thing or refuses with -EOPNOTSUPP). */
	/* CPU-aware allocation; used instead of alloc when present. 0 or -ENOMEM. */
	int (*alloc_req)(void *priv, const struct vmlist_req *rq, u64 *addr);
	/* Where alloc_req would put the area, changing nothing (visits not counted). */
	int (*predict)(void *priv, const struct vmlist_req *rq, struct vmlist_pick *pick);
	/* Reserve exactly [addr, addr + size) as the kernel did for rq (follow mode), updating
	 * what the kernel's choice reveals. 0 with *how, -EBUSY (overlaps a busy area). */
	int (*place)(void *priv, const struct vmlist_req *rq, u64 addr, struct vmlist_pick *how);
	/* A purge starts (frees until purge_end are its areas; full: reclaim after a failure) and
	 * ends. */
	void (*purge_begin)(void *priv, bool full);
	int (*purge_end)(void *priv);
	/* The busy area at addr was allocated on cpu (learned after seeding); full: in the full
	 * window; guess: nothing traced named it (a seeded area's owner by its address), so follow
	 * mode may revise it when the kernel's choices contradict it. */
	void (*set_owner)(void *priv, u64 addr, unsigned cpu, bool full, bool guess);
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
/* The same on behalf of a CPU (nodes picks the node from it; others ignore it). */
int vmlist_alloc_cpu(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, unsigned cpu, u64 *addr);
/* Follow mode. vmlist_predict: where vmlist_alloc_cpu would put the area (nothing changes);
 * vmlist_place: reserve [addr, addr + size) where the kernel put it (counted as an allocation).
 * Both normalise as vmlist_alloc. 0; -EINVAL; -ENOMEM (predict: no fit); -EBUSY (place: the
 * range overlaps a busy area); -EOPNOTSUPP (the variant cannot). */
int vmlist_predict(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, unsigned cpu,
		   struct vmlist_pick *pick);
int vmlist_place(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, unsigned cpu, u64 addr,
		 struct vmlist_pick *how);
/* place while a purge is filling the pools (the kernel reused a lazily freed area before the
 * purge's event): an entry taken deep in its pool does not mean the entries ahead were decayed. */
int vmlist_place_filling(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, unsigned cpu, u64 addr,
			 struct vmlist_pick *how);
/* Make [start, start + size) busy (seeding from a snapshot): 0, or -EBUSY when any of it is not
 * free, -EINVAL when it is not page-aligned inside the space. Counted as an allocation. */
int vmlist_reserve(struct vmlist *v, u64 start, u64 size);
/* Bracket a purge: the vmlist_free calls in between release its areas. full: the reclaim after
 * a failed allocation. No-ops for variants without the hooks. */
void vmlist_purge_begin(struct vmlist *v, bool full);
int vmlist_purge_end(struct vmlist *v);
/* See vmlist_ops.set_owner; a no-op for variants without it. */
void vmlist_set_owner(struct vmlist *v, u64 addr, unsigned cpu, bool full, bool guess);
/* Release the busy area starting at addr: 0 with *size (may be NULL), or -ENOENT for a
 * misaligned, unknown or already freed address (counted in bad_frees, nothing changes). */
int vmlist_free(struct vmlist *v, u64 addr, u64 *size);
/* The variant's full invariant check plus the wrapper's counters: 0 or -EUCLEAN. */
int vmlist_check(const struct vmlist *v);

#endif
