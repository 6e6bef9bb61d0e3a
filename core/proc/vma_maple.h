/* The maple variant's node layout, shared by vma_maple.c (walks, insert, erase, resize) and
 * vma_maple_node.c (node edits, rebalancing, the invariant check). Private to the variant. */
#ifndef VMA_MAPLE_H
#define VMA_MAPLE_H

#include "core/proc/vma.h"

#define MT_SLOTS 16
#define MT_MIN (MT_SLOTS / 2)
#define MT_MAX_DEPTH 24

struct mt_node {
	/* leaf: slot[i] is a VMA and pivot[i] its end - 1, strictly increasing.
	 * internal: slot[i] is a child whose keys k satisfy pivot[i-1] < k <= pivot[i] (pivot[-1]
	 * = the node's own lower bound, pivot[nr-1] = its upper bound, not stored). */
	u64 pivot[MT_SLOTS];
	void *slot[MT_SLOTS];
	struct mt_node *lprev, *lnext; /* leaves only: neighbouring leaves in key order */
	u16 nr;			       /* entries; >= MT_MIN except in the root */
	u8 leaf;
};

struct vma_maple {
	struct mt_node *root; /* NULL when empty */
	unsigned depth;	      /* levels, 1 = the root is a leaf */
	u64 count;
	/* the walk state (the kernel's ma_state): leaf and slot of the last VMA found, so the
	 * next and previous VMA cost one step; NULL after any change to the tree */
	struct mt_node *cur;
	unsigned cur_idx;
};

static inline void mt_set_cursor(struct vma_maple *t, struct mt_node *n, unsigned i)
{
	t->cur = n;
	t->cur_idx = i;
}

/* Leaf and slot of v when the cursor is on it. */
static inline bool mt_cursor_on(const struct vma_maple *t, const struct vma *v)
{
	return t->cur && t->cur_idx < t->cur->nr && t->cur->slot[t->cur_idx] == v;
}

/* Slot of v in the cursor's leaf when it is at the cursor or just before it, else -1. */
static inline int mt_cursor_slot(const struct vma_maple *t, const struct vma *v)
{
	if (mt_cursor_on(t, v))
		return (int)t->cur_idx;
	if (t->cur && t->cur_idx > 0 && t->cur_idx - 1 < t->cur->nr && t->cur->slot[t->cur_idx - 1] == v)
		return (int)t->cur_idx - 1;
	return -1;
}

struct mt_path {
	struct mt_node *node[MT_MAX_DEPTH];
	unsigned idx[MT_MAX_DEPTH]; /* slot taken in node[d] */
	unsigned depth;
};

struct mt_node *vma_maple_node_new(bool leaf);
void vma_maple_node_free(struct mt_node *n); /* and every node below it */
/* Put (pivot, slot) at position i of n, which has room; remove position i. */
void vma_maple_node_put(struct mt_node *n, unsigned i, u64 pivot, void *slot);
void vma_maple_node_cut(struct mt_node *n, unsigned i);
/* The node at depth d of path p (not the root) has fewer than MT_MIN entries: borrow from a
 * sibling or merge with one, up the path; an internal root left with one child hands over. */
void vma_maple_rebalance(struct vma_maple *t, struct mt_path *p, unsigned d);
/* vma_index_ops.check */
int vma_maple_check(void *priv, char *msg, size_t msglen);

#endif
