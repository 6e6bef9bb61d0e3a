/* Follow mode for the nodes variant: place an area where the kernel put it, and keep what the
 * kernel's choice reveals about the state the model cannot see (the pools' contents at the
 * start of a recording, how far purges decayed them). Only revealed facts are used:
 *  - The kernel took entry X of the node's pool for this size while the model had entries ahead
 *    of it: the kernel's pool did not hold those ahead (node_pool_del_va takes the first entry),
 *    so they had been decayed: they go back to the tree (a longer unseen pool tail decays more).
 *  - The kernel took X from the tree while the model's pool had entries: the kernel's pool was
 *    empty, so those entries were not in it; they go back to the tree before the next rule, which
 *    hides those below X (the kernel's lowest fit passed over them: not in its tree either).
 *  - The kernel took X from the tree above the model's lowest fit Y: Y's space is not in the
 *    kernel's tree, so a pool (unseen) holds it. [Y, Y + size) becomes a hidden slot (for
 *    sizes a pool can hold), for every such Y below X. A hidden slot is never predicted; when
 *    the kernel later takes it or overlaps it, the slot is used or handed back to the tree.
 *  - X overlaps pool entries or hidden slots of other sizes: they were not where the model
 *    thought; they go back to the tree. X overlapping a busy area is a conflict (-EBUSY).
 *  - X is an entry a purge decayed from this very pool in the model while the entry that then
 *    followed the decayed prefix is still pooled: the kernel's pool was shorter (entries the
 *    model cannot see, or an owner node it guessed wrong), its len >> 2 smaller, so it decayed
 *    fewer: X and the entries decayed after X in that batch are still pooled in the kernel, in
 *    front of that successor (nodes_undecay; counted as "decayed"). Checked before the rules
 *    above, which would read X as a tree pick and empty the pool.
 *  - rq->filling (the caller ran a purge early because the kernel reused one of its lazy areas):
 *    the kernel's pools were still being filled, so entries ahead of X came after it: the first
 *    rule does not apply.
 *  - The pool's head was not aligned for the request: node_pool_del_va moved it to the tail and
 *    missed with the pool not empty, so a pick elsewhere says nothing of the pool: the first two
 *    rules do not apply.
 *  - X from the tree overlapped a hidden slot: that slot was a pool entry a purge had decayed
 *    (decay_va_pool_node gives back a pool's len >> 2 head, the highest entries of its batch), and
 *    the kernel's lowest fits go on ascending through the slots decayed with it: the pool hunts
 *    (nodes_hunt_fit), predicting the lowest place above X in free or hidden space, for as long
 *    as the kernel's tree picks eat hidden space or fall where the hunt said.
 *  - Two descending picks of a node and size that the model's pool did not give are a pool
 *    handing out a batch nobody saw (a purge pools its batch highest first; the tree's lowest
 *    fits never descend between purges): the next entry is a stride below the last
 *    (nodes_stride_next). A slot of the batch that a busy area holds exactly (the other node
 *    took it, or it was never freed) is in no pool: the run goes on a stride below it. */
#include <errno.h>

#include "core/kva/vmlist_nodes_priv.h"

/* Any busy area in [a, end)? */
static bool nodes_overlaps_busy(struct nodes *m, u64 a, u64 end)
{
	for (struct nva *u = nodes_used_floor(m, end - 1); u && u->va.end > a;
	     u = nodes_used_floor(m, u->va.start - 1)) {
		if (u->state == NVA_BUSY)
			return true;
		if (u->va.start == 0)
			break;
	}
	return false;
}

/* Hand every pool entry and hidden slot overlapping [a, end) back to the tree; true when a
 * hidden slot was among them. */
static bool nodes_release_overlap(struct nodes *m, u64 a, u64 end)
{
	struct nva *u;
	bool hidden = false;
	while ((u = nodes_used_floor(m, end - 1)) && u->va.end > a) {
		if (u->state == NVA_POOL)
			nodes_pool_unlink(nodes_pool(m, u->node, u->va.end - u->va.start), u);
		hidden |= u->state == NVA_HIDDEN;
		nodes_used_remove(m, u);
		nodes_free_add(m, u);
	}
	return hidden;
}

