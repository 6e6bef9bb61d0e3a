/* Replays a trace's page events (mm_page_alloc / mm_page_free) on a page source (one buddy, or
 * a machine's zones).
 * placement: the model picks each block from the highest zone the event's gfp zone flags allow
 *            (MME_F_ZONE_DMA / _DMA32, else Normal), falling back Normal -> DMA32 -> DMA; the
 *            trace's pfn only pairs an allocation with its free (trace pfn -> model block).
 * faithful:  the model takes the traced pfn and order exactly, splitting the free block that
 *            holds it; a pfn that is not free is a conflict, counted by the buddy; a pfn in
 *            no zone of the layout is counted in no_zone.
 * A free the trace never allocated (the page predates the recording) is counted, never fatal. */
#ifndef PAGEREPLAY_H
#define PAGEREPLAY_H

#include "buddy.h"
#include "hmap.h"
#include "mm_event.h"
#include "pagesrc.h"

enum pagereplay_mode { PAGEREPLAY_PLACEMENT = 0, PAGEREPLAY_FAITHFUL = 1 };

struct pagereplay_stats {
	u64 allocs, frees;    /* page events applied to the model */
	u64 alloc_failures;   /* the model had no block (placement) */
	u64 traced_failures;  /* allocation events the kernel itself failed (no pfn) */
	u64 unmatched_frees;  /* frees of pfns not allocated during the trace */
	u64 out_of_range;     /* order above max_order, or faithful: pfn range not placeable */
	u64 no_zone;	      /* faithful: traced pfn in no zone of the layout */
	u64 bad_flags;	      /* MME_F_ZONE_DMA and MME_F_ZONE_DMA32 together: not applied */
	u64 conflicts;	      /* faithful: traced pfn not free in the model */
	u64 order_mismatches; /* free order differs from the allocation's; the allocation's is used */
	u64 implicit_frees;   /* a live traced pfn allocated again: its free was never traced */
};

struct pagereplay {
	struct pagesrc src; /* borrowed allocator(s) */
	enum pagereplay_mode mode;
	struct hmap live; /* traced pfn -> (model pfn << 4 | order) of live traced blocks */
	struct pagereplay_stats st;
};

int pagereplay_init(struct pagereplay *r, struct buddy *b, enum pagereplay_mode mode);
/* The same on any page source (a machine's zones: pagesrc_zones). */
int pagereplay_init_src(struct pagereplay *r, const struct pagesrc *src, enum pagereplay_mode mode);
void pagereplay_fini(struct pagereplay *r);
/* Apply one MME_PAGE_ALLOC or MME_PAGE_FREE event; other kinds are ignored. Returns 0, or
 * -ENOMEM when the host is out of memory (model-side failures are counted, not returned). */
int pagereplay_event(struct pagereplay *r, const struct mm_event *ev);

#endif
