/* buddyinfo-series.txt of a recording (data/recordings/README.md): snapshots, each a line
 * "# snapshot CLOCK_MONOTONIC T0 T1" (read between T0 and T1 seconds), then /proc/buddyinfo
 * lines, then /proc/pagetypeinfo (skipped here), then (recorders since untraced page movements
 * are accounted) "# page_reporting reported_kib=N passes=N walked=N" and "# managed ZONE=N ...".
 * Read one snapshot at a time. Every line between a header and "Page block order:" must be a
 * zone of node 0 the model has a type for, each zone once, all with the same number of orders:
 * anything else is "FILE:LINE: reason", never a zone left out. */
#ifndef BSERIES_H
#define BSERIES_H

#include <stdio.h>

#include "workloads/diag.h"
#include "workloads/state/lineread.h"
#include "core/phys/snapcheck.h"

struct bseries {
	FILE *f;
	struct lineread lr;
	bool pending; /* lr.buf holds the next snapshot's header */
};

int bseries_open(struct bseries *s, const char *path, struct mm_diag *d);
/* The next snapshot: 1, 0 at the end, or -EINVAL with "path:line: reason". */
int bseries_next(struct bseries *s, struct snapshot *out, struct mm_diag *d);
void bseries_close(struct bseries *s);

#endif
