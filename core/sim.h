/* One simulated machine: its zones (each a buddy allocator) and page-event replay, its vmalloc
 * space, page tables, TLB policy, persistent kmap pool and process address spaces. A value, not a
 * global: tests and benchmarks run many side by side. sim_event() is the single entry point
 * that routes each mm_event to the models. */
#ifndef SIM_H
#define SIM_H

#include "buddy.h"
#include "mm_event.h"
#include "pagereplay.h"
#include "mm_pgtable.h"
#include "pagesrc.h"
#include "pcp.h"
#include "pkmap.h"
#include "procs.h"
#include "vmalloc.h"
#include "zones.h"

struct sim_cfg {
	/* physical memory: the zone layout (nr_zones, zone[]); its max_order and policy fields are
	 * ignored, every zone takes max_order and buddy below */
	struct zones_cfg zones;
	unsigned max_order;
	const struct buddy_policy_ops *buddy;
	enum pagereplay_mode page_mode;
	/* models added by later work append their configuration here */

	/* --- process address spaces (vma, issue 5) --- */
	const struct vma_index_ops *vma; /* VMA index variant; default maple */
	bool populate;			 /* every mapped page present; default false (none) */
	u64 max_map_count;		 /* default MM_MAX_MAP_COUNT */

	/* --- end vma --- */

	/* --- vmalloc space, init_mm page tables, TLB policy (issue 4) --- */
	const struct vmlist_ops *vmlist;  /* default augmented */
	bool cached_hole;		  /* rbtree vmlist: free_vmap_cache shortcut */
	const struct tlb_policy_ops *tlb; /* default lazy */
	unsigned levels;		  /* init_mm page-table levels, default 4 */
	unsigned ncpus;			  /* 0: 2; replay sets it from the trace (sim_trace_ncpus) */
	enum vmalloc_guard vmalloc_guard; /* default INCLUDED: traced sizes hold the guard page */

	/* --- end vmalloc --- */

	/* --- persistent kmap pool (issue 7) --- */
	struct pkmap_cfg pkmap; /* default LAST_PKMAP 1024, highmem from 896 MiB */

	/* --- a recorded machine's physical memory (issue 12) --- */
	const struct seed *seed; /* the zones' state at the start (core/phys/seed.h); NULL: boot
				    state, all free. Borrowed for sim_init only. */
	bool pcp;		 /* placement mode: per-CPU lists in front of the buddy */
	struct pcp_cfg pcp_cfg;	 /* their batch and high per zone and CPU */
	/* every page allocation the model could not serve (exhaustion), with the preferred zone */
	void (*page_fail)(void *ctx, const struct mm_event *ev, unsigned zone_type);
	void *page_fail_ctx;
};

/* Defaults: one 4 GiB Normal zone at pfn 0x100000 (where x86-64 ZONE_NORMAL begins), max order
 * 10, lifo, placement replay. */
void sim_cfg_default(struct sim_cfg *cfg);

struct sim {
	struct sim_cfg cfg;
	struct zones zones; /* physical memory; every model's pages come from here */
	struct pagesrc src; /* pagesrc_zones(&zones), lent to the models */
	struct pagereplay pages;
	u64 events;		    /* events routed, every kind */
	u64 per_kind[MME_NR_KINDS]; /* events routed per kind */

	/* --- process address spaces (vma, issue 5) --- */
	struct procs procs;	 /* one mm per traced pid; MMAP..EXIT events */
	struct mm_pgtable mm_pt; /* their page tables' context (buddy, levels, walk counts) */

	/* --- end vma --- */

	/* --- vmalloc replay (issue 4) --- */
	struct vmalloc vm;     /* must not move after sim_init */
	struct hmap vmap_pair; /* traced va_start -> model address of live traced areas */
	struct sim_vmap_stats {
		u64 traced_failures;	/* alloc_vmap_area events the kernel failed (failed=1) */
		u64 alloc_failures;	/* traced allocations the model could not serve */
		u64 unmatched_frees;	/* frees of areas not allocated during the trace */
		u64 implicit_frees;	/* a live traced va_start allocated again: freed first */
		u64 trace_purges;	/* the kernel's purge_vmap_area_lazy events (trace facts) */
		u64 trace_purged_areas; /* sum of their num_purged */
		u64 lazy_seed_pages;	/* the trace's first nr_lazy less its own area: foreign pages */
		bool lazy_seeded;	/* the first logged nr_lazy has been taken */
	} vmap;
	/* --- end vmalloc --- */

	/* --- issue 7: vmalloc_32, ioremap, vunmap (paired through vmap_pair), kmap --- */
	struct pkmap pkmap; /* MME_KMAP / MME_KUNMAP */
	u64 kmap_errors;    /* kmaps the pool refused for a host or count-overflow reason */

	/* --- issue 12 --- */
	struct pcp pcp; /* per-CPU lists, used when cfg.pcp */
};

int sim_init(struct sim *s, const struct sim_cfg *cfg);
/* The highest zone's buddy: Normal on every layout that has one, the only zone of the default
 * layout. Single-zone reports (suite time series, fragmentation summaries) read this one. */
static inline const struct buddy *sim_top_buddy(const struct sim *s)
{
	return &s->zones.zone[s->zones.nr_zones - 1].buddy;
}
/* The same in a configuration: the highest zone of the layout (the suite's zone_pages axis). */
static inline struct zone_spec *sim_cfg_top_zone(struct sim_cfg *cfg)
{
	return &cfg->zones.zone[cfg->zones.nr_zones - 1];
}
void sim_fini(struct sim *s);
/* Route one event. Returns 0, or a negative errno only for host failures (out of memory);
 * model-level errors (unknown frees, failed allocations) are counted. */
int sim_event(struct sim *s, const struct mm_event *ev);

/* --- vmalloc (issue 4) --- */
/* The traced machine's CPU count: from the first logged nr_lazy_max (the smallest n with
 * lazy_max_pages(n) == nr_lazy_max), else the highest CPU seen + 1, else 1. */
unsigned sim_trace_ncpus(const struct mm_event *ev, size_t n);
/* --- end vmalloc --- */

#endif
