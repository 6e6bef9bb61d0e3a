/* vmlist "augmented": Linux 5.2's free-space tree (Uladzislau Rezki, 68ad4a330433). Free blocks
 * sit in an rbtree ordered by address; each node keeps subtree_max_size, the largest free block
 * in its subtree, so the lowest block that can hold the request is found by descending left
 * whenever the left subtree can hold it. A fit is classified FL/LE/RE/NE and the free block is
 * removed, trimmed or split; a free merges the area with its free neighbours. Busy areas sit in a
 * second rbtree keyed by address, for the lookup on free.
 * The tree is freetree.c, shared with the nodes variant.
 *
 * Search semantics: 5.2 prunes with length = size + align - 1, which can skip a lower block that
 * fits thanks to its own alignment (later kernels stopped adjusting for align <= PAGE_SIZE).
 * Here the search length is size: the in-order search prunes only subtrees whose largest block
 * is smaller, or which lie wholly below vstart, and checks every remaining block exactly, so the
 * result is the lowest fit, the same as a linear scan of the free list. As in 5.2's
 * __alloc_vmap_area, vend does not bound the search: the match is checked against it after.
 *
 * Visits (what list, rbtree and augmented are compared by): an allocation counts every node its
 * search looks at; a free counts every node of its descent of the busy tree and of its descent
 * of the free tree to the neighbours it merges with. (The nodes variant counts a free as one.) */
#include <errno.h>
#include <stdint.h>

#include "core/kva/freetree.h"
#include "core/kva/vmlist_priv.h"

struct aug {
	struct freetree tree; /* free blocks, and busy areas by start (the used tree) */
	struct objpool pool;  /* struct freetree_node */
	struct vmlist_stats *st;
	u64 vstart, vend; /* free + busy cover exactly [vstart, vend) */
};

static int aug_init(void *priv, const struct vmlist_cfg *cfg, struct vmlist_stats *st)
{
	struct aug *m = priv;
	objpool_init(&m->pool, sizeof(struct freetree_node));
	freetree_init(&m->tree, &m->pool, st);
	m->st = st;
	m->vstart = cfg->vstart;
	m->vend = cfg->vend;
	struct freetree_node *n = objpool_get(&m->pool);
	if (!n)
		return -ENOMEM;
	n->start = cfg->vstart;
	n->end = cfg->vend;
	freetree_add(&m->tree, n, NULL);
	return 0;
}

static void aug_fini(void *priv)
{
	struct aug *m = priv;
	objpool_fini(&m->pool);
	freetree_init(&m->tree, NULL, m->st);
}

static int aug_alloc(void *priv, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	struct aug *m = priv;
	const struct freetree_req rq = {
		.length = size, .size = size, .align = align, .vstart = vstart, .vend = UINT64_MAX};
	u64 a;
	struct freetree_node *fb = freetree_lowest(&m->tree, &rq, &a, &m->st->visits), *split;
	if (!fb || !vmlist_fits_below(a, size, vend))
		return -ENOMEM;
	struct freetree_node *busy = objpool_get(&m->pool);
	if (!busy)
		return -ENOMEM;
	if (freetree_clip(&m->tree, fb, a, size, &split)) {
		objpool_put(&m->pool, busy);
		return -ENOMEM;
	}
	busy->start = a;
	busy->end = a + size;
	freetree_used_insert(&m->tree, busy);
	*addr = a;
	return 0;
}

static int aug_free_area(void *priv, u64 addr, u64 *size)
{
	struct aug *m = priv;
	struct freetree_node *va = freetree_used_find(&m->tree, addr, &m->st->visits);
	if (!va)
		return -ENOENT;
	freetree_used_remove(&m->tree, va);
	*size = va->end - va->start;
	freetree_add(&m->tree, va, &m->st->visits);
	return 0;
}

static int aug_check(const void *priv)
{
	struct aug *m = (struct aug *)priv; /* the walk takes non-const pointers */
	if (freetree_check(&m->tree))
		return -EUCLEAN;
	/* Walk both trees in address order at once: together they must tile [vstart, vend),
	 * and no two free blocks may touch. */
	struct freetree_node *f = freetree_free_first(&m->tree), *b = freetree_used_first(&m->tree);
	u64 pos = m->vstart, busy = 0, bytes = 0, nodes = 0;
	bool last_free = false;
	while (f || b) {
		bool take_free = f && (!b || f->start < b->start);
		struct freetree_node *n = take_free ? f : b;
		if (n->start != pos || n->end <= n->start || n->end > m->vend ||
		    ((n->start | n->end) & ~MM_PAGE_MASK) || (take_free && last_free))
			return -EUCLEAN;
		pos = n->end;
		last_free = take_free;
		nodes++;
		if (take_free) {
			f = freetree_free_next(&m->tree, f);
		} else {
			busy++;
			bytes += n->end - n->start;
			b = freetree_used_next(&m->tree, b);
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
