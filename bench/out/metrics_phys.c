/* Metrics of physical memory (core/phys): traced page events, the zones, the highest zone's
 * buddy at the end; and the totals over the models. */
#include "metric_fmt.h"

void metric_zone(const struct sim_stats *st, enum zone_type t, enum metric_zone_what what, char *buf,
		 size_t len)
{
	const struct sim_zone_stats *z = &st->zone[t];
	buf[0] = 0;
	if (!z->present)
		return;
	switch (what) {
	case MZ_ALLOCS:
		metric_u64(buf, len, z->allocs);
		break;
	case MZ_FALLBACK:
		metric_u64(buf, len, z->fallback_allocs);
		break;
	case MZ_FREE_PAGES:
		metric_u64(buf, len, z->free_pages);
		break;
	case MZ_UFI9: /* the kernel's indices at order 9, thousandths */
		metric_int(buf, len, sim_zone_unusable(z, 9));
		break;
	case MZ_EFI9:
		metric_int(buf, len, sim_zone_extfrag(z, 9));
		break;
	}
}

#define ZONE_FN(fn, t, what)                                                                                 \
	static void fn(const struct metric_src *s, unsigned i, char *b, size_t n)                            \
	{                                                                                                    \
		metric_zone(s->st, t, what, b, n);                                                           \
	}
ZONE_FN(m_dma_allocs, ZONE_DMA, MZ_ALLOCS)
ZONE_FN(m_dma_fallback, ZONE_DMA, MZ_FALLBACK)
ZONE_FN(m_dma_free, ZONE_DMA, MZ_FREE_PAGES)
ZONE_FN(m_dma_ufi9, ZONE_DMA, MZ_UFI9)
ZONE_FN(m_dma_efi9, ZONE_DMA, MZ_EFI9)
ZONE_FN(m_dma32_allocs, ZONE_DMA32, MZ_ALLOCS)
ZONE_FN(m_dma32_fallback, ZONE_DMA32, MZ_FALLBACK)
ZONE_FN(m_dma32_free, ZONE_DMA32, MZ_FREE_PAGES)
ZONE_FN(m_dma32_ufi9, ZONE_DMA32, MZ_UFI9)
ZONE_FN(m_dma32_efi9, ZONE_DMA32, MZ_EFI9)
ZONE_FN(m_normal_allocs, ZONE_NORMAL, MZ_ALLOCS)
ZONE_FN(m_normal_fallback, ZONE_NORMAL, MZ_FALLBACK)
ZONE_FN(m_normal_free, ZONE_NORMAL, MZ_FREE_PAGES)
ZONE_FN(m_normal_ufi9, ZONE_NORMAL, MZ_UFI9)
ZONE_FN(m_normal_efi9, ZONE_NORMAL, MZ_EFI9)

static void m_largest_free_order(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_int(b, n, s->st->top.largest_free_order);
}
static void m_ufi3(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_int(b, n, sim_zone_unusable(&s->st->top, 3));
}
static void m_ufi9(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_int(b, n, sim_zone_unusable(&s->st->top, 9));
}
static void m_efi9(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_int(b, n, sim_zone_extfrag(&s->st->top, 9));
}

#define ZONE(name, unit, fn, desc) M_FN(name, unit, METRIC_MODEL, METRIC_IN_ROWS, fn, desc)
#define ZONE3(z, Z, a, f, p)                                                                                 \
	ZONE("zone_" #z "_allocs", "requests", a, "requests the " Z " zone served (empty: no such zone)"),   \
		ZONE("zone_" #z "_fallback_allocs", "requests", f,                                           \
		     "of those, requests that preferred a higher zone"),                                     \
		ZONE("zone_" #z "_free_pages", "pages", p, "free pages of the " Z " zone at the end")
#define ZONE_FI(z, Z, u, e)                                                                                  \
	ZONE("zone_" #z "_ufi9_end", "thousandths", u,                                                       \
	     "the " Z " zone's unusable free space index, order 9"),                                         \
		ZONE("zone_" #z "_efi9_end", "thousandths", e, "the " Z " zone's extfrag index, order 9")

const struct metric metrics_phys[] = {
	M_COUNT("page_allocs", "blocks", METRIC_BRIEF, pages.allocs, "traced page allocations applied"),
	M_COUNT("page_frees", "blocks", METRIC_BRIEF, pages.frees, "traced page frees applied"),
	M_COUNT("page_alloc_failures", "blocks", 0, pages.alloc_failures,
		"page allocations the model could not serve"),
	M_COUNT("page_unmatched_frees", "blocks", 0, pages.unmatched_frees,
		"frees of pfns not allocated during the trace"),
	M_COUNT("page_conflicts", "blocks", 0, pages.conflicts,
		"faithful mode: traced pfns not free in the model"),
	M_COUNT("free_pages_end", "pages", 0, free_pages, "free pages at the end, every zone"),
	ZONE3(dma, "DMA", m_dma_allocs, m_dma_fallback, m_dma_free),
	ZONE3(dma32, "DMA32", m_dma32_allocs, m_dma32_fallback, m_dma32_free),
	ZONE3(normal, "Normal", m_normal_allocs, m_normal_fallback, m_normal_free),
	ZONE_FI(dma, "DMA", m_dma_ufi9, m_dma_efi9),
	ZONE_FI(dma32, "DMA32", m_dma32_ufi9, m_dma32_efi9),
	ZONE_FI(normal, "Normal", m_normal_ufi9, m_normal_efi9),
	M_COUNT("zone_failures", "requests", 0, zones_st.failures,
		"requests no zone of their zonelist could serve"),
	M_COUNT("page_no_zone", "blocks", 0, pages.no_zone,
		"faithful mode: traced pfns in no zone of the layout"),
	M_COUNT("mixed_pageblocks", "pageblocks", 0, top.mixed_pageblocks,
		"mobility: pageblocks of the highest zone holding allocations of a foreign type"),
	ZONE("largest_free_order_end", "order", m_largest_free_order,
	     "largest free block's order, highest zone (-1: none)"),
	ZONE("ufi3_end", "thousandths", m_ufi3,
	     "unusable free space index at order 3, highest zone, at the end"),
	ZONE("ufi9_end", "thousandths", m_ufi9,
	     "unusable free space index at order 9 (2 MiB), highest zone, at the end"),
	ZONE("efi9_end", "thousandths", m_efi9, "extfrag index at order 9, highest zone, at the end"),
	M_END,
};

static void m_alloc_failures(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->pages.alloc_failures + s->st->vmap.alloc_failures);
}
static void m_unmatched_frees(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->pages.unmatched_frees + s->st->vmap.unmatched_frees);
}
static void m_tlb_flushes(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, sim_stats_tlb_flushes(s->st));
}

const struct metric metrics_totals[] = {
	M_FN("alloc_failures", "requests", METRIC_MODEL, METRIC_IN_ROWS | METRIC_BRIEF, m_alloc_failures,
	     "page_alloc_failures + vmap_alloc_failures"),
	M_FN("unmatched_frees", "frees", METRIC_MODEL, METRIC_IN_ROWS | METRIC_BRIEF, m_unmatched_frees,
	     "page_unmatched_frees + vmap_unmatched_frees"),
	M_FN("tlb_flushes", "flushes", METRIC_MODEL, METRIC_IN_ROWS, m_tlb_flushes,
	     "every TLB flush: vmalloc_tlb_flushes + mm_tlb_flush_range (kmap pool flushes apart)"),
	M_END,
};
