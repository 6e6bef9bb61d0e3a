/* vmlist "nodes": the vmap-node design of Linux 6.9+ (Uladzislau Rezki, "Mitigate a vmap lock
 * contention"), as in 6.18's mm/vmalloc.c. What the model does, function by function:
 *  - alloc (alloc_vmap_area -> node_alloc): only for the full window ([vstart, vend) == the
 *    space) and nr_nodes > 1, the node is cpu % nr_nodes; node_pool_del_va looks at the first
 *    entry of that node's pool for the area's exact page count (pages - 1 = pool index, < 256):
 *    aligned, it is taken; not aligned, it moves to the tail and the pool misses. On a miss the
 *    global free tree gives the lowest block that fits, searched with size + align - 1 when
 *    align > PAGE_SIZE and the window is not exactly the size (adjust_search_size). The area
 *    remembers the node (its vn_id) only when it came through node_alloc.
 *  - free of a busy area outside a purge (free_vmap_area: an unwound allocation, or an eager or
 *    range TLB policy that needs no purge): back to the free tree, merging.
 *  - purge (vmlist_purge_begin, the frees, vmlist_purge_end = __purge_vmap_area_lazy): first
 *    every node's pools give their first len >> 2 entries (all when full) back to the tree
 *    (decay_va_pool_node); then each node's purged areas, in address order, go to the head of
 *    their pool (so the highest address is first out), or back to the tree when the area has no
 *    valid node, is too big for a pool, or the purge is full (purge_vmap_node). The node of a
 *    purged area is its vn_id when valid, else addr_to_node (free_vmap_area_noflush).
 *  - The tree search is defined without the tree's shape: among free blocks of at least the
 *    search length, the lowest where the request fits. The kernel's descent can also return a
 *    smaller block that happens to lie on its path when align > PAGE_SIZE; that depends on the
 *    rbtree's shape (boot history) and is not modelled.
 * Follow mode (place) and what it learns from the kernel's choices: see vmlist_nodes_follow.c. */
#ifndef VMLIST_NODES_H
#define VMLIST_NODES_H

#include "core/kva/vmlist.h"

#define VMLIST_NODES_POOLS 256		      /* MAX_VA_SIZE_PAGES */
#define VMLIST_NODES_ZONE (16 * MM_PAGE_SIZE) /* vmap_zone_size */
#define VMLIST_NODES_NONE 0xffffffffu	      /* no valid vn_id */

/* Counters of the nodes variant (zero for the others), for tests and the fidelity report. */
struct vmlist_nodes_stats {
	u64 pool_hits;	    /* allocations served by a pool head */
	u64 pool_rotates;   /* unaligned pool heads moved to the tail */
	u64 decayed;	    /* pool entries given back to the tree by purges */
	u64 pooled;	    /* purged areas put at a pool head */
	u64 purges;	    /* purge_end calls */
	u64 hidden;	    /* follow: slots hidden (known not to be in the kernel's tree) */
	u64 resynced;	    /* follow: pool entries dropped to the tree because the kernel skipped them */
	u64 undecayed;	    /* follow: decayed entries back in their pool: the kernel decayed fewer */
	u64 owners_learned; /* follow: entries of a guessed owner the kernel skipped: moved to the
			     * other node's pool (two nodes) or hidden */
	u64 hunts;	    /* follow: the kernel's tree picks over a hidden slot (a decayed pool's):
			     * its pool hunts (vmlist_nodes_follow.c) */
};

/* The node addr_to_node picks for an address. */
static inline unsigned vmlist_nodes_addr_node(u64 addr, unsigned nr_nodes)
{
	return (unsigned)((addr / VMLIST_NODES_ZONE) % (nr_nodes ? nr_nodes : 1));
}

/* What an address range is, for vmlist_nodes_walk. */
enum vmlist_nodes_kind { VMLIST_NODES_FREE, VMLIST_NODES_BUSY, VMLIST_NODES_POOL, VMLIST_NODES_HIDDEN };
/* Every object of the space in address order: cb(arg, start, end, kind, node) with node the
 * busy area's vn_id (or VMLIST_NODES_NONE), the pool entry's node, the hidden slot's pool's
 * node when follow mode learned it, else VMLIST_NODES_NONE. */
void vmlist_nodes_walk(const struct vmlist *v, void (*cb)(void *arg, u64 start, u64 end, int kind, u32 node),
		       void *arg);

/* The nodes counters of v, or NULL when v is another variant. */
const struct vmlist_nodes_stats *vmlist_nodes_stats(const struct vmlist *v);
/* Copy the starts of pool (node, idx) from head to tail into out[0..max): the pool's length. */
u64 vmlist_nodes_pool(const struct vmlist *v, unsigned node, unsigned idx, u64 *out, u64 max);

#endif
