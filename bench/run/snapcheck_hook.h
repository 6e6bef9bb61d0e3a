/* The kernel's own buddyinfo as the check: a hook of the replay loop (run.h) that,
 * when the trace passes a snapshot's mid-read time, compares the machine's zones with that
 * snapshot of cfg.snapshots (sim_snapcheck). Snapshots read before the replay's start (the
 * later of --from and --page-state-at) are not compared; after the loop, those the trace still
 * covers (read before its last event) are. The figures go to the machine's view (st.snaps);
 * the rows, one per zone and snapshot, are kept for a per-snapshot CSV. */
#ifndef SNAPCHECK_HOOK_H
#define SNAPCHECK_HOOK_H

#include "bench/run/run.h"

struct snapcheck_hook {
	struct sim *sim;
	const struct snap_series *ser;
	size_t next; /* the next snapshot to compare */
	u64 due;     /* its mid-read time + 1: the loop calls the hook from there */
	struct snapcheck_row *rows;
	size_t nrows, cap;
	int err; /* -ENOMEM when a row could not be kept */
};

/* Set h up on s (built with cfg.snapshots) and fill *smp with its hook; NULL when s has no
 * snapshots (then h holds nothing). */
const struct run_sampler *snapcheck_hook_init(struct snapcheck_hook *h, struct sim *s,
					      struct run_sampler *smp);
/* After the loop: compare what the trace covered. 0 or -ENOMEM. */
int snapcheck_hook_finish(struct snapcheck_hook *h);
void snapcheck_hook_fini(struct snapcheck_hook *h);

#endif
