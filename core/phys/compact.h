/* A compaction model after the kernel's compact_zone (mm/compaction.c, Linux 6.18), on a
 * machine's zones:
 * - requests: try_to_compact_pages (compact_try: the zones of a zonelist, highest first, each
 *   unless deferred, until one succeeds), kcompactd (compact_wake_kcompactd: every zone at the
 *   order kswapd or a boost woke it for, sync light, now or at its next timeout) and proactive compaction
 * (compact_tick: compact_node, every populated zone, whole, skip hints ignored, no suitability check, until
 * the zone's score is at or below 100 - proactiveness: a zone there already ends at once, a successful run
 * that scans nothing; none while kswapd runs);
 * - compact_zone: nothing runs when a block of the order is free already (COMPACT_SATISFIED) or
 *   when compaction_suitable says no: free pages below the min watermark (low for orders above
 *   PAGE_ALLOC_COSTLY_ORDER) plus compact_gap (2 << order), or, above the costly order, a
 *   fragmentation index in 0..500 (the failure is for lack of memory, not fragmentation);
 * - the migrate scanner walks pageblocks upward from the zone start (or its cached position,
 *   or where fast_find_migrateblock sends it, below).
 *   Asynchronous direct compaction takes only movable pageblocks as sources and gives up on an
 *   order-aligned block at the first page it cannot isolate (skip_on_failure: what it isolated
 *   there goes back, except the first COMPACT_CLUSTER_MAX batch of a pageblock, migrated before
 *   the failure was seen); allocated blocks of the requested order or larger (or of pageblock
 *   order) are never isolated; a pageblock the scanner enters gets its skip hint;
 * - targets (compaction_alloc): the run's isolated free blocks, per order; a block to migrate
 *   takes the first of the smallest order at or above its own (split, upper halves first in the
 *   lower lists). None: isolate_freepages once more; still none: -ENOMEM, the run ends
 *   COMPACT_CONTENDED unless the scanners met. isolate_freepages: fast_isolate_freepages for
 *   orders > 0 (the movable lists below the request's order read from the tail for a block in
 *   the top quarter between the scanners, the lists rotated, move_freelist_head), then the
 *   linear free scanner down from its position in movable pageblocks whose first page is not a
 *   free block of pageblock order or larger (suitable_migration_target), at a stride of 32
 *   (async) or 1, isolating whole free blocks until the run holds the batch's pages; a
 *   pageblock it finished gets its skip hint. What is left goes back at the run's end;
 * - each migrated block's old pages are freed (they merge as the kernel's do);
 * - a run ends with success as soon as a free block of the requested order or larger exists
 *   (compact_finished, checked at pageblock boundaries), complete when the scanners meet: then
 *   the cached positions reset, and a direct run marks the hints for a reset
 *   (compact_blockskip_flush), done when kswapd goes to sleep (compact_kswapd_sleep) or when
 *   compaction restarts after the longest deferral (compaction_restarting);
 * - deferral (defer_compaction, compaction_deferred): a synchronous direct or kcompactd run
 *   that failed defers 1 << defer_shift (up to 64) attempts at that order or above; an
 *   asynchronous failure defers nothing; an allocation that succeeds after compaction resets it.
 * Priority COMPACT_PRIO_SYNC_FULL ignores skip hints and target suitability (the kernel's last
 * resort) and is never deferred. Proactive runs ignore the hints and run the whole zone.
 * Sources: fast_find_migrateblock first (requests above order 3, direct ones movable, skip
 * hints not ignored): the movable lists of orders request - 1 down to 3 read from the head for a
 * free block below a mark between the scanners in a pageblock without a hint, which becomes the
 * next source (hint set, move_freelist_tail). The cached migrate scanner moves only up, past
 * pageblocks finished with nothing isolated or passed as no source (update_cached_migrate, one
 * cache for both modes), and back to the start when the scanners meet.
 * Not modelled: splitting a large folio with no target, contention and need_resched aborts,
 * compaction_capture ending a run mid-pageblock.
 * Which block is movable is the owner's answer (hooks.movable: a user's page of a movable
 * allocation, a seeded page in a movable pageblock); hooks.moved tells the owner its block
 * moved. Pages scanned count every page each scanner stepped over, as nr_scanned does. */
#ifndef COMPACT_H
#define COMPACT_H

#include "core/phys/zones.h"

#define COMPACT_MAX_DEFER_SHIFT 6
#define COMPACT_PROACTIVE_NS 500000000ULL /* HPAGE_FRAG_CHECK_INTERVAL_MSEC */
#define COMPACT_CLUSTER_MAX 32u		  /* pages isolated per migration batch */
#define COMPACT_COSTLY_ORDER 3		  /* PAGE_ALLOC_COSTLY_ORDER */
#define COMPACT_EXTFRAG_THRESHOLD 500	  /* vm.extfrag_threshold */

