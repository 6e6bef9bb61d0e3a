#include "core/phys/compact.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/phys/compact_cc.h"
#include "core/phys/fragindex.h"

int compact_init(struct compact *c, struct zones *zs, const struct compact_hooks *h, u32 proactiveness)
{
	memset(c, 0, sizeof(*c));
	c->zs = zs;
	c->h = *h;
	c->proactiveness = proactiveness;
	c->fast_search = true;
	c->timeout_ns = COMPACT_PROACTIVE_NS;
	if (!(c->pend = calloc(PB_PAGES, sizeof(*c->pend))))
		return -ENOMEM;
	if (!(c->iso_ring = calloc((BUDDY_MAX_ORDER_LIMIT + 1) * COMPACT_ISO_CAP, sizeof(u32)))) {
		compact_fini(c);
		return -ENOMEM;
	}
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER_LIMIT; k++)
		c->iso[k].ring = c->iso_ring + k * COMPACT_ISO_CAP;
	for (unsigned z = 0; z < zs->nr_zones; z++) {
		const struct buddy *b = &zs->zone[z].buddy;
		u64 n = buddy_nr_pageblocks(b);
		if (!(c->z[z].skip = calloc(n ? n : 1, 1))) {
			compact_fini(c);
			return -ENOMEM;
		}
		c->z[z].free_pb = n;
		c->z[z].order_failed = BUDDY_MAX_ORDER_LIMIT + 1;
	}
	return 0;
}

void compact_fini(struct compact *c)
{
	for (unsigned z = 0; z < ZONE_NR_TYPES; z++)
		free(c->z[z].skip);
	memset(c->z, 0, sizeof(c->z));
	free(c->pend);
	c->pend = NULL;
	free(c->iso_ring);
	c->iso_ring = NULL;
}

bool compact_order_free(const struct compact *c, unsigned z, unsigned order)
{
	const struct buddy *b = &c->zs->zone[z].buddy;
	for (unsigned o = order; o <= b->max_order; o++)
		if (b->nr_free[o])
			return true;
	return false;
}

/* extfrag_for_order(zone, pageblock order): percent of free memory in smaller blocks. */
static unsigned frag_score(const struct buddy *b)
{
	if (!b->free_pages)
		return 0;
	u64 big = 0;
	for (unsigned o = BUDDY_PAGEBLOCK_ORDER; o <= b->max_order; o++)
		big += b->nr_free[o] << o;
	return (unsigned)((b->free_pages - big) * 100 / b->free_pages);
}

/* compact_finished, at a pageblock boundary. */
static bool cc_done(const struct cc *cc)
{
	if (cc->order < 0)
		return frag_score(cc->b) <= cc->score_low;
	return compact_order_free(cc->c, cc->z, (unsigned)cc->order);
}

/* suitable_migration_source: never a pageblock under a block of pageblock order
 * (pageblock_skip_persistent); asynchronous direct compaction takes only the request's type. */
static bool migrate_source(const struct cc *cc, u64 pb)
{
	const struct buddy *b = cc->b;
	u32 i = pb_first(b, pb);
	if (buddy_frame_is_alloc(b, i) && buddy_frame_order(b, i) >= BUDDY_PAGEBLOCK_ORDER)
		return false;
	if (!cc->async_direct || !b->pageblock_mt)
		return true;
	return b->pageblock_mt[pb] == (cc->mt == MT_MOVABLE ? MT_MOVABLE : cc->mt);
}

/* update_cached_migrate: past a pageblock the migrate scanner finished with nothing isolated,
 * or passed as no suitable source, the zone's cached migrate scanner moves up (never down) to
 * pageblock_end_pfn of that pageblock's end: the pageblock after the next, as the kernel's
 * macro rounds an aligned end up. The one cache serves asynchronous and synchronous runs. */
