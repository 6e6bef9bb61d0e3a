/* Buddy mode, step by step: the kernel's buddy-level events applied to a zone, including the
 * takes no zone_locked event shows (a fallback traced by mm_page_alloc_extfrag only, an
 * allocation whose block the model still has free), and the seeding's rule for flag-free
 * memory (only the run at a zone's top is unmanaged). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/phys/pagereplay.h"
#include "tests/zst_slurp.h"
#include "core/phys/seed.h"
#include "core/phys/zones.h"
#include "workloads/state/kpageflags.h"
#include "workloads/state/pagetypeinfo.h"
#include "workloads/state/zoneinfo.h"

#define BASE 0x100000ULL

struct bm {
	struct zones zs;
	struct pagereplay r;
};

/* One Normal zone of 4 max-order blocks, all free, replayed in buddy mode. */
static void bm_init(struct bm *m)
{
	struct zones_cfg c;
	zones_cfg_default(&c);
	c.nr_zones = 1;
	c.zone[0] = (struct zone_spec){.type = ZONE_NORMAL, .start_pfn = BASE, .nr_pages = 4096};
	cr_assert_eq(zones_init(&m->zs, &c), 0);
	cr_assert_eq(pagereplay_init(&m->r, &m->zs.zone[0].buddy, PAGEREPLAY_BUDDY), 0);
	pagereplay_attach(&m->r, &m->zs, NULL);
}

static void bm_fini(struct bm *m)
{
	pagereplay_fini(&m->r);
	zones_fini(&m->zs);
}

static void bm_ev(struct bm *m, unsigned kind, u64 pfn, unsigned order, u64 fallback_order)
{
	struct mm_event ev = {.kind = (u8)kind, .order = (u8)order, .mt = MT_MOVABLE, .addr = pfn};
	if (kind == MME_PAGE_EXTFRAG) {
		ev.len = fallback_order;
		ev.len2 = 9;
		ev.flags = MME_F_CHANGE_OWNER;
	}
	cr_assert_eq(pagereplay_event(&m->r, &ev), 0);
}

static u64 bm_free(struct bm *m)
{
	return m->zs.zone[0].buddy.free_pages;
}

static void bm_check(struct bm *m)
{
	char msg[160];
	cr_assert_eq(buddy_check(&m->zs.zone[0].buddy, msg, sizeof(msg)), 0, "%s", msg);
}

/* Linux 6.15+: a block claimed whole (fallback order >= pageblock order) or stolen leaves the
 * buddy with only mm_page_alloc_extfrag; a smaller claim goes through __rmqueue_smallest, whose
 * zone_locked comes first and takes the page. */
Test(buddymode, extfrag_takes_what_no_zone_locked_took)
{
	struct bm m;
	bm_init(&m);
	bm_ev(&m, MME_PAGE_EXTFRAG, BASE, 9, 10); /* a THP from a claimed order-10 block */
	cr_assert_eq(bm_free(&m), 4096 - 512, "the claimed block's page left the buddy");
	cr_assert_eq(buddy_alloc_order(&m.zs.zone[0].buddy, BASE), 9);
	/* the rest of the block: order-0 refills traced by zone_locked after the extfrag */
	bm_ev(&m, MME_PAGE_EXTFRAG, BASE + 1024, 0, 10);
	bm_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 1025, 0, 0);
	cr_assert_eq(bm_free(&m), 4096 - 514);
	/* a claim below pageblock order: zone_locked took the page, the extfrag after it is a fact */
	bm_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 2048, 3, 0);
	bm_ev(&m, MME_PAGE_EXTFRAG, BASE + 2048, 3, 8);
	cr_assert_eq(bm_free(&m), 4096 - 522, "no second take");
	cr_assert_eq(m.r.st.extfrag_takes, 2);
	cr_assert_eq(m.r.st.buddy_takes, 4);
	cr_assert_eq(m.r.st.untraced_join_pages, 0);
	bm_check(&m);
	/* and they come back through the ordinary returns */
	bm_ev(&m, MME_PAGE_FREE, BASE, 9, 0); /* order 9 is a per-CPU list order: drained later */
	cr_assert_eq(bm_free(&m), 4096 - 522);
	bm_ev(&m, MME_PAGE_PCPU_DRAIN, BASE, 9, 0);
	cr_assert_eq(bm_free(&m), 4096 - 10);
	cr_assert_eq(m.r.st.untraced_leave_pages, 0);
	bm_fini(&m);
}

