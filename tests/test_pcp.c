/* The per-CPU list model (core/phys/pcp.h) against its slow reference (pcp_ref.h) on random
 * workloads, with fixed and tuned high, start pages and their revelation, the clock's decay
 * rounds, watermarks, boosts and the trace's kswapd; and single rules one scenario each. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/rng.h"
#include "tests/pcp_ref.h"

/* Watermarks for the runs under pressure (NULL: none), and the buddy policy. */
static const u64 (*g_wm)[3];
static u64 g_reserve; /* DMA32's lowmem_reserve for Normal requests (with g_wm) */
static bool g_traced; /* the run toggles the trace's kswapd */
static const char *g_policy = "lifo";

static void layout(struct zones_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->nr_zones = 2;
	c->zone[0] = (struct zone_spec){ZONE_DMA32, 0x1000, 6000};
	c->zone[1] = (struct zone_spec){ZONE_NORMAL, 0x100000, 20000};
	c->policy = buddy_policy_find(g_policy);
}

/* The model's and the reference's pagesets from one configuration. */
static void configure(struct pcp_cfg *pc, struct ref_pcp *r, const struct pcp_cpu_cfg *c, u32 high_set,
		      u32 batch_set)
{
	memset(pc, 0, sizeof(*pc));
	pc->ncpus = NCPU;
	pc->high_set = high_set;
	pc->batch_set = batch_set;
	for (unsigned z = 0; z < 2; z++)
		for (int k = 0; k < NCPU; k++) {
			pc->zone[z].cpu[k] = *c;
			struct ref_set *s = &r->s[z][k];
			s->batch = batch_set ? batch_set : c->batch;
			s->high = high_set ? high_set : c->high;
			s->hmin = high_set ? high_set : c->high_max ? c->high_min : s->high;
			s->hmax = high_set ? high_set : c->high_max ? c->high_max : s->high;
			s->count = s->start = c->count;
		}
	r->pressure = true; /* the default tune */
	for (unsigned z = 0; g_wm && z < 2; z++) {
		struct ref_wm *w = &r->w[z];
		for (int i = 0; i < 3; i++)
			pc->wm.zone[z].wmark[i] = g_wm[z][i];
		pc->wm.zone[z].lowmem_reserve[ZONE_NORMAL] = z == 0 ? g_reserve : 0;
		w->reserve = z == 0 ? (i64)g_reserve : 0;
		pc->wm.boost_factor = WMARK_BOOST_FACTOR;
		w->on = true;
		for (int i = 0; i < 3; i++)
			w->wm[i] = (i64)g_wm[z][i];
		w->max_boost = w->wm[2] * 15000 / 10000 > 512 ? w->wm[2] * 15000 / 10000 : 512;
	}
}

