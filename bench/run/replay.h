/* One replay: a trace's events driven through a freshly built machine (struct sim) with one
 * configuration, through the one loop (run.h), timed on the host. The row keeps the machine's
 * stats view and host measurements for the metrics registry (metrics.h), and the machine itself
 * for tests and reports until replay_row_fini. Parse once, replay many: callers load a trace
 * once and replay it per configuration. */
#ifndef REPLAY_H
#define REPLAY_H

#include "bench/run/matrix.h"
#include "bench/run/run.h"
#include "bench/run/run_workload.h"
#include "core/machine/sim_stats.h"
#include "bench/run/snapcheck_hook.h"

struct replay_row {
	const char *trace;     /* display name of the trace */
	struct sim *sim;       /* the machine after the last event; NULL after replay_row_fini */
	struct sim_stats st;   /* its view, SIM_STATS_FULL */
	struct run_host host;  /* the timed pass: events, ns, cpu_ns, peak RSS; repeats = 1 */
	struct run_wl_figs wl; /* the workload's share (the machine's own figures for every event) */
	/* with cfg.snapshots, one row per zone and snapshot compared (snapcheck_hook.h) */
	struct snapcheck_row *snap_rows;
	size_t nsnap_rows;
};

/* Build a machine from cfg and replay src (or ev[0..n), every event the workload) on it,
 * counting the workload wl's share (NULL or `all`: every event). 0, or -errno (host failure;
 * the row is left empty). */
int replay_run_src(const char *trace, const struct run_source *src, const struct sim_cfg *cfg,
		   const struct task_spec *wl, struct replay_row *row);
int replay_run(const char *trace, const struct mm_event *ev, size_t n, const struct sim_cfg *cfg,
	       struct replay_row *row);

/* The same replay a batch at a time (several machines over one pass, lockstep.h):
 * replay_begin builds the machine, replay_step gives it a batch (until one fails), replay_end
 * finishes it into row (err: the step's or the source's error, passed through). The state
 * points into itself: it must not move between replay_begin and replay_end. */
struct replay_step {
	struct sim *s;
	struct snapcheck_hook hook; /* the kernel's buddyinfo snapshots as the trace passes */
	struct run_sampler smp;
	struct run_step run;
	struct run_wl *wl; /* NULL: the workload is every event */
};
/* 0 or -errno; wl as replay_run_src's */
int replay_begin(struct replay_step *rs, const struct sim_cfg *cfg, const struct task_spec *wl);
int replay_step(struct replay_step *rs, const struct mm_event *ev, size_t n);
/* 0 with row filled, or -errno (err first; the row is left empty). The machine is released
 * either way when the row is not filled. */
int replay_end(struct replay_step *rs, int err, const char *trace, struct replay_row *row);
void replay_row_fini(struct replay_row *row);
/* Release the machine only; the row keeps its view and host figures (many rows waiting to be
 * written, say). */
void replay_row_drop_machine(struct replay_row *row);

/* Configuration c of m for a trace whose facts are tf (sim_trace_facts): what the settings leave
 * to the trace (the CPUs, the purge timing, the vmap nodes) taken from it (sim_cfg_for_trace).
 * 0, or -EINVAL with the reason in err. */
int replay_cfg(const struct matrix *m, size_t c, const struct sim_trace_facts *tf, struct sim_cfg *cfg,
	       char *err, size_t len);

#endif
