/* The vmalloc layer of one simulated kernel: vmalloc/vmalloc_32/vfree/vmap/ioremap/vunmap over
 * a vmlist variant (address space), the kernel's page tables (init_mm) and a TLB flush policy,
 * with data and table pages taken from a page source (a buddy or the machine's zones) shared with
 * the rest of the machine. vmalloc allocates one order-0 page per page and maps them; any failure
 * unwinds completely, as __vmalloc does. vfree unmaps, frees the area's own pages and flushes per
 * policy (__vunmap with deallocate_pages = 1); vunmap only unmaps (deallocate_pages = 0), so the
 * pages of a vmalloc area it removes stay allocated (counted as leaked). Bad frees are counted. */
#ifndef VMALLOC_H
#define VMALLOC_H

#include "core/phys/buddy.h"
#include "core/phys/pagesrc.h"
#include "core/lib/hmap.h"
#include "core/kva/pgtable.h"
#include "core/kva/tlb.h"
#include "core/kva/vmlist.h"
#include "core/kva/vmlist_nodes.h"

/* x86-64 VMALLOC_START / VMALLOC_END with 4-level paging */
#define VMALLOC_DEFAULT_START 0xffffc90000000000ULL
#define VMALLOC_DEFAULT_END 0xffffe8ffffffffffULL

enum vmalloc_guard {
	VMALLOC_GUARD_ADD = 0,	/* one guard page added to every request (2.4; every vmalloc()) */
	VMALLOC_GUARD_INCLUDED, /* the size already holds the guard page (traced alloc_vmap_area) */
	VMALLOC_GUARD_NONE,	/* no guard page (VM_NO_GUARD) */
};

#define VMALLOC_DRAINS_KEPT 64 /* the trace's drain delays a learned MODEL delay looks at */

/* When a lazy purge runs once lazily freed pages exceed lazy_max_pages. */
enum vmalloc_purge_mode {
	VMALLOC_PURGE_INLINE = 0, /* inside the vfree that crosses the threshold (2.6.28-era) */
	VMALLOC_PURGE_TRACE,	  /* where the trace's own purge_vmap_area_lazy events are */
	VMALLOC_PURGE_MODEL,	  /* purge_delay vmalloc-layer calls after the crossing vfree (the
				   * drain work the kernel schedules) */
	VMALLOC_PURGE_AUTO,	  /* replay: trace when the trace has purge events, else model */
};

struct vmalloc_cfg {
	u64 vstart, vend; /* the space: [vstart, vend); vend may be the kernel's inclusive ...ffff */
	const struct vmlist_ops *vmlist;
	bool cached_hole; /* rbtree vmlist: the free_vmap_cache shortcut */
	const struct tlb_policy_ops *tlb;
	unsigned ncpus;	 /* for IPIs and lazy_max_pages */
	unsigned levels; /* init_mm page-table levels, 2..5 */
	enum vmalloc_guard guard;
	bool free_tables; /* free page tables left empty by vfree (the kernel never does) */
	/* kernel-exact vmalloc (defaults keep the old behaviour: 0, inline, 1 node) */
	unsigned nr_nodes;	       /* nodes vmlist: nr_vmap_nodes */
	u64 flush_ceiling;	       /* range flushes of more pages are full flushes; 0: never */
	enum vmalloc_purge_mode purge; /* AUTO acts as MODEL here */
	u64 purge_delay;	       /* MODEL: vmalloc-layer calls between crossing and purge */
	bool purge_learn;	       /* MODEL: the delay is learned from the trace's drains */
};

/* Defaults: the x86-64 space, augmented, lazy, 2 CPUs, 4 levels, guard added, tables kept,
 * inline purges, no flush ceiling. */
void vmalloc_cfg_default(struct vmalloc_cfg *cfg);

struct vmalloc_stats {
	u64 vmallocs, vfrees, vmaps, vunmaps; /* successful calls (vmallocs include vmalloc_32) */
	u64 vmalloc32s, ioremaps;	      /* successful vmalloc_32 and ioremap calls */
	u64 ioremap_pages;		      /* device pages mapped by ioremap (never from the buddy) */
	u64 leaked_pages;		      /* vmalloc pages left allocated by a vunmap of their area */
	u64 alloc_failures;		      /* vmalloc/vmap failures: space + page + table + map */
	u64 space_failures;		      /* no room in the vmlist, even after a forced purge */
	u64 page_failures;		      /* the buddy had no data page (unwound) */
	u64 table_failures;		      /* no page-table page (unwound) */
	u64 map_conflicts;		      /* a PTE already present (aliasing with few levels; unwound) */
	u64 invalid;			      /* size 0, align not a power of two, empty range */
	u64 bad_frees;		     /* vfree/vunmap of a misaligned, unknown or already freed address */
	u64 kind_mismatches;	     /* vfree of a vmap area or vunmap of a vmalloc area (done right) */
	u64 pages_alloc, pages_free; /* order-0 data pages taken from / given back to the buddy */
	u64 live_areas, live_pages;  /* areas and data pages mapped now (lazily freed excluded) */
	u64 seeded_areas;	     /* areas of a snapshot (busy and lazy) seeded into the space */
	u64 follow_conflicts;	     /* follow: the kernel's area overlapped a model busy area */
	u64 early_purges;	     /* follow, TRACE: the kernel reused a lazy area before the
				      * trace's purge event, so that purge ran at the allocation */
};

