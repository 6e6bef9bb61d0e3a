/* The columns of `mmreplay replay`'s CSV, in order: one line per column in the table at the
 * bottom, each model block kept together so other models add theirs without touching the
 * rest. Every column not prefixed host_ is a deterministic model result. */
#include <stdio.h>

#include "replay.h"

#define COL_U64(fn, expr)                                                                                    \
	static void fn(const struct replay_row *r, char *b, size_t n)                                        \
	{                                                                                                    \
		const struct sim *s = r->sim;                                                                \
		(void)s;                                                                                     \
		snprintf(b, n, "%llu", (unsigned long long)(expr));                                          \
	}
#define COL_STR(fn, expr)                                                                                    \
	static void fn(const struct replay_row *r, char *b, size_t n)                                        \
	{                                                                                                    \
		const struct sim *s = r->sim;                                                                \
		(void)s;                                                                                     \
		snprintf(b, n, "%s", (expr));                                                                \
	}

/* configuration */
COL_STR(c_trace, r->trace)
COL_STR(c_vmlist, s->cfg.vmlist->name)
COL_STR(c_tlb, s->cfg.tlb->name)
COL_STR(c_buddy, s->cfg.buddy->name)
COL_STR(c_page_mode, s->cfg.page_mode == PAGEREPLAY_FAITHFUL ? "faithful" : "placement")
COL_U64(c_cached_hole, s->cfg.cached_hole)
COL_U64(c_levels, s->vm.cfg.levels)
COL_U64(c_ncpus, s->vm.cfg.ncpus)
COL_U64(c_events, r->events)

/* vmalloc, page tables, TLB (issue 4) */
COL_U64(c_vmap_allocs, s->vm.st.vmallocs)
COL_U64(c_vmap_frees, s->vm.st.vfrees)
COL_U64(c_vmap_purges, s->vm.tlb.st.vmap_purges)
COL_U64(c_purged_areas, s->vm.tlb.st.purged_areas)
COL_U64(c_forced_purges, s->vm.tlb.st.forced_purges)
COL_U64(c_lazy_seed_pages, s->vmap.lazy_seed_pages)
COL_U64(c_trace_vmap_purges, s->vmap.trace_purges)
COL_U64(c_trace_purged_areas, s->vmap.trace_purged_areas)
COL_U64(c_tlb_flush_all, s->vm.tlb.st.flush_all)
COL_U64(c_tlb_flush_range, s->vm.tlb.st.flush_range)
COL_U64(c_tlb_flush_pages, s->vm.tlb.st.flush_pages)
COL_U64(c_cache_flushes, s->vm.tlb.st.cache_flushes)
COL_U64(c_ipis, s->vm.tlb.st.ipis)
COL_U64(c_pte_set, s->vm.pts.pte_set)
COL_U64(c_pte_clear, s->vm.pts.pte_clear)
COL_U64(c_pgtable_pages_alloc, s->vm.pts.pgtable_pages_alloc)
COL_U64(c_pgtable_pages_free, s->vm.pts.pgtable_pages_free)
COL_U64(c_walk_entries, s->vm.pts.walk_entries)
COL_U64(c_walk_l0, s->vm.pts.walk_level[0])
COL_U64(c_walk_l1, s->vm.pts.walk_level[1])
COL_U64(c_walk_l2, s->vm.pts.walk_level[2])
COL_U64(c_walk_l3, s->vm.pts.walk_level[3])
COL_U64(c_walk_l4, s->vm.pts.walk_level[4])
COL_U64(c_vmlist_visits, s->vm.vl.st.visits)
COL_U64(c_vmlist_alloc_visits, s->vm.vl.st.alloc_visits)
COL_U64(c_vmalloc_pages, s->vm.st.pages_alloc)
COL_U64(c_vmap_alloc_failures, s->vmap.alloc_failures)
COL_U64(c_vmap_traced_failures, s->vmap.traced_failures)
COL_U64(c_vmap_unmatched_frees, s->vmap.unmatched_frees)
COL_U64(c_vmap_bad_frees, s->vm.st.bad_frees)
COL_U64(c_vmap_live, s->vm.st.live_areas)

