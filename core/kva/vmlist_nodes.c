/* vmlist "nodes": per-node pools in front of the global free tree (see vmlist_nodes.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/kva/vmlist_nodes_priv.h"

void nodes_pool_unlink(struct nva_pool *p, struct nva *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		p->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		p->tail = n->prev;
	n->prev = n->next = NULL;
	p->len--;
}

void nodes_pool_push_head(struct nva_pool *p, struct nva *n)
{
	n->prev = NULL;
	n->next = p->head;
	if (p->head)
		p->head->prev = n;
	else
		p->tail = n;
	p->head = n;
	p->len++;
}

void nodes_pool_push_tail(struct nva_pool *p, struct nva *n)
{
	n->next = NULL;
	n->prev = p->tail;
	if (p->tail)
		p->tail->next = n;
	else
		p->head = n;
	p->tail = n;
	p->len++;
}

void nodes_pool_drop(struct nodes *m, struct nva_pool *p, u64 k)
{
	while (k-- && p->head) {
		struct nva *n = p->head;
		nodes_pool_unlink(p, n);
		nodes_used_remove(m, n);
		nodes_free_add(m, n);
		m->ns.decayed++;
	}
}

int nodes_make_busy(struct nodes *m, struct nva *n, u64 a, u64 size, u32 vn)
{
	n->va.start = a;
	n->va.end = a + size;
	n->state = NVA_BUSY;
	n->node = vn;
	n->purging = 0;
	n->guess = 0;
	n->prev = n->next = NULL;
	nodes_used_insert(m, n);
	return 0;
}

static int nodes_init(void *priv, const struct vmlist_cfg *cfg, struct vmlist_stats *st)
{
	struct nodes *m = priv;
	memset(m, 0, sizeof(*m));
	objpool_init(&m->objs, sizeof(struct nva));
	m->st = st;
	nodes_tree_init(m);
	m->vstart = cfg->vstart;
	m->vend = cfg->vend;
	m->nr_nodes = cfg->nr_nodes ? cfg->nr_nodes : 1;
	if (m->nr_nodes > VMLIST_MAX_NODES)
		return -EINVAL;
	m->node = calloc(m->nr_nodes, sizeof(*m->node));
	struct nva *n = objpool_get(&m->objs);
	if (!m->node || !n || hmap_init(&m->dec_at, 64)) {
		free(m->node);
		hmap_fini(&m->dec_at);
		objpool_fini(&m->objs);
		return -ENOMEM;
	}
	n->va.start = cfg->vstart;
	n->va.end = cfg->vend;
	nodes_free_add(m, n);
	return 0;
}

static void nodes_fini(void *priv)
{
	struct nodes *m = priv;
	for (unsigned i = 0; i < m->nr_nodes; i++)
		free(m->node[i].purge);
	free(m->node);
	m->node = NULL;
	free(m->dec);
	m->dec = NULL;
	hmap_fini(&m->dec_at);
	objpool_fini(&m->objs);
	nodes_tree_init(m);
}

/* node_alloc's pool look: the head of the pool when aligned; an unaligned head moves to the
 * tail (rotate) and the pool misses. */
static struct nva *nodes_pool_take(struct nodes *m, struct nva_pool *p, u64 align, bool rotate)
{
	struct nva *h = p ? p->head : NULL;
	if (!h)
		return NULL;
	if (!(h->va.start & (align - 1)))
		return h;
	if (rotate) {
		nodes_pool_unlink(p, h);
		nodes_pool_push_tail(p, h);
		m->ns.pool_rotates++;
	}
	return NULL;
}

static int nodes_predict(void *priv, const struct vmlist_req *rq, struct vmlist_pick *pick)
{
	struct nodes *m = priv;
	bool full = nodes_full_window(m, rq);
	unsigned node = full ? nodes_cpu_node(m, rq->cpu) : 0;
	/* follow: an unseen batch the kernel's pool is handing out in steps goes on */
	u64 sa;
	if (full && nodes_stride_next(m, node, rq, &sa)) {
		pick->node = node;
		pick->addr = sa;
		pick->src = VMLIST_SRC_HIDDEN;
		return 0;
	}
	/* follow: hidden entries the kernel's pool gives in front of the model's come first */
	struct nva *hs = full ? nodes_hidden_next(m, node, rq) : NULL;
	struct nva *h =
		full && !hs ? nodes_pool_take(m, nodes_pool(m, node, rq->size), rq->align, false) : NULL;
	pick->node = node;
	if (h) {
		pick->addr = h->va.start;
		pick->src = VMLIST_SRC_POOL;
		return 0;
	}
	if (hs) {
		pick->addr = hs->va.start;
		pick->src = VMLIST_SRC_HIDDEN;
		return 0;
	}
	/* follow, a pool hunting decayed slots: the lowest fit in free or hidden space above the
	 * kernel's last tree pick when it is below the tree's lowest fit */
	u64 at = 0, hat = 0;
	bool tree = nodes_free_lowest(m, nodes_search_length(rq), rq->size, rq->align, rq->vstart, rq->vend,
				      &at, NULL);
	bool hunt = full && nodes_hunt_fit(m, node, rq, &hat) && (!tree || hat < at);
	if (!tree && !hunt)
		return -ENOMEM;
	pick->addr = hunt ? hat : at;
	pick->src = hunt ? VMLIST_SRC_HIDDEN : VMLIST_SRC_TREE;
	return 0;
}

