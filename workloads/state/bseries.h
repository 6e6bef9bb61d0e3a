/* buddyinfo-series.txt of a recording (data/recordings/README.md): snapshots, each a line
 * "# snapshot CLOCK_MONOTONIC T0 T1" (read between T0 and T1 seconds), then /proc/buddyinfo
 * lines, then /proc/pagetypeinfo (skipped here), then (recorders since untraced page movements
 * are accounted) "# page_reporting reported_kib=N passes=N walked=N" and "# managed ZONE=N ...".
 * Read one snapshot at a time. */
#ifndef BSERIES_H
#define BSERIES_H

#include <stdio.h>

#include "workloads/diag.h"
#include "workloads/state/lineread.h"
#include "core/phys/snapcheck.h"

struct bseries {
	FILE *f;
	struct lineread lr;
	bool pending;	   /* lr.buf holds the next snapshot's header */
	u64 skipped_zones; /* buddyinfo lines of zones the model has no type for (none on x86-64) */
};

int bseries_open(struct bseries *s, const char *path, struct mm_diag *d);
/* The next snapshot: 1, 0 at the end, or -EINVAL with "path:line: reason". */
int bseries_next(struct bseries *s, struct snapshot *out, struct mm_diag *d);
void bseries_close(struct bseries *s);
/* "SECONDS.FRACTION" at *p to ns; 0, or -EINVAL. */
int bseries_secs(const char **p, u64 *ns);

#endif
