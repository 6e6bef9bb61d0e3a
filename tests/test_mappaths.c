/* The driver mapping paths through the machine (struct sim), each against a hand-worked kernel
 * rule: vmalloc_32 takes pages only below 4 GiB and fails rather than fall back to Normal (a
 * counter of free DMA32 pages is the reference); ioremap maps the device range and takes no
 * page; vfree frees the area's pages and vunmap frees none; the kmap pool flushes exactly once
 * per wrap; page events walk the zonelist Normal -> DMA32 -> DMA per their gfp zone flags. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "core/lib/rng.h"
#include "core/machine/sim.h"

#define TOK(n) (0xabcULL << 40 | (n))

/* DMA [0x1, 0x1000), DMA32 of dma32 pages from 0x1000, Normal of 1 Mi pages at 4 GiB. */
static void layout(struct sim_cfg *cfg, u64 dma32)
{
	sim_cfg_default(cfg);
	cfg->zones.nr_zones = 3;
	cfg->zones.zone[0] = (struct zone_spec){ZONE_DMA, 0x1, 0xfff};
	cfg->zones.zone[1] = (struct zone_spec){ZONE_DMA32, 0x1000, dma32};
	cfg->zones.zone[2] = (struct zone_spec){ZONE_NORMAL, 0x100000, 1ULL << 20};
}

static struct buddy *zone_buddy(struct sim *s, enum zone_type t)
{
	cr_assert_geq(s->zones.index[t], 0);
	return &s->zones.zone[s->zones.index[t]].buddy;
}

static struct mm_event ev_of(unsigned kind, u64 addr, u64 len)
{
	struct mm_event e = {.kind = (u8)kind, .mt = -1, .addr = addr, .len = len};
	return e;
}

/* The model address the sim paired with a traced token, or 0. */
static u64 model_of(struct sim *s, u64 tok)
{
	u64 v;
	return hmap_get(&s->vmap_pair, tok, &v) ? v : 0;
}

Test(mappaths, vmalloc32_never_above_4g_and_never_falls_back)
{
	struct sim_cfg cfg;
	layout(&cfg, 600); /* small DMA and DMA32: vmalloc_32 must run out while Normal has plenty */
	cfg.zones.zone[0].nr_pages = 100;
	struct sim s;
	cr_assert_eq(sim_init(&s, &cfg), 0);
	struct rng g;
	rng_seed(&g, 7);
	/* reference: free pages below 4 GiB (DMA32 then DMA), only vmalloc_32 takes them */
	u64 low_free = 600 + 100, live_pages[64] = {0}, ok32 = 0, fail32 = 0;
	bool live32[64] = {0};
	for (int step = 0; step < 3000; step++) {
		u64 i = rng_below(&g, 64), tok = TOK(i);
		if (live_pages[i]) {
			struct mm_event f = ev_of(MME_VMAP_FREE, tok, 0);
			cr_assert_eq(sim_event(&s, &f), 0);
			if (live32[i])
				low_free += live_pages[i];
			live_pages[i] = 0;
			continue;
		}
		u64 n = 1 + rng_below(&g, 200);
		bool is32 = rng_below(&g, 2);
		/* traced sizes hold the guard page (the sim's VMALLOC_GUARD_INCLUDED) */
		struct mm_event a =
			ev_of(is32 ? MME_VMALLOC32 : MME_VMAP_ALLOC, tok, (n + 1) << MM_PAGE_SHIFT);
		cr_assert_eq(sim_event(&s, &a), 0);
		u64 va = model_of(&s, tok);
		if (is32 && n > low_free) {
			cr_assert_eq(va, 0, "vmalloc_32 of %llu pages with %llu low pages free must fail",
				     (unsigned long long)n, (unsigned long long)low_free);
			fail32++;
			continue;
		}
		cr_assert_neq(va, 0);
		for (u64 p = 0; p < n; p++) {
			i64 pfn = pgtable_lookup(s.vm.pt, va + (p << MM_PAGE_SHIFT));
			cr_assert_geq(pfn, 1);
			if (is32)
				cr_assert_lt((u64)pfn, ZONES_4G_PFN, "vmalloc_32 page at pfn %#llx",
					     (unsigned long long)pfn);
		}
		if (is32) {
			low_free -= n;
			ok32++;
		}
		live_pages[i] = n;
		live32[i] = is32;
	}
	cr_assert_gt(ok32, 10);
	cr_assert_gt(fail32, 10, "the workload must exhaust the low zones");
	cr_assert_eq(zone_buddy(&s, ZONE_DMA32)->free_pages + zone_buddy(&s, ZONE_DMA)->free_pages, low_free);
	cr_assert_eq(s.vm.st.vmalloc32s, ok32);
	cr_assert_eq(s.zones.zone[2].st.fallback_allocs, 0);
	sim_fini(&s);
}

