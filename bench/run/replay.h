/* One replay: a loaded trace's events driven through a freshly built machine (struct sim)
 * with one configuration, timed on the host. The finished machine stays alive in the row so
 * the column table (replay_columns.c) can read any model's counters; replay_row_fini frees it.
 * Parse once, replay many: callers load a trace once and replay it per configuration. */
#ifndef REPLAY_H
#define REPLAY_H

#include <stdio.h>

#include "sim.h"

struct replay_row {
	const char *trace; /* display name of the trace (its file name) */
	struct sim *sim;   /* the machine after the last event; its cfg names the variants */
	u64 events;	   /* events replayed */
	u64 host_ns;	   /* wall time of the event loop alone (CLOCK_MONOTONIC) */
	u64 host_cpu_ns;   /* CPU time of the same loop (CLOCK_THREAD_CPUTIME_ID): on a shared
			    * machine, what one core spent, without the time others ran */
	u64 host_rss;	   /* peak RSS of the process after the replay, bytes */
};

/* Build a machine from cfg and replay ev[0..n) on it. 0, or -errno (host failure; the row
 * is left empty). */
int replay_run(const char *trace, const struct mm_event *ev, size_t n, const struct sim_cfg *cfg,
	       struct replay_row *row);
void replay_row_fini(struct replay_row *row);

/* The configurations to replay: the cartesian product of the listed variants (vmlist
 * fastest), on top of base (levels, cpus, page mode, zone). */
#define REPLAY_MAX_VARIANTS 8
struct replay_matrix {
	const struct vmlist_ops *vmlist[REPLAY_MAX_VARIANTS];
	const struct tlb_policy_ops *tlb[REPLAY_MAX_VARIANTS];
	const struct buddy_policy_ops *buddy[REPLAY_MAX_VARIANTS];
	int nvmlist, ntlb, nbuddy;
	/* --- vma (issue 5): VMA index variants; default maple alone --- */
	const struct vma_index_ops *vma[REPLAY_MAX_VARIANTS];
	int nvma;
	struct sim_cfg base; /* base.ncpus 0: each trace's own CPU count (sim_trace_ncpus) */
};

/* Every variant of each family, default base configuration. */
void replay_matrix_default(struct replay_matrix *m);
/* Set one axis from a comma-separated list ("list,rbtree" or "all"): key is "vmlist", "tlb",
 * "buddy" or "vma". 0, or -EINVAL with a message in err. */
int replay_matrix_set(struct replay_matrix *m, const char *key, const char *csv, char *err, size_t errlen);
size_t replay_matrix_size(const struct replay_matrix *m);
/* Configuration i (0 <= i < size) with ncpus filled for the trace ev[0..n). */
void replay_matrix_cfg(const struct replay_matrix *m, size_t i, const struct mm_event *ev, size_t n,
		       struct sim_cfg *cfg);

/* A column of the replay CSV: a name and how to print its value for a row. host columns
 * are measurements (prefixed host_); every other column is a deterministic model result. */
struct replay_column {
	const char *name;
	bool brief; /* shown in the stdout table too */
	void (*fmt)(const struct replay_row *r, char *buf, size_t len);
};

extern const struct replay_column replay_columns[]; /* terminated by a NULL name */

void replay_csv_header(FILE *f);
void replay_csv_row(FILE *f, const struct replay_row *r);

#endif
