/* Metrics of physical memory (core/phys): traced page events, the zones, the highest zone's
 * buddy at the end; and the totals over the models. */
#include "metric_fmt.h"

void metric_zone_ufi9(const struct metric *m, const struct metric_src *src, unsigned i, char *buf, size_t len)
{
	metric_int(buf, len, sim_zone_unusable(&src->st->zone[m->arg], 9));
}

void metric_zone_efi9(const struct metric *m, const struct metric_src *src, unsigned i, char *buf, size_t len)
{
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

const struct metric metrics_phys[] = {
	M_COUNT("page_allocs", "blocks", METRIC_BRIEF, pages.allocs,
		"traced page allocations applied to the buddy"),
	M_COUNT("page_frees", "blocks", METRIC_BRIEF, pages.frees, "traced page frees applied"),
	M_COUNT("page_alloc_failures", "blocks", 0, pages.alloc_failures,
		"page allocations the model could not serve"),
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
	M_END,
};

const struct metric metrics_totals[] = {
	M_COUNT("alloc_failures", "requests", METRIC_BRIEF, alloc_failures,
		"page_alloc_failures + vmap_alloc_failures"),
	M_COUNT("unmatched_frees", "frees", METRIC_BRIEF, unmatched_frees,
		"page_unmatched_frees + vmap_unmatched_frees"),
	M_COUNT("tlb_flushes", "flushes", 0, tlb_flushes,
		"every TLB flush: vmalloc_tlb_flushes + mm_tlb_flush_range (kmap pool flushes apart)"),
	M_END,
};
