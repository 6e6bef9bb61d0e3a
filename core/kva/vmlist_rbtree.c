/* vmlist "rbtree": Linux 2.6.28's vmap_area layer (Nick Piggin, db64fe02258f). Busy areas sit in
 * an rbtree keyed by address and on a list sorted by address. Allocation descends the tree to
 * the first area that ends above the aligned vstart, then walks the list gap by gap; free looks
 * the address up in the tree. With cfg->cached_hole, or as the variant "rbtree_cache", the
 * free_vmap_cache shortcut added in 2.6.36 (89699605fe7c) starts the walk from the last allocated
 * area when no hole below it can serve. */
#include <errno.h>
#include "core/lib/bsd_tree.h"

#include "core/lib/objpool.h"
#include "core/lib/spans.h"
#include "core/kva/vmlist_priv.h"

struct vmr_area {
	u64 start, end; /* [start, end), page-aligned, end > start */
	RB_ENTRY(vmr_area) rb;
};

RB_HEAD(vmr_tree, vmr_area);

static int vmr_cmp(const struct vmr_area *a, const struct vmr_area *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

RB_GENERATE_STATIC(vmr_tree, vmr_area, rb, vmr_cmp)

struct vmr {
	struct vmr_tree root; /* every busy area, keyed by start (areas are disjoint) */
	struct spans list;    /* the same areas in address order: the kernel's vmap_area_list */
	struct objpool pool;
	struct vmlist_stats *st;
	u64 vstart, vend;
	bool cached_hole;
	/* free_vmap_cache: when non-NULL, every hole below cache->end and above cached_vstart that an
	 * cached_align-aligned block could start in is shorter than cached_hole_size. */
	struct vmr_area *cache;
	u64 cached_hole_size, cached_vstart, cached_align;
	struct spans_pos cache_pos; /* where cache was inserted in list: a hint, checked before use */
};

static int vmr_init(void *priv, const struct vmlist_cfg *cfg, struct vmlist_stats *st)
{
	struct vmr *r = priv;
	RB_INIT(&r->root);
	spans_init(&r->list);
	objpool_init(&r->pool, sizeof(struct vmr_area));
	r->st = st;
	r->vstart = cfg->vstart;
	r->vend = cfg->vend;
	r->cached_hole = cfg->cached_hole;
	r->cache = NULL;
	r->cached_hole_size = r->cached_vstart = r->cached_align = 0;
	r->cache_pos = (struct spans_pos){0, 0};
	return 0;
}

static void vmr_fini(void *priv)
{
	struct vmr *r = priv;
	objpool_fini(&r->pool);
	RB_INIT(&r->root);
	spans_fini(&r->list);
	r->cache = NULL;
}

/* The lowest area ending above a (the first that can collide with a block at a), or NULL. */
static struct vmr_area *vmr_first_above(struct vmr *r, u64 a)
{
	struct vmr_area *n = RB_ROOT(&r->root), *first = NULL;
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

/* The list walk of alloc_vmap_area from the area at p with the candidate *a: an area that leaves
 * room for the block before it ends the walk; otherwise the candidate must still fit below vend
 * and moves to the area's aligned end. Without the cached hole (whose size every area updates),
 * a chunk is passed whole (each area a visit) when no area in it can end the walk: the first
 * leaves no room, every inner gap is shorter than size (the candidate at an area is at or past
 * the previous area's end), and the candidate fits below vend now and past the last area (it
 * only grows). 0 with *a the candidate and *p the area it lies below (the end of the set when
 * none), or -ENOMEM; *visits counts the areas walked. */
static int vmr_walk(struct vmr *r, struct spans_pos *p, u64 size, u64 align, u64 vend, u64 *ap, u64 *visits)
{
	const struct spans *s = &r->list;
	u64 a = *ap, na, v = 0;
	int ret = 0;
	u32 c, i;
	for (c = p->c, i = p->i; c < s->nr; c++, i = 0) {
		const struct spans_chunk *ch = &s->c[c];
		const u64 *st = ch->start, *en = ch->end;
		u32 n = ch->n;
		u64 lo = i ? st[i] : ch->lo;
		if (!r->cached_hole && ch->maxgap < size && (lo < a || lo - a < size) &&
		    vmlist_fits_below(a, size, vend) && vmlist_align_up(ch->hi, align, &na) &&
		    vmlist_fits_below(na, size, vend)) {
			v += n - i;
			a = na;
			continue;
		}
		for (; i < n; i++) {
			v++;
			if (st[i] >= a && size <= st[i] - a)
				goto out;
			if (!vmlist_fits_below(a, size, vend)) {
				ret = -ENOMEM;
				goto out;
			}
			if (r->cached_hole && st[i] > a && st[i] - a > r->cached_hole_size)
				r->cached_hole_size = st[i] - a;
			if (!vmlist_align_up(en[i], align, &a)) {
				ret = -ENOMEM;
				goto out;
			}
		}
	}
	i = 0;
out:
	*p = (struct spans_pos){c, i};
	*visits = v;
	*ap = a;
	return ret;
}

static int vmr_alloc(void *priv, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	struct vmr *r = priv;
	struct vmr_area *first = NULL;
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
		first = vmr_first_above(r, a);
	}
	/* Walk the areas from first, moving the candidate past each one it runs into. */
	u64 visits = 0;
	struct spans_pos p = {r->list.nr, 0};
	if (from_cache && spans_still_at(&r->list, r->cache_pos, first->start))
		p = r->cache_pos;
	else if (first)
		p = spans_above(&r->list, first->start);
	int ret = vmr_walk(r, &p, size, align, vend, &a, &visits);
	r->st->visits += visits;
	if (ret || !vmlist_fits_below(a, size, vend))
		return -ENOMEM;

	struct vmr_area *va = objpool_get(&r->pool);
	if (!va)
		return -ENOMEM;
	if (spans_insert_at(&r->list, &p, a, a + size)) {
		objpool_put(&r->pool, va);
		return -ENOMEM;
	}
	va->start = a;
	va->end = a + size;
	vmr_tree_RB_INSERT(&r->root, va);
	if (r->cached_hole) {
		r->cache = va;
		r->cache_pos = p;
	}
	*addr = a;
	return 0;
}

static int vmr_free(void *priv, u64 addr, u64 *size)
{
	struct vmr *r = priv;
	struct vmr_area *va = RB_ROOT(&r->root);
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
			r->cache = vmr_tree_RB_PREV(va);
	}
	vmr_tree_RB_REMOVE(&r->root, va);
	spans_remove(&r->list, va->start, NULL, NULL);
	*size = va->end - va->start;
	objpool_put(&r->pool, va);
	return 0;
}

