/* A compaction model after the kernel's compact_zone (mm/compaction.c, Linux 6.18), on a
 * machine's zones:
 * - the migrate scanner walks pageblocks upward from the zone start (or its cached position),
 *   isolating the movable allocated blocks of each (only pageblocks of type movable when the
 *   buddy keeps types: asynchronous compaction); the free scanner walks pageblocks downward
 *   from the zone end, taking free pages as migration targets (only pageblocks of type movable
 *   when the buddy keeps types, as suitable_migration_target); each isolated block moves to a
 *   target of its order and its old pages are freed (they merge as the kernel's do);
 * - a pageblock a scanner found nothing in gets its skip hint; the hints and cached positions
 *   reset when the scanners meet (COMPACT_COMPLETE);
 * - a run ends with success as soon as a free block of the requested order or larger exists
 *   (compact_finished, checked at pageblock boundaries), complete when the scanners meet;
 * - compaction_suitable: a run needs free pages above the zone's min watermark plus
 *   compact_gap (2 << order); below that it is skipped;
 * - deferral (defer_compaction, compaction_deferred): after a failed run 1 << defer_shift
 *   (up to 64) direct attempts at that order or above are deferred; success resets it;
 * - kcompactd (woken after a boosted reclaim) and proactive compaction: compact every zone at
 *   pageblock order; proactive compaction every 500 ms of trace time while the fragmentation
 *   score (the order-9 extfrag index, weighted by zone size) is above 100 - proactiveness + 10,
 *   until it is below 100 - proactiveness.
 * Which block is movable is the owner's answer (hooks.movable: a user's page of a movable
 * allocation, a seeded page in a movable pageblock); hooks.moved tells the owner its block
 * moved. Pages scanned count every page each scanner stepped over, as nr_scanned does. */
#ifndef COMPACT_H
#define COMPACT_H

#include "core/phys/zones.h"

#define COMPACT_MAX_DEFER_SHIFT 6
#define COMPACT_PROACTIVE_NS 500000000ULL /* HPAGE_FRAG_CHECK_INTERVAL_MSEC */

enum compact_result {
	COMPACT_SKIPPED = 0, /* not suitable: too few free pages, or the order is there already */
	COMPACT_DEFERRED,    /* direct compaction deferred after earlier failures */
	COMPACT_COMPLETE,    /* the scanners met without success */
	COMPACT_SUCCESS,     /* a free block of the order exists */
};

struct compact_hooks {
	/* Is the allocated block whose head is pfn (in zone position z) movable? */
	bool (*movable)(void *ctx, unsigned z, u64 pfn, unsigned order);
	/* The block at from moved to to (same order; to is allocated, from still is). */
	void (*moved)(void *ctx, u64 from, u64 to, unsigned order);
	void *ctx;
};

struct compact_stats {
	u64 runs;				      /* compact_zone runs (not skipped or deferred) */
	u64 success, complete;			      /* runs by outcome */
	u64 deferred, skipped;			      /* direct attempts that did not run */
	u64 runs_order[BUDDY_MAX_ORDER_LIMIT + 1];    /* runs per requested order */
	u64 success_order[BUDDY_MAX_ORDER_LIMIT + 1]; /* successful runs per requested order */
	u64 direct_runs, kcompactd_runs, proactive_runs;
	u64 migrate_scanned, free_scanned; /* pages each scanner stepped over */
	u64 isolated;			   /* pages the migrate scanner isolated */
	u64 migrated;			   /* pages moved */
	u64 failed;			   /* isolated pages left in place (no target) */
};

struct compact_zone_state {
	u64 migrate_pb, free_pb; /* cached scanner positions (pageblock index; free: one past) */
	u8 *skip;		 /* skip hint per pageblock */
	unsigned considered, defer_shift, order_failed;
};

struct compact {
	struct zones *zs;	     /* borrowed */
	u64 min_free[ZONE_NR_TYPES]; /* min watermark per zone position (0: none known) */
	struct compact_zone_state z[ZONE_NR_TYPES];
	struct compact_hooks h;
	u32 proactiveness; /* vm.compaction_proactiveness; 0: no proactive compaction */
	u64 next_proactive_ns;
	struct compact_stats st;
};

int compact_init(struct compact *c, struct zones *zs, const struct compact_hooks *h, u32 proactiveness);
void compact_fini(struct compact *c);
/* Zone position z's min watermark (compaction_suitable's base). */
static inline void compact_set_min(struct compact *c, unsigned z, u64 min)
{
	c->min_free[z] = min;
}
/* One compact_zone run on zone position z for a block of 2^order (no deferral check). */
enum compact_result compact_zone(struct compact *c, unsigned z, unsigned order);
/* Direct compaction: an allocation of 2^order found no block in zone position z. */
enum compact_result compact_direct(struct compact *c, unsigned z, unsigned order);
/* kcompactd woken: every zone at pageblock order. */
void compact_kcompactd(struct compact *c);
/* The trace's clock: proactive compaction every 500 ms when the score asks for it. */
void compact_tick(struct compact *c, u64 now_ns);
/* Does zone position z have a free block of order or larger (compact_finished's success)? */
bool compact_order_free(const struct compact *c, unsigned z, unsigned order);

/* The recorded free scanner's isolation, replayed (compact_take.c): take up to want free pages
 * of b in [lo, hi) as order-0 blocks tagged movable (the kernel hands them out and frees them
 * page by page or as the folios it migrated into). fast (fast_isolate_freepages): the highest
 * free block of order log2(want) in the range when want is a power of two, else as the linear
 * scanner: free pages upward from lo. Returns the pages taken. */
u64 compact_take(struct buddy *b, u64 lo, u64 hi, u64 want, bool fast);

#endif
