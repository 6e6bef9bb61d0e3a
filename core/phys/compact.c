#include "core/phys/compact.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/phys/fragindex.h"

#define PB_PAGES (1u << BUDDY_PAGEBLOCK_ORDER)

/* A run in progress: the zone, its scanners and what it asks for (order < 0: proactive, until
 * the zone's fragmentation score is at or below score_low). */
struct cc {
	struct compact *c;
	unsigned z;
	struct buddy *b;
	int order, mt;
	bool direct, async_direct; /* async_direct: skip_on_failure, sources of the request's type */
	bool async;		   /* MIGRATE_ASYNC: the free scanner starts at a stride of 32 */
	bool ignore_skip, ignore_suitable;
	u64 mpb, fpb;  /* migrate scanner's pageblock; free scanner's (one past the one it scans) */
	u64 fidx;      /* free scanner: next frame of pageblock fpb - 1 */
	bool fstarted; /* fidx is valid for fpb - 1 */
	unsigned score_low;
	unsigned npend; /* the migrate scanner's isolated blocks not migrated yet */
	u64 pend_pages;
	u32 *pend;	     /* the compact's batch array (a pageblock's frames) */
	u64 nr_free, nr_mig; /* free pages isolated and held; pages of the batch being migrated */
	int search_order;    /* fast_isolate_freepages' next order (from order - 1 down) */
	unsigned fast_fail;  /* fast searches that found nothing (narrows the next) */
};

