/* The nodes variant's two trees: the global free tree (rbtree by address, each node keeping the
 * largest free block of its subtree, as the kernel's free_vmap_area_root) and the used tree of
 * every other object (busy areas, pool entries, hidden slots) by address. */
#include <errno.h>

#include "vmlist_nodes_priv.h"

static int nva_cmp(const struct nva *a, const struct nva *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

static inline u64 nva_max(const struct nva *n)
{
	return n ? n->max : 0;
}

static inline void nva_augment(struct nva *n)
{
	u64 m = MM_MAX(n->end - n->start, nva_max(RB_LEFT(n, rb)));
	n->max = MM_MAX(m, nva_max(RB_RIGHT(n, rb)));
}

/* The used tree takes tree.h's no-op RB_AUGMENT; the free tree ours (expanded at RB_GENERATE).
 * tree.h augments only what its rotations touch, so nva_propagate finishes the path. */
RB_GENERATE_STATIC(nva_used, nva, rb, nva_cmp)
#undef RB_AUGMENT
#define RB_AUGMENT(x) nva_augment(x)
RB_GENERATE_STATIC(nva_free, nva, rb, nva_cmp)

static void nva_propagate(struct nva *n)
{
	for (; n; n = RB_PARENT(n, rb))
		nva_augment(n);
}

void nodes_tree_init(struct nodes *m)
{
	RB_INIT(&m->free);
	RB_INIT(&m->used);
}

struct nva *nodes_used_find(struct nodes *m, u64 start)
{
	struct nva key = {.start = start};
	return nva_used_RB_FIND(&m->used, &key);
}

struct nva *nodes_used_floor(struct nodes *m, u64 addr)
{
	struct nva *n = RB_ROOT(&m->used), *best = NULL;
	while (n) {
		if (n->start <= addr) {
			best = n;
			n = RB_RIGHT(n, rb);
		} else {
			n = RB_LEFT(n, rb);
		}
	}
	return best;
}

void nodes_used_insert(struct nodes *m, struct nva *n)
{
	nva_used_RB_INSERT(&m->used, n);
}

void nodes_used_remove(struct nodes *m, struct nva *n)
{
	nva_used_RB_REMOVE(&m->used, n);
}

static void nodes_free_insert(struct nodes *m, struct nva *n)
{
	n->state = NVA_FREE;
	nva_free_RB_INSERT(&m->free, n);
	nva_propagate(n);
}

static void nodes_free_remove(struct nodes *m, struct nva *n)
{
	/* The deepest position whose subtree changes: the successor's old parent when n has two
	 * children (the successor moves up into n's place), else n's parent. */
	struct nva *from = RB_PARENT(n, rb);
	if (RB_LEFT(n, rb) && RB_RIGHT(n, rb)) {
		struct nva *s = RB_RIGHT(n, rb);
		while (RB_LEFT(s, rb))
			s = RB_LEFT(s, rb);
		from = RB_PARENT(s, rb) == n ? s : RB_PARENT(s, rb);
	}
	nva_free_RB_REMOVE(&m->free, n);
	nva_propagate(from);
}

struct nva *nodes_free_holding(struct nodes *m, u64 a, u64 size)
{
	struct nva *n = RB_ROOT(&m->free);
	while (n) {
		if (a < n->start)
			n = RB_LEFT(n, rb);
		else if (a >= n->end)
			n = RB_RIGHT(n, rb);
		else
			return vmlist_fits_below(a, size, n->end) ? n : NULL;
	}
	return NULL;
}

/* is_within_this_va: where the request starts in n, if it fits there (below vend too). */
static bool nva_fits(const struct nva *n, u64 length, u64 size, u64 align, u64 vstart, u64 vend, u64 *at)
{
	u64 a;
	if (n->end - n->start < length || !vmlist_align_up(MM_MAX(n->start, vstart), align, &a))
		return false;
	*at = a;
	return vmlist_fits_below(a, size, n->end) && vmlist_fits_below(a, size, vend);
}

/* In-order walk of the subtrees whose largest block reaches length; a left subtree is skipped
 * when n starts at or below vstart (its blocks end at or below n's start). Climbing back from
 * a left child resumes at the parent; from a right child the parent is done. */
struct nva *nodes_free_lowest(struct nodes *m, u64 length, u64 size, u64 align, u64 vstart, u64 vend, u64 *at,
			      u64 *visits)
{
	u64 seen = 0;
	struct nva *n = RB_ROOT(&m->free), *found = NULL;
	if (nva_max(n) < length)
		n = NULL;
	while (n && !found) {
		seen++;
		struct nva *l = RB_LEFT(n, rb), *r = RB_RIGHT(n, rb);
		if (nva_max(l) >= length && vstart < n->start) {
			n = l;
			continue;
		}
		if (nva_fits(n, length, size, align, vstart, vend, at)) {
			found = n;
			break;
		}
		if (n->start >= vend)
			break;
		if (nva_max(r) >= length) {
			n = r;
			continue;
		}
		for (;;) {
			struct nva *child = n;
			n = RB_PARENT(n, rb);
			if (!n)
				break;
			if (child != RB_LEFT(n, rb))
				continue;
			seen++;
			if (nva_fits(n, length, size, align, vstart, vend, at)) {
				found = n;
				break;
			}
			if (n->start >= vend) {
				n = NULL;
				break;
			}
			if (nva_max(RB_RIGHT(n, rb)) >= length) {
				n = RB_RIGHT(n, rb);
				break;
			}
		}
	}
	if (visits)
		*visits += seen;
	return found;
}

int nodes_free_clip(struct nodes *m, struct nva *fb, u64 a, u64 size)
{
	u64 end = a + size;
	int type = fb->start == a ? (fb->end == end ? VMLIST_FIT_FL : VMLIST_FIT_LE)
				  : (fb->end == end ? VMLIST_FIT_RE : VMLIST_FIT_NE);
	switch (type) {
	case VMLIST_FIT_FL:
		nodes_free_remove(m, fb);
		objpool_put(&m->objs, fb);
		break;
	case VMLIST_FIT_LE: /* keeps its place in the order: nothing lies in between */
		fb->start = end;
		nva_propagate(fb);
		break;
	case VMLIST_FIT_RE:
		fb->end = a;
		nva_propagate(fb);
		break;
	default: {
		struct nva *right = objpool_get(&m->objs);
		if (!right)
			return -ENOMEM;
		right->start = end;
		right->end = fb->end;
		fb->end = a;
		nva_propagate(fb);
		nodes_free_insert(m, right);
		break;
	}
	}
	m->st->splits[type]++;
	return 0;
}

void nodes_free_add(struct nodes *m, struct nva *va)
{
	struct nva *prev = NULL, *next = NULL;
	for (struct nva *n = RB_ROOT(&m->free); n;) {
		if (n->start < va->start) {
			prev = n;
			n = RB_RIGHT(n, rb);
		} else {
			next = n;
			n = RB_LEFT(n, rb);
		}
	}
	bool left = prev && prev->end == va->start, right = next && next->start == va->end;
	if (left && right) {
		prev->end = next->end;
		nodes_free_remove(m, next);
		objpool_put(&m->objs, next);
		nva_propagate(prev);
		objpool_put(&m->objs, va);
		m->st->merges += 2;
	} else if (left) {
		prev->end = va->end;
		nva_propagate(prev);
		objpool_put(&m->objs, va);
		m->st->merges++;
	} else if (right) {
		next->start = va->start;
		nva_propagate(next);
		objpool_put(&m->objs, va);
		m->st->merges++;
	} else {
		nodes_free_insert(m, va);
	}
}

/* Black height, or -1 when a red-black rule, a parent link or (free tree) a max is wrong. */
static int nva_check_rb(const struct nva *n, const struct nva *parent, bool aug)
{
	if (!n)
		return 1;
	if (RB_PARENT(n, rb) != parent)
		return -1;
	if (RB_COLOR(n, rb) == RB_RED && parent && RB_COLOR(parent, rb) == RB_RED)
		return -1;
	const struct nva *l = RB_LEFT(n, rb), *r = RB_RIGHT(n, rb);
	if (aug && n->max != MM_MAX(n->end - n->start, MM_MAX(nva_max(l), nva_max(r))))
		return -1;
	int hl = nva_check_rb(l, n, aug), hr = nva_check_rb(r, n, aug);
	if (hl < 0 || hl != hr)
		return -1;
	return hl + (RB_COLOR(n, rb) == RB_BLACK);
}

/* Both trees together tile [vstart, vend); no two free blocks touch; states match the trees. */
int nodes_tree_check(struct nodes *m)
{
	if (nva_check_rb(RB_ROOT(&m->free), NULL, true) < 0 ||
	    nva_check_rb(RB_ROOT(&m->used), NULL, false) < 0)
		return -EUCLEAN;
	struct nva *f = RB_MIN(nva_free, &m->free), *u = RB_MIN(nva_used, &m->used);
	u64 pos = m->vstart, busy = 0, bytes = 0, nodes = 0;
	bool last_free = false;
	while (f || u) {
		bool take_free = f && (!u || f->start < u->start);
		struct nva *n = take_free ? f : u;
		if (n->start != pos || n->end <= n->start || n->end > m->vend ||
		    ((n->start | n->end) & ~MM_PAGE_MASK) || (take_free && last_free) ||
		    (take_free != (n->state == NVA_FREE)))
			return -EUCLEAN;
		pos = n->end;
		last_free = take_free;
		nodes++;
		if (take_free) {
			f = RB_NEXT(nva_free, &m->free, f);
			continue;
		}
		if (n->state == NVA_BUSY) {
			busy++;
			bytes += n->end - n->start;
		}
		u = RB_NEXT(nva_used, &m->used, u);
	}
	if (pos != m->vend || busy != m->st->live || bytes != m->st->live_bytes || nodes != m->objs.nr_out)
		return -EUCLEAN;
	return 0;
}

void vmlist_nodes_walk(const struct vmlist *v, void (*cb)(void *arg, u64 start, u64 end, int kind, u32 node),
		       void *arg)
{
	if (v->ops != &vmlist_nodes_ops)
		return;
	struct nodes *m = v->priv;
	struct nva *f = RB_MIN(nva_free, &m->free), *u = RB_MIN(nva_used, &m->used);
	while (f || u) {
		if (f && (!u || f->start < u->start)) {
			cb(arg, f->start, f->end, VMLIST_NODES_FREE, VMLIST_NODES_NONE);
			f = RB_NEXT(nva_free, &m->free, f);
			continue;
		}
		int kind = u->state == NVA_BUSY	  ? VMLIST_NODES_BUSY
			   : u->state == NVA_POOL ? VMLIST_NODES_POOL
						  : VMLIST_NODES_HIDDEN;
		cb(arg, u->start, u->end, kind, kind == VMLIST_NODES_HIDDEN ? VMLIST_NODES_NONE : u->node);
		u = RB_NEXT(nva_used, &m->used, u);
	}
}
