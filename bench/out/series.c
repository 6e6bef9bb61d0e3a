#include "series.h"

#include "fragindex.h"
#include "procs.h"

void series_header(FILE *f, unsigned max_order)
{
	fprintf(f, "event,free_pages");
	const char *pre[] = {"fo", "ufi", "efi"};
	for (int k = 0; k < 3; k++)
		for (unsigned o = 0; o <= max_order; o++)
			fprintf(f, ",%s%u", pre[k], o);
	fprintf(f, ",vmap_live,vmap_ops,vmlist_visits,lazy_pages,tlb_flushes,vmas_live");
	for (int t = 0; t < ZONE_NR_TYPES; t++) {
		char name[16];
		snprintf(name, sizeof(name), "%s", zone_type_name((enum zone_type)t));
		for (char *c = name; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		fprintf(f, ",zone_%s_free_pages,zone_%s_ufi9,zone_%s_efi9", name, name, name);
	}
	fprintf(f, ",host_ns,host_vmap_ns\n");
}

static void series_count_vmas(void *arg, u32 pid, struct mm *mm)
{
	(void)pid;
	*(u64 *)arg += mm->map_count;
}

void series_row(FILE *f, u64 event, struct sim *s, const struct series_host *h)
{
	const struct buddy *b = sim_top_buddy(s);
	unsigned n = b->max_order + 1;
	fprintf(f, "%llu,%llu", (unsigned long long)event, (unsigned long long)b->free_pages);
	for (unsigned o = 0; o < n; o++)
		fprintf(f, ",%llu", (unsigned long long)b->nr_free[o]);
	for (unsigned o = 0; o < n; o++)
		fprintf(f, ",%d", fragindex_unusable(b->nr_free, n, o));
	for (unsigned o = 0; o < n; o++)
		fprintf(f, ",%d", fragindex_extfrag(b->nr_free, n, o));
	u64 vmas = 0;
	procs_for_each(&s->procs, series_count_vmas, &vmas);
	const struct tlb_stats *t = &s->vm.tlb.st;
	fprintf(f, ",%llu,%llu,%llu,%llu,%llu,%llu", (unsigned long long)s->vm.st.live_areas,
		(unsigned long long)(s->vm.vl.st.allocs + s->vm.vl.st.frees),
		(unsigned long long)s->vm.vl.st.visits, (unsigned long long)s->vm.tlb.nr_lazy,
		(unsigned long long)(t->flush_all + t->flush_range + s->procs.st.tlb_flush_range),
		(unsigned long long)vmas);
	/* every zone type, empty fields for a zone the layout lacks, so the header is fixed */
	for (int z = 0; z < ZONE_NR_TYPES; z++) {
		int i = s->zones.index[z];
		if (i < 0) {
			fprintf(f, ",,,");
			continue;
		}
		const struct buddy *zb = &s->zones.zone[i].buddy;
		unsigned zn = zb->max_order + 1, o9 = MM_MIN(9u, zb->max_order);
		fprintf(f, ",%llu,%d,%d", (unsigned long long)zb->free_pages,
			fragindex_unusable(zb->nr_free, zn, o9), fragindex_extfrag(zb->nr_free, zn, o9));
	}
	fprintf(f, ",%llu,%llu\n", (unsigned long long)h->ns, (unsigned long long)h->vmap_ns);
}

u64 series_every(u64 n, u64 points)
{
	u64 e = points ? n / points : n;
	return e ? e : 1;
}
