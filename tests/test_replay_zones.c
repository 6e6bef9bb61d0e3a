/* End to end: the drivers and kmap generators replayed through `replay_run` and read back
 * through the CSV column table, with every expectation counted from the generated events
 * themselves (calls per kind, pages per area, zone per gfp flag) or from the kmap rule
 * (wraps = new mappings / LAST_PKMAP); the CLI's --zones and --pkmap-slots; and the regression
 * guard of the zones refactor: on the default layout the machine replays k_threads2 exactly as a
 * machine built from one buddy with the pre-zones APIs does. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "workloads/gen/gen.h"
#include "bench/output/metrics.h"
#include "bench/run/replay.h"
#include "tests/spawn_cmd.h"
#include "workloads/trace/trace.h"

struct evs {
	struct mm_event *ev;
	size_t n, cap;
};

static int collect(void *ctx, const struct mm_event *ev)
{
	struct evs *e = ctx;
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 4096;
		e->ev = realloc(e->ev, e->cap * sizeof(*e->ev));
		cr_assert(e->ev);
	}
	e->ev[e->n++] = *ev;
	return 0;
}

static struct evs generate(const char *name, u64 loops, u64 seed)
{
	const struct gen_ops *g = gen_find(name);
	cr_assert(g, "%s", name);
	struct gen_params p;
	gen_params_default(&p);
	p.seed = seed;
	p.loops = loops;
	struct evs e = {0};
	cr_assert_eq(g->run(&p, collect, &e), 0);
	return e;
}

/* A column's CSV text for a row; the name must exist. */
static const char *col(const struct replay_row *r, const char *name)
{
	static char buf[8][256];
	static int k;
	char *b = buf[k++ & 7];
	struct metric_src src = {.trace = r->trace, .st = &r->st, .host = &r->host};
	cr_assert_eq(metric_get(name, METRIC_IN_REPLAY, &src, b, 256), 0, "no column %s", name);
	return b;
}

static u64 ucol(const struct replay_row *r, const char *name)
{
	const char *s = col(r, name);
	cr_assert(*s, "%s is empty", name);
	return strtoull(s, NULL, 10);
}

static struct replay_row run(const struct evs *e, const struct sim_cfg *cfg)
{
	struct replay_row row;
	cr_assert_eq(replay_run("t", e->ev, e->n, cfg, &row), 0);
	return row;
}

static void three_zones(struct sim_cfg *cfg)
{
	sim_cfg_default(cfg);
	cfg->zones.nr_zones = 3;
	cfg->zones.zone[0] = (struct zone_spec){ZONE_DMA, 0x1, 0xfff};
	cfg->zones.zone[1] = (struct zone_spec){ZONE_DMA32, 0x1000, 0xff000};
	cfg->zones.zone[2] = (struct zone_spec){ZONE_NORMAL, 0x100000, 1ULL << 20};
}

/* What the drivers trace asks for, counted from its events. */
struct drv_count {
	u64 vmalloc, vmalloc32, ioremap, vunmap, vfree;
	u64 vmalloc_pages, vmalloc32_pages, ioremap_pages;
	u64 dma_allocs, dma32_allocs, page_frees;
};

static struct drv_count count(const struct evs *e)
{
	struct drv_count c = {0};
	for (size_t i = 0; i < e->n; i++) {
		const struct mm_event *v = &e->ev[i];
		switch (v->kind) {
		case MME_VMAP_ALLOC:
			c.vmalloc++;
			c.vmalloc_pages += (v->len >> MM_PAGE_SHIFT) - 1; /* the guard page is unmapped */
			break;
		case MME_VMALLOC32:
			c.vmalloc32++;
			c.vmalloc32_pages += (v->len >> MM_PAGE_SHIFT) - 1;
			break;
		case MME_IOREMAP:
			c.ioremap++;
			c.ioremap_pages +=
				((v->addr2 + v->len - 1) >> MM_PAGE_SHIFT) - (v->addr2 >> MM_PAGE_SHIFT) + 1;
			break;
		case MME_VUNMAP:
			c.vunmap++;
			break;
		case MME_VMAP_FREE:
			c.vfree++;
			break;
		case MME_PAGE_ALLOC:
			if (v->flags & MME_F_ZONE_DMA)
				c.dma_allocs++;
			else if (v->flags & MME_F_ZONE_DMA32)
				c.dma32_allocs++;
			break;
		case MME_PAGE_FREE:
			c.page_frees++;
			break;
		}
	}
	return c;
}

