/* One simulated machine: its zones (each a buddy allocator) and page-event replay, its vmalloc
 * space, page tables, TLB policy, persistent kmap pool and process address spaces. A value, not a
 * global: tests and benchmarks run many side by side. sim_event() is the single entry point
 * that routes each mm_event to the models. Its configuration is set through the settings
 * registry (settings.h); what it counted is read through the flat view (sim_stats.h). */
#ifndef SIM_H
#define SIM_H

#include "core/phys/buddy.h"
#include "core/phys/compact.h"
#include "core/mm_event.h"
#include "core/phys/pagereplay.h"
#include "core/proc/mm_pgtable.h"
#include "core/phys/pagesrc.h"
#include "core/phys/pcp.h"
#include "core/kva/pkmap.h"
#include "core/proc/procs.h"
#include "core/phys/seedtime.h"
#include "core/machine/sim_outcome.h"
#include "core/machine/sim_trace_facts.h"
#include "core/machine/sim_mem.h"
#include "core/phys/snapcheck.h"
#include "core/kva/vmalloc.h"
#include "core/kva/vmap_fidelity.h"
#include "core/kva/vmap_lazyq.h"
#include "core/phys/zones.h"

/* A recorded machine: per-CPU lists on or off; the models' own pages from the zones or not. */
enum sim_pcp { SIM_PCP_AUTO = 0, SIM_PCP_ON, SIM_PCP_OFF };
enum sim_model_pages { SIM_MODEL_PAGES_AUTO = 0, SIM_MODEL_PAGES_ZONES, SIM_MODEL_PAGES_NONE };
/* Compaction: none; the kernel's (direct, kcompactd, proactive at proactiveness); KERNEL with
 * another proactiveness is PROACTIVE. */
enum sim_compaction { SIM_COMPACT_KERNEL = 0, SIM_COMPACT_OFF, SIM_COMPACT_PROACTIVE };
#define SIM_PROACTIVENESS_DEFAULT 20u /* vm.compaction_proactiveness's default */

struct sim_cfg {
	/* --- physical memory: zones, each a buddy allocator, and how page events are replayed --- */
	/* the zone layout (nr_zones, zone[]); its max_order and policy fields are ignored, every
	 * zone takes max_order and buddy below */
	struct zones_cfg zones;
	unsigned max_order;
	const struct buddy_policy_ops *buddy;
	enum pagereplay_mode page_mode;
	/* a recorded machine */
	const struct seed *seed;	     /* the zones' state at the start (core/phys/seed.h); NULL: boot
						state, all free. Borrowed for sim_init only. */
	u64 page_from_ns;		     /* page events earlier are in the seed: skipped (counted) */
	u64 page_read_ns;		     /* 0, or the start of the page maps' read (page_from_ns its
						end): an event in between is in the seed when its page
						was read after it (core/phys/seedtime.h) */
	const struct snap_series *snapshots; /* the kernel's buddyinfo over time (borrowed): the
						run loop's hook compares them (sim_snapcheck) */
	u64 snap_reach_ns;		     /* how long a read of buddyinfo alone takes: each zone is
						seen from then (core/phys/snapread.h); 0: at the start
						of the read, no lock hold waited for */
	/* buddy mode: where the trace's list-order frees went (core/phys/hindsight.h; borrowed,
	 * from the trace's facts), NULL: every such free to a list */
	const struct hindsight_src *hindsight;
	bool fast_named; /* buddy mode: fast free isolations at the block the hindsight names */
	/* per-CPU lists and watermarks */
	enum sim_pcp pcp;		  /* placement mode: per-CPU lists in front of the buddy; AUTO: on
					     when pcp_recorded */
	bool pcp_recorded;		  /* pcp_cfg holds a zoneinfo's pagesets (zones=zoneinfo:PATH) */
	bool pcp_end_known;		  /* pcp_end_kernel is a later zoneinfo's (zoneinfo-end) */
	u64 pcp_end_kernel;		  /* the pages its per-CPU lists held: compared at the end */
	struct pcp_cfg pcp_cfg;		  /* their batch and high per zone and CPU */
	enum pcp_tune pcp_tune;		  /* how the lists' high is tuned (pressure: the kernel's) */
	bool wmark_boost_off;		  /* no watermark boost on fallbacks */
	u32 wmark_scale;		  /* watermark_scale_factor; 0: the zoneinfo's low and high */
	enum sim_compaction compaction;	  /* placement: the model compacts; buddy, faithful: the
					     traced free scanner's isolations are replayed */
	u32 proactiveness;		  /* vm.compaction_proactiveness (kernel: 20) */
	enum sim_model_pages model_pages; /* where vmalloc and processes take pages; AUTO: NONE when
					     seeded (the recording's page events hold them) */

