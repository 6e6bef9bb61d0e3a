/* Blocks out of the buddy untraced, known from their next event (core/phys/silent.h): against a
 * slow reference that looks back from every later free through the whole trace, on random
 * traces scanned in random batches; the sweep (silent_sweep.h) against the same reference on
 * queries in time order; and buddy mode isolating the block the trace names for a
 * fast free search instead of its guess. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/lib/rng.h"
#include "core/phys/hindsight.h"
#include "core/phys/pagereplay.h"
#include "core/phys/silent.h"
#include "core/phys/silent_sweep.h"
#include "core/phys/zones.h"

#define BASE 0x100000ULL

static bool ref_take(const struct mm_event *e)
{
	return e->kind == MME_PAGE_ZONE_LOCKED || e->kind == MME_PAGE_EXTFRAG ||
	       (e->kind == MME_PAGE_ALLOC && !(e->flags & MME_F_FAILED));
}

static bool ref_covers(const struct mm_event *e, u64 p)
{
	bool page = ref_take(e) || e->kind == MME_PAGE_FREE || e->kind == MME_PAGE_PCPU_DRAIN;
	return page && p >= e->addr && p < e->addr + (1ULL << e->order);
}

/* The reference: a page of [pfn, pfn + 2^o) was out at ts when a free after ts covers it and,
 * for every page of that free, the event before it (if any) is no take and came before ts. */
static bool ref_out(const struct mm_event *ev, size_t n, u64 pfn, unsigned o, u64 ts)
{
	for (size_t j = 0; j < n; j++) {
		const struct mm_event *f = &ev[j];
		if (f->kind != MME_PAGE_FREE || f->ts_ns <= ts || f->addr >= pfn + (1ULL << o) ||
		    pfn >= f->addr + (1ULL << f->order))
			continue;
		bool out = true;
		for (u64 q = f->addr; out && q < f->addr + (1ULL << f->order); q++)
			for (size_t i = j; i-- > 0;)
				if (ref_covers(&ev[i], q)) {
					out = !ref_take(&ev[i]) && ev[i].ts_ns < ts;
					break;
				}
		if (out)
			return true;
	}
	return false;
}

Test(silent, against_a_backward_search)
{
	static const unsigned kinds[] = {
		MME_PAGE_FREE,	      MME_PAGE_FREE,	   MME_PAGE_ALLOC,   MME_PAGE_ALLOC,
		MME_PAGE_ZONE_LOCKED, MME_PAGE_PCPU_DRAIN, MME_PAGE_EXTFRAG, MME_MMAP};
	struct rng r;
	rng_seed(&r, 2121);
	unsigned yes = 0, no = 0;
	for (int round = 0; round < 40; round++) {
		size_t n = 200 + rng_below(&r, 1500);
		struct mm_event *ev = calloc(n, sizeof(*ev));
		u64 ts = 1000;
		for (size_t i = 0; i < n; i++, ts += 1 + rng_below(&r, 3)) {
			unsigned o = (unsigned)rng_below(&r, 4);
			ev[i] = (struct mm_event){.kind = (u8)kinds[rng_below(&r, MM_ARRAY_SIZE(kinds))],
						  .order = (u8)o,
						  .addr = BASE + 1024 * rng_below(&r, 2) +
							  (rng_below(&r, 96) & ~((1ULL << o) - 1)),
						  .ts_ns = ts,
						  .pid = 7};
			if (ev[i].kind == MME_PAGE_ALLOC && !rng_below(&r, 8))
				ev[i].flags = MME_F_FAILED; /* no page: not an event of one */
		}
		struct silent s;
		cr_assert_eq(silent_init(&s), 0);
		for (size_t i = 0; i < n;) { /* in batches cut at random points */
			size_t want = 1 + rng_below(&r, 200);
			size_t k = MM_MIN(n - i, want);
			cr_assert_eq(silent_scan(&s, ev + i, k), 0);
			i += k;
		}
		for (int q = 0; q < 600; q++) {
			unsigned o = (unsigned)rng_below(&r, 4);
			u64 pfn = BASE + 1024 * rng_below(&r, 3) + (rng_below(&r, 104) & ~((1ULL << o) - 1));
			u64 at = 990 + rng_below(&r, ts - 980);
			bool want = ref_out(ev, n, pfn, o, at);
			cr_assert_eq(silent_out(&s, pfn, o, at), want, "round %d pfn %#llx order %u at %llu",
				     round, (unsigned long long)pfn, o, (unsigned long long)at);
			yes += want;
			no += !want;
		}
		silent_fini(&s);
		free(ev);
	}
	cr_assert_gt(yes, 500, "%u out", yes);
	cr_assert_gt(no, 500, "%u not out", no);
}