Test(replay_zones, drivers_on_three_zones)
{
	struct evs e = generate("drivers", 6000, 5);
	struct drv_count c = count(&e);
	cr_assert(c.vmalloc && c.vmalloc32 && c.ioremap && c.dma_allocs && c.dma32_allocs);
	cr_assert_eq(c.vunmap, c.ioremap, "every ioremap is iounmapped at the latest at unload");
	cr_assert_eq(c.vfree, c.vmalloc + c.vmalloc32);
	struct sim_cfg cfg;
	three_zones(&cfg);
	struct replay_row r = run(&e, &cfg);
	cr_assert_str_eq(col(&r, "zones"), "DMA+DMA32+Normal");
	cr_assert_eq(ucol(&r, "vmalloc32_calls"), c.vmalloc32);
	cr_assert_eq(ucol(&r, "ioremap_calls"), c.ioremap);
	cr_assert_eq(ucol(&r, "vunmap_calls"), c.vunmap);
	cr_assert_eq(ucol(&r, "ioremap_pages"), c.ioremap_pages);
	cr_assert_eq(ucol(&r, "vunmap_leaked_pages"), 0);
	cr_assert_eq(ucol(&r, "alloc_failures"), 0);
	cr_assert_eq(ucol(&r, "unmatched_frees"), 0);
	cr_assert_eq(ucol(&r, "zone_failures"), 0);
	cr_assert_eq(ucol(&r, "vmalloc_pages"), c.vmalloc_pages + c.vmalloc32_pages);
	/* DMA32 is large enough: no request leaves its preferred zone */
	cr_assert_eq(ucol(&r, "zone_dma_allocs"), c.dma_allocs);
	cr_assert_eq(ucol(&r, "zone_dma32_allocs"), c.dma32_allocs + c.vmalloc32_pages);
	cr_assert_eq(ucol(&r, "zone_normal_allocs"), c.vmalloc_pages + ucol(&r, "pgtable_pages_alloc"));
	cr_assert_eq(ucol(&r, "zone_dma_fallback_allocs") + ucol(&r, "zone_dma32_fallback_allocs") +
			     ucol(&r, "zone_normal_fallback_allocs"),
		     0);
	/* everything is released at unload: only page tables are held, all in Normal */
	u64 tables = ucol(&r, "pgtable_pages_alloc") - ucol(&r, "pgtable_pages_free");
	cr_assert_eq(ucol(&r, "zone_dma_free_pages"), 0xfff);
	cr_assert_eq(ucol(&r, "zone_dma32_free_pages"), 0xff000);
	cr_assert_eq(ucol(&r, "zone_normal_free_pages"), (1ULL << 20) - tables);
	cr_assert_eq(ucol(&r, "free_pages_end"), 0xfff + 0xff000 + (1ULL << 20) - tables);
	/* fragmentation at the end, by the kernel's formula on the zones' all-free shape: DMA
	 * [0x1, 0x1000) holds 7 aligned order-9 blocks (0x200..0xfff), 3584 of its 4095 pages;
	 * DMA32 [0x1000, 0x100000) is all aligned order-9 (and larger) blocks */
	cr_assert_str_eq(col(&r, "zone_dma_ufi9_end"), "124"); /* (4095 - 3584) * 1000 / 4095 */
	cr_assert_str_eq(col(&r, "zone_dma32_ufi9_end"), "0");
	cr_assert_str_eq(col(&r, "zone_dma_efi9_end"), "-1000"); /* a suitable block is free */
	cr_assert_str_eq(col(&r, "zone_dma32_efi9_end"), "-1000");
	replay_row_fini(&r);
	free(e.ev);
}

