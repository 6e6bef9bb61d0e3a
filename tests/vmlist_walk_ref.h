/* The list and rbtree vmlists as they were written before their host representation moved to
 * spans: one node per area, walked node by node, each a visit. Kept as the slow, obvious
 * reference that the fast variants' addresses and visit counters must match exactly. */
#ifndef VMLIST_WALK_REF_H
#define VMLIST_WALK_REF_H

#include <errno.h>

#include "core/lib/objpool.h"
#include "core/kva/vmlist_priv.h"

struct wref_l_area {
	struct wref_l_area *next; /* next busy area, higher address */
	u64 start, end;		  /* [start, end), page-aligned, end > start */
};

struct wref_l {
	struct wref_l_area *head; /* sorted by start, disjoint: a->end <= a->next->start */
	struct objpool pool;
	struct vmlist_stats *st;
	u64 vstart, vend;
};

static int wref_l_init(void *priv, const struct vmlist_cfg *cfg, struct vmlist_stats *st)
{
	struct wref_l *l = priv;
	l->head = NULL;
	objpool_init(&l->pool, sizeof(struct wref_l_area));
	l->st = st;
	l->vstart = cfg->vstart;
	l->vend = cfg->vend;
	return 0;
}

static void wref_l_fini(void *priv)
{
	struct wref_l *l = priv;
	objpool_fini(&l->pool);
	l->head = NULL;
}

/* 2.4 scans from the start of the space whatever vstart is; areas wholly below the candidate
 * are skipped (but visited), an area the candidate runs into moves it past that area. */
static int wref_l_alloc(void *priv, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	struct wref_l *l = priv;
	struct wref_l_area **pp = &l->head, *n;
	u64 a;
	if (!vmlist_align_up(vstart, align, &a) || !vmlist_fits_below(a, size, vend))
		return -ENOMEM;
	for (n = l->head; n; pp = &n->next, n = n->next) {
		l->st->visits++;
		if (n->end <= a)
			continue;
		if (n->start >= a && size <= n->start - a)
			break; /* the gap before n holds [a, a + size) */
		if (!vmlist_align_up(n->end, align, &a) || !vmlist_fits_below(a, size, vend))
			return -ENOMEM;
	}
	struct wref_l_area *na = objpool_get(&l->pool);
	if (!na)
		return -ENOMEM;
	na->start = a;
	na->end = a + size;
	na->next = n;
	*pp = na;
	*addr = a;
	return 0;
}

/* 2.4's vfree walks the whole list comparing addresses (no early stop on sorted order). */
static int wref_l_free(void *priv, u64 addr, u64 *size)
{
	struct wref_l *l = priv;
	for (struct wref_l_area **pp = &l->head, *n; (n = *pp); pp = &n->next) {
		l->st->visits++;
		if (n->start == addr) {
			*pp = n->next;
			*size = n->end - n->start;
			objpool_put(&l->pool, n);
			return 0;
		}
	}
	return -ENOENT;
}

static int wref_l_check(const void *priv)
{
	const struct wref_l *l = priv;
	u64 count = 0, bytes = 0, prev_end = l->vstart;
	for (const struct wref_l_area *n = l->head; n; n = n->next) {
		if (n->start < prev_end || n->end <= n->start || n->end > l->vend ||
		    ((n->start | n->end) & ~MM_PAGE_MASK))
			return -EUCLEAN;
		prev_end = n->end;
		count++;
		bytes += n->end - n->start;
	}
	if (count != l->st->live || bytes != l->st->live_bytes || count != l->pool.nr_out)
		return -EUCLEAN;
	return 0;
}

static const struct vmlist_ops wref_list_ops = {
	.name = "list-ref",
	.desc = "2.4: sorted singly linked list, linear first fit, linear lookup on free",
	.priv_size = sizeof(struct wref_l),
	.init = wref_l_init,
	.fini = wref_l_fini,
	.alloc = wref_l_alloc,
	.free = wref_l_free,
	.check = wref_l_check,
};

#include <errno.h>
#include <sys/queue.h>
#include "core/lib/bsd_tree.h"

#include "core/lib/objpool.h"
#include "core/kva/vmlist_priv.h"

