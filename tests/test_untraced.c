/* Page movements no kmem event shows, and a seed that is not one instant: when each page of a
 * page state was read (seedtime, against a slow per-pfn reference), the recorder's chunk stamps
 * (kpfchunks, malformed files stopped with FILE:LINE), deferred memory init on a buddy
 * (deferred, against a count of never-allocatable pages), the evidence tracepoints and the
 * series' counters as the readers give them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workloads/state/bseries.h"
#include "core/phys/deferred.h"
#include "workloads/state/kpfchunks.h"
#include "core/lib/rng.h"
#include "core/phys/seed.h"
#include "core/phys/seedtime.h"
#include "tests/trace_testutil.h"
#include "core/machine/sim.h"

/* The slow reference: the chunk holding pfn by a linear scan, else the window by pfn. */
static double ref_at(const struct seedtime *t, u64 pfn)
{
	for (size_t i = 0; i < t->n; i++)
		if (pfn >= t->c[i].pfn_start && pfn < t->c[i].pfn_end)
			return (double)t->c[i].t0_ns + (double)(t->c[i].t1_ns - t->c[i].t0_ns) *
							       (double)(pfn - t->c[i].pfn_start) /
							       (double)(t->c[i].pfn_end - t->c[i].pfn_start);
	return (double)t->start_ns +
	       (double)(t->end_ns - t->start_ns) * (double)MM_MIN(pfn, t->end_pfn) / (double)t->end_pfn;
}

Test(untraced, seedtime_against_reference)
{
	struct rng r;
	rng_seed(&r, 21);
	for (int round = 0; round < 50; round++) {
		struct seedtime t = {.start_ns = 1000000000,
				     .end_ns = 1000000000 + rng_below(&r, 5000000000ULL),
				     .end_pfn = 1 + rng_below(&r, 1 << 22)};
		t.n = rng_below(&r, 40);
		t.c = calloc(t.n + 1, sizeof(*t.c));
		u64 pfn = 0, ts = t.start_ns;
		for (size_t i = 0; i < t.n; i++) { /* gaps between chunks: those pfns interpolate */
			t.c[i].pfn_start = pfn + rng_below(&r, 3) * 100;
			t.c[i].pfn_end = t.c[i].pfn_start + 1 + rng_below(&r, 70000);
			t.c[i].t0_ns = ts + rng_below(&r, 1000);
			t.c[i].t1_ns = t.c[i].t0_ns + rng_below(&r, 50000000);
			pfn = t.c[i].pfn_end;
			ts = t.c[i].t1_ns;
		}
		for (int k = 0; k < 500; k++) {
			u64 p = rng_below(&r, pfn + 1000 + t.end_pfn);
			double want = ref_at(&t, p);
			want = want < (double)t.start_ns ? (double)t.start_ns : want;
			want = want > (double)t.end_ns ? (double)t.end_ns : want;
			double got = (double)seedtime_at(&t, p);
			cr_assert(got >= want - 2 && got <= want + 2, "pfn %llu: %f against %f",
				  (unsigned long long)p, got, want);
			u64 at = seedtime_at(&t, p);
			cr_assert(seedtime_in_seed(&t, t.start_ns - 1, p), "before the read: in the seed");
			cr_assert(!seedtime_in_seed(&t, t.end_ns, p), "after the read: not");
			cr_assert_eq(seedtime_in_seed(&t, at, p), false, "at its own read: not in the seed");
			if (at > t.start_ns)
				cr_assert(seedtime_in_seed(&t, at - 1, p),
					  "just before its read: in the seed");
		}
		for (int k = 0; k < 200; k++) { /* the pages a range event can still change */
			u64 lo = rng_below(&r, pfn + 1000 + t.end_pfn), hi = lo + rng_below(&r, 3000);
			u64 at = t.start_ns - 1 + rng_below(&r, t.end_ns - t.start_ns + 3), e = lo;
			while (e < hi && !seedtime_in_seed(&t, at, e)) /* the slow, obvious way */
				e++;
			cr_assert_eq(seedtime_read_before(&t, at, lo, hi), e, "[%llu, %llu) at %llu",
				     (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)at);
		}
		seedtime_fini(&t);
	}
	struct seedtime one = {.start_ns = 5, .end_ns = 5, .end_pfn = 100}; /* one instant */
	cr_assert(seedtime_in_seed(&one, 4, 50));
	cr_assert(!seedtime_in_seed(&one, 5, 50));
}

