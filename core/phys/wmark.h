/* Zone watermarks that act (mm/page_alloc.c, mm/vmscan.c, Linux 6.7+ as in 6.18): min, low and
 * high per zone from the recorded zoneinfo (or recomputed with watermark_scale_factor), the
 * watermark boost a fallback adds (boost_watermark), and the zone flags the per-CPU lists obey.
 * The model does not reclaim: reclaimed pages are the trace's frees. It records where the kernel
 * would act, as events of the model:
 * - ZONE_BELOW_HIGH: set when an allocation's zonelist walk visits the zone and finds its free
 *   pages (buddy, not the lists) at or below high + boost + lowmem_reserve[the request's highest
 *   zone], or no free block of the request's order (get_page_from_freelist's
 *   zone_watermark_fast check at the high watermark, before the zone's gate: a DMA32
 *   zone under 3,660 + 21,071 free pages is below high for every Normal request that reaches
 *   it); cleared by a per-CPU drain that leaves the zone above high + boost + the reserve
 *   against the top zone (zone_watermark_ok(..., ZONE_MOVABLE, ...)).
 * - kswapd: woken when an allocation leaves the zone at or below low + boost, or by a boost;
 *   while it runs the zone is ZONE_RECLAIM_ACTIVE; it sleeps once the zone is above high + boost
 *   (pgdat_balanced), and a boosted run then clears the boost and wakes kcompactd.
 * - Direct reclaim: an allocation that leaves the zone at or below min.
 * - Boost: a fallback that may claim another type's pageblock raises the boost by a pageblock,
 *   up to high x watermark_boost_factor / 10000 (zones of fewer than 4 pageblocks: never).
 * - The trace's own kswapd runs (placement mode): an allocation the trace does not show (a page
 *   cache folio of order 9 that failed its watermark and fell back) woke the kernel's kswapd, so
 *   the model's own conditions cannot see it; while the trace's kswapd reclaims every zone is
 *   ZONE_RECLAIM_ACTIVE as balance_pgdat's set_reclaim_active makes it (the wake event does not
 *   print the highest zone; the recorded machines' wakes are for Normal allocations). The
 *   caller says when (core/machine/sim_phys.c: from mm_vmscan_kswapd_wake until balance_pgdat
 *   returns, marked by kswapd's own compaction event before its 100 ms nap; without one, until
 *   kswapd has been quiet 50 ms).
 * - Watermark gates (get_page_from_freelist): an allocation takes a zone of its zonelist only
 *   while the zone's free pages are above low + boost (fast path), then min + boost (slow
 *   path), plus lowmem_reserve[the request's highest zone] (zoneinfo's "protection": DMA never
 *   serves a Normal request on this machine, DMA32 only down to ~23 k free pages); at last the
 *   preferred zone takes it whatever its watermarks (the kernel would reclaim: the trace's frees
 *   are the reclaim), lower zones still above min + lowmem_reserve.
 * Free pages are compared as zone_watermark_fast does for an order: free - (2^order - 1); and
 * for order > 0 the zone must also have a free block of that order or larger in its buddy
 * (__zone_watermark_ok's "at least one suitable page": a block on a per-CPU list is not free,
 * so a zone whose only order-9 blocks are listed is passed by an order-9 request, and is below
 * high for it). No highatomic reserve or CMA in the count (the recordings have none). */
#ifndef WMARK_H
#define WMARK_H

#include "core/phys/zones.h"

#define WMARK_BOOST_FACTOR 15000 /* vm.watermark_boost_factor's default */

enum wmark_idx { WMARK_MIN = 0, WMARK_LOW = 1, WMARK_HIGH = 2, WMARK_NR = 3 };

