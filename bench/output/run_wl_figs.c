#include "bench/output/run_wl_figs.h"

#include <stdio.h>
#include <string.h>

void run_wl_figs_machine(const struct sim_stats *st, struct run_wl_figs *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->label, sizeof(f->label), "all");
	f->events = st->events - st->outcome[SIM_NOTED];
	f->vmlist_visits = st->vmlist.visits;
	f->tlb_flushes = st->tlb_flushes;
	f->find_vma_visits = st->mm.vma.find_vma_visits;
	f->vmap_purges = st->tlb.vmap_purges;
}