Test(untraced, kpfchunks_files)
{
	char *p = tu_write_str("# pfn_start pfn_end t0 t1\n0 65536 10.5 10.6\n65536 70000 10.6 10.75\n");
	char cp[4200];
	struct mm_diag d;
	cr_assert_eq(kpfchunks_path(p, cp, sizeof(cp), &d), -ENOENT, "no chunks file beside it");
	/* a chunks file that is there but cannot be read is an error, not an absent file */
	char loop[4300];
	cr_assert_eq(kpfchunks_path(p, cp, sizeof(cp), &d), -ENOENT);
	cr_assert_eq(symlink(cp, cp), 0, "%s", cp);
	cr_assert_eq(kpfchunks_path(p, loop, sizeof(loop), &d), -ELOOP, "a looped chunks file");
	cr_assert(strstr(d.msg, cp), "%s", d.msg);
	unlink(cp);
	struct seedtime t = {0};
	cr_assert_eq(kpfchunks_load(p, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 2);
	cr_assert_eq(t.c[1].pfn_start, 65536);
	cr_assert_eq(t.c[1].t1_ns, 10750000000ULL);
	seedtime_fini(&t);
	static const char *const bad[] = {"0 10 1.0\n", "10 5 1.0 2.0\n", "0 10 2.0 1.0\n",
					  "0 10 1.0 2.0\n5 20 2.0 3.0\n", "x 10 1 2\n"};
	for (size_t i = 0; i < MM_ARRAY_SIZE(bad); i++) {
		char *b = tu_write_str(bad[i]);
		cr_assert_eq(kpfchunks_load(b, &t, &d), -EINVAL, "'%s' accepted", bad[i]);
		cr_assert(strstr(d.msg, b) && strchr(d.msg, ':'), "FILE:LINE: %s", d.msg);
		cr_assert_eq(t.n, 0);
		unlink(b);
		free(b);
	}
	unlink(p);
	free(p);
}

/* A zone of 16 max-order blocks (order 4 here): the last `never` blocks never allocatable, the
 * rest free. */
static void never_zone(struct buddy *b, unsigned never)
{
	struct buddy_cfg c = {.base_pfn = 0x100000, .nr_pages = 16 * 16, .max_order = 4};
	cr_assert_eq(buddy_init(b, &c), 0);
	for (u64 i = 0; i < b->nr_pages; i += 16) { /* all allocated, then free the head blocks */
		u64 pfn;
		cr_assert_eq(buddy_alloc(b, 4, MT_MOVABLE, &pfn), 0);
	}
	for (u64 i = 0; i < b->nr_pages; i += 16) {
		if (i >= (16 - never) * 16) {
			for (u64 j = i + 1; j < i + 16; j++)
				b->frames[j] = 0;
			for (u64 j = i; j < i + 16; j++)
				buddy_frame_set_alloc(b, (u32)j, 0, BUDDY_TAG_NEVER);
		} else {
			buddy_free(b, b->base_pfn + i, 4);
		}
	}
}

Test(untraced, deferred_init)
{
	struct buddy b;
	never_zone(&b, 5);
	u64 cur = deferred_cursor(&b);
	cr_assert_eq(cur, 0x100000 + 11 * 16, "the trailing never run starts at block 11");
	cr_assert_eq(deferred_managed(&b), 11 * 16);
	cr_assert_eq(deferred_grow(&b, &cur, 20), 32, "whole blocks: 20 pages need two");
	cr_assert_eq(b.free_pages, 13 * 16);
	/* the kernel frees the block two past the cursor: the one between joins free, this one
	 * becomes used pages for its free to release */
	u64 got = deferred_reveal(&b, &cur, 0x100000 + 14 * 16, 4);
	cr_assert_eq(got, 32);
	cr_assert_eq(cur, 0x100000 + 15 * 16);
	cr_assert_eq(b.free_pages, 14 * 16);
	cr_assert_eq(deferred_managed(&b), 15 * 16);
	char msg[128];
	cr_assert_eq(buddy_check(&b, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(deferred_grow(&b, &cur, 1000), 16, "one block left");
	cr_assert_eq(deferred_grow(&b, &cur, 1000), 0, "nothing left");
	buddy_fini(&b);
	never_zone(&b, 0);
	cr_assert_eq(deferred_cursor(&b), b.base_pfn + b.nr_pages, "no never run: the zone's end");
	buddy_fini(&b);
}

#define EVL(ev, f) "  python3 1 [001]  100.500000: " ev ": " f "\n"

Test(untraced, evidence_events)
{
	const char *s = EVL(
		"compaction:mm_compaction_isolate_freepages",
		"range=(0x100000 ~ 0x100200) "
		"nr_scanned=512 nr_taken=37") EVL("compaction:mm_compaction_begin",
						  "zone_start=0x100000 migrate_pfn=0x100000 "
						  "free_pfn=0x63fe00 zone_end=0x640000, mode=async")
		EVL("compaction:mm_compaction_end", "zone_start=0x100000 migrate_pfn=0x100400 "
						    "free_pfn=0x63fc00 zone_end=0x640000, mode=sync "
						    "status=complete")
			EVL("migrate:mm_migrate_pages",
			    "nr_succeeded=12 nr_failed=1 nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 "
			    "nr_split=0 mode=MIGRATE_ASYNC reason=compaction")
				EVL("page_isolation:test_pages_isolated",
				    "start_pfn=0x200000 end_pfn=0x200200 fin_pfn=0x200100 ret=fail")
					EVL("vmscan:mm_vmscan_kswapd_wake", "nid=0 order=3")
						EVL("compaction:mm_compaction_kcompactd_sleep", "nid=0");
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 7);
	const struct mm_event *e = t.ev;
	cr_assert_eq(e[0].kind, MME_COMPACTION);
	cr_assert_eq(e[0].aux, MME_COMPACT_ISOLATE_FREE);
	cr_assert_eq(e[0].addr, 0x100000);
	cr_assert_eq(e[0].addr2, 0x100200);
	cr_assert_eq(e[0].len, 512);
	cr_assert_eq(e[0].len2, 37);
	cr_assert_eq(e[1].aux, MME_COMPACT_BEGIN);
	cr_assert_eq(e[1].len2, 0x63fe00);
	cr_assert_eq(e[2].aux, MME_COMPACT_END);
	cr_assert_eq(e[2].ret, 5, "complete");
	cr_assert_eq(e[3].kind, MME_MIGRATE);
	cr_assert_eq(e[3].len, 12);
	cr_assert_eq(e[3].aux, 0, "reason compaction");
	cr_assert_eq(e[4].kind, MME_PAGE_ISOLATION);
	cr_assert_eq(e[4].flags & MME_F_FAILED, MME_F_FAILED);
	cr_assert_eq(e[5].kind, MME_RECLAIM);
	cr_assert_eq(e[5].aux, MME_RECLAIM_KSWAPD_WAKE);
	cr_assert_eq(e[5].order, 3, "the order kswapd was woken for");
	cr_assert_eq(e[6].aux, MME_COMPACT_KCOMPACTD_SLEEP);
	trace_free(&t);
	cr_assert_eq(
		tu_load(EVL("compaction:mm_compaction_isolate_freepages", "range=(0x10 ~ zz) nr_scanned=1"),
			NULL, &t, &d),
		-EINVAL, "a malformed range is refused");
	cr_assert(strstr(d.msg, ":1:"), "%s", d.msg);
}

/* A zone's deferral as the kernel prints it after deferred, defer_compaction and defer_reset:
 * the zone, order_failed, consider and limit; an unknown zone is refused. */
Test(untraced, compaction_deferral)
{
	const char *s = EVL("compaction:mm_compaction_deferred",
			    "node=0 zone=Normal   order=9 order_failed=9 consider=23 limit=32")
		EVL("compaction:mm_compaction_defer_reset",
		    "node=0 zone=DMA32    order=8 order_failed=10 consider=0 limit=1")
			EVL("compaction:mm_compaction_defer_compaction",
			    "node=0 zone=DMA      order=4 order_failed=4 consider=0 limit=64");
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 3);
	const struct mm_event *e = t.ev;
	for (unsigned i = 0; i < 3; i++)
		cr_assert_eq(e[i].aux, MME_COMPACT_DEFER);
	cr_assert_eq(e[0].addr, 2, "Normal");
	cr_assert_eq(e[0].order, 9);
	cr_assert_eq(e[0].len, 23);
	cr_assert_eq(e[0].len2, 32);
	cr_assert_eq(e[1].addr, 1, "DMA32");
	cr_assert_eq(e[1].order, 10);
	cr_assert_eq(e[2].addr, 0, "DMA");
	cr_assert_eq(e[2].len2, 64);
	trace_free(&t);
	cr_assert_eq(tu_load(EVL("compaction:mm_compaction_deferred",
				 "node=0 zone=HighMem order=9 order_failed=9 consider=1 limit=2"),
			     NULL, &t, &d),
		     -EINVAL, "an unknown zone is refused");
}

/* try_to_compact_pages: the request's order, priority, migratetype and zone modifiers. */
Test(untraced, compaction_request)
{
	const char *s = EVL("compaction:mm_compaction_try_to_compact_pages",
			    "order=9 gfp_mask=GFP_TRANSHUGE|__GFP_NORETRY|__GFP_THISNODE priority=2")
		EVL("compaction:mm_compaction_try_to_compact_pages",
		    "order=3 gfp_mask=GFP_KERNEL|__GFP_RECLAIMABLE|__GFP_DMA32 priority=1")
			EVL("compaction:mm_compaction_try_to_compact_pages",
			    "order=2 gfp_mask=GFP_KERNEL|__GFP_NOWARN priority=0");
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(tu_load(s, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.n, 3);
	const struct mm_event *e = t.ev;
	cr_assert_eq(e[0].aux, MME_COMPACT_TRY);
	cr_assert_eq(e[0].order, 9);
	cr_assert_eq(e[0].len, 2);
	cr_assert_eq(e[0].mt, 1, "movable");
	cr_assert_eq(e[0].flags & (MME_F_ZONE_DMA | MME_F_ZONE_DMA32), 0);
	cr_assert_eq(e[1].order, 3);
	cr_assert_eq(e[1].len, 1);
	cr_assert_eq(e[1].mt, 2, "reclaimable");
	cr_assert_eq(e[1].flags & MME_F_ZONE_DMA32, MME_F_ZONE_DMA32);
	cr_assert_eq(e[2].mt, 0, "unmovable");
	cr_assert_eq(e[2].len, 0);
	trace_free(&t);
	cr_assert_eq(
		tu_load(EVL("compaction:mm_compaction_try_to_compact_pages", "order=9 gfp_mask=0 priority=7"),
			NULL, &t, &d),
		-EINVAL, "a priority out of range is refused");
}

Test(untraced, series_counters)
{
	char *p = tu_write_str("# snapshot CLOCK_MONOTONIC 1.0 1.1\n"
			       "Node 0, zone   Normal      1      2\n"
			       "Page block order: 9\n"
			       "# page_reporting reported_kib=2048 passes=3 walked=7\n"
			       "# managed DMA=3840 Normal=917504 Device=0\n"
			       "# snapshot CLOCK_MONOTONIC 2.0 2.1\n"
			       "Node 0, zone   Normal      1      2\n"
			       "# managed Normal=x\n");
	struct bseries bs;
	struct snapshot k;
	struct mm_diag d;
	cr_assert_eq(bseries_open(&bs, p, &d), 0);
	cr_assert_eq(bseries_next(&bs, &k, &d), 1, "%s", d.msg);
	cr_assert(k.have_reporting && k.have_managed);
	cr_assert_eq(k.reported_kib, 2048);
	cr_assert_eq(k.report_passes, 3);
	cr_assert_eq(k.report_walked, 7);
	cr_assert_eq(k.managed[ZONE_NORMAL], 917504);
	cr_assert_eq(k.managed[ZONE_DMA], 3840);
	cr_assert_eq(bseries_next(&bs, &k, &d), -EINVAL, "a bad managed line is refused");
	cr_assert(strstr(d.msg, ":8:"), "%s", d.msg);
	bseries_close(&bs);
	unlink(p);
	free(p);
}

/* Free page reporting's counters read around a snapshot are its evidence only when blocks were
 * walked or reported: a pass that walked nothing (page_reporting_order held above the largest
 * order, as the recorder does) isolated nothing, and the snapshot stays in the figures. */
Test(untraced, reporting_passes_alone_are_no_evidence)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	struct sim *s = calloc(1, sizeof(*s));
	cr_assert(s);
	cr_assert_eq(sim_init(s, &cfg), 0);
	struct snapshot k[5] = {{0}};
	static const u64 kib[5] = {100, 100, 100, 2148, 2148}, passes[5] = {1, 1, 2, 3, 3},
			 walked[5] = {10, 10, 10, 14, 14};
	for (unsigned i = 0; i < 5; i++)
		k[i] = (struct snapshot){.t0_ns = i + 1,
					 .t1_ns = i + 1,
					 .have_reporting = true,
					 .reported_kib = kib[i],
					 .report_passes = passes[i],
					 .report_walked = walked[i],
					 .nr_zones = 1,
					 .zone[0] = {.type = ZONE_NORMAL, .nr_orders = 1}};
	struct snap_series ser = {.s = k, .n = 5, .name = "series"};
	struct snapcheck_row rows[ZONE_NR_TYPES];
	sim_snapcheck(s, &ser, 0, NULL, rows);
	cr_assert_eq(s->snaps.untraced, 0, "nothing moved between the readings around 0 and 1");
	sim_snapcheck(s, &ser, 1, NULL, rows);
	cr_assert_eq(s->snaps.untraced, 0, "a pass that walked and reported nothing is no evidence");
	sim_snapcheck(s, &ser, 2, NULL, rows);
	cr_assert_eq(s->snaps.untraced, 1, "blocks walked and reported between 1 and 3");
	cr_assert_str_eq(rows[0].untraced, "page_reporting_kib+2048;page_reporting_walked+4");
	sim_snapcheck(s, &ser, 3, NULL, rows);
	cr_assert_eq(s->snaps.untraced, 2, "between 2 and 4 too");
	sim_snapcheck(s, &ser, 4, NULL, rows);
	cr_assert_eq(s->snaps.untraced, 2, "between 3 and the last: nothing");
	sim_fini(s);
	free(s);
}

/* A buddy-mode machine of one Normal zone 0x100000 + 2^20, all free in blocks of pageblock
 * order; the page map read from read_ns to from_ns (0, 0: no read window). */
static struct sim *buddy_sim(u64 read_ns, u64 from_ns)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.max_order = 9;
	cfg.page_mode = PAGEREPLAY_BUDDY;
	cfg.page_read_ns = read_ns;
	cfg.page_from_ns = from_ns;
	struct sim *s = calloc(1, sizeof(*s));
	cr_assert(s);
	cr_assert_eq(sim_init(s, &cfg), 0);
	return s;
}

