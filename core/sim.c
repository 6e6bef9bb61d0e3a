#include "sim.h"

#include <errno.h>
#include <string.h>

void sim_cfg_default(struct sim_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->zone_base_pfn = 0x100000;
	cfg->zone_pages = 1ULL << 20;
	cfg->max_order = BUDDY_DEFAULT_MAX_ORDER;
	cfg->buddy = buddy_policy_find("lifo");
	cfg->page_mode = PAGEREPLAY_PLACEMENT;
	/* vmalloc (issue 4) */
	cfg->vmlist = vmlist_find("augmented");
	cfg->tlb = tlb_policy_find("lazy");
	cfg->levels = 4;
	cfg->ncpus = 0;
	cfg->vmalloc_guard = VMALLOC_GUARD_INCLUDED;
	/* vma (issue 5) */
	cfg->vma = &vma_index_maple;
	cfg->populate = false;
	cfg->max_map_count = MM_MAX_MAP_COUNT;
}

/* --- vmalloc (issue 4) --- */
static int sim_vmalloc_init(struct sim *s)
{
	struct vmalloc_cfg vc;
	vmalloc_cfg_default(&vc);
	vc.vmlist = s->cfg.vmlist;
	vc.cached_hole = s->cfg.cached_hole;
	vc.tlb = s->cfg.tlb;
	vc.levels = s->cfg.levels ? s->cfg.levels : 4;
	vc.ncpus = s->cfg.ncpus ? s->cfg.ncpus : 2;
	vc.guard = s->cfg.vmalloc_guard;
	int err = vmalloc_init(&s->vm, &vc, &s->buddy);
	if (err)
		return err;
	err = hmap_init(&s->vmap_pair, 1024);
	if (err)
		vmalloc_fini(&s->vm);
	return err;
}

static void sim_vmalloc_fini(struct sim *s)
{
	hmap_fini(&s->vmap_pair);
	vmalloc_fini(&s->vm);
}

static int sim_vmap_alloc(struct sim *s, const struct mm_event *ev)
{
	u64 model, old;
	if (ev->flags & MME_F_FAILED) {
		s->vmap.traced_failures++;
		return 0;
	}
	if (hmap_del(&s->vmap_pair, ev->addr, &old)) {
		s->vmap.implicit_frees++;
		vmalloc_vfree(&s->vm, old);
	}
	int err = vmalloc_alloc(&s->vm, ev->len, ev->aux, ev->addr2, ev->len2, &model);
	if (err) {
		s->vmap.alloc_failures++;
		return 0;
	}
	return hmap_put(&s->vmap_pair, ev->addr, model) < 0 ? -ENOMEM : 0;
}

static int sim_vmap_free(struct sim *s, const struct mm_event *ev)
{
	u64 model;
	bool found = hmap_del(&s->vmap_pair, ev->addr, &model);
	if (!s->vmap.lazy_seeded && ev->aux) {
		/* the kernel logs nr_lazy after adding this area: what it counted before is the
		 * pages lazily freed before the recording */
		u64 own = found ? vmalloc_area_size(&s->vm, model) >> MM_PAGE_SHIFT : 0;
		s->vmap.lazy_seeded = true;
		s->vmap.lazy_seed_pages = ev->len2 > own ? ev->len2 - own : 0;
		if (s->vm.tlb.ops == tlb_policy_find("lazy"))
			tlb_add_foreign_lazy(&s->vm.tlb, s->vmap.lazy_seed_pages);
	}
	if (!found) {
		s->vmap.unmatched_frees++;
		return 0;
	}
	int err = vmalloc_vfree(&s->vm, model);
	return err == -ENOMEM ? err : 0;
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
/* --- end vmalloc --- */

/* --- vma (issue 5) --- */
static int sim_procs_init(struct sim *s)
{
	struct mm_cfg mc;
	procs_cfg_default(&mc);
	mc.index = s->cfg.vma ? s->cfg.vma : &vma_index_maple;
	mc.populate = s->cfg.populate;
	mc.max_map_count = s->cfg.max_map_count ? s->cfg.max_map_count : MM_MAX_MAP_COUNT;
	mm_pgtable_init(&s->mm_pt, &s->buddy, s->cfg.levels ? s->cfg.levels : 4);
	mc.pt = &mm_pgtable_ops;
	mc.pt_ctx = &s->mm_pt;
	return procs_init(&s->procs, &mc);
}
/* --- end vma --- */

int sim_init(struct sim *s, const struct sim_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	struct buddy_cfg bc = {
		.base_pfn = cfg->zone_base_pfn,
		.nr_pages = cfg->zone_pages,
		.max_order = cfg->max_order,
		.policy = cfg->buddy,
	};
	int err = buddy_init(&s->buddy, &bc);
	if (err)
		return err;
	err = pagereplay_init(&s->pages, &s->buddy, cfg->page_mode);
	if (err) {
		buddy_fini(&s->buddy);
		return err;
	}
	err = sim_vmalloc_init(s);
	if (err) {
		pagereplay_fini(&s->pages);
		buddy_fini(&s->buddy);
		return err;
	}
	err = sim_procs_init(s);
	if (err) {
		sim_vmalloc_fini(s);
		pagereplay_fini(&s->pages);
		buddy_fini(&s->buddy);
		return err;
	}
	return 0;
}

void sim_fini(struct sim *s)
{
	procs_fini(&s->procs); /* vma */
	sim_vmalloc_fini(s);
	pagereplay_fini(&s->pages);
	buddy_fini(&s->buddy);
}

int sim_event(struct sim *s, const struct mm_event *ev)
{
	s->events++;
	if (ev->kind < MME_NR_KINDS)
		s->per_kind[ev->kind]++;
	switch (ev->kind) {
	case MME_PAGE_ALLOC:
	case MME_PAGE_FREE:
		return pagereplay_event(&s->pages, ev);
	/* vma (issue 5) */
	case MME_MMAP:
	case MME_MUNMAP:
	case MME_MPROTECT:
	case MME_BRK:
	case MME_MREMAP:
	case MME_MADVISE:
	case MME_FORK:
	case MME_EXEC:
	case MME_EXIT:
		return procs_event(&s->procs, ev);
	/* vmalloc (issue 4) */
	case MME_VMAP_ALLOC:
		return sim_vmap_alloc(s, ev);
	case MME_VMAP_FREE:
		return sim_vmap_free(s, ev);
	case MME_VMAP_PURGE: /* the kernel's own purge: a fact of the trace, not a command */
		s->vmap.trace_purges++;
		s->vmap.trace_purged_areas += ev->aux;
		return 0;
	default:
		return 0;
	}
}
