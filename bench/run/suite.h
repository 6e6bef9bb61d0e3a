/* Suite files: what `mmreplay suite` runs. An ini file (parsed by inih) naming traces (files,
 * or gen: workloads with parameters), variant axes whose cartesian product is the matrix of
 * configurations, and repeats. The format is documented in bench/suites/README.md. */
#ifndef SUITE_H
#define SUITE_H

#include "diag.h"
#include "mm_types.h"

#define SUITE_MAX_TRACES 64
#define SUITE_MAX_AXES 16
#define SUITE_MAX_VALUES 16

struct suite_axis {
	char key[24]; /* "buddy", "vmlist", ... (one of suite_axis_names) */
	size_t n;     /* values, >= 1 */
	char val[SUITE_MAX_VALUES][128];
};

struct suite {
	char name[64];	  /* [suite] name, default: the file name without .ini */
	unsigned repeats; /* [suite] repeats, default 1: host metrics get min/median/max */
	u64 sample_every; /* [suite] sample_every, 0 = about 1000 points per replay */
	size_t ntraces;
	char traces[SUITE_MAX_TRACES][512]; /* paths (${data} expanded, relative to the file) or gen:... */
	size_t naxes;
	struct suite_axis axes[SUITE_MAX_AXES]; /* in file order; later cells vary the last axis fastest */
};

/* NULL-terminated list of the axis keys a suite may use. */
extern const char *const suite_axis_names[];

/* Parse path. ${data} in trace lines expands to data_dir; relative trace paths are taken
 * relative to the suite file's directory. 0, or -EINVAL with "FILE:LINE: reason". */
int suite_load(const char *path, const char *data_dir, struct suite *s, struct mm_diag *d);
/* Parse from a string (tests); name is used in diagnostics. */
int suite_load_string(const char *text, const char *name, const char *data_dir, struct suite *s,
		      struct mm_diag *d);

size_t suite_nconfigs(const struct suite *s);
static inline size_t suite_ncells(const struct suite *s)
{
	return s->ntraces * suite_nconfigs(s);
}
/* The value of axis a in configuration c (0 <= c < suite_nconfigs). */
const char *suite_value(const struct suite *s, size_t c, size_t a);
/* Value of the axis named key in configuration c, or NULL when the suite has no such axis. */
const char *suite_lookup(const struct suite *s, size_t c, const char *key);

#endif
