/* A slow, obvious reference for the nodes vmlist: free space as a sorted array of ranges
 * (merged), busy areas and hidden slots as unsorted arrays, every pool as a plain array (index 0
 * = head). It implements the same rules as vmlist_nodes.h (follow mode: vmlist_nodes_ref_follow.h) from their
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

#endif