/* The kernel's pool p (node, idx) did not hold its head h: h's owner node was a guess, and the
 * kernel proves it wrong: h waited in another node's pool since its purge. With two nodes that
 * is the other one: h goes there, among the entries pooled with it in address order (a purge
 * pools its batch highest address first, so the batch stands in descending order up to the
 * first ascent); with more nodes it is hidden (free, in some pool). A known owner: the kernel
 * had decayed h (a longer pool decays more): back to the tree. */
static void nodes_skip_head(struct nodes *m, struct nva_pool *p, unsigned node)
{
	struct nva *h = p->head;
	m->ns.resynced++;
	if (!h->guess) {
		nodes_pool_drop(m, p, 1);
		return;
	}
	nodes_pool_unlink(p, h);
	h->guess = 0;
	m->ns.owners_learned++;
	if (m->nr_nodes != 2) {
		h->state = NVA_HIDDEN;
		h->node = VMLIST_NODES_NONE;
		m->ns.hidden++;
		return;
	}
	unsigned other = node ^ 1u;
	struct nva_pool *q = nodes_pool(m, other, h->va.end - h->va.start);
	struct nva *prev = NULL, *e = q->head;
	while (e && e->va.start > h->va.start && (!prev || e->va.start < prev->va.start)) {
		prev = e;
		e = e->next;
	}
	h->node = other;
	if (!prev) {
		nodes_pool_push_head(q, h);
		return;
	}
	h->prev = prev;
	h->next = e;
	prev->next = h;
	if (e)
		e->prev = h;
	else
		q->tail = h;
	q->len++;
}

static void nodes_flush_pool(struct nodes *m, struct nva_pool *p, unsigned node)
{
	while (p && p->head)
		nodes_skip_head(m, p, node);
}

/* The kernel did not find the model's lowest fits below addr in its tree: hide them. */
static int nodes_hide_below(struct nodes *m, const struct vmlist_req *rq, u64 addr)
{
	u64 at, length = nodes_search_length(rq);
	if (rq->size > VMLIST_NODES_POOLS * MM_PAGE_SIZE)
		return 0;

	for (;;) {
		struct nva *fb = nodes_free_lowest(m, length, rq->size, rq->align, rq->vstart, rq->vend, &at,
						   &m->st->visits);
		if (!fb || at >= addr || rq->size > addr - at)
			return 0;
		struct nva *h = objpool_get(&m->objs);
		if (!h || nodes_free_clip(m, fb, at, rq->size)) {
			if (h)
				objpool_put(&m->objs, h);
			return -ENOMEM;
		}
		nodes_make_busy(m, h, at, rq->size, VMLIST_NODES_NONE);
		h->state = NVA_HIDDEN;
		m->ns.hidden++;
	}
}

/* Take a pool entry or hidden slot u that is exactly the area. keep: what the kernel saw of
 * pool p says nothing of the entries ahead of u (the pool was being filled, or it missed at an
 * unaligned head): none is dropped. */
static void nodes_take_used(struct nodes *m, struct nva *u, struct nva_pool *p, u32 vn, bool keep,
			    struct vmlist_pick *how)
{
	if (u->state == NVA_POOL) {
		struct nva_pool *q = nodes_pool(m, u->node, u->va.end - u->va.start);
		if (q == p && p->head != u) {
			while (!keep && p->head != u)
				nodes_skip_head(m, p, vn);
			how->src = VMLIST_SRC_POOL_DEEP;
		} else {
			how->src = q == p ? VMLIST_SRC_POOL : VMLIST_SRC_POOL_OTHER;
		}
		nodes_pool_unlink(q, u);
		m->ns.pool_hits += how->src == VMLIST_SRC_POOL;
	} else {
		/* a hidden slot is in no tree: the kernel took it from its pool's head, in front of
		 * the model's entries, which may all still follow (the pool was not empty) */
		how->src = VMLIST_SRC_HIDDEN;
	}
	u->state = NVA_BUSY;
	u->node = vn;
	u->guess = 0;
}

/* Rule 5: the kernel took addr from pool p (node, idx) where a purge had decayed it in the
 * model while the entry that followed the decayed prefix (succ) is still in p: the kernel's pool
 * was shorter and decayed fewer (a prefix), so it still held the entries decayed after addr in
 * the same batch, and the entries now ahead of succ are newer than its head: decayed. Those are
 * dropped; addr and its batch's later entries still free go back before succ, in their order.
 * false (nothing changed): addr is not such an entry. */
