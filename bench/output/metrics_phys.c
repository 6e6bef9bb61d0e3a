/* Metrics of physical memory (core/phys): traced page events, the zones, the highest zone's
 * buddy at the end; and the totals over the models. */
#include <string.h>

#include "bench/output/metric_fmt.h"

/* A zone's index at order 9; empty in a sample where the zone was exhausted (series). */
void metric_zone_ufi9(const struct metric *m, const struct metric_src *src, unsigned i, char *buf, size_t len)
{
	if (!(src->exhausted & (1u << m->arg)))
		metric_int(buf, len, sim_zone_unusable(&src->st->zone[m->arg], 9));
}

void metric_zone_efi9(const struct metric *m, const struct metric_src *src, unsigned i, char *buf, size_t len)
{
	if (!(src->exhausted & (1u << m->arg)))
		metric_int(buf, len, sim_zone_extfrag(&src->st->zone[m->arg], 9));
}

/* The highest zone: its largest free order; its indices at order arg (ufi) or -arg (efi). */
static void m_largest_free_order(const struct metric *m, const struct metric_src *s, unsigned i, char *b,
				 size_t n)
{
	metric_int(b, n, s->st->top.largest_free_order);
}

static void m_top_index(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	const struct sim_zone_stats *z = &s->st->top;
	metric_int(b, n,
		   m->arg > 0 ? sim_zone_unusable(z, (unsigned)m->arg)
			      : sim_zone_extfrag(z, (unsigned)-m->arg));
}

#define ZONE3(z, Z, T)                                                                                       \
	M_ZONE("zone_" #z "_allocs", "requests", METRIC_MODEL, METRIC_IN_ROWS, T, allocs,                    \
	       "allocations the " Z " zone served (page events, vmalloc pages, page tables; empty: no such " \
	       "zone)"),                                                                                     \
		M_ZONE("zone_" #z "_fallback_allocs", "requests", METRIC_MODEL, METRIC_IN_ROWS, T,           \
		       fallback_allocs, "of those, for a request that preferred a higher zone"),             \
		M_ZONE("zone_" #z "_free_pages", "pages", METRIC_MODEL, METRIC_IN_ROWS, T, free_pages,       \
		       "free pages of the " Z " zone at the end")
#define ZONE_FI(z, Z, T)                                                                                     \
	M_FN("zone_" #z "_ufi9_end", "thousandths", METRIC_MODEL, METRIC_IN_ROWS | METRIC_ZONE,              \
	     metric_zone_ufi9, T,                                                                            \
	     "the " Z " zone's unusable free space index at order 9 (or max_order) at the end"),             \
		M_FN("zone_" #z "_efi9_end", "thousandths", METRIC_MODEL, METRIC_IN_ROWS | METRIC_ZONE,      \
		     metric_zone_efi9, T, "the " Z " zone's extfrag index at order 9 at the end")
#define TOP(name, fn, arg, desc) M_FN(name, "thousandths", METRIC_MODEL, METRIC_IN_ROWS, fn, arg, desc)

/* The comparison with the kernel's buddyinfo snapshots; empty when none compared.
 * arg 0: ufi9 error max, 1: its mean, 2: free pages error max, 3: the kernel's free pages then,
 * 4: when the ufi9 error max was seen (s), 5: THP allocations error max, 6: the kernel's then */
static void m_snap(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	const struct snapcheck *c = &s->st->snaps;
	if (!c->compared || (m->arg < 2 && !c->ufi9_n))
		return;
	if (m->arg == 0)
		metric_int(b, n, c->ufi9_err_max);
	else if (m->arg == 1)
		snprintf(b, n, "%.2f", c->ufi9_err_sum / (double)c->ufi9_n);
	else if (m->arg == 4)
		snprintf(b, n, c->ufi9_n ? "%.3f" : "", (double)c->ufi9_err_max_t_ns / 1e9);
	else if (m->arg >= 5)
		metric_u64(b, n, m->arg == 5 ? c->thp_err_max : c->thp_kernel);
	else
		metric_u64(b, n, m->arg == 2 ? c->free_pages_err_max : c->free_pages_kernel);
}

/* The per-CPU list model's buddy-level counts; empty when the lists are off. arg 0: blocks
 * refilled, 1: other orders from the buddy, 2: blocks drained, 3: start pages revealed. */
