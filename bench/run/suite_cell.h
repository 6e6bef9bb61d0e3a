/* The passes of one suite cell (a trace and a configuration) over its trace's feed (feed.h), on
 * whichever thread runs the cell: one sampled pass (time series, per-operation latencies, the
 * machine's heap), then `repeats` timed passes (events per second, hardware counters where the
 * machine has them). Each pass builds a fresh machine; nothing is shared between threads but the
 * feed (read-only) and the progress counter (atomic). */
#ifndef SUITE_CELL_H
#define SUITE_CELL_H

#include "bench/run/feed.h"
#include "bench/run/replay.h"

/* The sampled pass, its time series to DIR/REL (csv_open_in: no symlink below dir followed).
 * 0; -errno; or 1 when the series file failed (why says so). */
int suite_cell_sampled(struct feed *f, u64 *progress, const struct sim_cfg *cfg, u64 every, const char *dir,
		       const char *rel, struct run_host *h, struct histo *lat, char *why, size_t len);
/* The timed passes; row keeps the last one's machine view (and snapshot rows). 0 or -errno. */
int suite_cell_timed(const char *label, struct feed *f, u64 *progress, const struct sim_cfg *cfg,
		     const struct task_spec *wl, unsigned repeats, struct replay_row *row,
		     struct run_host *h);

#endif