/* A free-scanner isolation while the page map was read (1 to 3 s, pfns read in order): the pages
 * read after it are in the seed already, so only those read before it are taken. Replayed whole,
 * the isolation took free pages of the model the kernel never took. */
Test(untraced, isolation_during_the_page_map_read_takes_only_pages_read_before_it)
{
	struct sim *s = buddy_sim(1000000000, 3000000000); /* pfn p read at 1 s + 2 s * p / 0x200000 */
	const struct buddy *b = &s->zones.zone[0].buddy;
	u64 free0 = b->free_pages;
	struct mm_event ev = {.kind = MME_COMPACTION,
			      .aux = MME_COMPACT_ISOLATE_FREE,
			      .ts_ns = 2200000000,
			      .addr = 0x1c0000,
			      .addr2 = 0x1c0200,
			      .len = 512,
			      .len2 = 512};
	cr_assert_eq(sim_event(s, &ev), 0);
	cr_assert_eq(b->free_pages, free0, "a pageblock read at 2.75 s: the seed shows the isolation");
	ev.addr = 0x120000; /* read at 2.125 s, before the isolation: the model takes it */
	ev.addr2 = 0x120200;
	cr_assert_eq(sim_event(s, &ev), 0);
	cr_assert_eq(b->free_pages, free0 - 512);
	/* fast_isolate_freepages over (0x120000 ~ 0x1fffff): pages from 0x133333 on were read after
	 * it; the highest order-9 block read before it is 0x133000, not the range's 0x1ffe00 */
	ev.aux = MME_COMPACT_FAST_ISOLATE_FREE;
	ev.addr2 = 0x1fffff;
	cr_assert_eq(sim_event(s, &ev), 0);
	cr_assert_eq(b->free_pages, free0 - 1024);
	cr_assert(buddy_frame_is_alloc(b, 0x133000 - 0x100000));
	cr_assert(buddy_frame_is_free(b, 0x1ffe00 - 0x100000));
	cr_assert_eq(s->page_events_skipped, 1, "the isolation read before counted as in the seed");
	sim_fini(s);
	free(s);
}

