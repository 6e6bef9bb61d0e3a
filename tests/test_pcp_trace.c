/* Per-CPU lists tuned as the trace (pcp-tune trace, core/phys/pcp.h): the lists move blocks only
 * at the trace's refills and drains, against a reference that counts the blocks of every list
 * on random traces; and the kernel's zone served first. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/lib/rng.h"
#include "core/phys/pagereplay.h"
#include "core/phys/pcp.h"

#define NCPU 3

/* DMA32 and Normal (largest order max_order; 0: the default) with lists as the trace. */
static void setup_max(struct zones *zs, struct pcp *p, unsigned max_order)
{
	struct zones_cfg c;
	memset(&c, 0, sizeof(c));
	c.nr_zones = 2;
	c.zone[0] = (struct zone_spec){ZONE_DMA32, 0x1000, 6000};
	c.zone[1] = (struct zone_spec){ZONE_NORMAL, 0x100000, 20000};
	c.policy = buddy_policy_find("lifo");
	c.max_order = max_order;
	cr_assert_eq(zones_init(zs, &c), 0);
	struct pcp_cfg pc;
	memset(&pc, 0, sizeof(pc));
	pc.ncpus = NCPU;
	pc.high_set = 8; /* a low high: any other tune would drain at once */
	pc.batch_set = 4;
	pc.tune = PCP_TUNE_TRACE;
	cr_assert_eq(pcp_init(p, zs, &pc), 0);
}

static void setup(struct zones *zs, struct pcp *p)
{
	setup_max(zs, p, 0);
}

static unsigned listed(const struct pcp *p, unsigned z, unsigned c, int li)
{
	return p->set[z * NCPU + c].list[li].len;
}

Test(pcp_trace, lists_move_at_the_traces_refills_and_drains_only)
{
	struct zones zs;
	struct pcp p;
	setup(&zs, &p);
	struct rng g;
	rng_seed(&g, 77);
	static const unsigned orders[] = {0, 0, 0, 1, 2, 3, 9};
	unsigned ref[2][NCPU][PCP_NR_LISTS] = {{{0}}}; /* blocks the reference has on each list */
	struct {
		u64 pfn;
		unsigned order, z;
		int mt;
	} live[2048];
	unsigned nlive = 0;
	u64 misses = 0, refill_misses = 0, drain_misses = 0, users = 0;
	for (int op = 0; op < 40000; op++) {
		unsigned z = (unsigned)rng_below(&g, 2), cpu = (unsigned)rng_below(&g, NCPU);
		unsigned o = orders[rng_below(&g, 7)], k = (unsigned)rng_below(&g, 4);
		int mt = (int)rng_below(&g, MT_NR), li = pcp_pindex(o, mt);
		cr_assert_geq(li, 0);
		u64 free0 = zs.zone[z].buddy.free_pages;
		if (k == 0) { /* the trace's refill: a block from the buddy, when it has one */
			cr_assert_eq(pcp_trace_refill(&p, z, cpu, o, mt), 0);
			if (zs.zone[z].buddy.free_pages < free0)
				ref[z][cpu][li]++;
			else
				refill_misses++;
		} else if (k == 1) { /* the trace's drain: this CPU's list of (o, mt) first */
			int from = -1, fl = -1;
			for (unsigned i = 0; i < NCPU && from < 0; i++) {
				unsigned c = (cpu + i) % NCPU;
				if (ref[z][c][li])
					from = (int)c, fl = li;
				for (int m = 0; m < MT_NR && from < 0; m++) {
					int ml = pcp_pindex(o, m);
					if (ml >= 0 && ref[z][c][ml])
						from = (int)c, fl = ml;
				}
			}
			pcp_trace_drain(&p, z, cpu, o, mt);
			if (from >= 0) {
				ref[z][from][fl]--;
				cr_assert_eq(zs.zone[z].buddy.free_pages, free0 + (1u << o), "op %d", op);
			} else {
				drain_misses++;
				cr_assert_eq(zs.zone[z].buddy.free_pages, free0);
			}
		} else if (k == 2 && nlive < 2048) { /* an allocation the kernel served in zone z */
			u64 pfn;
			bool hit = ref[z][cpu][li] > 0;
			if (pcp_alloc_in(&p, z, cpu, o, mt, &pfn))
				continue;
			cr_assert_eq(zones_find(&zs, pfn), (int)z, "op %d: another zone", op);
			if (hit)
				ref[z][cpu][li]--;
			else
				misses++;
			cr_assert_eq(zs.zone[z].buddy.free_pages, free0 - (hit ? 0 : 1u << o), "op %d", op);
			live[nlive++] = (typeof(live[0])){pfn, o, z, mt};
			users += 1u << o;
		} else if (nlive) { /* a free: onto the CPU's list, nothing drained whatever high says */
			unsigned i = (unsigned)rng_below(&g, nlive);
			u64 fz = zs.zone[live[i].z].buddy.free_pages;
			cr_assert_eq(pcp_free(&p, cpu, live[i].pfn, live[i].order, live[i].mt), 0);
			ref[live[i].z][cpu][pcp_pindex(live[i].order, live[i].mt)]++;
			cr_assert_eq(zs.zone[live[i].z].buddy.free_pages, fz, "op %d: a free drained", op);
			users -= 1u << live[i].order;
			live[i] = live[--nlive];
		}
		pcp_tick(&p, (u64)op * 100000000ULL); /* no decay either */
		u64 pages = 0;
		for (unsigned zz = 0; zz < 2; zz++)
			for (unsigned c = 0; c < NCPU; c++)
				for (int l = 0; l < PCP_NR_LISTS; l++) {
					cr_assert_eq(listed(&p, zz, c, l), ref[zz][c][l],
						     "op %d list %u/%u/%d", op, zz, c, l);
					pages += (u64)ref[zz][c][l]
						 << (l < 4 * MT_NR ? l / MT_NR : BUDDY_PAGEBLOCK_ORDER);
				}
		cr_assert_eq(zs.zone[0].buddy.free_pages + zs.zone[1].buddy.free_pages + pages + users, 26000,
			     "op %d: pages lost", op);
	}
	cr_assert_eq(p.st.trace_list_misses, misses);
	cr_assert_eq(p.st.trace_refill_misses, refill_misses);
	cr_assert_eq(p.st.trace_drain_misses, drain_misses);
	cr_assert_gt(misses, 0);
	cr_assert_gt(drain_misses, 0);
	cr_assert_gt(p.st.drain_blocks, 1000);
	pcp_fini(&p);
	zones_fini(&zs);
}

