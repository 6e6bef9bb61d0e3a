/* The compaction model (core/phys/compact.h) against a slow, obvious reference on random
 * workloads: pages as a plain array (free, a block's head or tail, movable, its owner), free
 * blocks found by brute force as the maximal aligned free ranges (the buddy's canonical
 * decomposition), and the scanners' rules written out directly. Both compact the same
 * machine state; results, counters, every owner's place and every page's state must agree. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/phys/compact.h"
#include "core/phys/fragindex.h"
#include "core/phys/pagereplay.h"
#include "core/lib/rng.h"

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
	u64 runs, success, complete, mscan, fscan, isolated, migrated, failed;
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

static bool m_movable(void *ctx, unsigned z, u64 pfn, unsigned order)
{
	struct world *w = ctx;
	(void)z, (void)order;
	return w->m_own[pfn - BASE] && w->m_mov[pfn - BASE];
}

static void m_moved(void *ctx, u64 from, u64 to, unsigned order)
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
static bool r_all_free(const struct ref *r, u64 i, u64 n)
{
	if (i + n > NP)
		return false;
	for (u64 k = i; k < i + n; k++)
		if (r->st[k] != P_FREE)
			return false;
	return true;
}

/* The free block holding free page i: its head and order (maximal aligned free range). */
static unsigned r_block(const struct ref *r, u64 i, u64 *head)
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

static bool r_order_free(const struct ref *r, unsigned order)
{
	for (u64 i = 0; i < NP; i += 1ULL << order)
		if (r_all_free(r, i, 1ULL << order))
			return true;
	return false;
}

static u64 r_free_pages(const struct ref *r)
{
	u64 n = 0;
	for (u64 i = 0; i < NP; i++)
		n += r->st[i] == P_FREE;
	return n;
}

static void r_mark(struct ref *r, u64 i, unsigned o, bool mov, u32 own)
{
	for (u64 k = i; k < i + (1ULL << o); k++)
		r->st[k] = P_TAIL;
	r->st[i] = P_HEAD;
	r->ord[i] = (u8)o;
	r->mov[i] = mov;
	r->own[i] = own;
}

static void r_clear(struct ref *r, u64 i, unsigned o)
{
	for (u64 k = i; k < i + (1ULL << o); k++)
		r->st[k] = P_FREE;
}

struct rcc {
	u64 mpb, fpb, fidx;
	bool fstarted;
	int order;
	bool async_direct, ignore_skip, ignore_suitable;
	u64 pend[NP]; /* isolated, not migrated: page indexes */
	unsigned npend;
	u64 pend_pages;
};

/* suitable_migration_target, written out */
static bool r_target_ok(const struct world *w, const struct rcc *cc, u64 pb)
{
	const struct buddy *b = &w->zs.zone[0].buddy;
	if (!cc->ignore_skip && w->r.skip[pb])
		return false;
	u64 h, i = pb << BUDDY_PAGEBLOCK_ORDER;
	if (w->r.st[i] == P_FREE && r_block(&w->r, i, &h) >= BUDDY_PAGEBLOCK_ORDER && h == i)
		return false;
	return cc->ignore_suitable || !b->pageblock_mt || b->pageblock_mt[pb] == MT_MOVABLE;
}

static u64 r_target(struct world *w, struct rcc *cc, unsigned order)
{
	struct ref *r = &w->r;
	for (;;) {
		if (!cc->fstarted) {
			while (cc->fpb > cc->mpb + 1 && !r_target_ok(w, cc, cc->fpb - 1))
				cc->fpb--;
			if (cc->fpb <= cc->mpb + 1)
				return UINT64_MAX;
			cc->fidx = (cc->fpb - 1) << BUDDY_PAGEBLOCK_ORDER;
			cc->fstarted = true;
		}
		u64 end = cc->fpb << BUDDY_PAGEBLOCK_ORDER;
		while (cc->fidx < end) {
			u64 i = cc->fidx, h = i;
			if (r->st[i] == P_HEAD) {
				r->fscan += 1ULL << r->ord[i];
				cc->fidx += 1ULL << r->ord[i];
			} else if (r->st[i] == P_FREE && (r_block(r, i, &h), h == i)) {
				unsigned k = r_block(r, i, &h);
				if (k >= order) {
					r->fscan += 1ULL << order;
					cc->fidx += 1ULL << order;
					return i;
				}
				r->fscan += 1ULL << k;
				cc->fidx += 1ULL << k;
			} else {
				cc->fidx++;
			}
		}
		r->skip[cc->fpb - 1] = 1; /* scanned to its end */
		cc->fpb--;
		cc->fstarted = false;
	}
}

