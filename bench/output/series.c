#include "bench/output/series.h"

#include <errno.h>

#include "bench/output/metrics.h"

int series_sample(void *ctx, const struct sim *s, u64 event, const struct run_clock *c)
{
	struct series_writer *w = ctx;
	struct sim_stats st;
	sim_stats_read(s, SIM_STATS_SAMPLE, &st);
	struct metric_src src = {.st = &st, .event = event, .clock = c};
	for (int t = 0; t < ZONE_NR_TYPES; t++) { /* exhaustion is not fragmentation */
		if (st.zones_st.limit_failures[t] != w->fails[t])
			src.exhausted |= 1u << t;
		w->fails[t] = st.zones_st.limit_failures[t];
	}
	if (!w->header_done) {
		metrics_csv_header(w->f, METRIC_IN_SERIES, &src);
		w->header_done = true;
	}
	metrics_csv_row(w->f, METRIC_IN_SERIES, &src);
	return ferror(w->f) ? -EIO : 0;
}

u64 series_every(u64 n, u64 points)
{
	u64 e = points ? n / points : n;
	return e ? e : 1;
}
