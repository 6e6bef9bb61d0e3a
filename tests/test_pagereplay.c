/* Page-event replay: pairing traced pfns with model blocks, unmatched frees of pages allocated
 * before the recording, faithful placement and its conflicts. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/phys/pagereplay.h"

static struct mm_event pev(unsigned kind, u64 pfn, unsigned order, int mt)
{
	struct mm_event e;
	memset(&e, 0, sizeof(e));
	e.kind = (u8)kind;
	e.addr = pfn;
	e.order = (u8)order;
	e.mt = (i8)mt;
	return e;
}

static void check(const struct buddy *b)
{
	char msg[200];
	cr_assert_eq(buddy_check(b, msg, sizeof(msg)), 0, "%s", msg);
}

Test(pagereplay, placement_pairs_trace_pfns_with_model_blocks)
{
	struct buddy b;
	struct buddy_cfg cfg = {0, 256, 8, NULL};
	struct pagereplay r;
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	cr_assert_eq(pagereplay_init(&r, &b, PAGEREPLAY_PLACEMENT), 0);
	/* traced pfns far outside the model's zone: placement ignores them except for pairing */
	struct mm_event a1 = pev(MME_PAGE_ALLOC, 0x10a006, 1, 0), a2 = pev(MME_PAGE_ALLOC, 0x11bfbe, 0, 0);
	cr_assert_eq(pagereplay_event(&r, &a1), 0);
	cr_assert_eq(pagereplay_event(&r, &a2), 0);
	cr_assert_eq(b.free_pages, 256 - 3);
	struct mm_event f_unknown = pev(MME_PAGE_FREE, 0x13dfd8, 0, 0);
	cr_assert_eq(pagereplay_event(&r, &f_unknown), 0);
	cr_assert_eq(r.st.unmatched_frees, 1);
	cr_assert_eq(b.free_pages, 256 - 3); /* nothing freed in the model */
	struct mm_event f1 = pev(MME_PAGE_FREE, 0x10a006, 1, 0);
	cr_assert_eq(pagereplay_event(&r, &f1), 0);
	cr_assert_eq(b.free_pages, 256 - 1);
	cr_assert_eq(pagereplay_event(&r, &f1), 0); /* double free: now unknown */
	cr_assert_eq(r.st.unmatched_frees, 2);
	/* free with another order than allocated: the allocation's order is used, and counted */
	struct mm_event f2 = pev(MME_PAGE_FREE, 0x11bfbe, 2, 0);
	cr_assert_eq(pagereplay_event(&r, &f2), 0);
	cr_assert_eq(r.st.order_mismatches, 1);
	cr_assert_eq(b.free_pages, 256);
	/* a failed traced allocation is a fact of the trace, not a model failure */
	struct mm_event af = pev(MME_PAGE_ALLOC, 0, 3, 0);
	af.flags = MME_F_FAILED;
	cr_assert_eq(pagereplay_event(&r, &af), 0);
	cr_assert_eq(r.st.traced_failures, 1);
	cr_assert_eq(r.st.alloc_failures, 0);
	/* too big for the zone: a model failure */
	struct mm_event big = pev(MME_PAGE_ALLOC, 0x200000, 8, 0), big2 = pev(MME_PAGE_ALLOC, 0x300000, 8, 0);
	cr_assert_eq(pagereplay_event(&r, &big), 0);
	cr_assert_eq(pagereplay_event(&r, &big2), 0);
	cr_assert_eq(r.st.alloc_failures, 1);
	/* the same traced pfn allocated twice without a free: the first is released */
	struct mm_event again = pev(MME_PAGE_ALLOC, 0x200000, 0, 0);
	cr_assert_eq(pagereplay_event(&r, &again), 0);
	cr_assert_eq(r.st.implicit_frees, 1);
	cr_assert_eq(b.free_pages, 255);
	cr_assert_eq(r.st.allocs, 4);
	cr_assert_eq(r.st.frees, 2);
	check(&b);
	pagereplay_fini(&r);
	buddy_fini(&b);
}

Test(pagereplay, faithful_takes_the_traced_pfn)
{
	struct buddy b;
	struct buddy_cfg cfg = {0x1000, 1024, 10, NULL};
	struct pagereplay r;
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	cr_assert_eq(pagereplay_init(&r, &b, PAGEREPLAY_FAITHFUL), 0);
	struct mm_event a = pev(MME_PAGE_ALLOC, 0x1123, 0, 1);
	cr_assert_eq(pagereplay_event(&r, &a), 0);
	cr_assert_eq(buddy_alloc_order(&b, 0x1123), 0);
	/* the same pfn again while live: its free was never traced; released, then re-taken */
	cr_assert_eq(pagereplay_event(&r, &a), 0);
	cr_assert_eq(r.st.implicit_frees, 1);
	cr_assert_eq(r.st.conflicts, 0);
	/* an order-2 block overlapping it is a conflict */
	struct mm_event c = pev(MME_PAGE_ALLOC, 0x1120, 2, 1);
	cr_assert_eq(pagereplay_event(&r, &c), 0);
	cr_assert_eq(r.st.conflicts, 1);
	cr_assert_eq(b.st.conflicts, 1);
	struct mm_event out = pev(MME_PAGE_ALLOC, 0x9000, 0, 1);
	cr_assert_eq(pagereplay_event(&r, &out), 0);
	cr_assert_eq(r.st.out_of_range, 1);
	struct mm_event f = pev(MME_PAGE_FREE, 0x1123, 0, 0);
	cr_assert_eq(pagereplay_event(&r, &f), 0);
	cr_assert_eq(b.free_pages, 1024);
	check(&b);
	pagereplay_fini(&r);
	buddy_fini(&b);
}

