#include "core/machine/sim_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void sim_cfg_default(struct sim_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	zones_cfg_default(&cfg->zones);
	cfg->max_order = BUDDY_DEFAULT_MAX_ORDER;
	cfg->buddy = buddy_policy_find("lifo");
	cfg->page_mode = PAGEREPLAY_PLACEMENT;
	/* vmalloc: its own defaults (vmalloc_cfg_default) are the one source */
	struct vmalloc_cfg vc;
	vmalloc_cfg_default(&vc);
	cfg->vmlist = vc.vmlist;
	cfg->tlb = vc.tlb;
	cfg->levels = vc.levels;
	cfg->ncpus = 0; /* vmalloc's default until replay sets it from the trace */
	/* process address spaces */
	cfg->vma = &vma_index_maple;
	cfg->populate = false;
	cfg->max_map_count = MM_MAX_MAP_COUNT;
	/* persistent kmap pool */
	pkmap_cfg_default(&cfg->pkmap);
	/* kernel-exact vmalloc */
	cfg->flush_ceiling = SIM_DEFAULT_FLUSH_CEILING;
	cfg->purge = VMALLOC_PURGE_AUTO;
	cfg->purge_delay = SIM_DEFAULT_PURGE_DELAY;
	cfg->model_mem_max = SIM_MEM_DEFAULT_MAX; /* the model's host memory */
	cfg->compaction = SIM_COMPACT_KERNEL;
	cfg->pcp_tune = PCP_TUNE_AUTO; /* the trace's list traffic where it shows any */
	cfg->fast_named = true;	       /* fast free isolations at the block the trace names */
	cfg->proactiveness = SIM_PROACTIVENESS_DEFAULT;
}

/* --- vmalloc --- */
static int sim_vmalloc_init(struct sim *s)
{
	struct vmalloc_cfg vc;
	vmalloc_cfg_default(&vc);
	vc.vmlist = s->cfg.vmlist;
	vc.tlb = s->cfg.tlb;
	if (s->cfg.levels)
		vc.levels = s->cfg.levels;
	if (s->cfg.ncpus)
		vc.ncpus = s->cfg.ncpus;
	vc.guard = VMALLOC_GUARD_INCLUDED; /* a machine replays traced sizes, which hold the guard page */
	vc.nr_nodes = sim_vmap_nodes(&s->cfg, vc.ncpus); /* kernel-exact vmalloc */
	vc.flush_ceiling = s->cfg.flush_ceiling;
	vc.purge = s->cfg.purge == VMALLOC_PURGE_AUTO ? VMALLOC_PURGE_MODEL : s->cfg.purge;
	vc.purge_delay = s->cfg.purge_delay;
	vc.purge_learn = !s->cfg.purge_learn_off;
	int err = vmalloc_init_src(&s->vm, &vc, &s->model_src);
	if (err)
		return err;
	err = hmap_init(&s->vmap_pair, 1024);
	if (!err)
		err = sim_vmap_seed(s);
	if (err) {
		hmap_fini(&s->vmap_pair);
		vmalloc_fini(&s->vm);
	}
	return err;
}

static void sim_vmalloc_fini(struct sim *s)
{
	vmap_fid_fini(&s->vfid);
	vmap_lazyq_fini(&s->lazyq);
	hmap_fini(&s->vmap_pair);
	vmalloc_fini(&s->vm);
}

/* The vmalloc-family calls that create an area: vmalloc (alloc_vmap_area), vmalloc_32, ioremap. */
static int sim_vmap_create(struct sim *s, const struct mm_event *ev)
{
	u64 model, old;
	if (ev->flags & MME_F_FAILED) {
		s->vmap.traced_failures++;
		return 0;
	}
	if (hmap_get(&s->vmap_pair, ev->addr, &old)) {
		s->vmap.dup_allocs++; /* its free is missing: no vfree (and flush) is invented */
		return 0;
	}
	int err;
	if (ev->kind == MME_VMALLOC32)
		err = vmalloc_alloc32(&s->vm, ev->len, 0, 0, 0, &model);
	else if (ev->kind == MME_IOREMAP)
		err = vmalloc_ioremap(&s->vm, ev->addr2, ev->len, &model);
	else
		err = sim_vmap_alloc(s, ev, &model); /* kernel-exact: predict or follow, compared */
	if (err) {
		s->vmap.alloc_failures++;
		return 0;
	}
	return hmap_put(&s->vmap_pair, ev->addr, model) < 0 ? -ENOMEM : 0;
}

/* vunmap / iounmap: the mapping goes, no page is freed. */
static int sim_vunmap(struct sim *s, const struct mm_event *ev)
{
	u64 model;
	if (!hmap_del(&s->vmap_pair, ev->addr, &model)) {
		s->vmap.unmatched_frees++;
		return 0;
	}
	int err = vmalloc_vunmap(&s->vm, model);
	return err == -ENOMEM ? err : 0;
}

