/* What a configuration takes from the trace it replays (struct sim_trace_facts: its CPUs, vmap
 * nodes, purge timing), found once per trace: over an array held whole (sim_trace_facts, the
 * reference), or batch by batch for a trace that is streamed (a scan: zero it, add every batch in
 * stream order, then take the facts; the result equals the reference, tests/test_feed.c compares
 * them on every bundled trace). A scan may also start from what a reader's statistics already
 * tell (sim_trace_facts_scan_known), and then only needs the events up to the first logged
 * nr_lazy_max (sim_trace_facts_scan_complete). */
#ifndef SIM_TRACE_FACTS_H
#define SIM_TRACE_FACTS_H

#include "core/kva/vmalloc.h"
#include "core/mm_event.h"

struct sim_cfg;

/* The traced machine's CPU count: from the first logged nr_lazy_max (the smallest n with
 * lazy_max_pages(n) == nr_lazy_max), else the highest CPU seen + 1, else 1. */
unsigned sim_trace_ncpus(const struct mm_event *ev, size_t n);
/* Kernel-exact vmalloc: the purge timing AUTO stands for on this trace (TRACE when it has purge events). */
enum vmalloc_purge_mode sim_trace_purge_mode(const struct mm_event *ev, size_t n);
/* Kernel-exact vmalloc: the possible CPUs nr_vmap_nodes follows: at least ncpus, and every CPU the trace
 * shows (nr_lazy_max only tells fls(online CPUs)). */
unsigned sim_trace_vmap_nodes(const struct mm_event *ev, size_t n, unsigned ncpus);
/* What a configuration takes from the trace it replays, found once per trace. */
struct hindsight_src;
struct sim_trace_facts {
	unsigned ncpus;		       /* sim_trace_ncpus */
	unsigned vmap_nodes;	       /* sim_trace_vmap_nodes */
	enum vmalloc_purge_mode purge; /* sim_trace_purge_mode */
	/* where list-order frees went, from each block's next event (core/phys/hindsight.h), built
	 * on buddy mode's first request by whoever holds the trace's events; NULL: none */
	const struct hindsight_src *hindsight;
};
void sim_trace_facts(const struct mm_event *ev, size_t n, struct sim_trace_facts *f);
/* Fill what cfg leaves to the trace: ncpus 0, purge AUTO, vmap_nodes 0 (nodes then follow the
 * trace's CPUs, or the cpus setting when given). */
void sim_cfg_for_trace(struct sim_cfg *cfg, const struct sim_trace_facts *f);

struct sim_trace_facts_scan {
	unsigned lazy_ncpus; /* from the first logged nr_lazy_max; 0 until one is seen */
	bool cpu_seen;	     /* an event with a CPU (not 0xffff, the no-CPU mark) */
	unsigned max_cpu;    /* the highest CPU seen, when cpu_seen */
	bool purge;	     /* a purge event */
	bool known;	     /* cpu_seen, max_cpu and purge are final (sim_trace_facts_scan_known) */
};

void sim_trace_facts_scan_add(struct sim_trace_facts_scan *sc, const struct mm_event *ev, size_t n);
/* The CPUs and purge presence of the whole trace, known from elsewhere (a reader's statistics):
 * the scan then looks only for the first logged nr_lazy_max. */
void sim_trace_facts_scan_known(struct sim_trace_facts_scan *sc, bool cpu_seen, unsigned max_cpu, bool purge);
/* Nothing later in the trace can change the facts. */
static inline bool sim_trace_facts_scan_complete(const struct sim_trace_facts_scan *sc)
{
	return sc->known && sc->lazy_ncpus;
}
void sim_trace_facts_scan_done(const struct sim_trace_facts_scan *sc, struct sim_trace_facts *f);

#endif
