/* A slow, obvious reference for the nodes vmlist: free space as a sorted array of ranges
 * (merged), busy areas and hidden slots as unsorted arrays, every pool as a plain array (index 0
 * = head). It implements the same rules as vmlist_nodes.h / vmlist_nodes_follow.c from their
 * text, with linear scans everywhere, so the fast variant can be checked after every operation. */
#ifndef VMLIST_NODES_REF_H
#define VMLIST_NODES_REF_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/kva/vmlist_nodes.h"

#define NREF_MAX 4096
#define NREF_NODES 4
#define NREF_POOLS 256

struct nref_range {
	u64 start, end;
	u32 vn;	      /* busy: owner node or VMLIST_NODES_NONE */
	bool purging; /* busy: freed during the current purge */
};

/* A decayed pool entry (rule 5 of vmlist_nodes_follow.c): its pool and its batch's successor. */
struct nref_dec {
	u64 start, succ;
	u32 node, idx;
	bool dead; /* restored, or a later record has the same start */
};

struct nref {
	u64 vstart, vend;
	unsigned nn;
	struct nref_range fr[NREF_MAX]; /* free, sorted by start, never touching */
	int nf;
	struct nref_range busy[NREF_MAX], hid[NREF_MAX];
	int nb, nh;
	u64 *pool[NREF_NODES][NREF_POOLS]; /* starts, head first */
	u64 plen[NREF_NODES][NREF_POOLS], pcap[NREF_NODES][NREF_POOLS];
	u64 purge[NREF_NODES][NREF_MAX]; /* starts freed during the purge, per lazy node */
	int npurge[NREF_NODES];
	bool purging, full;
	struct nref_dec dec[NREF_MAX * 4];
	int ndec;
	u64 guessed[NREF_MAX]; /* starts of busy areas and pool entries whose node is a guess */
	int ng;
	u64 cursor[NREF_NODES][NREF_POOLS]; /* follow: the kernel's last pick of each pool, 0: none */
	bool up[NREF_NODES][NREF_POOLS];    /* its last two hidden picks ascended */
	bool front[NREF_NODES][NREF_POOLS]; /* its last pick was hidden with the pool not empty */
	u64 hunt[NREF_NODES][NREF_POOLS];   /* hunting decayed hidden slots from here, 0: not */
	u64 last[NREF_NODES][NREF_POOLS];   /* its last pick not from the model's pools, 0: none */
	u64 stride[NREF_NODES][NREF_POOLS]; /* the smallest descending step of the run, 0: none */
	bool run[NREF_NODES][NREF_POOLS];   /* the last pick was free space or the stride's place */
	u64 owners_learned;
	u64 hunts; /* tree placements that ate a hidden slot */
};

static inline int nref_guess_pos(const struct nref *r, u64 a)
{
	for (int i = 0; i < r->ng; i++)
		if (r->guessed[i] == a)
			return i;
	return -1;
}

static inline void nref_unguess(struct nref *r, u64 a)
{
	int i = nref_guess_pos(r, a);
	if (i >= 0)
		r->guessed[i] = r->guessed[--r->ng];
}

static inline void nref_free_add(struct nref *r, u64 a, u64 b)
{
	for (int g = 0; g < r->ng;) /* an object that becomes free space forgets its guess */
		if (r->guessed[g] >= a && r->guessed[g] < b)
			r->guessed[g] = r->guessed[--r->ng];
		else
			g++;
	int i = 0;
	while (i < r->nf && r->fr[i].start < a)
		i++;
	if (i > 0 && r->fr[i - 1].end == a) { /* merge with the previous block */
		i--;
		a = r->fr[i].start;
		memmove(&r->fr[i], &r->fr[i + 1], (size_t)(r->nf - i - 1) * sizeof(r->fr[0]));
		r->nf--;
	}
	if (i < r->nf && r->fr[i].start == b) { /* and the next */
		b = r->fr[i].end;
		memmove(&r->fr[i], &r->fr[i + 1], (size_t)(r->nf - i - 1) * sizeof(r->fr[0]));
		r->nf--;
	}
	memmove(&r->fr[i + 1], &r->fr[i], (size_t)(r->nf - i) * sizeof(r->fr[0]));
	r->fr[i] = (struct nref_range){a, b, VMLIST_NODES_NONE, false};
	r->nf++;
}

