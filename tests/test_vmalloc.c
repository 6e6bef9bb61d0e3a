/* vmalloc over every vmlist variant and TLB policy against a slow reference: the address of
 * every allocation is the lowest aligned fit among live and not-yet-purged areas (a sorted
 * array scanned linearly), pages and tables are conserved in the buddy, flushes follow each
 * policy's rule, failures unwind exactly, bad vfrees are counted. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/rng.h"
#include "core/kva/vmalloc.h"

#define SPACE_START VMALLOC_DEFAULT_START
#define REF_MAX 8192

struct ref_area {
	u64 start, size;
	bool pending; /* lazily freed, not yet purged */
	bool vmap;
};

struct ref {
	struct ref_area a[REF_MAX];
	int n;
};

static int ref_cmp(const void *x, const void *y)
{
	const struct ref_area *p = x, *q = y;
	return p->start < q->start ? -1 : p->start > q->start;
}

/* Lowest align-aligned start of size bytes in [lo, hi) overlapping no reserved area. */
static bool ref_fit(struct ref *r, u64 size, u64 align, u64 lo, u64 hi, u64 *out)
{
	qsort(r->a, (size_t)r->n, sizeof(r->a[0]), ref_cmp);
	u64 cand = (lo + align - 1) & ~(align - 1);
	for (int i = 0; i < r->n; i++) {
		if (r->a[i].start + r->a[i].size <= cand)
			continue;
		if (cand + size <= r->a[i].start)
			break;
		cand = (r->a[i].start + r->a[i].size + align - 1) & ~(align - 1);
	}
	if (cand < lo || cand + size > hi || cand + size < cand)
		return false;
	*out = cand;
	return true;
}

static void ref_drop(struct ref *r, int i)
{
	r->a[i] = r->a[--r->n];
}

static void ref_purge(struct ref *r)
{
	for (int i = 0; i < r->n;)
		if (r->a[i].pending)
			ref_drop(r, i);
		else
			i++;
}

static void make_zone(struct buddy *b, u64 pages)
{
	struct buddy_cfg bc = {.base_pfn = 0x100000, .nr_pages = pages, .policy = buddy_policy_find("lifo")};
	cr_assert_eq(buddy_init(b, &bc), 0);
}

static void make_vm(struct vmalloc *vm, struct buddy *b, const struct vmlist_ops *vl, const char *tlb,
		    u64 space_pages, unsigned ncpus)
{
	struct vmalloc_cfg c;
	vmalloc_cfg_default(&c);
	c.vmlist = vl;
	c.tlb = tlb_policy_find(tlb);
	c.ncpus = ncpus;
	c.vend = SPACE_START + (space_pages << MM_PAGE_SHIFT);
	cr_assert_eq(vmalloc_init(vm, &c, b), 0);
}