/* An allocation whose block the model has free took it from the buddy with no zone_locked: the
 * model takes it then; a block from a per-CPU list (taken by its refill) is left alone. */
Test(buddymode, allocation_of_a_free_block_takes_it)
{
	struct bm m;
	bm_init(&m);
	bm_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 4, 2, 0); /* a refill: on a list now */
	bm_ev(&m, MME_PAGE_ALLOC, BASE + 4, 2, 0);	 /* handed out from the list */
	cr_assert_eq(bm_free(&m), 4096 - 4);
	cr_assert_eq(m.r.st.alloc_takes, 0);
	bm_ev(&m, MME_PAGE_ALLOC, BASE + 8, 2, 0); /* no zone_locked showed this one leave */
	cr_assert_eq(bm_free(&m), 4096 - 8);
	cr_assert_eq(m.r.st.alloc_takes, 1);
	cr_assert_eq(m.r.st.untraced_alloc_pages, 4);
	bm_ev(&m, MME_PAGE_FREE, BASE + 8, 2, 0);
	bm_ev(&m, MME_PAGE_PCPU_DRAIN, BASE + 8, 2, 0);
	cr_assert_eq(bm_free(&m), 4096 - 4);
	cr_assert_eq(m.r.st.untraced_leave_pages, 0, "its drain finds it allocated");
	struct mm_event failed = {
		.kind = MME_PAGE_ALLOC, .order = 0, .addr = BASE + 100, .flags = MME_F_FAILED};
	cr_assert_eq(pagereplay_event(&m.r, &failed), 0);
	cr_assert_eq(bm_free(&m), 4096 - 4, "a failed allocation takes nothing");
	bm_check(&m);
	bm_fini(&m);
}

/* A free to a per-CPU list of a block the model has free: the block had left the buddy with no
 * event (a compaction target the migration allocated) and sits on a list now: taken. */
Test(buddymode, listed_free_of_a_free_block_takes_it)
{
	struct bm m;
	bm_init(&m);
	bm_ev(&m, MME_PAGE_FREE, BASE + 16, 0, 0);
	cr_assert_eq(bm_free(&m), 4096 - 1, "on a per-CPU list, not free in the buddy");
	cr_assert_eq(m.r.st.untraced_alloc_pages, 1);
	bm_ev(&m, MME_PAGE_PCPU_DRAIN, BASE + 16, 0, 0);
	cr_assert_eq(bm_free(&m), 4096);
	cr_assert_eq(m.r.st.untraced_leave_pages, 0, "the drain returns what the list held");
	bm_check(&m);
	bm_fini(&m);
}

/* split_page: a high-order block (a THP split, a high-order vmalloc page) is freed a page at a
 * time; each part returns, none is lost as "inside a larger block". */
Test(buddymode, part_of_a_larger_block_returns)
{
	struct bm m;
	bm_init(&m);
	bm_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 512, 9, 0);
	cr_assert_eq(bm_free(&m), 4096 - 512);
	bm_ev(&m, MME_PAGE_PCPU_DRAIN, BASE + 513, 0, 0);
	bm_ev(&m, MME_PAGE_FREE, BASE + 600, 4, 0); /* order 4: straight to the buddy */
	cr_assert_eq(bm_free(&m), 4096 - 512 + 17);
	cr_assert_eq(m.r.st.untraced_other_pages, 0);
	for (u64 p = BASE + 512; p < BASE + 1024; p++)
		if (p != BASE + 513 && (p < BASE + 600 || p >= BASE + 616))
			bm_ev(&m, MME_PAGE_PCPU_DRAIN, p, 0, 0);
	cr_assert_eq(bm_free(&m), 4096, "every part back, merged");
	cr_assert_eq(m.zs.zone[0].buddy.nr_free[BUDDY_DEFAULT_MAX_ORDER], 4);
	cr_assert_eq(m.r.st.untraced_other_pages + m.r.st.untraced_leave_pages, 0);
	bm_check(&m);
	bm_fini(&m);
}

