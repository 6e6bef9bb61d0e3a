/* Event accounting: every event a machine is given lands in exactly one outcome:
 * replayed, failed (the model could not do what the kernel did), or skipped for one named
 * reason. Defined here once, per event kind; the flat view (sim_stats.h) copies the table and
 * the metrics registry shows its totals, so the columns add up to `events`.
 *
 * The outcome is read from the models' own counters around the event (which counter moved),
 * so no model needs to know about this table. The table also holds the trace's identity: a
 * hash of every event given, so rows of two different traces are never taken for one. */
#ifndef SIM_OUTCOME_H
#define SIM_OUTCOME_H

#include "core/mm_event.h"

enum sim_outcome {
	SIM_REPLAYED,		/* applied to the model */
	SIM_FAILED,		/* the model could not (exhaustion, a call the model refused) */
	SIM_NOTED,		/* the recording's notes, not memory work: task records, lost marks */
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
 * skipped_NAME (bench/output/metrics_events.c describes them). */
extern const char *const sim_outcome_names[SIM_OUTCOMES];

#define SIM_OUTCOME_KINDS (MME_NR_KINDS + 1) /* the last row: kinds the build does not know */
#define SIM_OUTCOME_PROBES 8

struct sim_outcomes {
	u64 n[SIM_OUTCOME_KINDS][SIM_OUTCOMES]; /* events by kind and outcome; sums to sim.events */
	u64 lane[4];				/* the trace's identity, mixed from every event given */
	u64 given;				/* events given, before --from skips too */
};

/* Which counters to watch around one event, and what each means when it moves. */
struct sim_outcome_probe {
	const u64 *c[SIM_OUTCOME_PROBES];
	u64 v[SIM_OUTCOME_PROBES];
	u8 out[SIM_OUTCOME_PROBES];
	u8 n, dflt; /* dflt: the outcome when no counter moved */
};

struct sim;
/* Mix ev into the trace identity (every event given, in order). */
void sim_outcome_hash(struct sim_outcomes *a, const struct mm_event *ev);
/* The identity of the events given so far: 0 when none. */
u64 sim_outcome_trace_id(const struct sim_outcomes *a);
/* Before routing ev: note the counters that will say its outcome. */
void sim_outcome_begin(const struct sim *s, const struct mm_event *ev, struct sim_outcome_probe *p);
/* After routing: count ev under the outcome of the first counter that moved. */
void sim_outcome_end(struct sim *s, const struct mm_event *ev, const struct sim_outcome_probe *p);
/* Count ev under outcome o directly. */
void sim_outcome_count(struct sim_outcomes *a, const struct mm_event *ev, enum sim_outcome o);
/* Totals over the kinds: out[o] for every outcome. */
void sim_outcome_totals(const struct sim_outcomes *a, u64 out[SIM_OUTCOMES]);

#endif