/* Remove [a, b) from the free block that holds it. */
static inline void nref_clip(struct nref *r, u64 a, u64 b)
{
	for (int i = 0; i < r->nf; i++) {
		if (r->fr[i].start <= a && b <= r->fr[i].end) {
			u64 s = r->fr[i].start, e = r->fr[i].end;
			memmove(&r->fr[i], &r->fr[i + 1], (size_t)(r->nf - i - 1) * sizeof(r->fr[0]));
			r->nf--;
			if (s < a)
				nref_free_add(r, s, a);
			if (b < e)
				nref_free_add(r, b, e);
			return;
		}
	}
	abort();
}

static inline bool nref_is_free(const struct nref *r, u64 a, u64 b)
{
	for (int i = 0; i < r->nf; i++)
		if (r->fr[i].start <= a && b <= r->fr[i].end)
			return true;
	return false;
}

static inline void nref_init(struct nref *r, u64 vstart, u64 vend, unsigned nn)
{
	memset(r, 0, sizeof(*r));
	r->vstart = vstart;
	r->vend = vend;
	r->nn = nn;
	nref_free_add(r, vstart, vend);
}

static inline void nref_fini(struct nref *r)
{
	for (unsigned n = 0; n < NREF_NODES; n++)
		for (unsigned k = 0; k < NREF_POOLS; k++)
			free(r->pool[n][k]);
}

static inline u64 nref_pool_idx(u64 size)
{
	return (size - 1) / MM_PAGE_SIZE;
}

static inline void nref_pool_insert(struct nref *r, unsigned n, u64 k, u64 pos, u64 start)
{
	if (r->plen[n][k] == r->pcap[n][k]) {
		r->pcap[n][k] = r->pcap[n][k] ? 2 * r->pcap[n][k] : 16;
		r->pool[n][k] = realloc(r->pool[n][k], r->pcap[n][k] * sizeof(u64));
	}
	memmove(&r->pool[n][k][pos + 1], &r->pool[n][k][pos], (r->plen[n][k] - pos) * sizeof(u64));
	r->pool[n][k][pos] = start;
	r->plen[n][k]++;
}

static inline u64 nref_pool_remove(struct nref *r, unsigned n, u64 k, u64 pos)
{
	u64 a = r->pool[n][k][pos];
	memmove(&r->pool[n][k][pos], &r->pool[n][k][pos + 1], (r->plen[n][k] - pos - 1) * sizeof(u64));
	r->plen[n][k]--;
	return a;
}

/* The first `count` entries of pool (n, k) back to the free space. */
static inline void nref_pool_drop(struct nref *r, unsigned n, u64 k, u64 count)
{
	for (u64 i = 0; i < count && r->plen[n][k]; i++) {
		u64 a = nref_pool_remove(r, n, k, 0);
		nref_free_add(r, a, a + (k + 1) * MM_PAGE_SIZE);
	}
}

static inline bool nref_full(const struct nref *r, u64 vstart, u64 vend)
{
	return r->nn > 1 && vstart == r->vstart && vend == r->vend;
}

static inline u64 nref_length(u64 size, u64 align, u64 vstart, u64 vend)
{
	return align > MM_PAGE_SIZE && vend - vstart != size ? size + align - 1 : size;
}

/* The lowest free block of at least length bytes where the request fits: the address, or 0. */
static inline u64 nref_lowest(const struct nref *r, u64 length, u64 size, u64 align, u64 vstart, u64 vend)
{
	for (int i = 0; i < r->nf; i++) {
		if (r->fr[i].end - r->fr[i].start < length)
			continue;
		u64 a = (MM_MAX(r->fr[i].start, vstart) + align - 1) & ~(align - 1);
		if (a + size <= r->fr[i].end && a + size <= vend)
			return a;
	}
	return 0;
}

static inline void nref_busy_add(struct nref *r, u64 a, u64 size, u32 vn)
{
	nref_unguess(r, a);
	r->busy[r->nb++] = (struct nref_range){a, a + size, vn, false};
}

static inline int nref_busy_find(const struct nref *r, u64 a)
{
	for (int i = 0; i < r->nb; i++)
		if (r->busy[i].start == a)
			return i;
	return -1;
}

