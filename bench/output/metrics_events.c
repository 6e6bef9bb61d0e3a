/* Metrics of what became of every event (core/machine/sim_outcome.h) and of the model's memory
 * (core/machine/sim_mem.h): every event given lands in exactly one of events_replayed,
 * events_failed and the skipped_REASON columns, so they add up to `events`. */
#include "bench/output/metric_fmt.h"

static void m_outcome(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->outcome[m->arg]);
}

/* every reason together */
static void m_skipped(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	u64 t = 0;
	for (unsigned o = SIM_SKIP_TRACED_FAILED; o < SIM_OUTCOMES; o++)
		t += s->st->outcome[o];
	metric_u64(b, n, t);
}

#define OUTCOME(name, flags, o, desc)                                                                        \
	M_FN(name, "events", METRIC_MODEL, METRIC_IN_ROWS | (flags), m_outcome, o, desc)
#define SKIP(reason, o, desc) OUTCOME("skipped_" reason, 0, o, "skipped: " desc)

const struct metric metrics_events[] = {
	OUTCOME("events_replayed", METRIC_BRIEF, SIM_REPLAYED, "events applied to the model"),
	OUTCOME("events_failed", 0, SIM_FAILED,
		"events the model could not apply: an allocation it could not serve, a call that succeeded "
		"in the trace but not in the model, a kmap that would sleep"),
	OUTCOME("events_noted", 0, SIM_NOTED,
		"the recording's notes, not memory work: task records (the tasks alive at the start, fork, "
		"exec, exit, renames, cgroup names: who did the work) and perf's lost-event marks"),
	M_COUNT("events_lost", "events", METRIC_BRIEF, events_lost,
		"events perf lost while recording (its PERF_RECORD_LOST records, kept in the trace): in "
		"no other column, since the trace does not hold them"),
	M_FN("skipped_total", "events", METRIC_MODEL, METRIC_IN_ROWS | METRIC_BRIEF, m_skipped, 0,
	     "events not applied, every reason: the sum of the skipped_ columns"),
	SKIP("traced_failed", SIM_SKIP_TRACED_FAILED, "the kernel's own call failed in the trace"),
	SKIP("unmatched", SIM_SKIP_UNMATCHED,
	     "a free or unmap with nothing live in the model (allocated before the recording, or its "
	     "allocation failed or was skipped)"),
	SKIP("duplicate", SIM_SKIP_DUPLICATE,
	     "an allocation of a traced vmap address still live (its free is missing from the trace): the "
	     "first area stays, no vfree or flush is invented"),
	SKIP("bad_flags", SIM_SKIP_BAD_FLAGS, "a page allocation with both GFP_DMA and GFP_DMA32"),
	SKIP("out_of_range", SIM_SKIP_OUT_OF_RANGE,
	     "a page block of an order above the zone's max_order, or one the layout cannot hold"),
	SKIP("no_zone", SIM_SKIP_NO_ZONE,
	     "a traced pfn in no zone of the layout (page-mode faithful, buddy)"),
	SKIP("other_mode", SIM_SKIP_OTHER_MODE,
	     "a page event of another page mode: zone_locked and pcpu_drain outside page-mode buddy, "
	     "page_alloc and per-CPU-order frees in it"),
	SKIP("trace_fact", SIM_SKIP_TRACE_FACT,
	     "facts the model compares with rather than replays: tlb_flush, extfrag, vmap_purge outside "
	     "purge timing trace"),
	SKIP("bad_event", SIM_SKIP_BAD_EVENT,
	     "impossible events: an unknown kind, a fork naming its own pid"),
	SKIP("mem_limit", SIM_SKIP_MEM_LIMIT,
	     "stopped or cut short by the model's memory limit (setting model-mem-max): a process, VMA or "
	     "vmap area, or a populated mapping's page tables, beyond it"),
	SKIP("in_state", SIM_SKIP_IN_STATE,
	     "page events before the page state's time (setting page-state-at): already in the state"),
	M_COUNT("page_implicit_frees", "blocks", 0, pages.implicit_frees,
		"page allocations of a traced pfn still live: the earlier block is freed first (its free is "
		"missing from the trace)"),
	M_COUNT("page_order_mismatches", "frees", 0, pages.order_mismatches,
		"page frees of another order than their allocation's (the allocation's is freed)"),
	M_COUNT("kmap_errors", "calls", 0, kmap_errors, "kmaps not applied: a slot's use count would wrap"),
	M_COUNT("model_mem_peak_bytes", "bytes", 0, mem_peak,
		"the model's host memory at its peak, as the budget counts it (setting model-mem-max)"),
	M_END,
};
