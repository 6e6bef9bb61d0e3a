/* The address-space model's report for `maps --stats` (vma_report.h). */
#include <errno.h>
#include <string.h>

#include "bench/output/vma_report.h"

#define P(name, v) fprintf(f, "%-22s %llu\n", name, (unsigned long long)(v))

void vma_print_stats(FILE *f, const struct sim_stats *s)
{
	const struct procs_stats *ps = &s->procs;
	const struct mm_stats *st = &s->mm;
	for (unsigned k = MME_MMAP; k <= MME_EXIT; k++) {
		char name[64];
		snprintf(name, sizeof(name), "replayed_%s", mm_event_kind_name(k));
		P(name, ps->applied[k]);
		if (ps->failed_skipped[k]) {
			snprintf(name, sizeof(name), "failed_in_trace_%s", mm_event_kind_name(k));
			P(name, ps->failed_skipped[k]);
		}
		if (ps->model_errors[k]) {
			snprintf(name, sizeof(name), "model_errors_%s", mm_event_kind_name(k));
			P(name, ps->model_errors[k]);
			snprintf(name, sizeof(name), "  of_which_untraced");
			P(name, ps->untraced_range[k]);
		}
	}
	P("processes_forked", ps->forks);
	P("clone_vm", ps->clone_vm);
	P("execs", ps->execs);
	P("exits", ps->exits);
	P("unknown_pids", ps->unknown_pids);
	P("pid_reused", ps->pid_reused);
	P("bad_events", ps->bad_events);
	P("mm_created", ps->mm_created);
	P("mm_live_peak", ps->mm_live_peak);
	P("err_einval", st->err_einval);
	P("err_enomem", st->err_enomem);
	P("err_efault", st->err_efault);
	P("err_map_count", st->err_map_count);
	P("munmap_calls", st->munmap_calls);
	P("munmap_nothing", st->munmap_nothing);
	P("do_munmap", st->do_munmap);
	P("munmap_split_front", st->munmap_split_front);
	P("munmap_split_tail", st->munmap_split_tail);
	P("vmas_detached", st->vma.vmas_detached);
	P("munmap_unmap_region", st->munmap_unmap_region);
	P("munmap_free_tables", st->munmap_free_tables);
	P("munmap_remove", st->munmap_remove);
	P("mmap_fixed_unmaps", st->mmap_fixed_unmaps);
	P("mmap_model_overlap", st->mmap_model_overlap);
	P("mprotect_splits", st->mprotect_splits);
	P("mremap_shrink", st->mremap_shrink);
	P("mremap_grow_in_place", st->mremap_grow_in_place);
	P("mremap_move", st->mremap_move);
	P("brk_grow", st->brk_grow);
	P("brk_shrink", st->brk_shrink);
	P("find_vma_calls", st->vma.find_vma_calls);
	P("find_vma_visits", st->vma.find_vma_visits);
	P("vma_splits", st->vma.vma_splits);
	P("vma_merges", st->vma.vma_merges);
	P("vmas_peak", st->vma.vmas_peak);
	P("tlb_flush_range", st->tlb_flush_range);
	P("tlb_flush_pages", st->tlb_flush_pages);
	P("tlb_flush_all", st->tlb_flush_all);
	P("ptes_set", st->ptes_set);
	P("ptes_cleared", st->ptes_cleared);
	P("pgtable_pages_free", st->pgtable_pages_free);
}
