/* Placement with per-CPU lists while the page state was read: the kernel's own moves bring the
 * seed to the replay's start (pagereplay_window.c), and the lists' start pages follow the trace's
 * list traffic. A scenario, then random kernel traffic against a plain reference: a set of free
 * pages and a count of listed ones. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/phys/pagereplay.h"
#include "core/phys/pcp.h"
#include "core/phys/seed.h"
#include "core/phys/zones.h"

#define BASE 0x100000ULL
#define NPAGES 4096u
#define FROM_NS 1000000ULL /* the replay's start: the read ended */

struct win {
	struct zones zs;
	struct pcp p;
	struct pagereplay r;
};

/* One Normal zone, all free but pages [BASE, BASE + start) used (on the lists at the start). */
static void win_init(struct win *w, u32 start)
{
	struct zones_cfg c;
	zones_cfg_default(&c);
	c.nr_zones = 1;
	c.zone[0] = (struct zone_spec){.type = ZONE_NORMAL, .start_pfn = BASE, .nr_pages = NPAGES};
	cr_assert_eq(zones_init(&w->zs, &c), 0);
	struct buddy *b = &w->zs.zone[0].buddy;
	for (u32 i = 0; i < start; i++) {
		cr_assert_eq(buddy_alloc_at(b, BASE + i, 0, MT_MOVABLE), 0);
		seed_mark_used(b, BASE + i, 0);
	}
	struct pcp_cfg pc;
	memset(&pc, 0, sizeof(pc));
	pc.ncpus = 1;
	pc.zone[0].cpu[0] = (struct pcp_cpu_cfg){
		.high = 1000, .batch = 63, .high_min = 200, .high_max = 2000, .count = start};
	cr_assert_eq(pcp_init(&w->p, &w->zs, &pc), 0);
	cr_assert_eq(pagereplay_init(&w->r, b, PAGEREPLAY_PLACEMENT), 0);
	pagereplay_attach(&w->r, &w->zs, &w->p);
	w->r.window_end_ns = FROM_NS;
}

static void win_fini(struct win *w)
{
	pagereplay_fini(&w->r);
	pcp_fini(&w->p);
	zones_fini(&w->zs);
}

static void win_ev(struct win *w, unsigned kind, u64 ts, u64 pfn, unsigned order, u32 flags)
{
	struct mm_event ev = {.kind = (u8)kind,
			      .order = (u8)order,
			      .mt = MT_MOVABLE,
			      .addr = pfn,
			      .ts_ns = ts,
			      .flags = flags};
	cr_assert_eq(pagereplay_event(&w->r, &ev), 0);
}

static u64 win_free(const struct win *w)
{
	return w->zs.zone[0].buddy.free_pages;
}

/* The kernel refilled, allocated, drained and freed while the page state was read: the model
 * follows, so its buddy holds what the kernel's held when the read ended; it refills nothing of
 * its own, and the pages the kernel refilled are start pages it hands out when the trace does.
 * Placing those allocations itself (a refill of its own from the buddy) left the buddy apart. */