/* fast_isolate_freepages takes the first block at or above its low point on the free list, which
 * nothing bounds above: the traced range's end (the free scanner's position) is not the block's
 * bound, the zone's end is. */
Test(untraced, fast_isolation_block_may_lie_above_the_traced_range)
{
	struct sim *s = buddy_sim(0, 0);
	const struct buddy *b = &s->zones.zone[0].buddy;
	u64 free0 = b->free_pages;
	struct mm_event ev = {.kind = MME_COMPACTION,
			      .aux = MME_COMPACT_FAST_ISOLATE_FREE,
			      .ts_ns = 1000000000,
			      .addr = 0x120000,
			      .addr2 = 0x13ffff,
			      .len = 1,
			      .len2 = 512};
	cr_assert_eq(sim_event(s, &ev), 0);
	cr_assert_eq(b->free_pages, free0 - 512);
	cr_assert(buddy_frame_is_alloc(b, 0x1ffe00 - 0x100000), "the highest block up to the zone's end");
	cr_assert(buddy_frame_is_free(b, 0x13fe00 - 0x100000));
	sim_fini(s);
	free(s);
}

/* Placement with per-CPU lists, a free-scanner isolation while the page map was read (1 to 3
 * s): its pages leave the buddy (the kernel's migration targets, whose sources' frees the trace
 * shows) and become used pages of the seed, so the target's later free finds its page. Left
 * out, every page migrated during the read came back as a free page of the model's. */