static void cc_cached_migrate(struct cc *cc, u64 pb)
{
	struct compact_zone_state *zs = &cc->c->z[cc->z];
	zs->migrate_pb = MM_MAX(zs->migrate_pb, pb + 2);
}

/* fast_find_migrateblock, at a pageblock boundary of the migrate scanner: for requests above
 * PAGE_ALLOC_COSTLY_ORDER (direct ones only movable), unless skip hints are ignored, the movable
 * free lists of orders request - 1 down to 3 are read from the head, freelist_scan_limit entries
 * in all (33, halved per failed search), for a free block below a mark half the way to the free
 * scanner (an eighth once the scanner left the zone's start) in a pageblock without a skip hint:
 * that pageblock, nearly free, is the next source (its hint set, the list rotated behind the
 * entry, move_freelist_tail). A list read to the limit is rotated there too. No block: the scan
 * goes on where it was, or back to the lowest free page found by an earlier search of the run
 * (reinit_migrate_pfn; the model takes that page's pageblock whole). true: the scan goes on at a
 * pageblock the search chose, whose hint is not checked. */
static bool cc_fast_migrate(struct cc *cc)
{
	struct compact *c = cc->c;
	struct buddy *b = cc->b;
	if (!c->fast_search || cc->ignore_skip || cc->order <= COMPACT_COSTLY_ORDER ||
	    (cc->direct && cc->mt != MT_MOVABLE))
		return false;
	const u64 base = b->base_pfn;
	const unsigned list = b->pageblock_mt ? MT_MOVABLE : 0;
	unsigned limit = (unsigned)(((u64)COMPACT_CLUSTER_MAX >> MM_MIN(cc->fast_fail, 63u)) + 1),
		 nr_scanned = 0;
	u64 migrate_pfn = base + pb_first(b, cc->mpb), free_pfn = base + cc_free_pos(cc), from = cc->mpb;
	u64 distance = free_pfn > migrate_pfn ? (free_pfn - migrate_pfn) >> 1 : 0;
	if (migrate_pfn != base)
		distance >>= 2;
	u64 high_pfn = (migrate_pfn + distance) & ~(u64)(PB_PAGES - 1);
	bool found = false;
	for (int o = cc->order - 1; o >= COMPACT_COSTLY_ORDER && !found && nr_scanned < limit; o--) {
		if (!b->nr_free[o])
			continue;
		for (u32 i = b->head[o][list]; i != BUDDY_NIL; i = buddy_frame_next(b, i)) {
			if (nr_scanned++ >= limit) {
				buddy_list_rotate(b, i, false);
				break;
			}
			u64 pb = buddy_pageblock(b, i);
			if (base + i >= high_pfn || c->z[cc->z].skip[pb])
				continue;
			buddy_list_rotate(b, i, false);
			if (cc->fast_start != UINT64_MAX) /* update_fast_start_pfn */
				cc->fast_start = cc->fast_start ? MM_MIN(cc->fast_start, base + i) : base + i;
			cc->mpb = pb;
			cc->fast_fail = 0;
			c->z[cc->z].skip[pb] = 1;
			found = true;
			break;
		}
	}
	c->st.migrate_scanned += nr_scanned;
	if (found)
		return cc->mpb != from; /* the block it was at: its hint (just set) is checked */
	cc->fast_fail++;
	if (!cc->fast_start || cc->fast_start == UINT64_MAX)
		return false;
	cc->mpb = buddy_pageblock(b, cc->fast_start - base);
	cc->fast_start = UINT64_MAX;
	return true;
}

/* One past the last frame of the order-aligned block holding frame i. */
static u64 order_block_end(const struct cc *cc, u64 i)
{
	u64 pfn = cc->b->base_pfn + i, n = 1ULL << (cc->order > 0 ? cc->order : 0);
	return ((pfn | (n - 1)) + 1) - cc->b->base_pfn;
}

/* The migrate scanner over pageblock cc->mpb (isolate_migratepages_block, called again after
 * each migrated batch). false: the free scanner met it. */