static void ev_feed(struct pagereplay *r, unsigned kind, u64 pfn, unsigned flags)
{
	struct mm_event e;
	memset(&e, 0, sizeof(e));
	e.kind = (u8)kind;
	e.addr = pfn;
	e.mt = MT_MOVABLE;
	e.flags = (u16)flags;
	cr_assert_eq(pagereplay_event(r, &e), 0);
}

/* A free on a CPU whose list a refill holds locked (between the refill's zone_locked events and
 * the CPU's next allocation) comes from an interrupt: the kernel's trylock fails and the block
 * goes to the buddy, as in buddy mode; otherwise frees go on the list and stay. */
Test(pcp_trace, a_free_while_the_list_refills_goes_to_the_buddy)
{
	struct zones zs;
	struct pcp p;
	setup(&zs, &p);
	struct pagereplay r;
	struct pagesrc src = pagesrc_zones(&zs);
	cr_assert_eq(pagereplay_init_src(&r, &src, PAGEREPLAY_PLACEMENT), 0);
	pagereplay_attach(&r, &zs, &p);
	const struct buddy *n = &zs.zone[1].buddy;
	u64 t = 0x100000;					      /* the kernel's pfns, in Normal */
	ev_feed(&r, MME_PAGE_ZONE_LOCKED, t + 100, MME_F_PCP_REFILL); /* CPU 0's list: one block */
	ev_feed(&r, MME_PAGE_ALLOC, t + 100, 0);		      /* served from it */
	ev_feed(&r, MME_PAGE_ALLOC, t + 101, 0);		      /* the list is empty: a miss */
	cr_assert_eq(p.st.trace_list_misses, 1);
	u64 before = n->free_pages;
	ev_feed(&r, MME_PAGE_ZONE_LOCKED, t + 200, MME_F_PCP_REFILL); /* a refill begins */
	cr_assert_eq(n->free_pages, before - 1);
	ev_feed(&r, MME_PAGE_FREE, t + 100, 0); /* an interrupt's free: to the buddy */
	cr_assert_eq(n->free_pages, before);
	cr_assert_eq(r.st.locked_frees, 1);
	ev_feed(&r, MME_PAGE_ALLOC, t + 200, 0); /* the refill's allocation: the lock is free */
	ev_feed(&r, MME_PAGE_FREE, t + 101, 0);	 /* on the list, not drained */
	cr_assert_eq(n->free_pages, before);
	cr_assert_eq(pcp_zone_pages(&p, 1), 1);
	cr_assert_eq(r.st.locked_frees, 1);
	pagereplay_fini(&r);
	pcp_fini(&p);
	zones_fini(&zs);
}

/* Any event stream: pfns in no zone or across zones, orders up to 20, CPUs beyond the lists',
 * compaction runs that never end, frees of pieces and of nothing: the replay never fails, the
 * buddy stays consistent and no page is made or lost (free + listed + allocated = the zones). */