	/* --- kernel virtual addresses: the vmalloc space, init_mm page tables, TLB policy --- */
	const struct vmlist_ops *vmlist;  /* default augmented */
	const struct tlb_policy_ops *tlb; /* default lazy */
	unsigned levels;		  /* init_mm page-table levels, default 4 */
	unsigned ncpus;			  /* 0: 2; replay sets it from the trace (sim_trace_ncpus) */
	u64 flush_ceiling;		  /* x86 range-flush ceiling in pages, default 33; 0 = never */
	/* kernel-exact vmalloc */
	unsigned vmap_nodes;	       /* nodes vmlist: nr_vmap_nodes; 0 = ncpus (possible CPUs) */
	enum vmalloc_purge_mode purge; /* default AUTO: trace if the trace has purges, else model */
	u64 purge_delay;	       /* model: vmalloc calls between crossing and purge, default 1 */
	bool purge_learn_off;	       /* model: keep purge_delay, learn nothing from the trace */
	bool vmap_follow;	       /* follow: place each area at the kernel's address */
	const struct vmap_snapshot *vmalloc_state; /* seed (borrowed; NULL: empty space) */
	const struct vmap_snapshot *vmalloc_end;   /* compare at the end (borrowed; NULL: none) */
	u64 vmalloc_end_ns;			   /* when it was read; 0: at sim_finish */
	u64 from_ns;				   /* events earlier are skipped (counted) */
	/* the persistent kmap pool */
	struct pkmap_cfg pkmap; /* default LAST_PKMAP 1024, highmem from 896 MiB */

	/* --- process address spaces --- */
	const struct vma_index_ops *vma; /* VMA index variant; default maple */
	bool populate;			 /* every mapped page present; default false (none) */
	u64 max_map_count;		 /* default MM_MAX_MAP_COUNT */

	/* --- the model's host memory, bytes (sim_mem.h); 0 = SIM_MEM_DEFAULT_MAX --- */
	u64 model_mem_max;
};

/* The x86 ceiling and the model's purge delay (vmalloc calls after the crossing vfree: the
 * median over the shared recordings, docs/vmalloc-fidelity.md). */
#define SIM_DEFAULT_FLUSH_CEILING TLB_X86_FLUSH_CEILING
#define SIM_DEFAULT_PURGE_DELAY 1

/* Defaults: one 4 GiB Normal zone at pfn 0x100000 (where x86-64 ZONE_NORMAL begins), max order
 * 10, lifo, placement replay. */
void sim_cfg_default(struct sim_cfg *cfg);

struct sim {
	struct sim_cfg cfg;

	/* --- what the machine was given, and what became of it --- */
	u64 events;		    /* events routed, every kind */
	u64 events_lost;	    /* events the recorder lost: the sum of MME_LOST's len */
	u64 per_kind[MME_NR_KINDS]; /* events routed per kind */
	u64 last_ts_ns;		    /* of the latest event routed or skipped */
	struct sim_outcomes outcomes;
	struct sim_mem mem; /* the model's host memory */

	/* --- physical memory (sim_phys.c) --- */
	struct zones zones; /* every model's pages come from here */
	struct pagesrc src; /* pagesrc_zones(&zones), lent to the models */
	struct pagereplay pages;
	struct pcp pcp;	    /* per-CPU lists, used when pcp_on */
	bool pcp_on;	    /* cfg.pcp resolved, in placement mode */
	struct compact cmp; /* placement's compaction model, when cmp_on */
	bool cmp_on;
	struct sim_compact_traced { /* the trace's own compaction (every mode) */
		u64 runs, success;  /* mm_compaction_begin; _end with status success */
		u64 scanned;	    /* nr_scanned of both scanners' isolate events */
		u64 isolated;	    /* nr_taken of the migrate scanner's isolate events */
		u64 migrated;	    /* mm_compaction_migratepages nr_migrated */
	} cmp_traced;
	struct sim_kswapd_traced { /* the trace's kswapd, for the per-CPU lists (placement) */
		bool awake;	   /* between its wake and sleep events */
		u32 pid;	   /* the task of its wake event */
		u64 last_ns;	   /* its last page event */
		u8 order;	   /* the order of its wake (the run's alloc_order) */
	} kswapd;
	struct pagesrc_phantom phantom; /* the models' pages when model_pages is NONE */
	struct pagesrc model_src;	/* where vmalloc and processes take pages: src or phantom */
	/* a recorded machine */
	u64 page_events_skipped;	   /* page events before cfg.page_from_ns */
	struct seedtime page_times;	   /* when each page of the seed was read (page_read_ns..) */
	struct sim_exhaustion {		   /* allocations no zone of the zonelist could serve */
		u64 first_event;	   /* 1-based position in the source of the first (events
					      skipped included), 0: none */
		enum zone_type first_zone; /* its highest usable zone */
		unsigned first_kind, first_order;
	} exh;
	struct snapcheck snaps;		    /* against the kernel's buddyinfo snapshots */
	struct sim_untraced {		    /* page movements no kmem event shows (sim_untraced.c) */
		u64 cursor[ZONE_NR_TYPES];  /* by zone position: deferred init's next pfn (zone end:
					       nothing left to initialize) */
		u64 managed[ZONE_NR_TYPES]; /* by zone position: pages not never-allocatable */
		u64 min_cursor;		    /* the lowest cursor below its zone's end, or UINT64_MAX */
		u64 compact_taken, isolations, deferred_pages; /* since the last snapshot compared */
		u64 compact_open;			       /* compaction runs begun, not ended */
		u64 compact_taken_total, compact_runs, isolations_total;
		u64 deferred_total; /* pages the zones grew by deferred init, trace- or counter-led */
	} untr;
	u64 snap_fail_mark[ZONE_NR_TYPES]; /* zones.st.limit_failures at the last snapshot */