/* Migrate the isolated pages in scan order; false when one found no target. */
static bool r_commit(struct world *w, struct rcc *cc)
{
	struct ref *r = &w->r;
	bool ok = true;
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
static bool r_migrate_block(struct world *w, struct rcc *cc)
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
	return true;
}

/* Free blocks per order, from the maximal aligned free ranges. */
static void r_nr_free(const struct ref *r, u64 *nr)
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

static enum compact_result r_compact(struct world *w, const struct compact_req *rq)
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
	cc.ignore_skip = cc.ignore_suitable = rq->prio == COMPACT_PRIO_SYNC_FULL;
	cc.mpb = cc.ignore_skip ? 0 : r->mpb;
	cc.fpb = cc.ignore_skip ? NPB : r->fpb;
	enum compact_result res = COMPACT_COMPLETE;
	const struct buddy *b = &w->zs.zone[0].buddy;
	while (cc.mpb + 1 < cc.fpb) {
		u64 i = cc.mpb << BUDDY_PAGEBLOCK_ORDER;
		bool source = !(r->st[i] == P_HEAD && r->ord[i] >= BUDDY_PAGEBLOCK_ORDER) &&
			      (!cc.async_direct || !b->pageblock_mt || b->pageblock_mt[cc.mpb] == rq->mt);
		if ((cc.ignore_skip || !r->skip[cc.mpb]) && source && !r_migrate_block(w, &cc))
			break;
		cc.mpb++;
		if (r_order_free(r, order)) {
			res = COMPACT_SUCCESS;
			break;
		}
	}
	if (res == COMPACT_SUCCESS) {
		r->mpb = cc.mpb;
		r->fpb = cc.fpb;
		r->success++;
	} else {
		r->mpb = 0;
		r->fpb = NPB;
		r->flush |= rq->direct;
		r->complete++;
	}
	return res;
}

/* kswapd went to sleep: the hints reset when a direct run's scanners met since the last. */
static void r_kswapd_sleep(struct ref *r)
{
	if (!r->flush)
		return;
	r->flush = false;
	memset(r->skip, 0, sizeof(r->skip));
	r->mpb = 0;
	r->fpb = NPB;
}