Test(pcp_trace, hostile_event_streams_keep_every_page)
{
	static const unsigned kinds[] = {MME_PAGE_ALLOC, MME_PAGE_ALLOC,       MME_PAGE_FREE,
					 MME_PAGE_FREE,	 MME_PAGE_ZONE_LOCKED, MME_PAGE_PCPU_DRAIN,
					 MME_COMPACTION};
	struct rng g;
	rng_seed(&g, 909);
	for (int round = 0; round < 10; round++) {
		struct zones zs;
		struct pcp p;
		setup(&zs, &p);
		p.tune = round & 1 ? PCP_TUNE_TRACE : PCP_TUNE_AUTO;
		struct pagereplay r;
		struct pagesrc src = pagesrc_zones(&zs);
		cr_assert_eq(pagereplay_init_src(&r, &src, PAGEREPLAY_PLACEMENT), 0);
		pagereplay_attach(&r, &zs, &p);
		for (int i = 0; i < 20000; i++) {
			struct mm_event e;
			memset(&e, 0, sizeof(e));
			e.kind = (u8)kinds[rng_below(&g, MM_ARRAY_SIZE(kinds))];
			u64 w = rng_below(&g, 8);
			e.addr = w == 0	  ? (rng_below(&g, 2) ? ~0ULL - rng_below(&g, 4096)
							      : rng_below(&g, 1ULL << 40))
				 : w == 1 ? 0x1000 + rng_below(&g, 6000)	  /* DMA32 */
					  : 0x100000 + rng_below(&g, 20000 + 64); /* Normal and past it */
			e.order = (u8)(rng_below(&g, 8) ? rng_below(&g, 4) : rng_below(&g, 21));
			e.mt = (i8)(rng_below(&g, MT_NR + 2) - 1);
			e.cpu = (u16)rng_below(&g, 200);
			e.pid = (u32)rng_below(&g, 6);
			e.flags = (u16)(rng_below(&g, 2) ? MME_F_PCP_REFILL : 0);
			e.ts_ns = (u64)i * 1000;
			if (e.kind == MME_COMPACTION) {
				e.aux = (u8)(rng_below(&g, 2) ? MME_COMPACT_BEGIN : MME_COMPACT_END);
				pagereplay_compaction(&r, &e);
			} else {
				cr_assert_eq(pagereplay_event(&r, &e), 0, "round %d event %d", round, i);
			}
		}
		cr_assert_eq(p.tune, PCP_TUNE_TRACE); /* auto saw the trace's list traffic */
		cr_assert_gt(p.st.refill_blocks, 100);
		cr_assert_gt(p.st.drain_blocks, 100);
		cr_assert_gt(r.st.migrated_kept, 100);
		cr_assert_gt(r.st.split_blocks, 0);
		cr_assert_gt(r.st.allocs, 1000);
		char msg[200];
		for (unsigned z = 0; z < zs.nr_zones; z++) {
			const struct buddy *b = &zs.zone[z].buddy;
			cr_assert_eq(buddy_check(b, msg, sizeof(msg)), 0, "%s", msg);
			u64 alloc = 0;
			for (u32 f = 0; f < b->nr_pages; f++)
				if (buddy_frame_is_alloc(b, f))
					alloc += 1ULL << buddy_frame_order(b, f);
			cr_assert_eq(b->free_pages + alloc, b->nr_pages, "zone %u", z);
			cr_assert_leq(pcp_zone_pages(&p, z), alloc,
				      "zone %u: listed pages are allocated ones", z);
		}
		pagereplay_fini(&r);
		pcp_fini(&p);
		zones_fini(&zs);
	}
}

/* A traced refill of an order above the zone's largest (a recording replayed with --max-order
 * 5): a miss, and no request counted or uncounted in the buddy's failures. */
Test(pcp_trace, a_refill_above_the_zones_largest_order_is_a_miss)
{
	struct zones zs;
	struct pcp p;
	setup_max(&zs, &p, 5);
	cr_assert_eq(pcp_trace_refill(&p, 1, 0, BUDDY_PAGEBLOCK_ORDER, MT_MOVABLE), 0);
	cr_assert_eq(pcp_trace_refill(&p, 1, 0, 3, MT_MOVABLE), 0);
	cr_assert_eq(p.st.trace_refill_misses, 1);
	cr_assert_eq(p.st.refill_blocks, 1);
	cr_assert_eq(zs.zone[1].buddy.st.failures[BUDDY_PAGEBLOCK_ORDER], 0);
	cr_assert_eq(zs.zone[1].buddy.free_pages, 20000 - 8);
	pcp_fini(&p);
	zones_fini(&zs);
}