Test(mappaths, vmalloc32_fails_on_a_machine_without_low_zones)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg); /* one Normal zone at 4 GiB */
	struct sim s;
	cr_assert_eq(sim_init(&s, &cfg), 0);
	u64 before = zones_free_pages(&s.zones);
	struct mm_event a = ev_of(MME_VMALLOC32, TOK(1), 3 << MM_PAGE_SHIFT);
	cr_assert_eq(sim_event(&s, &a), 0);
	cr_assert_eq(model_of(&s, TOK(1)), 0);
	cr_assert_eq(s.vmap.alloc_failures, 1);
	cr_assert_eq(s.zones.st.failures, 1);
	/* unwound: only the page tables vmalloc_init made are held */
	cr_assert_eq(zones_free_pages(&s.zones), before);
	sim_fini(&s);
}

Test(mappaths, ioremap_maps_the_device_range_and_takes_no_page)
{
	struct sim_cfg cfg;
	layout(&cfg, 0x1000);
	struct sim s;
	cr_assert_eq(sim_init(&s, &cfg), 0);
	/* warm the page tables of the first areas, so later cycles need no new table page */
	struct mm_event w = ev_of(MME_IOREMAP, TOK(0), 64 << MM_PAGE_SHIFT);
	w.addr2 = 0xf0000000;
	cr_assert_eq(sim_event(&s, &w), 0);
	u64 tables = pgtable_nr_table_pages(s.vm.pt), free0 = zones_free_pages(&s.zones);
	u64 total = 0xfff + 0x1000 + (1ULL << 20);
	cr_assert_eq(free0, total - tables, "ioremap took a page that is not a page table");
	struct rng g;
	rng_seed(&g, 3);
	for (u64 i = 1; i <= 200; i++) {
		u64 phys = 0xf0000000 + rng_below(&g, 1 << 24), size = 1 + rng_below(&g, 16 << MM_PAGE_SHIFT);
		struct mm_event a = ev_of(MME_IOREMAP, TOK(i), size);
		a.addr2 = phys;
		cr_assert_eq(sim_event(&s, &a), 0);
		u64 va = model_of(&s, TOK(i));
		cr_assert_neq(va, 0);
		u64 first = phys >> MM_PAGE_SHIFT, last = (phys + size - 1) >> MM_PAGE_SHIFT;
		for (u64 p = first; p <= last; p++)
			cr_assert_eq(pgtable_lookup(s.vm.pt, va + ((p - first) << MM_PAGE_SHIFT)), (i64)p);
		cr_assert_eq(pgtable_lookup(s.vm.pt, va + ((last - first + 1) << MM_PAGE_SHIFT)), -1,
			     "one page past the range is the guard");
		cr_assert_eq(zones_free_pages(&s.zones), total - pgtable_nr_table_pages(s.vm.pt));
		struct mm_event u = ev_of(MME_VUNMAP, TOK(i), 0);
		cr_assert_eq(sim_event(&s, &u), 0);
		cr_assert_eq(zones_free_pages(&s.zones), total - pgtable_nr_table_pages(s.vm.pt));
	}
	cr_assert_eq(s.vm.st.pages_alloc, 0);
	cr_assert_eq(s.vm.st.pages_free, 0);
	cr_assert_eq(s.vm.st.ioremaps, 201);
	cr_assert_eq(s.vm.st.vunmaps, 200);
	cr_assert_eq(s.vm.st.bad_frees, 0);
	sim_fini(&s);
}

