/* Memory zones: the zonelist fallback order (Normal -> DMA32 -> DMA), zone limits from gfp
 * flags, per-zone counts and buddyinfo output read back by the buddyinfo parser, and zone
 * selection against a slow reference (one reference buddy per zone, a hard-coded zonelist). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "tests/buddy_ref.h"
#include "workloads/state/buddyinfo.h"
#include "core/phys/fragindex.h"
#include "core/mm_event.h"
#include "core/lib/rng.h"
#include "workloads/state/zonelayout.h"
#include "core/phys/zones.h"

static void three_zones(struct zones_cfg *c, u64 dma, u64 dma32, u64 normal, unsigned maxo)
{
	memset(c, 0, sizeof(*c));
	c->nr_zones = 3;
	c->zone[0] = (struct zone_spec){ZONE_DMA, 0x1, dma};
	c->zone[1] = (struct zone_spec){ZONE_DMA32, 0x1000, dma32};
	c->zone[2] = (struct zone_spec){ZONE_NORMAL, 0x100000, normal};
	c->max_order = maxo;
}

static int zone_type_at(const struct zones *zs, u64 pfn)
{
	/* by the boundaries of the layout above, independent of zones_find */
	return pfn < 0x1000 ? ZONE_DMA : pfn < 0x100000 ? ZONE_DMA32 : ZONE_NORMAL;
}

Test(zones, limits_from_flags)
{
	cr_assert_eq(zones_limit_of_flags(0), ZONE_NORMAL);
	cr_assert_eq(zones_limit_of_flags(MME_F_ZONE_DMA), ZONE_DMA);
	cr_assert_eq(zones_limit_of_flags(MME_F_ZONE_DMA32), ZONE_DMA32);
	cr_assert_eq(zones_limit_of_flags(MME_F_ZONE_DMA32 | MME_F_FAILED), ZONE_DMA32);
	cr_assert_eq(zones_limit_of_flags(MME_F_ZONE_DMA | MME_F_ZONE_DMA32), -EINVAL);
}

/* Order-0 Normal requests fill Normal, then DMA32, then DMA, then fail: one page at a time. */
Test(zones, fallback_order_normal_dma32_dma)
{
	struct zones_cfg c;
	struct zones zs;
	three_zones(&c, 100, 200, 300, 3);
	cr_assert_eq(zones_init(&zs, &c), 0);
	u64 expect_type[] = {ZONE_NORMAL, ZONE_DMA32, ZONE_DMA};
	u64 sizes[] = {300, 200, 100};
	for (int phase = 0; phase < 3; phase++)
		for (u64 i = 0; i < sizes[phase]; i++) {
			u64 pfn;
			unsigned zi;
			cr_assert_eq(zones_alloc(&zs, ZONE_NORMAL, 0, MT_MOVABLE, &pfn, &zi), 0);
			cr_assert_eq(zone_type_at(&zs, pfn), (int)expect_type[phase],
				     "phase %d page %llu: pfn %#llx", phase, (unsigned long long)i,
				     (unsigned long long)pfn);
			cr_assert_eq(zs.zone[zi].type, (enum zone_type)expect_type[phase]);
		}
	u64 pfn;
	cr_assert_eq(zones_alloc(&zs, ZONE_NORMAL, 0, MT_MOVABLE, &pfn, NULL), -ENOMEM);
	cr_assert_eq(zs.st.failures, 1);
	cr_assert_eq(zs.zone[2].st.allocs, 300);
	cr_assert_eq(zs.zone[2].st.fallback_allocs, 0);
	cr_assert_eq(zs.zone[1].st.allocs, 200);
	cr_assert_eq(zs.zone[1].st.fallback_allocs, 200);
	cr_assert_eq(zs.zone[0].st.fallback_allocs, 100);
	/* Normal was passed by every DMA32 and DMA allocation and the failure; DMA32 by DMA's */
	cr_assert_eq(zs.zone[2].st.passed, 301);
	cr_assert_eq(zs.zone[1].st.passed, 101);
	cr_assert_eq(zs.zone[0].st.passed, 1);
	cr_assert_eq(zones_free_pages(&zs), 0);
	zones_fini(&zs);
}

/* A full Normal zone: a larger request falls back to DMA32 if DMA32 has a block of that order
 * and to DMA only when DMA32 has none; DMA32 requests never use Normal, DMA requests only DMA. */
