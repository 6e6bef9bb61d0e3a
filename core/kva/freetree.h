/* The free-space tree of vmalloc since Linux 5.2 (Uladzislau Rezki, 68ad4a330433; mm/vmalloc.c
 * free_vmap_area_root): free blocks in an rbtree by address, each node keeping the largest block
 * of its subtree (subtree_max_size), so the lowest block that holds a request is found in
 * O(log n); a fit is classified FL/LE/RE/NE and the block removed, trimmed or split; a block
 * given back merges with its free neighbours. Beside it, the used tree: every other area of the
 * space (busy, pooled...) by address, in the same node type, so an area moves between the two.
 * Shared by the vmlist variants augmented (5.2) and nodes (6.9+), as the kernel shares one.
 * Not part of the public API. */
#ifndef FREETREE_H
#define FREETREE_H

#include "core/lib/bsd_tree.h"

#include "core/lib/objpool.h"
#include "core/kva/vmlist.h"

struct freetree_node {
	u64 start, end;		    /* [start, end), page-aligned, end > start */
	u64 max;		    /* free tree only: the largest end - start in this subtree */
	RB_ENTRY(freetree_node) rb; /* in the free tree or the used tree, never both */
};

RB_HEAD(freetree_free, freetree_node);
RB_HEAD(freetree_used, freetree_node);

struct freetree {
	struct freetree_free free; /* free blocks: disjoint, sorted, never adjacent (merged) */
	struct freetree_used used; /* the other areas, by start */
	struct objpool *pool;	   /* nodes come from and go back here: each of its objects holds a
				    * struct freetree_node as its first member */
	struct vmlist_stats *st;   /* splits and merges are counted here */
};

/* A search of the free tree (find_vmap_lowest_match): the lowest block of at least length bytes
 * in which size bytes aligned to align fit at or above vstart and below vend. length is size,
 * or size + align - 1 where the kernel adjusts the search size. vend bounds the search: 6.9+
 * stops at vend; 5.2 searched the whole tree and checked vend after the match, which is
 * vend = UINT64_MAX here (the visits differ when the lowest fit lies above vend). */
struct freetree_req {
	u64 length, size, align, vstart, vend;
};

void freetree_init(struct freetree *t, struct objpool *pool, struct vmlist_stats *st);

/* --- free tree --- */
/* The lowest block holding rq (NULL: none), *at = where; each node looked at adds one to
 * *visits (visits may be NULL). */
struct freetree_node *freetree_lowest(struct freetree *t, const struct freetree_req *rq, u64 *at,
				      u64 *visits);
/* The free block holding [a, a + size), or NULL. */
struct freetree_node *freetree_holding(struct freetree *t, u64 a, u64 size);
/* Take [a, a + size) out of free block fb, which holds it; counts the fit type in st->splits.
 * *split: the block made right of the area (NE fit) or NULL. 0, or -ENOMEM (host) with the tree
 * unchanged. */
int freetree_clip(struct freetree *t, struct freetree_node *fb, u64 a, u64 size,
		  struct freetree_node **split);
/* Give n's range back, merging with its free neighbours (st->merges): n is inserted, or put back
 * in the pool when merged; it must be in neither tree. The neighbour search adds one to *visits
 * per node looked at (visits may be NULL). Returns the block that now holds n's range. */
struct freetree_node *freetree_add(struct freetree *t, struct freetree_node *n, u64 *visits);
struct freetree_node *freetree_free_first(struct freetree *t);
struct freetree_node *freetree_free_next(struct freetree *t, struct freetree_node *n);

/* --- used tree --- */
/* The area starting at start, or NULL; each node looked at (the match included) adds one to
 * *visits (visits may be NULL). */
struct freetree_node *freetree_used_find(struct freetree *t, u64 start, u64 *visits);
/* The area with the highest start at or below addr, or NULL. */
struct freetree_node *freetree_used_floor(struct freetree *t, u64 addr);
void freetree_used_insert(struct freetree *t, struct freetree_node *n);
void freetree_used_remove(struct freetree *t, struct freetree_node *n);
struct freetree_node *freetree_used_first(struct freetree *t);
struct freetree_node *freetree_used_next(struct freetree *t, struct freetree_node *n);

/* 0, or -EUCLEAN when a red-black rule, a parent link or a free node's max is wrong. */
int freetree_check(const struct freetree *t);

#endif