/* A struct vmalloc must not be moved after vmalloc_init (its vmlist keeps pointers). */
struct vmalloc {
	struct vmalloc_cfg cfg;
	struct pagesrc src; /* borrowed: the machine's zone(s) */
	struct vmlist vl;
	struct pgtable *pt; /* init_mm's page tables */
	struct pgtable_stats pts;
	struct tlb tlb;
	struct hmap areas; /* start -> size | VMALLOC_AREA_VMAP of live areas (not lazily freed) */
	u64 *pfns;	   /* scratch page list for one allocation */
	u64 pfns_cap;
	struct vmalloc_stats st;
	unsigned cpu;	     /* the CPU of the current call (the caller sets it; nodes' node) */
	u64 purge_countdown; /* MODEL: calls left before the scheduled purge; 0: none scheduled */
	bool purge_pending;  /* MODEL: a purge is scheduled */
	u64 last_purged;     /* areas the latest purge released */
	u64 purges_ahead;    /* TRACE: purges run early whose trace event is still to come */
	u64 drain_seen[VMALLOC_DRAINS_KEPT]; /* MODEL, learned: the trace's latest drain delays */
	u64 ndrain_seen;		     /* how many the trace has shown */
	/* MODEL: a purge runs from when it takes the lazy lists (purge_begin: pools decayed) to
	 * when it gives their areas back (nr_lazy drops, pools filled), run_span calls later */
	bool purge_running;	     /* lists taken: areas queued before run_upto */
	u64 run_upto, run_countdown; /* lazy_seq at the take; calls left in the run */
	bool purge_requeued;	     /* a vfree during the run found nr_lazy above the limit */
	/* MODEL, learned: the trace's latest purge runs, in calls, and the areas each purged */
	u64 span_seen[VMALLOC_DRAINS_KEPT], span_areas[VMALLOC_DRAINS_KEPT];
	u64 nspan_seen;
};

#define VMALLOC_AREA_VMAP 1ULL /* low bit of an areas value: caller's pages (vmap, ioremap) */
#define VMALLOC_AREA_IO 2ULL   /* an ioremap area (device memory, with VMALLOC_AREA_VMAP) */
#define VMALLOC_AREA_SEED 4ULL /* seeded from a snapshot: nothing mapped, no page of the model's */

int vmalloc_init(struct vmalloc *vm, const struct vmalloc_cfg *cfg, struct buddy *b);
/* The same with pages (data and tables) from any page source. */
int vmalloc_init_src(struct vmalloc *vm, const struct vmalloc_cfg *cfg, const struct pagesrc *src);
/* Tear down the model (page tables freed to the buddy; live areas' data pages are not). */
void vmalloc_fini(struct vmalloc *vm);

/* vmalloc: reserve size (page-aligned up; plus a guard page per cfg) at an align-aligned
 * address in [vstart, vend) (clipped to the space; 0, 0 = the whole space), take and map one
 * page per page. 0 with *addr; -EINVAL (counted invalid) or -ENOMEM (counted, unwound). */
int vmalloc_alloc(struct vmalloc *vm, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr);
/* vmalloc_32: as vmalloc_alloc, with every data page from a zone a 32-bit pointer addresses
 * (zone limit DMA32: pfn < 0x100000); page tables stay ordinary (GFP_KERNEL) allocations. */
int vmalloc_alloc32(struct vmalloc *vm, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr);
/* ioremap: reserve an area (plus the guard page, as get_vm_area adds it) and map the physical
 * range [phys & PAGE_MASK, PAGE_ALIGN(phys + size)); no page comes from the buddy and none is
 * ever freed. *addr is the area's start; phys's offset in its page is the caller's. 0,
 * -EINVAL (size 0 or the range wraps; counted invalid), -ENOMEM (counted). */