/* --- the comparison --- */
static void agree(struct world *w, const char *when)
{
	const struct buddy *b = &w->zs.zone[0].buddy;
	const struct compact_stats *s = &w->c.st;
	const struct ref *r = &w->r;
	char msg[256];
	cr_assert_eq(buddy_check(b, msg, sizeof(msg)), 0, "%s: %s", when, msg);
	cr_assert_eq(s->runs, r->runs, "%s: runs", when);
	cr_assert_eq(s->success, r->success, "%s: success", when);
	cr_assert_eq(s->complete, r->complete, "%s: complete", when);
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

static void world_init(struct world *w, const char *policy)
{
	memset(w, 0, sizeof(*w));
	struct zones_cfg zc = {.nr_zones = 1, .max_order = MAXO, .policy = buddy_policy_find(policy)};
	zc.zone[0] = (struct zone_spec){ZONE_NORMAL, BASE, NP};
	cr_assert_eq(zones_init(&w->zs, &zc), 0);
	struct compact_hooks h = {m_movable, m_moved, w};
	cr_assert_eq(compact_init(&w->c, &w->zs, &h, 0), 0);
	w->r.fpb = NPB;
	for (unsigned o = 0; o < NOWN; o++)
		w->pfn_model[o] = w->pfn_ref[o] = UINT64_MAX;
}

static void world_fini(struct world *w)
{
	compact_fini(&w->c);
	zones_fini(&w->zs);
}

static void churn(struct world *w, struct rng *g, unsigned steps, unsigned free_pct)
{
	struct buddy *b = &w->zs.zone[0].buddy;
	for (unsigned s = 0; s < steps; s++) {
		unsigned o = (unsigned)rng_below(g, NOWN);
		if (w->pfn_model[o] != UINT64_MAX || rng_below(g, 100) < free_pct) {
			if (w->pfn_model[o] == UINT64_MAX)
				continue;
			u64 pfn = w->pfn_model[o];
			cr_assert_eq(buddy_free(b, pfn, w->order[o]), 0);
			r_clear(&w->r, pfn - BASE, w->order[o]);
			w->m_own[pfn - BASE] = 0;
			w->pfn_model[o] = w->pfn_ref[o] = UINT64_MAX;
			continue;
		}
		unsigned order = rng_below(g, 20) == 0 ? 9 : (unsigned)rng_below(g, 4);
		int mt = rng_below(g, 10) < 7 ? MT_MOVABLE : (int)rng_below(g, 2) * 2;
		u64 pfn;
		if (buddy_alloc(b, order, mt, &pfn))
			continue;
		w->order[o] = order;
		w->pfn_model[o] = w->pfn_ref[o] = pfn;
		w->m_own[pfn - BASE] = o + 1;
		w->m_mov[pfn - BASE] = mt == MT_MOVABLE;
		r_mark(&w->r, pfn - BASE, order, mt == MT_MOVABLE, o);
	}
}

static void random_runs(const char *policy, u64 seed)
{
	static struct world w;
	world_init(&w, policy);
	struct rng g;
	rng_seed(&g, seed);
	char when[64];
	for (unsigned round = 0; round < 40; round++) {
		churn(&w, &g, 3000,
		      rng_below(&g, 3) ? 0 : (unsigned)rng_below(&g, 90)); /* some rounds mostly free */
		unsigned order = rng_below(&g, 3) ? 9 : (unsigned)rng_below(&g, 9) + 1;
		unsigned kind =
			(unsigned)rng_below(&g, 4); /* async, sync light, sync full direct; kcompactd */
		struct compact_req rq = {order, MT_MOVABLE,
					 kind == 0   ? COMPACT_PRIO_ASYNC
					 : kind == 2 ? COMPACT_PRIO_SYNC_FULL
						     : COMPACT_PRIO_SYNC_LIGHT,
					 kind != 3};
		if (rng_below(&g, 4) == 0) {
			compact_kswapd_sleep(&w.c);
			r_kswapd_sleep(&w.r);
		}
		enum compact_result mres = compact_zone(&w.c, 0, &rq);
		enum compact_result rres = r_compact(&w, &rq);
		snprintf(when, sizeof(when), "%s seed %llu round %u order %u kind %u", policy,
			 (unsigned long long)seed, round, order, kind);
		cr_assert_eq(mres, rres, "%s: result %d vs %d", when, mres, rres);
		if (mres == COMPACT_SUCCESS)
			cr_assert(compact_order_free(&w.c, 0, order), "%s: success without a block", when);
		agree(&w, when);
	}
	cr_assert_gt(w.c.st.migrated, 0, "%s: the workload never migrated a page", policy);
	world_fini(&w);
}

Test(compact, scanners_match_reference_lifo)
{
	for (u64 seed = 1; seed <= 4; seed++)
		random_runs("lifo", seed);
}

Test(compact, scanners_match_reference_mobility)
{
	for (u64 seed = 1; seed <= 4; seed++)
		random_runs("mobility", seed);
}

/* defer_compaction and compaction_deferred: after a failed synchronous run, 1 << defer_shift
 * attempts (counting the one that runs) pass before the next run; asynchronous failures defer
 * nothing; the last-resort priority is never deferred. */
Test(compact, deferral)
{
	static struct world w;
	world_init(&w, "lifo");
	struct buddy *b = &w.zs.zone[0].buddy;
	/* every other page held by an unmovable owner: nothing to migrate, order 1 never free */
	for (u64 i = 0; i < NP; i++) {
		u64 pfn;
		cr_assert_eq(buddy_alloc(b, 0, MT_UNMOVABLE, &pfn), 0);
	}
	for (u64 i = 0; i < NP; i += 2)
		cr_assert_eq(buddy_free(b, BASE + i, 0), 0);
	const int zl[1] = {0};
	struct compact_req rq = {1, MT_MOVABLE, COMPACT_PRIO_ASYNC, true};
	for (unsigned k = 0; k < 5; k++)
		cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_COMPLETE, "async attempt %u", k);
	rq.prio = COMPACT_PRIO_SYNC_LIGHT;
	cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_COMPLETE);
	unsigned runs = 6;
	for (unsigned shift = 1; shift <= COMPACT_MAX_DEFER_SHIFT + 1; shift++) {
		unsigned wait = 1u << MM_MIN(shift, (unsigned)COMPACT_MAX_DEFER_SHIFT);
		for (unsigned k = 1; k < wait; k++)
			cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_DEFERRED, "shift %u attempt %u",
				     shift, k);
		cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_COMPLETE, "shift %u", shift);
		runs++;
	}
	rq.prio = COMPACT_PRIO_SYNC_FULL;
	cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_COMPLETE, "the last resort is not deferred");
	cr_assert_eq(w.c.st.runs, runs + 1);
	rq = (struct compact_req){0, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, true};
	cr_assert_eq(compact_try(&w.c, zl, 1, &rq), COMPACT_SATISFIED,
		     "order 0 below the failed order is free");
	world_fini(&w);
}

