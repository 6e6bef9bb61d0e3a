/* Cells (a trace on a configuration) run on worker threads (workers.h), their results written in
 * cell order: what `replay` (every configuration of every trace) and `suite` (every cell of its
 * matrix) do. The first cell of a trace to start opens the trace once (feed.h: spilled or
 * streamed, its facts and statistics found) while the other cells of that trace wait for it;
 * the trace is closed when its last cell has been written. The caller says how to run a cell
 * (on a worker: its own machine, its own passes over the feed) and how to write one (on the
 * calling thread, in order). Progress of the whole run goes to stderr on a terminal
 * (progress.h) and is erased around everything written, so it never ends up in the output.
 * A trace read only once that outgrows the memory window (feed_lockstep), when the caller can
 * run a cell in steps, is not spilled: the worker that opens it advances all its cells together
 * over its one pass, the trace's other jobs helping while they wait (lockstep.h), and the
 * trace's jobs then take their results over. */
#ifndef CELLS_H
#define CELLS_H

#include "bench/run/feed.h"
#include "bench/run/progress.h"

/* Parsed traces kept in memory rather than spilled, at most, over the traces open at once (up
 * to 4 per worker: the results that may wait): 64 MiB (a million events) a trace with -j2. */
#define CELLS_MEM_BYTES ((size_t)512 << 20)

struct cells_job {
	size_t cell; /* trace * nconfigs + config */
	size_t trace, config;
	struct feed *feed; /* the trace, open */
	void *slot;	   /* the caller's result (slot_size bytes, zeroed before run) */
	unsigned worker;   /* 0..workers-1 */
	u64 *progress;	   /* hand it to feed_pass_open */
	const char *label; /* the trace's display name (its base name) */
};

struct cells_run {
	const char *cmd; /* "replay": messages say "mmreplay replay: ..." */
	size_t ntraces, nconfigs;
	const char *(*spec)(void *ctx, size_t trace); /* a trace's spec: a path, "-", or gen:... */
	/* On the worker that opens a trace, once, before its feed: the source to read (a
	 * recording directory's trace file, say), or NULL with d set. NULL hook: the spec. */
	const char *(*prepare)(void *ctx, size_t trace, struct mm_diag *d);
	/* After the last cell of a trace prepare succeeded on (any thread); NULL: nothing. */
	void (*unprepare)(void *ctx, size_t trace);
	const size_t *cells;	 /* the cells to run, ascending; NULL: cells 0..ncells-1 */
	size_t ncells;		 /* of them (ntraces * nconfigs for all) */
	unsigned passes;	 /* passes each cell makes over its trace (1 + repeats, say) */
	bool need_facts;	 /* feed_cfg_needs_facts of some configuration */
	size_t mem_bytes;	 /* the memory window of the traces open at once; 0: CELLS_MEM_BYTES */
	struct trace_opts topts; /* how traces are read */
	unsigned workers;	 /* threads; 0: workers_online() */
	size_t slot_size;
	/* On a worker: run job (the feed is open). 0 or -errno (the caller's slot says why). */
	int (*run)(void *ctx, const struct cells_job *job);
	/* Optional, all three or none: run as a sequence of steps on a worker, for traces whose
	 * cells advance together (lockstep.h; only with passes == 1). begin: build job's machine,
	 * 0 or -errno (the slot says why; no end then); step: a batch of events, 0 or -errno (no
	 * more steps then); end: finish with err (the cell's step error, or the source's with its
	 * diagnostic d, or 0): what run would return. The slot must not move from begin to end. */
	int (*begin)(void *ctx, const struct cells_job *job);
	int (*step)(void *ctx, const struct cells_job *job, const struct mm_event *ev, size_t n);
	int (*end)(void *ctx, const struct cells_job *job, int err, const struct mm_diag *d);
	/* On the calling thread, in cell order: write job's result (err: what run returned).
	 * Non-zero stops the run and is returned. */
	int (*emit)(void *ctx, const struct cells_job *job, int err);
	/* On the calling thread, for a job whose trace could not be read (msg: why), instead of
	 * emit; the run stops after it. NULL: nothing. */
	void (*unread)(void *ctx, const struct cells_job *job, const char *msg);
	/* After emit, or for a result not written because the run stopped; NULL: nothing. */
	void (*release)(void *ctx, const struct cells_job *job);
	/* On the calling thread before the first emit of a trace; NULL: nothing. */
	void (*opened)(void *ctx, size_t trace, const struct feed *f);
	void *ctx;
	struct progress *progress; /* NULL: none */
};

/* 0; the first non-zero emit; or -errno: a trace that cannot be read (after "mmreplay CMD:
 * FILE:LINE: reason" on stderr), or no thread. */
int cells_run(const struct cells_run *r);

#endif
