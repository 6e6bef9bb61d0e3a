/* The compaction model (core/phys/compact.h) against a slow, obvious reference on random
 * workloads: pages as a plain array (free, a block's head or tail, movable, its owner), free
 * blocks found by brute force as the maximal aligned free ranges (the buddy's canonical
 * decomposition), and the scanners' rules written out directly. Both compact the same
 * machine state; results, counters, every owner's place and every page's state must agree. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/phys/compact.h"
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
	bool fstarted, ftook;
};

static bool r_target_ok(const struct world *w, u64 pb)
{
	const struct buddy *b = &w->zs.zone[0].buddy;
	if (w->r.skip[pb])
		return false;
	if (!b->pageblock_mt || b->pageblock_mt[pb] == MT_MOVABLE)
		return true;
	u64 h, i = pb << BUDDY_PAGEBLOCK_ORDER;
	return w->r.st[i] == P_FREE && r_block(&w->r, i, &h) >= BUDDY_PAGEBLOCK_ORDER && h == i;
}

static u64 r_target(struct world *w, struct rcc *cc, unsigned order)
{
	struct ref *r = &w->r;
	for (;;) {
		if (!cc->fstarted) {
			while (cc->fpb > cc->mpb + 1 && !r_target_ok(w, cc->fpb - 1))
				cc->fpb--;
			if (cc->fpb <= cc->mpb + 1)
				return UINT64_MAX;
			cc->fidx = (cc->fpb - 1) << BUDDY_PAGEBLOCK_ORDER;
			cc->fstarted = true;
			cc->ftook = false;
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
					cc->ftook = true;
					return i;
				}
				r->fscan += 1ULL << k;
				cc->fidx += 1ULL << k;
			} else {
				cc->fidx++;
			}
		}
		if (!cc->ftook)
			r->skip[cc->fpb - 1] = 1;
		cc->fpb--;
		cc->fstarted = false;
	}
}

static bool r_migrate_block(struct world *w, struct rcc *cc)
{
	struct ref *r = &w->r;
	bool isolated = false;
	for (u64 i = cc->mpb << BUDDY_PAGEBLOCK_ORDER; i < (cc->mpb + 1) << BUDDY_PAGEBLOCK_ORDER;) {
		u64 h = i;
		if (r->st[i] == P_TAIL || (r->st[i] == P_FREE && (r_block(r, i, &h), h != i))) {
			i++;
			continue;
		}
		unsigned o = r->st[i] == P_HEAD ? r->ord[i] : r_block(r, i, &h);
		r->mscan += 1ULL << o;
		if (r->st[i] == P_HEAD && r->mov[i]) {
			isolated = true;
			r->isolated += 1ULL << o;
			u64 to = r_target(w, cc, o);
			if (to == UINT64_MAX) {
				r->failed += 1ULL << o;
				return false;
			}
			u32 own = r->own[i];
			r_mark(r, to, o, true, own);
			r_clear(r, i, o);
			w->pfn_ref[own] = BASE + to;
			r->migrated += 1ULL << o;
		}
		i += 1ULL << o;
	}
	if (!isolated)
		r->skip[cc->mpb] = 1;
	return true;
}

static enum compact_result r_compact(struct world *w, unsigned order)
{
	struct ref *r = &w->r;
	if (r_order_free(r, order) || r_free_pages(r) < (2ULL << order))
		return COMPACT_SKIPPED;
	r->runs++;
	struct rcc cc = {.mpb = r->mpb, .fpb = r->fpb};
	enum compact_result res = COMPACT_COMPLETE;
	const struct buddy *b = &w->zs.zone[0].buddy;
	while (cc.mpb + 1 < cc.fpb) {
		bool source = !b->pageblock_mt || b->pageblock_mt[cc.mpb] == MT_MOVABLE;
		if (!r->skip[cc.mpb] && source && !r_migrate_block(w, &cc))
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
		memset(r->skip, 0, sizeof(r->skip));
		r->complete++;
	}
	return res;
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

static void churn(struct world *w, struct rng *g, unsigned steps)
{
	struct buddy *b = &w->zs.zone[0].buddy;
	for (unsigned s = 0; s < steps; s++) {
		unsigned o = (unsigned)rng_below(g, NOWN);
		if (w->pfn_model[o] != UINT64_MAX) {
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
		churn(&w, &g, 3000);
		unsigned order = rng_below(&g, 3) ? 9 : (unsigned)rng_below(&g, 9) + 1;
		enum compact_result mres = compact_zone(&w.c, 0, order);
		enum compact_result rres = r_compact(&w, order);
		snprintf(when, sizeof(when), "%s seed %llu round %u order %u", policy,
			 (unsigned long long)seed, round, order);
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

/* defer_compaction and compaction_deferred: after a failed run, 1 << defer_shift attempts
 * (counting the one that runs) pass before the next run; success resets. */
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
	cr_assert_eq(compact_direct(&w.c, 0, 1), COMPACT_COMPLETE);
	unsigned runs = 1;
	for (unsigned shift = 1; shift <= COMPACT_MAX_DEFER_SHIFT + 1; shift++) {
		unsigned wait = 1u << MM_MIN(shift, (unsigned)COMPACT_MAX_DEFER_SHIFT);
		for (unsigned k = 1; k < wait; k++)
			cr_assert_eq(compact_direct(&w.c, 0, 1), COMPACT_DEFERRED, "shift %u attempt %u",
				     shift, k);
		cr_assert_eq(compact_direct(&w.c, 0, 1), COMPACT_COMPLETE, "shift %u", shift);
		runs++;
	}
	cr_assert_eq(w.c.st.runs, runs);
	cr_assert_eq(compact_direct(&w.c, 0, 0), COMPACT_SKIPPED, "order 0 below the failed order is free");
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
