/* The sim's side of kernel-exact vmalloc: seeding the space from a snapshot, follow
 * and predict placement of traced allocations with their agreement counters, purge timing,
 * vmalloc's bulk pages, the start time and the end-snapshot comparison. sim.c calls these at
 * its event sites. */
#include <errno.h>

#include "core/machine/sim_priv.h"

unsigned sim_vmap_nodes(const struct sim_cfg *cfg, unsigned ncpus)
{
	unsigned n = cfg->vmap_nodes ? cfg->vmap_nodes : ncpus;
	return MM_MAX(1u, MM_MIN(n, (unsigned)VMLIST_MAX_NODES));
}

/* What a recording shows (vmap_reveal.h) is tracked only when the replay starts from a
 * recorded vmallocinfo: elsewhere nothing was shown before the trace, and the set of addresses
 * seen would grow with the trace (every generated area has a new address). */
static bool reveal_on(const struct sim *s)
{
	return s->cfg.vmalloc_state != NULL;
}

/* Busy areas become live (their owner node unknown: addr_to_node, until a skipped allocation
 * says better), lazy ones wait on the lazy list of the node whose run printed them. */
int sim_vmap_seed(struct sim *s)
{
	const struct vmap_snapshot *snap = s->cfg.vmalloc_state;
	if (!snap)
		return 0;
	unsigned nn = s->vm.cfg.nr_nodes;
	u64 vstart = s->vm.vl.vstart, vend = s->vm.vl.vend;
	for (size_t i = 0; i < snap->n; i++) {
		const struct vmap_snap_area *a = &snap->a[i];
		vmap_reveal_note(&s->vfid.rv, a->start);
		if (a->start < vstart || a->end > vend) {
			s->vfid.seed_outside++;
			if (a->kind == VMAP_SNAP_LAZY && sim_vmap_lazy_queued(s)) /* the kernel's, not ours */
				return -ENOMEM;
			continue;
		}
		bool lazy = a->kind == VMAP_SNAP_LAZY;
		unsigned node =
			lazy ? vmap_snapshot_lazy_node(snap, a, nn) : vmlist_nodes_addr_node(a->start, nn);
		bool guess = !lazy || snap->lazy_runs != nn;
		int err = vmalloc_seed_area(&s->vm, a->start, a->end, lazy, node, guess);
		if (!err && lazy)
			err = sim_vmap_lazy_queued(s);
		if (err)
			return err;
		if (!lazy && hmap_put(&s->vmap_pair, a->start, a->start) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* An event before the start time: already reflected in the snapshot. An allocation of a seeded
 * area tells which CPU (node) owns it. */
int sim_vmap_skip(struct sim *s, const struct mm_event *ev)
{
	u64 model;
	s->vfid.skipped++;
	if (reveal_on(s) &&
	    ((ev->kind == MME_VMAP_ALLOC && !(ev->flags & MME_F_FAILED)) || ev->kind == MME_VMAP_FREE))
		vmap_reveal_note(&s->vfid.rv, ev->addr);
	if (ev->kind == MME_VMAP_ALLOC && !(ev->flags & MME_F_FAILED) &&
	    hmap_get(&s->vmap_pair, ev->addr, &model)) {
		bool full = ev->addr2 == s->vm.vl.vstart && (ev->len2 & MM_PAGE_MASK) == s->vm.vl.vend;
		vmlist_set_owner(&s->vm.vl, model, ev->cpu == 0xffffu ? 0 : ev->cpu, full, false);
	}
	return 0;
}

/* A traced alloc_vmap_area: predict or follow, and compare with the kernel's address. */
int sim_vmap_alloc(struct sim *s, const struct mm_event *ev, u64 *model)
{
	struct vmap_mismatch m = {.ts_ns = ev->ts_ns, .kernel = ev->addr, .size = ev->len, .cpu = ev->cpu};
	struct vmlist_pick pred = {0}, how = {0};
	int err;
	s->vm.cpu = ev->cpu == 0xffffu ? 0 : ev->cpu;
	if (s->cfg.vmap_follow) {
		err = vmalloc_alloc_follow(&s->vm, ev->len, ev->aux, ev->addr2, ev->len2, ev->addr, &pred,
					   &how, model);
		m.model = pred.addr;
		if (err == -EOPNOTSUPP) { /* a lowest-fit variant: what it would do is what it does */
			err = vmalloc_alloc(&s->vm, ev->len, ev->aux, ev->addr2, ev->len2, model);
			m.model = err ? 0 : *model;
		} else if (!err) {
			s->vfid.where[how.src]++;
		}
	} else {
		/* the pick's source and node, for the report (variants that can say) */
		if (vmalloc_predict(&s->vm, ev->len, ev->aux, ev->addr2, ev->len2, &pred))
			pred = (struct vmlist_pick){0};
		err = vmalloc_alloc(&s->vm, ev->len, ev->aux, ev->addr2, ev->len2, model);
		m.model = err ? 0 : *model;
	}
	m.node = pred.node;
	m.src = pred.src;
	m.how = how.src;
	vmap_fid_alloc(&s->vfid, &m);
	/* could a pool of the recorded kernel (the trace's vmap nodes) have held it? */
	bool full = ev->addr2 == s->vm.vl.vstart && (ev->len2 & MM_PAGE_MASK) == s->vm.vl.vend;
	bool pool = full && s->vm.cfg.nr_nodes > 1 && ev->len <= 256 * MM_PAGE_SIZE;
	/* a hidden slot the kernel took was implied by its earlier choices (a tree pick above it
	 * showed a pool held it): not a never-shown entry */
	if (reveal_on(s) && s->cfg.vmap_follow && !err && how.src == VMLIST_SRC_HIDDEN)
		vmap_reveal_note(&s->vfid.rv, ev->addr);
	if (reveal_on(s))
		vmap_reveal_alloc(&s->vfid.rv, ev->addr, ev->len, ev->aux, pool, s->vfid.warm,
				  m.model == m.kernel);
	return err;
}

/* vfree of a paired area: its pages, freed next on this CPU, were taken by alloc_pages_bulk. */
void sim_vmap_freed(struct sim *s, const struct mm_event *ev, u64 size)
{
	if (ev->cpu < VMAP_FID_CPUS && size > MM_PAGE_SIZE)
		s->vfid.bulk_credit[ev->cpu] = (u32)MM_MIN(size / MM_PAGE_SIZE - 1, 1u << 30);
}

/* Around a page allocation or free: an order-0 free the page replay could not pair (or paired
 * with a page the seed had allocated before the recording), on a CPU
 * whose latest vfree still has pages to free, is one of those bulk pages; an allocation or a
 * free of another order on that CPU ends the vfree's run of frees (per-CPU list drains, which
 * interleave with the frees, do not). */
void sim_vmap_page_event(struct sim *s, const struct mm_event *ev, u64 unmatched_before)
{
	if (ev->cpu >= VMAP_FID_CPUS || !s->vfid.bulk_credit[ev->cpu])
		return;
	if (ev->kind != MME_PAGE_FREE || ev->order) {
		s->vfid.bulk_credit[ev->cpu] = 0;
		return;
	}
	if (s->pages.st.unmatched_frees + s->pages.st.seeded_frees != unmatched_before) {
		s->vfid.bulk_frees++;
		s->vfid.bulk_credit[ev->cpu]--;
	}
}

/* The kernel's lazy list is followed only when the replay starts from a snapshot: it lists
 * every area lazily freed before (without one, the areas behind the trace's first nr_lazy are
 * unknown, and a purge takes everything). */
int sim_vmap_lazy_queued(struct sim *s)
{
	return reveal_on(s) ? vmap_lazyq_push(&s->lazyq, s->vm.tlb.lazy_seq, s->vmap.calls) : 0;
}

/* The trace's purge_vmap_area_lazy: a fact, and the purge itself in TRACE timing: of the
 * model's lazy areas, those the kernel had queued before the num_purged-th oldest of its own
 * (areas freed while the kernel's purge ran wait for the next one). */
/* The kernel's drain delay: traced vmalloc calls (alloc_vmap_area, free_vmap_area_noflush) from
 * the vfree that crossed nr_lazy_max, the first since the trace's last purge, to the purge. */
void sim_vmap_drain_call(struct sim *s, const struct mm_event *ev)
{
	if (ev->kind != MME_VMAP_ALLOC && ev->kind != MME_VMAP_FREE)
		return;
	s->vmap.drain_calls++;
	s->vmap.calls++;
	if (!s->vmap.drain_armed && ev->kind == MME_VMAP_FREE && ev->aux && ev->len2 > ev->aux) {
		s->vmap.drain_armed = true;
		s->vmap.drain_calls = 0;
	}
}

/* The trace's purge event: what MODEL timing learns from it. With the kernel's lazy list known
 * (seeded replays), the purge took its lists just before the first area it left behind was
 * freed (or after the last call, when it left none): the drain delay runs from the crossing
 * vfree to that take, and the purge ran from the take to its event (its span); otherwise the
 * delay runs to the event. */
static void sim_vmap_learn_purge(struct sim *s, bool take_known, u64 purged)
{
	u64 first, take = s->vmap.calls, crossing = s->vmap.calls - s->vmap.drain_calls;
	if (take_known && vmap_lazyq_oldest_call(&s->lazyq, &first) && first)
		take = first - 1;
	if (s->vmap.drain_armed && take < crossing) /* not this drain's take: at the crossing */
		take = crossing;
	if (s->vmap.drain_armed)
		vmalloc_drain_seen(&s->vm, take_known ? take - crossing : s->vmap.drain_calls);
	if (take_known)
		vmalloc_span_seen(&s->vm, s->vmap.calls - take, purged);
	s->vmap.drain_armed = false;
}

int sim_vmap_trace_purge(struct sim *s, const struct mm_event *ev)
{
	if (vmap_fid_trace_purge(&s->vfid, ev->aux))
		return -ENOMEM;
	u64 upto = reveal_on(s) ? vmap_lazyq_take(&s->lazyq, ev->aux) : 0;
	sim_vmap_learn_purge(s, reveal_on(s) && upto != ~0ULL, ev->aux);
	if (s->vm.cfg.purge == VMALLOC_PURGE_TRACE && s->vm.purges_ahead)
		s->vm.purges_ahead--; /* it ran when the kernel reused one of its areas */
	else if (s->vm.cfg.purge == VMALLOC_PURGE_TRACE && reveal_on(s))
		vmalloc_purge_upto(&s->vm, upto);
	else if (s->vm.cfg.purge == VMALLOC_PURGE_TRACE)
		vmalloc_purge(&s->vm);
	return vmap_fid_model_purges(&s->vfid, &s->vm);
}

int sim_vmap_end_check(struct sim *s, const struct mm_event *ev)
{
	if (!s->cfg.vmalloc_end || s->vfid.end_done || (ev && ev->ts_ns < s->cfg.vmalloc_end_ns))
		return 0;
	return vmap_fid_end_compare(&s->vfid, s->cfg.vmalloc_end, &s->vm);
}