static void run(u64 seed, const struct pcp_cpu_cfg *c, u32 high_set, u32 batch_set)
{
	struct zones_cfg zc;
	layout(&zc);
	struct zones zs;
	struct ref_pcp *r = calloc(1, sizeof(*r));
	cr_assert(r);
	cr_assert_eq(zones_init(&zs, &zc), 0);
	cr_assert_eq(zones_init(&r->zs, &zc), 0);
	struct pcp_cfg pc;
	configure(&pc, r, c, high_set, batch_set);
	struct pcp p;
	cr_assert_eq(pcp_init(&p, &zs, &pc), 0);
	struct rng g;
	rng_seed(&g, seed);
	struct {
		u64 pfn;
		unsigned order;
		int mt;
	} live[4096];
	unsigned nlive = 0;
	u64 now = 0;
	static const unsigned orders[] = {0, 0, 0, 0, 1, 2, 3, 9, 4, 5};
	for (int op = 0; op < 30000; op++) {
		unsigned cpu = (unsigned)rng_below(&g, NCPU), k = (unsigned)rng_below(&g, 100);
		now += rng_below(&g, 2000000);
		pcp_tick(&p, now);
		ref_tick(r, now);
		if (g_traced && k == 2) { /* the trace's kswapd wakes or sleeps */
			bool on = rng_below(&g, 2);
			wmark_kswapd_traced(&p.wm, on);
			r->traced = on;
		} else if (k < 2) { /* the trace reveals a start page */
			unsigned z = (unsigned)rng_below(&g, 2), o = (unsigned)rng_below(&g, 2);
			pcp_reveal(&p, z, cpu, o, k == 1);
			ref_reveal(r, z, cpu, o, k == 1);
		} else if (nlive < 4096 && (k < 52 || !nlive)) {
			unsigned o = orders[rng_below(&g, 10)];
			int mt = (int)rng_below(&g, MT_NR);
			u64 a = 0, b = 0;
			int e1 = pcp_alloc(&p, ZONE_NORMAL, cpu, o, mt, &a, NULL);
			int e2 = ref_alloc(r, cpu, o, mt, &b);
			cr_assert_eq(e1, e2, "op %d: alloc result %d vs reference %d", op, e1, e2);
			cr_assert_eq(a, b, "op %d: pfn %#llx vs reference %#llx", op, (unsigned long long)a,
				     (unsigned long long)b);
			if (!e1)
				live[nlive++] = (typeof(live[0])){a, o, mt};
		} else {
			unsigned i = (unsigned)rng_below(&g, nlive);
			cr_assert_eq(pcp_free(&p, cpu, live[i].pfn, live[i].order, live[i].mt), 0);
			ref_free(r, cpu, live[i].pfn, live[i].order, live[i].mt);
			live[i] = live[--nlive];
		}
		for (unsigned z = 0; z < zs.nr_zones; z++) {
			cr_assert_eq(zs.zone[z].buddy.free_pages, r->zs.zone[z].buddy.free_pages,
				     "op %d zone %u", op, z);
			i64 rc = 0;
			for (int c2 = 0; c2 < NCPU; c2++) {
				rc += r->s[z][c2].count;
				cr_assert_eq(p.set[z * NCPU + c2].high, r->s[z][c2].high, "op %d: high", op);
			}
			cr_assert_eq((i64)pcp_zone_pages(&p, z), rc, "op %d zone %u: pcp pages", op, z);
			cr_assert_eq(p.wm.z[z].below_high, r->w[z].below, "op %d zone %u: ZONE_BELOW_HIGH",
				     op, z);
			cr_assert_eq(p.wm.z[z].reclaim_active, r->w[z].reclaim, "op %d zone %u: kswapd", op,
				     z);
			cr_assert_eq((i64)p.wm.z[z].boost, r->w[z].boost, "op %d zone %u: boost", op, z);
		}
	}
	cr_assert_eq(p.st.refill_blocks, r->refill_blocks);
	cr_assert_eq(p.st.drain_blocks, r->drain_blocks);
	cr_assert_eq(p.wm.st.below_high, r->below_sets);
	cr_assert_eq(p.wm.st.kswapd_wakes, r->kswapd_wakes);
	cr_assert_eq(p.wm.st.kswapd_sleeps, r->kswapd_sleeps);
	cr_assert_eq(p.wm.st.direct_reclaims, r->direct);
	cr_assert_eq(p.wm.st.boosts, r->boosts);
	cr_assert_eq(p.wm.st.kcompactd_wakes, r->kcompactd);
	if (g_traced)
		cr_assert_gt(p.wm.st.kswapd_traced, 0);
	if (g_reserve) { /* the gates must have refused the lower zone, and let it serve */
		cr_assert_gt(p.wm.st.gate_skips, 0);
		cr_assert_gt(zs.zone[0].st.fallback_allocs, 0);
	}
	if (g_wm) { /* the run must reach the watermarks */
		cr_assert_gt(p.wm.st.below_high, 0);
		cr_assert_gt(p.wm.st.kswapd_wakes, 0);
		cr_assert_gt(p.wm.st.direct_reclaims, 0);
		cr_assert_gt(p.st.pressure_drains, 0);
		if (!strcmp(g_policy, "mobility"))
			cr_assert_gt(zs.zone[0].buddy.st.steals + zs.zone[1].buddy.st.steals, 0);
		/* only a claim attempt below pageblock order boosts (try_to_claim_block); with the
		 * reserve, DMA32 is below high for every Normal request, its lists drain, and this
		 * workload's fallbacks are small steals and whole-pageblock claims */
		if (!strcmp(g_policy, "mobility") && !g_reserve)
			cr_assert_gt(p.wm.st.boosts, 0);
	}
	cr_assert_gt(p.st.drain_blocks, 0, "the workload must drain");
	char msg[200];
	for (unsigned z = 0; z < zs.nr_zones; z++)
		cr_assert_eq(buddy_check(&zs.zone[z].buddy, msg, sizeof(msg)), 0, "%s", msg);
	pcp_fini(&p);
	zones_fini(&zs);
	zones_fini(&r->zs);
	free(r);
}

Test(pcp, matches_reference_fixed_small_high)
{
	struct pcp_cpu_cfg c = {0};
	run(1, &c, 40, 7);
}