Test(replay_zones, drivers_on_the_default_layout)
{
	struct evs e = generate("drivers", 6000, 5);
	struct drv_count c = count(&e);
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	struct replay_row r = run(&e, &cfg);
	cr_assert_str_eq(col(&r, "zones"), "Normal");
	/* no zone below 4 GiB: every vmalloc_32 and every GFP_DMA(32) page fails, and their
	 * releases are unmatched */
	cr_assert_eq(ucol(&r, "alloc_failures"), c.vmalloc32 + c.dma_allocs + c.dma32_allocs);
	cr_assert_eq(ucol(&r, "unmatched_frees"), c.vmalloc32 + c.page_frees);
	cr_assert_eq(ucol(&r, "zone_failures"), c.vmalloc32 + c.dma_allocs + c.dma32_allocs);
	static const char *const absent[] = {
		"zone_dma_allocs",   "zone_dma_fallback_allocs",   "zone_dma_free_pages",
		"zone_dma32_allocs", "zone_dma32_fallback_allocs", "zone_dma32_free_pages",
		"zone_dma_ufi9_end", "zone_dma32_efi9_end"};
	for (size_t i = 0; i < MM_ARRAY_SIZE(absent); i++)
		cr_assert_str_empty(col(&r, absent[i]), "%s", absent[i]);
	cr_assert_eq(ucol(&r, "zone_normal_allocs"), c.vmalloc_pages + ucol(&r, "pgtable_pages_alloc"));
	replay_row_fini(&r);
	free(e.ev);
}

Test(replay_zones, kmap_copy_wraps_per_pool_size)
{
	const u64 loops = 5000;
	struct evs e = generate("kmap_copy", loops, 9);
	static const u32 slots[] = {16, 64, 1024};
	for (size_t i = 0; i < MM_ARRAY_SIZE(slots); i++) {
		struct sim_cfg cfg;
		sim_cfg_default(&cfg);
		cfg.pkmap.nr_slots = slots[i];
		struct replay_row r = run(&e, &cfg);
		/* each copied page maps two distinct highmem pages, each a new mapping; every
		 * LAST_PKMAP-th new mapping wraps, and each wrap finds unmapped slots to flush */
		cr_assert_eq(ucol(&r, "kmaps"), 2 * loops);
		cr_assert_eq(ucol(&r, "kunmaps"), 2 * loops);
		cr_assert_eq(ucol(&r, "kmap_hits"), 0);
		cr_assert_eq(ucol(&r, "kmap_waits"), 0);
		cr_assert_eq(ucol(&r, "pkmap_slots"), slots[i]);
		cr_assert_eq(ucol(&r, "pkmap_wraps"), 2 * loops / slots[i], "slots %u", slots[i]);
		cr_assert_eq(ucol(&r, "pkmap_tlb_flushes"), 2 * loops / slots[i], "slots %u", slots[i]);
		replay_row_fini(&r);
	}
	free(e.ev);
}

Test(replay_zones, kmap_hot_hits_its_working_set)
{
	struct evs e = generate("kmap_hot", 4000, 3);
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	struct replay_row r = run(&e, &cfg);
	/* hold 8 < 1024 slots: no waits; most kmaps (90 % on 64 pages) find a slot */
	cr_assert_eq(ucol(&r, "kmaps"), 4000);
	cr_assert_eq(ucol(&r, "kunmaps"), 4000);
	cr_assert_eq(ucol(&r, "kmap_waits"), 0);
	cr_assert_gt(ucol(&r, "kmap_hits"), 4000 * 80 / 100);
	replay_row_fini(&r);
	free(e.ev);
}