static bool nodes_undecay(struct nodes *m, struct nva_pool *p, unsigned node, u64 addr, u64 size)
{
	u64 i, at, idx = (size - 1) / MM_PAGE_SIZE;
	if (!p || !hmap_get(&m->dec_at, addr, &i) || m->dec[i].node != node || m->dec[i].idx != idx ||
	    !nodes_free_holding(m, addr, size))
		return false;
	const struct nva_decayed d = m->dec[i];
	struct nva *succ = nodes_used_find(m, d.succ);
	if (!succ || succ->state != NVA_POOL || succ->node != node || succ->va.end - succ->va.start != size)
		return false;
	while (p->head != succ) {
		m->ns.resynced++;
		nodes_pool_drop(m, p, 1);
	}
	u64 last = i;
	while (last + 1 < m->ndec && m->dec[last + 1].succ == d.succ && m->dec[last + 1].node == node &&
	       m->dec[last + 1].idx == idx)
		last++;
	for (u64 j = last + 1; j-- > i;) {
		u64 a = m->dec[j].start;
		struct nva *fb = nodes_free_holding(m, a, size), *n;
		if (!hmap_get(&m->dec_at, a, &at) || at != j || !fb)
			continue;
		hmap_del(&m->dec_at, a, NULL);
		if (!(n = objpool_get(&m->objs)) || nodes_free_clip(m, fb, a, size)) {
			if (n)
				objpool_put(&m->objs, n);
			continue;
		}
		nodes_make_busy(m, n, a, size, node);
		n->state = NVA_POOL;
		nodes_pool_push_head(p, n);
		m->ns.undecayed++;
	}
	return p->head && p->head->va.start == addr;
}

/* A pool the model sees empty may go on in the kernel with entries the model hides (pooled
 * before the recording, or lost to a wrong guess): a pool gives its entries in descending
 * address order within a purge's batch, so the next is the highest hidden slot of exactly the
 * request's size, aligned for it, below where the kernel last took from that pool. The walk
 * looks at NODES_HIDDEN_WALK used objects at most; no cursor (the kernel's last pick for the
 * pool came from the tree, or none yet): none. */
struct nva *nodes_hidden_next(struct nodes *m, unsigned node, const struct vmlist_req *rq)
{
	struct nva_pool *p = nodes_pool(m, node, rq->size);
	u64 idx = p ? (rq->size - 1) / MM_PAGE_SIZE : 0;
	if (!p || (p->head && !m->node[node].front[idx]))
		return NULL;
	u64 c = m->node[node].cursor[idx];
	bool up = m->node[node].up[idx];
	if (!c)
		return NULL;
	struct nva *u = nodes_used_floor(m, up ? c : c - 1);
	if (up && u && u->va.start < c)
		u = nodes_used_next(m, u);
	for (unsigned i = 0; u && i < NODES_HIDDEN_WALK; i++) {
		if (u->state == NVA_HIDDEN && u->va.end - u->va.start == rq->size &&
		    !(u->va.start & (rq->align - 1)) && (u->node == VMLIST_NODES_NONE || u->node == node))
			return u;
		if (up)
			u = nodes_used_next(m, u);
		else
			u = u->va.start ? nodes_used_floor(m, u->va.start - 1) : NULL;
	}
	return NULL;
}

bool nodes_stride_next(struct nodes *m, unsigned node, const struct vmlist_req *rq, u64 *at)
{
	struct nva_pool *p = nodes_pool(m, node, rq->size);
	u64 idx = p ? (rq->size - 1) / MM_PAGE_SIZE : 0;
	if (!p || (p->head && !m->node[node].front[idx]))
		return false;
	u64 last = m->node[node].last[idx], d = m->node[node].stride[idx];
	if (!d || !m->node[node].run[idx] || last < d || last - d < rq->vstart ||
	    ((last - d) & (rq->align - 1)))
		return false;
	/* a batch's slot an area holds exactly (taken from another pool, or never freed) is in no
	 * pool: the batch goes on a stride below it */
	for (u64 a = last - d, i = 0; i < NODES_HIDDEN_WALK; i++, a -= d) {
		struct nva *u = nodes_used_floor(m, a + rq->size - 1);
		if (u && u->state == NVA_BUSY && u->va.start == a && u->va.end == a + rq->size) {
			if (a < d || a - d < rq->vstart)
				return false;
			continue;
		}
		/* free or hidden space only (hidden slots of the model's guessing may cut across it) */
		for (; u && u->va.end > a; u = u->va.start ? nodes_used_floor(m, u->va.start - 1) : NULL)
			if (u->state != NVA_HIDDEN)
				return false;
		*at = a;
		return true;
	}
	return false;
}

