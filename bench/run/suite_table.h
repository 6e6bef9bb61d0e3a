/* The short table a suite prints on stdout as its cells finish: one row per cell, a few
 * summary columns (each from the metrics registry), '-' where the trace cannot move the figure. */
#ifndef SUITE_TABLE_H
#define SUITE_TABLE_H

#include <stddef.h>

#include "bench/output/metrics.h"
#include "bench/run/suite.h"

/* The metric of column i, or NULL past the last (tests check each is in the registry). */
const char *suite_table_column(size_t i);
void suite_table_header(int width, int cwidth);
void suite_table_row(const struct metric_src *src, int width, int cwidth, u32 facets);
/* The config column's width: the longest configuration label of s, at least 6. */
int suite_table_config_width(const struct suite *s);
/* The trace column's width: the longest of labels[0..n), at least 5. */
int suite_table_label_width(char (*labels)[128], size_t n);

#endif