/* process address spaces (vma, issue 5); mm_ columns are the processes' own flushes and page
 * tables, apart from the kernel-side (vmalloc) ones above */
COL_STR(c_vma, s->procs.cfg.index->name)
COL_U64(c_munmap_calls, s->procs.st.munmap_calls)
COL_U64(c_find_vma_visits, s->procs.st.vma.find_vma_visits)
COL_U64(c_vma_splits, s->procs.st.vma.vma_splits)
COL_U64(c_vma_merges, s->procs.st.vma.vma_merges)
COL_U64(c_vmas_detached, s->procs.st.vma.vmas_detached)
COL_U64(c_vmas_peak, s->procs.st.vma.vmas_peak)
COL_U64(c_mm_tlb_flush_range, s->procs.st.tlb_flush_range)
COL_U64(c_mm_tlb_flush_pages, s->procs.st.tlb_flush_pages)
COL_U64(c_mm_pgtable_pages_free, s->procs.st.pgtable_pages_free)

/* traced page events on the buddy */
COL_U64(c_page_allocs, s->pages.st.allocs)
COL_U64(c_page_frees, s->pages.st.frees)
COL_U64(c_page_alloc_failures, s->pages.st.alloc_failures)
COL_U64(c_page_unmatched_frees, s->pages.st.unmatched_frees)
COL_U64(c_page_conflicts, s->pages.st.conflicts)
COL_U64(c_free_pages_end, zones_free_pages(&s->zones))

/* totals over the models */
COL_U64(c_alloc_failures, s->pages.st.alloc_failures + s->vmap.alloc_failures)
COL_U64(c_unmatched_frees, s->pages.st.unmatched_frees + s->vmap.unmatched_frees)

/* issue 7: the other mapping paths, per call kind (events routed, whatever their outcome) */
static void c_zones(const struct replay_row *r, char *b, size_t n)
{
	const struct zones *zs = &r->sim->zones;
	size_t off = 0;
	b[0] = 0;
	for (unsigned i = 0; i < zs->nr_zones && off < n; i++)
		off += (size_t)snprintf(b + off, n - off, "%s%s", i ? "+" : "",
					zone_type_name(zs->zone[i].type));
}
COL_U64(c_vmalloc32_calls, s->per_kind[MME_VMALLOC32])
COL_U64(c_ioremap_calls, s->per_kind[MME_IOREMAP])
COL_U64(c_vunmap_calls, s->per_kind[MME_VUNMAP])
COL_U64(c_ioremap_pages, s->vm.st.ioremap_pages)
COL_U64(c_vunmap_leaked_pages, s->vm.st.leaked_pages)
COL_U64(c_pkmap_slots, s->pkmap.nr_slots)
COL_U64(c_kmaps, s->pkmap.st.kmaps)
COL_U64(c_kmap_hits, s->pkmap.st.kmap_hits)
COL_U64(c_kunmaps, s->pkmap.st.kunmaps)
COL_U64(c_kmap_waits, s->pkmap.st.waits)
COL_U64(c_pkmap_wraps, s->pkmap.st.wraps)
COL_U64(c_pkmap_tlb_flushes, s->pkmap.st.tlb_flushes)
COL_U64(c_kunmap_bad, s->pkmap.st.bad_kunmaps)

/* per zone: empty fields when the layout has no such zone, so the header is fixed */
enum zone_col { ZC_ALLOCS, ZC_FALLBACK, ZC_FREE_PAGES, ZC_UFI9, ZC_EFI9 };
static void zone_col(const struct replay_row *r, enum zone_type t, enum zone_col what, char *b, size_t n)
{
	const struct zones *zs = &r->sim->zones;
	int i = zs->index[t];
	if (i < 0) {
		b[0] = 0;
		return;
	}
	const struct zone *z = &zs->zone[i];
	unsigned o9 = MM_MIN(9u, z->buddy.max_order);
	if (what == ZC_UFI9 || what == ZC_EFI9) { /* the kernel's indices at order 9, thousandths */
		snprintf(b, n, "%d",
			 what == ZC_UFI9 ? zones_unusable(zs, (unsigned)i, o9)
					 : zones_extfrag(zs, (unsigned)i, o9));
		return;
	}
	u64 v = what == ZC_ALLOCS     ? z->st.allocs
		: what == ZC_FALLBACK ? z->st.fallback_allocs
				      : z->buddy.free_pages;
	snprintf(b, n, "%llu", (unsigned long long)v);
}
#define ZONE_COL(fn, t, what)                                                                                \
	static void fn(const struct replay_row *r, char *b, size_t n)                                        \
	{                                                                                                    \
		zone_col(r, t, what, b, n);                                                                  \
	}
