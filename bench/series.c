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
	fprintf(f,
		",vmap_live,vmap_ops,vmlist_visits,lazy_pages,tlb_flushes,vmas_live,host_ns,host_vmap_ns\n");
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
	fprintf(f, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n", (unsigned long long)s->vm.st.live_areas,
		(unsigned long long)(s->vm.vl.st.allocs + s->vm.vl.st.frees),
		(unsigned long long)s->vm.vl.st.visits, (unsigned long long)s->vm.tlb.nr_lazy,
		(unsigned long long)(t->flush_all + t->flush_range + s->procs.st.tlb_flush_range),
		(unsigned long long)vmas, (unsigned long long)h->ns, (unsigned long long)h->vmap_ns);
}

u64 series_every(u64 n, u64 points)
{
	u64 e = points ? n / points : n;
	return e ? e : 1;
}
