/* The address-space model's option parsing shared by the commands (--populate) and a readable
 * report of what a replay did. */
#ifndef VMA_CSV_H
#define VMA_CSV_H

#include <stdio.h>

#include "sim.h"

/* "none" -> false, "all" -> true; 0 or -EINVAL. */
int vma_populate_parse(const char *s, bool *populate);

/* Replayed calls per kind, calls skipped because they failed in the trace, model errors, and
 * the do_munmap step counters, one "name value" per line. */
void vma_print_stats(FILE *f, const struct sim *s);

#endif