/* Deferred init grows a zone between the zoneinfo read and the page maps' read, so spanned -
 * managed is larger than the unmanaged memory the maps show. Flag-free memory inside the zone is
 * in use (kernel allocations have no flag): only the run at the zone's top is unmanaged. And
 * compound pages in use: their heads' orders, from the COMPOUND_HEAD and TAIL flags. */
Test(buddymode, only_the_top_flag_free_run_is_unmanaged)
{
	struct zoneinfo *zi = malloc(sizeof(*zi));
	struct pagetypeinfo *pti = malloc(sizeof(*pti));
	struct mm_diag d;
	cr_assert_eq(zoneinfo_load(MMREPLAY_DATA_DIR "/recordings/d_bpf2/zoneinfo.start.txt", zi, &d), 0,
		     "%s", d.msg);
	cr_assert_eq(
		pagetypeinfo_load(MMREPLAY_DATA_DIR "/recordings/d_bpf2/pagetypeinfo.start.txt", pti, &d), 0,
		"%s", d.msg);
	size_t n;
	char *kpf = zst_slurp(MMREPLAY_DATA_DIR "/recordings/d_bpf2/kpageflags.start.zst", &n);
	cr_assert(kpf && n == 0x640000 * 8);
	u64 *flags = (u64 *)kpf;
	const u64 lo = 0x200000, hi = lo + 4096; /* four max-order blocks of used memory, flag-free */
	for (u64 p = lo - 1; p <= hi; p++)
		flags[p] = p == lo - 1 || p == hi ? 1ULL << 5 : 0; /* flagged on both sides */
	/* compound pages: a head and 7 tails (order 3), a head and 2 tails (order 1), a tail alone */
	const u64 c0 = 0x300000, head = 1ULL << 15 | 1ULL << 5, tail = 1ULL << 16 | 1ULL << 5;
	for (u64 p = c0; p < c0 + 0x30; p++)
		flags[p] = 1ULL << 5;
	flags[c0] = flags[c0 + 0x10] = head;
	for (u64 p = c0 + 1; p < c0 + 8; p++)
		flags[p] = tail;
	flags[c0 + 0x11] = flags[c0 + 0x12] = flags[c0 + 0x21] = tail;
	struct zoneinfo_zone *nz = (struct zoneinfo_zone *)zoneinfo_find(zi, ZONE_NORMAL);
	cr_assert(nz);
	u64 unmanaged = nz->spanned - nz->managed;
	nz->managed -= 4096; /* the zoneinfo read before 16 MiB more joined the zone */
	char path[] = "/tmp/mmreplay-kpf-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, kpf, n), (ssize_t)n);
	close(fd);
	struct zones_cfg layout;
	struct seed s;
	struct kpf_zone_report rep[ZONE_NR_TYPES];
	zones_cfg_default(&layout);
	cr_assert_eq(zoneinfo_span_layout(zi, "zi", &layout, &d), 0, "%s", d.msg);
	cr_assert_eq(seed_init(&s, &layout), 0);
	cr_assert_eq(kpageflags_seed(path, zi, pti, &s, rep, &d), 0, "%s", d.msg);
	unsigned z = s.nr_zones - 1;
	cr_assert_eq(s.zone[z].type, ZONE_NORMAL);
	cr_assert_eq(rep[z].never_pages, unmanaged, "the top run only, not the inner one");
	for (u64 p = lo; p < hi; p++)
		cr_assert_eq(s.zone[z].page[p - s.zone[z].start_pfn], SEED_USED, "pfn %llx",
			     (unsigned long long)p);
	const u8 *cp = s.zone[z].compound - s.zone[z].start_pfn;
	cr_assert_eq(cp[c0], 3, "a head and 7 tails: order 3");
	cr_assert_eq(cp[c0 + 0x10], 1, "a head and 2 tails: order 1");
	cr_assert_eq(cp[c0 + 1] + cp[c0 + 0x20] + cp[c0 + 0x21], 0, "no head elsewhere");
	seed_fini(&s);
	unlink(path);
	free(kpf);
	free(zi);
	free(pti);
}

