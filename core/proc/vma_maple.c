/* The `maple` VMA index (6.1+): a B-tree over ranges. Each node holds up to MT_SLOTS entries
 * with pivots (the last address of each range, end - 1) scanned linearly the way the maple tree
 * walks a node; internal pivots bound their children. Nodes split when full and borrow from or
 * merge with a sibling when under half full, so every leaf is at the same depth. Leaves are
 * linked to their neighbours for the VMA walks (the maple tree finds them through its parent
 * pointers instead; the cost counted is one entry per step either way). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc/vma_maple.h"

static int vm_init(void *priv)
{
	memset(priv, 0, sizeof(struct vma_maple));
	return 0;
}

static void vm_reset(void *priv)
{
	((struct vma_maple *)priv)->cur = NULL; /* every syscall starts a fresh ma_state */
}

static void vm_fini(void *priv)
{
	struct vma_maple *t = priv;
	vma_maple_node_free(t->root);
	memset(t, 0, sizeof(*t));
}

/* Slot of an internal node to descend for key. */
/* Pivots of n[0..lim) below key. Pivots are sorted, so this is the position a linear walk
 * stops at; counted without branches (the model counts the walk's visits, not this loop). */
static inline unsigned mt_count_below(const struct mt_node *n, unsigned lim, u64 key)
{
	unsigned c = 0;
	for (unsigned j = 0; j < lim; j++)
		c += n->pivot[j] < key;
	return c;
}

static inline unsigned mt_child(const struct mt_node *n, u64 key, struct vma_stats *st)
{
	unsigned i = mt_count_below(n, n->nr - 1u, key);
	st->find_vma_visits += i + 1;
	return i;
}

/* Walk to the leaf that covers key, recording the path (p may be NULL). */
static struct mt_node *mt_descend(struct vma_maple *t, u64 key, struct mt_path *p, struct vma_stats *st)
{
	struct mt_node *n = t->root;
	unsigned d = 0;
	while (!n->leaf) {
		unsigned i = mt_child(n, key, st);
		if (p) {
			p->node[d] = n;
			p->idx[d] = i;
		}
		d++;
		n = n->slot[i];
	}
	if (p) {
		p->node[d] = n;
		p->depth = d;
	}
	return n;
}

/* First leaf entry with pivot >= key, or n->nr. */
static inline unsigned mt_leaf_pos(const struct mt_node *n, u64 key, struct vma_stats *st)
{
	unsigned i = mt_count_below(n, n->nr, key);
	st->find_vma_visits += i < n->nr ? i + 1 : i;
	return i;
}

/* mas_walk from the current node: the answer is in the cursor's leaf (or starts the next one)
 * when the entry before it lies below addr. NULL when the walk must start from the root. */
static struct vma *mt_find_near(struct vma_maple *t, u64 addr, struct vma_stats *st)
{
	struct mt_node *n = t->cur;
	unsigned i = mt_leaf_pos(n, addr, st);
	if (i == n->nr) {
		if (!n->lnext || n->lnext->pivot[0] < addr)
			return NULL;
		st->find_vma_visits++;
		mt_set_cursor(t, n->lnext, 0);
		return n->lnext->slot[0];
	}
	if (i == 0 && n->lprev && n->lprev->pivot[n->lprev->nr - 1] >= addr)
		return NULL;
	mt_set_cursor(t, n, i);
	return n->slot[i];
}

static struct vma *vm_find(void *priv, u64 addr, struct vma_stats *st)
{
	struct vma_maple *t = priv;
	st->find_vma_calls++;
	if (!t->root)
		return NULL;
	if (t->cur) {
		struct vma *v = mt_find_near(t, addr, st);
		if (v)
			return v;
	}
	struct mt_node *n = mt_descend(t, addr, NULL, st);
	unsigned i = mt_leaf_pos(n, addr, st);
	if (i < n->nr) {
		mt_set_cursor(t, n, i);
		return n->slot[i];
	}
	/* the leaf's keys all lie below addr although its bound does not: the next leaf's first */
	if (n->lnext) {
		st->find_vma_visits++;
		mt_set_cursor(t, n->lnext, 0);
		return n->lnext->slot[0];
	}
	return NULL;
}

static struct vma *vm_first(void *priv, struct vma_stats *st)
{
	struct vma_maple *t = priv;
	if (!t->root)
		return NULL;
	struct mt_node *n = t->root;
	while (!n->leaf) {
		st->find_vma_visits++;
		n = n->slot[0];
	}
	st->find_vma_visits++;
	return n->slot[0];
}

/* Leaf and slot holding v (which must be linked). */
static struct mt_node *mt_locate(struct vma_maple *t, struct vma *v, unsigned *pos, struct mt_path *p,
				 struct vma_stats *st)
{
	struct mt_node *n = mt_descend(t, v->end - 1, p, st);
	unsigned i = mt_leaf_pos(n, v->end - 1, st);
	*pos = i;
	return n;
}

