/* The slow, obvious reference of the compaction model (core/phys/compact.h), shared by the
 * compaction tests: pages as a plain array (free, a block's head or tail, movable, its owner),
 * free blocks found by brute force as the maximal aligned free ranges (the buddy's canonical
 * decomposition), and the scanners' rules written out directly; a world holds the model and
 * the reference on the same machine state, and agree() checks that results, counters, every
 * owner's place and every page's state are the same. */
#ifndef COMPACT_REF_H
#define COMPACT_REF_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/phys/compact.h"
#include "core/phys/fragindex.h"
#include "core/phys/pagereplay.h"

#define NPB 16
#define NP (NPB << BUDDY_PAGEBLOCK_ORDER)
#define BASE 0x100000ULL
#define MAXO 10
#define NOWN 4096

enum { P_FREE = 0, P_HEAD, P_TAIL };

struct ref {
	u8 st[NP], ord[NP], mov[NP];
	u32 own[NP];
	u8 skip[NPB];
	bool flush; /* compact_blockskip_flush */
	u64 mpb, fpb;
	u64 runs, success, complete, contended, mscan, fscan, isolated, migrated, failed;
};

struct world {
	struct zones zs;
	struct compact c;
	struct ref r;
	u32 m_own[NP]; /* model side: owner + 1 of the block whose head is here, 0 none */
	u8 m_mov[NP];
	u64 pfn_model[NOWN], pfn_ref[NOWN]; /* UINT64_MAX: not live */
	unsigned order[NOWN];
};

static inline bool m_movable(void *ctx, unsigned z, u64 pfn, unsigned order)
{
	struct world *w = ctx;
	(void)z, (void)order;
	return w->m_own[pfn - BASE] && w->m_mov[pfn - BASE];
}

static inline void m_moved(void *ctx, u64 from, u64 to, unsigned order)
{
	struct world *w = ctx;
	u32 o = w->m_own[from - BASE];
	cr_assert(o, "moved a block the owner does not know");
	cr_assert_lt(from, to, "a block moved down: %#llx -> %#llx", (unsigned long long)from,
		     (unsigned long long)to);
	cr_assert_eq(order, w->order[o - 1]);
	w->m_own[to - BASE] = o;
	w->m_mov[to - BASE] = w->m_mov[from - BASE];
	w->m_own[from - BASE] = 0;
	w->pfn_model[o - 1] = to;
}

/* --- the reference --- */
static inline bool r_all_free(const struct ref *r, u64 i, u64 n)
{
	if (i + n > NP)
		return false;
	for (u64 k = i; k < i + n; k++)
		if (r->st[k] != P_FREE)
			return false;
	return true;
}

/* The free block holding free page i: its head and order (maximal aligned free range). */
static inline unsigned r_block(const struct ref *r, u64 i, u64 *head)
{
	for (int k = MAXO; k >= 0; k--) {
		u64 h = i & ~((1ULL << k) - 1);
		if (r_all_free(r, h, 1ULL << k)) {
			*head = h;
			return (unsigned)k;
		}
	}
	cr_assert_fail("page %llu is not free", (unsigned long long)i);
	return 0;
}

static inline bool r_order_free(const struct ref *r, unsigned order)
{
	for (u64 i = 0; i < NP; i += 1ULL << order)
		if (r_all_free(r, i, 1ULL << order))
			return true;
	return false;
}

static inline u64 r_free_pages(const struct ref *r)
{
	u64 n = 0;
	for (u64 i = 0; i < NP; i++)
		n += r->st[i] == P_FREE;
	return n;
}

static inline void r_mark(struct ref *r, u64 i, unsigned o, bool mov, u32 own)
{
	for (u64 k = i; k < i + (1ULL << o); k++)
		r->st[k] = P_TAIL;
	r->st[i] = P_HEAD;
	r->ord[i] = (u8)o;
	r->mov[i] = mov;
	r->own[i] = own;
}

static inline void r_clear(struct ref *r, u64 i, unsigned o)
{
	for (u64 k = i; k < i + (1ULL << o); k++)
		r->st[k] = P_FREE;
}