static void m_pcp(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	const struct pcp_stats *p = &s->st->pcp;
	if (strcmp(s->st->cfg.pcp, "on"))
		return;
	const u64 v[] = {p->refill_blocks,     p->direct_allocs,     p->drain_blocks,
			 p->start_revealed,    p->trace_list_misses, p->trace_refill_misses,
			 p->trace_drain_misses};
	metric_u64(b, n, v[m->arg]);
}

/* Pages on the per-CPU lists at the end: arg 0 the model's (empty when its lists are off), 1 the
 * kernel's (a later zoneinfo's, zoneinfo-end; empty when none was given). */
static void m_pcp_end(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	(void)i;
	if (m->arg == 0 && !strcmp(s->st->cfg.pcp, "on"))
		metric_u64(b, n, s->st->pcp_end_pages);
	else if (m->arg == 1 && s->st->pcp_end_known)
		metric_u64(b, n, s->st->pcp_end_kernel);
}

/* Traced page events replayed (every page kind, after the page state's time). */
static void m_page_events(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	const u64 *k = s->st->per_kind;
	metric_u64(b, n,
		   k[MME_PAGE_ALLOC] + k[MME_PAGE_FREE] + k[MME_PAGE_ZONE_LOCKED] + k[MME_PAGE_PCPU_DRAIN] -
			   s->st->page_events_skipped);
}

/* Zone choice (placement): placed allocations (arg 0), of them in another zone than the
 * kernel's (1), and of those of order 9 (2). */
static void m_zone_choice(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	const struct pagereplay_stats *p = &s->st->pages;
	u64 v = 0;
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER_LIMIT; o++)
		if (m->arg == 0)
			v += p->zone_placed[o];
		else if (m->arg == 1 || o == BUDDY_PAGEBLOCK_ORDER)
			v += p->zone_differs[o];
	metric_u64(b, n, v);
}

/* Watermark events of the model (core/phys/wmark.h); empty when the lists are off. */
static void m_wmark(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	const struct wmark_stats *w = &s->st->wmark;
	if (strcmp(s->st->cfg.pcp, "on"))
		return;
	const u64 v[] = {w->below_high,	   w->kswapd_wakes,    w->direct_reclaims,
			 w->boosts,	   w->kcompactd_wakes, s->st->pcp.pressure_drains,
			 w->kswapd_traced, w->gate_skips};
	metric_u64(b, n, v[m->arg]);
}

#define SNAP(name, unit, arg, desc) M_FN(name, unit, METRIC_MODEL, METRIC_IN_ROWS, m_snap, arg, desc)
#define PCP(name, arg, desc) M_FN(name, "blocks", METRIC_MODEL, METRIC_IN_ROWS, m_pcp, arg, desc)
#define FAIL(z, Z, T)                                                                                        \
	M_COUNT("page_alloc_failures_" #z, "blocks", 0, pages.zone_failures[T],                              \
		"traced page allocations preferring the " Z " zone that no zone could serve (exhaustion)")

