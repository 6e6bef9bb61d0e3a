/* TLB flush policies for kernel (vmalloc) unmaps, behind one ops table with a registry:
 *   eager  2.4: flush_cache_all before and flush_tlb_all after every vfree
 *   range  one flush_tlb_kernel_range of the freed area per vfree
 *   lazy   2.6.28+: freed areas wait on a purge list, their addresses not reusable, until the
 *          lazily freed pages exceed lazy_max_pages = fls(ncpus) * 32 MiB / 4 KiB; a purge then
 *          flushes once for [lowest start, highest end] and gives every waiting area back.
 * Every flush costs ncpus - 1 IPIs. The policy decides when an area's space is released; the
 * caller (vmalloc) releases it through the callback tlb_purge is given. */
#ifndef TLB_H
#define TLB_H

#include "core/mm_types.h"

struct tlb_stats {
	u64 flush_all;	   /* flush_tlb_all: every CPU's whole TLB */
	u64 flush_range;   /* flush_tlb_kernel_range calls */
	u64 flush_pages;   /* pages covered by range flushes ([start, end) of each, holes included) */
	u64 cache_flushes; /* flush_cache_all (2.4, before the unmap) */
	u64 ipis;	   /* ncpus - 1 per flush */
	u64 vmap_purges;   /* lazy purges (threshold or forced) */
	u64 purged_areas;  /* areas given back by purges (model areas; foreign pages not counted) */
	u64 forced_purges; /* lazy purges forced by an allocation that found no space */
};

/* One lazily freed area waiting for a purge. */
struct tlb_area {
	u64 start, size;
	u64 seq; /* the lazy queue's count of areas queued before this one (free order) */
};

struct tlb;

struct tlb_policy_ops {
	const char *name; /* "eager", "range", "lazy" */
	const char *desc;
	/* The PTEs of [start, start + size) have been cleared (size counts every page of the
	 * area, guard included). Returns 1 when the space may be reused at once, 0 when the
	 * policy holds it until tlb_purge, or -ENOMEM (host). */
	int (*unmapped)(struct tlb *t, u64 start, u64 size);
};

extern const struct tlb_policy_ops *const tlb_policies[]; /* NULL-terminated registry */
const struct tlb_policy_ops *tlb_policy_find(const char *name);

struct tlb {
	const struct tlb_policy_ops *ops;
	unsigned ncpus;
	u64 flush_ceiling;	 /* x86 tlb_single_page_flush_ceiling: a range flush of more pages
				  * is a full flush (flush_all); 0: never promote */
	u64 lazy_max_pages;	 /* fls(ncpus) * 8192 */
	u64 nr_lazy;		 /* lazily freed pages not yet purged, foreign ones included */
	u64 nr_lazy_foreign;	 /* of nr_lazy: pages freed before the model started (the trace's
				  * first logged nr_lazy); a purge clears them, no area holds them */
	struct tlb_area *purge;	 /* purge list: areas waiting, in free order */
	u64 nr_purge, purge_cap; /* nr_purge <= purge_cap; sum of sizes + foreign == nr_lazy pages */
	u64 lazy_seq;		 /* areas ever queued: purge[i].seq < lazy_seq, increasing in i */
	struct tlb_stats st;
};

/* ncpus >= 1. 0 or -EINVAL. The flush ceiling starts at 0 (never promote). */
int tlb_init(struct tlb *t, const struct tlb_policy_ops *ops, unsigned ncpus);
/* x86's default tlb_single_page_flush_ceiling (arch/x86/mm/tlb.c) */
#define TLB_X86_FLUSH_CEILING 33
/* flush_tlb_kernel_range on x86: a full flush above the ceiling, else a range flush. */
void tlb_flush_kernel_range(struct tlb *t, u64 start, u64 end);
void tlb_fini(struct tlb *t);
/* fls(ncpus) * 32 MiB / 4 KiB, as lazy_max_pages() */
u64 tlb_lazy_max_pages(unsigned ncpus);
/* The smallest ncpus whose lazy_max_pages is max_pages, or 0 when none is. */
unsigned tlb_ncpus_from_lazy_max(u64 max_pages);

/* A vfree/vunmap's PTEs are cleared: flush per policy. 1: release the space now; 0: held. */
int tlb_unmapped(struct tlb *t, u64 start, u64 size);
/* Pages lazily freed before the model began (the trace's first nr_lazy): count them. */
void tlb_add_foreign_lazy(struct tlb *t, u64 pages);
/* Some area waiting on the purge list overlaps [start, end) (a linear scan: rare calls). */
bool tlb_lazy_overlaps(const struct tlb *t, u64 start, u64 end);
/* A purge is due: nr_lazy > lazy_max_pages. */
static inline bool tlb_purge_due(const struct tlb *t)
{
	return t->nr_lazy > t->lazy_max_pages;
}
/* Purge: one range flush over every waiting area (when there is any area), then
 * release(arg, start, size) for each, in free order; nr_lazy drops to 0. forced: the purge
 * was called because an allocation found no space. Returns the areas released. */
u64 tlb_purge(struct tlb *t, bool forced, void (*release)(void *arg, u64 start, u64 size), void *arg);
/* A purge that takes only the areas queued before the upto-th (seq < upto): the kernel's purge
 * takes its lazy lists when it starts, areas freed while it runs wait for the next one. It
 * counts as a purge even when it releases nothing (the kernel's purge still ran); foreign
 * pages (freed before the model began) are older than any area and always go. nr_lazy drops by
 * the pages released. Returns the areas released. */
u64 tlb_purge_upto(struct tlb *t, u64 upto, void (*release)(void *arg, u64 start, u64 size), void *arg);

#endif