struct rcc {
	u64 mpb, fpb, fidx;
	bool fstarted;
	int order;
	bool async_direct, async, ignore_skip, ignore_suitable;
	u64 pend[NP]; /* isolated, not migrated: page indexes */
	unsigned npend;
	u64 pend_pages;
	/* compaction_alloc's isolated free blocks per order, in list order (index 0 first) */
	u64 iso[MAXO + 1][NP];
	unsigned niso[MAXO + 1];
	u64 nr_free, nr_mig;
};

/* suitable_migration_target, written out */
static inline bool r_target_ok(const struct world *w, const struct rcc *cc, u64 pb)
{
	const struct buddy *b = &w->zs.zone[0].buddy;
	if (!cc->ignore_skip && w->r.skip[pb])
		return false;
	u64 h, i = pb << BUDDY_PAGEBLOCK_ORDER;
	if (w->r.st[i] == P_FREE && r_block(&w->r, i, &h) >= BUDDY_PAGEBLOCK_ORDER && h == i)
		return false;
	return cc->ignore_suitable || !b->pageblock_mt || b->pageblock_mt[pb] == MT_MOVABLE;
}

/* isolate_freepages_block, written out: visit pos, pos + stride, ...; a compound head skips its
 * block, a free block's head is isolated whole (when more than 2^k pages are free: the min
 * watermark is 0 here) and the visit goes on past it; stop once enough pages are held. */
static inline u64 r_free_block(struct world *w, struct rcc *cc, u64 *pos, u64 end, u64 stride)
{
	struct ref *r = &w->r;
	u64 p, got = 0;
	for (p = *pos; p < end; p += stride) {
		u64 h = p;
		r->fscan++;
		if (r->st[p] == P_HEAD && r->ord[p] > 0) {
			u64 n = 1ULL << r->ord[p];
			if (p + n <= end) {
				p += n - 1;
				r->fscan += n - 1;
			}
			continue;
		}
		if (r->st[p] != P_FREE || (r_block(r, p, &h), h != p))
			continue;
		unsigned k = r_block(r, p, &h);
		if (r_free_pages(r) <= (1ULL << k))
			break;
		r_mark(r, p, k, false, 0);
		cc->iso[k][cc->niso[k]++] = p;
		cc->nr_free += 1ULL << k;
		r->fscan += (1ULL << k) - 1;
		got += 1ULL << k;
		if (cc->nr_mig <= cc->nr_free) {
			p += 1ULL << k;
			break;
		}
		p += (1ULL << k) - 1;
	}
	*pos = p < end ? p : end;
	return got;
}

/* isolate_freepages, the linear scanner only (the fast search is off in the tests that use
 * this reference): pageblocks down from the free scanner's position, stride 32 asynchronous
 * or 1, doubled after a pageblock that gave nothing, back to 1 after one that gave pages. */
static inline void r_isolate(struct world *w, struct rcc *cc)
{
	struct ref *r = &w->r;
	u64 stride = cc->async ? 32 : 1;
	if (cc->fpb <= cc->mpb + 1)
		return;
	while (cc->fpb > cc->mpb + 1) {
		u64 pb = cc->fpb - 1, end = (pb + 1) << BUDDY_PAGEBLOCK_ORDER;
		u64 pos = cc->fstarted ? cc->fidx : pb << BUDDY_PAGEBLOCK_ORDER;
		if (!r_target_ok(w, cc, pb)) {
			cc->fpb--;
			cc->fstarted = false;
			continue;
		}
		u64 got = r_free_block(w, cc, &pos, end, stride);
		if (pos == end) {
			r->skip[pb] = 1;
			if (pb + 1 < r->fpb)
				r->fpb = pb + 1;
		}
		if (cc->nr_free >= cc->nr_mig || pos < end) {
			cc->fstarted = pos < end;
			cc->fidx = pos;
			if (pos >= end)
				cc->fpb--;
			return;
		}
		cc->fpb--;
		cc->fstarted = false;
		stride = got ? 1 : (stride * 2 < 32 ? stride * 2 : 32);
	}
	cc->fstarted = false;
}

