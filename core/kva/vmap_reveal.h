/* What a recording has revealed of the kernel's vmalloc space, and so how many of its
 * allocations a model can be held to (docs/vmalloc-fidelity.md, "the ceiling").
 *
 * An address is revealed once the start snapshot lists an area there, the trace allocates or
 * frees one there, or the model named it from the kernel's earlier choices (follow mode: a
 * hidden slot, a space a tree pick above it showed a pool held). Each traced allocation after
 * the trace's first purge event is classed: at a revealed address (SEEN); at a new address a
 * pool could have held (NEW_POOL: the full window, at most 256 pages, more than one vmap node);
 * at a new address only the free tree could give (NEW_TREE). A NEW_POOL allocation either took
 * an entry of a pool the recording never showed or was the free tree's lowest fit. Between two
 * purges nothing returns space to the tree (the kernel's tree only gains space in purges:
 * decays and areas too big for a pool; the untraced vmap-node shrinker is assumed not to run),
 * so the tree's lowest fit for one request shape (size, align) never descends: of the NEW_POOL
 * allocations of one shape within one purge interval, the tree picks form a non-decreasing
 * subsequence. Over the ones the model missed, n minus the longest such subsequence is a lower
 * bound on its misses at never-shown pool entries (unrevealed): those are excused. (Over all of
 * them it would bound the never-shown entries taken, but a model can name some from the order
 * a pool hands out a batch it never saw: that count is no ceiling.) For align > PAGE_SIZE the
 * kernel's tree descent can return a smaller block on its path (vmlist_nodes.h); that is
 * assumed rare (never observed). */
#ifndef VMAP_REVEAL_H
#define VMAP_REVEAL_H

#include "core/lib/hmap.h"

enum vmap_cls { VMAP_CLS_SEEN, VMAP_CLS_NEW_POOL, VMAP_CLS_NEW_TREE, VMAP_CLS_NR };

struct vmap_reveal_stats {
	u64 n[VMAP_CLS_NR], exact[VMAP_CLS_NR]; /* warm allocations per class; exact ones */
	u64 unrevealed; /* missed NEW_POOL ones that were never-shown pool entries, at least */
	bool failed;	/* out of host memory: the counts are incomplete */
};

/* The NEW_POOL addresses of one request shape in the current purge interval: the tails of the
 * longest non-decreasing subsequence (patience sorting). */
struct vmap_reveal_shape {
	u64 size, align, n;
	u64 *tail, ntail, cap;
};

struct vmap_reveal {
	struct hmap seen; /* revealed starts */
	bool ready;	  /* seen initialised */
	struct vmap_reveal_shape *shape;
	u64 nshape, shape_cap;
	struct vmap_reveal_stats st; /* unrevealed: closed intervals only */
};

void vmap_reveal_fini(struct vmap_reveal *r);
/* addr has been revealed (a snapshot area, a skipped event). Out of host memory: st.failed. */
void vmap_reveal_note(struct vmap_reveal *r, u64 addr);
/* A traced allocation at addr: classed when warm (exact: the model named it), then revealed. */
void vmap_reveal_alloc(struct vmap_reveal *r, u64 addr, u64 size, u64 align, bool pool_size, bool warm,
		       bool exact);
/* The trace's purge event: the tree may gain space, the interval closes. */
void vmap_reveal_purge(struct vmap_reveal *r);
/* The counts so far, the open interval's bound included. */
void vmap_reveal_read(const struct vmap_reveal *r, struct vmap_reveal_stats *out);

#endif