static struct mm_event run_ev(unsigned aux, u32 pid)
{
	struct mm_event e = pev(MME_COMPACTION, 0, 0, 0);
	e.aux = (u8)aux;
	e.pid = pid;
	return e;
}

static void feed(struct pagereplay *r, struct mm_event e, u32 pid)
{
	e.pid = pid;
	cr_assert_eq(pagereplay_event(r, &e), 0);
}

/* The kernel's migrations: a compacting task frees the source during its run and the page
 * lives on at an untraced target; the model keeps the block until a target's free. */
Test(pagereplay, placement_keeps_migrated_pages_until_a_target_is_freed)
{
	struct buddy b;
	struct buddy_cfg cfg = {0, 256, 8, NULL};
	struct pagereplay r;
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	cr_assert_eq(pagereplay_init(&r, &b, PAGEREPLAY_PLACEMENT), 0);
	feed(&r, pev(MME_PAGE_ALLOC, 0x1000, 0, MT_MOVABLE), 5);
	feed(&r, pev(MME_PAGE_ALLOC, 0x1001, 0, MT_MOVABLE), 5);
	feed(&r, pev(MME_PAGE_ALLOC, 0x1004, 2, MT_MOVABLE), 5);
	cr_assert_eq(b.free_pages, 256 - 6);
	struct mm_event begin = run_ev(MME_COMPACT_BEGIN, 7), end = run_ev(MME_COMPACT_END, 7);
	pagereplay_compaction(&r, &begin);
	feed(&r, pev(MME_PAGE_FREE, 0x1000, 0, MT_MOVABLE), 7); /* a source: kept */
	feed(&r, pev(MME_PAGE_FREE, 0x1004, 2, MT_MOVABLE), 7); /* an order-2 source: kept */
	feed(&r, pev(MME_PAGE_FREE, 0x1001, 0, MT_MOVABLE), 5); /* another task's free: freed */
	cr_assert_eq(b.free_pages, 256 - 5);
	cr_assert_eq(r.st.migrated_kept, 2);
	cr_assert_gt(migpend_bytes(&r.migrated), 0);		/* counted in the model's memory */
	feed(&r, pev(MME_PAGE_FREE, 0x9000, 0, MT_MOVABLE), 7); /* the run's unused page: no target */
	cr_assert_eq(r.st.migrated_released, 0);
	pagereplay_compaction(&r, &end);
	feed(&r, pev(MME_PAGE_FREE, 0x9001, 1, MT_MOVABLE), 9); /* no source of order 1 */
	cr_assert_eq(b.free_pages, 256 - 5);
	feed(&r, pev(MME_PAGE_FREE, 0x9004, 2, MT_MOVABLE), 9); /* the order-2 target */
	cr_assert_eq(b.free_pages, 256 - 1);
	feed(&r, pev(MME_PAGE_FREE, 0x9008, 0, MT_MOVABLE), 9); /* the order-0 target */
	cr_assert_eq(b.free_pages, 256);
	feed(&r, pev(MME_PAGE_FREE, 0x900a, 0, MT_MOVABLE), 9); /* none left */
	cr_assert_eq(r.st.migrated_released, 2);
	cr_assert_eq(r.st.unmatched_frees, 3);
	check(&b);
	pagereplay_fini(&r);
	buddy_fini(&b);
}

/* The same rule against a reference that counts pages: live blocks, held sources per order
 * (oldest first), runs in flight; random tasks, orders and run boundaries. */
Test(pagereplay, migrated_pages_against_a_page_count)
{
	enum { NPFN = 64, NPID = 4 };
	for (unsigned seed = 1; seed <= 30; seed++) {
		struct buddy b;
		struct buddy_cfg cfg = {0, 1 << 14, 10, NULL};
		struct pagereplay r;
		cr_assert_eq(buddy_init(&b, &cfg), 0);
		cr_assert_eq(pagereplay_init(&r, &b, PAGEREPLAY_PLACEMENT), 0);
		unsigned live[NPFN] = {0}; /* order + 1 of the traced pfn's live block */
		unsigned held[3] = {0};	   /* sources held per order */
		bool run[NPID] = {false};
		u64 used = 0, unknown = 0x100000, x = seed * 0x9e3779b97f4a7c15ULL;
		for (int i = 0; i < 3000; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			u32 pid = (u32)(x >> 8) % NPID, k = (u32)(x >> 16) % 10, slot = (u32)(x >> 24) % NPFN;
			unsigned o = (unsigned)(x >> 40) % 3;
			if (k == 0) {
				struct mm_event e =
					run_ev(run[pid] ? MME_COMPACT_END : MME_COMPACT_BEGIN, pid);
				run[pid] = !run[pid];
				pagereplay_compaction(&r, &e);
			} else if (k < 5 && !live[slot]) {
				feed(&r, pev(MME_PAGE_ALLOC, 0x10000 + slot * 8, o, MT_MOVABLE), pid);
				live[slot] = o + 1;
				used += 1u << o;
			} else if (k < 8 && live[slot]) {
				unsigned lo = live[slot] - 1;
				feed(&r, pev(MME_PAGE_FREE, 0x10000 + slot * 8, lo, MT_MOVABLE), pid);
				live[slot] = 0;
				if (run[pid])
					held[lo]++;
				else
					used -= 1u << lo;
			} else if (k >= 8) {
				feed(&r, pev(MME_PAGE_FREE, unknown, o, MT_MOVABLE), pid);
				unknown += 8;
				if (!run[pid] && held[o]) {
					held[o]--;
					used -= 1u << o;
				}
			}
			cr_assert_eq(b.free_pages, (1u << 14) - used, "seed %u event %d", seed, i);
		}
		check(&b);
		pagereplay_fini(&r);
		buddy_fini(&b);
	}
}
