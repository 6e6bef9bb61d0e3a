#include "core/machine/sim_stats.h"

#include <stdio.h>
#include <string.h>

#include "core/phys/fragindex.h"

static void sim_zone_read(const struct zone *z, enum sim_stats_depth depth, struct sim_zone_stats *out)
{
	const struct buddy *b = &z->buddy;
	out->present = true;
	out->nr_pages = b->nr_pages;
	out->free_pages = b->free_pages;
	out->max_order = b->max_order;
	unsigned largest = buddy_largest_free_order(b);
	out->largest_free_order = largest == -1u ? -1 : (int)largest;
	memcpy(out->nr_free, b->nr_free, sizeof(out->nr_free));
	out->allocs = z->st.allocs;
	out->fallback_allocs = z->st.fallback_allocs;
	out->passed = z->st.passed;
	out->frees = z->st.frees;
	out->mixed_pageblocks = depth == SIM_STATS_FULL ? buddy_mixed_pageblocks(b) : 0;
	out->buddy = b->st;
}

static void sim_count_vmas(void *arg, u32 pid, struct mm *mm)
{
	(void)pid;
	*(u64 *)arg += mm->map_count;
}

static void sim_stats_config(const struct sim *s, struct sim_stats_cfg *st)
{
	const struct zones *zs = &s->zones;
	st->vmlist = s->cfg.vmlist->name;
	st->tlb = s->cfg.tlb->name;
	st->buddy = s->cfg.buddy->name;
	st->vma = s->procs.cfg.index->name;
	static const char *const modes[] = {"placement", "faithful", "buddy"}; /* enum pagereplay_mode */
	st->page_mode = (unsigned)s->cfg.page_mode < MM_ARRAY_SIZE(modes) ? modes[s->cfg.page_mode] : "?";
	st->populate = s->procs.cfg.populate ? "all" : "none";
	st->levels = s->vm.cfg.levels;
	st->ncpus = s->vm.cfg.ncpus;
	st->max_order = zs->zone[zs->nr_zones - 1].buddy.max_order;
	st->pkmap_slots = s->pkmap.nr_slots;
	st->vmap_mode = s->cfg.vmap_follow ? "follow" : "predict"; /* kernel-exact vmalloc */
	st->purge = s->vm.cfg.purge == VMALLOC_PURGE_INLINE  ? "inline"
		    : s->vm.cfg.purge == VMALLOC_PURGE_TRACE ? "trace"
							     : "model";
	st->purge_delay = s->vm.cfg.purge_delay;
	st->purge_learn = s->vm.cfg.purge_learn ? "on" : "off";
	st->flush_ceiling = s->vm.cfg.flush_ceiling;
	st->vmap_nodes = s->vm.cfg.nr_nodes;
	st->pcp = s->pcp_on ? "on" : "off"; /* a recorded machine */
	static const char *const tunes[] = {"pressure", "idle", "fixed", "trace", "auto"}; /* enum order */
	st->pcp_traced = s->pcp_on && s->pcp.tune == PCP_TUNE_TRACE;
	st->pcp_tune = (unsigned)s->cfg.pcp_tune < MM_ARRAY_SIZE(tunes) ? tunes[s->cfg.pcp_tune] : "pressure";
	st->wmark_boost = s->cfg.wmark_boost_off ? "off" : "on";
	st->fast_free_block = s->cfg.fast_named ? "named" : "guess";
	st->wmark_scale = s->cfg.wmark_scale;
	if (s->cfg.compaction == SIM_COMPACT_PROACTIVE)
		snprintf(st->compaction, sizeof(st->compaction), "proactive=%u", s->cfg.proactiveness);
	else
		snprintf(st->compaction, sizeof(st->compaction), "%s",
			 s->cfg.compaction == SIM_COMPACT_OFF ? "off" : "kernel");
	st->model_pages = s->model_src.ops == s->src.ops ? "zones" : "none";
	size_t off = 0;
	for (unsigned i = 0; i < zs->nr_zones && off < sizeof(st->zones); i++)
		off += (size_t)snprintf(st->zones + off, sizeof(st->zones) - off, "%s%s", i ? "+" : "",
					zone_type_name(zs->zone[i].type));
}

