/* Suite files: what `mmreplay suite` runs. An ini file (iniread.h) naming traces (files,
 * or gen: workloads with parameters), setting axes whose cartesian product is the matrix of
 * configurations (matrix.h), and repeats. The format is documented in bench/suites/README.md. */
#ifndef SUITE_H
#define SUITE_H

#include "workloads/diag.h"
#include "bench/run/matrix.h"
#include "workloads/task_table.h"

#define SUITE_MAX_TRACES 256
#define SUITE_TRACE_MAX 4096 /* bytes of a trace path, as PATH_MAX, with its NUL */

struct suite {
	char name[64];	    /* [suite] name, default: the file name without .ini */
	unsigned repeats;   /* [suite] repeats, default 1: host metrics get min/median/max */
	u64 sample_every;   /* [suite] sample_every, 0 = about 1000 points per replay */
	bool every_cell;    /* [suite] every_cell: run the cells whose axes do not apply too */
	char workload[300]; /* [suite] workload: a task spec (task_table.h), "" the default */
	size_t ntraces;
	char traces[SUITE_MAX_TRACES]
		   [SUITE_TRACE_MAX]; /* paths (${data} expanded, relative to the file) or gen:... */
	/* [traces] axes = AXIS=V1,V2 AXIS=V ... after a trace line: that trace runs only these
	 * values of these axes (each a subset of the axis's values; checked when the file is
	 * loaded). "" for none. */
	char trace_axes[SUITE_MAX_TRACES][256];
	struct matrix axes; /* [axes]: any setting of the registry (settings.h), in file order; later
			     * cells vary the last axis fastest */
};

/* Parse path. ${data} in trace lines expands to data_dir; relative trace paths are taken
 * relative to the suite file's directory. 0, or -EINVAL with "FILE:LINE: reason". */
int suite_load(const char *path, const char *data_dir, struct suite *s, struct mm_diag *d);
/* Parse from a string (tests); name is used in diagnostics. */
int suite_load_string(const char *text, const char *name, const char *data_dir, struct suite *s,
		      struct mm_diag *d);

/* Whether trace ti may run value v of setting set (its restriction allows it, or it has none). */
/* A suite name results/NAME can be: a short word, no '/', blanks, commas or control bytes,
 * not '.' or '..' and not starting with '-'. */
bool suite_name_ok(const char *name);
/* Trace ti's label (trace_label.h): its name without extensions, with directories added where
 * traces of the suite share one, so no two traces' rows, time series or graphs merge. */
void suite_trace_label(const struct suite *s, size_t ti, char *buf, size_t len);
bool suite_trace_allows(const struct suite *s, size_t ti, const struct setting *set, const char *v);

static inline size_t suite_nconfigs(const struct suite *s)
{
	return matrix_size(&s->axes);
}
static inline size_t suite_ncells(const struct suite *s)
{
	return s->ntraces * suite_nconfigs(s);
}

#endif