/* A pool the kernel took from the tree over space the model had hidden is hunting: that slot
 * was in a pool the kernel's last purge decayed (its len >> 2 head: the highest entries of a
 * batch, the model cannot tell which), and the kernel's lowest fits go on ascending through
 * the hidden slots decayed with it. So the next pick is the lowest place above the last one where
 * the request fits in space free or hidden (busy areas and pool entries bound it): walked over
 * NODES_HIDDEN_WALK used objects at most, with the tree's search length. */
bool nodes_hunt_fit(struct nodes *m, unsigned node, const struct vmlist_req *rq, u64 *at)
{
	struct nva_pool *p = nodes_pool(m, node, rq->size);
	u64 idx = (rq->size - 1) / MM_PAGE_SIZE, h = p ? m->node[node].hunt[idx] : 0;
	if (!h)
		return false;
	u64 length = nodes_search_length(rq), s = h;
	struct nva *u = nodes_used_floor(m, h);
	if (u && u->va.end > h && u->state != NVA_HIDDEN)
		s = u->va.end;
	u = u ? nodes_used_next(m, u) : nodes_used_first(m);
	for (unsigned i = 0; i <= NODES_HIDDEN_WALK; i++) {
		u64 e = u ? u->va.start : rq->vend;
		if (!u || u->state != NVA_HIDDEN) { /* the span [s, e) ends here */
			u64 a = (s + rq->align - 1) & ~(rq->align - 1);
			if (e > s && e - s >= length && a >= s && a + rq->size <= e) {
				*at = a;
				return true;
			}
			if (!u)
				return false;
			s = u->va.end;
		}
		u = nodes_used_next(m, u);
	}
	return false;
}

static int nodes_place_at(struct nodes *m, const struct vmlist_req *rq, u64 addr, struct vmlist_pick *how,
			  bool *ate);

int nodes_place(void *priv, const struct vmlist_req *rq, u64 addr, struct vmlist_pick *how)
{
	struct nodes *m = priv;
	bool ate = false, full = nodes_full_window(m, rq);
	u64 z = 0;
	bool hz = full && nodes_hunt_fit(m, nodes_cpu_node(m, rq->cpu), rq, &z);
	u64 sa = 0;
	bool sz = full && nodes_stride_next(m, nodes_cpu_node(m, rq->cpu), rq, &sa);
	int err = nodes_place_at(m, rq, addr, how, &ate);
	/* the pool's cursor: where the kernel took from it; a tree pick: it was empty */
	struct nva_pool *p = full ? nodes_pool(m, how->node, rq->size) : NULL;
	if (err || !p)
		return err;
	u64 idx = (rq->size - 1) / MM_PAGE_SIZE, *c = &m->node[how->node].cursor[idx];
	u8 *up = &m->node[how->node].up[idx];
	u64 *hunt = &m->node[how->node].hunt[idx];
	/* a hidden slot taken where the hunt said is the kernel's lowest fit, tree space the
	 * model had hidden: a tree pick (the pool was empty), and the hunt goes on above it */
	bool tree = how->src == VMLIST_SRC_TREE || (how->src == VMLIST_SRC_HIDDEN && hz && z == addr);
	/* hunting: from a tree pick over a hidden slot, for as long as the kernel's tree picks eat
	 * hidden space or fall where the hunt said (the hidden slots it skips are pooled: stop) */
	*hunt = tree && (ate || (hz && z == addr)) ? addr : 0;
	m->ns.hunts += how->src == VMLIST_SRC_TREE && ate;
	m->node[how->node].front[idx] = !tree && how->src == VMLIST_SRC_HIDDEN && p->head;
	/* a descending step between two picks the model's pool did not give: a batch's stride,
	 * the smallest step of the run (a larger one skipped entries taken elsewhere) */
	u64 *last = &m->node[how->node].last[idx], *d = &m->node[how->node].stride[idx];
	u8 *run = &m->node[how->node].run[idx];
	bool unseen = how->src == VMLIST_SRC_TREE || how->src == VMLIST_SRC_HIDDEN;
	u64 step = unseen && *last > addr && *last - addr >= rq->size ? *last - addr : 0;
	*d = step && *d && *run ? MM_MIN(*d, step) : step;
	*last = unseen ? addr : 0;
	*run = how->src == VMLIST_SRC_TREE || (how->src == VMLIST_SRC_HIDDEN && sz && sa == addr);
	if (tree) {
		*c = 0;
		*up = 0;
	} else if (how->src == VMLIST_SRC_HIDDEN && *c && addr > *c) {
		*c = addr;
		*up = 1;
	} else if (how->src == VMLIST_SRC_HIDDEN) {
		/* the kernel's pool went from the cursor to addr: the hidden slots of this size it
		 * passed over are not in it; with two nodes they are the other node's */
		struct nva *u = *c > addr && m->nr_nodes == 2 ? nodes_used_floor(m, *c - 1) : NULL;
		for (unsigned i = 0; u && u->va.start > addr && i < NODES_HIDDEN_WALK; i++) {
			if (u->state == NVA_HIDDEN && u->va.end - u->va.start == rq->size &&
			    u->node == VMLIST_NODES_NONE)
				u->node = how->node ^ 1u;
			u = nodes_used_floor(m, u->va.start - 1);
		}
		*c = addr;
		*up = 0;
	} else if (how->src != VMLIST_SRC_POOL_OTHER) {
		*c = addr;
		*up = 0;
	}
	return err;
}