void sim_stats_read(const struct sim *s, enum sim_stats_depth depth, struct sim_stats *st)
{
	memset(st, 0, sizeof(*st));
	sim_stats_config(s, &st->cfg);
	st->events = s->events;
	st->events_lost = s->events_lost;
	memcpy(st->per_kind, s->per_kind, sizeof(st->per_kind));
	/* kernel virtual addresses */
	st->vmalloc = s->vm.st;
	st->vmlist = s->vm.vl.st;
	st->tlb = s->vm.tlb.st;
	st->tlb_nr_lazy = s->vm.tlb.nr_lazy;
	st->tlb_nr_lazy_areas = s->vm.tlb.nr_purge;
	st->pgtable = s->vm.pts;
	st->vmap = s->vmap;
	const struct vmap_fidelity *f = &s->vfid; /* agreement with the recorded kernel */
	st->vfid = (struct sim_vfid_stats){
		.checked = f->checked,
		.exact = f->exact,
		.checked_warm = f->checked_warm,
		.exact_warm = f->exact_warm,
		.purges_size_exact = vmap_fid_purges_size_exact(f),
		.end_areas = f->end_areas,
		.end_matched = f->end_matched,
		.seeded_areas = s->vm.st.seeded_areas,
		.follow_conflicts = s->vm.st.follow_conflicts,
		.early_purges = s->vm.st.early_purges,
		.skipped = f->skipped,
		.bulk_frees = f->bulk_frees,
		.seed_outside = f->seed_outside,
		.trace_purges = f->ntrace,
		.model_purges = f->nmodel,
		.nmis = f->nmis,
	};
	memcpy(st->vfid.where, f->where, sizeof(f->where));
	memcpy(st->vfid.miss_how, f->miss_how, sizeof(f->miss_how));
	memcpy(st->vfid.miss_src, f->miss_src, sizeof(f->miss_src));
	memcpy(st->vfid.mis, f->mis, sizeof(f->mis));
	vmap_reveal_read(&f->rv, &st->vfid.reveal);
	st->vfid.ceiling_warm = f->checked_warm - MM_MIN(st->vfid.reveal.unrevealed, f->checked_warm);
	st->pkmap = s->pkmap.st;
	st->kmap_errors = s->kmap_errors;
	/* processes: procs_for_each only reads, the cast keeps the view's signature const */
	st->mm = s->procs.st;
	st->procs = s->procs.ps;
	procs_for_each((struct procs *)&s->procs, sim_count_vmas, &st->vmas_live);
	/* physical memory */
	st->pages = s->pages.st;
	st->zones_st = s->zones.st;
	st->free_pages = zones_free_pages(&s->zones);
	st->nr_zones = s->zones.nr_zones;
	for (int t = 0; t < ZONE_NR_TYPES; t++)
		if (s->zones.index[t] >= 0)
			sim_zone_read(&s->zones.zone[s->zones.index[t]], depth, &st->zone[t]);
	st->top_type = s->zones.zone[s->zones.nr_zones - 1].type;
	st->top = st->zone[st->top_type];
	st->pcp = s->pcp.st; /* a recorded machine */
	for (unsigned z = 0; s->pcp_on && z < s->zones.nr_zones; z++)
		st->pcp_end_pages += pcp_zone_pages(&s->pcp, z);
	st->pcp_end_kernel = s->cfg.pcp_end_kernel;
	st->pcp_end_known = s->cfg.pcp_end_known;
	st->wmark = s->pcp.wm.st;
	st->compact = s->cmp.st;
	st->compact_traced = s->cmp_traced;
	if (s->cmp_on) {
		st->compact_run.runs = s->cmp.st.runs;
		st->compact_run.scanned = s->cmp.st.migrate_scanned + s->cmp.st.free_scanned;
		st->compact_run.migrated = s->cmp.st.migrated;
		st->compact_run.success = s->cmp.st.success;
	} else if (s->cfg.page_mode != PAGEREPLAY_PLACEMENT && s->cfg.compaction != SIM_COMPACT_OFF) {
		st->compact_run.runs = s->cmp_traced.runs;
		st->compact_run.scanned = s->cmp_traced.scanned;
		st->compact_run.migrated = s->cmp_traced.migrated;
		st->compact_run.success = s->cmp_traced.success;
	}
	st->page_events_skipped = s->page_events_skipped;
	st->page_state_ns = s->cfg.page_from_ns;
	st->last_event_ns = s->last_ts_ns;
	st->exh = s->exh;
	st->snaps = s->snaps;
	st->untr = s->untr;
	/* what became of every event; the model's memory */
	st->outcomes = s->outcomes;
	sim_outcome_totals(&s->outcomes, st->outcome);
	st->trace_id = sim_outcome_trace_id(&s->outcomes);
	st->mem_fixed = s->mem.fixed;
	st->mem_peak = MM_MAX(s->mem.peak, sim_mem_used(s));
	st->mem_limit = s->mem.limit;
	st->mem_refused = s->mem.refused;
	/* derived */
	st->vmalloc_tlb_flushes = st->tlb.flush_all + st->tlb.flush_range;
	st->tlb_flushes = st->vmalloc_tlb_flushes + st->mm.tlb_flush_range + st->mm.tlb_flush_all;
	st->alloc_failures = st->pages.alloc_failures + st->vmap.alloc_failures;
	st->unmatched_frees = st->pages.unmatched_frees + st->vmap.unmatched_frees;
	st->vmap_ops = st->vmlist.allocs + st->vmlist.frees;
}

int sim_zone_unusable(const struct sim_zone_stats *z, unsigned order)
{
	return fragindex_unusable(z->nr_free, z->max_order + 1, MM_MIN(order, z->max_order));
}

int sim_zone_extfrag(const struct sim_zone_stats *z, unsigned order)
{
	return fragindex_extfrag(z->nr_free, z->max_order + 1, MM_MIN(order, z->max_order));
}