/* A random trace of n page events on two groups from ts 1000; with across, some blocks
 * unaligned across the groups' border (silent_out looks in the query's group only, the
 * reference everywhere: only the sweep and silent_out agree then); with backward, now and then
 * an event earlier than the one before. */
static struct mm_event *random_trace(struct rng *r, size_t n, bool across, bool backward, u64 *end)
{
	static const unsigned kinds[] = {
		MME_PAGE_FREE,	      MME_PAGE_FREE,	   MME_PAGE_ALLOC,   MME_PAGE_ALLOC,
		MME_PAGE_ZONE_LOCKED, MME_PAGE_PCPU_DRAIN, MME_PAGE_EXTFRAG, MME_MMAP};
	struct mm_event *ev = calloc(n, sizeof(*ev));
	u64 ts = 1000;
	for (size_t i = 0; i < n; i++, ts += 1 + rng_below(r, 3)) {
		unsigned o = (unsigned)rng_below(r, 4);
		u64 pfn = BASE + 1024 * rng_below(r, 2) + (rng_below(r, 96) & ~((1ULL << o) - 1));
		if (across && !rng_below(r, 10))
			pfn = BASE + 1024 - 1 - rng_below(r, 4);
		ev[i] = (struct mm_event){.kind = (u8)kinds[rng_below(r, MM_ARRAY_SIZE(kinds))],
					  .order = (u8)o,
					  .addr = pfn,
					  .ts_ns = ts,
					  .pid = 7};
		if (backward && !rng_below(r, 6))
			ev[i].ts_ns -= MM_MIN(ts - 1, 1 + rng_below(r, 300));
		if (ev[i].kind == MME_PAGE_ALLOC && !rng_below(r, 8))
			ev[i].flags = MME_F_FAILED;
	}
	*end = ts;
	return ev;
}

/* The sweep answers as silent_out does, and as the reference, on queries in time order, with
 * runs at one time and a few going back (asked of silent_out); rounds with a trace out of time
 * order have groups the sweep leaves to silent_out. */
Test(silent, sweep_against_a_backward_search)
{
	struct rng r;
	rng_seed(&r, 4343);
	unsigned yes = 0, no = 0, back = 0, same = 0, backward_groups = 0;
	for (int round = 0; round < 48; round++) {
		bool backward = round % 4 == 3, across = round % 4 == 2;
		size_t n = 200 + rng_below(&r, 1500);
		u64 end;
		struct mm_event *ev = random_trace(&r, n, across, backward, &end);
		struct silent s;
		cr_assert_eq(silent_init(&s), 0);
		for (size_t i = 0; i < n;) {
			size_t cut = 1 + rng_below(&r, 200);
			size_t k = MM_MIN(n - i, cut);
			cr_assert_eq(silent_scan(&s, ev + i, k), 0);
			i += k;
			if (!rng_below(&r, 4)) /* an index a later scan drops */
				cr_assert_eq(silent_done(&s), 0);
		}
		cr_assert_eq(silent_done(&s), 0);
		cr_assert(s.indexed);
		for (u64 g = 0, v; g < 3; g++)
			if (hmap_get(&s.group, (BASE >> SILENT_GROUP_ORDER) + g, &v)) {
				cr_assert(backward || !s.groups[v].backward, "round %d group %llu", round,
					  (unsigned long long)g);
				backward_groups += s.groups[v].backward;
			}
		struct silent_sweep w;
		cr_assert_eq(silent_sweep_init(&w, &s), 0);
		u64 at = 990, step = 2 + 22 * (end - 990) / 11250; /* to about the trace's end */
		for (int q = 0; q < 1500; q++) {
			unsigned o = (unsigned)rng_below(&r, 7);
			if (!rng_below(&r, 20))
				o = 7 + (unsigned)rng_below(&r, 4); /* up to a whole group */
			u64 pfn = BASE + 1024 * rng_below(&r, 3) + (rng_below(&r, 104) & ~((1ULL << o) - 1));
			u64 when = at;
			if (!rng_below(&r, 50) && at > 1000) { /* back in time: silent_out answers */
				when = at - 1 - rng_below(&r, MM_MIN(at - 1000, 200));
				back++;
			} else if (rng_below(&r, 4)) {
				at += rng_below(&r, step);
				when = at;
			} else {
				same++;
			}
			bool want = silent_out(&s, pfn, o, when);
			cr_assert(across || want == ref_out(ev, n, pfn, o, when),
				  "silent_out round %d query %d pfn %#llx order %u at %llu", round, q,
				  (unsigned long long)pfn, o, (unsigned long long)when);
			cr_assert_eq(silent_sweep_out(&w, pfn, o, when), want,
				     "round %d query %d pfn %#llx order %u at %llu", round, q,
				     (unsigned long long)pfn, o, (unsigned long long)when);
			yes += want;
			no += !want;
		}
		silent_sweep_fini(&w);
		silent_fini(&s);
		free(ev);
	}
	cr_assert_gt(yes, 8000, "%u out", yes);
	cr_assert_gt(no, 8000, "%u not out", no);
	cr_assert_gt(back, 1000, "%u going back", back);
	cr_assert_gt(same, 10000, "%u at the time before", same);
	cr_assert_gt(backward_groups, 10, "%u groups out of time order", backward_groups);
}