static bool cc_migrate_block(struct cc *cc)
{
	struct buddy *b = cc->b;
	struct compact_stats *st = &cc->c->st;
	u32 first = pb_first(b, cc->mpb), end = pb_end(b, cc->mpb);
	/* skip_isolation_on_order: blocks of the target order or larger, or of pageblock order */
	unsigned limit =
		cc->order < 0 ? BUDDY_PAGEBLOCK_ORDER : MM_MIN((unsigned)cc->order, BUDDY_PAGEBLOCK_ORDER);
	bool first_call = true, any = false; /* first_call: the batch limit applies (not finish_pageblock) */
	u64 next_skip = cc->async_direct ? order_block_end(cc, first) : 0;
	for (u64 i = first; i < end;) {
		if (cc->async_direct && i >= next_skip) {
			if (cc->npend) { /* the order-aligned block is isolated whole: migrate it */
				if (!compact_free_commit(cc))
					return false;
				first_call = false;
			}
			next_skip = order_block_end(cc, i);
		}
		if (!buddy_frame_is_free(b, (u32)i) && !buddy_frame_is_alloc(b, (u32)i)) {
			i++;
			continue;
		}
		unsigned o = buddy_frame_order(b, (u32)i);
		st->migrate_scanned += 1ULL << o;
		if (buddy_frame_is_free(b, (u32)i)) {
			i += 1ULL << o;
			continue;
		}
		if (o < limit && cc->c->h.movable(cc->c->h.ctx, cc->z, b->base_pfn + i, o)) {
			any = true;
			cc->pend[cc->npend++] = (u32)i;
			cc->pend_pages += 1ULL << o;
			if (first_call && cc->pend_pages >= COMPACT_CLUSTER_MAX) {
				if (!compact_free_commit(cc))
					return false;
				first_call = false;
			}
		} else if (cc->async_direct) { /* skip_on_failure: the block's isolated pages go back */
			cc->npend = 0;
			cc->pend_pages = 0;
			i = MM_MAX(i + (1ULL << o), next_skip);
			continue;
		}
		i += 1ULL << o;
	}
	if (cc->npend && !compact_free_commit(cc))
		return false;
	/* the hint is set at the first isolation (test_and_set_skip) or when nothing was isolated */
	if (!cc->ignore_skip || !any)
		cc->c->z[cc->z].skip[cc->mpb] = 1;
	if (!any)
		cc_cached_migrate(cc, cc->mpb);
	return true;
}

/* __reset_isolation_suitable: when a direct run's scanners met since the last reset. */
static void cc_reset_hints(struct compact *c, unsigned z)
{
	struct compact_zone_state *zs = &c->z[z];
	u64 n = buddy_nr_pageblocks(&c->zs->zone[z].buddy);
	if (!zs->skip_flush)
		return;
	zs->skip_flush = false;
	memset(zs->skip, 0, n ? n : 1);
	zs->migrate_pb = 0;
	zs->free_pb = n;
	c->st.hint_resets++;
}

