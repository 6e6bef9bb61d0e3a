/* Replay a recording's page events on its own machine (seeded from kpageflags.start) and
 * compare the model's zones with the kernel's buddyinfo at every series snapshot after --from
 * (core/phys/snapcheck.h). Page events only, through the one replay loop (run.h) with a hook
 * that compares each snapshot when the trace passes its time. */
#ifndef MACHINE_RUN_H
#define MACHINE_RUN_H

#include <stdio.h>

#include "recording.h"
#include "sim.h"
#include "snapcheck.h"

struct machine_opts {
	enum pagereplay_mode mode;
	const struct buddy_policy_ops *policy; /* NULL = lifo */
	bool pcp;			       /* placement: per-CPU lists */
	u32 pcp_high, pcp_batch;	       /* 0 = as recorded */
	bool from_set;			       /* else from the kpageflags read's end */
	u64 from_ns;
	FILE *snap_csv;	   /* per-snapshot rows, or NULL */
	const char *label; /* configuration label for the CSV rows */
	bool warn;	   /* warn once on stderr at the first exhausted allocation */
};

struct machine_result {
	struct snapcheck sc;
	struct pagereplay_stats pr;
	struct pcp_stats pcp;
	u64 zone_failures[ZONE_NR_TYPES]; /* by zone type */
	u64 first_fail_line;		  /* trace line of the first failure, 0 if none */
	u64 events_replayed;		  /* page events at or after --from */
	u64 from_ns;
	double secs; /* host time of the replay */
};

int machine_run(const struct recording *rec, const struct machine_opts *o, struct machine_result *res,
		struct mm_diag *d);
/* The CSV header of the per-snapshot rows. */
void machine_csv_header(FILE *f);

#endif
