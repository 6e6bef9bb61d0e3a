/* Labels that tell a run's traces apart: the CSV trace column, a suite's time-series
 * and graph file names and the report all name a trace by its label, so two different traces of
 * one run must never share one. A trace's label is its base label (replay: the file name;
 * suite: trace_spec_label, the name without extensions or a generator with its parameters);
 * when traces of different files share a base label, each gets its nearest directories until
 * they differ ("t.zst~dir1", "t.zst~dir2"; "t~a~x" for a/x/t.zst against b/x/t.zst). The same
 * file named twice (t.zst, ./t.zst) keeps one label. A label still equal to another trace's
 * gets "~2", "~3" in the order given. Deterministic: a function of the list alone. */
#ifndef TRACE_LABEL_H
#define TRACE_LABEL_H

#include <stddef.h>

#define TRACE_LABEL_MAX 128

enum trace_label_style {
	TRACE_LABEL_FILE, /* the file name as it is (replay) */
	TRACE_LABEL_SPEC, /* trace_spec_label (suite) */
};

/* labels[i] for specs[i], i < n. 0, or -ENOMEM. */
int trace_labels(const char *const *specs, size_t n, enum trace_label_style style,
		 char (*labels)[TRACE_LABEL_MAX]);

#endif
