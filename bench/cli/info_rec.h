/* mmreplay info on a recording directory: what it holds beside its trace (info_rec.c). */
#ifndef INFO_REC_H
#define INFO_REC_H

#include <stdio.h>

#include "workloads/state/recording.h"

/* The directory's files, snapshots and their times, and what perf lost, to o. 0, or -errno with
 * d (a series file that cannot be read). */
int info_recording(const struct recording *rec, FILE *o, struct mm_diag *d);

#endif