	/* --- kernel virtual addresses (sim_vmap.c) --- */
	struct vmalloc vm;     /* must not move after sim_init */
	struct hmap vmap_pair; /* traced va_start -> model address of live traced areas */
	struct sim_vmap_stats {
		u64 traced_failures;	/* alloc_vmap_area events the kernel failed (failed=1) */
		u64 alloc_failures;	/* traced allocations the model could not serve */
		u64 unmatched_frees;	/* frees of areas not allocated during the trace */
		u64 dup_allocs;		/* a live traced va_start allocated again: skipped, no
					 * vfree invented (its free is missing from the trace) */
		u64 trace_purges;	/* the kernel's purge_vmap_area_lazy events (trace facts) */
		u64 trace_purged_areas; /* sum of their num_purged */
		u64 lazy_seed_pages;	/* the trace's first nr_lazy less its own area: foreign pages */
		bool lazy_seeded;	/* the first logged nr_lazy has been taken */
		bool drain_armed;	/* a traced vfree crossed nr_lazy_max since the last purge */
		u64 drain_calls;	/* traced vmalloc calls since that vfree */
		u64 calls;		/* traced vmalloc calls (alloc_vmap_area, free_vmap_area_noflush) */
	} vmap;
	struct vmap_fidelity vfid; /* agreement with the recorded kernel */
	struct vmap_lazyq lazyq;   /* the kernel's lazy list (seeded replays): what its purges took */
	/* driver mapping paths: vmalloc_32, ioremap, vunmap (paired through vmap_pair), kmap */
	struct pkmap pkmap; /* MME_KMAP / MME_KUNMAP */
	u64 kmap_errors;    /* kmaps the pool refused for a host or count-overflow reason */

	/* --- process address spaces --- */
	struct procs procs;	 /* one mm per traced pid; MMAP..EXIT events */
	struct mm_pgtable mm_pt; /* their page tables' context (buddy, levels, walk counts) */
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
/* The models' own invariant checks (the vmlist, each zone's buddy): 0, or -EUCLEAN with the
 * first failure in msg. For tests and end-of-run checks. */
int sim_check(const struct sim *s, char *msg, size_t len);
/* Touch every page of the zones' frame arrays, so a timed replay measures the model rather than
 * the host kernel zero-filling pages on first touch. The model state is unchanged. */
void sim_prefault(struct sim *s);
/* Route one event. Returns 0, or a negative errno only for host failures (out of memory);
 * model-level errors (unknown frees, failed allocations) are counted. */
int sim_event(struct sim *s, const struct mm_event *ev);

/* A recorded machine: compare the zones with snapshot k of the kernel's buddyinfo series
 * (snapcheck.h): a zone whose allocations failed since the previous snapshot is exhausted and
 * left out of the figures, a snapshot whose interval holds evidence of untraced page movements
 * too (sim_untraced.h); then the zones grow to the managed pages read with it. rows
 * (ZONE_NR_TYPES entries, may be NULL) get one row per zone; returns their number. seen (by
 * zone type, may be NULL: every zone now) is each zone as the read saw it (core/phys/snapread.h).
 * Called by the run loop's hook once the read has seen every zone. */
unsigned sim_snapcheck(struct sim *s, const struct snap_series *ser, size_t k,
		       const struct snapcheck_seen *seen, struct snapcheck_row *rows);

/* The replay is over: take what waits for the end (the end-snapshot comparison when its time
 * was never reached). Returns 0 or -ENOMEM. */
int sim_finish(struct sim *s);

#endif