Test(pcp_window, the_read_follows_the_kernel_and_the_lists_count_start_pages)
{
	struct win w;
	win_init(&w, 64);
	for (u32 i = 0; i < 63; i++) /* a refill of the kernel's */
		win_ev(&w, MME_PAGE_ZONE_LOCKED, 10, BASE + 1024 + i, 0, MME_F_PCP_REFILL);
	win_ev(&w, MME_PAGE_ALLOC, 11, BASE + 1024, 0, 0);	/* from its list */
	win_ev(&w, MME_PAGE_PCPU_DRAIN, 12, BASE + 5, 0, 0);	/* a start page drained */
	win_ev(&w, MME_PAGE_FREE, 13, BASE + 6, 0, 0);		/* a used page freed to a list */
	win_ev(&w, MME_PAGE_ZONE_LOCKED, 14, BASE + 512, 4, 0); /* not a list order: the buddy's */
	win_ev(&w, MME_PAGE_ALLOC, 14, BASE + 512, 4, 0);
	cr_assert_eq(win_free(&w), NPAGES - 64 - 63 + 1 - 16);
	win_ev(&w, MME_PAGE_FREE, 15, BASE + 512, 4, 0);
	cr_assert_eq(win_free(&w), NPAGES - 64 - 63 + 1, "the kernel's buddy when the read ended");
	cr_assert_eq(w.p.st.refill_blocks, 0, "the model refilled nothing of its own");
	cr_assert_eq(pcp_zone_pages(&w.p, 0), 64 + 63 - 1 - 1 + 1);
	cr_assert_eq(w.p.set[0].start, w.p.set[0].count, "every listed page a start page");
	/* after the read: the trace hands out a page the kernel refilled during it */
	win_ev(&w, MME_PAGE_ALLOC, FROM_NS, BASE + 1025, 0, 0);
	u64 rec;
	cr_assert(hmap_get(&w.r.live, BASE + 1025, &rec));
	cr_assert_eq(pagereplay_live_pfn(rec), BASE + 1025, "that very page, revealed");
	cr_assert_eq(win_free(&w), NPAGES - 64 - 63 + 1, "no refill of the model's");
	cr_assert_eq(pcp_zone_pages(&w.p, 0), 64 + 63 - 2);
	/* its free comes back as a seeded page, onto the model's list */
	win_ev(&w, MME_PAGE_FREE, FROM_NS + 1, BASE + 1025, 0, 0);
	cr_assert_eq(w.r.st.frees + w.r.st.seeded_frees, 1);
	char msg[160];
	cr_assert_eq(buddy_check(&w.zs.zone[0].buddy, msg, sizeof(msg)), 0, "%s", msg);
	win_fini(&w);
}

/* Random traffic of a kernel during the read (refills of free pages, allocations from its list,
 * frees to it, drains), against a plain reference: the free pages and the listed count. */
Test(pcp_window, random_read_matches_a_plain_reference)
{
	for (unsigned seed = 1; seed <= 20; seed++) {
		struct win w;
		win_init(&w, 128);
		srand(seed);
		static u8 state[NPAGES]; /* 0 free, 1 listed, 2 in use */
		memset(state, 0, sizeof(state));
		for (u32 i = 0; i < 128; i++)
			state[i] = 1;
		i64 listed = 128;
		for (unsigned step = 0; step < 3000; step++) {
			u32 i = (u32)rand() % NPAGES;
			u64 pfn = BASE + i, ts = 1 + step;
			switch (state[i]) {
			case 0: /* a refill takes it */
				win_ev(&w, MME_PAGE_ZONE_LOCKED, ts, pfn, 0, MME_F_PCP_REFILL);
				win_ev(&w, MME_PAGE_ALLOC, ts, BASE + NPAGES - 1, 0,
				       MME_F_FAILED); /* lock released */
				state[i] = 1, listed++;
				break;
			case 1: /* handed out, or drained */
				if (rand() & 1) {
					win_ev(&w, MME_PAGE_ALLOC, ts, pfn, 0, 0);
					state[i] = 2;
				} else {
					win_ev(&w, MME_PAGE_PCPU_DRAIN, ts, pfn, 0, 0);
					state[i] = 0;
				}
				listed--;
				break;
			default: /* freed to a list */
				win_ev(&w, MME_PAGE_FREE, ts, pfn, 0, 0);
				state[i] = 1, listed++;
				break;
			}
		}
		u64 nfree = 0;
		for (u32 i = 0; i < NPAGES; i++)
			nfree += state[i] == 0;
		cr_assert_eq(win_free(&w), nfree, "seed %u", seed);
		cr_assert_eq((i64)pcp_zone_pages(&w.p, 0), listed, "seed %u", seed);
		cr_assert_eq(w.p.st.refill_blocks + w.p.st.drain_blocks, 0, "seed %u", seed);
		char msg[160];
		cr_assert_eq(buddy_check(&w.zs.zone[0].buddy, msg, sizeof(msg)), 0, "%s", msg);
		win_fini(&w);
	}
}