/* Where an allocation would go (rotate: apply node_alloc's rotation of an unaligned head). */
static inline int nref_pick(struct nref *r, u64 size, u64 align, u64 vs, u64 ve, unsigned cpu, bool rotate,
			    u64 *addr, bool *pool)
{
	u64 k = nref_pool_idx(size);
	*pool = false;
	if (nref_full(r, vs, ve) && k < NREF_POOLS && r->plen[cpu % r->nn][k]) {
		unsigned n = cpu % r->nn;
		u64 h = r->pool[n][k][0];
		if (!(h & (align - 1))) {
			*addr = h;
			*pool = true;
			return 0;
		}
		if (rotate) {
			nref_pool_remove(r, n, k, 0);
			nref_pool_insert(r, n, k, r->plen[n][k], h);
		}
	}
	*addr = nref_lowest(r, nref_length(size, align, vs, ve), size, align, vs, ve);
	return *addr ? 0 : -ENOMEM;
}

static inline int nref_alloc(struct nref *r, u64 size, u64 align, u64 vs, u64 ve, unsigned cpu, u64 *addr)
{
	bool pool;
	if (nref_pick(r, size, align, vs, ve, cpu, true, addr, &pool))
		return -ENOMEM;
	if (pool)
		nref_pool_remove(r, cpu % r->nn, nref_pool_idx(size), 0);
	else
		nref_clip(r, *addr, *addr + size);
	nref_busy_add(r, *addr, size, nref_full(r, vs, ve) ? cpu % r->nn : VMLIST_NODES_NONE);
	return 0;
}

static inline int nref_free(struct nref *r, u64 a)
{
	int i = nref_busy_find(r, a);
	if (i < 0 || r->busy[i].purging)
		return -ENOENT;
	if (!r->purging) {
		nref_free_add(r, r->busy[i].start, r->busy[i].end);
		r->busy[i] = r->busy[--r->nb];
		return 0;
	}
	unsigned n = r->busy[i].vn != VMLIST_NODES_NONE ? r->busy[i].vn : vmlist_nodes_addr_node(a, r->nn);
	r->busy[i].purging = true;
	r->purge[n][r->npurge[n]++] = a;
	return 0;
}

/* The position of start in pool (n, k), or -1. */
static inline long nref_pool_pos(const struct nref *r, unsigned n, u64 k, u64 start)
{
	for (u64 j = 0; j < r->plen[n][k]; j++)
		if (r->pool[n][k][j] == start)
			return (long)j;
	return -1;
}

static inline void nref_purge_begin(struct nref *r, bool full)
{
	int kept = 0;
	for (int i = 0; i < r->ndec; i++) { /* keep what the kernel may still hold */
		struct nref_dec d = r->dec[i];
		if (!d.dead && nref_pool_pos(r, d.node, d.idx, d.succ) >= 0 &&
		    nref_is_free(r, d.start, d.start + (d.idx + 1) * MM_PAGE_SIZE))
			r->dec[kept++] = d;
	}
	r->ndec = kept;
	for (unsigned n = 0; n < r->nn; n++)
		for (u64 k = 0; k < NREF_POOLS; k++) {
			u64 d = full ? r->plen[n][k] : r->plen[n][k] / 4;
			for (u64 j = 0; j < d && d < r->plen[n][k]; j++) {
				for (int i = 0; i < r->ndec; i++)
					if (r->dec[i].start == r->pool[n][k][j])
						r->dec[i].dead = true;
				r->dec[r->ndec++] = (struct nref_dec){r->pool[n][k][j], r->pool[n][k][d], n,
								      (u32)k, false};
			}
			nref_pool_drop(r, n, k, d);
		}
	r->purging = true;
	r->full = full;
}

static inline int nref_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	return x < y ? -1 : x > y;
}

static inline void nref_purge_end(struct nref *r)
{
	for (unsigned n = 0; n < r->nn; n++) {
		qsort(r->purge[n], (size_t)r->npurge[n], sizeof(u64), nref_cmp_u64);
		for (int j = 0; j < r->npurge[n]; j++) {
			int i = nref_busy_find(r, r->purge[n][j]);
			struct nref_range b = r->busy[i];
			r->busy[i] = r->busy[--r->nb];
			u64 k = nref_pool_idx(b.end - b.start);
			if (b.vn != VMLIST_NODES_NONE && !r->full && k < NREF_POOLS)
				nref_pool_insert(r, n, k, 0, b.start);
			else
				nref_free_add(r, b.start, b.end);
		}
		r->npurge[n] = 0;
	}
	r->purging = r->full = false;
}

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
	u64 a = last - d;
	int n = nref_used_sorted(r, nref_used_buf);
	for (int i = 0; i < n; i++)
		if (nref_used_buf[i].start < a + size && a < nref_used_buf[i].end &&
		    nref_used_buf[i].kind != VMLIST_NODES_HIDDEN)
			return 0;
	return a;
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