ZONE_COL(c_zone_dma_allocs, ZONE_DMA, ZC_ALLOCS)
ZONE_COL(c_zone_dma_fallback_allocs, ZONE_DMA, ZC_FALLBACK)
ZONE_COL(c_zone_dma_free_pages, ZONE_DMA, ZC_FREE_PAGES)
ZONE_COL(c_zone_dma32_allocs, ZONE_DMA32, ZC_ALLOCS)
ZONE_COL(c_zone_dma32_fallback_allocs, ZONE_DMA32, ZC_FALLBACK)
ZONE_COL(c_zone_dma32_free_pages, ZONE_DMA32, ZC_FREE_PAGES)
ZONE_COL(c_zone_normal_allocs, ZONE_NORMAL, ZC_ALLOCS)
ZONE_COL(c_zone_normal_fallback_allocs, ZONE_NORMAL, ZC_FALLBACK)
ZONE_COL(c_zone_normal_free_pages, ZONE_NORMAL, ZC_FREE_PAGES)
ZONE_COL(c_zone_dma_ufi9_end, ZONE_DMA, ZC_UFI9)
ZONE_COL(c_zone_dma_efi9_end, ZONE_DMA, ZC_EFI9)
ZONE_COL(c_zone_dma32_ufi9_end, ZONE_DMA32, ZC_UFI9)
ZONE_COL(c_zone_dma32_efi9_end, ZONE_DMA32, ZC_EFI9)
ZONE_COL(c_zone_normal_ufi9_end, ZONE_NORMAL, ZC_UFI9)
ZONE_COL(c_zone_normal_efi9_end, ZONE_NORMAL, ZC_EFI9)
COL_U64(c_zone_failures, s->zones.st.failures)
COL_U64(c_page_no_zone, s->pages.st.no_zone)

/* issue 11: kernel-exact vmalloc (settings, then agreement with the recorded kernel) */
static const char *purge_name(enum vmalloc_purge_mode m)
{
	return m == VMALLOC_PURGE_INLINE ? "inline" : m == VMALLOC_PURGE_TRACE ? "trace" : "model";
}
COL_STR(c_vmap_mode, s->cfg.vmap_follow ? "follow" : "predict")
COL_STR(c_purge, purge_name(s->vm.cfg.purge))
COL_U64(c_purge_delay, s->vm.cfg.purge_delay)
COL_U64(c_flush_ceiling, s->vm.cfg.flush_ceiling)
COL_U64(c_vmap_nodes, s->vm.cfg.nr_nodes)
COL_U64(c_vmap_addr_checked, s->vfid.checked)
COL_U64(c_vmap_addr_exact, s->vfid.exact)
COL_U64(c_vmap_addr_checked_warm, s->vfid.checked_warm)
COL_U64(c_vmap_addr_exact_warm, s->vfid.exact_warm)
COL_U64(c_vmap_purges_size_exact, vmap_fid_purges_size_exact(&s->vfid))
COL_U64(c_vmalloc_end_areas, s->vfid.end_areas)
COL_U64(c_vmalloc_end_matched, s->vfid.end_matched)
COL_U64(c_vmap_seeded_areas, s->vm.st.seeded_areas)
COL_U64(c_vmap_follow_conflicts, s->vm.st.follow_conflicts)
COL_U64(c_events_skipped, s->vfid.skipped)
COL_U64(c_vmalloc_bulk_frees, s->vfid.bulk_frees)