int compact_init(struct compact *c, struct zones *zs, const struct compact_hooks *h, u32 proactiveness)
{
	memset(c, 0, sizeof(*c));
	c->zs = zs;
	c->h = *h;
	c->proactiveness = proactiveness;
	c->fast_search = true;
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

/* First and one-past-last frame of pageblock pb of b. */
static u32 pb_first(const struct buddy *b, u64 pb)
{
	u64 pfn = ((b->base_pfn >> BUDDY_PAGEBLOCK_ORDER) + pb) << BUDDY_PAGEBLOCK_ORDER;
	return pfn <= b->base_pfn ? 0 : (u32)(pfn - b->base_pfn);
}
static u32 pb_end(const struct buddy *b, u64 pb)
{
	u64 pfn = ((b->base_pfn >> BUDDY_PAGEBLOCK_ORDER) + pb + 1) << BUDDY_PAGEBLOCK_ORDER;
	return (u32)MM_MIN(pfn - b->base_pfn, b->nr_pages);
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

/* suitable_migration_target: not skipped, its first page no free block of pageblock order or
 * larger, and movable when the buddy keeps types (both waived at the last-resort priority). */
static bool free_target(const struct cc *cc, u64 pb)
{
	if (!cc->ignore_skip && cc->c->z[cc->z].skip[pb])
		return false;
	u32 i = pb_first(cc->b, pb);
	if (buddy_frame_is_free(cc->b, i) && buddy_frame_order(cc->b, i) >= BUDDY_PAGEBLOCK_ORDER)
		return false;
	return cc->ignore_suitable || !cc->b->pageblock_mt || cc->b->pageblock_mt[pb] == MT_MOVABLE;
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

/* isolate_freepages_block's page: __isolate_free_page takes the free block at frame i of
 * order k when the zone keeps its min watermark + 2^k free pages; it joins the run's isolated
 * blocks (cc->freepages[k], at the back). */
static bool cc_isolate(struct cc *cc, u32 i, unsigned k)
{
	struct compact *c = cc->c;
	struct compact_iso *q = &c->iso[k];
	if (q->n >= COMPACT_ISO_CAP || cc->b->free_pages <= c->min_free[cc->z] + (1ULL << k))
		return false;
	if (buddy_alloc_at(cc->b, cc->b->base_pfn + i, k, MT_MOVABLE))
		return false;
	q->ring[(q->first + q->n++) % COMPACT_ISO_CAP] = i;
	cc->nr_free += 1ULL << k;
	return true;
}

/* isolate_freepages_block over frames [*pos, end) at stride: a visited page heading a free
 * block isolates it whole and the scan goes on past its end; one heading an allocated block of
 * order > 0 (a compound page) skips it; any other page is passed over. Stops once the run holds
 * as many free pages as the batch to migrate. Returns the pages isolated. */
static u64 cc_free_block(struct cc *cc, u64 *pos, u64 end, u64 stride)
{
	struct buddy *b = cc->b;
	u64 p = *pos, scanned = 0, got = 0;
	for (; p < end; p += stride) {
		u32 i = (u32)p;
		scanned++;
		if (buddy_frame_is_alloc(b, i) && buddy_frame_order(b, i)) {
			u64 n = 1ULL << buddy_frame_order(b, i);
			if (p + n <= end) {
				p += n - 1;
				scanned += n - 1;
			}
			continue;
		}
		if (!buddy_frame_is_free(b, i))
			continue;
		unsigned k = buddy_frame_order(b, i);
		if (!cc_isolate(cc, i, k))
			break;
		scanned += (1ULL << k) - 1;
		got += 1ULL << k;
		if (cc->nr_mig <= cc->nr_free) {
			p += 1ULL << k;
			break;
		}
		p += (1ULL << k) - 1;
	}
	*pos = MM_MIN(p, end);
	cc->c->st.free_scanned += scanned;
	return got;
}

/* The free scanner's position as a frame: within pageblock fpb - 1 (fidx once started). */
static u64 cc_free_pos(const struct cc *cc)
{
	return cc->fstarted ? cc->fidx : pb_first(cc->b, cc->fpb - 1);
}

/* Move the free scanner to frame i (the start of a pageblock, or within one). */
static void cc_free_set(struct cc *cc, u64 i)
{
	cc->fpb = buddy_pageblock(cc->b, i) + 1;
	cc->fidx = i;
	cc->fstarted = true;
}

/* The zone's cached free scanner (compact_cached_free_pfn) at the pageblock holding frame i. */
static void cc_cached_free_set(struct cc *cc, u64 i)
{
	cc->c->z[cc->z].free_pb = buddy_pageblock(cc->b, i) + 1;
}

/* fast_isolate_around: the rest of the pageblock of the block just isolated at frame i, scanned
 * at stride 1 (not by asynchronous direct compaction); a pageblock that still left the run
 * short gets its skip hint. */
static void cc_fast_around(struct cc *cc, u64 i, u64 isolated)
{
	if (cc->nr_free >= cc->nr_mig || cc->async_direct)
		return;
	u64 pb = buddy_pageblock(cc->b, i), start = pb_first(cc->b, pb), end = pb_end(cc->b, pb);
	if (start != i) {
		cc_free_block(cc, &start, i, 1);
		if (cc->nr_free >= cc->nr_mig)
			return;
	}
	start = i + isolated;
	if (start < end)
		cc_free_block(cc, &start, end, 1);
	if (cc->nr_free < cc->nr_mig)
		cc->c->z[cc->z].skip[pb] = 1;
}

/* next_search_order: the orders below the request's, round robin from search_order down; -1
 * once the search is back where it began (which then starts one order lower next time). */
static int cc_next_order(struct cc *cc, int o)
{
	if (--o < 0)
		o = cc->order - 1;
	if (o == cc->search_order) {
		if (--cc->search_order < 0)
			cc->search_order = cc->order - 1;
		return -1;
	}
	return o;
}

/* fast_isolate_freepages: the movable free lists of orders below the request's, each read from
 * its tail for a block in the top quarter of the space between the scanners (else the highest
 * in the top half), a few entries each (freelist_scan_limit, halved per failed search, deeper
 * when the free scanner is at its start); the list is rotated so the entries looked at come
 * first next time (move_freelist_head). A block found is isolated whole and, but for
 * asynchronous direct compaction, the rest of its pageblock too. Without one, a search from the
 * start moves the free scanner to the highest pageblock seen (direct: or the top half's
 * bottom). true when the run holds free pages after it (the linear scan is skipped). */
static bool cc_fast_free(struct cc *cc)
{
	struct buddy *b = cc->b;
	struct compact_stats *st = &cc->c->st;
	const u64 base = b->base_pfn, n_pb = buddy_nr_pageblocks(b);
	const unsigned list = b->pageblock_mt ? MT_MOVABLE : 0;
	unsigned limit = MM_MAX(1u, ((COMPACT_CLUSTER_MAX >> MM_MIN(cc->fast_fail, 63u)) + 1) >> 1);
	u64 free_pfn = base + cc_free_pos(cc), migrate_pfn = base + pb_first(b, cc->mpb);
	bool scan_start = cc->fpb >= n_pb;
	if (scan_start)
		limit = PB_PAGES >> 1;
	u64 distance = free_pfn - migrate_pfn;
	u64 low_pfn = (free_pfn - (distance >> 2)) & ~(u64)(PB_PAGES - 1);
	u64 min_pfn = (free_pfn - (distance >> 1)) & ~(u64)(PB_PAGES - 1);
	u64 highest = 0, nr_scanned = 0, isolated = 0;
	u32 page = BUDDY_NIL;
	cc->search_order = MM_MIN(cc->order - 1, cc->search_order);
	for (int o = cc->search_order; page == BUDDY_NIL && o >= 0; o = cc_next_order(cc, o)) {
		if (!b->nr_free[o])
			continue;
		unsigned order_scanned = 0;
		u64 high_pfn = 0;
		u32 freepage = BUDDY_NIL, high_idx = BUDDY_NIL, i;
		for (i = b->tail[o][list]; i != BUDDY_NIL; i = buddy_frame_prev(b, i)) {
			u64 pfn = base + i;
			freepage = i;
			order_scanned++;
			nr_scanned++;
			if (pfn >= highest)
				highest = MM_MAX(pfn & ~(u64)(PB_PAGES - 1), base);
			if (pfn >= low_pfn) {
				cc->fast_fail = 0;
				cc->search_order = o;
				page = i;
				break;
			}
			if (pfn >= min_pfn && pfn > high_pfn) {
				high_pfn = pfn;
				high_idx = i;
				limit >>= 1;
			}
			if (order_scanned >= limit)
				break;
		}
		if (page == BUDDY_NIL && high_pfn)
			page = freepage = high_idx;
		if (freepage != BUDDY_NIL && (i != BUDDY_NIL || page != BUDDY_NIL))
			buddy_list_rotate(b, freepage, true); /* a list read to its end stays */
		if (page != BUDDY_NIL) {
			if (cc_isolate(cc, page, (unsigned)o)) {
				isolated = 1ULL << o;
			} else { /* the search ends */
				o = cc->search_order + 1;
				page = BUDDY_NIL;
			}
		}
		if (order_scanned >= limit)
			limit = MM_MAX(1u, limit >> 1);
	}
	u64 at = UINT64_MAX; /* the block to search around */
	if (page == BUDDY_NIL) {
		cc->fast_fail++;
		if (scan_start && highest) {
			at = highest - base;
			cc_free_set(cc, at);
		} else if (scan_start && cc->direct && min_pfn >= base && min_pfn < base + b->nr_pages) {
			at = min_pfn - base;
			cc_free_set(cc, at);
		}
	} else {
		at = page;
	}
	if (highest && buddy_pageblock(b, highest - base) + 1 >= cc->c->z[cc->z].free_pb)
		cc->c->z[cc->z].free_pb = buddy_pageblock(b, highest - base);
	st->free_scanned += nr_scanned;
	if (at != UINT64_MAX)
		cc_fast_around(cc, at, isolated);
	return cc->nr_free > 0;
}

/* isolate_freepages: the fast search first (orders above 0), then the linear free scanner down
 * from its position, pageblock by pageblock (suitable targets, skip hints unless ignored), at a
 * stride that starts at COMPACT_CLUSTER_MAX (asynchronous) or 1 and doubles after a pageblock
 * that gave nothing, 1 after one that gave pages; it stops once the run holds as many free pages
 * as the batch. A pageblock scanned to its end gets its skip hint and lowers the zone's cached
 * free scanner. */
static void cc_isolate_freepages(struct cc *cc)
{
	struct compact *c = cc->c;
	if (cc->fpb <= cc->mpb + 1) /* the scanners met */
		return;
	if (c->fast_search && cc->order > 0 && cc_fast_free(cc))
		return;
	u64 stride = cc->async ? COMPACT_CLUSTER_MAX : 1;
	while (cc->fpb > cc->mpb + 1) {
		u64 pb = cc->fpb - 1, end = pb_end(cc->b, pb), pos = cc_free_pos(cc);
		if (!free_target(cc, pb)) {
			cc->fpb--;
			cc->fstarted = false;
			continue;
		}
		u64 got = cc_free_block(cc, &pos, end, stride);
		if (pos == end) {
			c->z[cc->z].skip[pb] = 1;
			if (pb + 1 < c->z[cc->z].free_pb)
				c->z[cc->z].free_pb = pb + 1;
		}
		if (cc->nr_free >= cc->nr_mig || pos < end) {
			if (pos >= end) {
				cc->fpb--;
				cc->fstarted = false;
			} else {
				cc->fidx = pos;
				cc->fstarted = true;
			}
			return;
		}
		cc->fpb--;
		cc->fstarted = false;
		stride = got ? 1 : MM_MIN((u64)COMPACT_CLUSTER_MAX, stride << 1);
	}
	cc->fstarted = false;
}

/* compaction_alloc: a target of 2^order pages from the run's isolated blocks, the smallest
 * order that has one, first in its list; a larger block is split, its upper halves going to the
 * front of the lower orders' lists. None: the free scanner isolates once more; still none: NULL
 * (UINT64_MAX), and migrate_pages fails with -ENOMEM. */
static u64 cc_alloc(struct cc *cc, unsigned order, int mt)
{
	struct compact *c = cc->c;
	struct buddy *b = cc->b;
	for (bool again = true;; again = false) {
		unsigned k = order;
		while (k <= b->max_order && !c->iso[k].n)
			k++;
		if (k <= b->max_order) {
			struct compact_iso *q = &c->iso[k];
			u32 i = q->ring[q->first];
			q->first = (q->first + 1) % COMPACT_ISO_CAP;
			q->n--;
			while (k > order) {
				k--;
				struct compact_iso *h = &c->iso[k];
				u32 up = i + (1u << k);
				buddy_frame_set_alloc(b, up, k, MT_MOVABLE);
				h->first = (h->first + COMPACT_ISO_CAP - 1) % COMPACT_ISO_CAP;
				h->ring[h->first] = up;
				h->n++;
			}
			buddy_frame_set_alloc(b, i, order, (unsigned)mt);
			cc->nr_free -= 1ULL << order;
			return b->base_pfn + i;
		}
		if (!again)
			return UINT64_MAX;
		cc_isolate_freepages(cc);
	}
}

/* release_free_list at the run's end: the isolated blocks left go back to the buddy, order by
 * order; the cached free scanner moves up to the highest of them (only up). */
static void cc_release(struct cc *cc)
{
	struct compact *c = cc->c;
	u64 high = 0;
	bool any = false;
	for (unsigned k = 0; k <= cc->b->max_order; k++) {
		struct compact_iso *q = &c->iso[k];
		for (; q->n; q->n--, q->first = (q->first + 1) % COMPACT_ISO_CAP) {
			u32 i = q->ring[q->first];
			buddy_free(cc->b, cc->b->base_pfn + i, k);
			high = MM_MAX(high, (u64)i);
			any = true;
		}
		q->first = 0;
	}
	cc->nr_free = 0;
	if (any && buddy_pageblock(cc->b, high) + 1 > c->z[cc->z].free_pb)
		cc_cached_free_set(cc, high);
}

/* Migrate the isolated batch, in scan order. false: a block found no target (-ENOMEM: it and
 * the rest of the batch stay). */
static bool cc_commit(struct cc *cc)
{
	struct buddy *b = cc->b;
	struct compact_stats *st = &cc->c->st;
	bool ok = true;
	cc->nr_mig = cc->pend_pages;
	for (unsigned k = 0; k < cc->npend; k++) {
		u32 i = cc->pend[k];
		unsigned o = buddy_frame_order(b, i);
		st->isolated += 1ULL << o;
		if (!ok) {
			st->failed += 1ULL << o;
			continue;
		}
		int mt = (int)buddy_frame_list(b, i);
		u64 from = b->base_pfn + i, to = cc_alloc(cc, o, mt < MT_NR ? mt : MT_MOVABLE);
		if (to == UINT64_MAX) {
			ok = false;
			st->failed += 1ULL << o;
			continue;
		}
		cc->c->h.moved(cc->c->h.ctx, from, to, o);
		buddy_free(b, from, o);
		st->migrated += 1ULL << o;
	}
	cc->npend = 0;
	cc->pend_pages = 0;
	cc->nr_mig = 0;
	return ok;
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
				if (!cc_commit(cc))
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
				if (!cc_commit(cc))
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
	if (cc->npend && !cc_commit(cc))
		return false;
	/* the hint is set at the first isolation (test_and_set_skip) or when nothing was isolated */
	if (!cc->ignore_skip || !any)
		cc->c->z[cc->z].skip[cc->mpb] = 1;
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
	while (cc.mpb + 1 < cc.fpb) {
		if ((cc.ignore_skip || !zs->skip[cc.mpb]) && migrate_source(&cc, cc.mpb) &&
		    !cc_migrate_block(&cc)) {
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
	if (r != COMPACT_COMPLETE) { /* the next run's migrate scanner resumes where this stopped */
		zs->migrate_pb = cc.mpb;
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
	cc_release(&cc);
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

void compact_kcompactd(struct compact *c)
{
	const struct compact_req rq = {BUDDY_PAGEBLOCK_ORDER, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, false};
	for (unsigned z = 0; z < c->zs->nr_zones; z++) {
		struct compact_zone_state *zs = &c->z[z];
		if (cc_deferred(zs, rq.order))
			continue;
		enum compact_result r = compact_zone(c, z, &rq);
		if (r == COMPACT_SUCCESS)
			cc_defer_reset(zs, rq.order, false);
		else if (r == COMPACT_COMPLETE)
			cc_defer(zs, rq.order);
		c->st.kcompactd_runs += r == COMPACT_SUCCESS || r == COMPACT_COMPLETE;
	}
}

void compact_kswapd_sleep(struct compact *c)
{
	for (unsigned z = 0; z < c->zs->nr_zones; z++)
		cc_reset_hints(c, z);
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
	if (!c->proactiveness || now_ns < c->next_proactive_ns)
		return;
	bool first = !c->next_proactive_ns;
	c->next_proactive_ns = now_ns + COMPACT_PROACTIVE_NS;
	if (first || c->kswapd_running)
		return;
	u64 score = node_score(c);
	unsigned low = MM_MAX(100u - MM_MIN(c->proactiveness, 100u), 5u), high = MM_MIN(low + 10, 100u);
	if (score <= high)
		return;
	/* compact_node: compact_zone on every populated zone, no suitability check (order -1) */
	for (unsigned z = 0; z < c->zs->nr_zones; z++) {
		if (!c->zs->zone[z].buddy.nr_pages)
			continue;
		c->st.proactive_runs++;
		cc_run(c, z, -1, MT_MOVABLE, COMPACT_PRIO_SYNC_LIGHT, false);
	}
	if (node_score(c) >= score) /* no progress: back off */
		c->next_proactive_ns = now_ns + (COMPACT_PROACTIVE_NS << COMPACT_MAX_DEFER_SHIFT);
}