Test(untraced, placement_replays_the_isolations_of_the_page_map_read)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.max_order = 9;
	cfg.page_mode = PAGEREPLAY_PLACEMENT;
	cfg.pcp = SIM_PCP_ON;
	cfg.page_read_ns = 1000000000;
	cfg.page_from_ns = 3000000000;
	struct seed seed;
	cr_assert_eq(seed_init(&seed, &cfg.zones), 0);
	memset(seed.zone[0].page + 0x80000, SEED_FREE, 0x40000); /* [0x180000, 0x1c0000) free */
	cfg.seed = &seed;
	struct sim *s = calloc(1, sizeof(*s));
	cr_assert(s);
	cr_assert_eq(sim_init(s, &cfg), 0);
	seed_fini(&seed);
	const struct buddy *b = &s->zones.zone[0].buddy;
	u64 free0 = b->free_pages;
	cr_assert_eq(free0, 0x40000);
	struct mm_event ev = {.kind = MME_COMPACTION, /* read before 2.9 s: pfns below 0x1e6666 */
			      .aux = MME_COMPACT_FAST_ISOLATE_FREE,
			      .ts_ns = 2900000000,
			      .addr = 0x180000,
			      .addr2 = 0x190000,
			      .len = 1,
			      .len2 = 512};
	cr_assert_eq(sim_event(s, &ev), 0);
	cr_assert_eq(b->free_pages, free0 - 512, "the kernel's isolation, replayed");
	cr_assert(buddy_frame_is_alloc(b, 0x1bfe00 - 0x100000));
	cr_assert_eq(buddy_frame_list(b, 0x1bfe00 - 0x100000), BUDDY_TAG_SEEDED);
	struct mm_event fr = {.kind = MME_PAGE_FREE, .mt = MT_MOVABLE, .addr = 0x1bfe00, .ts_ns = 3100000000};
	cr_assert_eq(sim_event(s, &fr), 0);
	cr_assert_eq(s->pages.st.seeded_frees, 1, "the migration target's page, freed after the read");
	cr_assert_eq(s->pages.st.unmatched_frees, 0);
	sim_fini(s);
	free(s);
}

