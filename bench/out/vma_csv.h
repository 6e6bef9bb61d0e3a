/* The address-space model's columns for the replay summary CSV, its option parsing shared by
 * the commands (--vma, --populate), and a readable report of what a replay did. */
#ifndef VMA_CSV_H
#define VMA_CSV_H

#include <stdio.h>

#include "sim.h"

/* "vma,munmap_calls,find_vma_visits,vma_splits,vma_merges,vmas_detached,vmas_peak,
 * mm_tlb_flush_range,mm_tlb_flush_pages,mm_pgtable_pages_free" (no leading or trailing comma;
 * the same names as the vma block of replay_columns.c, mm_ keeping the processes' flushes and
 * table pages apart from the kernel-side vmalloc columns). */
void vma_csv_header(FILE *f);
/* The same columns for s (the vma column is s->cfg.vma's name). */
void vma_csv_row(FILE *f, const struct sim *s);

/* "none" -> false, "all" -> true; 0 or -EINVAL. */
int vma_populate_parse(const char *s, bool *populate);

/* Replayed calls per kind, calls skipped because they failed in the trace, model errors, and
 * the do_munmap step counters, one "name value" per line. */
void vma_print_stats(FILE *f, const struct sim *s);

#endif
