/* One simulated machine: its zone's buddy allocator and page-event replay, and (as the models
 * land) its vmalloc space, page tables, TLB policy and process address spaces. A value, not a
 * global: tests and benchmarks run many side by side. sim_event() is the single entry point
 * that routes each mm_event to the models. */
#ifndef SIM_H
#define SIM_H

#include "buddy.h"
#include "mm_event.h"
#include "pagereplay.h"
#include "procs.h"

struct sim_cfg {
	/* physical memory */
	u64 zone_base_pfn;
	u64 zone_pages;
	unsigned max_order;
	const struct buddy_policy_ops *buddy;
	enum pagereplay_mode page_mode;
	/* models added by later work append their configuration here */

	/* --- process address spaces (vma) --- */
	const struct vma_index_ops *vma; /* VMA index variant; default maple */
	bool populate;			 /* every mapped page present; default false (none) */
	u64 max_map_count;		 /* default MM_MAX_MAP_COUNT */
					 /* --- end vma --- */
};

/* Defaults: a 4 GiB zone at pfn 0x100000 (where x86-64 ZONE_NORMAL begins), max order 10,
 * lifo, placement replay. */
void sim_cfg_default(struct sim_cfg *cfg);

struct sim {
	struct sim_cfg cfg;
	struct buddy buddy;
	struct pagereplay pages;
	u64 events;		    /* events routed, every kind */
	u64 per_kind[MME_NR_KINDS]; /* events routed per kind */

	/* --- process address spaces (vma) --- */
	struct procs procs; /* one mm per traced pid; MMAP..EXIT events */
			    /* --- end vma --- */
};

int sim_init(struct sim *s, const struct sim_cfg *cfg);
void sim_fini(struct sim *s);
/* Route one event. Returns 0, or a negative errno only for host failures (out of memory);
 * model-level errors (unknown frees, failed allocations) are counted. */
int sim_event(struct sim *s, const struct mm_event *ev);

#endif
