/* Which cells of a suite run. An axis applies to a trace only when its setting can change that
 * trace's replay: the setting's facets (settings.h: vmap events, page events, process calls...)
 * must be among those the trace exercises under the cell's configuration. A cell whose value of
 * a non-applying axis is not the axis's representative (the setting's default when listed, else
 * the first value the trace allows) is skipped: it would repeat the representative's model
 * results. A suite file may also restrict an axis per trace ([traces] axes = ...). Cells keep
 * their index in the whole matrix (trace-major), so --job K names the same cell either way. */
#ifndef SUITE_AXES_H
#define SUITE_AXES_H

#include <stdio.h>

#include "bench/run/suite.h"

struct suite_trace_info {
	char label[128];
	u64 kind[MME_NR_KINDS]; /* events per kind */
	u64 events;
	size_t cells_run;
};

struct suite_plan {
	size_t ntraces, nconfigs;
	bool every_cell;	     /* skipping off: every cell runs */
	struct suite_trace_info *tr; /* [ntraces] */
	u8 *runs;		     /* [ti * nconfigs + c]: 1 when the cell runs */
};

/* Read every trace once (streamed, trace_spec_stats) for its event counts and decide each cell.
 * 0, or -errno with d set. */
int suite_plan_build(const struct suite *s, bool every_cell, struct suite_plan *p, struct mm_diag *d);
/* The same from counts already known (tests; kind[ti][k]). 0 or -ENOMEM. */
int suite_plan_from_counts(const struct suite *s, bool every_cell, const u64 (*kind)[MME_NR_KINDS],
			   struct suite_plan *p);
void suite_plan_free(struct suite_plan *p);
static inline bool suite_plan_runs(const struct suite_plan *p, size_t cell)
{
	return p->every_cell || p->runs[cell];
}
size_t suite_plan_ncells_run(const struct suite_plan *p);
/* The longest trace label, at least 5: the width of a table's trace column. */
int suite_plan_width(const struct suite_plan *p);
/* Why cell does not run ("vmlist does not apply: the trace has no vmap events (runs augmented)"),
 * or "" when it runs. */
void suite_plan_why(const struct suite *s, const struct suite_plan *p, size_t cell, char *buf, size_t len);
/* One line per trace with skipped cells: how many, and which axes did not apply. */
void suite_plan_print(const struct suite *s, const struct suite_plan *p, FILE *f);
/* DIR/traces.csv (per trace: its line, event counts by facet, the axes that apply, cells run)
 * and DIR/skipped.csv (trace,config,reason per skipped cell). 0, or -errno after a message. */
int suite_plan_write(const struct suite *s, const struct suite_plan *p, const char *dir);

#endif
