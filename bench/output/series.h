/* Time series of a replay: a sampler for the replay loop (run.h) that writes the machine's
 * series columns (the METRIC_IN_SERIES entries of the metrics registry) as one CSV row per
 * sample. Columns not prefixed host_ are deterministic. */
#ifndef SERIES_H
#define SERIES_H

#include <stdio.h>

#include "bench/host/run_host.h"
#include "core/machine/sim.h"

struct series_writer {
	FILE *f;
	bool header_done;	  /* the header is written with the first sample (the families' width) */
	u64 fails[ZONE_NR_TYPES]; /* zones_st.limit_failures at the previous sample */
};

/* A run_sampler.sample callback; ctx is a struct series_writer. */
int series_sample(void *ctx, const struct sim *s, u64 event, const struct run_clock *c);
/* Sampling interval giving about `points` rows for n events (>= 1). */
u64 series_every(u64 n, u64 points);

#endif
