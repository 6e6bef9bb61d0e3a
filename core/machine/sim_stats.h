/* A flat, read-only view of what a machine (struct sim) did: its configuration as run and every
 * model's counters, copied out by value. bench/ reads a machine only through this view (the
 * metrics registry, time series, reports), never through the models' internals, so a model may
 * reorganise itself freely as long as sim_stats_read() fills the same fields.
 *
 * Shape: the configuration as run (cfg), plain scalars for the machine-wide figures, each model's public
 * counter struct copied whole (vmalloc, vmlist, tlb, pgtable, vmap pairing, mm, pages, pkmap,
 * zones), and one struct sim_zone_stats per zone type. A counter added to a model's stats struct
 * is in the view at once; a figure that needs computing gets a field here and a line in
 * sim_stats_read(). */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include "core/machine/sim.h"

/* One zone (or the highest zone of the layout, sim_stats.top). */
struct sim_zone_stats {
	bool present;		/* the layout has this zone; every other field is 0 when not */
	u64 nr_pages;		/* pages the zone's buddy manages */
	u64 free_pages;		/* free pages now */
	unsigned max_order;	/* the buddy's largest order */
	int largest_free_order; /* -1 when nothing is free */
	u64 nr_free[BUDDY_MAX_ORDER_LIMIT + 1];	    /* free blocks per order, 0..max_order */
	u64 allocs, fallback_allocs, passed, frees; /* struct zone_stats */
	u64 mixed_pageblocks; /* mobility: pageblocks holding foreign types (SIM_STATS_FULL only) */
	struct buddy_stats buddy;
};

/* How much to compute: SAMPLE skips figures that cost a scan of every frame (mixed_pageblocks),
 * for time series sampled many times a run; FULL is for end-of-run rows. */
enum sim_stats_depth { SIM_STATS_SAMPLE, SIM_STATS_FULL };

struct sim_stats {
	/* --- the configuration as run --- */
	struct sim_stats_cfg {
		const char *vmlist, *tlb, *buddy, *vma; /* variant names */
		const char *page_mode;			/* "placement" | "faithful" */
		const char *populate;			/* "none" | "all" */
		unsigned levels, ncpus; /* effective: the vmalloc space's page-table levels and CPUs */
		unsigned max_order;	/* of the highest zone */
		u32 pkmap_slots;
		char zones[32]; /* the layout's zone types, "DMA+DMA32+Normal" */
		/* kernel-exact vmalloc */
		const char *vmap_mode, *purge; /* "predict" | "follow"; "inline" | "trace" | "model" */
		u64 purge_delay, flush_ceiling;
		const char *purge_learn; /* "on" | "off" */
		unsigned vmap_nodes;
		/* a recorded machine */
		const char *pcp;      /* "on" | "off": per-CPU lists as run */
		const char *pcp_tune; /* "pressure" | "idle" | "fixed" | "trace" | "auto" */
		bool pcp_traced;      /* the lists followed the trace (pcp-tune trace, or auto that saw list
					 traffic) */
		const char *wmark_boost;     /* "on" | "off" */
		u32 wmark_scale;	     /* 0: the zoneinfo's watermarks */
		char compaction[16];	     /* "off" | "kernel" | "proactive=N" */
		const char *model_pages;     /* "zones" | "none": where vmalloc and processes took pages */
		const char *fast_free_block; /* "guess" | "named" */
	} cfg;

	/* --- events routed --- */
	u64 events, per_kind[MME_NR_KINDS];
	u64 events_lost; /* lost by the recorder (MME_LOST), not in events */