static int nodes_place_at(struct nodes *m, const struct vmlist_req *rq, u64 addr, struct vmlist_pick *how,
			  bool *ate)
{
	u64 end = addr + rq->size;
	bool full = nodes_full_window(m, rq);
	unsigned node = full ? nodes_cpu_node(m, rq->cpu) : 0;
	u32 vn = full ? node : VMLIST_NODES_NONE;
	struct nva_pool *p = full ? nodes_pool(m, node, rq->size) : NULL;
	how->node = node;
	how->addr = addr;
	if (nodes_overlaps_busy(m, addr, end))
		return -EBUSY;
	/* the kernel looked at this pool's head first: an unaligned one went to the tail, and the
	 * pool missed although it was not empty */
	bool rotated = p && p->head && (p->head->va.start & (rq->align - 1));
	if (rotated) {
		struct nva *h = p->head;
		nodes_pool_unlink(p, h);
		nodes_pool_push_tail(p, h);
		m->ns.pool_rotates++;
	}
	if (nodes_undecay(m, p, node, addr, rq->size)) {
		struct nva *h = p->head;
		nodes_pool_unlink(p, h);
		h->state = NVA_BUSY;
		h->node = vn;
		h->guess = 0;
		how->src = VMLIST_SRC_DECAYED;
		return 0;
	}
	struct nva *u = nodes_used_find(m, addr);
	if (u && u->va.end == end && (u->state == NVA_POOL || u->state == NVA_HIDDEN)) {
		nodes_take_used(m, u, p, vn, rq->filling || rotated, how);
		return 0;
	}
	*ate = nodes_release_overlap(m, addr, end);
	/* the pool was empty: its entries are not in it; those below addr are not in the tree
	 * either (the kernel took its lowest fit), so they are hidden with the rest below */
	if (!rotated)
		nodes_flush_pool(m, p, node);
	int err = nodes_hide_below(m, rq, addr);
	if (err)
		return err;
	struct nva *fb = nodes_free_holding(m, addr, rq->size), *busy = objpool_get(&m->objs);
	if (!fb || !busy || nodes_free_clip(m, fb, addr, rq->size)) {
		if (busy)
			objpool_put(&m->objs, busy);
		return -ENOMEM;
	}
	nodes_make_busy(m, busy, addr, rq->size, vn);
	how->src = VMLIST_SRC_TREE;
	return 0;
}

void nodes_set_owner(void *priv, u64 addr, unsigned cpu, bool full, bool guess)
{
	struct nodes *m = priv;
	struct nva *u = nodes_used_find(m, addr);
	if (u && u->state == NVA_BUSY) {
		u->node = full && m->nr_nodes > 1 ? nodes_cpu_node(m, cpu) : VMLIST_NODES_NONE;
		u->guess = guess && u->node != VMLIST_NODES_NONE;
	}
}