Test(pcp, matches_reference_fixed_large_high)
{
	struct pcp_cpu_cfg c = {0};
	run(2, &c, 3000, 63);
}

Test(pcp, matches_reference_tuned_high)
{
	/* 6.7+ pagesets: high between high_min and high_max, tuned by refills, frees and decay */
	struct pcp_cpu_cfg c = {.high = 600, .batch = 31, .high_min = 200, .high_max = 4000, .count = 0};
	run(3, &c, 0, 0);
}

Test(pcp, matches_reference_tuned_with_start_pages)
{
	struct pcp_cpu_cfg c = {.high = 900, .batch = 15, .high_min = 100, .high_max = 2000, .count = 700};
	run(4, &c, 0, 0);
}

Test(pcp, matches_reference_dma_like)
{
	/* the DMA zone's pagesets: high 0, batch 1; clamped to high_min when used */
	struct pcp_cpu_cfg c = {.high = 0, .batch = 1, .high_min = 10, .high_max = 240, .count = 0};
	run(5, &c, 0, 0);
}

Test(pcp, pages_on_lists_are_not_free)
{
	struct zones_cfg zc;
	layout(&zc);
	struct zones zs;
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct pcp_cfg pc = {.ncpus = 1, .high_set = 1000, .batch_set = 10};
	struct pcp p;
	cr_assert_eq(pcp_init(&p, &zs, &pc), 0);
	u64 free0 = zs.zone[1].buddy.free_pages, pfn;
	cr_assert_eq(pcp_alloc(&p, ZONE_NORMAL, 0, 0, MT_MOVABLE, &pfn, NULL), 0);
	/* one page used, a batch of 10 taken from the buddy: 9 wait on the list */
	cr_assert_eq(zs.zone[1].buddy.free_pages, free0 - 10);
	cr_assert_eq(pcp_zone_pages(&p, 1), 9);
	cr_assert_eq(pcp_free(&p, 0, pfn, 0, MT_MOVABLE), 0);
	cr_assert_eq(zs.zone[1].buddy.free_pages, free0 - 10, "a freed page goes to the list, not the buddy");
	/* a CPU that keeps allocating doubles its order-0 refills (alloc_factor) */
	u64 before = p.st.refill_blocks;
	for (int i = 0; i < 10 + 10 + 20 + 40; i++) /* the 10 on the list, then refills */
		cr_assert_eq(pcp_alloc(&p, ZONE_NORMAL, 0, 0, MT_MOVABLE, &pfn, NULL), 0);
	cr_assert_eq(p.st.refills, 4);
	cr_assert_eq(p.st.refill_blocks - before, 10 + 20 + 40, "refills of batch, then 2 x, 4 x batch");
	pcp_fini(&p);
	zones_fini(&zs);
}

Test(pcp, decay_drains_above_high_once_a_second)
{
	struct zones_cfg zc;
	layout(&zc);
	struct zones zs;
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct pcp_cfg pc = {.ncpus = 1};
	pc.zone[1].cpu[0] = (struct pcp_cpu_cfg){.high = 800, .batch = 10, .high_min = 80, .high_max = 800};
	struct pcp p;
	cr_assert_eq(pcp_init(&p, &zs, &pc), 0);
	u64 pfns[400];
	for (int i = 0; i < 400; i++)
		cr_assert_eq(pcp_alloc(&p, ZONE_NORMAL, 0, 0, MT_MOVABLE, &pfns[i], NULL), 0);
	for (int i = 0; i < 400; i++)
		cr_assert_eq(pcp_free(&p, 0, pfns[i], 0, MT_MOVABLE), 0);
	u64 held = pcp_zone_pages(&p, 1);
	cr_assert_gt(held, 300, "below high: the frees stay on the list");
	pcp_tick(&p, 5ULL * PCP_DECAY_NS + 1); /* the first tick only starts the clock */
	cr_assert_eq(pcp_zone_pages(&p, 1), held);
	for (u64 t = 6; t < 40; t++)
		pcp_tick(&p, t * PCP_DECAY_NS + 1);
	cr_assert_eq(p.set[1].high, 80, "decayed to high_min");
	cr_assert_leq(pcp_zone_pages(&p, 1), 80, "and drained down to it");
	pcp_fini(&p);
	zones_fini(&zs);
}

/* ZONE_BELOW_HIGH: nr_pcp_high lowers high and returns max(count, high_min), so once the
 * lists hold high_min every free drains (clamp(free_count, batch, count - batch) pages), however
 * high the CPU's high still is. */
