#include "core/kva/tlb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TLB_LAZY_BYTES_PER_CPU_BIT (32ULL << 20)

u64 tlb_lazy_max_pages(unsigned ncpus)
{
	return mm_fls(ncpus) * (TLB_LAZY_BYTES_PER_CPU_BIT >> MM_PAGE_SHIFT);
}

unsigned tlb_ncpus_from_lazy_max(u64 max_pages)
{
	u64 per = TLB_LAZY_BYTES_PER_CPU_BIT >> MM_PAGE_SHIFT;
	if (!max_pages || max_pages % per || max_pages / per > 32)
		return 0;
	unsigned bits = (unsigned)(max_pages / per); /* fls(n) == bits: smallest n is 2^(bits-1) */
	return 1u << (bits - 1);
}

static void tlb_ipis(struct tlb *t)
{
	t->st.ipis += t->ncpus - 1;
}

void tlb_flush_kernel_range(struct tlb *t, u64 start, u64 end)
{
	u64 pages = (end - start) >> MM_PAGE_SHIFT;
	if (t->flush_ceiling && pages > t->flush_ceiling) {
		t->st.flush_all++; /* do_flush_tlb_all on every CPU */
	} else {
		t->st.flush_range++;
		t->st.flush_pages += pages;
	}
	tlb_ipis(t);
}

static int tlb_eager_unmapped(struct tlb *t, u64 start, u64 size)
{
	t->st.cache_flushes++; /* flush_cache_all() before vmfree_area_pages */
	t->st.flush_all++;     /* flush_tlb_all() after */
	tlb_ipis(t);
	return 1;
}

static int tlb_range_unmapped(struct tlb *t, u64 start, u64 size)
{
	tlb_flush_kernel_range(t, start, start + size);
	return 1;
}

/* Lazy counts saturate: a trace's nr_lazy of 2^64-1 pins them at "purge due", never wraps. */
static u64 tlb_sat_add(u64 a, u64 b)
{
	return a + b < a ? ~0ULL : a + b;
}

static int tlb_lazy_unmapped(struct tlb *t, u64 start, u64 size)
{
	if (t->nr_purge == t->purge_cap) {
		u64 cap = t->purge_cap ? t->purge_cap * 2 : 256;
		struct tlb_area *p = realloc(t->purge, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->purge = p;
		t->purge_cap = cap;
	}
	t->purge[t->nr_purge++] = (struct tlb_area){start, size, t->lazy_seq++};
	t->nr_lazy = tlb_sat_add(t->nr_lazy, size >> MM_PAGE_SHIFT);
	return 0;
}

static const struct tlb_policy_ops tlb_eager = {
	.name = "eager",
	.desc = "2.4: flush_cache_all + flush_tlb_all on every vfree",
	.unmapped = tlb_eager_unmapped,
};

static const struct tlb_policy_ops tlb_range = {
	.name = "range",
	.desc = "one kernel-range TLB flush per vfree",
	.unmapped = tlb_range_unmapped,
};

static const struct tlb_policy_ops tlb_lazy = {
	.name = "lazy",
	.desc = "2.6.28+: areas wait until lazy_max_pages, then one flush purges them all",
	.unmapped = tlb_lazy_unmapped,
};

const struct tlb_policy_ops *const tlb_policies[] = {&tlb_eager, &tlb_range, &tlb_lazy, NULL};

const struct tlb_policy_ops *tlb_policy_find(const char *name)
{
	for (int i = 0; tlb_policies[i]; i++)
		if (!strcmp(tlb_policies[i]->name, name))
			return tlb_policies[i];
	return NULL;
}

int tlb_init(struct tlb *t, const struct tlb_policy_ops *ops, unsigned ncpus)
{
	memset(t, 0, sizeof(*t));
	if (!ops || ncpus < 1)
		return -EINVAL;
	t->ops = ops;
	t->ncpus = ncpus;
	t->lazy_max_pages = tlb_lazy_max_pages(ncpus);
	return 0;
}

void tlb_fini(struct tlb *t)
{
	free(t->purge);
	t->purge = NULL;
	t->nr_purge = t->purge_cap = 0;
}

int tlb_unmapped(struct tlb *t, u64 start, u64 size)
{
	return t->ops->unmapped(t, start, size);
}

bool tlb_lazy_overlaps(const struct tlb *t, u64 start, u64 end)
{
	for (u64 i = 0; i < t->nr_purge; i++)
		if (t->purge[i].start < end && start < t->purge[i].start + t->purge[i].size)
			return true;
	return false;
}

void tlb_add_foreign_lazy(struct tlb *t, u64 pages)
{
	t->nr_lazy_foreign = tlb_sat_add(t->nr_lazy_foreign, pages);
	t->nr_lazy = tlb_sat_add(t->nr_lazy, pages);
}

u64 tlb_purge(struct tlb *t, bool forced, void (*release)(void *arg, u64 start, u64 size), void *arg)
{
	if (!t->nr_purge && !t->nr_lazy_foreign)
		return 0;
	u64 lo = ~0ULL, hi = 0;
	for (u64 i = 0; i < t->nr_purge; i++) {
		lo = MM_MIN(lo, t->purge[i].start);
		hi = MM_MAX(hi, t->purge[i].start + t->purge[i].size);
	}
	/* foreign areas have no known range: a purge of only those is one flush of no pages */
	tlb_flush_kernel_range(t, t->nr_purge ? lo : 0, t->nr_purge ? hi : 0);
	t->st.vmap_purges++;
	t->st.forced_purges += forced;
	u64 n = t->nr_purge;
	for (u64 i = 0; i < n; i++)
		release(arg, t->purge[i].start, t->purge[i].size);
	t->st.purged_areas += n;
	t->nr_purge = 0;
	t->nr_lazy = 0;
	t->nr_lazy_foreign = 0;
	return n;
}

u64 tlb_purge_upto(struct tlb *t, u64 upto, void (*release)(void *arg, u64 start, u64 size), void *arg)
{
	u64 n = 0, lo = ~0ULL, hi = 0;
	while (n < t->nr_purge && t->purge[n].seq < upto) {
		lo = MM_MIN(lo, t->purge[n].start);
		hi = MM_MAX(hi, t->purge[n].start + t->purge[n].size);
		n++;
	}
	if (n || t->nr_lazy_foreign)
		tlb_flush_kernel_range(t, n ? lo : 0, n ? hi : 0);
	t->st.vmap_purges++;
	for (u64 i = 0; i < n; i++)
		release(arg, t->purge[i].start, t->purge[i].size);
	t->st.purged_areas += n;
	memmove(t->purge, t->purge + n, (t->nr_purge - n) * sizeof(*t->purge));
	t->nr_purge -= n;
	u64 left = 0;
	for (u64 i = 0; i < t->nr_purge; i++)
		left = tlb_sat_add(left, t->purge[i].size >> MM_PAGE_SHIFT);
	t->nr_lazy = left;
	t->nr_lazy_foreign = 0;
	return n;
}
