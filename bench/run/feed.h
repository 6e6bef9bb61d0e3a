/* A trace made ready for passes: a trace spec (a file in any format, or gen:NAME ...) read once
 * and never held. Text, trace.dat, compressed or piped input is parsed once: its events stay in
 * memory when they fit in a fixed window (mem_bytes), else go to an unlinked native spill file
 * (trace.h); a plain native file is read in place; a gen: workload is written once to an
 * unlinked native file. Each pass then reads the native events through its own bounded buffer
 * (or the window), so memory is the model state plus fixed windows whatever the trace's length.
 * When one pass suffices and no configuration takes a fact from the trace, the source is
 * streamed as it is, without a spill. A source read only once (a pipe) whose passes can go
 * together (lockstep) and that outgrows the window is not spilled either: its one pass gives
 * the window's events, then the rest of the source (feed_lockstep).
 *
 * What a configuration takes from the trace before its first event (struct sim_trace_facts: the
 * CPUs, the vmap nodes, the purge timing) and the trace's statistics (events per kind, ...) are
 * known when feed_open returns: from the spill's source pass where it has them, else from one
 * scan of the native events (sim_trace_facts.h). Passes may be opened from several threads at once. */
#ifndef FEED_H
#define FEED_H

#include "bench/run/run.h"
#include "workloads/trace/trace.h"

struct feed;

struct feed_opts {
	struct trace_opts topts; /* skip_bad, format; name is set from the spec */
	/* Passes the caller will make. 0: none, only the statistics and facts (one streamed scan,
	 * no spill); 1 without need_facts: the source is streamed by that one pass. */
	unsigned passes;
	bool need_facts;       /* a configuration takes something from the trace (feed_cfg_needs_facts) */
	const char *spill_dir; /* NULL: $TMPDIR, else /tmp */
	size_t mem_bytes;      /* a parsed trace whose events fit is kept in memory, not spilled */
	/* The caller can advance all its passes together over one pass, each of them a
	 * configuration's only one (lockstep.h). Then a source that cannot be read twice (stdin,
	 * a FIFO: not a regular file), whose events outgrow mem_bytes and with no configuration
	 * taking a fact from it, is read by one pass instead of spilled (feed_lockstep). */
	bool lockstep;
};

/* 0, or -errno with d set ("FILE:LINE: reason" for input errors). */
int feed_open(const char *spec, const struct feed_opts *o, struct feed **out, struct mm_diag *d);
void feed_close(struct feed *f);

/* The source's statistics: complete when feed_open returns, except for a streamed feed (one
 * pass, no facts), where they are complete once its pass is closed. */
const struct trace_stats *feed_stats(const struct feed *f);
/* Events a pass delivers; 0 while unknown (a streamed feed before its pass). */
u64 feed_events(const struct feed *f);
/* The trace's facts; a streamed feed (no configuration takes any) has the empty trace's. */
const struct sim_trace_facts *feed_facts(const struct feed *f);
/* Whether f gives one pass to be shared by all its passes' configurations (feed_opts.lockstep):
 * the events of the memory window, then the rest of the source. Its statistics, as for a
 * streamed feed, are complete once that pass is closed. */
bool feed_lockstep(const struct feed *f);
/* Whether configuration cfg takes anything from the trace (sim_cfg_for_trace changes it). */
bool feed_cfg_needs_facts(const struct sim_cfg *cfg);

/* One pass over the events: a run_source (run.h) on its own reader (or over the memory window).
 * Every batch handed out is added to *progress (atomically) when progress is not NULL. */
struct feed_pass {
	struct feed *f;
	struct trace_reader *r;	     /* NULL: the memory window */
	size_t at;		     /* in the memory window, read first */
	const struct mm_event *pend; /* a lockstep feed: r's batch that outgrew the window, next */
	size_t npend;
	u64 *progress;
};
/* 0, or -errno with d set. A streamed or lockstep feed gives one pass only (-EBUSY after it). */
int feed_pass_open(struct feed *f, struct feed_pass *p, u64 *progress, struct run_source *src,
		   struct mm_diag *d);
/* The reader's diagnostic after a source error. */
const struct mm_diag *feed_pass_diag(const struct feed_pass *p);
void feed_pass_close(struct feed_pass *p);

#endif
