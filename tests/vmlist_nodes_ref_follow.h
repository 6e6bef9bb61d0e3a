/* The nodes vmlist reference's follow mode (vmlist_nodes_ref.h): guessed owners, hidden slots,
 * a hunting pool, an unseen batch's stride, the prediction and the placement at the kernel's
 * address, from the rules of vmlist_nodes_follow.c, with linear scans everywhere. */
#ifndef VMLIST_NODES_REF_FOLLOW_H
#define VMLIST_NODES_REF_FOLLOW_H

#include "tests/vmlist_nodes_ref.h"

/* The busy area at a was allocated on cpu; guess: its node is a guess (follow may revise it). */
static inline void nref_set_owner(struct nref *r, u64 a, unsigned cpu, bool full, bool guess)
{
	int i = nref_busy_find(r, a);
	if (i < 0)
		return;
	r->busy[i].vn = full && r->nn > 1 ? cpu % r->nn : VMLIST_NODES_NONE;
	nref_unguess(r, a);
	if (guess && r->busy[i].vn != VMLIST_NODES_NONE)
		r->guessed[r->ng++] = a;
}

/* The kernel's pool (n, k) did not hold its head: a guessed owner goes to the other node's pool
 * (two nodes; before the first entry that is not higher or ends its descending run) or is
 * hidden (more nodes); a known owner was decayed: free. */
static inline void nref_skip_head(struct nref *r, unsigned n, u64 k)
{
	u64 h = r->pool[n][k][0];
	if (nref_guess_pos(r, h) < 0) {
		nref_pool_drop(r, n, k, 1);
		return;
	}
	nref_pool_remove(r, n, k, 0);
	nref_unguess(r, h);
	r->owners_learned++;
	if (r->nn != 2) {
		r->hid[r->nh++] =
			(struct nref_range){h, h + (k + 1) * MM_PAGE_SIZE, VMLIST_NODES_NONE, false};
		return;
	}
	unsigned o = n ^ 1u;
	u64 j = 0;
	while (j < r->plen[o][k] && r->pool[o][k][j] > h && (!j || r->pool[o][k][j] < r->pool[o][k][j - 1]))
		j++;
	nref_pool_insert(r, o, k, j, h);
}

/* Every used object (busy, pool entry, hidden slot) by start: out[i] = {start, end, kind}. */
struct nref_used {
	u64 start, end;
	int kind; /* VMLIST_NODES_BUSY, _POOL, _HIDDEN */
	int hid;  /* hidden: its index in r->hid */
};

