/* test_vmalloc's long_busy_list_alloc_test run straight against a vmlist, to measure how the
 * search cost grows with the number of live areas: fill nr_live small areas, then repeat
 * vmalloc(big) + vmalloc(small) + free both. The "holes" shape leaves a free small slot between
 * every two live areas (the picture of full_fit_alloc_test), so the big request has to skip
 * nr_live holes that are too small. Model counters only; bench/ times the loop around it. */
#ifndef VMLIST_BUSY_H
#define VMLIST_BUSY_H

#include "vmlist.h"

struct vmlist_busy_cfg {
	u64 nr_live;	 /* live small areas after the fill (15000 in the kernel's test) */
	u64 loops;	 /* alloc/alloc/free/free rounds */
	u64 small_pages; /* 1 in the kernel's test */
	u64 big_pages;	 /* 100 in the kernel's test */
	u64 guard_pages; /* added to every request, as vmalloc's guard page (1) */
	bool holes;	 /* leave one small free slot below every live area */
};

/* Model counters of the loop phase alone. */
struct vmlist_busy_result {
	u64 allocs, frees;
	u64 alloc_visits, free_visits;
};

/* Fill v (an empty vmlist) with cfg->nr_live areas of small_pages + guard_pages, packed from the
 * start of the space (or every other slot with holes). The areas are requested from the top
 * down, each with a window [vstart, vend) that holds exactly its slot: the resulting layout is
 * the one a bottom-up fill gives, without the 2.4 list's quadratic fill time. One unmeasured
 * loop round follows. 0, -ENOMEM, or -EIO when a variant put an area anywhere but its slot. */
int vmlist_busy_fill(struct vmlist *v, const struct vmlist_busy_cfg *cfg);
/* cfg->loops rounds of vmalloc(big) + vmalloc(small) + vfree(big) + vfree(small) over the whole
 * space, accumulating into *r. 0, or the first error (a failed request leaves the round). */
int vmlist_busy_loop(struct vmlist *v, const struct vmlist_busy_cfg *cfg, struct vmlist_busy_result *r);

#endif