const struct metric metrics_phys[] = {
	M_COUNT("page_allocs", "blocks", METRIC_BRIEF, pages.allocs,
		"traced page allocations applied to the buddy"),
	M_COUNT("page_frees", "blocks", METRIC_BRIEF, pages.frees, "traced page frees applied"),
	M_COUNT("page_alloc_failures", "blocks", 0, pages.alloc_failures,
		"page allocations the model could not serve"),
	M_COUNT("page_alloc_base_fallbacks", "blocks", 0, pages.base_fallbacks,
		"page mode placement: traced allocations of order > 0 that no block of the model could "
		"serve, compaction's retry included, served as order-0 pages of the kernel's zone (as a THP "
		"fault falls back to base pages): the kernel had a block the model's zones had not"),
	M_COUNT("page_split_blocks", "blocks", 0, pages.split_blocks,
		"page modes placement and faithful: live blocks a free of a part of them split into pieces "
		"of the free's order (split_page, a THP split), each freed by its own traced free"),
	M_COUNT("page_piece_frees", "blocks", 0, pages.piece_frees,
		"page modes placement and faithful: frees of a block the model held as pieces (pages "
		"allocated before the recording, some moved by the model's compaction), every piece freed"),
	M_COUNT("page_unmatched_frees", "blocks", 0, pages.unmatched_frees,
		"frees of pfns allocated before the recording"),
	M_COUNT("page_conflicts", "blocks", 0, pages.conflicts,
		"faithful mode: the traced pfn was not free in the model"),
	M_COUNT("free_pages_end", "pages", 0, free_pages, "free pages at the end, every zone"),
	ZONE3(dma, "DMA", ZONE_DMA),
	ZONE3(dma32, "DMA32", ZONE_DMA32),
	ZONE3(normal, "Normal", ZONE_NORMAL),
	ZONE_FI(dma, "DMA", ZONE_DMA),
	ZONE_FI(dma32, "DMA32", ZONE_DMA32),
	ZONE_FI(normal, "Normal", ZONE_NORMAL),
	M_COUNT("zone_failures", "requests", 0, zones_st.failures,
		"requests no zone of their zonelist could serve"),
	M_COUNT("page_no_zone", "blocks", 0, pages.no_zone,
		"faithful mode: traced pfns in no zone of the layout"),
	M_COUNT("mixed_pageblocks", "pageblocks", 0, top.mixed_pageblocks,
		"mobility: pageblocks of the highest zone holding allocations of a foreign type"),
	M_FN("largest_free_order_end", "order", METRIC_MODEL, METRIC_IN_ROWS, m_largest_free_order, 0,
	     "largest free block's order, highest zone (-1: none)"),
	TOP("ufi3_end", m_top_index, 3, "unusable free space index at order 3, highest zone, at the end"),
	TOP("ufi9_end", m_top_index, 9,
	    "unusable free space index at order 9 (2 MiB), highest zone, at the end"),
	TOP("efi9_end", m_top_index, -9,
	    "extfrag index at order 9, highest zone, at the end (-1000: an order-9 block is free)"),
	/* a recorded machine (docs/physical-fidelity.md) */
	FAIL(dma, "DMA", ZONE_DMA),
	FAIL(dma32, "DMA32", ZONE_DMA32),
	FAIL(normal, "Normal", ZONE_NORMAL),
	M_FN("page_events", "events", METRIC_MODEL, METRIC_IN_ROWS, m_page_events, 0,
	     "traced page events replayed (alloc, free, zone_locked, pcpu_drain)"),
	M_COUNT("page_events_skipped", "events", 0, page_events_skipped,
		"page events before the page state's time (page-state-at): in the page state"),
	M_COUNT("seeded_frees", "blocks", 0, pages.seeded_frees,
		"frees of pages the page state had allocated before the recording"),
	M_COUNT("pageblocks_retyped", "pageblocks", 0, pages.pageblocks_retyped,
		"placement, mobility: pageblocks the trace showed of another type than the seed had guessed "
		"(their free blocks moved to the kernel's lists)"),
	M_FN("zone_choice_placed", "allocations", METRIC_MODEL, METRIC_IN_ROWS, m_zone_choice, 0,
	     "placement, several zones: allocations the model placed whose traced pfn is in a zone of "
	     "the layout"),
	M_FN("zone_choice_differs", "allocations", METRIC_MODEL, METRIC_IN_ROWS, m_zone_choice, 1,
	     "of those, allocations the model placed in another zone than the kernel (the traced pfn's "
	     "zone): the zonelist walk's disagreement"),
	M_FN("zone_choice_differs_o9", "allocations", METRIC_MODEL, METRIC_IN_ROWS, m_zone_choice, 2,
	     "of those, order-9 allocations (THP, large page-cache folios)"),
	SNAP("snap_ufi9_err_max", "thousandths", 0,
	     "largest difference of the order-9 unusable index, model against kernel, over the snapshots "
	     "and zones with free pages (empty: no snapshot)"),
	SNAP("snap_ufi9_err_mean", "thousandths", 1, "the mean of those differences"),
	SNAP("snap_free_pages_err_max", "pages", 2,
	     "largest difference of a zone's free pages, model against kernel, at a snapshot"),
	SNAP("snap_free_pages_kernel", "pages", 3, "the kernel's free pages of that zone then"),
	SNAP("snap_ufi9_err_max_at", "s", 4,
	     "the trace time of the snapshot with the largest ufi9 difference (the first, if several)"),
	SNAP("snap_thp_err_max", "allocations", 5,
	     "largest difference of a zone's order-9 allocations its free blocks would serve, model "
	     "against kernel, at a snapshot (THP availability)"),
	SNAP("snap_thp_kernel", "allocations", 6, "the kernel's order-9 allocations of that zone then"),
	M_COUNT("snaps_compared", "snapshots", 0, snaps.compared,
		"the kernel's buddyinfo snapshots compared with the model (setting snapshots)"),
	M_COUNT("snap_exhausted", "zones", 0, snaps.exhausted_rows,
		"zone-snapshots left out: the zone failed an allocation since the previous snapshot"),
	M_COUNT("snaps_untraced", "snapshots", 0, snaps.untraced,
		"snapshots left out of the snap_* error figures: their interval holds evidence of page "
		"movements without a tracepoint (named in the per-snapshot CSV's untraced column)"),
	M_COUNT("deferred_init_pages", "pages", 0, untr.deferred_total,
		"pages the zones grew by deferred memory init: memory the trace touched past the "
		"initialized part, or the managed pages a series snapshot read"),
	M_COUNT("compaction_free_taken_pages", "pages", 0, untr.compact_taken_total,
		"free pages compaction's free scanner isolated without mm_page_alloc (the trace's "
		"nr_taken)"),
	M_COUNT("trace_zone_locked_refill", "blocks", 0, pages.trace_refill,
		"the trace's mm_page_alloc_zone_locked percpu_refill=1: blocks to per-CPU lists"),
	M_COUNT("trace_zone_locked_direct", "blocks", 0, pages.trace_locked,
		"the trace's mm_page_alloc_zone_locked percpu_refill=0: other orders from the buddy"),
	M_COUNT("trace_pcpu_drain", "blocks", 0, pages.trace_drain,
		"the trace's mm_page_pcpu_drain: blocks back from per-CPU lists"),
	PCP("pcp_refill_blocks", 0, "the per-CPU list model's blocks to its lists (empty: lists off)"),
	PCP("pcp_direct_allocs", 1, "its blocks of other orders from the buddy"),
	PCP("pcp_drain_blocks", 2, "its blocks back to the buddy"),
	PCP("pcp_trace_list_misses", 4,
	    "pcp-tune trace: allocations of a list order whose model list was empty (from the buddy)"),
	PCP("pcp_trace_refill_misses", 5,
	    "pcp-tune trace: the trace's refill blocks the model's buddy had no block of the order for"),
	PCP("pcp_trace_drain_misses", 6,
	    "pcp-tune trace: the trace's drained blocks no model list held a block of the order for"),
	PCP("pcp_start_revealed", 3,
	    "pages on the kernel's lists at the start that the trace handed out or drained before any "
	    "refill"),
	M_FN("pcp_pages_end", "pages", METRIC_MODEL, METRIC_IN_ROWS, m_pcp_end, 0,
	     "pages on the model's per-CPU lists at the replay's end, start pages the trace never named "
	     "included (empty: lists off)"),
	M_FN("pcp_pages_end_kernel", "pages", METRIC_MODEL, METRIC_IN_ROWS, m_pcp_end, 1,
	     "pages on the kernel's per-CPU lists in the later zoneinfo (zoneinfo-end: a recording's "
	     "zoneinfo.end.txt, its pagesets' count; empty: none)"),
	M_FN("zone_below_high", "events", METRIC_MODEL, METRIC_IN_ROWS, m_wmark, 0,
	     "times an allocation found a zone at or below its high watermark (ZONE_BELOW_HIGH set; empty: "
	     "lists off)"),
	M_FN("kswapd_wakes", "events", METRIC_MODEL, METRIC_IN_ROWS, m_wmark, 1,
	     "kswapd wake points: an allocation left a zone at or below low, or a watermark boost"),
	M_FN("direct_reclaim_points", "events", METRIC_MODEL, METRIC_IN_ROWS, m_wmark, 2,
	     "allocations that left a zone at or below its min watermark"),
	M_FN("watermark_boosts", "events", METRIC_MODEL, METRIC_IN_ROWS, m_wmark, 3,
	     "fallbacks that raised a zone's watermark boost (setting watermark-boost)"),
	M_FN("kcompactd_wakes", "events", METRIC_MODEL, METRIC_IN_ROWS, m_wmark, 4,
	     "boosted kswapd runs that ended: the boost cleared, kcompactd woken"),
	M_FN("pcp_pressure_drains", "events", METRIC_MODEL, METRIC_IN_ROWS, m_wmark, 5,
	     "per-CPU list drains under ZONE_BELOW_HIGH or ZONE_RECLAIM_ACTIVE (setting pcp-tune)"),
	M_FN("kswapd_traced_runs", "events", METRIC_MODEL, METRIC_IN_ROWS, m_wmark, 6,
	     "the trace's kswapd reclaim periods: from mm_vmscan_kswapd_wake until balance_pgdat returns "
	     "(kswapd's own compaction event), it is quiet 50 ms or sleeps, every zone reclaim-active"),
	M_FN("watermark_gate_skips", "events", METRIC_MODEL, METRIC_IN_ROWS, m_wmark, 7,
	     "zones an allocation passed by: free pages at or below the watermark of its pass plus the "
	     "lowmem_reserve"),
	M_COUNT("compact_runs", "runs", 0, compact_run.runs,
		"compaction runs: the model's (placement; compact_zone runs, not skipped or deferred) or the "
		"trace's replayed (buddy, faithful); 0 with compaction off"),
	M_COUNT("compact_pages_scanned", "pages", 0, compact_run.scanned,
		"pages the migrate and free scanners stepped over (as compact_runs)"),
	M_COUNT("compact_pages_migrated", "pages", 0, compact_run.migrated,
		"pages migrated (as compact_runs)"),
	M_COUNT("compact_success", "runs", 0, compact_run.success,
		"compaction runs that ended with a free block of the order asked for (as compact_runs)"),
	M_COUNT("compact_isolated_pages", "pages", 0, compact.isolated,
		"placement: pages the model's migrate scanner isolated"),
	M_COUNT("compact_direct_runs", "runs", 0, compact.direct_runs,
		"placement: direct compaction runs (a traced request, or an allocation of order > 0 that "
		"found "
		"no block)"),
	M_COUNT("compact_kcompactd_runs", "runs", 0, compact.kcompactd_runs,
		"placement: kcompactd runs (woken after a boosted reclaim)"),
	M_COUNT("compact_proactive_runs", "runs", 0, compact.proactive_runs,
		"placement: proactive compaction runs (setting compaction)"),
	M_COUNT("compact_deferred", "attempts", 0, compact.deferred,
		"placement: direct compaction attempts deferred after earlier failures"),
	M_COUNT("compact_requests", "requests", 0, pages.compact_requests,
		"placement: the trace's compaction requests (mm_compaction_try_to_compact_pages) the model "
		"answered with its own compaction"),
	M_COUNT("compact_skipped", "attempts", 0, compact.skipped,
		"placement: zone attempts compaction_suitable refused (free pages below the watermark plus "
		"compact_gap, or a fragmentation index at or below vm.extfrag_threshold)"),
	M_COUNT("compact_satisfied", "attempts", 0, compact.satisfied,
		"placement: zone attempts that found a block of the order free already (no run)"),
	M_COUNT("compact_hint_resets", "resets", 0, compact.hint_resets,
		"placement: skip-hint resets (kswapd went to sleep, or compaction restarted after the "
		"longest "
		"deferral, since a direct run's scanners met)"),
	M_COUNT("compact_rescued_allocs", "allocations", 0, pages.compact_rescued,
		"placement: allocations that found no block and got one after compaction"),
	M_COUNT("compact_runs_traced", "runs", 0, compact_traced.runs,
		"the trace's compaction runs (mm_compaction_begin)"),
	M_COUNT("compact_success_traced", "runs", 0, compact_traced.success,
		"the trace's runs that ended with status success"),
	M_COUNT("compact_pages_scanned_traced", "pages", 0, compact_traced.scanned,
		"nr_scanned of the trace's isolate events (both scanners)"),
	M_COUNT("compact_pages_isolated_traced", "pages", 0, compact_traced.isolated,
		"nr_taken of the trace's migrate-scanner isolate events"),
	M_COUNT("compact_pages_migrated_traced", "pages", 0, compact_traced.migrated,
		"the trace's mm_compaction_migratepages nr_migrated"),
	M_COUNT("compact_free_isolated_pages", "pages", 0, pages.compact_isolated_pages,
		"buddy, faithful, placement while the page state was read: free pages the replayed free "
		"scanner took"),
	M_COUNT("compact_free_missing_pages", "pages", 0, pages.compact_missing_pages,
		"buddy, faithful, placement while the page state was read: pages of the traced free "
		"scanner's nr_taken the model had no free page for"),
	M_COUNT("compact_fast_confirmed_pages", "pages", 0, pages.fast_confirmed_pages,
		"page mode buddy: pages of fast free search isolations (the block a guess) that a piece "
		"the run gave back showed were the kernel's block"),
	M_COUNT("compact_fast_contradicted_pages", "pages", 0, pages.fast_contradicted_pages,
		"page mode buddy: pages of fast free search isolations whose guessed block a piece the run "
		"gave back showed was not the kernel's"),
	M_COUNT("compact_fast_unnamed_pages", "pages", 0, pages.fast_unnamed_pages,
		"page mode buddy: pages of fast free search isolations no piece the run gave back named "
		"(used whole, or given back beside a wrong guess): the model's guess, unchecked"),
	M_COUNT("compact_fast_silent_pages", "pages", 0, pages.fast_silent_pages,
		"page mode buddy: pages of fast free search isolations taken at the block the trace's "
		"later frees show had left the buddy untraced then (not the guess)"),
	M_COUNT("compact_captured_pages", "pages", 0, pages.captured_pages,
		"page mode buddy: pages of allocations whose block was free in the model (compaction's "
		"capture: no zone_locked event)"),
	M_COUNT("buddy_locked_frees", "blocks", 0, pages.locked_frees,
		"page mode buddy, and placement with pcp-tune trace: frees of per-CPU list orders while "
		"their "
		"CPU's list was locked by a refill (between its zone_locked events and its mm_page_alloc): "
		"returned to the buddy"),
	M_COUNT("buddy_hindsight_frees", "blocks", 0, pages.hindsight_frees,
		"page mode buddy: frees of per-CPU list orders below the pageblock's whose block's next "
		"event takes it from the buddy (no allocation from or drain of a list between): returned "
		"to the buddy at the free"),
	M_COUNT("migrated_kept", "blocks", 0, pages.migrated_kept,
		"page mode placement: frees by a compacting task during its traced run of blocks the "
		"model has (the kernel's migration sources): kept allocated, the page lives on at an "
		"untraced target"),
	M_COUNT("migrated_released", "blocks", 0, pages.migrated_released,
		"page mode placement: of migrated_kept, blocks released at a later free of a pfn the "
		"model never allocated (a migration target), oldest of the order first"),
	M_COUNT("buddy_takes", "blocks", 0, pages.buddy_takes,
		"page mode buddy: blocks taken (zone_locked, and fallbacks traced by extfrag only)"),
	M_COUNT("buddy_returns", "blocks", 0, pages.buddy_returns,
		"page mode buddy: blocks returned (pcpu_drain, frees of orders pcp lists never hold)"),
	M_COUNT("untraced_join_pages", "pages", 0, pages.untraced_join_pages,
		"page mode buddy: pages a zone_locked found allocated (they joined the buddy untraced)"),
	M_COUNT("untraced_leave_pages", "pages", 0, pages.untraced_leave_pages,
		"page mode buddy: pages a return found free (they left the buddy untraced)"),
	M_COUNT("untraced_alloc_pages", "pages", 0, pages.untraced_alloc_pages,
		"page mode buddy: pages of allocations (compaction's capture aside) and of frees to a "
		"per-CPU list whose block the model had free (they left the buddy with no zone_locked)"),
	M_COUNT("untraced_other_pages", "pages", 0, pages.untraced_other_pages,
		"page mode buddy: pages of a return in no zone, never allocatable, or in a larger block"),
	M_COUNT("fast_doubt_released_pages", "pages", 0, pages.doubt_released,
		"page mode buddy: pages of compaction's fast free search guesses no piece confirmed by the "
		"run's end, given back when the kernel returned pages the model had free already (the "
		"kernel's block was elsewhere)"),
	M_END,
};

const struct metric metrics_totals[] = {
	M_COUNT("alloc_failures", "requests", METRIC_BRIEF, alloc_failures,
		"page_alloc_failures + vmap_alloc_failures"),
	M_COUNT("unmatched_frees", "frees", METRIC_BRIEF, unmatched_frees,
		"page_unmatched_frees + vmap_unmatched_frees"),
	M_COUNT("tlb_flushes", "flushes", 0, tlb_flushes,
		"every TLB flush: vmalloc_tlb_flushes + mm_tlb_flush_range + mm_tlb_flush_all (kmap pool "
		"flushes "
		"apart)"),
	M_END,
};