Test(zones, full_normal_falls_back_then_limits_hold)
{
	struct zones_cfg c;
	struct zones zs;
	three_zones(&c, 0xfff, 64, 256, 6);
	cr_assert_eq(zones_init(&zs, &c), 0);
	u64 pfn;
	unsigned zi;
	for (int i = 0; i < 4; i++) /* Normal: 256 pages = 4 blocks of order 6 */
		cr_assert_eq(zones_alloc(&zs, ZONE_NORMAL, 6, 0, &pfn, &zi), 0);
	cr_assert_eq(zs.zone[zi].buddy.free_pages, 0);
	cr_assert_eq(zones_alloc(&zs, ZONE_NORMAL, 6, 0, &pfn, &zi), 0);
	cr_assert_eq(zs.zone[zi].type, ZONE_DMA32, "pfn %#llx", (unsigned long long)pfn);
	cr_assert_eq(zones_alloc(&zs, ZONE_NORMAL, 6, 0, &pfn, &zi), 0);
	cr_assert_eq(zs.zone[zi].type, ZONE_DMA);
	cr_assert_lt(pfn + 64, 0x1000 + 1);
	/* a DMA32 request with Normal empty and DMA32 empty goes to DMA, never to Normal */
	cr_assert_eq(zones_alloc(&zs, ZONE_DMA32, 0, 0, &pfn, &zi), 0);
	cr_assert_eq(zs.zone[zi].type, ZONE_DMA);
	/* free one Normal block: DMA requests still must not take it */
	cr_assert_eq(zones_free(&zs, 0x100000, 6), 0);
	for (;;) {
		int err = zones_alloc(&zs, ZONE_DMA, 0, 0, &pfn, &zi);
		if (err) {
			cr_assert_eq(err, -ENOMEM);
			break;
		}
		cr_assert_lt(pfn, 0x1000);
	}
	cr_assert_eq(zs.zone[2].buddy.free_pages, 64);
	cr_assert_eq(zs.zone[2].st.frees, 1);
	/* a free outside every zone is counted, not applied */
	cr_assert_eq(zones_free(&zs, 0x5000, 0), -EINVAL);
	cr_assert_eq(zs.st.bad_frees, 1);
	cr_assert_eq(zones_alloc(&zs, ZONE_NORMAL, 7, 0, &pfn, &zi), -EINVAL);
	cr_assert_eq(zs.st.bad_requests, 1);
	zones_fini(&zs);
}

/* GFP_DMA32 requests of random orders never get a page at or above 4 GiB (pfn 0x100000), on a
 * machine whose Normal zone is large and mostly free. */
Test(zones, dma32_never_above_4g)
{
	struct zones_cfg c;
	struct zones zs;
	three_zones(&c, 0xfff, 0x100000 - 0x1000, 1 << 20, 10);
	cr_assert_eq(zones_init(&zs, &c), 0);
	struct rng g;
	rng_seed(&g, 7);
	u64 got = 0;
	for (;;) {
		unsigned o = (unsigned)rng_below(&g, 11);
		u64 pfn;
		int limit = zones_limit_of_flags(MME_F_ZONE_DMA32);
		int err = zones_alloc(&zs, (enum zone_type)limit, o, 1, &pfn, NULL);
		if (err == -ENOMEM && o == 0)
			break;
		if (err)
			continue;
		cr_assert_leq(pfn + (1ULL << o), 0x100000, "pfn %#llx order %u", (unsigned long long)pfn, o);
		got += 1ULL << o;
	}
	cr_assert_eq(got, 0xfff + 0x100000 - 0x1000);
	cr_assert_eq(zs.zone[2].buddy.free_pages, 1 << 20);
	cr_assert_eq(zs.zone[2].st.allocs, 0);
	zones_fini(&zs);
}

/* Per-zone free counts after random traffic equal each zone's size minus what the test holds
 * there; the buddyinfo print, read back by workloads/state/buddyinfo.h, gives every zone's free
 * block counts and the same fragmentation indices. */