static inline int nref_used_cmp(const void *a, const void *b)
{
	const struct nref_used *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static inline int nref_used_sorted(const struct nref *r, struct nref_used *out)
{
	int n = 0;
	for (int i = 0; i < r->nb; i++)
		out[n++] = (struct nref_used){r->busy[i].start, r->busy[i].end, VMLIST_NODES_BUSY, -1};
	for (int i = 0; i < r->nh; i++)
		out[n++] = (struct nref_used){r->hid[i].start, r->hid[i].end, VMLIST_NODES_HIDDEN, i};
	for (unsigned m = 0; m < r->nn; m++)
		for (u64 k = 0; k < NREF_POOLS; k++)
			for (u64 j = 0; j < r->plen[m][k]; j++)
				out[n++] = (struct nref_used){r->pool[m][k][j],
							      r->pool[m][k][j] + (k + 1) * MM_PAGE_SIZE,
							      VMLIST_NODES_POOL, -1};
	qsort(out, (size_t)n, sizeof(*out), nref_used_cmp);
	return n;
}

static struct nref_used nref_used_buf[3 * NREF_MAX];

/* Follow: with the node's pool empty (or its last pick a hidden slot in front of its entries),
 * the hidden slot its pool gives next: of exactly size, aligned, not learned to be another
 * node's, the first of the 256 used objects below the cursor (above it, when the last two
 * hidden picks ascended); -1 when none. */
static inline int nref_hidden_next(const struct nref *r, u64 size, u64 align, unsigned node)
{
	u64 k = nref_pool_idx(size);
	if (k >= NREF_POOLS)
		return -1;
	u64 c = r->cursor[node][k];
	if ((r->plen[node][k] && !r->front[node][k]) || !c)
		return -1;
	int n = nref_used_sorted(r, nref_used_buf), i = 0;
	bool up = r->up[node][k];
	while (i < n && nref_used_buf[i].start < c)
		i++;
	i = up ? i : i - 1; /* up: the first at or above c; down: the last below */
	for (int seen = 0; i >= 0 && i < n && seen < 256; seen++, i += up ? 1 : -1) {
		const struct nref_used *u = &nref_used_buf[i];
		if (u->kind == VMLIST_NODES_HIDDEN && u->end - u->start == size &&
		    !(u->start & (align - 1)) &&
		    (r->hid[u->hid].vn == VMLIST_NODES_NONE || r->hid[u->hid].vn == node))
			return u->hid;
	}
	return -1;
}

/* Follow, a pool hunting decayed hidden slots: the lowest place above its hunt address where
 * the request fits in space free or hidden (busy areas and pool entries end a span), over the
 * 257 used objects after the one at or below the hunt address; 0 when none or not hunting. */
static inline u64 nref_hunt_fit(const struct nref *r, u64 size, u64 align, u64 vs, u64 ve, unsigned node)
{
	u64 k = nref_pool_idx(size), h = k < NREF_POOLS ? r->hunt[node][k] : 0;
	if (!h)
		return 0;
	int n = nref_used_sorted(r, nref_used_buf), i = 0;
	while (i < n && nref_used_buf[i].start <= h)
		i++;
	u64 s = h, length = nref_length(size, align, vs, ve);
	if (i > 0 && nref_used_buf[i - 1].end > h && nref_used_buf[i - 1].kind != VMLIST_NODES_HIDDEN)
		s = nref_used_buf[i - 1].end;
	for (int seen = 0; seen <= 256; seen++, i++) {
		u64 e = i < n ? nref_used_buf[i].start : ve;
		if (i >= n || nref_used_buf[i].kind != VMLIST_NODES_HIDDEN) {
			u64 a = (s + align - 1) & ~(align - 1);
			if (e > s && e - s >= length && a >= s && a + size <= e)
				return a;
			if (i >= n)
				return 0;
			s = nref_used_buf[i].end;
		}
	}
	return 0;
}

/* Follow: a run of descending picks the model's pool did not give goes on one stride below
 * the last, where only free space and hidden slots are; 0 when not. */
static inline u64 nref_stride_next(const struct nref *r, u64 size, u64 align, u64 vs, unsigned node)
{
	u64 k = nref_pool_idx(size);
	if (k >= NREF_POOLS || (r->plen[node][k] && !r->front[node][k]))
		return 0;
	u64 last = r->last[node][k], d = r->stride[node][k];
	if (!d || !r->run[node][k] || last < d || last - d < vs || ((last - d) & (align - 1)))
		return 0;
	int n = nref_used_sorted(r, nref_used_buf);
	/* below the batch's slots busy areas hold exactly, 256 slots at most */
	u64 a = last - d;
	for (int step = 0; step < 256; step++, a -= d) {
		bool held = false, other = false;
		for (int i = 0; i < n; i++) {
			const struct nref_used *o = &nref_used_buf[i];
			if (o->start < a + size && a < o->end) {
				held |= o->kind == VMLIST_NODES_BUSY && o->start == a && o->end == a + size;
				other |= o->kind != VMLIST_NODES_HIDDEN;
			}
		}
		if (!held)
			return other ? 0 : a;
		if (a < d || a - d < vs)
			return 0;
	}
	return 0;
}

/* predict: a stride run's next, else the pool's head, else a hidden slot its pool gives next,
 * else the tree (or the hunt's place when lower). */
static inline int nref_predict(struct nref *r, u64 size, u64 align, u64 vs, u64 ve, unsigned cpu, u64 *addr)
{
	bool pool, full = nref_full(r, vs, ve);
	u64 sa = full ? nref_stride_next(r, size, align, vs, cpu % r->nn) : 0;
	if (sa) {
		*addr = sa;
		return 0;
	}
	if (full) {
		int h = nref_hidden_next(r, size, align, cpu % r->nn);
		if (h >= 0) {
			*addr = r->hid[h].start;
			return 0;
		}
	}
	int err = nref_pick(r, size, align, vs, ve, cpu, false, addr, &pool);
	u64 z = full && !pool ? nref_hunt_fit(r, size, align, vs, ve, cpu % r->nn) : 0;
	if (z && (err || z < *addr)) {
		*addr = z;
		return 0;
	}
	return err;
}

/* After a placement from source src by node: the pool's cursor and hunt (ate: the kernel's
 * area overlapped a hidden slot; z: where the hunt said, 0: nowhere) (vmlist_nodes_follow.c). */
static inline void nref_cursor(struct nref *r, u64 size, unsigned node, u64 a, int src, bool ate, u64 z,
			       u64 sa)
{
	u64 k = nref_pool_idx(size), *c = &r->cursor[node][k];
	bool *up = &r->up[node][k];
	/* a hidden slot where the hunt said: a tree pick */
	bool tree = src == VMLIST_SRC_TREE || (src == VMLIST_SRC_HIDDEN && z && z == a);
	r->hunt[node][k] = tree && (ate || z == a) ? a : 0;
	r->hunts += src == VMLIST_SRC_TREE && ate;
	r->front[node][k] = !tree && src == VMLIST_SRC_HIDDEN && r->plen[node][k];
	bool unseen = src == VMLIST_SRC_TREE || src == VMLIST_SRC_HIDDEN;
	u64 *last = &r->last[node][k], *d = &r->stride[node][k];
	u64 step = unseen && *last > a && *last - a >= size ? *last - a : 0;
	*d = step && *d && r->run[node][k] ? MM_MIN(*d, step) : step;
	*last = unseen ? a : 0;
	r->run[node][k] = src == VMLIST_SRC_TREE || (src == VMLIST_SRC_HIDDEN && sa && sa == a);
	if (tree) {
		*c = 0;
		*up = false;
	} else if (src == VMLIST_SRC_HIDDEN && *c && a > *c) {
		*c = a;
		*up = true;
	} else if (src == VMLIST_SRC_HIDDEN) {
		if (*c > a && r->nn == 2) { /* the hidden slots passed over are the other node's */
			int n = nref_used_sorted(r, nref_used_buf), i = n - 1;
			while (i >= 0 && nref_used_buf[i].start >= *c)
				i--;
			for (int seen = 0; i >= 0 && nref_used_buf[i].start > a && seen < 256; seen++, i--) {
				const struct nref_used *u = &nref_used_buf[i];
				if (u->kind == VMLIST_NODES_HIDDEN && u->end - u->start == size &&
				    r->hid[u->hid].vn == VMLIST_NODES_NONE)
					r->hid[u->hid].vn = node ^ 1u;
			}
		}
		*c = a;
		*up = false;
	} else if (src != VMLIST_SRC_POOL_OTHER) {
		*c = a;
		*up = false;
	}
}

/* Follow mode: the rules of vmlist_nodes_follow.c, one by one. */
static inline int nref_place_at(struct nref *r, u64 size, u64 align, u64 vs, u64 ve, unsigned cpu, u64 a,
				int *src, bool *ate)
{
	u64 end = a + size, k = nref_pool_idx(size);
	bool full = nref_full(r, vs, ve);
	unsigned node = full ? cpu % r->nn : 0;
	u32 vn = full ? node : VMLIST_NODES_NONE;
	bool has_pool = full && k < NREF_POOLS;
	for (int i = 0; i < r->nb; i++)
		if (r->busy[i].start < end && a < r->busy[i].end)
			return -EBUSY;
	/* an unaligned head went to the tail: the pool missed, not empty (rules 1-2 do not apply) */
	bool rotated = has_pool && r->plen[node][k] && (r->pool[node][k][0] & (align - 1));
	if (rotated)
		nref_pool_insert(r, node, k, r->plen[node][k], nref_pool_remove(r, node, k, 0));
	for (int i = 0; has_pool && i < r->ndec; i++) { /* a decayed entry the kernel still held */
		struct nref_dec d = r->dec[i];
		long ps = d.dead || d.start != a || d.node != node || d.idx != k || !nref_is_free(r, a, end)
				  ? -1
				  : nref_pool_pos(r, node, k, d.succ);
		if (ps < 0)
			continue;
		nref_pool_drop(r, node, k, (u64)ps);
		int last = i;
		while (last + 1 < r->ndec && r->dec[last + 1].succ == d.succ &&
		       r->dec[last + 1].node == node && r->dec[last + 1].idx == k)
			last++;
		for (int j = last; j >= i; j--) {
			u64 s = r->dec[j].start;
			if (r->dec[j].dead || !nref_is_free(r, s, s + size))
				continue;
			r->dec[j].dead = true;
			nref_clip(r, s, s + size);
			nref_pool_insert(r, node, k, 0, s);
		}
		nref_pool_remove(r, node, k, 0);
		*src = VMLIST_SRC_DECAYED;
		nref_busy_add(r, a, size, vn);
		return 0;
	}
	for (unsigned n = 0; n < r->nn && k < NREF_POOLS; n++) /* exactly a pool entry */
		for (u64 j = 0; j < r->plen[n][k]; j++) {
			if (r->pool[n][k][j] != a)
				continue;
			bool same = has_pool && n == node;
			for (u64 s = 0; same && !rotated && s < j; s++)
				nref_skip_head(r, n, k);
			nref_pool_remove(r, n, k, same && !rotated ? (u64)nref_pool_pos(r, n, k, a) : j);
			*src = same ? (j ? VMLIST_SRC_POOL_DEEP : VMLIST_SRC_POOL) : VMLIST_SRC_POOL_OTHER;
			nref_busy_add(r, a, size, vn);
			return 0;
		}
	for (int i = 0; i < r->nh; i++) /* exactly a hidden slot */
		if (r->hid[i].start == a && r->hid[i].end == end) {
			r->hid[i] = r->hid[--r->nh]; /* from the pool's head: the pool is kept */
			*src = VMLIST_SRC_HIDDEN;
			nref_busy_add(r, a, size, vn);
			return 0;
		}
	for (unsigned n = 0; n < r->nn; n++) /* overlapping pool entries and hidden slots */
		for (u64 q = 0; q < NREF_POOLS; q++)
			for (u64 j = 0; j < r->plen[n][q];) {
				u64 s = r->pool[n][q][j], e = s + (q + 1) * MM_PAGE_SIZE;
				if (s < end && a < e) {
					nref_pool_remove(r, n, q, j);
					nref_free_add(r, s, e);
				} else {
					j++;
				}
			}
	for (int i = 0; i < r->nh;) {
		if (r->hid[i].start < end && a < r->hid[i].end) {
			nref_free_add(r, r->hid[i].start, r->hid[i].end);
			r->hid[i] = r->hid[--r->nh];
			*ate = true;
		} else {
			i++;
		}
	}
	while (has_pool && !rotated && r->plen[node][k]) /* an empty pool in the kernel */
		nref_skip_head(r, node, k);
	if (size <= NREF_POOLS * MM_PAGE_SIZE) { /* hide the lowest fits below a */
		for (;;) {
			u64 y = nref_lowest(r, nref_length(size, align, vs, ve), size, align, vs, ve);
			if (!y || y >= a || size > a - y)
				break;
			nref_clip(r, y, y + size);
			r->hid[r->nh++] = (struct nref_range){y, y + size, VMLIST_NODES_NONE, false};
		}
	}
	if (!nref_is_free(r, a, end))
		return -ENOMEM;
	nref_clip(r, a, end);
	nref_busy_add(r, a, size, vn);
	*src = VMLIST_SRC_TREE;
	return 0;
}

static inline int nref_place(struct nref *r, u64 size, u64 align, u64 vs, u64 ve, unsigned cpu, u64 a,
			     int *src)
{
	bool ate = false, full = nref_full(r, vs, ve);
	u64 z = full ? nref_hunt_fit(r, size, align, vs, ve, cpu % r->nn) : 0;
	u64 sa = full ? nref_stride_next(r, size, align, vs, cpu % r->nn) : 0;
	int err = nref_place_at(r, size, align, vs, ve, cpu, a, src, &ate);
	if (!err && full && nref_pool_idx(size) < NREF_POOLS)
		nref_cursor(r, size, cpu % r->nn, a, *src, ate, z, sa);
	return err;
}

#endif
