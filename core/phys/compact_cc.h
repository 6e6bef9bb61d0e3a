/* One compaction run in progress (compact_control), shared by the run's two halves: the
 * migrate scanner and the run itself (compact.c) and the free scanner with its targets
 * (compact_free.c). Private to core/phys/compact*.c. */
#ifndef COMPACT_CC_H
#define COMPACT_CC_H

#include "core/phys/compact.h"

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
	u64 fast_start;	     /* lowest free pfn a source search found (0: none, UINT64_MAX: used) */
};

/* First and one-past-last frame of pageblock pb of b. */
static inline u32 pb_first(const struct buddy *b, u64 pb)
{
	u64 pfn = ((b->base_pfn >> BUDDY_PAGEBLOCK_ORDER) + pb) << BUDDY_PAGEBLOCK_ORDER;
	return pfn <= b->base_pfn ? 0 : (u32)(pfn - b->base_pfn);
}
static inline u32 pb_end(const struct buddy *b, u64 pb)
{
	u64 pfn = ((b->base_pfn >> BUDDY_PAGEBLOCK_ORDER) + pb + 1) << BUDDY_PAGEBLOCK_ORDER;
	return (u32)MM_MIN(pfn - b->base_pfn, b->nr_pages);
}

/* The free scanner's position as a frame: within pageblock fpb - 1 (fidx once started). */
static inline u64 cc_free_pos(const struct cc *cc)
{
	return cc->fstarted ? cc->fidx : pb_first(cc->b, cc->fpb - 1);
}

/* compaction_alloc for the isolated batch cc->pend, in scan order: each block moves to a target
 * of its order (the owner told), its old pages freed. false: one found no target (-ENOMEM: it
 * and the rest of the batch stay). */
bool compact_free_commit(struct cc *cc);
/* release_free_list at the run's end (the cached free scanner moves up to the highest). */
void compact_free_release(struct cc *cc);

#endif