struct wmark_cfg {
	struct {
		u64 wmark[WMARK_NR];		   /* all 0: the zone has no watermarks (nothing acts) */
		u64 boost;			   /* the recorded watermark_boost */
		u64 managed;			   /* managed pages: watermark_scale_factor's base */
		u64 lowmem_reserve[ZONE_NR_TYPES]; /* by the request's highest zone type */
	} zone[ZONE_NR_TYPES];			   /* by position in the layout */
	u32 boost_factor;			   /* vm.watermark_boost_factor (15000); 0: no boost */
	u32 scale_factor; /* vm.watermark_scale_factor; 0: the recorded low and high */
};

struct wmark_zone {
	u64 wmark[WMARK_NR];
	u64 lowmem_reserve[ZONE_NR_TYPES];
	u64 boost, max_boost;
	bool on;	     /* the zone has watermarks */
	bool below_high;     /* ZONE_BELOW_HIGH */
	bool reclaim_active; /* kswapd is reclaiming (ZONE_RECLAIM_ACTIVE) */
	bool reclaim_traced; /* the trace's kswapd is reclaiming (ZONE_RECLAIM_ACTIVE) */
};

struct wmark_stats {
	u64 below_high;	     /* ZONE_BELOW_HIGH set */
	u64 kswapd_wakes;    /* kswapd woken (low watermark or boost) */
	u64 kswapd_sleeps;   /* kswapd found the zone balanced */
	u64 direct_reclaims; /* allocations that left a zone at or below min */
	u64 boosts;	     /* boost_watermark calls that raised the boost */
	u64 kcompactd_wakes; /* boosted kswapd runs that ended (kcompactd woken) */
	u64 kswapd_traced;   /* the trace's kswapd runs (mm_vmscan_kswapd_wake) */
	u64 gate_skips;	     /* zones an allocation passed by: at or below its watermark */
};

struct wmark {
	struct zones *zs; /* borrowed */
	struct wmark_zone z[ZONE_NR_TYPES];
	struct wmark_stats st;
	bool kswapd_traced; /* between the trace's kswapd wake and sleep */
};

void wmark_init(struct wmark *w, struct zones *zs, const struct wmark_cfg *cfg);
/* The kernel's low and high from min (__setup_per_zone_wmarks): each step is
 * max(min / 4, managed x scale / 10000). */
void wmark_scale(u64 min, u64 managed, u32 scale, u64 out[WMARK_NR]);
static inline u64 wmark_pages(const struct wmark *w, unsigned z, enum wmark_idx i)
{
	return w->z[z].wmark[i] + w->z[z].boost;
}
/* The zonelist walk of a request whose highest zone is `limit` visits zone position z:
 * ZONE_BELOW_HIGH. */
void wmark_zone_visit(struct wmark *w, unsigned z, unsigned order, enum zone_type limit);
/* An allocation of 2^order pages from zone position z is about to be served: kswapd and direct
 * reclaim points. After it (wmark_after_alloc): the boost of a claiming fallback (claims: the
 * buddy's claim_tries moved by that many). */
void wmark_before_alloc(struct wmark *w, unsigned z, unsigned order);
void wmark_after_alloc(struct wmark *w, unsigned z, unsigned order, u64 claims);
/* zone_watermark_fast: may a request whose highest zone is `limit` take 2^order pages from zone
 * position z at watermark i (boost included, plus lowmem_reserve[limit])? Counts a refusal. */
bool wmark_zone_ok(struct wmark *w, unsigned z, unsigned order, enum zone_type limit, enum wmark_idx i);
/* Pages went back to zone z's buddy: kswapd may find it balanced; after a per-CPU drain
 * (drained) ZONE_BELOW_HIGH clears when the zone is above high. */
void wmark_after_free(struct wmark *w, unsigned z, bool drained);
/* The trace's kswapd woke (running) or went to sleep: every zone with watermarks is
 * ZONE_RECLAIM_ACTIVE while it runs, whatever the model's own kswapd does. */
void wmark_kswapd_traced(struct wmark *w, bool running);
static inline bool wmark_reclaiming(const struct wmark_zone *wz)
{
	return wz->reclaim_active || wz->reclaim_traced;
}

#endif