/* Skip hints persist after the scanners meet and reset only when kswapd sleeps: a second
 * failed run scans no pageblock its predecessor scanned. */
Test(compact, hints_persist_until_kswapd_sleeps)
{
	static struct world w;
	world_init(&w, "lifo");
	struct buddy *b = &w.zs.zone[0].buddy;
	for (u64 i = 0; i < NP; i++) {
		u64 pfn;
		cr_assert_eq(buddy_alloc(b, 0, MT_UNMOVABLE, &pfn), 0);
	}
	for (u64 i = 0; i < NP; i += 2)
		cr_assert_eq(buddy_free(b, BASE + i, 0), 0);
	struct compact_req rq = {1, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, true};
	cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_COMPLETE);
	u64 scanned = w.c.st.migrate_scanned + w.c.st.free_scanned;
	cr_assert_gt(scanned, 0);
	cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_COMPLETE);
	cr_assert_eq(w.c.st.migrate_scanned + w.c.st.free_scanned, scanned, "the hints held");
	compact_kswapd_sleep(&w.c);
	cr_assert_eq(w.c.st.hint_resets, 1);
	cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_COMPLETE);
	cr_assert_eq(w.c.st.migrate_scanned + w.c.st.free_scanned, 2 * scanned,
		     "a full rescan after the reset");
	world_fini(&w);
}

/* Placement replay with compaction: memory full of order-0 movable pages, every other one
 * freed; an order-1 allocation finds no block, compaction migrates, the allocation succeeds,
 * and every later traced free finds its block where compaction moved it: at the end the zone is
 * wholly free and no free went unmatched. With compaction off the allocation fails. */
