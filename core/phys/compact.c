#include "core/phys/compact.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A run in progress: the zone, its scanners and what it asks for (order < 0: proactive, until
 * the zone's fragmentation score is at or below score_low). */
struct cc {
	struct compact *c;
	unsigned z;
	struct buddy *b;
	int order;
	u64 mpb, fpb;  /* migrate scanner's pageblock; free scanner's (one past the one it scans) */
	u64 fidx;      /* free scanner: next frame of pageblock fpb - 1 */
	bool fstarted; /* fidx is valid for fpb - 1 */
	bool ftook;    /* the free scanner took a page in its current pageblock */
	unsigned score_low;
};

int compact_init(struct compact *c, struct zones *zs, const struct compact_hooks *h, u32 proactiveness)
{
	memset(c, 0, sizeof(*c));
	c->zs = zs;
	c->h = *h;
	c->proactiveness = proactiveness;
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

/* A target pageblock for the free scanner: not skipped and, when the buddy keeps types,
 * movable (or wholly free). */
static bool free_target(const struct cc *cc, u64 pb)
{
	if (cc->c->z[cc->z].skip[pb])
		return false;
	if (!cc->b->pageblock_mt || cc->b->pageblock_mt[pb] == MT_MOVABLE)
		return true;
	u32 i = pb_first(cc->b, pb);
	return buddy_frame_is_free(cc->b, i) && buddy_frame_order(cc->b, i) >= BUDDY_PAGEBLOCK_ORDER;
}

/* A source pageblock for the migrate scanner (suitable_migration_source, asynchronous as the
 * kernel first tries): movable when the buddy keeps types. */
static bool migrate_source(const struct cc *cc, u64 pb)
{
	return !cc->b->pageblock_mt || cc->b->pageblock_mt[pb] == MT_MOVABLE;
}

/* The free scanner: take 2^order free pages above the migrate scanner. Returns the pfn, or
 * UINT64_MAX when the scanners met. */
static u64 cc_target(struct cc *cc, unsigned order, int mt)
{
	struct buddy *b = cc->b;
	struct compact_stats *st = &cc->c->st;
	for (;;) {
		if (!cc->fstarted) {
			while (cc->fpb > cc->mpb + 1 && !free_target(cc, cc->fpb - 1))
				cc->fpb--;
			if (cc->fpb <= cc->mpb + 1)
				return UINT64_MAX;
			cc->fidx = pb_first(b, cc->fpb - 1);
			cc->fstarted = true;
			cc->ftook = false;
		}
		u32 end = pb_end(b, cc->fpb - 1);
		while (cc->fidx < end) {
			u32 i = (u32)cc->fidx;
			if (buddy_frame_is_free(b, i) || buddy_frame_is_alloc(b, i)) {
				unsigned o = buddy_frame_order(b, i);
				bool fits = buddy_frame_is_free(b, i) && o >= order;
				u64 step = fits ? 1ULL << order : 1ULL << o;
				st->free_scanned += step;
				if (fits && !buddy_alloc_at(b, b->base_pfn + i, order, mt)) {
					cc->fidx += step;
					cc->ftook = true;
					return b->base_pfn + i;
				}
				cc->fidx += step;
			} else {
				cc->fidx++; /* inside a larger block that began in an earlier pageblock */
			}
		}
		if (!cc->ftook)
			cc->c->z[cc->z].skip[cc->fpb - 1] = 1;
		cc->fpb--;
		cc->fstarted = false;
	}
}

/* Move the allocated block at frame i (order o, tag mt) to a target. false: no target. */
static bool cc_migrate(struct cc *cc, u32 i, unsigned o, int mt)
{
	struct buddy *b = cc->b;
	u64 from = b->base_pfn + i, to = cc_target(cc, o, mt);
	if (to == UINT64_MAX)
		return false;
	cc->c->h.moved(cc->c->h.ctx, from, to, o);
	buddy_free(b, from, o);
	cc->c->st.migrated += 1ULL << o;
	return true;
}

/* The migrate scanner over pageblock cc->mpb. false: the free scanner met it. */
static bool cc_migrate_block(struct cc *cc)
{
	struct buddy *b = cc->b;
	struct compact_stats *st = &cc->c->st;
	u32 end = pb_end(b, cc->mpb);
	bool isolated = false;
	for (u32 i = pb_first(b, cc->mpb); i < end;) {
		if (!buddy_frame_is_free(b, i) && !buddy_frame_is_alloc(b, i)) {
			i++;
			continue;
		}
		unsigned o = buddy_frame_order(b, i);
		st->migrate_scanned += 1ULL << o;
		if (buddy_frame_is_alloc(b, i) && cc->c->h.movable(cc->c->h.ctx, cc->z, b->base_pfn + i, o)) {
			isolated = true;
			st->isolated += 1ULL << o;
			int mt = (int)buddy_frame_list(b, i);
			if (!cc_migrate(cc, i, o, mt < MT_NR ? mt : MT_MOVABLE)) {
				st->failed += 1ULL << o;
				return false;
			}
		}
		i += 1u << o;
	}
	if (!isolated)
		cc->c->z[cc->z].skip[cc->mpb] = 1;
	return true;
}

static enum compact_result cc_run(struct compact *c, unsigned z, int order)
{
	struct compact_zone_state *zs = &c->z[z];
	struct buddy *b = &c->zs->zone[z].buddy;
	u64 n = buddy_nr_pageblocks(b);
	struct cc cc = {.c = c, .z = z, .b = b, .order = order, .mpb = zs->migrate_pb, .fpb = zs->free_pb};
	if (c->proactiveness)
		cc.score_low = MM_MAX(100u - MM_MIN(c->proactiveness, 100u), 5u);
	c->st.runs++;
	c->st.runs_order[order < 0 ? BUDDY_PAGEBLOCK_ORDER : order]++;
	enum compact_result r = COMPACT_COMPLETE;
	while (cc.mpb + 1 < cc.fpb) {
		if (!zs->skip[cc.mpb] && migrate_source(&cc, cc.mpb) && !cc_migrate_block(&cc))
			break;
		cc.mpb++;
		if (cc_done(&cc)) {
			r = COMPACT_SUCCESS;
			break;
		}
	}
	if (r == COMPACT_SUCCESS) { /* the next run resumes where this one stopped */
		zs->migrate_pb = cc.mpb;
		zs->free_pb = cc.fpb;
		c->st.success++;
		c->st.success_order[order < 0 ? BUDDY_PAGEBLOCK_ORDER : order]++;
	} else { /* the scanners met: hints and positions reset (__reset_isolation_suitable) */
		zs->migrate_pb = 0;
		zs->free_pb = n;
		memset(zs->skip, 0, n ? n : 1);
		c->st.complete++;
	}
	return r;
}

/* compaction_suitable: enough free pages to migrate into. */
static bool cc_suitable(const struct compact *c, unsigned z, unsigned order)
{
	return c->zs->zone[z].buddy.free_pages >= c->min_free[z] + (2ULL << order);
}

enum compact_result compact_zone(struct compact *c, unsigned z, unsigned order)
{
	if (compact_order_free(c, z, order) || !cc_suitable(c, z, order)) {
		c->st.skipped++;
		return COMPACT_SKIPPED;
	}
	return cc_run(c, z, (int)order);
}

enum compact_result compact_direct(struct compact *c, unsigned z, unsigned order)
{
	struct compact_zone_state *zs = &c->z[z];
	if (order >= zs->order_failed && ++zs->considered < (1u << zs->defer_shift)) {
		c->st.deferred++; /* compaction_deferred */
		return COMPACT_DEFERRED;
	}
	if (zs->considered > (1u << zs->defer_shift))
		zs->considered = 1u << zs->defer_shift;
	enum compact_result r = compact_zone(c, z, order);
	if (r == COMPACT_SKIPPED)
		return r;
	c->st.direct_runs++;
	if (r == COMPACT_SUCCESS) { /* compaction_defer_reset */
		zs->considered = 0;
		zs->defer_shift = 0;
		if (order >= zs->order_failed)
			zs->order_failed = order + 1;
	} else { /* defer_compaction */
		zs->considered = 0;
		if (++zs->defer_shift > COMPACT_MAX_DEFER_SHIFT)
			zs->defer_shift = COMPACT_MAX_DEFER_SHIFT;
		if (order < zs->order_failed)
			zs->order_failed = order;
	}
	return r;
}

void compact_kcompactd(struct compact *c)
{
	for (unsigned z = 0; z < c->zs->nr_zones; z++)
		if (compact_zone(c, z, BUDDY_PAGEBLOCK_ORDER) != COMPACT_SKIPPED)
			c->st.kcompactd_runs++;
}

void compact_tick(struct compact *c, u64 now_ns)
{
	if (!c->proactiveness || now_ns < c->next_proactive_ns)
		return;
	bool first = !c->next_proactive_ns;
	c->next_proactive_ns = now_ns + COMPACT_PROACTIVE_NS;
	if (first)
		return;
	/* fragmentation_score_node: each zone's score weighted by its share of the node */
	u64 pages = 0, score = 0;
	for (unsigned z = 0; z < c->zs->nr_zones; z++)
		pages += c->zs->zone[z].buddy.nr_pages;
	for (unsigned z = 0; z < c->zs->nr_zones; z++) {
		const struct buddy *b = &c->zs->zone[z].buddy;
		score += frag_score(b) * b->nr_pages / (pages + 1);
	}
	unsigned low = MM_MAX(100u - MM_MIN(c->proactiveness, 100u), 5u), high = MM_MIN(low + 10, 100u);
	if (score <= high)
		return;
	for (unsigned z = 0; z < c->zs->nr_zones; z++) {
		const struct buddy *b = &c->zs->zone[z].buddy;
		if (frag_score(b) > low &&
		    b->free_pages >= c->min_free[z] + (2ULL << BUDDY_PAGEBLOCK_ORDER)) {
			c->st.proactive_runs++;
			cc_run(c, z, -1);
		}
	}
}