Test(replay_zones, cli_zones_and_pkmap_slots)
{
	char dir[] = "/tmp/mmreplay_zones_XXXXXX", d_bin[64], k_bin[64], r_csv[64], nope[80];
	cr_assert(mkdtemp(dir));
	snprintf(d_bin, sizeof(d_bin), "%s/d.bin", dir);
	snprintf(k_bin, sizeof(k_bin), "%s/k.bin", dir);
	snprintf(r_csv, sizeof(r_csv), "%s/r.csv", dir);
	snprintf(nope, sizeof(nope), "zoneinfo:%s/nope", dir);
	cr_assert_eq(MMR_STATUS(NULL, "gen", "drivers", "--loops", "2000", "--out", d_bin), 0);
	cr_assert_eq(MMR_STATUS(NULL, "gen", "kmap_copy", "--loops", "1000", "--out", k_bin), 0);
	cr_assert_eq(MMR_STATUS(NULL, "replay", "--vmlist", "augmented", "--tlb", "lazy", "--buddy", "lifo",
				"--zones", "DMA:0x1-0x1000,DMA32:0x1000-0x100000,Normal:0x100000+4G",
				"--pkmap-slots", "100", "--out", r_csv, d_bin, k_bin, "--quiet"),
		     0);
	/* header fixed; the kmap trace's row has 2000 / 100 wraps; both rows show the layout */
	cr_assert_eq(SPAWN_STATUS(NULL, "python3", "-c",
				  "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); "
				  "assert len(r)==2; assert all(x['zones']=='DMA+DMA32+Normal' for x in r); "
				  "assert r[1]['pkmap_wraps']=='20' and r[1]['pkmap_slots']=='100'; "
				  "assert int(r[0]['vmalloc32_calls'])>0 and int(r[0]['ioremap_calls'])>0; "
				  "assert r[0]['zone_failures']=='0'",
				  r_csv),
		     0);
	cr_assert_eq(MMR_STATUS(NULL, "replay", "--zones", "Normal:0x100000+0", k_bin, "--quiet"), 2,
		     "an empty zone is a usage error");
	cr_assert_eq(MMR_STATUS(NULL, "replay", "--zones", nope, k_bin, "--quiet"), 2,
		     "a missing snapshot is a usage error");
	cr_assert_eq(MMR_STATUS(NULL, "replay", "--pkmap-slots", "0", k_bin, "--quiet"), 2);
	cr_assert_eq(SPAWN_STATUS(NULL, "rm", "-rf", dir), 0);
}

/* --- regression guard: the zones refactor changed no number --- */

/* A machine as it was before zones: one buddy, and the buddy-taking APIs of pagereplay and
 * vmalloc, with vmap events paired as the sim pairs them. */
struct one_buddy {
	struct buddy b;
	struct pagereplay pr;
	struct vmalloc vm;
	struct hmap pair;
	bool seeded;
};

static void one_buddy_init(struct one_buddy *m, const struct sim_cfg *cfg)
{
	struct buddy_cfg bc = {.base_pfn = 0x100000,
			       .nr_pages = 1ULL << 20,
			       .max_order = cfg->max_order,
			       .policy = cfg->buddy};
	cr_assert_eq(buddy_init(&m->b, &bc), 0);
	cr_assert_eq(pagereplay_init(&m->pr, &m->b, cfg->page_mode), 0);
	struct vmalloc_cfg vc;
	vmalloc_cfg_default(&vc);
	vc.vmlist = cfg->vmlist;
	vc.tlb = cfg->tlb;
	vc.levels = cfg->levels;
	vc.ncpus = cfg->ncpus;
	vc.guard = VMALLOC_GUARD_INCLUDED;
	cr_assert_eq(vmalloc_init(&m->vm, &vc, &m->b), 0);
	cr_assert_eq(hmap_init(&m->pair, 1024), 0);
	m->seeded = false;
}

static void one_buddy_event(struct one_buddy *m, const struct mm_event *ev)
{
	u64 model;
	switch (ev->kind) {
	case MME_PAGE_ALLOC:
	case MME_PAGE_FREE:
		cr_assert_eq(pagereplay_event(&m->pr, ev), 0);
		break;
	case MME_VMAP_ALLOC:
		if (ev->flags & MME_F_FAILED)
			break;
		if (hmap_del(&m->pair, ev->addr, &model))
			vmalloc_vfree(&m->vm, model);
		if (!vmalloc_alloc(&m->vm, ev->len, ev->aux, ev->addr2, ev->len2, &model))
			cr_assert_geq(hmap_put(&m->pair, ev->addr, model), 0);
		break;
	case MME_VMAP_FREE: {
		bool found = hmap_del(&m->pair, ev->addr, &model);
		if (!m->seeded && ev->aux) {
			u64 own = found ? vmalloc_area_size(&m->vm, model) >> MM_PAGE_SHIFT : 0;
			m->seeded = true;
			if (m->vm.tlb.ops == tlb_policy_find("lazy"))
				tlb_add_foreign_lazy(&m->vm.tlb, ev->len2 > own ? ev->len2 - own : 0);
		}
		if (found)
			vmalloc_vfree(&m->vm, model);
		break;
	}
	default:
		break;
	}
}