/* Black height of the subtree, or -1 when a red-black rule or a parent link is broken. */
static int vmr_check_rb(const struct vmr_area *n, const struct vmr_area *parent)
{
	if (!n)
		return 1;
	if (RB_PARENT(n, rb) != parent)
		return -1;
	if (RB_COLOR(n, rb) == RB_RED && parent && RB_COLOR(parent, rb) == RB_RED)
		return -1;
	int l = vmr_check_rb(RB_LEFT(n, rb), n), rr = vmr_check_rb(RB_RIGHT(n, rb), n);
	if (l < 0 || l != rr)
		return -1;
	return l + (RB_COLOR(n, rb) == RB_BLACK);
}

static int vmr_check(const void *priv)
{
	struct vmr *r = (struct vmr *)priv; /* RB_MINMAX/RB_NEXT take non-const pointers */
	u64 count = 0, bytes = 0, prev_end = r->vstart;
	bool cache_seen = false;
	struct vmr_area *t = RB_MIN(vmr_tree, &r->root);
	const struct spans *s = &r->list;
	if (spans_check(s))
		return -EUCLEAN;
	for (u32 c = 0; c < s->nr; c++) {
		for (u32 i = 0; i < s->c[c].n; i++) {
			u64 st = s->c[c].start[i], en = s->c[c].end[i];
			if (!t || t->start != st || t->end != en || st < prev_end || en > r->vend ||
			    ((st | en) & ~MM_PAGE_MASK))
				return -EUCLEAN;
			cache_seen |= t == r->cache;
			prev_end = en;
			count++;
			bytes += en - st;
			t = RB_NEXT(vmr_tree, &r->root, t);
		}
	}
	if (t || (r->cache && !cache_seen) || (!r->cached_hole && r->cache))
		return -EUCLEAN;
	if (RB_ROOT(&r->root) && RB_COLOR(RB_ROOT(&r->root), rb) != RB_BLACK)
		return -EUCLEAN;
	if (vmr_check_rb(RB_ROOT(&r->root), NULL) < 0)
		return -EUCLEAN;
	if (count != r->st->live || bytes != r->st->live_bytes || count != r->pool.nr_out ||
	    count != s->count)
		return -EUCLEAN;
	/* The cache's promise: no hole below it, seen from cached_vstart with cached_align, holds
	 * more than cached_hole_size (so a larger request may start at the cache). */
	if (r->cache) {
		prev_end = r->vstart;
		RB_FOREACH(t, vmr_tree, &r->root)
		{
			u64 from = MM_MAX(prev_end, r->cached_vstart), a;
			if (t->start > from && vmlist_align_up(from, r->cached_align, &a) && a < t->start &&
			    t->start - a > r->cached_hole_size)
				return -EUCLEAN;
			if (t == r->cache)
				break;
			prev_end = t->end;
		}
	}
	return 0;
}

/* rbtree_cache: the same tree with free_vmap_cache always on (2.6.36 .. 5.1). */
static int vmr_init_cached(void *priv, const struct vmlist_cfg *cfg, struct vmlist_stats *st)
{
	struct vmlist_cfg c = *cfg;
	c.cached_hole = true;
	return vmr_init(priv, &c, st);
}

const struct vmlist_ops vmlist_rbtree_cache_ops = {
	.name = "rbtree_cache",
	.desc = "2.6.36..5.1: rbtree with the free_vmap_cache shortcut (the design 5.2 replaced)",
	.priv_size = sizeof(struct vmr),
	.init = vmr_init_cached,
	.fini = vmr_fini,
	.alloc = vmr_alloc,
	.free = vmr_free,
	.check = vmr_check,
	.lowest_fit = true,
};

const struct vmlist_ops vmlist_rbtree_ops = {
	.name = "rbtree",
	.desc = "2.6.28: busy rbtree plus sorted list, descend then walk (cached hole optional)",
	.priv_size = sizeof(struct vmr),
	.init = vmr_init,
	.fini = vmr_fini,
	.alloc = vmr_alloc,
	.free = vmr_free,
	.check = vmr_check,
	.lowest_fit = true,
};