static int sim_kmap(struct sim *s, const struct mm_event *ev)
{
	u32 slot;
	int err = ev->kind == MME_KMAP ? pkmap_kmap(&s->pkmap, ev->addr, &slot)
				       : pkmap_kunmap(&s->pkmap, ev->addr);
	if (err == -ENOMEM)
		return err;
	if (err && err != -EAGAIN && err != -EINVAL)
		s->kmap_errors++; /* -EOVERFLOW: not applied */
	return 0;
}

static int sim_vmap_free(struct sim *s, const struct mm_event *ev)
{
	u64 model;
	bool found = hmap_del(&s->vmap_pair, ev->addr, &model);
	if (!s->vmap.lazy_seeded && ev->aux) {
		/* the kernel logs nr_lazy after adding this area: what it counted before is the
		 * pages lazily freed before the recording */
		u64 own = found ? vmalloc_area_size(&s->vm, model) >> MM_PAGE_SHIFT : 0;
		if (s->cfg.vmalloc_state) /* a seeded space: the seeded lazy areas are counted already */
			own += s->vm.tlb.nr_lazy;
		s->vmap.lazy_seeded = true;
		s->vmap.lazy_seed_pages = ev->len2 > own ? ev->len2 - own : 0;
		if (s->vm.tlb.ops == tlb_policy_find("lazy"))
			tlb_add_foreign_lazy(&s->vm.tlb, s->vmap.lazy_seed_pages);
	}
	if (!found) {
		s->vmap.unmatched_frees++;
		return sim_vmap_lazy_queued(s);
	}
	u64 size = vmalloc_area_size(&s->vm, model);
	int err = vmalloc_vfree(&s->vm, model);
	if (!err)
		sim_vmap_freed(s, ev, size); /* kernel-exact: its bulk pages come next */
	if (err == -ENOMEM || sim_vmap_lazy_queued(s))
		return -ENOMEM;
	return 0;
}

/* --- end vmalloc --- */

/* --- process address spaces --- */
static int sim_procs_init(struct sim *s)
{
	struct mm_cfg mc;
	procs_cfg_default(&mc);
	mc.index = s->cfg.vma ? s->cfg.vma : &vma_index_maple;
	mc.populate = s->cfg.populate;
	mc.max_map_count = s->cfg.max_map_count ? s->cfg.max_map_count : MM_MAX_MAP_COUNT;
	struct pagesrc tables = sim_mem_table_src(s); /* within model-mem-max */
	mm_pgtable_init_src(&s->mm_pt, &tables, s->cfg.levels ? s->cfg.levels : 4);
	mc.pt = &mm_pgtable_ops;
	mc.pt_ctx = &s->mm_pt;
	mc.flush_ceiling = s->cfg.flush_ceiling; /* x86 flush_tlb_mm_range */
	return procs_init(&s->procs, &mc);
}
/* --- end vma --- */

int sim_init(struct sim *s, const struct sim_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	if (!s->cfg.model_mem_max)
		s->cfg.model_mem_max = SIM_MEM_DEFAULT_MAX;
	sim_mem_init(s); /* the model's host memory, bounded */
	if (s->mem.fixed > s->mem.limit)
		return -E2BIG;
	struct zones_cfg zc = cfg->zones;
	zc.max_order = cfg->max_order;
	zc.policy = cfg->buddy;
	int err = zones_init(&s->zones, &zc);
	if (err)
		return err;
	s->src = pagesrc_zones(&s->zones);
	err = pagereplay_init_src(&s->pages, &s->src, cfg->page_mode);
	if (err)
		goto out_zones;
	err = sim_phys_init(s);
	if (err)
		goto out_pages;
	err = sim_vmalloc_init(s);
	if (err)
		goto out_pages;
	err = sim_procs_init(s);
	if (err)
		goto out_vmalloc;
	err = pkmap_init(&s->pkmap, &cfg->pkmap);
	if (err)
		goto out_procs;
	return 0;
out_procs:
	procs_fini(&s->procs);
out_vmalloc:
	sim_vmalloc_fini(s);
out_pages:
	seedtime_fini(&s->page_times);
	pagereplay_fini(&s->pages);
out_zones:
	zones_fini(&s->zones);
	return err;
}

void sim_fini(struct sim *s)
{
	pcp_fini(&s->pcp); /* per-CPU lists */
	if (s->cmp_on)
		compact_fini(&s->cmp);
	seedtime_fini(&s->page_times);
	pkmap_fini(&s->pkmap);
	procs_fini(&s->procs); /* vma */
	sim_vmalloc_fini(s);
	pagereplay_fini(&s->pages);
	zones_fini(&s->zones);
}

int sim_check(const struct sim *s, char *msg, size_t len)
{
	if (vmlist_check(&s->vm.vl)) {
		snprintf(msg, len, "vmlist %s: invariant check failed", s->vm.vl.ops->name);
		return -EUCLEAN;
	}
	for (unsigned z = 0; z < s->zones.nr_zones; z++)
		if (buddy_check(&s->zones.zone[z].buddy, msg, len))
			return -EUCLEAN;
	return 0;
}