Test(mappaths, vfree_frees_pages_vunmap_does_not)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	struct sim s;
	cr_assert_eq(sim_init(&s, &cfg), 0);
	const u64 n = 37;
	/* warm the tables */
	struct mm_event a = ev_of(MME_VMAP_ALLOC, TOK(1), (n + 1) << MM_PAGE_SHIFT);
	cr_assert_eq(sim_event(&s, &a), 0);
	struct mm_event f = ev_of(MME_VMAP_FREE, TOK(1), 0);
	cr_assert_eq(sim_event(&s, &f), 0);
	u64 base = zones_free_pages(&s.zones), tables = pgtable_nr_table_pages(s.vm.pt);
	/* vfree: __vunmap(addr, 1) */
	a.addr = TOK(2);
	cr_assert_eq(sim_event(&s, &a), 0);
	u64 va = model_of(&s, TOK(2));
	i64 pfn0 = pgtable_lookup(s.vm.pt, va);
	cr_assert_eq(zones_free_pages(&s.zones) + n + (pgtable_nr_table_pages(s.vm.pt) - tables), base);
	f.addr = TOK(2);
	cr_assert_eq(sim_event(&s, &f), 0);
	cr_assert_eq(zones_free_pages(&s.zones) + (pgtable_nr_table_pages(s.vm.pt) - tables), base);
	cr_assert_eq(buddy_alloc_order(&s.zones.zone[0].buddy, (u64)pfn0), -1, "vfree freed the page");
	/* vunmap: __vunmap(addr, 0): the mapping goes, the pages stay allocated */
	a.addr = TOK(3);
	cr_assert_eq(sim_event(&s, &a), 0);
	va = model_of(&s, TOK(3));
	u64 pfns[64];
	for (u64 i = 0; i < n; i++)
		pfns[i] = (u64)pgtable_lookup(s.vm.pt, va + (i << MM_PAGE_SHIFT));
	u64 held = zones_free_pages(&s.zones);
	struct mm_event u = ev_of(MME_VUNMAP, TOK(3), 0);
	cr_assert_eq(sim_event(&s, &u), 0);
	cr_assert_eq(zones_free_pages(&s.zones), held);
	for (u64 i = 0; i < n; i++) {
		cr_assert_eq(buddy_alloc_order(&s.zones.zone[0].buddy, pfns[i]), 0, "vunmap freed a page");
		cr_assert_eq(pgtable_lookup(s.vm.pt, va + (i << MM_PAGE_SHIFT)), -1, "still mapped");
	}
	cr_assert_eq(s.vm.st.leaked_pages, n);
	cr_assert_eq(s.vm.st.vunmaps, 1);
	cr_assert_eq(s.vm.st.vfrees, 2);
	/* a second vunmap of the same token is unmatched, never a double unmap */
	cr_assert_eq(sim_event(&s, &u), 0);
	cr_assert_eq(s.vmap.unmatched_frees, 1);
	sim_fini(&s);
}

/* kmap(page) then kunmap(page) of k distinct highmem pages on an n-slot pool: by
 * map_new_virtual, slots 1..n-1 take the first n-1 pages, the n-th new mapping wraps
 * last_pkmap_nr to 0 and flush_all_zero_pkmaps frees the n-1 count-1 slots under one flush;
 * every n further new mappings wrap again. So wraps = flushes = k / n. */
Test(mappaths, kmap_flushes_once_per_wrap_through_the_sim)
{
	static const u32 slots[] = {1, 2, 8, 64};
	for (size_t c = 0; c < MM_ARRAY_SIZE(slots); c++) {
		struct sim_cfg cfg;
		sim_cfg_default(&cfg);
		cfg.pkmap.nr_slots = slots[c];
		struct sim s;
		cr_assert_eq(sim_init(&s, &cfg), 0);
		const u64 k = 1000;
		for (u64 i = 0; i < k; i++) {
			u64 pfn = PKMAP_DEFAULT_HIGHMEM_PFN + 3 * i;
			struct mm_event m = ev_of(MME_KMAP, pfn, 0), u = ev_of(MME_KUNMAP, pfn, 0);
			cr_assert_eq(sim_event(&s, &m), 0);
			cr_assert_eq(sim_event(&s, &u), 0);
		}
		if (slots[c] == 1) {
			/* LAST_PKMAP 1: (last + 1) & 0 is always 0, so every new mapping wraps; all but
			 * the first find the previous page's slot at count 1 and flush */
			cr_assert_eq(s.pkmap.st.wraps, k);
			cr_assert_eq(s.pkmap.st.tlb_flushes, k - 1);
		} else {
			cr_assert_eq(s.pkmap.st.wraps, k / slots[c], "slots %u", slots[c]);
			cr_assert_eq(s.pkmap.st.tlb_flushes, k / slots[c], "slots %u", slots[c]);
		}
		cr_assert_eq(s.pkmap.st.kmaps, k);
		cr_assert_eq(s.pkmap.st.kunmaps, k);
		cr_assert_eq(s.pkmap.st.waits, 0);
		/* a second kmap of a page that still has its slot is a hit, no new slot */
		struct mm_event m = ev_of(MME_KMAP, PKMAP_DEFAULT_HIGHMEM_PFN - 1, 0); /* low memory */
		cr_assert_eq(sim_event(&s, &m), 0);
		cr_assert_eq(s.pkmap.st.kmap_lowmem, 1);
		sim_fini(&s);
	}
}

