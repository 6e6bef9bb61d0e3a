/* Time-series columns: the machine sampled every N events of a suite's sampled pass. The model
 * columns are deterministic; host_ ones are the time spent inside the machine so far. The
 * fo/ufi/efi families have one column per order of the highest zone. */
#include "metric_fmt.h"

static void s_event(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->event);
}
static void s_free_pages(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->top.free_pages);
}
static void s_fo(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->top.nr_free[i]);
}
static void s_ufi(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_int(b, n, sim_zone_unusable(&s->st->top, i));
}
static void s_efi(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_int(b, n, sim_zone_extfrag(&s->st->top, i));
}
static void s_vmap_live(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->vmalloc.live_areas);
}
static void s_vmap_ops(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->vmlist.allocs + s->st->vmlist.frees);
}
static void s_vmlist_visits(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->vmlist.visits);
}
static void s_lazy_pages(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->tlb_nr_lazy);
}
static void s_tlb_flushes(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, sim_stats_tlb_flushes(s->st));
}
static void s_vmas_live(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->st->vmas_live);
}
static void s_host_ns(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->clock->ns);
}
static void s_host_vmap_ns(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->clock->vmap_ns);
}

#define ZONE_FN(fn, t, what)                                                                                 \
	static void fn(const struct metric_src *s, unsigned i, char *b, size_t n)                            \
	{                                                                                                    \
		metric_zone(s->st, t, what, b, n);                                                           \
	}
ZONE_FN(s_dma_free, ZONE_DMA, MZ_FREE_PAGES)
ZONE_FN(s_dma_ufi9, ZONE_DMA, MZ_UFI9)
ZONE_FN(s_dma_efi9, ZONE_DMA, MZ_EFI9)
ZONE_FN(s_dma32_free, ZONE_DMA32, MZ_FREE_PAGES)
ZONE_FN(s_dma32_ufi9, ZONE_DMA32, MZ_UFI9)
ZONE_FN(s_dma32_efi9, ZONE_DMA32, MZ_EFI9)
ZONE_FN(s_normal_free, ZONE_NORMAL, MZ_FREE_PAGES)
ZONE_FN(s_normal_ufi9, ZONE_NORMAL, MZ_UFI9)
ZONE_FN(s_normal_efi9, ZONE_NORMAL, MZ_EFI9)

#define SER(name, unit, fn, desc) M_FN(name, unit, METRIC_SERIES, METRIC_IN_SERIES, fn, desc)
#define FAM(name, unit, fn, desc)                                                                            \
	M_FN(name, unit, METRIC_SERIES, METRIC_IN_SERIES | METRIC_PER_ORDER, fn, desc)
#define ZONE3(z, Z, f, u, e)                                                                                 \
	SER("zone_" #z "_free_pages", "pages", f, "free pages of the " Z " zone (empty: no such zone)"),     \
		SER("zone_" #z "_ufi9", "thousandths", u,                                                    \
		    "the " Z " zone's unusable free space index, order 9"),                                  \
		SER("zone_" #z "_efi9", "thousandths", e, "the " Z " zone's extfrag index, order 9")

const struct metric metrics_series[] = {
	SER("event", "events", s_event, "events replayed before the sample"),
	SER("free_pages", "pages", s_free_pages, "free pages of the highest zone"),
	FAM("fo%u", "blocks", s_fo, "free blocks of this order, highest zone"),
	FAM("ufi%u", "thousandths", s_ufi, "unusable free space index for this order, highest zone"),
	FAM("efi%u", "thousandths", s_efi, "extfrag index for this order, highest zone"),
	SER("vmap_live", "areas", s_vmap_live, "vmalloc areas mapped"),
	SER("vmap_ops", "calls", s_vmap_ops, "vmlist allocations and frees so far"),
	SER("vmlist_visits", "nodes", s_vmlist_visits, "vmlist nodes examined so far"),
	SER("lazy_pages", "pages", s_lazy_pages, "lazily freed pages waiting for a purge"),
	SER("tlb_flushes", "flushes", s_tlb_flushes, "TLB flushes so far (the tlb_flushes total)"),
	SER("vmas_live", "VMAs", s_vmas_live, "VMAs mapped, every process"),
	ZONE3(dma, "DMA", s_dma_free, s_dma_ufi9, s_dma_efi9),
	ZONE3(dma32, "DMA32", s_dma32_free, s_dma32_ufi9, s_dma32_efi9),
	ZONE3(normal, "Normal", s_normal_free, s_normal_ufi9, s_normal_efi9),
	M_FN("host_ns", "ns", METRIC_HOST, METRIC_IN_SERIES, s_host_ns,
	     "host time inside the machine so far"),
	M_FN("host_vmap_ns", "ns", METRIC_HOST, METRIC_IN_SERIES, s_host_vmap_ns,
	     "of which in vmap allocations and frees"),
	M_END,
};
