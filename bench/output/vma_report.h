/* A readable report of what the address-space model did in a replay (`mmreplay maps --stats`). */
#ifndef VMA_REPORT_H
#define VMA_REPORT_H

#include <stdio.h>

#include "core/machine/sim_stats.h"

/* Replayed calls per kind, calls skipped because they failed in the trace, model errors, and
 * the do_munmap step counters, one "name value" per line. */
void vma_print_stats(FILE *f, const struct sim_stats *s);

#endif
