/* The vmalloc address space allocator ("vmlist"), three generations behind one ops table:
 *   list      2.4: struct vm_struct on a singly linked list sorted by address, first fit by
 *             linear scan, linear lookup on free
 *   rbtree    2.6.28: busy areas in an rbtree keyed by address plus a sorted list; descend to
 *             the first area at or above vstart, then walk the list for a gap (optionally the
 *             later cached-hole shortcut)
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
	u64 visits; /* nodes examined (list entries, tree nodes) by alloc and free */
	u64 allocs, frees;
	u64 failures;  /* no fit in [vstart, vend) */
	u64 bad_frees; /* free of an address that is not the start of a busy area */
	u64 live;      /* busy areas now */
	u64 splits[4]; /* augmented: FL, LE, RE, NE fits */
	u64 merges;    /* augmented: free blocks merged with a neighbour on free */
};

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

extern const struct vmlist_ops *const vmlist_variants[]; /* NULL-terminated registry */
const struct vmlist_ops *vmlist_find(const char *name);

/* A vmlist instance: the ops, their private state and the counters. */
struct vmlist {
	const struct vmlist_ops *ops;
	void *priv;
	struct vmlist_stats st;
};

int vmlist_init(struct vmlist *v, const struct vmlist_ops *ops, const struct vmlist_cfg *cfg);
void vmlist_fini(struct vmlist *v);
int vmlist_alloc(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr);
int vmlist_free(struct vmlist *v, u64 addr, u64 *size);
int vmlist_check(const struct vmlist *v);

#endif