struct wref_r_area {
	u64 start, end; /* [start, end), page-aligned, end > start */
	RB_ENTRY(wref_r_area) rb;
	TAILQ_ENTRY(wref_r_area) list;
};

RB_HEAD(wref_r_tree, wref_r_area);
TAILQ_HEAD(wref_r_list, wref_r_area);

static int wref_r_cmp(const struct wref_r_area *a, const struct wref_r_area *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

RB_GENERATE_STATIC(wref_r_tree, wref_r_area, rb, wref_r_cmp)

struct wref_r {
	struct wref_r_tree root; /* every busy area, keyed by start (areas are disjoint) */
	struct wref_r_list list; /* the same areas in address order */
	struct objpool pool;
	struct vmlist_stats *st;
	u64 vstart, vend;
	bool cached_hole;
	/* free_vmap_cache: when non-NULL, every hole below cache->end and above cached_vstart that an
	 * cached_align-aligned block could start in is shorter than cached_hole_size. */
	struct wref_r_area *cache;
	u64 cached_hole_size, cached_vstart, cached_align;
};

static int wref_r_init(void *priv, const struct vmlist_cfg *cfg, struct vmlist_stats *st)
{
	struct wref_r *r = priv;
	RB_INIT(&r->root);
	TAILQ_INIT(&r->list);
	objpool_init(&r->pool, sizeof(struct wref_r_area));
	r->st = st;
	r->vstart = cfg->vstart;
	r->vend = cfg->vend;
	r->cached_hole = cfg->cached_hole;
	r->cache = NULL;
	r->cached_hole_size = r->cached_vstart = r->cached_align = 0;
	return 0;
}

static void wref_r_fini(void *priv)
{
	struct wref_r *r = priv;
	objpool_fini(&r->pool);
	RB_INIT(&r->root);
	TAILQ_INIT(&r->list);
	r->cache = NULL;
}

/* The lowest area ending above a (the first that can collide with a block at a), or NULL. */
static struct wref_r_area *wref_r_first_above(struct wref_r *r, u64 a)
{
	struct wref_r_area *n = RB_ROOT(&r->root), *first = NULL;
	while (n) {
		r->st->visits++;
		if (n->end > a) {
			first = n;
			if (n->start <= a)
				break;
			n = RB_LEFT(n, rb);
		} else {
			n = RB_RIGHT(n, rb);
		}
	}
	return first;
}

static int wref_r_alloc(void *priv, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	struct wref_r *r = priv;
	struct wref_r_area *first = NULL;
	u64 a;
	bool from_cache = false;

	if (r->cached_hole) {
		/* The kernel invalidates on size < cached_hole_size; a request of exactly the hole's
		 * size fits that hole, so the lowest-fit contract needs <=. */
		if (!r->cache || size <= r->cached_hole_size || vstart < r->cached_vstart ||
		    align < r->cached_align) {
			r->cached_hole_size = 0;
			r->cache = NULL;
		}
		r->cached_vstart = vstart;
		r->cached_align = align;
		if (r->cache) {
			if (!vmlist_align_up(r->cache->end, align, &a))
				return -ENOMEM;
			if (a >= vstart) {
				first = r->cache;
				from_cache = true;
			} else {
				r->cached_hole_size = 0;
				r->cache = NULL;
			}
		}
	}
	if (!from_cache) {
		if (!vmlist_align_up(vstart, align, &a))
			return -ENOMEM;
		first = wref_r_first_above(r, a);
	}
	/* Walk the areas from first, moving the candidate past each one it runs into. */
	for (; first; first = TAILQ_NEXT(first, list)) {
		r->st->visits++;
		if (first->start >= a && size <= first->start - a)
			break;
		if (!vmlist_fits_below(a, size, vend))
			return -ENOMEM;
		if (r->cached_hole && first->start > a && first->start - a > r->cached_hole_size)
			r->cached_hole_size = first->start - a;
		if (!vmlist_align_up(first->end, align, &a))
			return -ENOMEM;
	}
	if (!vmlist_fits_below(a, size, vend))
		return -ENOMEM;

	struct wref_r_area *va = objpool_get(&r->pool);
	if (!va)
		return -ENOMEM;
	va->start = a;
	va->end = a + size;
	wref_r_tree_RB_INSERT(&r->root, va);
	if (first)
		TAILQ_INSERT_BEFORE(first, va, list);
	else
		TAILQ_INSERT_TAIL(&r->list, va, list);
	if (r->cached_hole)
		r->cache = va;
	*addr = a;
	return 0;
}

static int wref_r_free(void *priv, u64 addr, u64 *size)
{
	struct wref_r *r = priv;
	struct wref_r_area *va = RB_ROOT(&r->root);
	while (va && va->start != addr) {
		r->st->visits++;
		va = addr < va->start ? RB_LEFT(va, rb) : RB_RIGHT(va, rb);
	}
	if (!va)
		return -ENOENT;
	r->st->visits++;
	/* __free_vmap_area's cache maintenance: a hole opening at or below the cache moves the
	 * cache below it, so the hole is walked again; one below cached_vstart drops the cache. */
	if (r->cache) {
		if (va->end < r->cached_vstart)
			r->cache = NULL;
		else if (va->start <= r->cache->start)
			r->cache = wref_r_tree_RB_PREV(va);
	}
	wref_r_tree_RB_REMOVE(&r->root, va);
	TAILQ_REMOVE(&r->list, va, list);
	*size = va->end - va->start;
	objpool_put(&r->pool, va);
	return 0;
}

/* Black height of the subtree, or -1 when a red-black rule or a parent link is broken. */
static int wref_r_check_rb(const struct wref_r_area *n, const struct wref_r_area *parent)
{
	if (!n)
		return 1;
	if (RB_PARENT(n, rb) != parent)
		return -1;
	if (RB_COLOR(n, rb) == RB_RED && parent && RB_COLOR(parent, rb) == RB_RED)
		return -1;
	int l = wref_r_check_rb(RB_LEFT(n, rb), n), rr = wref_r_check_rb(RB_RIGHT(n, rb), n);
	if (l < 0 || l != rr)
		return -1;
	return l + (RB_COLOR(n, rb) == RB_BLACK);
}

static int wref_r_check(const void *priv)
{
	struct wref_r *r = (struct wref_r *)priv; /* RB_MINMAX/RB_NEXT take non-const pointers */
	u64 count = 0, bytes = 0, prev_end = r->vstart;
	bool cache_seen = false;
	struct wref_r_area *t = RB_MIN(wref_r_tree, &r->root), *l;
	TAILQ_FOREACH(l, &r->list, list)
	{
		if (l != t || l->start < prev_end || l->end <= l->start || l->end > r->vend ||
		    ((l->start | l->end) & ~MM_PAGE_MASK))
			return -EUCLEAN;
		cache_seen |= l == r->cache;
		prev_end = l->end;
		count++;
		bytes += l->end - l->start;
		t = RB_NEXT(wref_r_tree, &r->root, t);
	}
	if (t || (r->cache && !cache_seen) || (!r->cached_hole && r->cache))
		return -EUCLEAN;
	if (RB_ROOT(&r->root) && RB_COLOR(RB_ROOT(&r->root), rb) != RB_BLACK)
		return -EUCLEAN;
	if (wref_r_check_rb(RB_ROOT(&r->root), NULL) < 0)
		return -EUCLEAN;
	if (count != r->st->live || bytes != r->st->live_bytes || count != r->pool.nr_out)
		return -EUCLEAN;
	/* The cache's promise: no hole below it, seen from cached_vstart with cached_align, holds
	 * more than cached_hole_size (so a larger request may start at the cache). */
	if (r->cache) {
		prev_end = r->vstart;
		TAILQ_FOREACH(l, &r->list, list)
		{
			u64 from = MM_MAX(prev_end, r->cached_vstart), a;
			if (l->start > from && vmlist_align_up(from, r->cached_align, &a) && a < l->start &&
			    l->start - a > r->cached_hole_size)
				return -EUCLEAN;
			if (l == r->cache)
				break;
			prev_end = l->end;
		}
	}
	return 0;
}

static const struct vmlist_ops wref_rbtree_ops = {
	.name = "rbtree-ref",
	.desc = "2.6.28: busy rbtree plus sorted list, descend then walk (cached hole optional)",
	.priv_size = sizeof(struct wref_r),
	.init = wref_r_init,
	.fini = wref_r_fini,
	.alloc = wref_r_alloc,
	.free = wref_r_free,
	.check = wref_r_check,
};

#endif
