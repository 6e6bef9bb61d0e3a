/* A suite's traces: a file in any readable format, or a gen: workload built in memory. */
#ifndef SUITE_CFG_H
#define SUITE_CFG_H

#include "sim.h"
#include "suite.h"
#include "trace.h"

/* Load trace spec (a path, or "gen:NAME key=value ..."). 0, or -errno with d set. */
int suite_trace_load(const char *spec, struct mm_trace *t, struct mm_diag *d);
/* Short file-name-safe label: a file's base name without .txt/.zst/.dat, or the generator
 * name with its parameters ("long_busy_list-loops=2000"). */
void suite_trace_label(const char *spec, char *buf, size_t len);

#endif