static struct mm_event compaction(unsigned aux, u64 lo, u64 hi, u64 taken, u64 ts)
{
	return (struct mm_event){.kind = MME_COMPACTION,
				 .aux = aux,
				 .addr = lo,
				 .addr2 = hi,
				 .len = taken,
				 .len2 = taken,
				 .ts_ns = ts,
				 .pid = 7};
}

/* Buddy mode: two free order-2 blocks in a fast isolation's range; the guess is the higher, but
 * the run gives back a piece of the lower with no take of it before: the model isolates that
 * one (--fast-free-block named). With the guess (the default) it takes the higher. */
static void fast_isolation_case(bool named_on)
{
	struct zones_cfg c;
	zones_cfg_default(&c);
	c.nr_zones = 1;
	c.zone[0] = (struct zone_spec){.type = ZONE_NORMAL, .start_pfn = BASE, .nr_pages = 4096};
	struct zones zs;
	cr_assert_eq(zones_init(&zs, &c), 0);
	struct pagereplay pr;
	cr_assert_eq(pagereplay_init(&pr, &zs.zone[0].buddy, PAGEREPLAY_BUDDY), 0);
	pagereplay_attach(&pr, &zs, NULL);
	const struct mm_event ev[] = {
		/* split: free order-2 blocks at BASE + 4 and BASE + 20 */
		{.kind = MME_PAGE_ZONE_LOCKED, .addr = BASE, .ts_ns = 1},
		{.kind = MME_PAGE_ZONE_LOCKED, .addr = BASE + 16, .ts_ns = 2},
		compaction(MME_COMPACT_BEGIN, BASE, BASE + 4096, 0, 3),
		compaction(MME_COMPACT_FAST_ISOLATE_FREE, BASE, BASE + 31, 4, 4),
		{.kind = MME_PAGE_FREE, .addr = BASE + 6, .order = 1, .ts_ns = 5, .pid = 7}, /* a piece */
		compaction(MME_COMPACT_END, BASE, BASE + 4096, 0, 6),
	};
	struct hindsight h;
	cr_assert_eq(hindsight_init(&h), 0);
	cr_assert_eq(hindsight_scan(&h, ev, MM_ARRAY_SIZE(ev)), 0);
	hindsight_done(&h);
	pr.hindsight = &h;
	pr.fast_named = named_on; /* --fast-free-block named */
	const struct buddy *b = &zs.zone[0].buddy;
	for (size_t i = 0; i < MM_ARRAY_SIZE(ev); i++) {
		if (ev[i].kind == MME_COMPACTION)
			pagereplay_compaction(&pr, &ev[i]);
		else
			cr_assert_eq(pagereplay_event(&pr, &ev[i]), 0);
		if (i != 3)
			continue;
		u32 named = named_on ? 4 : 20, other = named_on ? 20 : 4;
		for (u32 p = 0; p < 4; p++) {
			cr_assert(buddy_frame_is_alloc(b, named + p), "page %u isolated", named + p);
			cr_assert(!buddy_frame_is_alloc(b, other + p), "page %u not", other + p);
		}
	}
	cr_assert_eq(pr.st.fast_silent_pages, named_on ? 4 : 0);
	cr_assert_eq(pr.st.fast_confirmed_pages, named_on ? 4 : 0);
	cr_assert_eq(pr.st.fast_contradicted_pages, named_on ? 0 : 4);
	hindsight_fini(&h);
	pagereplay_fini(&pr);
	zones_fini(&zs);
}

Test(silent, buddy_mode_isolates_the_block_the_trace_names)
{
	fast_isolation_case(true);
}

Test(silent, buddy_mode_guesses_by_default)
{
	fast_isolation_case(false);
}