static int nodes_alloc_req(void *priv, const struct vmlist_req *rq, u64 *addr)
{
	struct nodes *m = priv;
	bool full = nodes_full_window(m, rq);
	u32 vn = full ? nodes_cpu_node(m, rq->cpu) : VMLIST_NODES_NONE;
	if (full) {
		struct nva_pool *p = nodes_pool(m, vn, rq->size);
		struct nva *h = nodes_pool_take(m, p, rq->align, true);
		m->st->visits++;
		if (h) {
			nodes_pool_unlink(p, h);
			h->state = NVA_BUSY;
			h->node = vn;
			h->guess = 0;
			m->ns.pool_hits++;
			*addr = h->va.start;
			return 0;
		}
	}
	u64 at;
	struct nva *fb = nodes_free_lowest(m, nodes_search_length(rq), rq->size, rq->align, rq->vstart,
					   rq->vend, &at, &m->st->visits);
	struct nva *busy = fb ? objpool_get(&m->objs) : NULL;
	if (!busy)
		return -ENOMEM;
	if (nodes_free_clip(m, fb, at, rq->size)) {
		objpool_put(&m->objs, busy);
		return -ENOMEM;
	}
	nodes_make_busy(m, busy, at, rq->size, vn);
	*addr = at;
	return 0;
}

static int nodes_alloc(void *priv, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	struct vmlist_req rq = {.size = size, .align = align, .vstart = vstart, .vend = vend, .cpu = 0};
	return nodes_alloc_req(priv, &rq, addr);
}

/* Outside a purge the area goes straight back to the tree (free_vmap_area); during one it
 * waits on its lazy node's list for purge_end. */