static void one_buddy_fini(struct one_buddy *m)
{
	hmap_fini(&m->pair);
	vmalloc_fini(&m->vm);
	pagereplay_fini(&m->pr);
	buddy_fini(&m->b);
}

Test(replay_zones, default_layout_replays_k_threads2_like_one_buddy, .timeout = 120)
{
	struct mm_trace t;
	struct mm_diag d = {{0}};
	cr_assert_eq(trace_load(MMREPLAY_DATA_DIR "/traces/k_threads2.perf.txt.zst", NULL, &t, &d), 0, "%s",
		     d.msg);
	static const char *const modes[][2] = {{"lazy", "placement"}, {"eager", "faithful"}};
	for (size_t k = 0; k < MM_ARRAY_SIZE(modes); k++) {
		struct sim_cfg cfg;
		sim_cfg_default(&cfg);
		cfg.tlb = tlb_policy_find(modes[k][0]);
		cfg.page_mode = !strcmp(modes[k][1], "faithful") ? PAGEREPLAY_FAITHFUL : PAGEREPLAY_PLACEMENT;
		cfg.ncpus = sim_trace_ncpus(t.ev, t.n);
		cfg.purge = VMALLOC_PURGE_INLINE; /* the old purge and flush behaviour */
		cfg.flush_ceiling = 0;
		struct sim *s = calloc(1, sizeof(*s));
		struct one_buddy *m = calloc(1, sizeof(*m));
		cr_assert(s && m);
		cr_assert_eq(sim_init(s, &cfg), 0);
		one_buddy_init(m, &cfg);
		for (size_t i = 0; i < t.n; i++) {
			cr_assert_eq(sim_event(s, &t.ev[i]), 0);
			one_buddy_event(m, &t.ev[i]);
		}
		const struct buddy *zb = &s->zones.zone[0].buddy;
		cr_assert_eq(s->zones.nr_zones, 1);
		cr_assert_eq(zb->free_pages, m->b.free_pages, "%s/%s", modes[k][0], modes[k][1]);
		cr_assert_eq(memcmp(zb->nr_free, m->b.nr_free, sizeof(m->b.nr_free)), 0);
		cr_assert_eq(memcmp(&zb->st, &m->b.st, sizeof(m->b.st)), 0, "buddy counters differ");
		cr_assert_eq(memcmp(&s->pages.st, &m->pr.st, sizeof(m->pr.st)), 0, "page replay differs");
		cr_assert_eq(memcmp(&s->vm.st, &m->vm.st, sizeof(m->vm.st)), 0, "vmalloc differs");
		cr_assert_eq(memcmp(&s->vm.tlb.st, &m->vm.tlb.st, sizeof(m->vm.tlb.st)), 0, "tlb differs");
		cr_assert_eq(memcmp(&s->vm.pts, &m->vm.pts, sizeof(m->vm.pts)), 0, "page tables differ");
		cr_assert_eq(memcmp(&s->vm.vl.st, &m->vm.vl.st, sizeof(m->vm.vl.st)), 0, "vmlist differs");
		/* the trace's page events were replayed (faithful: only pfns inside the 4 GiB zone) */
		cr_assert_gt(m->pr.st.allocs + m->pr.st.conflicts + m->pr.st.out_of_range, 50000);
		cr_assert_gt(m->vm.st.vmallocs, 9000);
		one_buddy_fini(m);
		sim_fini(s);
		free(m);
		free(s);
	}
	trace_free(&t);
}
