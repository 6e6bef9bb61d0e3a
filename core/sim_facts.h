/* A trace's facts (struct sim_trace_facts: its CPUs, vmap nodes, purge timing) gathered batch by
 * batch, for a trace that is streamed rather than held: zero a scan, add every batch in stream
 * order, then take the facts. The result equals sim_trace_facts() over the whole array (the
 * reference; tests/test_feed.c compares them on every bundled trace). A scan may also start from
 * what a reader's statistics already tell (sim_facts_scan_known), and then only needs the events
 * up to the first logged nr_lazy_max (sim_facts_scan_complete). */
#ifndef SIM_FACTS_H
#define SIM_FACTS_H

#include "sim.h"

struct sim_facts_scan {
	unsigned lazy_ncpus; /* from the first logged nr_lazy_max; 0 until one is seen */
	bool cpu_seen;	     /* an event with a CPU (not 0xffff, the no-CPU mark) */
	unsigned max_cpu;    /* the highest CPU seen, when cpu_seen */
	bool purge;	     /* a purge event */
	bool known;	     /* cpu_seen, max_cpu and purge are final (sim_facts_scan_known) */
};

void sim_facts_scan_add(struct sim_facts_scan *sc, const struct mm_event *ev, size_t n);
/* The CPUs and purge presence of the whole trace, known from elsewhere (a reader's statistics):
 * the scan then looks only for the first logged nr_lazy_max. */
void sim_facts_scan_known(struct sim_facts_scan *sc, bool cpu_seen, unsigned max_cpu, bool purge);
/* Nothing later in the trace can change the facts. */
static inline bool sim_facts_scan_complete(const struct sim_facts_scan *sc)
{
	return sc->known && sc->lazy_ncpus;
}
void sim_facts_scan_done(const struct sim_facts_scan *sc, struct sim_trace_facts *f);

#endif
