/* Event accounting: every event a machine is given lands in exactly one outcome:
 * replayed, failed (the model could not do what the kernel did), or skipped for one named
 * reason. Defined here once, per event kind; the flat view (sim_stats.h) copies the table and
 * the metrics registry shows its totals, so the columns add up to `events`.
 *
 * The outcome is read from the models' own counters around the event (which counter moved),
 * so no model needs to know about this table. The table also holds the trace's identity: a
 * hash of every event given, so rows of two different traces are never taken for one. */
#ifndef SIM_ACCT_H
#define SIM_ACCT_H

#include "mm_event.h"

enum sim_outcome {
	SIM_REPLAYED,		/* applied to the model */
	SIM_FAILED,		/* the model could not (exhaustion, a call the model refused) */
	SIM_SKIP_TRACED_FAILED, /* the kernel's own call failed: nothing to replay */
	SIM_SKIP_UNMATCHED,	/* a free or unmap with nothing live to free in the model */
	SIM_SKIP_DUPLICATE,	/* an allocation of a traced address still live (its free is missing) */
	SIM_SKIP_BAD_FLAGS,	/* GFP_DMA and GFP_DMA32 together */
	SIM_SKIP_OUT_OF_RANGE,	/* an order above the zone's max_order, a block the layout cannot hold */
	SIM_SKIP_NO_ZONE,	/* a traced pfn in no zone of the layout */
	SIM_SKIP_OTHER_MODE,	/* belongs to another page mode (buddy-level events, per-CPU moves) */
	SIM_SKIP_TRACE_FACT,	/* a fact the model compares with, not a request (tlb_flush, ...) */
	SIM_SKIP_BAD_EVENT,	/* impossible: an unknown kind, a fork naming its own pid */
	SIM_SKIP_MEM_LIMIT,	/* the model's memory limit (setting model-mem-max) stopped it */
	SIM_SKIP_IN_STATE,	/* a page event before the page state's time: already in it */
	SIM_OUTCOMES
};

/* Short names ("replayed", "failed", "traced_failed", ...): skip reasons are columns
 * skipped_NAME (bench/out/metrics_events.c describes them). */
extern const char *const sim_outcome_names[SIM_OUTCOMES];

#define SIM_ACCT_KINDS (MME_NR_KINDS + 1) /* the last row: kinds the build does not know */
#define SIM_ACCT_PROBES 8

struct sim_acct {
	u64 n[SIM_ACCT_KINDS][SIM_OUTCOMES]; /* events by kind and outcome; sums to sim.events */
	u64 lane[4];			     /* the trace's identity, mixed from every event given */
	u64 given;			     /* events given, before --from skips too */
};

/* Which counters to watch around one event, and what each means when it moves. */
struct sim_acct_probe {
	const u64 *c[SIM_ACCT_PROBES];
	u64 v[SIM_ACCT_PROBES];
	u8 out[SIM_ACCT_PROBES];
	u8 n, dflt; /* dflt: the outcome when no counter moved */
};

struct sim;
/* Mix ev into the trace identity (every event given, in order). */
void sim_acct_hash(struct sim_acct *a, const struct mm_event *ev);
/* The identity of the events given so far: 0 when none. */
u64 sim_acct_trace_id(const struct sim_acct *a);
/* Before routing ev: note the counters that will say its outcome. */
void sim_acct_begin(const struct sim *s, const struct mm_event *ev, struct sim_acct_probe *p);
/* After routing: count ev under the outcome of the first counter that moved. */
void sim_acct_end(struct sim *s, const struct mm_event *ev, const struct sim_acct_probe *p);
/* Count ev under outcome o directly. */
void sim_acct_count(struct sim_acct *a, const struct mm_event *ev, enum sim_outcome o);
/* Totals over the kinds: out[o] for every outcome. */
void sim_acct_totals(const struct sim_acct *a, u64 out[SIM_OUTCOMES]);

#endif