static void placement_run(bool compaction, u64 *failures, u64 *migrated)
{
	struct zones zs;
	struct zones_cfg zc = {.nr_zones = 1, .max_order = MAXO, .policy = buddy_policy_find("lifo")};
	zc.zone[0] = (struct zone_spec){ZONE_NORMAL, BASE, 4 << BUDDY_PAGEBLOCK_ORDER};
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct pagesrc src = pagesrc_zones(&zs);
	struct pagereplay r;
	struct compact c;
	cr_assert_eq(pagereplay_init_src(&r, &src, PAGEREPLAY_PLACEMENT), 0);
	pagereplay_attach(&r, &zs, NULL);
	if (compaction) {
		struct compact_hooks h;
		pagereplay_compact_hooks(&r, &h);
		cr_assert_eq(compact_init(&c, &zs, &h, 0), 0);
		cr_assert_eq(pagereplay_attach_compact(&r, &c), 0);
	}
	u64 n = zs.zone[0].buddy.nr_pages;
	struct mm_event ev = {.kind = MME_PAGE_ALLOC, .mt = MT_MOVABLE};
	for (u64 i = 0; i < n; i++) {
		ev.addr = 0x9000000 + i; /* trace pfns unrelated to the model's */
		cr_assert_eq(pagereplay_event(&r, &ev), 0);
	}
	ev.kind = MME_PAGE_FREE;
	for (u64 i = 0; i < n; i += 2) {
		ev.addr = 0x9000000 + i;
		cr_assert_eq(pagereplay_event(&r, &ev), 0);
	}
	ev = (struct mm_event){.kind = MME_PAGE_ALLOC, .mt = MT_MOVABLE, .order = 1, .addr = 0x8000000};
	cr_assert_eq(pagereplay_event(&r, &ev), 0);
	ev.kind = MME_PAGE_FREE;
	cr_assert_eq(pagereplay_event(&r, &ev), 0);
	ev.order = 0;
	for (u64 i = 1; i < n; i += 2) {
		ev.addr = 0x9000000 + i;
		cr_assert_eq(pagereplay_event(&r, &ev), 0);
	}
	*failures = r.st.alloc_failures;
	*migrated = compaction ? c.st.migrated : 0;
	char msg[256];
	cr_assert_eq(buddy_check(&zs.zone[0].buddy, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(r.st.unmatched_frees, r.st.alloc_failures, "a free did not find its block");
	if (!*failures)
		cr_assert_eq(zs.zone[0].buddy.free_pages, n, "pages lost");
	pagereplay_fini(&r);
	if (compaction)
		compact_fini(&c);
	zones_fini(&zs);
}

Test(compact, placement_records_follow_migrated_blocks)
{
	u64 fail, migrated;
	placement_run(false, &fail, &migrated);
	cr_assert_eq(fail, 1, "without compaction the order-1 allocation fails");
	placement_run(true, &fail, &migrated);
	cr_assert_eq(fail, 0, "compaction made an order-1 block");
	cr_assert_gt(migrated, 0);
}

/* An order-0 block for a new owner in the model and the reference. */
static u64 own_alloc(struct world *w, unsigned o, int mt)
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

/* compaction_suitable's fragmentation index: free memory in order-3 blocks only is a lack of
 * memory for an order-4 request (index below the threshold: skipped) and fragmentation for an
 * order-9 one (it runs). */
Test(compact, fragmentation_index_decides)
{
	static struct world w;
	world_init(&w, "lifo");
	struct buddy *b = &w.zs.zone[0].buddy;
	for (u64 i = 0; i < NP; i++) {
		u64 pfn;
		cr_assert_eq(buddy_alloc(b, 0, MT_UNMOVABLE, &pfn), 0);
	}
	for (u64 i = 0; i < NP; i += 16)
		for (u64 k = 0; k < 8; k++)
			cr_assert_eq(buddy_free(b, BASE + i + k, 0), 0);
	cr_assert_eq(b->nr_free[3], NP / 16);
	struct compact_req rq = {4, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, true};
	cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_SKIPPED);
	cr_assert_eq(w.c.st.runs, 0);
	rq.order = 9;
	cr_assert_eq(compact_zone(&w.c, 0, &rq), COMPACT_COMPLETE);
	cr_assert_eq(w.c.st.runs, 1);
	world_fini(&w);
}

/* The free scanner never takes a pageblock whose first page is a free block of pageblock order
 * (suitable_migration_target): a proactive pass leaves the free top pageblock whole. */
Test(compact, free_pageblock_is_no_target)
{
	static struct world w;
	world_init(&w, "lifo");
	compact_fini(&w.c);
	struct compact_hooks h = {m_movable, m_moved, &w};
	cr_assert_eq(compact_init(&w.c, &w.zs, &h, 100), 0);
	struct buddy *b = &w.zs.zone[0].buddy;
	for (u64 i = 0; i < NP; i++) {
		u64 pfn;
		if (i < 4 * 512)
			cr_assert_eq(own_alloc(&w, (unsigned)i, MT_MOVABLE), BASE + i);
		else
			cr_assert_eq(buddy_alloc(b, 0, MT_UNMOVABLE, &pfn), 0);
	}
	for (u64 i = 4 * 512; i < 14 * 512; i += 2)
		cr_assert_eq(buddy_free(b, BASE + i, 0), 0);
	for (u64 i = 15 * 512; i < NP; i++)
		cr_assert_eq(buddy_free(b, BASE + i, 0), 0);
	u32 top = 15 * 512;
	cr_assert(buddy_frame_is_free(b, top) && buddy_frame_order(b, top) == 9);
	compact_tick(&w.c, 1);
	compact_tick(&w.c, 1 + COMPACT_PROACTIVE_NS);
	cr_assert_eq(w.c.st.proactive_runs, 1);
	cr_assert_gt(w.c.st.migrated, 0);
	cr_assert(buddy_frame_is_free(b, top) && buddy_frame_order(b, top) >= 9,
		  "the free pageblock was split");
	world_fini(&w);
}