int vmalloc_ioremap(struct vmalloc *vm, u64 phys, u64 size, u64 *addr);
/* vfree: 0; -EINVAL (misaligned) or -ENOENT (unknown, double): counted in bad_frees. */
int vmalloc_vfree(struct vmalloc *vm, u64 addr);
/* vmap: map the caller's n pages; they are never freed by the model. */
int vmalloc_vmap(struct vmalloc *vm, const u64 *pfns, u64 n, u64 *addr);
/* vunmap (also iounmap): unmap any area and never free a page; a vmalloc area's pages stay
 * allocated (leaked_pages), as __vunmap(addr, 0) leaves them. Same errors as vfree. */
int vmalloc_vunmap(struct vmalloc *vm, u64 addr);
/* Purge lazily freed areas now (vm_unmap_aliases-like, or the trace's own purge); returns areas
 * released. A purge with nothing lazy still decays the nodes variant's pools. */
u64 vmalloc_purge(struct vmalloc *vm);
/* The kernel's purge of the areas lazily freed before the upto-th (tlb lazy_seq order): those
 * freed while it ran wait for the next purge; counted as a purge even when empty. Returns the
 * areas released. */
u64 vmalloc_purge_upto(struct vmalloc *vm, u64 upto);
/* MODEL purge timing: one vmalloc-layer call has been handled; runs the scheduled purge when
 * its countdown ends. Returns 1 when a purge ran. */
int vmalloc_tick(struct vmalloc *vm);
/* MODEL purge timing: the drain delay (vmalloc calls) a crossing schedules now: with purge_learn
 * and a drain of the trace seen, the median of the latest VMALLOC_DRAINS_KEPT the trace showed
 * (the kernel's worker runs late under load, and its purges then take more areas); else
 * purge_delay. */
u64 vmalloc_drain_delay(const struct vmalloc *vm);
/* The trace's own drain took calls vmalloc calls after the vfree that crossed nr_lazy_max. */
void vmalloc_drain_seen(struct vmalloc *vm, u64 calls);
/* MODEL purge timing: the calls a purge of areas areas runs for, from taking the lazy lists to
 * giving their areas back: its work is per area (each merged into the free tree or pooled), so
 * areas times the calls per area the trace's latest VMALLOC_DRAINS_KEPT purges ran for
 * (purge_learn), rounded down; else 0 (a purge is instant, as before). A vfree during the run
 * still counts the purge's pages in nr_lazy, finds it above the limit and queues the drain
 * again (schedule_work re-queues a running work item): a second purge, of the areas freed
 * during the run, right after it. */
u64 vmalloc_purge_span(const struct vmalloc *vm, u64 areas);
/* The trace's own purge of areas areas ran calls vmalloc calls after it took the lazy lists. */
void vmalloc_span_seen(struct vmalloc *vm, u64 calls, u64 areas);
/* Where vmalloc_alloc would put the area (nothing changes); -EOPNOTSUPP for variants that
 * cannot say, -EINVAL, -ENOMEM (no room). */
int vmalloc_predict(struct vmalloc *vm, u64 size, u64 align, u64 vstart, u64 vend, struct vmlist_pick *pick);
/* Follow mode: *pred = where the model would put the area (pred->addr 0: nowhere), then put it
 * at kaddr, where the kernel did (how->src says what that revealed). When kaddr overlaps a model
 * busy area (-EBUSY from the vmlist) the area goes where the model would have put it and
 * follow_conflicts counts it; when it overlaps a lazily freed area in TRACE purge timing, the
 * kernel's purge has run before its event: it runs now (early_purges, purges_ahead) and the area
 * is placed as during that purge (vmlist_place_filling). Otherwise as vmalloc_alloc;
 * -EOPNOTSUPP: the vmlist cannot follow. */
int vmalloc_alloc_follow(struct vmalloc *vm, u64 size, u64 align, u64 vstart, u64 vend, u64 kaddr,
			 struct vmlist_pick *pred, struct vmlist_pick *how, u64 *addr);
/* Seed one area of a snapshot: [start, end) busy (lazy: lazily freed, waiting for a purge), no
 * page mapped. vn_node: the nodes vmlist's owner node (VMLIST_NODES_NONE: none); guess: that
 * node is a guess (vmlist_set_owner). 0, -EBUSY (overlap), -EINVAL (outside the space), -ENOMEM. */
int vmalloc_seed_area(struct vmalloc *vm, u64 start, u64 end, bool lazy, unsigned vn_node, bool guess);
/* Size of the live area starting at addr (guard included), or 0. */
u64 vmalloc_area_size(const struct vmalloc *vm, u64 addr);

#endif
