/* Time-series columns: the machine sampled every N events of a suite's sampled pass. The model
 * columns are deterministic; host_ ones are the time spent inside the machine so far. The
 * fo/ufi/efi families have one column per order of the highest zone. */
#include "bench/output/metric_fmt.h"

static void s_event(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->event);
}

/* Family member i of the highest zone: arg 0 free blocks, 1 unusable index, 2 extfrag index. */
static void s_order(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	const struct sim_zone_stats *z = &s->st->top;
	if (m->arg == 0)
		metric_u64(b, n, z->nr_free[i]);
	else if (!(s->exhausted & (1u << s->st->top_type))) /* exhausted: no index */
		metric_int(b, n, m->arg == 1 ? sim_zone_unusable(z, i) : sim_zone_extfrag(z, i));
}

static void s_exhausted(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->exhausted != 0);
}

static void s_host(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, m->arg ? s->clock->vmap_ns : s->clock->ns);
}

#define SER(name, unit, field, desc) M_FIELD(name, unit, METRIC_SERIES, METRIC_IN_SERIES, MF_U64, field, desc)
#define FAM(name, unit, arg, desc)                                                                           \
	M_FN(name, unit, METRIC_SERIES, METRIC_IN_SERIES | METRIC_PER_ORDER, s_order, arg, desc)
#define ZONE3(z, Z, T)                                                                                       \
	M_ZONE("zone_" #z "_free_pages", "pages", METRIC_SERIES, METRIC_IN_SERIES, T, free_pages,            \
	       "free pages of the " Z " zone (empty: no such zone)"),                                        \
		M_FN("zone_" #z "_ufi9", "thousandths", METRIC_SERIES, METRIC_IN_SERIES | METRIC_ZONE,       \
		     metric_zone_ufi9, T, "the " Z " zone's unusable free space index, order 9"),            \
		M_FN("zone_" #z "_efi9", "thousandths", METRIC_SERIES, METRIC_IN_SERIES | METRIC_ZONE,       \
		     metric_zone_efi9, T, "the " Z " zone's extfrag index, order 9")

const struct metric metrics_series[] = {
	M_FN("event", "events", METRIC_SERIES, METRIC_IN_SERIES, s_event, 0,
	     "events replayed before the sample"),
	SER("free_pages", "pages", top.free_pages, "free pages of the highest zone"),
	FAM("fo%u", "blocks", 0, "free blocks of this order, highest zone"),
	FAM("ufi%u", "thousandths", 1, "unusable free space index for this order, highest zone"),
	FAM("efi%u", "thousandths", 2, "extfrag index for this order, highest zone"),
	SER("vmap_live", "areas", vmalloc.live_areas, "vmalloc areas mapped"),
	SER("vmap_ops", "calls", vmap_ops, "vmlist allocations and frees so far"),
	SER("vmlist_visits", "nodes", vmlist.visits, "vmlist nodes examined so far"),
	SER("lazy_pages", "pages", tlb_nr_lazy, "lazily freed pages waiting for a purge"),
	SER("tlb_flushes", "flushes", tlb_flushes, "TLB flushes so far (the tlb_flushes total)"),
	SER("vmas_live", "VMAs", vmas_live, "VMAs mapped, every process"),
	M_FN("exhausted", "", METRIC_SERIES, METRIC_IN_SERIES, s_exhausted, 0,
	     "1 when a zone failed an allocation since the previous sample (its index cells are empty)"),
	ZONE3(dma, "DMA", ZONE_DMA),
	ZONE3(dma32, "DMA32", ZONE_DMA32),
	ZONE3(normal, "Normal", ZONE_NORMAL),
	M_FN("host_ns", "ns", METRIC_HOST, METRIC_IN_SERIES, s_host, 0,
	     "host time inside the machine so far"),
	M_FN("host_vmap_ns", "ns", METRIC_HOST, METRIC_IN_SERIES, s_host, 1,
	     "of which in vmap allocations and frees"),
	M_END,
};