Test(zones, per_zone_counts_and_buddyinfo_round_trip)
{
	struct zones_cfg c;
	struct zones zs;
	three_zones(&c, 0xfff, 5000, 9000, 10);
	cr_assert_eq(zones_init(&zs, &c), 0);
	struct rng g;
	rng_seed(&g, 11);
	struct {
		u64 pfn;
		unsigned o;
	} live[4000];
	unsigned nlive = 0;
	u64 held[ZONE_NR_TYPES] = {0};
	for (int step = 0; step < 6000; step++) {
		if (nlive < 4000 && (rng_below(&g, 3) || !nlive)) {
			unsigned o = (unsigned)rng_below(&g, 4);
			enum zone_type lim = (enum zone_type)rng_below(&g, 3);
			u64 pfn;
			if (zones_alloc(&zs, lim, o, 0, &pfn, NULL))
				continue;
			cr_assert_leq(zone_type_at(&zs, pfn), (int)lim);
			held[zone_type_at(&zs, pfn)] += 1ULL << o;
			live[nlive].pfn = pfn;
			live[nlive++].o = o;
		} else {
			unsigned i = (unsigned)rng_below(&g, nlive);
			cr_assert_eq(zones_free(&zs, live[i].pfn, live[i].o), 0);
			held[zone_type_at(&zs, live[i].pfn)] -= 1ULL << live[i].o;
			live[i] = live[--nlive];
		}
	}
	u64 size[] = {0xfff, 5000, 9000};
	for (int t = 0; t < 3; t++)
		cr_assert_eq(zs.zone[t].buddy.free_pages, size[t] - held[t], "zone %d", t);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	zones_print_buddyinfo(&zs, f);
	fclose(f);
	f = fmemopen(buf, len, "r");
	struct buddyinfo bi;
	struct mm_diag d;
	cr_assert_eq(buddyinfo_parse(f, "print", &bi, &d), 0, "%s", d.msg);
	fclose(f);
	cr_assert_eq(bi.nr_zones, 3);
	for (unsigned z = 0; z < 3; z++) {
		cr_assert_str_eq(bi.zones[z].name, zone_type_name((enum zone_type)z));
		cr_assert_eq(bi.zones[z].nr_orders, 11);
		u64 pages = 0;
		for (unsigned o = 0; o < 11; o++) {
			pages += bi.zones[z].nr_free[o] << o;
			cr_assert_eq(zones_extfrag(&zs, z, o), fragindex_extfrag(bi.zones[z].nr_free, 11, o));
			cr_assert_eq(zones_unusable(&zs, z, o),
				     fragindex_unusable(bi.zones[z].nr_free, 11, o));
		}
		cr_assert_eq(pages, size[z] - held[z]);
	}
	/* the kernel's column layout: "Node 0, zone %8s " then "%6lu " per order */
	cr_assert_eq(strncmp(buf, "Node 0, zone      DMA ", 22), 0, "%.40s", buf);
	free(buf);
	zones_fini(&zs);
}

/* ---- the oracle: zones against one reference buddy per zone and a written-out zonelist ---- */

static const int ref_zonelist[ZONE_NR_TYPES][ZONE_NR_TYPES + 1] = {
	[ZONE_DMA] = {ZONE_DMA, -1},
	[ZONE_DMA32] = {ZONE_DMA32, ZONE_DMA, -1},
	[ZONE_NORMAL] = {ZONE_NORMAL, ZONE_DMA32, ZONE_DMA, -1},
};

