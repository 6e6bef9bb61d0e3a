/* The kernel's own buddyinfo as the check: a hook of the replay loop (run.h) that compares the
 * machine's zones with each snapshot of cfg.snapshots (sim_snapcheck), each zone as the read saw
 * it: from cfg.snap_reach_ns after the read's start, in the kernel's zone order, after any batch
 * holding that zone's lock then (core/phys/snapread.h). Snapshots read before the replay's start
 * (the later of --from and --page-state-at) are not compared; after the loop, those the trace
 * still covers (read before its last event) are. The figures go to the machine's view
 * (st.snaps); the rows, one per zone and snapshot, are kept for a per-snapshot CSV. */
#ifndef SNAPCHECK_HOOK_H
#define SNAPCHECK_HOOK_H

#include "bench/run/run.h"
#include "core/phys/snapread.h"

struct snapcheck_hook {
	struct sim *sim;
	const struct snap_series *ser;
	size_t next;   /* the next snapshot to compare */
	u64 due;       /* 0: the loop calls the hook at every event (rd follows each CPU's holds) */
	bool reading;  /* next's read has reached its zones: zi is the zone being read */
	unsigned zi;   /* index into the snapshot's zones (the kernel's read order) */
	u64 arrive_ns; /* when the read reached zone zi */
	struct snapread rd;
	struct snapcheck_seen seen[ZONE_NR_TYPES]; /* by zone type: the zones seen so far */
	struct snapcheck_seen kept;		   /* zone zi's state kept while it is pending */
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
