/* When the vmalloc layer's lazy purges run (vmalloc.h's purge modes): a purge now, at the
 * trace's event, or the drain the kernel schedules (MODEL: after a delay, running for some calls,
 * queued again by vfrees during its run), with what MODEL timing learns from the trace. */
#include "core/kva/vmalloc_purge.h"

#include <stdlib.h>
#include <string.h>

static void vmalloc_release(void *arg, u64 start, u64 size)
{
	struct vmalloc *vm = arg;
	vmlist_free(&vm->vl, start, NULL);
}

/* The end of a MODEL purge's run: the areas queued before its take go back (pooled), nr_lazy
 * drops by them; a vfree during the run queued the drain again: it starts now. */
static u64 vmalloc_purge_finish(struct vmalloc *vm)
{
	u64 n = tlb_purge_upto(&vm->tlb, vm->run_upto, vmalloc_release, vm);
	vmlist_purge_end(&vm->vl);
	vm->purge_running = false;
	vm->last_purged = n;
	if (vm->purge_requeued) {
		vm->purge_requeued = false;
		vm->purge_pending = true;
		vm->purge_countdown = 0;
	}
	return n;
}

/* One purge: the vmlist sees it as a batch (the nodes variant decays its pools first and pools
 * the purged areas after); forced: the reclaim after a failed allocation. A MODEL purge still
 * running ends first. */
u64 vmalloc_purge_now(struct vmalloc *vm, bool forced)
{
	if (vm->purge_running)
		vmalloc_purge_finish(vm);
	vmlist_purge_begin(&vm->vl, forced);
	u64 n = tlb_purge(&vm->tlb, forced, vmalloc_release, vm);
	vmlist_purge_end(&vm->vl);
	vm->purge_pending = false;
	vm->purge_countdown = 0;
	vm->last_purged = n;
	return n;
}

u64 vmalloc_purge(struct vmalloc *vm)
{
	return vmalloc_purge_now(vm, false);
}

u64 vmalloc_purge_upto(struct vmalloc *vm, u64 upto)
{
	if (vm->purge_running)
		vmalloc_purge_finish(vm);
	vmlist_purge_begin(&vm->vl, false);
	u64 n = tlb_purge_upto(&vm->tlb, upto, vmalloc_release, vm);
	vmlist_purge_end(&vm->vl);
	vm->purge_pending = false;
	vm->purge_countdown = 0;
	vm->last_purged = n;
	return n;
}

int vmalloc_tick(struct vmalloc *vm)
{
	int ran = 0;
	if (vm->purge_running) {
		if (vm->run_countdown) {
			vm->run_countdown--;
			return 0;
		}
		vmalloc_purge_finish(vm);
		ran = 1;
	}
	if (!vm->purge_pending)
		return ran;
	if (vm->purge_countdown) {
		vm->purge_countdown--;
		return ran;
	}
	u64 span = vmalloc_purge_span(vm, vm->tlb.nr_purge);
	if (!span) { /* an instant purge */
		vmalloc_purge_now(vm, false);
		return 1;
	}
	/* the drain takes every node's lazy list (decay_va_pool_node first) and runs span calls */
	vmlist_purge_begin(&vm->vl, false);
	vm->purge_pending = false;
	vm->purge_running = true;
	vm->run_upto = vm->tlb.lazy_seq;
	vm->run_countdown = span - 1;
	return ran;
}

static int u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	return x < y ? -1 : x > y;
}

/* The median of the latest VMALLOC_DRAINS_KEPT of seen[0..nseen). */
static u64 vmalloc_median(const u64 *seen, u64 nseen)
{
	u64 v[VMALLOC_DRAINS_KEPT], n = MM_MIN(nseen, VMALLOC_DRAINS_KEPT);
	memcpy(v, seen, n * sizeof(*v));
	qsort(v, n, sizeof(*v), u64_cmp);
	return v[(n - 1) / 2];
}

u64 vmalloc_drain_delay(const struct vmalloc *vm)
{
	if (!vm->cfg.purge_learn || !vm->ndrain_seen)
		return vm->cfg.purge_delay;
	return vmalloc_median(vm->drain_seen, vm->ndrain_seen);
}

void vmalloc_drain_seen(struct vmalloc *vm, u64 calls)
{
	vm->drain_seen[vm->ndrain_seen++ % VMALLOC_DRAINS_KEPT] = calls;
}

u64 vmalloc_purge_span(const struct vmalloc *vm, u64 areas)
{
	u64 calls = 0, purged = 0, n = MM_MIN(vm->nspan_seen, VMALLOC_DRAINS_KEPT);
	for (u64 i = 0; vm->cfg.purge_learn && i < n; i++) {
		calls += vm->span_seen[i];
		purged += vm->span_areas[i];
	}
	return purged ? (u64)((unsigned __int128)areas * calls / purged) : 0;
}

void vmalloc_span_seen(struct vmalloc *vm, u64 calls, u64 areas)
{
	vm->span_seen[vm->nspan_seen % VMALLOC_DRAINS_KEPT] = calls;
	vm->span_areas[vm->nspan_seen++ % VMALLOC_DRAINS_KEPT] = areas;
}

/* Lazily freed pages crossed lazy_max_pages: purge now (INLINE), schedule the drain (MODEL:
 * schedule_work does nothing while one is pending), or wait for the trace's purge (TRACE). */
void vmalloc_purge_due(struct vmalloc *vm)
{
	switch (vm->cfg.purge) {
	case VMALLOC_PURGE_INLINE:
		vmalloc_purge_now(vm, false);
		break;
	case VMALLOC_PURGE_TRACE:
		break;
	default:
		if (vm->purge_running) /* the work runs: schedule_work queues it again */
			vm->purge_requeued = true;
		else if (!vm->purge_pending) {
			vm->purge_pending = true;
			vm->purge_countdown = vmalloc_drain_delay(vm);
		}
	}
}