enum compact_result {
	COMPACT_SKIPPED = 0, /* not suitable: too few free pages, or not fragmentation */
	COMPACT_DEFERRED,    /* direct compaction deferred after earlier failures */
	COMPACT_COMPLETE,    /* the scanners met without success */
	COMPACT_CONTENDED,   /* a page found no free target of its order (migrate_pages' -ENOMEM)
				before the scanners met: the run stopped */
	COMPACT_SUCCESS,     /* a run made a free block of the order */
	COMPACT_SATISFIED,   /* a block of the order was free already: no run (the kernel's
				COMPACT_SUCCESS before compact_zone begins) */
};

/* enum compact_priority, as mm_compaction_try_to_compact_pages prints it. */
enum compact_prio { COMPACT_PRIO_SYNC_FULL = 0, COMPACT_PRIO_SYNC_LIGHT = 1, COMPACT_PRIO_ASYNC = 2 };

struct compact_hooks {
	/* Is the allocated block whose head is pfn (in zone position z) movable? */
	bool (*movable)(void *ctx, unsigned z, u64 pfn, unsigned order);
	/* The block at from moved to to (same order; to is allocated, from still is). */
	void (*moved)(void *ctx, u64 from, u64 to, unsigned order);
	void *ctx;
};

struct compact_stats {
	u64 requests;				      /* compact_try calls */
	u64 runs;				      /* compact_zone runs (not skipped or deferred) */
	u64 success, complete, contended;	      /* runs by outcome */
	u64 deferred, skipped, satisfied;	      /* zone attempts that did not run */
	u64 runs_order[BUDDY_MAX_ORDER_LIMIT + 1];    /* runs per requested order */
	u64 success_order[BUDDY_MAX_ORDER_LIMIT + 1]; /* successful runs per requested order */
	u64 direct_runs, kcompactd_runs, proactive_runs;
	u64 kcompactd_wakes;		   /* kcompactd_do_work calls */
	u64 hint_resets;		   /* skip hints reset (__reset_isolation_suitable) */
	u64 migrate_scanned, free_scanned; /* pages each scanner stepped over */
	u64 isolated;			   /* pages the migrate scanner isolated and kept */
	u64 migrated;			   /* pages moved */
	u64 failed;			   /* isolated pages left in place (no target) */
};

struct compact_zone_state {
	u64 migrate_pb, free_pb; /* cached scanner positions (pageblock index; free: one past) */
	u8 *skip;		 /* skip hint per pageblock */
	bool skip_flush;	 /* compact_blockskip_flush */
	unsigned considered, defer_shift, order_failed;
	bool defer_seen; /* the trace showed this zone's deferral (compact_defer_seen) */
};

/* compaction_alloc's isolated free blocks of one order (cc->freepages[order]): frame indexes in
 * a ring, taken from the front. A run holds at most a batch (a pageblock) plus a block of free
 * pages, so the ring never fills; a full one isolates nothing more. */
#define COMPACT_ISO_CAP 4096u
struct compact_iso {
	u32 *ring;
	u32 first, n;
};

struct compact {
	struct zones *zs;	     /* borrowed */
	u64 min_free[ZONE_NR_TYPES]; /* min and low watermarks per zone position (0: none known) */
	u64 low_free[ZONE_NR_TYPES];
	struct compact_zone_state z[ZONE_NR_TYPES];
	struct compact_hooks h;
	u32 proactiveness;	  /* vm.compaction_proactiveness; 0: no proactive compaction */
	u64 now_ns, next_tick_ns; /* the trace's clock; kcompactd's next timeout (0: not armed) */
	/* kcompactd's timeout: COMPACT_PROACTIVE_NS as the kernel's timer wheel rounds it up (128
	 * jiffies at HZ 250); the shortest gap between two traced sleeps within two intervals,
	 * else COMPACT_PROACTIVE_NS */
	u64 timeout_ns, last_sleep_ns;
	unsigned kcompactd_order; /* kcompactd_max_order: a wake's order not compacted yet */
	unsigned proactive_defer; /* ticks a proactive pass still waits after one without progress */
	bool kswapd_running;	  /* the owner's watermarks: kswapd reclaims (no proactive compaction) */
	u32 *pend;		  /* the migrate scanner's isolated batch (a pageblock of frames) */
	/* fast_isolate_freepages on (compact_init); the reference test turns it off: the search
	 * reads the free lists' order, which the reference does not keep */
	bool fast_search;
	struct compact_iso iso[BUDDY_MAX_ORDER_LIMIT + 1]; /* empty between runs */
	u32 *iso_ring;
	struct compact_stats st;
};

