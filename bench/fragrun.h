/* Replays a loaded trace through one simulated machine and follows its physical-memory
 * fragmentation: a time series sampled every N events, and the final state. */
#ifndef FRAGRUN_H
#define FRAGRUN_H

#include <stdio.h>

#include "sim.h"
#include "trace.h"

struct fragrun_result {
	u64 events;
	struct pagereplay_stats pages;
	struct buddy_stats buddy;
	u64 nr_free[BUDDY_MAX_ORDER_LIMIT + 1]; /* final free blocks per order */
	u64 free_pages;
	u64 mixed_pageblocks;
	unsigned largest_free_order;		  /* -1u: nothing free */
	int unusable_o3, unusable_o9, extfrag_o9; /* final, thousandths */
	u64 host_ns;
};

/* The time-series header matching fragrun()'s rows. */
void fragrun_ts_header(FILE *ts);
/* Replay t on a fresh sim built from cfg; when ts is not NULL write a row every
 * sample_every events (and the last). 0 or -errno (host failure). */
int fragrun(const struct mm_trace *t, const struct sim_cfg *cfg, u64 sample_every, FILE *ts,
	    struct fragrun_result *res);

#endif