/* One-page events with zone flags on DMA 16, DMA32 32, Normal 64 pages. */
Test(mappaths, pagereplay_zone_fallback_order)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.max_order = 3;
	cfg.zones.nr_zones = 3;
	cfg.zones.zone[0] = (struct zone_spec){ZONE_DMA, 0x10, 16};
	cfg.zones.zone[1] = (struct zone_spec){ZONE_DMA32, 0x1000, 32};
	cfg.zones.zone[2] = (struct zone_spec){ZONE_NORMAL, 0x100000, 64};
	struct sim s;
	cr_assert_eq(sim_init(&s, &cfg), 0);
	/* vmalloc_init's top page table took one Normal page */
	u64 normal = zone_buddy(&s, ZONE_NORMAL)->free_pages;
	cr_assert_eq(normal, 63);
	u64 tok = 1;
	/* a GFP_DMA32 request uses DMA32, then DMA, never Normal */
	for (u64 i = 0; i < 32 + 16 + 1; i++) {
		struct mm_event a = {
			.kind = MME_PAGE_ALLOC, .mt = 0, .addr = tok++, .flags = MME_F_ZONE_DMA32};
		cr_assert_eq(sim_event(&s, &a), 0);
		u64 rec;
		bool live = hmap_get(&s.pages.live, a.addr, &rec);
		u64 pfn = pagereplay_live_pfn(rec);
		if (i < 32)
			cr_assert(live && pfn >= 0x1000 && pfn < 0x1020, "request %llu",
				  (unsigned long long)i);
		else if (i < 48)
			cr_assert(live && pfn >= 0x10 && pfn < 0x20, "request %llu", (unsigned long long)i);
		else
			cr_assert(!live, "DMA32 request served from Normal");
	}
	cr_assert_eq(zone_buddy(&s, ZONE_NORMAL)->free_pages, normal);
	cr_assert_eq(s.zones.zone[0].st.fallback_allocs, 16);
	cr_assert_eq(s.pages.st.alloc_failures, 1);
	/* free them all, then Normal requests fill Normal, then DMA32, then DMA */
	for (u64 t = 1; t < tok; t++) {
		struct mm_event f = {.kind = MME_PAGE_FREE, .addr = t};
		cr_assert_eq(sim_event(&s, &f), 0);
	}
	u64 seen[3] = {0};
	for (u64 i = 0; i < normal + 32 + 16 + 1; i++) {
		struct mm_event a = {.kind = MME_PAGE_ALLOC, .mt = 0, .addr = tok++};
		cr_assert_eq(sim_event(&s, &a), 0);
		u64 rec;
		if (!hmap_get(&s.pages.live, a.addr, &rec)) {
			cr_assert_eq(i, normal + 48, "failed before every zone was empty");
			continue;
		}
		u64 pfn = pagereplay_live_pfn(rec);
		int z = pfn >= 0x100000 ? 2 : pfn >= 0x1000 ? 1 : 0;
		int want = i < normal ? 2 : i < normal + 32 ? 1 : 0;
		cr_assert_eq(z, want, "request %llu from zone %d", (unsigned long long)i, z);
		seen[z]++;
	}
	cr_assert_eq(seen[0] + seen[1] + seen[2], normal + 48);
	cr_assert_eq(s.zones.zone[1].st.fallback_allocs, 32);
	/* GFP_DMA never leaves DMA, which is full now */
	struct mm_event d = {.kind = MME_PAGE_ALLOC, .mt = 0, .addr = tok++, .flags = MME_F_ZONE_DMA};
	cr_assert_eq(sim_event(&s, &d), 0);
	cr_assert_eq(s.zones.st.requests[ZONE_DMA], 1);
	cr_assert_eq(s.pages.st.alloc_failures, 3);
	/* both zone flags: the kernel's gfp_zone() rejects it; counted, not applied */
	d.flags = MME_F_ZONE_DMA | MME_F_ZONE_DMA32;
	d.addr = tok++;
	cr_assert_eq(sim_event(&s, &d), 0);
	cr_assert_eq(s.pages.st.bad_flags, 1);
	sim_fini(&s);
}