/* compaction_alloc, written out: the first block of the smallest order >= order held, split
 * with its upper halves first in the lower orders' lists; else isolate once more; else none. */
static inline u64 r_target(struct world *w, struct rcc *cc, unsigned order)
{
	struct ref *r = &w->r;
	for (int attempt = 0; attempt < 2; attempt++) {
		for (unsigned k = order; k <= MAXO; k++) {
			if (!cc->niso[k])
				continue;
			u64 i = cc->iso[k][0];
			memmove(cc->iso[k], cc->iso[k] + 1, --cc->niso[k] * sizeof(u64));
			while (k > order) {
				k--;
				u64 up = i + (1ULL << k);
				memmove(cc->iso[k] + 1, cc->iso[k], cc->niso[k]++ * sizeof(u64));
				cc->iso[k][0] = up;
				r_mark(r, up, k, false, 0);
			}
			r_mark(r, i, order, false, 0);
			cc->nr_free -= 1ULL << order;
			return i;
		}
		if (!attempt)
			r_isolate(w, cc);
	}
	return UINT64_MAX;
}

/* release_free_list: every block still held goes back; the cached free scanner moves up to the
 * highest (never down). */
static inline void r_release(struct world *w, struct rcc *cc)
{
	u64 high = 0;
	bool any = false;
	for (unsigned k = 0; k <= MAXO; k++)
		for (unsigned e = 0; e < cc->niso[k]; e++) {
			r_clear(&w->r, cc->iso[k][e], k);
			high = cc->iso[k][e] > high ? cc->iso[k][e] : high;
			any = true;
		}
	if (any && (high >> BUDDY_PAGEBLOCK_ORDER) + 1 > w->r.fpb)
		w->r.fpb = (high >> BUDDY_PAGEBLOCK_ORDER) + 1;
}

/* Migrate the isolated pages in scan order; false when one found no target. */
static inline bool r_commit(struct world *w, struct rcc *cc)
{
	struct ref *r = &w->r;
	bool ok = true;
	cc->nr_mig = cc->pend_pages;
	for (unsigned k = 0; k < cc->npend; k++) {
		u64 i = cc->pend[k];
		unsigned o = r->ord[i];
		r->isolated += 1ULL << o;
		u64 to = ok ? r_target(w, cc, o) : UINT64_MAX;
		if (to == UINT64_MAX) {
			ok = false;
			r->failed += 1ULL << o;
			continue;
		}
		u32 own = r->own[i];
		r_mark(r, to, o, true, own);
		r_clear(r, i, o);
		w->pfn_ref[own] = BASE + to;
		r->migrated += 1ULL << o;
	}
	cc->npend = 0;
	cc->pend_pages = 0;
	return ok;
}

/* isolate_migratepages_block over a pageblock, the kernel's loop written out: a batch of
 * COMPACT_CLUSTER_MAX pages first, then the rest of the pageblock at once; asynchronous direct
 * compaction puts back the pages of an order-aligned block at its first failure, skips the rest
 * of that block, and migrates a block it isolated whole at its end. */