static enum compact_result cc_run(struct compact *c, unsigned z, int order, int mt, enum compact_prio prio,
				  bool direct)
{
	struct compact_zone_state *zs = &c->z[z];
	struct buddy *b = &c->zs->zone[z].buddy;
	u64 n = buddy_nr_pageblocks(b);
	struct cc cc = {.c = c, .pend = c->pend};
	cc.z = z;
	cc.b = b;
	cc.order = order;
	cc.mt = mt;
	cc.direct = direct;
	cc.async_direct = direct && prio == COMPACT_PRIO_ASYNC;
	cc.async = prio == COMPACT_PRIO_ASYNC;
	cc.search_order = order;
	cc.ignore_skip = order < 0 || prio == COMPACT_PRIO_SYNC_FULL; /* and the whole zone */
	cc.ignore_suitable = prio == COMPACT_PRIO_SYNC_FULL;
	if (!cc.ignore_skip && zs->migrate_pb >= n) /* outside the zone: its start */
		zs->migrate_pb = 0;
	cc.mpb = cc.ignore_skip ? 0 : zs->migrate_pb;
	if (!cc.ignore_skip && (!zs->free_pb || zs->free_pb > n)) /* outside the zone: its end */
		zs->free_pb = n;
	cc.fpb = cc.ignore_skip ? n : zs->free_pb;
	if (c->proactiveness)
		cc.score_low = MM_MAX(100u - MM_MIN(c->proactiveness, 100u), 5u);
	c->st.runs++;
	c->st.runs_order[order < 0 ? BUDDY_PAGEBLOCK_ORDER : order]++;
	enum compact_result r = COMPACT_COMPLETE;
	/* compact_finished before the first step: a proactive run on a zone whose score is low
	 * already ends at once (a run, as the kernel's begin and end events count it) */
	if (order < 0 && cc_done(&cc)) {
		c->st.success++;
		c->st.success_order[BUDDY_PAGEBLOCK_ORDER]++;
		return COMPACT_SUCCESS;
	}
	/* isolate_migratepages: a fast search, then pageblocks up to the first it scans */
	bool search = true;
	while (cc.mpb + 1 < cc.fpb) {
		bool chosen = search && cc_fast_migrate(&cc);
		bool hinted = !cc.ignore_skip && !chosen && zs->skip[cc.mpb];
		search = !hinted && migrate_source(&cc, cc.mpb);
		if (!hinted && !search)
			cc_cached_migrate(&cc, cc.mpb);
		if (search && !cc_migrate_block(&cc)) {
			/* -ENOMEM from compaction_alloc: the run ends unless the scanners met */
			if (cc.mpb + 1 < cc.fpb)
				r = COMPACT_CONTENDED;
			break;
		}
		cc.mpb++;
		if (cc_done(&cc)) {
			r = COMPACT_SUCCESS;
			break;
		}
	}
	if (r != COMPACT_COMPLETE) { /* the cached scanners stay where the run moved them */
		if (r == COMPACT_SUCCESS) {
			c->st.success++;
			c->st.success_order[order < 0 ? BUDDY_PAGEBLOCK_ORDER : order]++;
		} else {
			c->st.contended++;
		}
	} else { /* the scanners met: positions reset, hints marked for a reset */
		zs->migrate_pb = 0;
		zs->free_pb = n;
		zs->skip_flush |= direct;
		c->st.complete++;
	}
	compact_free_release(&cc);
	return r;
}

/* compaction_suitable: enough free pages to migrate into, and for costly orders a failure
 * due to fragmentation rather than lack of memory (fragmentation index above the threshold). */
static bool cc_suitable(const struct compact *c, unsigned z, unsigned order)
{
	const struct buddy *b = &c->zs->zone[z].buddy;
	u64 wm = order > COMPACT_COSTLY_ORDER ? c->low_free[z] : c->min_free[z];
	if (b->free_pages <= wm + (2ULL << order))
		return false;
	if (order <= COMPACT_COSTLY_ORDER)
		return true;
	int fi = fragindex_extfrag(b->nr_free, b->max_order + 1, order);
	return fi < 0 || fi > COMPACT_EXTFRAG_THRESHOLD;
}

/* compaction_restarting: the longest deferral ran out at a failed order. */
static bool cc_restarting(const struct compact_zone_state *zs, unsigned order)
{
	return order >= zs->order_failed && zs->defer_shift == COMPACT_MAX_DEFER_SHIFT &&
	       zs->considered >= 1u << COMPACT_MAX_DEFER_SHIFT;
}