Test(mappaths, faithful_counts_a_pfn_in_no_zone)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.page_mode = PAGEREPLAY_FAITHFUL;
	cfg.zones.nr_zones = 2;
	cfg.zones.zone[0] = (struct zone_spec){ZONE_DMA32, 0x1000, 0x1000};
	cfg.zones.zone[1] = (struct zone_spec){ZONE_NORMAL, 0x100000, 0x1000};
	struct sim s;
	cr_assert_eq(sim_init(&s, &cfg), 0);
	struct mm_event a = {.kind = MME_PAGE_ALLOC, .mt = 0, .addr = 0x1800};
	cr_assert_eq(sim_event(&s, &a), 0);
	cr_assert_eq(buddy_alloc_order(zone_buddy(&s, ZONE_DMA32), 0x1800), 0);
	a.addr = 0x5000; /* the hole between DMA32 and Normal */
	cr_assert_eq(sim_event(&s, &a), 0);
	a.addr = 0x800; /* below every zone */
	cr_assert_eq(sim_event(&s, &a), 0);
	cr_assert_eq(s.pages.st.no_zone, 2);
	cr_assert_eq(s.pages.st.allocs, 1);
	a.addr = 0x1ff8; /* order 4 leaves DMA32's end: not a missing zone */
	a.order = 4;
	cr_assert_eq(sim_event(&s, &a), 0);
	cr_assert_eq(s.pages.st.no_zone, 2);
	cr_assert_eq(s.pages.st.out_of_range, 1);
	sim_fini(&s);
}

/* The one-buddy page source (unit tests, older callers): a DMA32 limit is served only when the
 * whole buddy lies below 4 GiB, so vmalloc_32 on a buddy above it fails and unwinds. */
Test(mappaths, one_buddy_source_honours_the_limit)
{
	static const u64 base[] = {0x1000, 0x100000, 0xff000};
	for (size_t k = 0; k < MM_ARRAY_SIZE(base); k++) {
		struct buddy b;
		struct buddy_cfg bc = {.base_pfn = base[k], .nr_pages = 0x1000, .max_order = 10};
		cr_assert_eq(buddy_init(&b, &bc), 0);
		struct vmalloc vm;
		struct vmalloc_cfg vc;
		vmalloc_cfg_default(&vc);
		cr_assert_eq(vmalloc_init(&vm, &vc, &b), 0);
		u64 free0 = b.free_pages, va;
		bool below = base[k] + 0x1000 <= ZONES_4G_PFN;
		int err = vmalloc_alloc32(&vm, 8 << MM_PAGE_SHIFT, 0, 0, 0, &va);
		if (below) {
			cr_assert_eq(err, 0);
			for (u64 i = 0; i < 8; i++)
				cr_assert_lt((u64)pgtable_lookup(vm.pt, va + (i << MM_PAGE_SHIFT)),
					     ZONES_4G_PFN);
			cr_assert_eq(vmalloc_vfree(&vm, va), 0);
		} else {
			cr_assert_eq(err, -ENOMEM, "buddy from pfn %#llx", (unsigned long long)base[k]);
			cr_assert_eq(vm.st.page_failures, 1);
		}
		/* every data page is back; only the tables the mapping added (beyond the root counted
		 * in free0) are held */
		u64 new_tables = vm.pts.pgtable_pages_alloc - vm.pts.pgtable_pages_free - 1;
		cr_assert_eq(b.free_pages + new_tables, free0);
		vmalloc_fini(&vm);
		buddy_fini(&b);
	}
}
