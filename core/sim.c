#include "sim.h"

#include <string.h>

void sim_cfg_default(struct sim_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->zone_base_pfn = 0x100000;
	cfg->zone_pages = 1ULL << 20;
	cfg->max_order = BUDDY_DEFAULT_MAX_ORDER;
	cfg->buddy = buddy_policy_find("lifo");
	cfg->page_mode = PAGEREPLAY_PLACEMENT;
	/* --- vma --- */
	cfg->vma = &vma_index_maple;
	cfg->populate = false;
	cfg->max_map_count = MM_MAX_MAP_COUNT;
}

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
	/* --- vma --- */
	struct mm_cfg mc;
	procs_cfg_default(&mc);
	mc.index = cfg->vma ? cfg->vma : &vma_index_maple;
	mc.populate = cfg->populate;
	mc.max_map_count = cfg->max_map_count ? cfg->max_map_count : MM_MAX_MAP_COUNT;
	err = procs_init(&s->procs, &mc);
	if (err) {
		pagereplay_fini(&s->pages);
		buddy_fini(&s->buddy);
		return err;
	}
	return 0;
}

void sim_fini(struct sim *s)
{
	procs_fini(&s->procs); /* vma */
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
	default:
		return 0;
	}
}