static void check_all(struct vmalloc *vm, struct buddy *b)
{
	char msg[256];
	cr_assert_eq(buddy_check(b, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(vmlist_check(&vm->vl), 0);
	/* the buddy holds exactly the table pages and the live data pages */
	u64 held = b->st.allocs[0] - b->st.frees[0];
	cr_assert_eq(held, pgtable_nr_table_pages(vm->pt) + vm->st.pages_alloc - vm->st.pages_free);
	cr_assert_eq(vm->pts.pgtable_pages_alloc - vm->pts.pgtable_pages_free,
		     pgtable_nr_table_pages(vm->pt));
}

struct run_result {
	u64 addr_hash;
	struct vmalloc_stats st;
	struct tlb_stats tlb;
	u64 pte_set, pte_clear, walk;
};

/* The flushes each policy owes: eager a full flush per free, range a range flush of the area
 * per free, lazy a range flush per purge (counted by the reference). */
static void check_flushes(const struct run_result *res, const char *tlb, u64 frees, u64 range_pages,
			  u64 purges)
{
	cr_assert_gt(frees, 1000);
	if (!strcmp(tlb, "eager")) {
		cr_assert_eq(res->tlb.flush_all, frees);
		cr_assert_eq(res->tlb.cache_flushes, frees);
		cr_assert_eq(res->tlb.flush_range, 0);
		cr_assert_eq(res->tlb.ipis, 2 * frees);
	} else if (!strcmp(tlb, "range")) {
		cr_assert_eq(res->tlb.flush_range, frees);
		cr_assert_eq(res->tlb.flush_pages, range_pages);
		cr_assert_eq(res->tlb.flush_all, 0);
		cr_assert_eq(res->tlb.ipis, 2 * frees);
	} else {
		cr_assert_eq(res->tlb.vmap_purges, purges);
		cr_assert_gt(purges, 0);
		cr_assert_eq(res->tlb.flush_range, purges);
		cr_assert_eq(res->tlb.ipis, 2 * purges);
	}
}

/* Random vmalloc/vfree/vmap/vunmap on a 64 MiB space; every address checked against ref. */
static struct run_result random_run(const struct vmlist_ops *vl, const char *tlb, u64 seed)
{
	struct buddy b;
	make_zone(&b, 1 << 15);
	struct vmalloc vm;
	make_vm(&vm, &b, vl, tlb, 1 << 14, 3);
	static struct ref r;
	r.n = 0;
	struct rng g;
	rng_seed(&g, seed);
	struct run_result res = {0};
	u64 purges = 0, range_pages = 0, caller_pfns[16];
	for (u64 k = 0; k < 16; k++)
		caller_pfns[k] = 0x900000 + k; /* vmap'd pages are the caller's, outside the zone */
	for (int step = 0; step < 6000; step++) {
		unsigned op = (unsigned)rng_below(&g, 10);
		int live = 0;
		for (int i = 0; i < r.n; i++)
			live += !r.a[i].pending;
		if (op < 5 || live == 0) {
			bool vmap = op == 4;
			u64 pages = 1 + rng_below(&g, vmap ? 16 : 96), align = 4096ULL << rng_below(&g, 6),
			    want, got;
			if (vmap)
				align = 4096;
			u64 area = (pages + 1) << MM_PAGE_SHIFT;
			bool fits = ref_fit(&r, area, align, SPACE_START, SPACE_START + (1ULL << 26), &want);
			bool pending = false;
			for (int i = 0; i < r.n; i++)
				pending |= r.a[i].pending;
			if (!fits && pending && !strcmp(tlb, "lazy")) {
				ref_purge(&r); /* alloc_vmap_area purges and retries */
				purges++;
				fits = ref_fit(&r, area, align, SPACE_START, SPACE_START + (1ULL << 26),
					       &want);
			}
			int err = vmap ? vmalloc_vmap(&vm, caller_pfns, pages, &got)
				       : vmalloc_alloc(&vm, pages << MM_PAGE_SHIFT, align, 0, 0, &got);
			if (!fits) {
				cr_assert_eq(err, -ENOMEM, "step %d", step);
				continue;
			}
			cr_assert_eq(err, 0, "step %d: %s/%s", step, vl->name, tlb);
			cr_assert_eq(got, want, "step %d: %s/%s %#llx != %#llx", step, vl->name, tlb,
				     (unsigned long long)got, (unsigned long long)want);
			cr_assert_lt(r.n, REF_MAX);
			r.a[r.n++] = (struct ref_area){got, area, false, vmap};
			res.addr_hash = res.addr_hash * 31 + got;
			/* the pages are mapped where the model says */
			i64 pfn = pgtable_lookup(vm.pt, got + ((pages - 1) << MM_PAGE_SHIFT));
			cr_assert_geq(pfn, 0);
			if (vmap)
				cr_assert_eq((u64)pfn, caller_pfns[pages - 1]);
			else
				cr_assert_eq(buddy_alloc_order(&b, (u64)pfn), 0);
			cr_assert_eq(pgtable_lookup(vm.pt, got + (pages << MM_PAGE_SHIFT)), -1,
				     "guard page mapped");
		} else {
			int pick = (int)rng_below(&g, (u64)live), i;
			for (i = 0; i < r.n; i++)
				if (!r.a[i].pending && pick-- == 0)
					break;
			struct ref_area a = r.a[i];
			u64 before = vm.tlb.st.vmap_purges;
			int err = a.vmap ? vmalloc_vunmap(&vm, a.start) : vmalloc_vfree(&vm, a.start);
			cr_assert_eq(err, 0);
			cr_assert_eq(pgtable_lookup(vm.pt, a.start), -1);
			range_pages += a.size >> MM_PAGE_SHIFT;
			if (!strcmp(tlb, "lazy")) {
				r.a[i].pending = true;
				if (vm.tlb.st.vmap_purges != before) {
					ref_purge(&r);
					purges++;
				}
			} else {
				ref_drop(&r, i);
			}
		}
		if (step % 500 == 0)
			check_all(&vm, &b);
	}
	check_all(&vm, &b);
	res.st = vm.st;
	res.tlb = vm.tlb.st;
	res.pte_set = vm.pts.pte_set;
	res.pte_clear = vm.pts.pte_clear;
	res.walk = vm.pts.walk_entries;
	check_flushes(&res, tlb, vm.st.vfrees + vm.st.vunmaps, range_pages, purges);
	vmalloc_fini(&vm);
	buddy_fini(&b);
	return res;
}

Test(vmalloc, random_against_reference_every_variant_and_policy)
{
	static const char *const tlbs[] = {"eager", "range", "lazy"};
	for (int t = 0; t < 3; t++) {
		struct run_result first = {0};
		for (int v = 0; vmlist_variants[v]; v++) {
			if (!vmlist_variants[v]->lowest_fit) /* nodes: tests/test_vmlist_nodes*.c */
				continue;
			struct run_result r = random_run(vmlist_variants[v], tlbs[t], 7 + (u64)t);
			if (v == 0) {
				first = r;
				continue;
			}
			/* same lowest-fit semantics: identical model results whatever the variant */
			cr_assert_eq(r.addr_hash, first.addr_hash);
			cr_assert_eq(memcmp(&r.st, &first.st, sizeof(r.st)), 0);
			cr_assert_eq(memcmp(&r.tlb, &first.tlb, sizeof(r.tlb)), 0);
			cr_assert_eq(r.pte_set, first.pte_set);
			cr_assert_eq(r.walk, first.walk);
		}
	}
}

Test(vmalloc, lazy_purges_at_lazy_max_pages)
{
	for (unsigned ncpus = 1; ncpus <= 4; ncpus++) {
		struct buddy b;
		make_zone(&b, 1 << 16);
		struct vmalloc vm;
		make_vm(&vm, &b, vmlist_find("augmented"), "lazy", 1 << 20, ncpus);
		u64 max = (u64)mm_fls(ncpus) * 8192, nr_lazy = 0, purges = 0;
		cr_assert_eq(vm.tlb.lazy_max_pages, max);
		for (int i = 0; i < 20000; i++) {
			u64 a;
			cr_assert_eq(vmalloc_alloc(&vm, 4 * 4096, 16384, 0, 0, &a), 0);
			cr_assert_eq(vmalloc_vfree(&vm, a), 0);
			nr_lazy += 5; /* 4 pages + guard */
			if (nr_lazy > max) {
				nr_lazy = 0;
				purges++;
			}
			cr_assert_eq(vm.tlb.st.vmap_purges, purges);
			cr_assert_eq(vm.tlb.nr_lazy, nr_lazy);
		}
		cr_assert_gt(purges, 0);
		vmalloc_fini(&vm);
		buddy_fini(&b);
	}
}

Test(vmalloc, tlb_cpu_arithmetic)
{
	cr_assert_eq(tlb_lazy_max_pages(1), 8192);
	cr_assert_eq(tlb_lazy_max_pages(2), 16384); /* the kernel's value on k_threads2's 2 CPUs */
	cr_assert_eq(tlb_lazy_max_pages(3), 16384);
	cr_assert_eq(tlb_lazy_max_pages(64), 7 * 8192);
	cr_assert_eq(tlb_ncpus_from_lazy_max(16384), 2);
	cr_assert_eq(tlb_ncpus_from_lazy_max(8192), 1);
	cr_assert_eq(tlb_ncpus_from_lazy_max(3 * 8192), 4);
	cr_assert_eq(tlb_ncpus_from_lazy_max(12345), 0);
	cr_assert_eq(tlb_ncpus_from_lazy_max(0), 0);
	for (unsigned n = 1; n < 300; n++) {
		unsigned c = tlb_ncpus_from_lazy_max(tlb_lazy_max_pages(n));
		cr_assert_leq(c, n);
		cr_assert_eq(tlb_lazy_max_pages(c), tlb_lazy_max_pages(n));
	}
	struct tlb t;
	cr_assert_eq(tlb_init(&t, tlb_policy_find("lazy"), 0), -EINVAL);
	cr_assert_null(tlb_policy_find("nope"));
}

struct snapshot {
	u64 free_pages, nr_free[BUDDY_MAX_ORDER_LIMIT + 1], tables, live;
};

static struct snapshot snap(struct vmalloc *vm, struct buddy *b)
{
	struct snapshot s = {.free_pages = b->free_pages,
			     .tables = pgtable_nr_table_pages(vm->pt),
			     .live = vm->vl.st.live};
	memcpy(s.nr_free, b->nr_free, sizeof(s.nr_free));
	return s;
}

static void assert_same(struct vmalloc *vm, struct buddy *b, const struct snapshot *s)
{
	struct snapshot now = snap(vm, b);
	cr_assert_eq(memcmp(&now, s, sizeof(now)), 0, "state changed by a failed vmalloc");
	check_all(vm, b);
}

Test(vmalloc, failures_unwind_exactly)
{
	for (int v = 0; vmlist_variants[v]; v++) {
		const struct vmlist_ops *vl = vmlist_variants[v];
		struct buddy b;
		make_zone(&b, 64);
		struct vmalloc vm;
		make_vm(&vm, &b, vl, "eager", 1 << 10, 2);
		u64 a, first, again;
		cr_assert_eq(vmalloc_alloc(&vm, 4096, 4096, 0, 0, &first), 0);
		/* out of data pages: more pages than the zone has free */
		struct snapshot s = snap(&vm, &b);
		cr_assert_eq(vmalloc_alloc(&vm, 100 * 4096, 4096, 0, 0, &a), -ENOMEM);
		cr_assert_eq(vm.st.page_failures, 1);
		assert_same(&vm, &b, &s);
		/* out of space: bigger than the 4 MiB space */
		cr_assert_eq(vmalloc_alloc(&vm, 2000 * 4096, 4096, 0, 0, &a), -ENOMEM);
		cr_assert_eq(vm.st.space_failures, 1);
		assert_same(&vm, &b, &s);
		/* out of table pages: every data page found, then no page for a new PTE table.
		 * Place the area across a 2 MiB boundary so it needs a second PTE table. */
		u64 boundary = SPACE_START + (1ULL << 21);
		u64 n = b.free_pages; /* all of them as data: the new table cannot be had */
		cr_assert_eq(vmalloc_alloc(&vm, n * 4096, 4096, boundary - 4096 * (n / 2), 0, &a), -ENOMEM);
		cr_assert_eq(vm.st.table_failures, 1, "%s", vl->name);
		assert_same(&vm, &b, &s);
		/* after all that the next allocation lands where it would have anyway */
		cr_assert_eq(vmalloc_alloc(&vm, 4096, 4096, 0, 0, &again), 0);
		cr_assert_eq(again, first + 2 * 4096);
		cr_assert_eq(vm.st.alloc_failures, 3);
		vmalloc_fini(&vm);
		buddy_fini(&b);
	}
}

Test(vmalloc, bad_vfrees_are_counted)
{
	for (int v = 0; vmlist_variants[v]; v++) {
		static const char *const tlbs[] = {"eager", "range", "lazy"};
		for (int t = 0; t < 3; t++) {
			struct buddy b;
			make_zone(&b, 1024);
			struct vmalloc vm;
			make_vm(&vm, &b, vmlist_variants[v], tlbs[t], 1 << 10, 2);
			u64 a, c, pfn = 0x900000;
			cr_assert_eq(vmalloc_alloc(&vm, 3 * 4096, 4096, 0, 0, &a), 0);
			cr_assert_eq(vmalloc_vmap(&vm, &pfn, 1, &c), 0);
			struct snapshot s = snap(&vm, &b);
			struct tlb_stats ts = vm.tlb.st;
			cr_assert_eq(vmalloc_vfree(&vm, a + 1), -EINVAL);     /* misaligned */
			cr_assert_eq(vmalloc_vfree(&vm, a + 4096), -ENOENT);  /* inside, not a start */
			cr_assert_eq(vmalloc_vfree(&vm, 0x1234000), -ENOENT); /* unknown */
			cr_assert_eq(vmalloc_vunmap(&vm, a + 8192), -ENOENT);
			cr_assert_eq(vm.st.bad_frees, 4);
			assert_same(&vm, &b, &s);
			cr_assert_eq(memcmp(&ts, &vm.tlb.st, sizeof(ts)), 0, "a bad free flushed");
			cr_assert_eq(vmalloc_vfree(&vm, a), 0);
			cr_assert_eq(vmalloc_vfree(&vm, a), -ENOENT); /* double, lazy or not */
			cr_assert_eq(vmalloc_vunmap(&vm, c), 0);
			cr_assert_eq(vmalloc_vunmap(&vm, c), -ENOENT);
			cr_assert_eq(vm.st.bad_frees, 6);
			cr_assert_eq(vm.st.kind_mismatches, 0);
			/* the caller's page was not given to the buddy; the data pages were */
			cr_assert_eq(vm.st.pages_free, 3);
			cr_assert_eq(b.st.bad_frees, 0);
			check_all(&vm, &b);
			vmalloc_fini(&vm);
			buddy_fini(&b);
		}
	}
}

/* MODEL purge timing learns the drain delay from the trace's own drains: the median of those
 * seen (--purge-delay before the first, and always without purge_learn); a crossing vfree then
 * schedules the purge that many vmalloc calls later. */
Test(vmalloc, model_purge_delay_learned_from_the_trace)
{
	struct buddy b;
	make_zone(&b, 1 << 16);
	struct vmalloc vm;
	make_vm(&vm, &b, vmlist_find("augmented"), "lazy", 1 << 20, 1);
	vm.cfg.purge = VMALLOC_PURGE_MODEL;
	vm.cfg.purge_delay = 1;
	vm.cfg.purge_learn = true;
	cr_assert_eq(vmalloc_drain_delay(&vm), 1, "nothing seen yet: purge_delay");
	vmalloc_drain_seen(&vm, 7);
	vmalloc_drain_seen(&vm, 100);
	vmalloc_drain_seen(&vm, 3);
	cr_assert_eq(vmalloc_drain_delay(&vm), 7, "the median of 3, 7 and 100");
	vm.cfg.purge_learn = false;
	cr_assert_eq(vmalloc_drain_delay(&vm), 1);
	vm.cfg.purge_learn = true;
	for (int i = 0; i < VMALLOC_DRAINS_KEPT; i++) /* only the latest are kept */
		vmalloc_drain_seen(&vm, 5);
	cr_assert_eq(vmalloc_drain_delay(&vm), 5);
	/* a vfree crosses lazy_max_pages (8192 on one CPU): the purge runs 5 calls later */
	u64 calls_after = 0, a;
	bool crossed = false;
	for (int i = 0; i < 10000 && !vm.tlb.st.vmap_purges; i++) {
		for (int k = 0; k < 2 && !vm.tlb.st.vmap_purges; k++) {
			vmalloc_tick(&vm);
			if (vm.tlb.st.vmap_purges)
				break;
			calls_after += crossed;
			if (k == 0) {
				cr_assert_eq(vmalloc_alloc(&vm, 4 * 4096, 16384, 0, 0, &a), 0);
			} else {
				cr_assert_eq(vmalloc_vfree(&vm, a), 0);
				crossed |= vm.tlb.nr_lazy > vm.tlb.lazy_max_pages;
			}
		}
	}
	cr_assert(crossed);
	cr_assert_eq(vm.tlb.st.vmap_purges, 1);
	cr_assert_eq(calls_after, 5, "the purge ran %llu calls after the crossing",
		     (unsigned long long)calls_after);
	vmalloc_fini(&vm);
	buddy_fini(&b);
}

/* MODEL purge timing, learned: a purge runs from taking the lazy lists to giving their areas
 * back, areas times the calls per area the trace's purges ran for; a vfree during the run finds
 * nr_lazy (the purge's pages not yet subtracted) above the limit and queues the drain again: a
 * second purge, of the areas freed during the run, starts when the first ends (a split purge). */
Test(vmalloc, model_purge_runs_and_is_queued_again_by_the_frees_it_outlasts)
{
	struct buddy b;
	make_zone(&b, 1 << 16);
	struct vmalloc vm;
	make_vm(&vm, &b, vmlist_find("augmented"), "lazy", 1 << 20, 1);
	vm.cfg.purge = VMALLOC_PURGE_MODEL;
	vm.cfg.purge_learn = true;
	cr_assert_eq(vmalloc_purge_span(&vm, 5000), 0, "nothing seen yet: an instant purge");
	vmalloc_drain_seen(&vm, 2);
	vmalloc_span_seen(&vm, 30, 2000);
	vmalloc_span_seen(&vm, 0, 1000); /* a split purge's second part: quick */
	cr_assert_eq(vmalloc_purge_span(&vm, 3000), 30, "3000 areas at 30 calls per 3000");
	static u64 a[2100];
	for (int i = 0; i < 2100; i++)
		cr_assert_eq(vmalloc_alloc(&vm, 4 * 4096, 4096, 0, 0, &a[i]), 0);
	/* 5-page areas: the 1639th free crosses lazy_max_pages (8192 on one CPU) */
	int crossing = -1, done = -1;
	u64 total = 0, second = 0;
	for (int i = 0; i < 2100 && done < 0; i++) {
		vmalloc_tick(&vm);
		if (vm.tlb.st.vmap_purges) {
			done = i;
			total = vm.tlb.st.purged_areas;
			second = vm.last_purged;
			break;
		}
		cr_assert_eq(vmalloc_vfree(&vm, a[i]), 0);
		if (crossing < 0 && vm.tlb.nr_lazy > vm.tlb.lazy_max_pages)
			crossing = i;
	}
	cr_assert_eq(crossing, 1638);
	/* the drain took its lists 2 calls after the crossing: 1641 areas, a run of 1641 * 30 / 3000
	 * = 16 calls; the 16 areas freed meanwhile are the second purge's, instant (16 * 0.01) */
	u64 taken = (u64)crossing + 1 + 2, span = taken * 30 / 3000;
	cr_assert_eq(span, 16);
	cr_assert_eq(done, (int)(taken + span), "both purges end before call %d", done);
	cr_assert_eq(vm.tlb.st.vmap_purges, 2, "a split purge");
	cr_assert_eq(total, taken + span);
	cr_assert_eq(second, span, "the areas freed while the first ran");
	cr_assert_eq(vm.tlb.nr_purge, 0);
	cr_assert_eq(vm.tlb.nr_lazy, 0);
	vmalloc_fini(&vm);
	buddy_fini(&b);
}