Test(pcp, below_high_drains_every_free_above_high_min)
{
	struct zones_cfg zc;
	layout(&zc);
	struct zones zs;
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct pcp_cfg pc = {.ncpus = 1};
	pc.zone[1].cpu[0] = (struct pcp_cpu_cfg){
		.high = 900, .batch = 15, .high_min = 100, .high_max = 2000, .count = 300};
	struct pcp p;
	cr_assert_eq(pcp_init(&p, &zs, &pc), 0);
	u64 pfn;
	cr_assert_eq(pcp_alloc(&p, ZONE_NORMAL, 0, 0, MT_MOVABLE, &pfn, NULL), 0); /* a refill of 15 */
	cr_assert_eq(pcp_zone_pages(&p, 1), 314);
	p.wm.z[1].below_high = true;
	cr_assert_eq(pcp_free(&p, 0, pfn, 0, MT_MOVABLE), 0);
	cr_assert_eq(p.st.drain_blocks, 15, "one free drains a batch");
	cr_assert_eq(pcp_zone_pages(&p, 1), 300);
	cr_assert_eq(p.set[1].high, 900, "and high falls by the batch");
	pcp_fini(&p);
	zones_fini(&zs);
}

/* Watermarks near the zones' sizes: ZONE_BELOW_HIGH, kswapd and its reclaim-active limit. */
static const u64 tight_wm[2][3] = {{1000, 1500, 2000}, {3000, 4000, 5000}};

Test(pcp, matches_reference_under_pressure)
{
	struct pcp_cpu_cfg c = {.high = 900, .batch = 15, .high_min = 100, .high_max = 2000, .count = 300};
	g_wm = tight_wm;
	run(6, &c, 0, 0);
	g_wm = NULL;
}

Test(pcp, matches_reference_under_pressure_fixed_high)
{
	struct pcp_cpu_cfg c = {0};
	g_wm = tight_wm;
	run(7, &c, 600, 31);
	g_wm = NULL;
}

Test(pcp, matches_reference_boosted_by_fallbacks)
{
	struct pcp_cpu_cfg c = {.high = 600, .batch = 31, .high_min = 200, .high_max = 4000, .count = 0};
	g_wm = tight_wm;
	g_policy = "mobility";
	run(8, &c, 0, 0);
	g_wm = NULL;
	g_policy = "lifo";
}

/* The watermark gates with a lowmem_reserve on DMA32, and the trace's kswapd runs making every
 * zone reclaim-active whatever the model's own kswapd does. */
Test(pcp, matches_reference_with_gates_and_traced_kswapd)
{
	struct pcp_cpu_cfg c = {.high = 900, .batch = 15, .high_min = 100, .high_max = 2000, .count = 300};
	g_wm = tight_wm;
	g_reserve = 1200;
	g_traced = true;
	run(9, &c, 0, 0);
	g_policy = "mobility";
	run(10, &c, 0, 0);
	g_policy = "lifo";
	g_wm = NULL;
	g_reserve = 0;
	g_traced = false;
}

/* ALLOC_NOFRAGMENT: a Normal zone whose only free page is in an unmovable pageblock; DMA32
 * wholly free. A movable request takes DMA32 (the kernel's fast path will not steal a page of
 * another type smaller than a pageblock while a lower zone has whole pageblocks); the buddy
 * itself refuses the steal with the flag and makes it without. */
Test(pcp, nofragment_sends_a_small_fallback_to_the_lower_zone)
{
	struct zones_cfg zc;
	memset(&zc, 0, sizeof(zc));
	zc.nr_zones = 2;
	zc.zone[0] = (struct zone_spec){ZONE_DMA32, 0x1000, 2048};
	zc.zone[1] = (struct zone_spec){ZONE_NORMAL, 0x100000, 2048};
	zc.policy = buddy_policy_find("mobility");
	for (int with_pcp = 0; with_pcp < 2; with_pcp++) {
		struct zones zs;
		cr_assert_eq(zones_init(&zs, &zc), 0);
		struct buddy *n = &zs.zone[1].buddy;
		u64 pfn, first = 0;
		for (int i = 0; i < 3; i++)
			cr_assert_eq(buddy_alloc(n, 9, MT_MOVABLE, &pfn), 0);
		for (int i = 0; i < 512; i++) {
			cr_assert_eq(buddy_alloc(n, 0, MT_MOVABLE, &pfn), 0);
			if (!i)
				first = pfn;
		}
		cr_assert_eq(n->free_pages, 0);
		n->pageblock_mt[buddy_pageblock(n, first - n->base_pfn)] = MT_UNMOVABLE;
		cr_assert_eq(buddy_free(n, first, 0), 0);
		if (!with_pcp) {
			n->nofragment = true;
			cr_assert_eq(buddy_alloc(n, 0, MT_MOVABLE, &pfn), -ENOMEM);
			n->nofragment = false;
			cr_assert_eq(buddy_alloc(n, 0, MT_MOVABLE, &pfn), 0);
			cr_assert_eq(pfn, first);
		} else {
			struct pcp_cfg pc;
			memset(&pc, 0, sizeof(pc));
			pc.ncpus = 1;
			for (unsigned z = 0; z < 2; z++)
				pc.wm.zone[z].wmark[WMARK_HIGH] = 1; /* watermarks on, never in the way */
			struct pcp p;
			cr_assert_eq(pcp_init(&p, &zs, &pc), 0);
			unsigned zi = 9;
			cr_assert_eq(pcp_alloc(&p, ZONE_NORMAL, 0, 0, MT_MOVABLE, &pfn, &zi), 0);
			cr_assert_eq(zi, 0, "the DMA32 zone serves it");
			cr_assert_eq(n->free_pages, 1, "Normal's page of another type is left");
			cr_assert_eq(n->st.failures[0], 0, "a refusal under the flag is no failure");
			pcp_fini(&p);
		}
		zones_fini(&zs);
	}
}

