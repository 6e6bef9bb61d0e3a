/* /proc/kpageflags (8 bytes per pfn from pfn 0, little-endian; plain or zstd) as a machine's
 * starting state (core/phys/seed.h), with the zones of a /proc/zoneinfo of the same moment:
 * - free: pages with KPF_BUDDY (bit 10; the kernel sets it on every page of a free block);
 * - never allocatable: KPF_NOPAGE (20) or KPF_RESERVED (32) pages, and the whole max-order
 *   blocks of the run of pages with no flag at all that reaches the zone's top (memory past
 *   the end of RAM and memory deferred init has not reached read as 0 on the recording
 *   machine), at most spanned - managed; the report compares their count with spanned - managed;
 * - used: every other page (allocated, or on a per-CPU list).
 * Pageblock migratetypes follow pagetypeinfo's per-zone block counts (kpageflags_assign_mt). */
#ifndef KPAGEFLAGS_H
#define KPAGEFLAGS_H

#include "workloads/diag.h"
#include "workloads/state/pagetypeinfo.h"
#include "core/phys/seed.h"
#include "workloads/state/zoneinfo.h"

#define KPF_BUDDY 10
#define KPF_NOPAGE 20
#define KPF_RESERVED 32

struct kpf_zone_report {
	u64 free_pages, used_pages, never_pages;
	u64 reserved_pages;   /* of never: NOPAGE or RESERVED flags */
	u64 unmanaged_pages;  /* spanned - managed, from zoneinfo */
	u64 zoneinfo_free;    /* the zoneinfo's nr_free_pages (read just before kpageflags) */
	u64 pageblocks;	      /* pageblocks holding at least one page that is not a hole */
	u64 pb_target[MT_NR]; /* pagetypeinfo's pageblocks per type (HighAtomic counted as Unmovable) */
	u64 pb_model[MT_NR];  /* pageblocks the assignment gave each type */
	u64 free_err[MT_NR];  /* sum over orders of |model - kernel| free pages of each type */
	u64 free_kernel[MT_NR];
};

/* Fill seed (seed_init'ed with the zoneinfo's span layout) from path. rep (may be NULL) gets
 * one entry per seed zone. pti may be NULL (all pageblocks Movable). 0, or -EINVAL with d:
 * a file whose size is not a whole number of entries, one that ends before the last zone,
 * or one holding flag bits no kernel defines (not kpageflags). */
int kpageflags_seed(const char *path, const struct zoneinfo *zi, const struct pagetypeinfo *pti,
		    struct seed *seed, struct kpf_zone_report *rep, struct mm_diag *d);

#endif
