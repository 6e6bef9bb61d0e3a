/* Node edits of the maple variant: put and cut entries, split-free rebalancing after an erase
 * (borrow from a sibling, or merge with one), and the invariant check used by the tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc/vma_maple.h"

void vma_maple_node_free(struct mt_node *n)
{
	if (!n)
		return;
	if (!n->leaf)
		for (unsigned i = 0; i < n->nr; i++)
			vma_maple_node_free(n->slot[i]);
	free(n);
}

struct mt_node *vma_maple_node_new(bool leaf)
{
	struct mt_node *n = calloc(1, sizeof(*n));
	if (n)
		n->leaf = leaf;
	return n;
}

/* Put (pivot, slot) at position i of n, which has room. */
void vma_maple_node_put(struct mt_node *n, unsigned i, u64 pivot, void *slot)
{
	memmove(&n->pivot[i + 1], &n->pivot[i], (n->nr - i) * sizeof(u64));
	memmove(&n->slot[i + 1], &n->slot[i], (n->nr - i) * sizeof(void *));
	n->pivot[i] = pivot;
	n->slot[i] = slot;
	n->nr++;
}

void vma_maple_node_cut(struct mt_node *n, unsigned i)
{
	memmove(&n->pivot[i], &n->pivot[i + 1], (n->nr - i - 1) * sizeof(u64));
	memmove(&n->slot[i], &n->slot[i + 1], (n->nr - i - 1) * sizeof(void *));
	n->nr--;
}

/* n (at depth d of path p, not the root) has fewer than MT_MIN entries: borrow or merge. */
void vma_maple_rebalance(struct vma_maple *t, struct mt_path *p, unsigned d)
{
	while (d > 0) {
		struct mt_node *n = p->node[d], *par = p->node[d - 1];
		unsigned i = p->idx[d - 1];
		if (n->nr >= MT_MIN)
			return;
		struct mt_node *l = i > 0 ? par->slot[i - 1] : NULL;
		struct mt_node *r = i + 1 < par->nr ? par->slot[i + 1] : NULL;
		if (l && l->nr > MT_MIN) {
			if (n->leaf) {
				vma_maple_node_put(n, 0, l->pivot[l->nr - 1], l->slot[l->nr - 1]);
				l->nr--;
				par->pivot[i - 1] = l->pivot[l->nr - 1];
			} else {
				vma_maple_node_put(n, 0, par->pivot[i - 1], l->slot[l->nr - 1]);
				par->pivot[i - 1] = l->pivot[l->nr - 2];
				l->nr--;
			}
			return;
		}
		if (r && r->nr > MT_MIN) {
			if (n->leaf) {
				vma_maple_node_put(n, n->nr, r->pivot[0], r->slot[0]);
				par->pivot[i] = r->pivot[0];
			} else {
				n->pivot[n->nr - 1] = par->pivot[i];
				vma_maple_node_put(n, n->nr, 0, r->slot[0]);
				par->pivot[i] = r->pivot[0];
			}
			vma_maple_node_cut(r, 0);
			return;
		}
		/* merge the pair (a, b) = children k, k+1 of par */
		unsigned k = l ? i - 1 : i;
		struct mt_node *a = par->slot[k], *b = par->slot[k + 1];
		if (!a->leaf)
			a->pivot[a->nr - 1] = par->pivot[k];
		memcpy(&a->pivot[a->nr], b->pivot, b->nr * sizeof(u64));
		memcpy(&a->slot[a->nr], b->slot, b->nr * sizeof(void *));
		a->nr += b->nr;
		if (a->leaf) {
			a->lnext = b->lnext;
			if (b->lnext)
				b->lnext->lprev = a;
		}
		/* drop child k+1: a now covers b's keys, so it takes b's upper bound */
		if (k + 2 < (unsigned)par->nr)
			par->pivot[k] = par->pivot[k + 1];
		memmove(&par->pivot[k + 1], &par->pivot[k + 2], (par->nr - k - 2) * sizeof(u64));
		memmove(&par->slot[k + 1], &par->slot[k + 2], (par->nr - k - 2) * sizeof(void *));
		par->nr--;
		free(b);
		d--;
	}
	/* the root: an internal root with one child hands over to it */
	struct mt_node *root = t->root;
	if (!root->leaf && root->nr == 1) {
		t->root = root->slot[0];
		t->depth--;
		free(root);
	}
}

struct mt_check {
	char *msg;
	size_t msglen;
	unsigned leaf_depth;
	u64 count;
	struct mt_node *last_leaf;
	u64 last_key;
	bool have_key;
};

static int mt_check_node(const struct mt_node *n, unsigned d, u64 lo, u64 hi, bool root, struct mt_check *c)
{
	if (n->nr == 0 || n->nr > MT_SLOTS || (!root && n->nr < MT_MIN)) {
		snprintf(c->msg, c->msglen, "maple: node at depth %u holds %u entries", d, n->nr);
		return -EUCLEAN;
	}
	if (n->leaf) {
		if (c->leaf_depth != d) {
			snprintf(c->msg, c->msglen, "maple: leaf at depth %u, expected %u", d, c->leaf_depth);
			return -EUCLEAN;
		}
		if (n->lprev != c->last_leaf || (c->last_leaf && c->last_leaf->lnext != n)) {
			snprintf(c->msg, c->msglen, "maple: leaf links out of order");
			return -EUCLEAN;
		}
		c->last_leaf = (struct mt_node *)n;
		for (unsigned i = 0; i < n->nr; i++) {
			const struct vma *v = n->slot[i];
			if (n->pivot[i] != v->end - 1 || n->pivot[i] < lo || n->pivot[i] > hi ||
			    (c->have_key && c->last_key >= v->start)) {
				snprintf(c->msg, c->msglen, "maple: leaf pivot %llx out of order or bounds",
					 (unsigned long long)n->pivot[i]);
				return -EUCLEAN;
			}
			c->last_key = n->pivot[i];
			c->have_key = true;
			c->count++;
		}
		return 0;
	}
	for (unsigned i = 0; i < n->nr; i++) {
		u64 clo = i ? n->pivot[i - 1] + 1 : lo, chi = i + 1 < n->nr ? n->pivot[i] : hi;
		if (i + 1 < n->nr &&
		    (n->pivot[i] < lo || n->pivot[i] > hi || (i && n->pivot[i] <= n->pivot[i - 1]))) {
			snprintf(c->msg, c->msglen, "maple: internal pivots out of order at depth %u", d);
			return -EUCLEAN;
		}
		int err = mt_check_node(n->slot[i], d + 1, clo, chi, false, c);
		if (err)
			return err;
	}
	return 0;
}

int vma_maple_check(void *priv, char *msg, size_t msglen)
{
	struct vma_maple *t = priv;
	struct mt_check c = {.msg = msg, .msglen = msglen, .leaf_depth = t->depth - 1};
	if (!t->root) {
		if (t->count) {
			snprintf(msg, msglen, "maple: empty tree, count %llu", (unsigned long long)t->count);
			return -EUCLEAN;
		}
		return 0;
	}
	int err = mt_check_node(t->root, 0, 0, UINT64_MAX, true, &c);
	if (err)
		return err;
	if (c.last_leaf && c.last_leaf->lnext) {
		snprintf(msg, msglen, "maple: last leaf has a successor");
		return -EUCLEAN;
	}
	if (c.count != t->count) {
		snprintf(msg, msglen, "maple: %llu entries, count says %llu", (unsigned long long)c.count,
			 (unsigned long long)t->count);
		return -EUCLEAN;
	}
	return 0;
}