static void bm_cpu_ev(struct bm *m, unsigned kind, u64 pfn, unsigned order, unsigned cpu, unsigned flags)
{
	struct mm_event ev = {.kind = (u8)kind,
			      .order = (u8)order,
			      .mt = MT_MOVABLE,
			      .addr = pfn,
			      .cpu = cpu,
			      .flags = flags};
	cr_assert_eq(pagereplay_event(&m->r, &ev), 0);
}

/* A bulk allocation (a fork's vmalloc'd stack) refills CPU 1's list and traces no mm_page_alloc;
 * the task runs on and another is switched in: that task's free finds the list unlocked (an
 * interrupt's free would run as the refilling task). */
Test(buddymode, a_free_of_another_task_ends_a_refills_hold)
{
	struct bm m;
	bm_init(&m);
	bm_cpu_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 64, 0, 1, 0); /* pages in use, not refills */
	bm_cpu_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 65, 0, 1, 0);
	bm_cpu_ev(&m, MME_PAGE_ALLOC, BASE + 64, 0, 1, 0);
	bm_cpu_ev(&m, MME_PAGE_ALLOC, BASE + 65, 0, 1, 0);
	struct mm_event ev = {.kind = MME_PAGE_ZONE_LOCKED,
			      .addr = BASE + 8,
			      .cpu = 1,
			      .pid = 100,
			      .mt = MT_MOVABLE,
			      .flags = MME_F_PCP_REFILL};
	cr_assert_eq(pagereplay_event(&m.r, &ev), 0); /* task 100 refills CPU 1's list */
	ev = (struct mm_event){.kind = MME_PAGE_FREE, .addr = BASE + 64, .cpu = 1, .pid = 100};
	cr_assert_eq(pagereplay_event(&m.r, &ev), 0); /* an interrupt while it holds the lock */
	cr_assert_eq(m.r.st.locked_frees, 1);
	cr_assert_eq(bm_free(&m), 4096 - 2, "to the buddy");
	ev = (struct mm_event){.kind = MME_PAGE_FREE, .addr = BASE + 65, .cpu = 1, .pid = 200};
	cr_assert_eq(pagereplay_event(&m.r, &ev), 0); /* task 200 on CPU 1: the hold is over */
	cr_assert_eq(m.r.st.locked_frees, 1);
	cr_assert_eq(bm_free(&m), 4096 - 2, "to CPU 1's list");
	bm_check(&m);
	bm_fini(&m);
}

/* A task refilling CPU 1's list holds the list's lock from before its zone_locked events to
 * after its allocation (its mm_page_alloc comes last): a free on CPU 1 in between comes from an
 * interrupt, finds the list locked and goes to the buddy (free_one_page, only mm_page_free
 * traced). A free on another CPU, or on CPU 1 once the allocation is done, goes to a list. */
Test(buddymode, free_while_the_list_is_locked_by_a_refill_goes_to_the_buddy)
{
	struct bm m;
	bm_init(&m);
	bm_cpu_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 64, 0, 1, 0); /* a page in use, not a refill */
	bm_cpu_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 65, 0, 1, 0);
	bm_cpu_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 66, 0, 1, 0);
	bm_cpu_ev(&m, MME_PAGE_ALLOC, BASE + 64, 0, 1, 0);
	bm_cpu_ev(&m, MME_PAGE_ALLOC, BASE + 65, 0, 1, 0);
	bm_cpu_ev(&m, MME_PAGE_ALLOC, BASE + 66, 0, 1, 0);
	cr_assert_eq(bm_free(&m), 4096 - 3);
	bm_cpu_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 8, 0, 1, MME_F_PCP_REFILL); /* CPU 1 refills */
	bm_cpu_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 9, 0, 1, MME_F_PCP_REFILL);
	bm_cpu_ev(&m, MME_PAGE_FREE, BASE + 64, 0, 0, 0); /* CPU 0's list is not locked */
	cr_assert_eq(bm_free(&m), 4096 - 5, "to CPU 0's list");
	bm_cpu_ev(&m, MME_PAGE_FREE, BASE + 65, 0, 1, 0); /* an interrupt on CPU 1 */
	cr_assert_eq(bm_free(&m), 4096 - 4, "to the buddy");
	cr_assert_eq(m.r.st.locked_frees, 1);
	bm_cpu_ev(&m, MME_PAGE_ALLOC, BASE + 8, 0, 1, 0); /* the refill's allocation: unlocked */
	bm_cpu_ev(&m, MME_PAGE_FREE, BASE + 66, 0, 1, 0);
	cr_assert_eq(bm_free(&m), 4096 - 4, "to CPU 1's list");
	cr_assert_eq(m.r.st.locked_frees, 1);
	cr_assert_eq(m.r.st.untraced_leave_pages + m.r.st.untraced_join_pages, 0);
	bm_check(&m);
	bm_fini(&m);
}

