/* Metrics: what names a row (the input and the configuration), and the events replayed. */
#include "metric_fmt.h"

static void m_trace(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->trace);
}
static void m_config(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->config);
}
static void m_vmlist(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->st->cfg.vmlist);
}
static void m_tlb(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->st->cfg.tlb);
}
static void m_buddy(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->st->cfg.buddy);
}
static void m_vma(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->st->cfg.vma);
}
static void m_page_mode(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->st->cfg.page_mode);
}
static void m_populate(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->st->cfg.populate ? "all" : "none");
}
static void m_levels(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->cfg.levels);
}
static void m_ncpus(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->cfg.ncpus);
}
static void m_zones(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->st->cfg.zones);
}
static void m_zone_pages(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->top.nr_pages);
}
static void m_max_order(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->cfg.max_order);
}
static void m_pkmap_slots(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->cfg.pkmap_slots);
}

/* issue 11 */
static void m_vmap_mode(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->st->cfg.vmap_mode);
}
static void m_purge(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->st->cfg.purge);
}
static void m_purge_delay(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->cfg.purge_delay);
}
static void m_flush_ceiling(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->cfg.flush_ceiling);
}
static void m_vmap_nodes(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->cfg.vmap_nodes);
}

#define CFG_TEXT(name, flags, fn, desc)                                                                      \
	M_FN(name, "", METRIC_CONFIG, METRIC_IN_ROWS | METRIC_TEXT | (flags), fn, desc)
#define CFG_NUM(name, unit, fn, desc) M_FN(name, unit, METRIC_CONFIG, METRIC_IN_ROWS, fn, desc)

const struct metric metrics_config[] = {
	CFG_TEXT("trace", METRIC_BRIEF, m_trace, "the trace: its file name (replay) or its label (suite)"),
	M_FN("config", "", METRIC_CONFIG, METRIC_IN_SUMMARY | METRIC_TEXT, m_config,
	     "the configuration: the values of the suite's axes with several values, joined by '/'"),
	CFG_TEXT("vmlist", METRIC_BRIEF, m_vmlist, "vmalloc address-space allocator (setting vmlist)"),
	CFG_TEXT("tlb", METRIC_BRIEF, m_tlb, "TLB flush policy for vfree (setting tlb)"),
	CFG_TEXT("buddy", METRIC_BRIEF, m_buddy, "buddy placement policy (setting buddy)"),
	CFG_TEXT("page_mode", 0, m_page_mode, "replay of traced page events (setting page-mode)"),
	CFG_NUM("levels", "levels", m_levels, "kernel page-table levels (setting levels)"),
	CFG_NUM("ncpus", "CPUs", m_ncpus, "CPUs of the machine: the trace's, or setting cpus"),
	CFG_TEXT("vma", METRIC_BRIEF, m_vma, "process VMA index (setting vma)"),
	CFG_TEXT("populate", 0, m_populate, "page population of process mappings (setting populate)"),
	CFG_TEXT("zones", 0, m_zones, "the zone layout's zone types, lowest first (setting zones)"),
	CFG_NUM("zone_pages", "pages", m_zone_pages, "size of the highest zone (setting zone-pages)"),
	CFG_NUM("max_order", "order", m_max_order,
		"largest buddy order of the highest zone (setting max-order)"),
	CFG_NUM("pkmap_slots", "slots", m_pkmap_slots, "persistent kmap pool size (setting pkmap-slots)"),
	CFG_TEXT("vmap_mode", 0, m_vmap_mode,
		 "predict or follow the kernel's vmap addresses (setting vmap-mode)"),
	CFG_TEXT("purge", 0, m_purge, "when lazy purges run: inline, trace or model (setting purge)"),
	CFG_NUM("purge_delay", "calls", m_purge_delay,
		"model purges: vmalloc calls after the crossing vfree"),
	CFG_NUM("flush_ceiling", "pages", m_flush_ceiling,
		"range flushes of more pages are full flushes; 0 never (setting flush-ceiling)"),
	CFG_NUM("vmap_nodes", "nodes", m_vmap_nodes, "nodes vmlist: nr_vmap_nodes (setting vmap-nodes)"),
	M_COUNT("events", "events", METRIC_BRIEF, events, "events replayed, every kind"),
	M_END,
};
