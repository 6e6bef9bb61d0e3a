#include "core/machine/sim_trace_facts.h"

#include "core/machine/sim.h"

#include "core/kva/tlb.h"
#include "core/kva/vmlist.h"

void sim_trace_facts_scan_add(struct sim_trace_facts_scan *sc, const struct mm_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!sc->lazy_ncpus && ev[i].kind == MME_VMAP_FREE && ev[i].aux)
			sc->lazy_ncpus = tlb_ncpus_from_lazy_max(ev[i].aux);
		if (sc->known)
			continue;
		if (ev[i].cpu != 0xffffu) {
			sc->max_cpu = sc->cpu_seen ? MM_MAX(sc->max_cpu, ev[i].cpu) : ev[i].cpu;
			sc->cpu_seen = true;
		}
		if (ev[i].kind == MME_VMAP_PURGE)
			sc->purge = true;
	}
}

void sim_trace_facts_scan_known(struct sim_trace_facts_scan *sc, bool cpu_seen, unsigned max_cpu, bool purge)
{
	sc->cpu_seen = cpu_seen;
	sc->max_cpu = cpu_seen ? max_cpu : 0;
	sc->purge = purge;
	sc->known = true;
}

/* As sim_trace_ncpus, sim_trace_vmap_nodes and sim_trace_purge_mode decide. */
void sim_trace_facts_scan_done(const struct sim_trace_facts_scan *sc, struct sim_trace_facts *f)
{
	unsigned seen = sc->cpu_seen ? sc->max_cpu + 1 : 0;
	f->ncpus = sc->lazy_ncpus ? sc->lazy_ncpus : MM_MAX(seen, 1u);
	f->vmap_nodes = MM_MAX(1u, MM_MIN(MM_MAX(f->ncpus, seen), (unsigned)VMLIST_MAX_NODES));
	f->purge = sc->purge ? VMALLOC_PURGE_TRACE : VMALLOC_PURGE_MODEL;
	f->hindsight = NULL;
}

unsigned sim_trace_ncpus(const struct mm_event *ev, size_t n)
{
	unsigned max_cpu = 0;
	bool seen = false;
	for (size_t i = 0; i < n; i++) {
		if (ev[i].kind == MME_VMAP_FREE && ev[i].aux) {
			unsigned c = tlb_ncpus_from_lazy_max(ev[i].aux);
			if (c)
				return c;
		}
		if (ev[i].cpu != 0xffffu) { /* TRACE_CPU_NONE: the source has no CPU column */
			seen = true;
			max_cpu = MM_MAX(max_cpu, ev[i].cpu);
		}
	}
	return seen ? max_cpu + 1 : 1;
}

enum vmalloc_purge_mode sim_trace_purge_mode(const struct mm_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ev[i].kind == MME_VMAP_PURGE)
			return VMALLOC_PURGE_TRACE;
	return VMALLOC_PURGE_MODEL;
}

unsigned sim_trace_vmap_nodes(const struct mm_event *ev, size_t n, unsigned ncpus)
{
	unsigned cpus = ncpus;
	for (size_t i = 0; i < n; i++)
		if (ev[i].cpu != 0xffffu && ev[i].cpu >= cpus)
			cpus = ev[i].cpu + 1u;
	return MM_MAX(1u, MM_MIN(cpus, (unsigned)VMLIST_MAX_NODES));
}

void sim_trace_facts(const struct mm_event *ev, size_t n, struct sim_trace_facts *f)
{
	f->ncpus = sim_trace_ncpus(ev, n);
	f->vmap_nodes = sim_trace_vmap_nodes(ev, n, f->ncpus);
	f->purge = sim_trace_purge_mode(ev, n);
	f->hindsight = NULL;
}

void sim_cfg_for_trace(struct sim_cfg *cfg, const struct sim_trace_facts *f)
{
	bool cpus_given = cfg->ncpus != 0;
	if (!cfg->ncpus)
		cfg->ncpus = f->ncpus;
	if (cfg->purge == VMALLOC_PURGE_AUTO)
		cfg->purge = f->purge;
	/* placement on a seeded machine: the isolations while the page state was read */
	if (cfg->page_mode == PAGEREPLAY_BUDDY || (cfg->page_mode == PAGEREPLAY_PLACEMENT && cfg->seed))
		cfg->hindsight = f->hindsight;
	if (!cfg->vmap_nodes)
		cfg->vmap_nodes = cpus_given ? MM_MIN(cfg->ncpus, (unsigned)VMLIST_MAX_NODES) : f->vmap_nodes;
}