static void bm_compact(struct bm *m, u64 aux, u32 pid, u64 lo, u64 hi, u64 taken)
{
	struct mm_event ev = {.kind = MME_COMPACTION,
			      .aux = aux,
			      .pid = pid,
			      .addr = lo,
			      .addr2 = hi,
			      .len = taken,
			      .len2 = taken};
	pagereplay_compaction(&m->r, &ev);
}

/* A fast free isolation's guess that no piece confirms by its run's end is doubted: when the
 * kernel later returns pages the model has free already (it had taken them untraced, its real
 * isolation), as many doubted pages go back. A confirmed guess stays. */
Test(buddymode, unconfirmed_fast_isolation_guesses_go_back_at_a_leave)
{
	struct bm m;
	bm_init(&m);
	/* two free order-2 blocks (an order-3 block taken, its upper half returned) */
	bm_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 0x800, 3, 0);
	bm_ev(&m, MME_PAGE_PCPU_DRAIN, BASE + 0x804, 2, 0);
	bm_ev(&m, MME_PAGE_ZONE_LOCKED, BASE + 0x900, 3, 0);
	bm_ev(&m, MME_PAGE_PCPU_DRAIN, BASE + 0x904, 2, 0);
	u64 free0 = bm_free(&m);
	bm_compact(&m, MME_COMPACT_BEGIN, 7, 0, 0, 0);
	bm_compact(&m, MME_COMPACT_FAST_ISOLATE_FREE, 7, BASE, BASE + 4095, 4); /* a guess */
	cr_assert_eq(bm_free(&m), free0 - 4);
	cr_assert(!buddy_frame_is_free(&m.zs.zone[0].buddy, 0x904), "the highest order-2 block");
	bm_compact(&m, MME_COMPACT_END, 7, 0, 0, 0); /* no piece named it */
	cr_assert_eq(m.r.doubt.n, 4);
	bm_ev(&m, MME_PAGE_FREE, BASE + 0x810, 4, 0); /* a free block of the model's: a leave */
	cr_assert_eq(m.r.st.untraced_leave_pages, 16);
	cr_assert_eq(m.r.st.doubt_released, 4);
	cr_assert_eq(bm_free(&m), free0, "the guess went back");
	/* a guess a piece confirms is the kernel's block: it stays at a later leave */
	bm_compact(&m, MME_COMPACT_BEGIN, 8, 0, 0, 0);
	bm_compact(&m, MME_COMPACT_FAST_ISOLATE_FREE, 8, BASE, BASE + 4095, 4);
	cr_assert_eq(bm_free(&m), free0 - 4);
	u64 g = BASE + 0x904; /* the highest free order-2 block again: the guess */
	cr_assert(!buddy_frame_is_free(&m.zs.zone[0].buddy, (u32)(g - BASE)));
	struct mm_event piece = {.kind = MME_PAGE_FREE, .pid = 8, .addr = g + 3, .mt = MT_MOVABLE};
	cr_assert_eq(pagereplay_event(&m.r, &piece), 0); /* the run gives a piece back */
	bm_compact(&m, MME_COMPACT_END, 8, 0, 0, 0);
	cr_assert_eq(m.r.doubt.n, 0);
	bm_ev(&m, MME_PAGE_FREE, BASE + 0x820, 5, 0);
	cr_assert_eq(m.r.st.untraced_leave_pages, 16 + 32);
	cr_assert_eq(m.r.st.doubt_released, 4);
	cr_assert_eq(bm_free(&m), free0 - 4, "the confirmed guess stays (its piece went to a list)");
	bm_check(&m);
	bm_fini(&m);
}