static inline bool r_migrate_block(struct world *w, struct rcc *cc)
{
	struct ref *r = &w->r;
	u64 first = cc->mpb << BUDDY_PAGEBLOCK_ORDER, end = first + (1u << BUDDY_PAGEBLOCK_ORDER);
	u64 seg = 1ULL << (cc->order > 0 ? cc->order : 0);
	unsigned limit =
		cc->order < 0 ? BUDDY_PAGEBLOCK_ORDER : MM_MIN((unsigned)cc->order, BUDDY_PAGEBLOCK_ORDER);
	bool batch = true, any = false;
	for (u64 i = first; i < end;) {
		if (cc->async_direct && i % seg == 0 && i > first && cc->npend) {
			if (!r_commit(w, cc))
				return false;
			batch = false;
		}
		u64 h = i;
		if (r->st[i] == P_TAIL || (r->st[i] == P_FREE && (r_block(r, i, &h), h != i))) {
			i++;
			continue;
		}
		unsigned o = r->st[i] == P_HEAD ? r->ord[i] : r_block(r, i, &h);
		r->mscan += 1ULL << o;
		bool ok = r->st[i] == P_HEAD && r->mov[i] && o < limit;
		if (ok) {
			any = true;
			cc->pend[cc->npend++] = i;
			cc->pend_pages += 1ULL << o;
			if (batch && cc->pend_pages >= COMPACT_CLUSTER_MAX) {
				if (!r_commit(w, cc))
					return false;
				batch = false;
			}
		} else if (r->st[i] == P_HEAD && cc->async_direct) {
			cc->npend = 0;
			cc->pend_pages = 0;
			u64 next = (i / seg + 1) * seg; /* the end of the order-aligned block */
			i = MM_MAX(i + (1ULL << o), next);
			continue;
		}
		i += 1ULL << o;
	}
	if (cc->npend && !r_commit(w, cc))
		return false;
	if (!cc->ignore_skip || !any)
		r->skip[cc->mpb] = 1;
	if (!any && cc->mpb + 2 > r->mpb) /* update_cached_migrate: pageblock_end_pfn(its end) */
		r->mpb = cc->mpb + 2;
	return true;
}

/* Free blocks per order, from the maximal aligned free ranges. */
static inline void r_nr_free(const struct ref *r, u64 *nr)
{
	memset(nr, 0, (MAXO + 1) * sizeof(*nr));
	for (u64 i = 0; i < NP;) {
		u64 h;
		if (r->st[i] != P_FREE) {
			i++;
			continue;
		}
		unsigned k = r_block(r, i, &h);
		nr[k]++;
		i = h + (1ULL << k);
	}
}

static inline enum compact_result r_compact(struct world *w, const struct compact_req *rq)
{
	struct ref *r = &w->r;
	unsigned order = rq->order;
	if (r_order_free(r, order))
		return COMPACT_SATISFIED;
	if (r_free_pages(r) <= (2ULL << order))
		return COMPACT_SKIPPED;
	if (order > COMPACT_COSTLY_ORDER) {
		u64 nr[MAXO + 1];
		r_nr_free(r, nr);
		int fi = fragindex_extfrag(nr, MAXO + 1, order);
		if (fi >= 0 && fi <= COMPACT_EXTFRAG_THRESHOLD)
			return COMPACT_SKIPPED;
	}
	r->runs++;
	static struct rcc cc;
	memset(&cc, 0, sizeof(cc));
	cc.order = (int)order;
	cc.async_direct = rq->direct && rq->prio == COMPACT_PRIO_ASYNC;
	cc.async = rq->prio == COMPACT_PRIO_ASYNC;
	cc.ignore_skip = cc.ignore_suitable = rq->prio == COMPACT_PRIO_SYNC_FULL;
	if (r->mpb >= NPB)
		r->mpb = 0;
	cc.mpb = cc.ignore_skip ? 0 : r->mpb;
	cc.fpb = cc.ignore_skip ? NPB : r->fpb;
	enum compact_result res = COMPACT_COMPLETE;
	const struct buddy *b = &w->zs.zone[0].buddy;
	while (cc.mpb + 1 < cc.fpb) {
		u64 i = cc.mpb << BUDDY_PAGEBLOCK_ORDER;
		bool source = !(r->st[i] == P_HEAD && r->ord[i] >= BUDDY_PAGEBLOCK_ORDER) &&
			      (!cc.async_direct || !b->pageblock_mt || b->pageblock_mt[cc.mpb] == rq->mt);
		bool hinted = !cc.ignore_skip && r->skip[cc.mpb];
		if (!hinted && !source && cc.mpb + 2 > r->mpb)
			r->mpb = cc.mpb + 2;
		if (!hinted && source && !r_migrate_block(w, &cc)) {
			if (cc.mpb + 1 < cc.fpb)
				res = COMPACT_CONTENDED;
			break;
		}
		cc.mpb++;
		if (r_order_free(r, order)) {
			res = COMPACT_SUCCESS;
			break;
		}
	}
	if (res != COMPACT_COMPLETE) {
		*(res == COMPACT_SUCCESS ? &r->success : &r->contended) += 1;
	} else {
		r->mpb = 0;
		r->fpb = NPB;
		r->flush |= rq->direct;
		r->complete++;
	}
	r_release(w, &cc);
	return res;
}

