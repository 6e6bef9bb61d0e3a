/* Compaction's free side (mm/compaction.c, Linux 6.18): the targets a run migrates into.
 * compaction_alloc takes them from the run's isolated free blocks, per order; isolate_freepages
 * fills those with fast_isolate_freepages (a short search of the free lists) and the linear free
 * scanner; what is left goes back at the run's end (compact.h has the rules in full). */
#include "core/phys/compact_cc.h"

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
	unsigned limit =
		MM_MAX(1u, (unsigned)((((u64)COMPACT_CLUSTER_MAX >> MM_MIN(cc->fast_fail, 63u)) + 1) >> 1));
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
void compact_free_release(struct cc *cc)
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
bool compact_free_commit(struct cc *cc)
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
