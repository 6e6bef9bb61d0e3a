/* Whose work a replay counts: the workload (a task spec, task_table.h) as the run loop sees it.
 * The machine replays every event; beside it, the figures the what-if answers compare are
 * counted again for the workload's events only: each event's change of the machine's counters,
 * times the event's share (1 or 0; a traced purge: the share of the waiting pages the workload
 * freed). An event during which a purge ran (the model's, at the threshold or forced, or the
 * trace's own) counts in the share of the lazily freed pages the workload freed among those
 * waiting since the previous purge: kernel work done on the freers' behalf. Who an event's task
 * is comes from the trace's own task records, read in stream order a chunk at a time before the
 * chunk is replayed, outside the loop's clock (the host figures are the machine's alone).
 *
 * Where the workload is every event (`all`, or the default on a trace that names no recorded
 * command), nothing is counted per event: the figures are the machine's own columns. */
#ifndef RUN_WORKLOAD_H
#define RUN_WORKLOAD_H

#include "bench/output/run_wl_figs.h"
#include "core/machine/sim.h"
#include "workloads/task_table.h"

/* The counters an event's share is taken of. */
enum run_wl_fig { RUN_WL_VISITS, RUN_WL_FLUSHES, RUN_WL_FIND_VMA, RUN_WL_PURGES, RUN_WL_NR };

#define RUN_WL_CHUNK 4096

struct run_wl {
	struct task_table tt;
	bool whole;		  /* this chunk: every event is the workload's */
	u64 chunk_work;		  /* this chunk's memory-work events (notes apart) */
	u32 ppm[RUN_WL_CHUNK];	  /* each event's share, parts per million */
	u64 freed[RUN_WL_CHUNK];  /* bytes of the area a vfree put on the lazy list, else 0 */
	u64 acc[RUN_WL_NR];	  /* counter changes times shares (ppm) */
	u64 events_ppm;		  /* memory-work events times shares */
	u64 pend_mine, pend_all;  /* lazily freed bytes waiting since the last purge */
	u64 mark_ns, mark_cpu_ns; /* time spent telling owners: not the machine's */
};

/* spec NULL or `all`: returns 0 with wl->whole for good (no table). 0 or -ENOMEM. */
int run_wl_init(struct run_wl *wl, const struct task_spec *spec);
void run_wl_fini(struct run_wl *wl);
/* Tell the owners of ev[0..n), n <= RUN_WL_CHUNK (sets whole when all are the workload's with
 * nothing to share). 0 or -ENOMEM. */
int run_wl_mark(struct run_wl *wl, const struct mm_event *ev, size_t n);

static inline void run_wl_read(const struct sim *s, u64 v[RUN_WL_NR])
{
	v[RUN_WL_VISITS] = s->vm.vl.st.visits;
	v[RUN_WL_FLUSHES] = s->vm.tlb.st.flush_all + s->vm.tlb.st.flush_range + s->procs.st.tlb_flush_range +
			    s->procs.st.tlb_flush_all;
	v[RUN_WL_FIND_VMA] = s->procs.st.vma.find_vma_visits;
	v[RUN_WL_PURGES] = s->vm.tlb.st.vmap_purges;
}

/* Event i of the last chunk marked moved the counters from b to a: add its share. */
void run_wl_add(struct run_wl *wl, size_t i, const u64 b[RUN_WL_NR], const u64 a[RUN_WL_NR]);
/* The whole chunk moved them from b to a, every event the workload's. */
void run_wl_add_whole(struct run_wl *wl, const u64 b[RUN_WL_NR], const u64 a[RUN_WL_NR]);
/* The figures after the last event from the machine's view st; wl NULL: the machine's own (the
 * workload is every event). */
struct sim_stats;
void run_wl_figs(const struct run_wl *wl, const struct sim_stats *st, struct run_wl_figs *f);

#endif