enum compact_result compact_zone(struct compact *c, unsigned z, const struct compact_req *rq)
{
	if (compact_order_free(c, z, rq->order)) {
		c->st.satisfied++;
		return COMPACT_SATISFIED;
	}
	if (!cc_suitable(c, z, rq->order)) {
		c->st.skipped++;
		return COMPACT_SKIPPED;
	}
	if (cc_restarting(&c->z[z], rq->order))
		cc_reset_hints(c, z);
	c->st.direct_runs += rq->direct;
	return cc_run(c, z, (int)rq->order, rq->mt, rq->prio, rq->direct);
}

/* compaction_deferred */
static bool cc_deferred(struct compact_zone_state *zs, unsigned order)
{
	if (order < zs->order_failed)
		return false;
	if (++zs->considered >= 1u << zs->defer_shift) {
		zs->considered = 1u << zs->defer_shift;
		return false;
	}
	return true;
}

static void cc_defer(struct compact_zone_state *zs, unsigned order)
{
	zs->considered = 0;
	if (++zs->defer_shift > COMPACT_MAX_DEFER_SHIFT)
		zs->defer_shift = COMPACT_MAX_DEFER_SHIFT;
	if (order < zs->order_failed)
		zs->order_failed = order;
}

/* compaction_defer_reset */
static void cc_defer_reset(struct compact_zone_state *zs, unsigned order, bool alloc_success)
{
	if (alloc_success) {
		zs->considered = 0;
		zs->defer_shift = 0;
	}
	if (order >= zs->order_failed)
		zs->order_failed = order + 1;
}

enum compact_result compact_try(struct compact *c, const int *zl, unsigned n, const struct compact_req *rq)
{
	enum compact_result best = COMPACT_SKIPPED;
	c->st.requests++;
	for (unsigned k = 0; k < n; k++) {
		struct compact_zone_state *zs = &c->z[zl[k]];
		if (rq->prio > COMPACT_PRIO_SYNC_FULL && cc_deferred(zs, rq->order)) {
			c->st.deferred++;
			best = MM_MAX(best, COMPACT_DEFERRED);
			continue;
		}
		enum compact_result r = compact_zone(c, (unsigned)zl[k], rq);
		best = MM_MAX(best, r);
		if (r >= COMPACT_SUCCESS) {
			cc_defer_reset(zs, rq->order, false);
			break;
		}
		if (rq->prio != COMPACT_PRIO_ASYNC && r == COMPACT_COMPLETE)
			cc_defer(zs, rq->order);
	}
	for (unsigned k = 0; k < n; k++) /* the allocation succeeds where its block is */
		if (compact_order_free(c, (unsigned)zl[k], rq->order)) {
			cc_defer_reset(&c->z[zl[k]], rq->order, true);
			break;
		}
	return best;
}

/* kcompactd_do_work: every zone, lowest first, at the order asked for, synchronous light,
 * unless deferred; a success resets the deferral, a run whose scanners met defers. kcompactd
 * then sleeps a full interval. */
static void cc_kcompactd_work(struct compact *c)
{
	const struct compact_req rq = {c->kcompactd_order, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, false};
	c->kcompactd_order = 0;
	c->next_tick_ns = c->now_ns + c->timeout_ns;
	c->st.kcompactd_wakes++;
	for (unsigned z = 0; z < c->zs->nr_zones; z++) {
		struct compact_zone_state *zs = &c->z[z];
		if (cc_deferred(zs, rq.order))
			continue;
		enum compact_result r = compact_zone(c, z, &rq);
		if (r == COMPACT_SUCCESS)
			cc_defer_reset(zs, rq.order, false);
		else if (r == COMPACT_COMPLETE)
			cc_defer(zs, rq.order);
		c->st.kcompactd_runs += r >= COMPACT_COMPLETE && r <= COMPACT_SUCCESS;
	}
}

/* kcompactd_node_suitable: some zone lacks a free block of the order and compaction_suitable
 * would let it run. */
static bool cc_node_suitable(const struct compact *c, unsigned order)
{
	for (unsigned z = 0; z < c->zs->nr_zones; z++)
		if (c->zs->zone[z].buddy.nr_pages && !compact_order_free(c, z, order) &&
		    cc_suitable(c, z, order))
			return true;
	return false;
}