static struct vma *vm_next(void *priv, struct vma *v, struct vma_stats *st)
{
	struct vma_maple *t = priv;
	unsigned i;
	struct mt_node *n;
	if (mt_cursor_on(t, v)) {
		n = t->cur;
		i = t->cur_idx;
	} else {
		n = mt_locate(t, v, &i, NULL, st);
	}
	st->find_vma_visits++;
	if (i + 1 < n->nr) {
		mt_set_cursor(t, n, i + 1);
		return n->slot[i + 1];
	}
	if (!n->lnext)
		return NULL;
	mt_set_cursor(t, n->lnext, 0);
	return n->lnext->slot[0];
}

static struct vma *vm_prev(void *priv, struct vma *v, struct vma_stats *st)
{
	struct vma_maple *t = priv;
	unsigned i;
	struct mt_node *n;
	if (mt_cursor_on(t, v)) {
		n = t->cur;
		i = t->cur_idx;
	} else {
		n = mt_locate(t, v, &i, NULL, st);
	}
	st->find_vma_visits++;
	if (i > 0) {
		mt_set_cursor(t, n, i - 1);
		return n->slot[i - 1];
	}
	if (!n->lprev)
		return NULL;
	mt_set_cursor(t, n->lprev, n->lprev->nr - 1);
	return n->lprev->slot[n->lprev->nr - 1];
}

/* Full node n gains (*piv, *slot) at pos: build the MT_SLOTS + 1 entries, keep the low half
 * in n, move the high half to the fresh node r; *piv becomes the left half's upper bound and
 * *slot r, the entry n's parent gains. */
static void mt_split(struct mt_node *n, unsigned pos, u64 *piv, void **slot, struct mt_node *r)
{
	u64 kp[MT_SLOTS + 1];
	void *ks[MT_SLOTS + 1];
	memcpy(kp, n->pivot, sizeof(n->pivot));
	memcpy(ks, n->slot, sizeof(n->slot));
	unsigned cnt = MT_SLOTS;
	memmove(&kp[pos + 1], &kp[pos], (cnt - pos) * sizeof(u64));
	memmove(&ks[pos + 1], &ks[pos], (cnt - pos) * sizeof(void *));
	if (n->leaf) {
		kp[pos] = *piv;
	} else {
		kp[pos] = kp[pos - 1];
		kp[pos - 1] = *piv;
	}
	ks[pos] = *slot;
	cnt++;
	r->leaf = n->leaf;
	unsigned left = cnt / 2;
	n->nr = (u16)left;
	r->nr = (u16)(cnt - left);
	memcpy(n->pivot, kp, left * sizeof(u64));
	memcpy(n->slot, ks, left * sizeof(void *));
	memcpy(r->pivot, &kp[left], r->nr * sizeof(u64));
	memcpy(r->slot, &ks[left], r->nr * sizeof(void *));
	if (n->leaf) {
		r->lnext = n->lnext;
		r->lprev = n;
		if (n->lnext)
			n->lnext->lprev = r;
		n->lnext = r;
	}
	*piv = kp[left - 1];
	*slot = r;
}

static int vm_insert(void *priv, struct vma *v, struct vma_stats *st)
{
	struct vma_maple *t = priv;
	u64 key = v->end - 1;
	if (!t->root) {
		t->root = vma_maple_node_new(true);
		if (!t->root)
			return -ENOMEM;
		t->depth = 1;
		vma_maple_node_put(t->root, 0, key, v);
		t->count++;
		return 0;
	}
	/* mas_store from the walk state: strictly inside the cursor's leaf, with room */
	struct mt_node *c = t->cur;
	if (c && c->nr < MT_SLOTS && c->nr > 1 && key > c->pivot[0] && key < c->pivot[c->nr - 1]) {
		unsigned pos = mt_leaf_pos(c, key, st);
		vma_maple_node_put(c, pos, key, v);
		mt_set_cursor(t, c, pos);
		t->count++;
		return 0;
	}
	t->cur = NULL;
	struct mt_path p;
	struct mt_node *n = mt_descend(t, key, &p, st);
	/* nodes that may split: allocate first so a host failure leaves the tree intact */
	struct mt_node *spare[MT_MAX_DEPTH + 1];
	unsigned need = 0;
	for (int d = (int)p.depth; d >= 0 && p.node[d]->nr == MT_SLOTS; d--)
		need++;
	if (need == p.depth + 1)
		need++; /* a new root */
	for (unsigned k = 0; k < need; k++) {
		spare[k] = vma_maple_node_new(false);
		if (!spare[k]) {
			while (k--)
				free(spare[k]);
			return -ENOMEM;
		}
	}
	unsigned used = 0;
	u64 piv = key;
	void *slot = v;
	unsigned pos = mt_leaf_pos(n, key, st);
	for (int d = (int)p.depth;; d--) {
		n = p.node[d];
		if (n->nr < MT_SLOTS) {
			if (n->leaf) {
				vma_maple_node_put(n, pos, piv, slot);
				mt_set_cursor(t, n, pos); /* no split: the walk state stays on v */
			} else {
				/* child pos-1 split: the new right half follows it; pivot bounds the left */
				vma_maple_node_put(n, pos, n->pivot[pos - 1], slot);
				n->pivot[pos - 1] = piv;
			}
			break;
		}
		struct mt_node *r = spare[used++];
		mt_split(n, pos, &piv, &slot, r);
		if (d == 0) {
			struct mt_node *root = spare[used++];
			root->leaf = 0;
			root->nr = 2;
			root->slot[0] = n;
			root->slot[1] = r;
			root->pivot[0] = piv;
			t->root = root;
			t->depth++;
			break;
		}
		pos = p.idx[d - 1] + 1;
	}
	while (used < need)
		free(spare[--need]);
	t->count++;
	return 0;
}

