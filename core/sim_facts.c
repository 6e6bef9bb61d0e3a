#include "sim_facts.h"

#include "tlb.h"
#include "vmlist.h"

void sim_facts_scan_add(struct sim_facts_scan *sc, const struct mm_event *ev, size_t n)
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

void sim_facts_scan_known(struct sim_facts_scan *sc, bool cpu_seen, unsigned max_cpu, bool purge)
{
	sc->cpu_seen = cpu_seen;
	sc->max_cpu = cpu_seen ? max_cpu : 0;
	sc->purge = purge;
	sc->known = true;
}

/* As sim_trace_ncpus, sim_trace_vmap_nodes and sim_trace_purge_mode decide. */
void sim_facts_scan_done(const struct sim_facts_scan *sc, struct sim_trace_facts *f)
{
	unsigned seen = sc->cpu_seen ? sc->max_cpu + 1 : 0;
	f->ncpus = sc->lazy_ncpus ? sc->lazy_ncpus : MM_MAX(seen, 1u);
	f->vmap_nodes = MM_MAX(1u, MM_MIN(MM_MAX(f->ncpus, seen), (unsigned)VMLIST_MAX_NODES));
	f->purge = sc->purge ? VMALLOC_PURGE_TRACE : VMALLOC_PURGE_MODEL;
}
