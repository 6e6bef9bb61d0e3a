/* The augmented free-space tree and its used tree (freetree.h). */
#include <errno.h>

#include "core/kva/freetree.h"
#include "core/kva/vmlist_priv.h"

static int ft_cmp(const struct freetree_node *a, const struct freetree_node *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

static inline u64 ft_max(const struct freetree_node *n)
{
	return n ? n->max : 0;
}

/* Recompute one node's max from its children (which must be up to date). */
static inline void ft_augment(struct freetree_node *n)
{
	u64 m = MM_MAX(n->end - n->start, ft_max(RB_LEFT(n, rb)));
	n->max = MM_MAX(m, ft_max(RB_RIGHT(n, rb)));
}

/* The used tree is generated with tree.h's no-op RB_AUGMENT; the free tree with ours. RB_AUGMENT
 * is expanded where RB_GENERATE is used, so redefining it between the two is enough. tree.h
 * augments only the nodes its rotations touch and the direct parent on insert and remove, so
 * ft_propagate() finishes the path to the root after each structural change. */
RB_GENERATE_STATIC(freetree_used, freetree_node, rb, ft_cmp)
#undef RB_AUGMENT
#define RB_AUGMENT(x) ft_augment(x)
RB_GENERATE_STATIC(freetree_free, freetree_node, rb, ft_cmp)

static void ft_propagate(struct freetree_node *n)
{
	for (; n; n = RB_PARENT(n, rb))
		ft_augment(n);
}

void freetree_init(struct freetree *t, struct objpool *pool, struct vmlist_stats *st)
{
	RB_INIT(&t->free);
	RB_INIT(&t->used);
	t->pool = pool;
	t->st = st;
}

static void ft_insert(struct freetree *t, struct freetree_node *n)
{
	freetree_free_RB_INSERT(&t->free, n);
	ft_propagate(n);
}

static void ft_remove(struct freetree *t, struct freetree_node *n)
{
	/* The deepest position whose subtree changes: the successor's old parent when n has two
	 * children (the successor moves up into n's place), else n's parent. */
	struct freetree_node *from = RB_PARENT(n, rb);
	if (RB_LEFT(n, rb) && RB_RIGHT(n, rb)) {
		struct freetree_node *s = RB_RIGHT(n, rb);
		while (RB_LEFT(s, rb))
			s = RB_LEFT(s, rb);
		from = RB_PARENT(s, rb) == n ? s : RB_PARENT(s, rb);
	}
	freetree_free_RB_REMOVE(&t->free, n);
	ft_propagate(from);
}

/* is_within_this_va: where the request starts in n, if it fits there (below vend too). */
static bool ft_fits(const struct freetree_node *n, const struct freetree_req *rq, u64 *at)
{
	u64 a;
	if (n->end - n->start < rq->length || !vmlist_align_up(MM_MAX(n->start, rq->vstart), rq->align, &a))
		return false;
	*at = a;
	return vmlist_fits_below(a, rq->size, n->end) && vmlist_fits_below(a, rq->size, rq->vend);
}

/* In-order walk of the subtrees whose largest block reaches length; a left subtree is skipped
 * when n starts at or below vstart (its blocks end at or below n's start). Climbing back from
 * a left child resumes at the parent; from a right child the parent is done. Every block
 * reached is checked exactly, so the result is the lowest fit, as a linear scan of the free
 * blocks would find (the kernel's DEBUG_AUGMENT_LOWEST_MATCH_CHECK); with align == PAGE_SIZE
 * the walk stays O(log n), larger alignments may backtrack over blocks too small once aligned. */
struct freetree_node *freetree_lowest(struct freetree *t, const struct freetree_req *rq, u64 *at, u64 *visits)
{
	u64 seen = 0, length = rq->length, vend = rq->vend;
	struct freetree_node *n = RB_ROOT(&t->free), *found = NULL;
	if (ft_max(n) < length)
		n = NULL;
	while (n && !found) {
		seen++;
		struct freetree_node *l = RB_LEFT(n, rb), *r = RB_RIGHT(n, rb);
		if (ft_max(l) >= length && rq->vstart < n->start) {
			n = l;
			continue;
		}
		if (ft_fits(n, rq, at)) {
			found = n;
			break;
		}
		if (n->start >= vend)
			break;
		if (ft_max(r) >= length) {
			n = r;
			continue;
		}
		for (;;) {
			struct freetree_node *child = n;
			n = RB_PARENT(n, rb);
			if (!n)
				break;
			if (child != RB_LEFT(n, rb))
				continue;
			seen++;
			if (ft_fits(n, rq, at)) {
				found = n;
				break;
			}
			if (n->start >= vend) {
				n = NULL;
				break;
			}
			if (ft_max(RB_RIGHT(n, rb)) >= length) {
				n = RB_RIGHT(n, rb);
				break;
			}
		}
	}
	if (visits)
		*visits += seen;
	return found;
}

struct freetree_node *freetree_holding(struct freetree *t, u64 a, u64 size)
{
	struct freetree_node *n = RB_ROOT(&t->free);
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

int freetree_clip(struct freetree *t, struct freetree_node *fb, u64 a, u64 size, struct freetree_node **split)
{
	u64 end = a + size;
	int type = fb->start == a ? (fb->end == end ? VMLIST_FIT_FL : VMLIST_FIT_LE)
				  : (fb->end == end ? VMLIST_FIT_RE : VMLIST_FIT_NE);
	*split = NULL;
	switch (type) {
	case VMLIST_FIT_FL:
		ft_remove(t, fb);
		objpool_put(t->pool, fb);
		break;
	case VMLIST_FIT_LE: /* the block keeps its place in the order: nothing lies in between */
		fb->start = end;
		ft_propagate(fb);
		break;
	case VMLIST_FIT_RE:
		fb->end = a;
		ft_propagate(fb);
		break;
	default: {
		struct freetree_node *right = objpool_get(t->pool);
		if (!right)
			return -ENOMEM;
		right->start = end;
		right->end = fb->end;
		fb->end = a;
		ft_propagate(fb);
		ft_insert(t, right);
		*split = right;
		break;
	}
	}
	t->st->splits[type]++;
	return 0;
}

struct freetree_node *freetree_add(struct freetree *t, struct freetree_node *va, u64 *visits)
{
	/* The free neighbours: the last block below va and the first above. */
	struct freetree_node *prev = NULL, *next = NULL;
	u64 seen = 0;
	for (struct freetree_node *n = RB_ROOT(&t->free); n;) {
		seen++;
		if (n->start < va->start) {
			prev = n;
			n = RB_RIGHT(n, rb);
		} else {
			next = n;
			n = RB_LEFT(n, rb);
		}
	}
	if (visits)
		*visits += seen;
	bool left = prev && prev->end == va->start, right = next && next->start == va->end;
	if (left && right) {
		prev->end = next->end;
		ft_remove(t, next);
		objpool_put(t->pool, next);
		ft_propagate(prev);
		objpool_put(t->pool, va);
		t->st->merges += 2;
		return prev;
	}
	if (left) {
		prev->end = va->end;
		ft_propagate(prev);
		objpool_put(t->pool, va);
		t->st->merges++;
		return prev;
	}
	if (right) {
		next->start = va->start;
		ft_propagate(next);
		objpool_put(t->pool, va);
		t->st->merges++;
		return next;
	}
	ft_insert(t, va);
	return va;
}

struct freetree_node *freetree_free_first(struct freetree *t)
{
	return RB_MIN(freetree_free, &t->free);
}

struct freetree_node *freetree_free_next(struct freetree *t, struct freetree_node *n)
{
	return RB_NEXT(freetree_free, &t->free, n);
}

struct freetree_node *freetree_used_find(struct freetree *t, u64 start, u64 *visits)
{
	struct freetree_node *n = RB_ROOT(&t->used);
	u64 seen = 0;
	while (n) {
		seen++;
		if (n->start == start)
			break;
		n = start < n->start ? RB_LEFT(n, rb) : RB_RIGHT(n, rb);
	}
	if (visits)
		*visits += seen;
	return n;
}

struct freetree_node *freetree_used_floor(struct freetree *t, u64 addr)
{
	struct freetree_node *n = RB_ROOT(&t->used), *best = NULL;
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

void freetree_used_insert(struct freetree *t, struct freetree_node *n)
{
	freetree_used_RB_INSERT(&t->used, n);
}

void freetree_used_remove(struct freetree *t, struct freetree_node *n)
{
	freetree_used_RB_REMOVE(&t->used, n);
}

struct freetree_node *freetree_used_first(struct freetree *t)
{
	return RB_MIN(freetree_used, &t->used);
}

struct freetree_node *freetree_used_next(struct freetree *t, struct freetree_node *n)
{
	return RB_NEXT(freetree_used, &t->used, n);
}

/* Black height, or -1 when a red-black rule, a parent link or (free tree) a max is wrong. */
static int ft_check_rb(const struct freetree_node *n, const struct freetree_node *parent, bool aug)
{
	if (!n)
		return 1;
	if (RB_PARENT(n, rb) != parent)
		return -1;
	if (RB_COLOR(n, rb) == RB_RED && parent && RB_COLOR(parent, rb) == RB_RED)
		return -1;
	const struct freetree_node *l = RB_LEFT(n, rb), *r = RB_RIGHT(n, rb);
	if (aug && n->max != MM_MAX(n->end - n->start, MM_MAX(ft_max(l), ft_max(r))))
		return -1;
	int hl = ft_check_rb(l, n, aug), hr = ft_check_rb(r, n, aug);
	if (hl < 0 || hl != hr)
		return -1;
	return hl + (RB_COLOR(n, rb) == RB_BLACK);
}

int freetree_check(const struct freetree *t)
{
	if (ft_check_rb(RB_ROOT(&t->free), NULL, true) < 0 || ft_check_rb(RB_ROOT(&t->used), NULL, false) < 0)
		return -EUCLEAN;
	return 0;
}