/* A compaction run in flight at a snapshot: evidence where nothing replays its isolations
 * (placement, or compaction off), none where the recorded free scanner is replayed (buddy mode:
 * the model holds the pages the kernel's scanner holds; the isolations it could not place stay
 * evidence as compaction_free_taken). */
Test(untraced, a_run_in_flight_is_evidence_only_where_its_isolations_are_not_replayed)
{
	static const enum pagereplay_mode modes[] = {PAGEREPLAY_PLACEMENT, PAGEREPLAY_BUDDY,
						     PAGEREPLAY_BUDDY};
	static const enum sim_compaction comp[] = {SIM_COMPACT_KERNEL, SIM_COMPACT_KERNEL, SIM_COMPACT_OFF};
	static const char *const want[] = {"compaction_running=1", "", "compaction_running=1"};
	for (unsigned c = 0; c < MM_ARRAY_SIZE(modes); c++) {
		struct sim_cfg cfg;
		sim_cfg_default(&cfg);
		cfg.page_mode = modes[c];
		cfg.compaction = comp[c];
		struct sim *s = calloc(1, sizeof(*s));
		cr_assert(s);
		cr_assert_eq(sim_init(s, &cfg), 0);
		struct mm_event ev = {.kind = MME_COMPACTION, .aux = MME_COMPACT_BEGIN, .ts_ns = 5};
		cr_assert_eq(sim_event(s, &ev), 0);
		struct snapshot k = {.t0_ns = 10,
				     .t1_ns = 10,
				     .nr_zones = 1,
				     .zone[0] = {.type = ZONE_NORMAL, .nr_orders = 1}};
		struct snap_series ser = {.s = &k, .n = 1, .name = "series"};
		struct snapcheck_row rows[ZONE_NR_TYPES];
		sim_snapcheck(s, &ser, 0, NULL, rows);
		cr_assert_str_eq(rows[0].untraced, want[c], "configuration %u", c);
		sim_fini(s);
		free(s);
	}
}