static void vm_erase(void *priv, struct vma *v, struct vma_stats *st)
{
	struct vma_maple *t = priv;
	int ci = mt_cursor_slot(t, v);
	if (ci >= 0 && t->cur->nr > MT_MIN) {
		/* from the walk state: the leaf keeps at least half its slots, no rebalancing */
		st->find_vma_visits++;
		vma_maple_node_cut(t->cur, (unsigned)ci);
		t->count--;
		mt_set_cursor(t, t->cur, 0);
		return;
	}
	t->cur = NULL;
	struct mt_path p;
	unsigned i;
	struct mt_node *n = mt_locate(t, v, &i, &p, st);
	if (i >= n->nr || n->slot[i] != v)
		return; /* not linked: check() reports the caller's bug */
	vma_maple_node_cut(n, i);
	t->count--;
	if (n->nr && (p.depth == 0 || n->nr >= MT_MIN))
		mt_set_cursor(t, n, 0); /* the leaf stays: the walk state can stay on it */
	if (p.depth == 0) {
		if (n->nr == 0) {
			free(n);
			t->root = NULL;
			t->depth = 0;
		}
		return;
	}
	vma_maple_rebalance(t, &p, p.depth);
}

static int vm_resize(void *priv, struct vma *v, u64 start, u64 end, struct vma_stats *st)
{
	struct vma_maple *t = priv;
	if (end == v->end) {
		v->start = start; /* the key (end - 1) is unchanged: the tree is untouched */
		return 0;
	}
	/* mas_store of the new range: when the new last address stays within the bounds the
	 * ancestors give this leaf, the pivot changes in place (order among the leaf's entries
	 * cannot change: ranges never overlap) */
	u64 key = end - 1;
	if (mt_cursor_on(t, v)) {
		/* the new last address stays between the leaf's neighbours of v: in place */
		struct mt_node *c = t->cur;
		unsigned ci = t->cur_idx;
		bool down = key < c->pivot[ci];
		if ((down && ci > 0) || (!down && ci + 1 < c->nr)) {
			st->find_vma_visits++;
			c->pivot[ci] = key;
			v->start = start;
			v->end = end;
			return 0;
		}
	}
	struct mt_path p;
	unsigned i;
	struct mt_node *n = mt_locate(t, v, &i, &p, st);
	bool lo_ok = true, hi_ok = true, lo_set = false, hi_set = false;
	for (int d = (int)p.depth - 1; d >= 0 && !(lo_set && hi_set); d--) {
		struct mt_node *a = p.node[d];
		unsigned k = p.idx[d];
		if (!lo_set && k > 0) {
			lo_set = true;
			lo_ok = key > a->pivot[k - 1];
		}
		if (!hi_set && k + 1 < a->nr) {
			hi_set = true;
			hi_ok = key <= a->pivot[k];
		}
	}
	if (i < n->nr && n->slot[i] == v && lo_ok && hi_ok) {
		n->pivot[i] = key;
		v->start = start;
		v->end = end;
		mt_set_cursor(t, n, i);
		return 0;
	}
	vm_erase(t, v, st);
	v->start = start;
	v->end = end;
	return vm_insert(t, v, st);
}

const struct vma_index_ops vma_index_maple = {
	.name = "maple",
	.desc = "B-tree over ranges, 16 slots per node (6.1+)",
	.priv_size = sizeof(struct vma_maple),
	.init = vm_init,
	.fini = vm_fini,
	.reset = vm_reset,
	.find = vm_find,
	.first = vm_first,
	.next = vm_next,
	.prev = vm_prev,
	.insert = vm_insert,
	.erase = vm_erase,
	.resize = vm_resize,
	.check = vma_maple_check,
};
