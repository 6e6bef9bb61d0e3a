/* A workload's figures after a replay (the metrics' workload_ columns): a plain value the run
 * loop fills (bench/run/run_workload.h) and the metrics registry reads. */
#ifndef RUN_WL_FIGS_H
#define RUN_WL_FIGS_H

#include <stdbool.h>

#include "core/machine/sim_stats.h"
#include "core/mm_types.h"

/* The workload's figures after a replay (the metrics' workload_ columns). */
struct run_wl_figs {
	bool counted;	 /* false: the workload is every event, the figures are the machine's */
	char label[300]; /* "tree:1234", "comm:tar", "all" */
	u64 events;	 /* of the events that are memory work (task records and lost marks apart) */
	u64 vmlist_visits, tlb_flushes, find_vma_visits, vmap_purges;
};

/* The figures when the workload is every event: the machine's own (label "all"). */
void run_wl_figs_machine(const struct sim_stats *st, struct run_wl_figs *f);

#endif
