/* The one replay loop: events from a source, in batches, through a machine (struct sim), with an
 * optional sampler called every N events (time series) and per-event latencies. Everything that
 * replays events goes through run_events(): `replay`, a suite's sampled and timed passes,
 * test_vmalloc and `bench replay`. No globals: runs may go on in several threads at once, each
 * with its own machine and source. */
#ifndef RUN_H
#define RUN_H

#include "bench/host/histo.h"
#include "bench/host/run_host.h"
#include "core/machine/sim.h"

/* Where events come from, a batch at a time: a loaded trace, a generator, a streamed file. */
struct run_source {
	/* The next batch: 0 with *ev and *n (n == 0 at the end), or -errno. The batch stays valid
	 * until the next call. */
	int (*next)(void *ctx, const struct mm_event **ev, size_t *n);
	void *ctx;
};

/* A source over one array, handed out as a single batch. */
struct run_array {
	const struct mm_event *ev;
	size_t n;
	bool done;
};
struct run_source run_source_array(struct run_array *a, const struct mm_event *ev, size_t n);

/* A source streaming a trace reader (trace.h) in batches of RUN_BATCH events: memory stays
 * flat whatever the trace's length. A read error is returned by next() with the reader's
 * diagnostic in trace_diag(). */
#define RUN_BATCH 4096
struct trace_reader;
struct run_stream {
	struct trace_reader *r;
	struct mm_event buf[RUN_BATCH];
};
struct run_source run_source_reader(struct run_stream *st, struct trace_reader *r);

struct run_sampler {
	u64 every; /* sample before event i when i % every == 0, and once after the last event */
	/* Called with the machine, the events replayed so far and the clock; non-zero stops. */
	int (*sample)(void *ctx, const struct sim *s, u64 event, const struct run_clock *c);
	void *ctx;
	/* RUN_LAT_NR histograms to record each event's host ns into, or NULL. With a sampler or
	 * histograms every event is timed (the sampled pass); without, the loop is bare. */
	struct histo *lat;
	/* Called before each event whose ts_ns is at least *due (every event when due is NULL): a
	 * check due at a trace time, say; the hook moves *due on. NULL: none. Non-zero stops. */
	int (*before)(void *ctx, const struct sim *s, const struct mm_event *ev);
	const u64 *due;
};

struct run_result {
	u64 events; /* events replayed */
	u64 ns;	    /* wall time of the loop (CLOCK_MONOTONIC), less the time the source took */
	u64 cpu_ns; /* CPU time of the same (this thread): what one core spent */
};

/* Replay src on s, adding to *r. smp may be NULL. 0, or the first -errno of the source, the
 * machine (host failure) or the sampler. */
int run_events(struct sim *s, const struct run_source *src, const struct run_sampler *smp,
	       struct run_result *r);

/* The same loop a batch at a time, for a caller that hands batches to several machines in turn
 * (lockstep.h): run_begin, run_step per batch (until one fails), run_end. run_events is
 * run_begin + run_steps + run_end. Each step times itself: ns and cpu_ns are this machine's
 * own time, not the source's nor the other machines'. */
struct run_wl;
struct run_step {
	struct sim *s;
	const struct run_sampler *smp; /* may be NULL */
	/* The workload counted beside the machine (run_workload.h), set after run_begin; NULL:
	 * none. Only an untimed loop (no sampler, no histograms) counts it. */
	struct run_wl *wl;
	bool sampled, timed, hooked;
	u64 every, pos, next; /* the sample period; events replayed; the next sample point */
	struct run_clock clock;
	u64 ns, cpu_ns; /* inside run_step so far */
};
void run_begin(struct run_step *st, struct sim *s, const struct run_sampler *smp);
/* ev[0..n) through the machine: 0 or -errno (then no more steps). */
int run_step(struct run_step *st, const struct mm_event *ev, size_t n);
/* Every batch of src through run_step: 0, or the source's or the machine's -errno. */
int run_steps(struct run_step *st, const struct run_source *src);
/* After the last step (err: its error, or the source's): the final sample (not timed);
 * adds to *r. 0 or the first -errno (err first). */
int run_end(struct run_step *st, int err, struct run_result *r);

#endif