static int nodes_free(void *priv, u64 addr, u64 *size)
{
	struct nodes *m = priv;
	struct nva *n = nodes_used_find(m, addr);
	m->st->visits++;
	if (!n || n->state != NVA_BUSY || n->purging)
		return -ENOENT;
	*size = n->va.end - n->va.start;
	if (!m->purging) {
		nodes_used_remove(m, n);
		nodes_free_add(m, n);
		return 0;
	}
	unsigned node = n->node != VMLIST_NODES_NONE ? n->node : vmlist_nodes_addr_node(addr, m->nr_nodes);
	struct nva_node *nd = &m->node[node];
	if (nd->npurge == nd->purge_cap) {
		u64 cap = nd->purge_cap ? nd->purge_cap * 2 : 256;
		struct nva **p = realloc(nd->purge, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		nd->purge = p;
		nd->purge_cap = cap;
	}
	n->purging = 1;
	nd->purge[nd->npurge++] = n;
	return 0;
}

/* Is start still a pool entry of (node, idx)? */
static bool nodes_pooled(struct nodes *m, u64 start, u32 node, u32 idx)
{
	const struct nva *n = nodes_used_find(m, start);
	return n && n->state == NVA_POOL && n->node == node &&
	       (n->va.end - n->va.start - 1) / MM_PAGE_SIZE == idx;
}

/* Keep the live decayed entries (the latest record of their start) whose space is still free
 * and whose successor is still in their pool: the kernel may still hold them. false: out of
 * host memory. */
static bool nodes_decay_compact(struct nodes *m)
{
	u64 k = 0, at;
	for (u64 i = 0; i < m->ndec; i++) {
		const struct nva_decayed *d = &m->dec[i];
		if (hmap_get(&m->dec_at, d->start, &at) && at == i &&
		    nodes_pooled(m, d->succ, d->node, d->idx) &&
		    nodes_free_holding(m, d->start, (d->idx + 1) * MM_PAGE_SIZE))
			m->dec[k++] = *d;
	}
	m->ndec = k;
	hmap_clear(&m->dec_at);
	for (u64 i = 0; i < k; i++)
		if (hmap_put(&m->dec_at, m->dec[i].start, i) < 0)
			return false;
	return true;
}

/* Remember the first k entries of pool (node, idx), about to decay, with the entry after them;
 * false: out of host memory. */
static bool nodes_note_decay(struct nodes *m, unsigned node, unsigned idx, u64 k)
{
	const struct nva *n = m->node[node].pool[idx].head, *s = n;
	for (u64 i = 0; i < k && s; i++)
		s = s->next;
	if (!s)
		return true;
	if (m->ndec + k > m->dec_cap) {
		u64 cap = MM_MAX(m->dec_cap * 2, m->ndec + k);
		struct nva_decayed *d = realloc(m->dec, cap * sizeof(*d));
		if (!d)
			return false;
		m->dec = d;
		m->dec_cap = cap;
	}
	for (; k-- && n; n = n->next) {
		if (hmap_put(&m->dec_at, n->va.start, m->ndec) < 0)
			return false;
		m->dec[m->ndec++] = (struct nva_decayed){n->va.start, s->va.start, node, idx};
	}
	return true;
}

/* decay_va_pool_node for every node: the first len >> 2 entries of each pool (all: full). */
static void nodes_purge_begin(void *priv, bool full)
{
	struct nodes *m = priv;
	bool note = nodes_decay_compact(m);
	for (unsigned i = 0; i < m->nr_nodes; i++)
		for (unsigned k = 0; k < VMLIST_NODES_POOLS; k++) {
			struct nva_pool *p = &m->node[i].pool[k];
			u64 d = full ? p->len : p->len >> 2;
			if (note && d)
				note = nodes_note_decay(m, i, k, d);
			nodes_pool_drop(m, p, d);
		}
	if (!note) {
		m->ndec = 0;
		hmap_clear(&m->dec_at);
	}
	m->purging = true;
	m->full_purge = full;
}

static int nva_by_start(const void *a, const void *b)
{
	const struct nva *x = *(const struct nva *const *)a, *y = *(const struct nva *const *)b;
	return x->va.start < y->va.start ? -1 : x->va.start > y->va.start;
}

/* purge_vmap_node for every node: its purged areas in address order to the head of their
 * pool, or back to the tree (no valid vn_id, no pool that big, or a full purge). */
static int nodes_purge_end(void *priv)
{
	struct nodes *m = priv;
	for (unsigned i = 0; i < m->nr_nodes; i++) {
		struct nva_node *nd = &m->node[i];
		if (nd->npurge)
			qsort(nd->purge, nd->npurge, sizeof(*nd->purge), nva_by_start);
		for (u64 k = 0; k < nd->npurge; k++) {
			struct nva *n = nd->purge[k];
			struct nva_pool *p = nodes_pool(m, i, n->va.end - n->va.start);
			n->purging = 0;
			if (p && n->node != VMLIST_NODES_NONE && !m->full_purge) {
				n->state = NVA_POOL;
				n->node = i;
				nodes_pool_push_head(p, n);
				m->ns.pooled++;
			} else {
				nodes_used_remove(m, n);
				nodes_free_add(m, n);
			}
		}
		nd->npurge = 0;
	}
	m->purging = m->full_purge = false;
	m->ns.purges++;
	return 0;
}

/* Pools: every entry is a POOL object of the pool's size and node, lengths are right. */
static int nodes_check(const void *priv)
{
	struct nodes *m = (struct nodes *)priv;
	if (m->purging || nodes_tree_check(m))
		return -EUCLEAN;
	for (unsigned i = 0; i < m->nr_nodes; i++) {
		for (unsigned k = 0; k < VMLIST_NODES_POOLS; k++) {
			const struct nva_pool *p = &m->node[i].pool[k];
			u64 len = 0;
			for (const struct nva *n = p->head, *prev = NULL; n; prev = n, n = n->next, len++)
				if (n->state != NVA_POOL || n->node != i || n->prev != prev ||
				    n->va.end - n->va.start != (k + 1) * MM_PAGE_SIZE ||
				    (!n->next && p->tail != n) || nodes_used_find(m, n->va.start) != n)
					return -EUCLEAN;
			if (len != p->len || (!len && p->tail))
				return -EUCLEAN;
		}
	}
	return 0;
}

const struct vmlist_nodes_stats *vmlist_nodes_stats(const struct vmlist *v)
{
	return v->ops == &vmlist_nodes_ops ? &((const struct nodes *)v->priv)->ns : NULL;
}

u64 vmlist_nodes_pool(const struct vmlist *v, unsigned node, unsigned idx, u64 *out, u64 max)
{
	if (v->ops != &vmlist_nodes_ops)
		return 0;
	const struct nodes *m = v->priv;
	if (node >= m->nr_nodes || idx >= VMLIST_NODES_POOLS)
		return 0;
	const struct nva_pool *p = &m->node[node].pool[idx];
	u64 i = 0;
	for (const struct nva *n = p->head; n; n = n->next, i++)
		if (i < max)
			out[i] = n->va.start;
	return p->len;
}

const struct vmlist_ops vmlist_nodes_ops = {
	.name = "nodes",
	.desc = "6.9+: per-node LIFO pools of exactly sized areas in front of the augmented free tree",
	.priv_size = sizeof(struct nodes),
	.init = nodes_init,
	.fini = nodes_fini,
	.alloc = nodes_alloc,
	.free = nodes_free,
	.check = nodes_check,
	.lowest_fit = false,
	.alloc_req = nodes_alloc_req,
	.predict = nodes_predict,
	.place = nodes_place,
	.purge_begin = nodes_purge_begin,
	.purge_end = nodes_purge_end,
	.set_owner = nodes_set_owner,
};
