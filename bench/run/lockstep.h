/* A trace's cells advanced together over one pass of its feed: for a source that can
 * be read only once and outgrows the memory window (feed_lockstep), every configuration's
 * machine is built first, then each batch of the one pass is handed to every machine in turn,
 * so the trace is never spilled. The worker that opened the trace reads the pass (cells.h);
 * the trace's other jobs, which would only wait for it, help: each machine of a batch (64 Ki
 * events) is stepped by whichever thread takes it first, and the next batch is read once every
 * machine has had this one. A machine thus sees its batches in order, one thread at a time.
 * Memory is the configurations' machines and results plus the feed's window. The results wait
 * here, beside the workers' window, until the trace's jobs take them over in cell order.
 * Deterministic: each machine sees the same events in the same order as in a pass of its own,
 * and times only its own steps (run.h), so its columns are what a pass of its own gives. */
#ifndef LOCKSTEP_H
#define LOCKSTEP_H

#include <pthread.h>

#include "bench/run/cells.h"
#include "bench/run/matrix.h"

/* The machines of a trace's configurations held at once, at most: their fixed memory summed
 * (sim_mem_fixed). `replay` spills a trace read once whose configurations take more. */
#define LOCKSTEP_FIXED_MAX (1ULL << 30)

struct lockstep {
	const struct cells_run *r; /* its begin, step, end, release and slot_size */
	size_t n;
	struct cells_job *jobs; /* the trace's cells in cell order, each with its slot in slots */
	char *slots;		/* n * slot_size */
	int *err;		/* [i]: cell i's result, as run would have returned it */
	bool *begun;		/* [i]: begin succeeded: end is owed */
	bool *taken;		/* [i]: the result was moved to a job's slot (release is the job's) */
	/* The batch being stepped, under mu: machines next..end-1 not taken yet, pending not done;
	 * err[] is written under mu too. over: the pass is done, helpers leave. */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a new batch, the last machine of one done, or over */
	const struct mm_event *ev;
	size_t nev, next, end, pending;
	bool over;
};

/* Whether the machines of every configuration of m may be held at once: their fixed memory
 * (sim_mem_fixed) summed is within LOCKSTEP_FIXED_MAX. A configuration that cannot be built
 * counts nothing (its cell fails alone). */
bool lockstep_fits(const struct matrix *m);
/* Take jobs[0..n) over (malloc'd; the trace's cells in cell order, filled but for their slots,
 * job->feed lockstep) and give each a slot. 0, or -ENOMEM (jobs freed). */
int lockstep_init(struct lockstep *ls, const struct cells_run *r, struct cells_job *jobs, size_t n);
/* Run them all over one pass of the feed: begin each, the pass, end each (on this thread). */
void lockstep_run(struct lockstep *ls);
/* On another thread, during lockstep_run: step machines of its batches until the pass is over. */
void lockstep_help(struct lockstep *ls);
/* Move cell i's result into slot (slot_size bytes): its err. Once per cell. */
int lockstep_take(struct lockstep *ls, size_t i, void *slot);
/* Release the results not taken (a stopped run) and free ls's arrays; NULL: nothing. */
void lockstep_free(struct lockstep *ls);

#endif