/* __zone_watermark_ok for order > 0 wants a free block of the order in the zone's buddy: blocks
 * on the per-CPU lists are not free. A Normal zone whose free pages are all order 0 but whose
 * THP list holds an order-9 block is passed by an order-9 request (DMA32 serves it) and marked
 * ZONE_BELOW_HIGH; once its buddy has an order-9 block again, the list serves. */
Test(pcp, high_order_request_needs_a_free_block_not_a_listed_one)
{
	struct zones_cfg zc;
	memset(&zc, 0, sizeof(zc));
	zc.nr_zones = 2;
	zc.zone[0] = (struct zone_spec){ZONE_DMA32, 0x1000, 2048};
	zc.zone[1] = (struct zone_spec){ZONE_NORMAL, 0x100000, 2048};
	struct zones zs;
	cr_assert_eq(zones_init(&zs, &zc), 0);
	struct pcp_cfg pc;
	memset(&pc, 0, sizeof(pc));
	pc.ncpus = 1;
	for (unsigned z = 0; z < 2; z++)
		pc.wm.zone[z].wmark[WMARK_HIGH] = 1; /* watermarks on; free pages never in the way */
	struct pcp p;
	cr_assert_eq(pcp_init(&p, &zs, &pc), 0);
	struct buddy *n = &zs.zone[1].buddy;
	u64 thp, pfn, pages[1024];
	unsigned zi = 9;
	cr_assert_eq(pcp_alloc(&p, ZONE_NORMAL, 0, 9, MT_MOVABLE, &thp, &zi), 0);
	cr_assert_eq(zi, 1);
	cr_assert_eq(pcp_zone_pages(&p, 1), 512, "the refill's second block is listed");
	for (int i = 0; i < 1024; i++) /* the other order-10 block, as single pages */
		cr_assert_eq(buddy_alloc(n, 0, MT_MOVABLE, &pages[i]), 0);
	for (int i = 0; i < 1024; i += 2) /* every other page back: 512 free pages, none merge */
		cr_assert_eq(buddy_free(n, pages[i], 0), 0);
	cr_assert_eq(n->free_pages, 512);
	cr_assert_eq(buddy_largest_free_order(n), 0);
	cr_assert_not(p.wm.z[1].below_high);
	cr_assert_eq(pcp_alloc(&p, ZONE_NORMAL, 0, 9, MT_MOVABLE, &pfn, &zi), 0);
	cr_assert_eq(zi, 0, "DMA32 serves it, not Normal's listed block");
	cr_assert_eq(pcp_zone_pages(&p, 1), 512, "Normal's block stays listed");
	cr_assert(p.wm.z[1].below_high, "the walk found Normal below high for the order");
	for (int i = 1; i < 1024; i += 2) /* the rest back: an order-10 block */
		cr_assert_eq(buddy_free(n, pages[i], 0), 0);
	cr_assert_eq(pcp_alloc(&p, ZONE_NORMAL, 0, 9, MT_MOVABLE, &pfn, &zi), 0);
	cr_assert_eq(zi, 1, "with an order-9 block free, Normal's list serves");
	cr_assert_eq(pcp_zone_pages(&p, 1), 0);
	cr_assert_eq(n->free_pages, 1024);
	pcp_fini(&p);
	zones_fini(&zs);
}
