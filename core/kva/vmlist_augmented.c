/* vmlist "augmented": Linux 5.2's free-space tree (Uladzislau Rezki, 68ad4a330433). Free blocks
 * sit in an rbtree ordered by address; each node keeps subtree_max_size, the largest free block
 * in its subtree, so the lowest block that can hold the request is found by descending left
 * whenever the left subtree can hold it. A fit is classified FL/LE/RE/NE and the free block is
 * removed, trimmed or split; a free merges the area with its free neighbours. Busy areas sit in a
 * second rbtree keyed by address, for the lookup on free.
 *
 * Search semantics: 5.2 prunes with length = size + align - 1, which can skip a lower block that
 * fits thanks to its own alignment (later kernels stopped adjusting for align <= PAGE_SIZE).
 * Here the in-order search prunes only subtrees whose subtree_max_size < size, or which lie
 * wholly below vstart, and checks every remaining block exactly, so the result is the lowest fit,
 * the same as a linear scan of the free list (the kernel's DEBUG_AUGMENT_LOWEST_MATCH_CHECK).
 * With align == PAGE_SIZE every block of subtree_max_size >= size above vstart fits, and the
 * search stays O(log n); larger alignments may backtrack over blocks too small once aligned. */
#include <errno.h>
#include "bsd_tree.h"

#include "objpool.h"
#include "vmlist_priv.h"

struct aug_node {
	u64 start, end;	      /* [start, end), page-aligned, end > start */
	u64 subtree_max_size; /* free tree only: max(end - start) over this node's subtree */
	RB_ENTRY(aug_node) rb;
};

RB_HEAD(aug_busy, aug_node);
RB_HEAD(aug_free, aug_node);