/* kswapd went to sleep: the hints reset when a direct run's scanners met since the last. */
static inline void r_kswapd_sleep(struct ref *r)
{
	if (!r->flush)
		return;
	r->flush = false;
	memset(r->skip, 0, sizeof(r->skip));
	r->mpb = 0;
	r->fpb = NPB;
}

/* --- the comparison --- */
static inline void agree(struct world *w, const char *when)
{
	const struct buddy *b = &w->zs.zone[0].buddy;
	const struct compact_stats *s = &w->c.st;
	const struct ref *r = &w->r;
	char msg[256];
	cr_assert_eq(buddy_check(b, msg, sizeof(msg)), 0, "%s: %s", when, msg);
	cr_assert_eq(s->runs, r->runs, "%s: runs", when);
	cr_assert_eq(s->success, r->success, "%s: success", when);
	cr_assert_eq(s->complete, r->complete, "%s: complete", when);
	cr_assert_eq(s->contended, r->contended, "%s: contended", when);
	cr_assert_eq(s->migrate_scanned, r->mscan, "%s: migrate scanned %llu vs %llu", when,
		     (unsigned long long)s->migrate_scanned, (unsigned long long)r->mscan);
	cr_assert_eq(s->free_scanned, r->fscan, "%s: free scanned", when);
	cr_assert_eq(s->isolated, r->isolated, "%s: isolated", when);
	cr_assert_eq(s->migrated, r->migrated, "%s: migrated", when);
	cr_assert_eq(s->failed, r->failed, "%s: failed", when);
	for (unsigned o = 0; o < NOWN; o++)
		cr_assert_eq(w->pfn_model[o], w->pfn_ref[o], "%s: owner %u", when, o);
	for (u64 i = 0; i < NP; i++) {
		bool mh = buddy_frame_is_alloc(b, (u32)i), rh = r->st[i] == P_HEAD;
		cr_assert_eq(mh, rh, "%s: page %llu allocated head", when, (unsigned long long)i);
		cr_assert_eq(buddy_frame_is_free(b, (u32)i) || (!mh && r->st[i] == P_FREE),
			     r->st[i] == P_FREE, "%s: page %llu free", when, (unsigned long long)i);
	}
}

static inline void world_init(struct world *w, const char *policy)
{
	memset(w, 0, sizeof(*w));
	struct zones_cfg zc = {.nr_zones = 1, .max_order = MAXO, .policy = buddy_policy_find(policy)};
	zc.zone[0] = (struct zone_spec){ZONE_NORMAL, BASE, NP};
	cr_assert_eq(zones_init(&w->zs, &zc), 0);
	struct compact_hooks h = {m_movable, m_moved, w};
	cr_assert_eq(compact_init(&w->c, &w->zs, &h, 0), 0);
	w->c.fast_search = false; /* it reads the lists' order: tests/test_compact_fast.c */
	w->r.fpb = NPB;
	for (unsigned o = 0; o < NOWN; o++)
		w->pfn_model[o] = w->pfn_ref[o] = UINT64_MAX;
}

static inline void world_fini(struct world *w)
{
	compact_fini(&w->c);
	zones_fini(&w->zs);
}

/* An order-0 block for a new owner in the model and the reference. */
static inline u64 own_alloc(struct world *w, unsigned o, int mt)
{
	u64 pfn;
	cr_assert_eq(buddy_alloc(&w->zs.zone[0].buddy, 0, mt, &pfn), 0);
	w->order[o] = 0;
	w->pfn_model[o] = w->pfn_ref[o] = pfn;
	w->m_own[pfn - BASE] = o + 1;
	w->m_mov[pfn - BASE] = mt == MT_MOVABLE;
	r_mark(&w->r, pfn - BASE, 0, mt == MT_MOVABLE, o);
	return pfn;
}

#endif