void compact_wake_kcompactd(struct compact *c, unsigned order)
{
	if (!order)
		return;
	c->kcompactd_order = MM_MAX(c->kcompactd_order, order);
	if (cc_node_suitable(c, c->kcompactd_order))
		cc_kcompactd_work(c);
}

void compact_defer_seen(struct compact *c, unsigned z, unsigned order_failed, u64 considered, u64 limit,
			bool early)
{
	struct compact_zone_state *zs = &c->z[z];
	if (zs->defer_seen && !early)
		return;
	zs->defer_seen = true;
	unsigned shift = 0;
	while (shift < COMPACT_MAX_DEFER_SHIFT && (1ULL << shift) < limit)
		shift++;
	zs->defer_shift = shift;
	zs->considered = (unsigned)MM_MIN(considered, 1ULL << shift);
	zs->order_failed = order_failed;
}

void compact_kswapd_sleep(struct compact *c)
{
	for (unsigned z = 0; z < c->zs->nr_zones; z++)
		cc_reset_hints(c, z);
}

void compact_kcompactd_sleep(struct compact *c, u64 now_ns)
{
	compact_tick(c, now_ns);
	u64 gap = now_ns - c->last_sleep_ns;
	if (c->last_sleep_ns && gap >= COMPACT_PROACTIVE_NS && gap < 2 * COMPACT_PROACTIVE_NS &&
	    (c->timeout_ns == COMPACT_PROACTIVE_NS || gap < c->timeout_ns))
		c->timeout_ns = gap;
	c->last_sleep_ns = now_ns;
	if (c->next_tick_ns)
		c->next_tick_ns = now_ns + c->timeout_ns;
}

/* fragmentation_score_node: each zone's score weighted by its share of the node. */
static u64 node_score(const struct compact *c)
{
	u64 pages = 0, score = 0;
	for (unsigned z = 0; z < c->zs->nr_zones; z++)
		pages += c->zs->zone[z].buddy.nr_pages;
	for (unsigned z = 0; z < c->zs->nr_zones; z++) {
		const struct buddy *b = &c->zs->zone[z].buddy;
		score += frag_score(b) * b->nr_pages / (pages + 1);
	}
	return score;
}

void compact_tick(struct compact *c, u64 now_ns)
{
	c->now_ns = now_ns;
	if (now_ns < c->next_tick_ns)
		return;
	bool first = !c->next_tick_ns;
	/* the kernel's ticks since the last one the model saw (it sees only the trace's events) */
	u64 ticks = first ? 1 : 1 + (now_ns - c->next_tick_ns) / c->timeout_ns;
	c->next_tick_ns = now_ns + c->timeout_ns;
	if (first)
		return;
	if (c->kcompactd_order) { /* a wake that found no zone suitable: the timeout's work */
		cc_kcompactd_work(c);
		return;
	}
	if (!c->proactiveness || c->kswapd_running)
		return;
	u64 score = node_score(c);
	unsigned low = MM_MAX(100u - MM_MIN(c->proactiveness, 100u), 5u), high = MM_MIN(low + 10, 100u);
	if (score <= high)
		return;
	if (c->proactive_defer >= ticks) { /* proactive_defer: ticks left to wait */
		c->proactive_defer -= (unsigned)ticks;
		return;
	}
	c->proactive_defer = 0;
	/* compact_node: compact_zone on every populated zone, no suitability check (order -1) */
	for (unsigned z = 0; z < c->zs->nr_zones; z++) {
		if (!c->zs->zone[z].buddy.nr_pages)
			continue;
		c->st.proactive_runs++;
		cc_run(c, z, -1, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, false);
	}
	if (node_score(c) >= score) /* no progress: back off */
		c->proactive_defer = 1u << COMPACT_MAX_DEFER_SHIFT;
}