int compact_init(struct compact *c, struct zones *zs, const struct compact_hooks *h, u32 proactiveness);
void compact_fini(struct compact *c);
/* Zone position z's min and low watermarks (compaction_suitable's base). */
static inline void compact_set_wmarks(struct compact *c, unsigned z, u64 min, u64 low)
{
	c->min_free[z] = min;
	c->low_free[z] = low;
}
/* What a run is for: a block of 2^order of migratetype mt, at priority prio; direct: a direct
 * compactor (asynchronous: skip_on_failure and sources of the request's type only). */
struct compact_req {
	unsigned order;
	int mt;
	enum compact_prio prio;
	bool direct;
};
/* One compact_zone on zone position z (no deferral check). */
enum compact_result compact_zone(struct compact *c, unsigned z, const struct compact_req *rq);
/* try_to_compact_pages: zone positions zl[0..n) (highest first) for a direct request; an
 * allocation that then finds its block resets the deferral. Returns the best result. */
enum compact_result compact_try(struct compact *c, const int *zl, unsigned n, const struct compact_req *rq);
/* wakeup_kcompactd (kswapd going to sleep after a wake for order, or a boosted kswapd run at
 * pageblock order): kcompactd's order rises to it; when some zone is suitable at it
 * (kcompactd_node_suitable) kcompactd runs now (kcompactd_do_work: every zone at that order,
 * sync light, with deferral), else at its next timeout (compact_tick). Order 0: nothing. */
void compact_wake_kcompactd(struct compact *c, unsigned order);
/* The trace's deferral event for zone position z (compaction_deferred, defer_compaction,
 * compaction_defer_reset print the state after them): the zone's state, which no snapshot holds.
 * Before the replay starts (early) every event sets it; after, the first one a zone shows does,
 * and the model keeps its own from there (later events are the kernel's decisions). */
void compact_defer_seen(struct compact *c, unsigned z, unsigned order_failed, u64 considered, u64 limit,
			bool early);
/* kswapd went to sleep: skip hints marked for a reset are reset (reset_isolation_suitable). */
void compact_kswapd_sleep(struct compact *c);
/* The trace's clock: kcompactd's timeout every 500 ms (HPAGE_FRAG_CHECK_INTERVAL_MSEC) runs a
 * wake's order still pending, else proactive compaction when the score asks for it and kswapd is
 * not running; a pass that did not lower the score makes the next 64 such timeouts wait
 * (proactive_defer; timeouts between two of the trace's events count). */
void compact_tick(struct compact *c, u64 now_ns);
/* kcompactd goes to sleep (the trace's mm_compaction_kcompactd_sleep): a timeout due by now
 * runs first, then the next one is a full interval from now (the kernel's timer starts here). */
void compact_kcompactd_sleep(struct compact *c, u64 now_ns);
/* Does zone position z have a free block of order or larger (compact_finished's success)? */
bool compact_order_free(const struct compact *c, unsigned z, unsigned order);

/* The recorded free scanner's isolation, replayed (compact_take.c): take up to want free pages
 * of b in [lo, hi) as order-0 blocks tagged movable (the kernel hands them out and frees them
 * page by page or as the folios it migrated into). The linear scanner (isolate_freepages_block)
 * visits every stride-th page from lo and isolates the free blocks that start where it looks;
 * the stride (1 to 32) is the one whose scan of the model's pages gives the traced pages taken
 * and nr_scanned (scanned). fast (fast_isolate_freepages): the highest free block of order
 * log2(want) in the range when want is a power of two. Pages still short (the model's free
 * pages differ from the kernel's there): the lowest free pages of the range. Returns the pages
 * taken; *block (may be NULL) the fast search's block, or UINT64_MAX. */
u64 compact_take(struct buddy *b, u64 lo, u64 hi, u64 want, u64 scanned, bool fast, u64 *block);
/* What names the fast search's block: fn(ctx, pfn, order) is true when the trace shows the
 * free block at pfn left the buddy then (buddy mode: silent.h). */
struct compact_named {
	bool (*fn)(const void *ctx, u64 pfn, unsigned order);
	const void *ctx;
};
/* fast_isolate_freepages' isolation of want (a power of two) pages in [lo, hi) where the trace
 * names its block: the highest free block of that order in the range that named confirms, taken
 * as compact_take takes it. Its pfn, or UINT64_MAX (none named: nothing taken). */
u64 compact_take_named(struct buddy *b, u64 lo, u64 hi, u64 want, const struct compact_named *named);

#endif