	/* --- kernel virtual addresses (core/kva) --- */
	struct vmalloc_stats vmalloc;
	struct vmlist_stats vmlist;
	struct tlb_stats tlb;
	u64 tlb_nr_lazy;       /* lazily freed pages waiting for a purge now */
	u64 tlb_nr_lazy_areas; /* the areas among them (pages freed before the trace began have none) */
	struct pgtable_stats pgtable;
	struct sim_vmap_stats vmap; /* pairing of traced areas with the model's */
	struct sim_vfid_stats {	    /* agreement with the recorded kernel (vmap_fidelity.h) */
		u64 checked, exact, checked_warm, exact_warm;
		u64 ceiling_warm; /* warm allocations any model could place exactly (vmap_reveal.h) */
		u64 purges_size_exact;
		u64 end_areas, end_matched;
		u64 seeded_areas, follow_conflicts, early_purges, skipped, bulk_frees, seed_outside;
		u64 trace_purges, model_purges; /* purges recorded for the size comparison */
		u64 where[VMLIST_SRC_NR], miss_how[VMLIST_SRC_NR], miss_src[VMLIST_SRC_NR];
		unsigned nmis;
		struct vmap_mismatch mis[VMAP_FID_MISMATCHES]; /* the first warm mismatches */
		struct vmap_reveal_stats reveal;	       /* warm allocations by what was shown */
	} vfid;
	struct pkmap_stats pkmap;
	u64 kmap_errors;

	/* --- processes (core/proc) --- */
	struct mm_stats mm;	  /* every process together */
	struct procs_stats procs; /* events per kind, forks, execs, model errors */
	u64 vmas_live;		  /* VMAs mapped now, every process */

	/* --- physical memory (core/phys) --- */
	struct pagereplay_stats pages;
	struct zones_stats zones_st;
	u64 free_pages;				   /* every zone */
	unsigned nr_zones;			   /* zones in the layout */
	struct sim_zone_stats zone[ZONE_NR_TYPES]; /* by type: zone[ZONE_DMA32] ... */
	struct sim_zone_stats top;		   /* the highest zone of the layout */
	enum zone_type top_type;		   /* its type */
	/* a recorded machine */
	struct pcp_stats pcp; /* per-CPU lists (all 0 when off) */
	u64 pcp_end_pages;    /* pages on the model's lists at the end (0 when off) */
	u64 pcp_end_kernel;   /* the kernel's at its end (zoneinfo-end), when known */
	bool pcp_end_known;
	struct wmark_stats wmark;     /* watermark events (with the per-CPU lists; all 0 when off) */
	struct compact_stats compact; /* placement's compaction model (all 0 when off or another mode) */
	struct sim_compact_traced compact_traced;     /* the trace's own compaction */
	struct {				      /* compaction as run: the model's (placement) or the */
		u64 runs, scanned, migrated, success; /* trace's replayed (buddy, faithful; 0 off) */
	} compact_run;
	u64 page_events_skipped;   /* page events before the page state's time */
	u64 page_state_ns;	   /* that time (cfg.page_from_ns; 0: none) */
	u64 last_event_ns;	   /* the time of the trace's last event given */
	struct sim_exhaustion exh; /* the first allocation no zone could serve */
	struct snapcheck snaps;	   /* against the kernel's buddyinfo snapshots */
	struct sim_untraced untr;  /* page movements no kmem event shows */

	/* --- what became of every event (sim_outcome.h); the model's memory (sim_mem.h) --- */
	struct sim_outcomes outcomes;			 /* events by kind and outcome */
	u64 outcome[SIM_OUTCOMES];			 /* by outcome, every kind: they add up to events */
	u64 trace_id;					 /* identity of the events given (0: none) */
	u64 mem_fixed, mem_peak, mem_limit, mem_refused; /* bytes; refusals at the limit */

	/* --- derived figures, each defined here once (sim_stats_read) --- */
	u64 vmalloc_tlb_flushes; /* tlb.flush_all + tlb.flush_range: flushes for vfree/vunmap */
	u64 tlb_flushes;	 /* vmalloc_tlb_flushes + mm.tlb_flush_range + mm.tlb_flush_all */
	u64 alloc_failures;	 /* pages.alloc_failures + vmap.alloc_failures */
	u64 unmatched_frees;	 /* pages.unmatched_frees + vmap.unmatched_frees */
	u64 vmap_ops;		 /* vmlist.allocs + vmlist.frees */
};

void sim_stats_read(const struct sim *s, enum sim_stats_depth depth, struct sim_stats *st);

/* The kernel's fragmentation indices (mm/vmstat.c, thousandths) of a zone for a request order;
 * the order is clamped to the zone's max_order. */
int sim_zone_unusable(const struct sim_zone_stats *z, unsigned order);
int sim_zone_extfrag(const struct sim_zone_stats *z, unsigned order);

#endif
