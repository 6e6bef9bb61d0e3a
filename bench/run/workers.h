/* Jobs on worker threads, their results taken in job order: jobs 0..n-1 start in index order on
 * N threads; the calling thread takes each result (done) in index order, so whatever it writes
 * comes out as with one worker. Job j starts only once job j - window has been taken: at most
 * window results wait, whatever the number of jobs. The pool shares nothing with the jobs but
 * their indices; a job's state is its own (its own machine, its own reader). */
#ifndef WORKERS_H
#define WORKERS_H

#include <stddef.h>

#include "core/mm_types.h"

#define WORKERS_MAX 256
#define WORKERS_TICK_MS 200

struct workers_ops {
	/* On a worker thread (worker: 0..nworkers-1): 0 or -errno. */
	int (*run)(void *ctx, size_t job, unsigned worker);
	/* On the calling thread, in job order, once job has run with result err. Non-zero stops the
	 * run: no job starts after it, and it is returned. */
	int (*done)(void *ctx, size_t job, int err);
	/* On the calling thread for a job that ran but is not taken because the run stopped, or
	 * NULL: release what it holds. */
	void (*drop)(void *ctx, size_t job);
	/* On the calling thread about every WORKERS_TICK_MS while it waits (progress), or NULL. */
	void (*tick)(void *ctx);
	void *ctx;
};

/* Run njobs jobs on nworkers threads (1..WORKERS_MAX; never more than njobs) with at most window
 * (>= 1) results waiting. 0, the first non-zero done(), or -errno when no thread starts. */
int workers_run(size_t njobs, unsigned nworkers, size_t window, const struct workers_ops *ops);

/* The CPUs this process may run on (its affinity mask), at least 1: the default -j. */
unsigned workers_online(void);

#endif
