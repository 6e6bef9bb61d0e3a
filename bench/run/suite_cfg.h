/* What a suite's cells are made of: a configuration (the suite's axis values applied to the
 * replay defaults) and a trace (a file in any readable format, or a gen: workload built in
 * memory). Both are validated before anything runs. */
#ifndef SUITE_CFG_H
#define SUITE_CFG_H

#include "sim.h"
#include "suite.h"
#include "trace.h"

/* Apply configuration c's axis values on top of sim_cfg_default(). 0, or -EINVAL with a
 * reason in err ("axis vmlist: unknown 'x' (list, rbtree, augmented)"). */
int suite_cfg_build(const struct suite *s, size_t c, struct sim_cfg *cfg, char *err, size_t errlen);
/* "lifo/augmented/lazy": the values of the axes that vary, joined by '/' (every axis when none
 * varies; "default" with no axes). */
void suite_cfg_label(const struct suite *s, size_t c, char *buf, size_t len);

/* Load trace spec (a path, or "gen:NAME key=value ..."). 0, or -errno with d set. */
int suite_trace_load(const char *spec, struct mm_trace *t, struct mm_diag *d);
/* Short file-name-safe label: a file's base name without .txt/.zst/.dat, or the generator
 * name with its parameters ("long_busy_list-loops=2000"). */
void suite_trace_label(const char *spec, char *buf, size_t len);

#endif