static void oracle_run(u64 seed)
{
	struct rng g;
	rng_seed(&g, seed);
	struct zones_cfg c;
	memset(&c, 0, sizeof(c));
	c.max_order = 1 + (unsigned)rng_below(&g, 10); /* 0 would mean the default */
	u64 start[] = {0x1, 0x1000, 0x100000}, cap[] = {0xfff, 3000, 4000};
	bool present[ZONE_NR_TYPES];
	do
		for (int t = 0; t < 3; t++)
			present[t] = rng_below(&g, 3);
	while (!present[0] && !present[1] && !present[2]);
	struct ref_buddy ref[ZONE_NR_TYPES];
	for (int t = 0; t < 3; t++)
		if (present[t]) {
			u64 base = start[t] + rng_below(&g, 64), n = 1 + rng_below(&g, cap[t] - 64);
			c.zone[c.nr_zones++] = (struct zone_spec){(enum zone_type)t, base, n};
			ref_init(&ref[t], base, n, c.max_order, REF_LIFO);
		}
	struct zones zs;
	cr_assert_eq(zones_init(&zs, &c), 0);
	struct live {
		u64 pfn;
		unsigned o;
		int t;
	} *live = malloc(sizeof(*live) * 12000);
	unsigned nlive = 0;
	for (int step = 0; step < 4000; step++) {
		if (!nlive || rng_below(&g, 100) < 60) {
			unsigned o = (unsigned)rng_below(&g, c.max_order + 1);
			if (rng_below(&g, 4))
				o = MM_MIN(o, 2);
			enum zone_type lim = (enum zone_type)rng_below(&g, 3);
			u64 pfn = 0, rpfn = 0;
			unsigned zi = 0;
			int err = zones_alloc(&zs, lim, o, 0, &pfn, &zi), rt = -1;
			for (const int *t = ref_zonelist[lim]; *t >= 0; t++)
				if (present[*t] && !ref_alloc(&ref[*t], o, 0, &rpfn)) {
					rt = *t;
					break;
				}
			cr_assert_eq(err == 0, rt >= 0,
				     "seed %llu step %d: limit %d order %u: model %d ref %d",
				     (unsigned long long)seed, step, lim, o, err, rt);
			if (err)
				continue;
			cr_assert_eq(zs.zone[zi].type, (enum zone_type)rt, "seed %llu step %d",
				     (unsigned long long)seed, step);
			cr_assert_eq(pfn, rpfn, "seed %llu step %d: pfn %#llx ref %#llx",
				     (unsigned long long)seed, step, (unsigned long long)pfn,
				     (unsigned long long)rpfn);
			live[nlive++] = (struct live){pfn, o, rt};
		} else if (rng_below(&g, 100) < 25) {
			/* faithful placement at a random aligned pfn near one zone */
			int t = (int)rng_below(&g, 3);
			unsigned o = (unsigned)rng_below(&g, 3);
			u64 pfn = (start[t] + rng_below(&g, cap[t] + 64)) & ~((1ULL << o) - 1);
			int err = zones_alloc_at(&zs, pfn, o, 0);
			int rt = -1;
			for (int u = 0; u < 3; u++)
				if (present[u] && pfn >= ref[u].base && pfn < ref[u].base + ref[u].n)
					rt = u;
			if (rt < 0) {
				cr_assert_eq(err, -ERANGE, "seed %llu step %d: pfn %#llx in no zone",
					     (unsigned long long)seed, step, (unsigned long long)pfn);
				continue;
			}
			int rerr = pfn + (1ULL << o) > ref[rt].base + ref[rt].n
					   ? -ERANGE
					   : ref_alloc_at(&ref[rt], pfn, o, 0);
			cr_assert_eq(err == 0, rerr == 0, "seed %llu step %d: alloc_at %#llx/%u: %d ref %d",
				     (unsigned long long)seed, step, (unsigned long long)pfn, o, err, rerr);
			if (!err)
				live[nlive++] = (struct live){pfn, o, rt};
		} else {
			unsigned i = (unsigned)rng_below(&g, nlive);
			cr_assert_eq(zones_free(&zs, live[i].pfn, live[i].o), 0);
			ref_free(&ref[live[i].t], live[i].pfn);
			live[i] = live[--nlive];
		}
		for (int t = 0; t < 3; t++)
			if (present[t])
				for (unsigned o = 0; o <= c.max_order; o++)
					cr_assert_eq(zs.zone[zs.index[t]].buddy.nr_free[o],
						     ref_free_pages(&ref[t], o),
						     "seed %llu step %d zone %d order %u",
						     (unsigned long long)seed, step, t, o);
	}
	for (int t = 0; t < 3; t++)
		if (present[t])
			ref_fini(&ref[t]);
	free(live);
	zones_fini(&zs);
}

Test(zones, selection_matches_reference)
{
	for (u64 seed = 1; seed <= 40; seed++)
		oracle_run(seed);
}

Test(zones, cfg_check_rejects_bad_layouts)
{
	struct zones_cfg c;
	char why[200];
	three_zones(&c, 0xfff, 100, 100, 10);
	cr_assert_eq(zones_cfg_check(&c, why, sizeof(why)), 0);
	c.zone[1].nr_pages = 0x100000; /* DMA32 past 4 GiB */
	cr_assert_eq(zones_cfg_check(&c, why, sizeof(why)), -EINVAL);
	cr_assert(strstr(why, "4 GiB"), "%s", why);
	three_zones(&c, 0x1000, 100, 100, 10); /* DMA runs into DMA32 */
	cr_assert_eq(zones_cfg_check(&c, why, sizeof(why)), -EINVAL);
	cr_assert(strstr(why, "overlaps"), "%s", why);
	three_zones(&c, 10, 100, 100, 10);
	c.zone[0].type = ZONE_NORMAL; /* Normal, DMA32, Normal */
	cr_assert_eq(zones_cfg_check(&c, why, sizeof(why)), -EINVAL);
	struct zones zs;
	cr_assert_eq(zones_init(&zs, &c), -EINVAL);
	zones_cfg_default(&c);
	cr_assert_eq(zones_init(&zs, &c), 0);
	cr_assert_eq(zs.nr_zones, 1);
	cr_assert_eq(zs.zone[0].buddy.base_pfn, 0x100000);
	cr_assert_eq(zs.zone[0].buddy.free_pages, 1 << 20);
	cr_assert_eq(zs.index[ZONE_DMA32], -1);
	u64 pfn;
	cr_assert_eq(zones_alloc(&zs, ZONE_DMA32, 0, 0, &pfn, NULL), -ENOMEM, "no zone below 4 GiB");
	zones_fini(&zs);
}
