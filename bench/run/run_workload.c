/* The workload's share of a replay (run_workload.h). */
#include "bench/run/run_workload.h"

#include <string.h>

#include "core/machine/sim_stats.h"

#define PPM 1000000ULL

int run_wl_init(struct run_wl *wl, const struct task_spec *spec)
{
	memset(wl, 0, sizeof(*wl));
	return task_table_init(&wl->tt, spec);
}

void run_wl_fini(struct run_wl *wl)
{
	task_table_fini(&wl->tt);
}

static bool is_note(const struct mm_event *ev)
{
	return ev->kind == MME_TASK || ev->kind == MME_LOST;
}

int run_wl_mark(struct run_wl *wl, const struct mm_event *ev, size_t n)
{
	struct task_table *tt = &wl->tt;
	wl->chunk_work = 0;
	for (size_t i = 0; i < n; i++) {
		int err;
		const struct task_ent *te = task_table_event(tt, &ev[i], &err);
		if (err)
			return err;
		u32 ppm = 0;
		bool note = is_note(&ev[i]);
		wl->freed[i] = 0;
		if (!note) {
			task_table_mine(tt, te, &ev[i], &ppm);
			if (tt->last_on_behalf) /* a kworker's vfree of the workload's area */
				ppm = 1000000;
			wl->freed[i] = tt->last_freed;
			wl->chunk_work++;
		}
		wl->ppm[i] = note ? 0 : ppm;
	}
	/* the default workload before (or without) the trace naming its command is every event */
	wl->whole = tt->spec.kind == TASK_SPEC_DEFAULT && !tt->workload_pid;
	return 0;
}

void run_wl_add(struct run_wl *wl, size_t i, const u64 b[RUN_WL_NR], const u64 a[RUN_WL_NR])
{
	u64 ppm = wl->ppm[i];
	if (wl->freed[i]) {
		wl->pend_all += wl->freed[i];
		if (ppm == PPM)
			wl->pend_mine += wl->freed[i];
	}
	if (a[RUN_WL_PURGES] != b[RUN_WL_PURGES]) { /* a purge ran: on the freers' behalf */
		if (wl->pend_all)
			ppm = wl->pend_mine * PPM / wl->pend_all;
		wl->pend_mine = wl->pend_all = 0;
	}
	for (int k = 0; k < RUN_WL_NR; k++)
		wl->acc[k] += (a[k] - b[k]) * ppm;
	wl->events_ppm += wl->ppm[i];
}

void run_wl_add_whole(struct run_wl *wl, const u64 b[RUN_WL_NR], const u64 a[RUN_WL_NR])
{
	for (int k = 0; k < RUN_WL_NR; k++)
		wl->acc[k] += (a[k] - b[k]) * PPM;
	wl->events_ppm += wl->chunk_work * PPM;
	wl->pend_mine = wl->pend_all = 0;
}

static u64 round_ppm(u64 v)
{
	return (v + PPM / 2) / PPM;
}

void run_wl_figs(const struct run_wl *wl, const struct sim_stats *st, struct run_wl_figs *f)
{
	memset(f, 0, sizeof(*f));
	f->counted = wl && !(wl->tt.spec.kind == TASK_SPEC_DEFAULT && !wl->tt.workload_pid) &&
		     wl->tt.spec.kind != TASK_SPEC_ALL;
	if (!f->counted) {
		run_wl_figs_machine(st, f);
		return;
	}
	task_spec_label(&wl->tt.spec, wl->tt.workload_pid, f->label, sizeof(f->label));
	f->events = round_ppm(wl->events_ppm);
	f->vmlist_visits = round_ppm(wl->acc[RUN_WL_VISITS]);
	f->tlb_flushes = round_ppm(wl->acc[RUN_WL_FLUSHES]);
	f->find_vma_visits = round_ppm(wl->acc[RUN_WL_FIND_VMA]);
	f->vmap_purges = round_ppm(wl->acc[RUN_WL_PURGES]);
}