void sim_prefault(struct sim *s)
{
	for (unsigned z = 0; z < s->zones.nr_zones; z++) {
		const struct buddy *b = &s->zones.zone[z].buddy;
		volatile u64 *f = b->frames;
		for (u64 i = 0; i < b->nr_pages; i += 4096 / sizeof(u64))
			f[i] = f[i]; /* writes every word it touches back unchanged */
	}
}

/* kernel-exact vmalloc: the model's own purge timing runs between vmalloc calls */
static bool sim_vmap_call(unsigned kind)
{
	return kind == MME_VMAP_ALLOC || kind == MME_VMAP_FREE || kind == MME_VMALLOC32 ||
	       kind == MME_IOREMAP || kind == MME_VUNMAP;
}

static int sim_route(struct sim *s, const struct mm_event *ev)
{
	switch (ev->kind) {
	case MME_PAGE_ALLOC:
	case MME_PAGE_FREE:
	case MME_PAGE_ZONE_LOCKED: /* buddy-level page events */
	case MME_PAGE_PCPU_DRAIN:
	case MME_PAGE_EXTFRAG: /* a fallback: buddy mode takes what no zone_locked took */
		return sim_phys_page_event(s, ev);
	/* process address spaces */
	case MME_MMAP:
	case MME_MUNMAP:
	case MME_MPROTECT:
	case MME_BRK:
	case MME_MREMAP:
	case MME_MADVISE:
	case MME_FORK:
	case MME_EXEC:
	case MME_EXIT: {
		u64 fails = s->zones.st.failures;
		int err = procs_event(&s->procs, ev);
		/* page tables the zones could not give: the model ran out (exhaustion), not the host */
		return err == -ENOMEM && s->zones.st.failures != fails ? 0 : err;
	}
	/* vmalloc */
	case MME_VMAP_ALLOC:
	case MME_VMALLOC32: /* the driver mapping paths */
	case MME_IOREMAP:
		return sim_vmap_create(s, ev);
	case MME_VUNMAP:
		return sim_vunmap(s, ev);
	case MME_KMAP:
	case MME_KUNMAP:
		return sim_kmap(s, ev);
	case MME_VMAP_FREE:
		return sim_vmap_free(s, ev);
	case MME_LOST:
		s->events_lost += ev->len;
		return 0;
	case MME_VMAP_PURGE: /* the kernel's own purge: a fact of the trace, a command in TRACE timing */
		s->vmap.trace_purges++;
		s->vmap.trace_purged_areas += ev->aux;
		return sim_vmap_trace_purge(s, ev);
	case MME_COMPACTION: /* the free scanner's isolations are replayed, or evidence */
		return sim_phys_compaction(s, ev);
	case MME_RECLAIM:
		sim_phys_reclaim(s, ev);
		sim_untraced_event(s, ev);
		return 0;
	case MME_MIGRATE:
	case MME_PAGE_ISOLATION:
		sim_untraced_event(s, ev);
		return 0;
	default:
		return 0;
	}
}

static inline int sim_dispatch(struct sim *s, const struct mm_event *ev)
{
	if (MM_UNLIKELY(s->cfg.vmalloc_end && !s->vfid.end_done) && sim_vmap_end_check(s, ev))
		return -ENOMEM;
	if (ev->kind <= MME_PAGE_FREE) {
		u64 unmatched = s->pages.st.unmatched_frees + s->pages.st.seeded_frees;
		int err = sim_phys_page_event(s, ev);
		sim_vmap_page_event(s, ev, unmatched); /* kernel-exact: vmalloc's bulk pages */
		return err;
	}
	if (!sim_vmap_call(ev->kind))
		return sim_route(s, ev);
	sim_vmap_drain_call(s, ev); /* the kernel's drain delay, for MODEL timing to learn */
	vmalloc_tick(&s->vm);	    /* a scheduled (MODEL) purge runs before the next call */
	int err = sim_route(s, ev);
	if (!err)
		err = vmap_fid_model_purges(&s->vfid, &s->vm);
	return err;
}

int sim_event(struct sim *s, const struct mm_event *ev)
{
	sim_outcome_hash(&s->outcomes, ev); /* the trace's identity */
	s->last_ts_ns = ev->ts_ns;
	if (MM_UNLIKELY(ev->ts_ns < s->cfg.from_ns)) /* before the snapshot's time: reflected in it */
		return sim_vmap_skip(s, ev);
	s->events++;
	if (ev->kind < MME_NR_KINDS)
		s->per_kind[ev->kind]++;
	if (!sim_mem_admit(s, ev)) { /* every event in one outcome, memory bounded */
		sim_outcome_count(&s->outcomes, ev, SIM_SKIP_MEM_LIMIT);
		return 0;
	}
	struct sim_outcome_probe p;
	sim_outcome_begin(s, ev, &p);
	u64 fails = s->zones.st.failures;
	int err = sim_dispatch(s, ev);
	if (MM_UNLIKELY(s->zones.st.failures != fails)) /* exhaustion, counted by the zones */
		sim_phys_exhausted(s, ev);
	sim_outcome_end(s, ev, &p);
	sim_mem_done(s, ev);
	return err;
}

int sim_finish(struct sim *s)
{
	return sim_vmap_end_check(s, NULL);
}