/* host measurements */
COL_U64(c_host_ns, r->host_ns)
static void c_host_ns_per_event(const struct replay_row *r, char *b, size_t n)
{
	snprintf(b, n, "%.2f", r->events ? (double)r->host_ns / (double)r->events : 0.0);
}
static void c_host_mevents_per_s(const struct replay_row *r, char *b, size_t n)
{
	snprintf(b, n, "%.2f", r->host_ns ? (double)r->events * 1e3 / (double)r->host_ns : 0.0);
}
COL_U64(c_host_cpu_ns, r->host_cpu_ns)
static void c_host_cpu_mevents_per_s(const struct replay_row *r, char *b, size_t n)
{
	snprintf(b, n, "%.2f", r->host_cpu_ns ? (double)r->events * 1e3 / (double)r->host_cpu_ns : 0.0);
}
COL_U64(c_host_peak_rss_bytes, r->host_rss)

const struct replay_column replay_columns[] = {
	{"trace", true, c_trace},
	{"vmlist", true, c_vmlist},
	{"tlb", true, c_tlb},
	{"buddy", true, c_buddy},
	{"page_mode", false, c_page_mode},
	{"cached_hole", false, c_cached_hole},
	{"levels", false, c_levels},
	{"ncpus", false, c_ncpus},
	{"events", true, c_events},
	/* vmalloc, page tables, TLB */
	{"vmap_allocs", true, c_vmap_allocs},
	{"vmap_frees", true, c_vmap_frees},
	{"vmap_purges", true, c_vmap_purges},
	{"purged_areas", false, c_purged_areas},
	{"forced_purges", false, c_forced_purges},
	{"lazy_seed_pages", false, c_lazy_seed_pages},
	{"trace_vmap_purges", false, c_trace_vmap_purges},
	{"trace_purged_areas", false, c_trace_purged_areas},
	{"tlb_flush_all", true, c_tlb_flush_all},
	{"tlb_flush_range", true, c_tlb_flush_range},
	{"tlb_flush_pages", false, c_tlb_flush_pages},
	{"cache_flushes", false, c_cache_flushes},
	{"ipis", true, c_ipis},
	{"pte_set", true, c_pte_set},
	{"pte_clear", false, c_pte_clear},
	{"pgtable_pages_alloc", false, c_pgtable_pages_alloc},
	{"pgtable_pages_free", false, c_pgtable_pages_free},
	{"walk_entries", true, c_walk_entries},
	{"walk_l0", false, c_walk_l0},
	{"walk_l1", false, c_walk_l1},
	{"walk_l2", false, c_walk_l2},
	{"walk_l3", false, c_walk_l3},
	{"walk_l4", false, c_walk_l4},
	{"vmlist_visits", true, c_vmlist_visits},
	{"vmlist_alloc_visits", false, c_vmlist_alloc_visits},
	{"vmalloc_pages", false, c_vmalloc_pages},
	{"vmap_alloc_failures", false, c_vmap_alloc_failures},
	{"vmap_traced_failures", false, c_vmap_traced_failures},
	{"vmap_unmatched_frees", false, c_vmap_unmatched_frees},
	{"vmap_bad_frees", false, c_vmap_bad_frees},
	{"vmap_live", false, c_vmap_live},
	/* process address spaces (vma) */
	{"vma", true, c_vma},
	{"munmap_calls", false, c_munmap_calls},
	{"find_vma_visits", true, c_find_vma_visits},
	{"vma_splits", false, c_vma_splits},
	{"vma_merges", false, c_vma_merges},
	{"vmas_detached", false, c_vmas_detached},
	{"vmas_peak", false, c_vmas_peak},
	{"mm_tlb_flush_range", false, c_mm_tlb_flush_range},
	{"mm_tlb_flush_pages", false, c_mm_tlb_flush_pages},
	{"mm_pgtable_pages_free", false, c_mm_pgtable_pages_free},
	/* traced page events */
	{"page_allocs", true, c_page_allocs},
	{"page_frees", true, c_page_frees},
	{"page_alloc_failures", false, c_page_alloc_failures},
	{"page_unmatched_frees", false, c_page_unmatched_frees},
	{"page_conflicts", false, c_page_conflicts},
	{"free_pages_end", false, c_free_pages_end},
	/* totals */
	{"alloc_failures", true, c_alloc_failures},
	{"unmatched_frees", true, c_unmatched_frees},
	/* issue 7: zones, vmalloc_32, ioremap, vunmap, kmap (appended: older columns keep their
	 * positions) */
	{"zones", false, c_zones},
	{"vmalloc32_calls", false, c_vmalloc32_calls},
	{"ioremap_calls", false, c_ioremap_calls},
	{"vunmap_calls", false, c_vunmap_calls},
	{"ioremap_pages", false, c_ioremap_pages},
	{"vunmap_leaked_pages", false, c_vunmap_leaked_pages},
	{"pkmap_slots", false, c_pkmap_slots},
	{"kmaps", false, c_kmaps},
	{"kmap_hits", false, c_kmap_hits},
	{"kunmaps", false, c_kunmaps},
	{"kmap_waits", false, c_kmap_waits},
	{"pkmap_wraps", false, c_pkmap_wraps},
	{"pkmap_tlb_flushes", false, c_pkmap_tlb_flushes},
	{"kunmap_bad", false, c_kunmap_bad},
	{"zone_dma_allocs", false, c_zone_dma_allocs},
	{"zone_dma_fallback_allocs", false, c_zone_dma_fallback_allocs},
	{"zone_dma_free_pages", false, c_zone_dma_free_pages},
	{"zone_dma32_allocs", false, c_zone_dma32_allocs},
	{"zone_dma32_fallback_allocs", false, c_zone_dma32_fallback_allocs},
	{"zone_dma32_free_pages", false, c_zone_dma32_free_pages},
	{"zone_normal_allocs", false, c_zone_normal_allocs},
	{"zone_normal_fallback_allocs", false, c_zone_normal_fallback_allocs},
	{"zone_normal_free_pages", false, c_zone_normal_free_pages},
	{"zone_dma_ufi9_end", false, c_zone_dma_ufi9_end},
	{"zone_dma_efi9_end", false, c_zone_dma_efi9_end},
	{"zone_dma32_ufi9_end", false, c_zone_dma32_ufi9_end},
	{"zone_dma32_efi9_end", false, c_zone_dma32_efi9_end},
	{"zone_normal_ufi9_end", false, c_zone_normal_ufi9_end},
	{"zone_normal_efi9_end", false, c_zone_normal_efi9_end},
	{"zone_failures", false, c_zone_failures},
	{"page_no_zone", false, c_page_no_zone},
	/* issue 11: kernel-exact vmalloc (appended) */
	{"vmap_mode", false, c_vmap_mode},
	{"purge", false, c_purge},
	{"purge_delay", false, c_purge_delay},
	{"flush_ceiling", false, c_flush_ceiling},
	{"vmap_nodes", false, c_vmap_nodes},
	{"vmap_addr_checked", false, c_vmap_addr_checked},
	{"vmap_addr_exact", false, c_vmap_addr_exact},
	{"vmap_addr_checked_warm", false, c_vmap_addr_checked_warm},
	{"vmap_addr_exact_warm", false, c_vmap_addr_exact_warm},
	{"vmap_purges_size_exact", false, c_vmap_purges_size_exact},
	{"vmalloc_end_areas", false, c_vmalloc_end_areas},
	{"vmalloc_end_matched", false, c_vmalloc_end_matched},
	{"vmap_seeded_areas", false, c_vmap_seeded_areas},
	{"vmap_follow_conflicts", false, c_vmap_follow_conflicts},
	{"events_skipped", false, c_events_skipped},
	{"vmalloc_bulk_frees", false, c_vmalloc_bulk_frees},
	/* host measurements: not deterministic */
	{"host_ns", false, c_host_ns},
	{"host_ns_per_event", true, c_host_ns_per_event},
	{"host_mevents_per_s", false, c_host_mevents_per_s},
	{"host_cpu_ns", false, c_host_cpu_ns},
	{"host_cpu_mevents_per_s", false, c_host_cpu_mevents_per_s},
	{"host_peak_rss_bytes", false, c_host_peak_rss_bytes},
	{NULL, false, NULL},
};
