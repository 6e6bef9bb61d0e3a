/* How close a replay's vmalloc model stays to the recorded kernel: every traced allocation's
 * address against the model's (all, and after the trace's first purge event: "warm"), the
 * model's purges against the kernel's by count of areas, the model's state against a later
 * /proc/vmallocinfo snapshot, where the kernel's areas were in the model (follow mode), the
 * first mismatches; plus the pairing of vmalloc's own bulk-allocated pages (alloc_pages_bulk
 * emits no mm_page_alloc, vfree's page frees are traced). Counters only; the sim feeds it. */
#ifndef VMAP_FIDELITY_H
#define VMAP_FIDELITY_H

#include "core/kva/vmalloc.h"
#include "core/kva/vmap_reveal.h"
#include "core/kva/vmap_snapshot.h"

#define VMAP_FID_MISMATCHES 10 /* mismatches kept for the report */
#define VMAP_FID_CPUS 256      /* CPUs whose bulk-page credit is tracked */

struct vmap_mismatch {
	u64 ts_ns;
	u64 kernel, model, size; /* model 0: the model had no place */
	u32 node;		 /* the node asked (cpu % nr_nodes; nodes only) */
	u16 cpu;
	u8 src, how; /* the model's source (predict) and what the kernel's address was to it */
};

struct vmap_fidelity {
	u64 checked, exact;		      /* traced allocations compared; equal addresses */
	u64 checked_warm, exact_warm;	      /* the same after the trace's first purge event */
	bool warm;			      /* the first purge event has been seen */
	u64 *trace_purged, ntrace, trace_cap; /* num_purged of each trace purge, in order */
	u64 *model_purged, nmodel, model_cap; /* areas of each model purge, in order */
	u64 model_purges_seen;		      /* tlb vmap_purges already recorded */
	u64 end_areas, end_matched;	      /* end snapshot: areas in the space; as in the model */
	bool end_done;
	u64 where[VMLIST_SRC_NR];	/* follow: what the kernel's addresses were to the model */
	u64 miss_how[VMLIST_SRC_NR];	/* the same for the warm mismatches only */
	u64 miss_src[VMLIST_SRC_NR];	/* warm mismatches by where the model's address came from */
	u64 skipped;			/* events before the replay's start time */
	u64 seed_outside;		/* snapshot areas outside the model's space (module space) */
	u64 bulk_frees;			/* order-0 frees paired with a vfree'd area's bulk pages */
	u32 bulk_credit[VMAP_FID_CPUS]; /* per CPU: pages the latest vfree still has to free */
	struct vmap_mismatch mis[VMAP_FID_MISMATCHES];
	unsigned nmis;	       /* kept (warm mismatches first come, first kept) */
	struct vmap_reveal rv; /* what the recording has shown: the ceiling of any model */
};

void vmap_fid_fini(struct vmap_fidelity *f);
/* One traced allocation: the kernel's address, the model's (0: none), the model's pick. */
void vmap_fid_alloc(struct vmap_fidelity *f, const struct vmap_mismatch *m);
/* The trace's purge event (num_purged areas); the model's purges since the last call (read
 * from vm's TLB counters). -ENOMEM (host). */
int vmap_fid_trace_purge(struct vmap_fidelity *f, u64 num_purged);
int vmap_fid_model_purges(struct vmap_fidelity *f, const struct vmalloc *vm);
/* Model purges paired, in order, with a kernel purge of as many areas (content, not rank:
 * the longest such pairing). */
u64 vmap_fid_purges_size_exact(const struct vmap_fidelity *f);
/* Compare vm's state with the end snapshot (once): end_areas, end_matched. -ENOMEM (host). */
int vmap_fid_end_compare(struct vmap_fidelity *f, const struct vmap_snapshot *end, const struct vmalloc *vm);

#endif
