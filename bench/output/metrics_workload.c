/* Metrics of the workload's share of a replay (bench/run/run_workload.h): the usual columns stay
 * the machine's, every event counted; the workload_ columns count the same figures for the
 * workload's events only, kernel work done on its behalf included. Without a workload (a view,
 * test_vmalloc) or for `all`, they are the machine's. */
#include "bench/output/metric_fmt.h"
#include "bench/output/run_wl_figs.h"

enum { WL_EVENTS, WL_VISITS, WL_FLUSHES, WL_FIND_VMA, WL_PURGES };

static void m_workload(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	snprintf(b, n, "%s", s->wl ? s->wl->label : "all");
}

static void m_wl(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	struct run_wl_figs own;
	const struct run_wl_figs *f = s->wl;
	if (!f) {
		run_wl_figs_machine(s->st, &own);
		f = &own;
	}
	const u64 v[] = {[WL_EVENTS] = f->events,
			 [WL_VISITS] = f->vmlist_visits,
			 [WL_FLUSHES] = f->tlb_flushes,
			 [WL_FIND_VMA] = f->find_vma_visits,
			 [WL_PURGES] = f->vmap_purges};
	metric_u64(b, n, v[m->arg]);
}

#define WL(name, unit, arg, desc) M_FN(name, unit, METRIC_MODEL, METRIC_IN_ROWS, m_wl, arg, desc)

const struct metric metrics_workload[] = {
	M_FN("workload", "", METRIC_CONFIG, METRIC_IN_ROWS | METRIC_TEXT, m_workload, 0,
	     "whose work the workload_ columns count (option --workload): tree:PID, the recorded "
	     "command's process tree (the default where the trace names it), comm:NAME, pid:N, "
	     "cgroup:/PATH, or all (every event: the workload_ columns are then the machine's)"),
	WL("workload_events", "events", WL_EVENTS,
	   "the workload's events (task records and lost marks apart; a traced purge counts in the "
	   "share of the waiting pages the workload freed): its share is workload_events / (events - "
	   "events_noted)"),
	WL("workload_vmlist_visits", "nodes", WL_VISITS,
	   "of vmlist_visits, those of the workload's events and of purges in its share"),
	WL("workload_tlb_flushes", "flushes", WL_FLUSHES,
	   "of tlb_flushes, those of the workload's events; a flush of a lazy purge counts in the share "
	   "of the waiting pages the workload freed (kernel work done on its behalf)"),
	WL("workload_find_vma_visits", "nodes", WL_FIND_VMA,
	   "of find_vma_visits, those of the workload's calls"),
	WL("workload_vmap_purges", "purges", WL_PURGES,
	   "of vmap_purges, the workload's share: each purge in the share of the waiting pages the workload "
	   "freed, the sum rounded to whole purges"),
	M_END,
};
