/* What a replay did to the process address spaces, for people: a report of replayed calls,
 * calls skipped because they failed in the trace, model errors and the do_munmap steps; and the
 * --populate option shared by the commands. (The replay CSV's vma columns live in
 * replay_columns.c with the other models'.) */
#ifndef VMA_REPORT_H
#define VMA_REPORT_H

#include <stdio.h>

#include "sim.h"

/* "none" -> false, "all" -> true; 0 or -EINVAL. */
int vma_report_parse_populate(const char *s, bool *populate);

/* One "name value" per line. */
void vma_report_print(FILE *f, const struct sim *s);

#endif
