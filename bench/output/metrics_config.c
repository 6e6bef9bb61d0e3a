/* Metrics: what names a row (the input and the configuration), and the events replayed. */
#include "bench/output/metric_fmt.h"

static void m_trace(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	snprintf(b, n, "%s", s->trace ? s->trace : "");
}

static void m_trace_id(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	snprintf(b, n, "%016llx", (unsigned long long)s->st->trace_id);
}

static void m_config(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	snprintf(b, n, "%s", s->config ? s->config : "");
}

#define CFG_TEXT(name, flags, type, field, desc)                                                             \
	M_FIELD(name, "", METRIC_CONFIG, METRIC_IN_ROWS | METRIC_TEXT | (flags), type, field, desc)
#define CFG_NUM(name, unit, type, field, desc)                                                               \
	M_FIELD(name, unit, METRIC_CONFIG, METRIC_IN_ROWS, type, field, desc)

const struct metric metrics_config[] = {
	M_FN("trace", "", METRIC_CONFIG, METRIC_IN_ROWS | METRIC_TEXT | METRIC_BRIEF, m_trace, 0,
	     "the trace's label: its file name (replay) or its name without extensions (suite), with "
	     "directories added (t.zst~dir1) where traces of one run share a name"),
	M_FN("trace_id", "", METRIC_CONFIG, METRIC_IN_ROWS | METRIC_TEXT, m_trace_id, 0,
	     "the trace's identity: a hash of every event given; compare keeps rows of different ids apart"),
	M_FN("config", "", METRIC_CONFIG, METRIC_IN_ROWS | METRIC_TEXT, m_config, 0,
	     "the configuration: every axis's value in settings order, joined by '/' (a variant bare, "
	     "another setting as axis=value)"),
	CFG_TEXT("vmlist", METRIC_BRIEF, MF_STR, cfg.vmlist,
		 "vmalloc address-space allocator (setting vmlist)"),
	CFG_TEXT("tlb", METRIC_BRIEF, MF_STR, cfg.tlb, "TLB flush policy for vfree (setting tlb)"),
	CFG_TEXT("buddy", METRIC_BRIEF, MF_STR, cfg.buddy, "buddy placement policy (setting buddy)"),
	CFG_TEXT("page_mode", 0, MF_STR, cfg.page_mode,
		 "placement or faithful replay of traced page events (setting page-mode)"),
	CFG_NUM("levels", "levels", MF_UINT, cfg.levels, "kernel page-table levels (setting levels)"),
	CFG_NUM("ncpus", "CPUs", MF_UINT, cfg.ncpus,
		"CPUs for IPIs and lazy_max_pages: the trace's, or setting cpus"),
	CFG_TEXT("vma", METRIC_BRIEF, MF_STR, cfg.vma, "process VMA index (setting vma)"),
	CFG_TEXT("populate", 0, MF_STR, cfg.populate,
		 "page population of process mappings (setting populate)"),
	CFG_TEXT("zones", 0, MF_CHARS, cfg.zones,
		 "the zone layout's types, e.g. Normal (default) or DMA+DMA32+Normal (setting zones)"),
	CFG_NUM("zone_pages", "pages", MF_U64, top.nr_pages, "size of the highest zone (setting zone-pages)"),
	CFG_NUM("max_order", "order", MF_UINT, cfg.max_order,
		"largest buddy order of the highest zone (setting max-order)"),
	CFG_NUM("pkmap_slots", "slots", MF_UINT, cfg.pkmap_slots,
		"persistent kmap pool size (setting pkmap-slots)"),
	CFG_TEXT("vmap_mode", 0, MF_STR, cfg.vmap_mode,
		 "predict or follow the kernel's vmap addresses (setting vmap-mode)"),
	CFG_TEXT("purge", 0, MF_STR, cfg.purge,
		 "when lazy purges run: inline, trace or model (setting purge)"),
	CFG_NUM("purge_delay", "calls", MF_U64, cfg.purge_delay,
		"model purges: vmalloc calls after the crossing vfree (setting purge-delay)"),
	CFG_TEXT("purge_learn", 0, MF_STR, cfg.purge_learn,
		 "model purges: the delay learned from the trace's own drains, on or off (setting "
		 "purge-learn)"),
	CFG_NUM("flush_ceiling", "pages", MF_U64, cfg.flush_ceiling,
		"range flushes of more pages are full flushes; 0 never (setting flush-ceiling)"),
	CFG_NUM("vmap_nodes", "nodes", MF_UINT, cfg.vmap_nodes,
		"nodes vmlist: nr_vmap_nodes (setting vmap-nodes)"),
	CFG_TEXT("pcp", 0, MF_STR, cfg.pcp, "per-CPU page lists as run: on or off (setting pcp)"),
	CFG_TEXT("pcp_tune", 0, MF_STR, cfg.pcp_tune,
		 "how the lists are tuned: pressure, idle, fixed, trace (the trace's refills and drains) or "
		 "auto (trace where the trace shows list traffic) (setting pcp-tune)"),
	CFG_TEXT("watermark_boost", 0, MF_STR, cfg.wmark_boost,
		 "watermark boost on fallbacks: on or off (setting watermark-boost)"),
	CFG_NUM("watermark_scale", "", MF_UINT, cfg.wmark_scale,
		"watermark_scale_factor; 0: the zoneinfo's watermarks (setting watermark-scale)"),
	CFG_TEXT("compaction", 0, MF_CHARS, cfg.compaction,
		 "compaction: off, kernel or proactive=N (setting compaction)"),
	CFG_TEXT("fast_free_block", 0, MF_STR, cfg.fast_free_block,
		 "buddy mode: compaction's fast free search's block: guess or named (setting "
		 "fast-free-block)"),
	CFG_TEXT("model_pages", 0, MF_STR, cfg.model_pages,
		 "where vmalloc areas and page tables took pages: zones or none (setting model-pages)"),
	M_COUNT("events", "events", METRIC_BRIEF, events,
		"events given to the machine, every kind: events_replayed + events_failed + skipped_total"),
	M_END,
};