static int aug_cmp(const struct aug_node *a, const struct aug_node *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

static inline u64 aug_max(const struct aug_node *n)
{
	return n ? n->subtree_max_size : 0;
}

/* Recompute one node's subtree_max_size from its children (which must be up to date). */
static inline void aug_augment(struct aug_node *n)
{
	u64 m = n->end - n->start;
	m = MM_MAX(m, aug_max(RB_LEFT(n, rb)));
	n->subtree_max_size = MM_MAX(m, aug_max(RB_RIGHT(n, rb)));
}

/* The busy tree is generated with tree.h's no-op RB_AUGMENT; the free tree with ours. RB_AUGMENT
 * is expanded where RB_GENERATE is used, so redefining it between the two is enough. tree.h
 * augments only the nodes its rotations touch and the direct parent on insert and remove, so
 * aug_propagate() finishes the path to the root after each structural change. */
RB_GENERATE_STATIC(aug_busy, aug_node, rb, aug_cmp)
#undef RB_AUGMENT
#define RB_AUGMENT(x) aug_augment(x)
RB_GENERATE_STATIC(aug_free, aug_node, rb, aug_cmp)

static void aug_propagate(struct aug_node *n)
{
	for (; n; n = RB_PARENT(n, rb))
		aug_augment(n);
}

struct aug {
	struct aug_free free; /* free blocks: disjoint, sorted, never adjacent (merged) */
	struct aug_busy busy; /* busy areas by start */
	struct objpool pool;
	struct vmlist_stats *st;
	u64 vstart, vend; /* free + busy cover exactly [vstart, vend) */
};

static void aug_free_insert(struct aug *m, struct aug_node *n)
{
	aug_free_RB_INSERT(&m->free, n);
	aug_propagate(n);
}

static void aug_free_remove(struct aug *m, struct aug_node *n)
{
	/* The deepest position whose subtree changes: the successor's old parent when n has two
	 * children (the successor moves up into n's place), else n's parent. */
	struct aug_node *from = RB_PARENT(n, rb);
	if (RB_LEFT(n, rb) && RB_RIGHT(n, rb)) {
		struct aug_node *s = RB_RIGHT(n, rb);
		while (RB_LEFT(s, rb))
			s = RB_LEFT(s, rb);
		from = RB_PARENT(s, rb) == n ? s : RB_PARENT(s, rb);
	}
	aug_free_RB_REMOVE(&m->free, n);
	aug_propagate(from);
}

static int aug_init(void *priv, const struct vmlist_cfg *cfg, struct vmlist_stats *st)
{
	struct aug *m = priv;
	RB_INIT(&m->free);
	RB_INIT(&m->busy);
	objpool_init(&m->pool, sizeof(struct aug_node));
	m->st = st;
	m->vstart = cfg->vstart;
	m->vend = cfg->vend;
	struct aug_node *n = objpool_get(&m->pool);
	if (!n)
		return -ENOMEM;
	n->start = cfg->vstart;
	n->end = cfg->vend;
	aug_free_insert(m, n);
	return 0;
}

static void aug_fini(void *priv)
{
	struct aug *m = priv;
	objpool_fini(&m->pool);
	RB_INIT(&m->free);
	RB_INIT(&m->busy);
}

/* The kernel's is_within_this_va(): where an aligned block of size at or above vstart starts in
 * n, if it fits there. */
static bool aug_fit_in(const struct aug_node *n, u64 size, u64 align, u64 vstart, u64 *at)
{
	u64 a;
	if (!vmlist_align_up(MM_MAX(n->start, vstart), align, &a))
		return false;
	*at = a;
	return vmlist_fits_below(a, size, n->end);
}

/* In-order search of the free tree for the lowest block holding the request, pruned by
 * subtree_max_size and vstart. Climbing back to a parent from its left subtree resumes the
 * in-order walk at that parent; from its right subtree, the parent is done. */
static struct aug_node *aug_lowest_match(struct aug *m, u64 size, u64 align, u64 vstart, u64 *at)
{
	struct aug_node *n = RB_ROOT(&m->free);
	if (aug_max(n) < size)
		return NULL;
	while (n) {
		m->st->visits++;
		struct aug_node *l = RB_LEFT(n, rb), *r = RB_RIGHT(n, rb);
		if (aug_max(l) >= size && vstart < n->start) {
			n = l;
			continue;
		}
		if (aug_fit_in(n, size, align, vstart, at))
			return n;
		if (aug_max(r) >= size) {
			n = r;
			continue;
		}
		for (;;) {
			struct aug_node *child = n;
			n = RB_PARENT(n, rb);
			if (!n)
				return NULL;
			if (child != RB_LEFT(n, rb))
				continue;
			m->st->visits++;
			if (aug_fit_in(n, size, align, vstart, at))
				return n;
			if (aug_max(RB_RIGHT(n, rb)) >= size) {
				n = RB_RIGHT(n, rb);
				break;
			}
		}
	}
	return NULL;
}

static int aug_alloc(void *priv, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	struct aug *m = priv;
	u64 a;
	struct aug_node *fb = aug_lowest_match(m, size, align, vstart, &a);
	if (!fb || !vmlist_fits_below(a, size, vend))
		return -ENOMEM;
	struct aug_node *busy = objpool_get(&m->pool);
	if (!busy)
		return -ENOMEM;
	u64 end = a + size;
	int type = fb->start == a ? (fb->end == end ? VMLIST_FIT_FL : VMLIST_FIT_LE)
				  : (fb->end == end ? VMLIST_FIT_RE : VMLIST_FIT_NE);
	switch (type) {
	case VMLIST_FIT_FL:
		aug_free_remove(m, fb);
		objpool_put(&m->pool, fb);
		break;
	case VMLIST_FIT_LE: /* the block keeps its place in the order: nothing lies in between */
		fb->start = end;
		aug_propagate(fb);
		break;
	case VMLIST_FIT_RE:
		fb->end = a;
		aug_propagate(fb);
		break;
	default: {
		struct aug_node *right = objpool_get(&m->pool);
		if (!right) {
			objpool_put(&m->pool, busy);
			return -ENOMEM;
		}
		right->start = end;
		right->end = fb->end;
		fb->end = a;
		aug_propagate(fb);
		aug_free_insert(m, right);
		break;
	}
	}
	m->st->splits[type]++;
	busy->start = a;
	busy->end = end;
	aug_busy_RB_INSERT(&m->busy, busy);
	*addr = a;
	return 0;
}

static int aug_free_area(void *priv, u64 addr, u64 *size)
{
	struct aug *m = priv;
	struct aug_node *va = RB_ROOT(&m->busy);
	while (va && va->start != addr) {
		m->st->visits++;
		va = addr < va->start ? RB_LEFT(va, rb) : RB_RIGHT(va, rb);
	}
	if (!va)
		return -ENOENT;
	m->st->visits++;
	aug_busy_RB_REMOVE(&m->busy, va);
	*size = va->end - va->start;

	/* Find the free neighbours: the last block below addr and the first above. */
	struct aug_node *prev = NULL, *next = NULL;
	for (struct aug_node *n = RB_ROOT(&m->free); n;) {
		m->st->visits++;
		if (n->start < addr) {
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
		aug_free_remove(m, next);
		objpool_put(&m->pool, next);
		aug_propagate(prev);
		objpool_put(&m->pool, va);
		m->st->merges += 2;
	} else if (left) {
		prev->end = va->end;
		aug_propagate(prev);
		objpool_put(&m->pool, va);
		m->st->merges++;
	} else if (right) {
		next->start = va->start;
		aug_propagate(next);
		objpool_put(&m->pool, va);
		m->st->merges++;
	} else {
		aug_free_insert(m, va);
	}
	return 0;
}

/* Black height, or -1 when a red-black rule, a parent link or (free tree) a subtree_max_size
 * is wrong. */
static int aug_check_rb(const struct aug_node *n, const struct aug_node *parent, bool aug)
{
	if (!n)
		return 1;
	if (RB_PARENT(n, rb) != parent)
		return -1;
	if (RB_COLOR(n, rb) == RB_RED && parent && RB_COLOR(parent, rb) == RB_RED)
		return -1;
	const struct aug_node *l = RB_LEFT(n, rb), *r = RB_RIGHT(n, rb);
	if (aug) {
		u64 want = MM_MAX(n->end - n->start, MM_MAX(aug_max(l), aug_max(r)));
		if (n->subtree_max_size != want)
			return -1;
	}
	int hl = aug_check_rb(l, n, aug), hr = aug_check_rb(r, n, aug);
	if (hl < 0 || hl != hr)
		return -1;
	return hl + (RB_COLOR(n, rb) == RB_BLACK);
}

static int aug_check(const void *priv)
{
	struct aug *m = (struct aug *)priv; /* RB_MIN/RB_NEXT take non-const pointers */
	if (aug_check_rb(RB_ROOT(&m->free), NULL, true) < 0 ||
	    aug_check_rb(RB_ROOT(&m->busy), NULL, false) < 0)
		return -EUCLEAN;
	/* Walk both trees in address order at once: together they must tile [vstart, vend),
	 * and no two free blocks may touch. */
	struct aug_node *f = RB_MIN(aug_free, &m->free), *b = RB_MIN(aug_busy, &m->busy);
	u64 pos = m->vstart, busy = 0, bytes = 0, nodes = 0;
	bool last_free = false;
	while (f || b) {
		bool take_free = f && (!b || f->start < b->start);
		struct aug_node *n = take_free ? f : b;
		if (n->start != pos || n->end <= n->start || n->end > m->vend ||
		    ((n->start | n->end) & ~MM_PAGE_MASK) || (take_free && last_free))
			return -EUCLEAN;
		pos = n->end;
		last_free = take_free;
		nodes++;
		if (take_free) {
			f = RB_NEXT(aug_free, &m->free, f);
		} else {
			busy++;
			bytes += n->end - n->start;
			b = RB_NEXT(aug_busy, &m->busy, b);
		}
	}
	if (pos != m->vend || busy != m->st->live || bytes != m->st->live_bytes || nodes != m->pool.nr_out)
		return -EUCLEAN;
	return 0;
}

const struct vmlist_ops vmlist_augmented_ops = {
	.name = "augmented",
	.desc = "5.2: free-space rbtree with subtree_max_size, lowest fit in O(log n), merge on free",
	.priv_size = sizeof(struct aug),
	.init = aug_init,
	.fini = aug_fini,
	.alloc = aug_alloc,
	.free = aug_free_area,
	.check = aug_check,
	.lowest_fit = true,
};
