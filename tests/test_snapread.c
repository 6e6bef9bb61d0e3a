/* When a buddyinfo read saw each zone (core/phys/snapread.h): the streaming decisions against a
 * slow reference that knows the whole trace (each CPU's lock holds listed first, then each
 * zone's read placed by looking forward), on random traces of several CPUs; and the cases the
 * kernel's locking decides: a free's drain is one hold, a worker's drain gives the lock up each
 * batch, a drain then a refill are two holds, another zone's hold does not delay the read; and
 * the replay's snapshot hook comparing a zone after a drain under way at the read. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "bench/run/run.h"
#include "bench/run/snapcheck_hook.h"
#include "core/lib/rng.h"
#include "core/phys/pagereplay.h"
#include "core/phys/snapread.h"

#define NZ 3 /* zone types read in order 0, 1, 2 */

struct tev {
	struct mm_event ev;
	int zone;  /* its page's zone type, -1 none */
	u32 batch; /* a worker's drain hold, pages (0: unbounded) */
};

/* The driver a replay's hook is: positions stand for states (a zone's state is the number of
 * events applied when it was taken). reads[i]: arrival time of read i; seen[i][z]: position. */
static void drive(const struct tev *t, size_t n, u64 reach, const u64 *reads, size_t nreads,
		  size_t seen[][NZ])
{
	struct snapread r;
	snapread_init(&r, reach);
	size_t next = 0, kept = 0;
	int zi = -1; /* the zone being read; -1: not reading */
	u64 arrive = 0, last_ts = 0;
	for (size_t i = 0; i <= n; i++) {
		for (;;) {
			if (next >= nreads)
				break;
			if (zi < 0) {
				if (i < n && t[i].ev.ts_ns <= reads[next])
					break;
				zi = 0;
				arrive = reads[next];
			} else {
				enum snapread_act a =
					i < n ? snapread_before(&r, &t[i].ev, t[i].zone) : snapread_end(&r);
				if (a == SNAPREAD_CAPTURE)
					kept = i;
				if (a != SNAPREAD_SEEN_NOW && a != SNAPREAD_SEEN_CAPTURED)
					break;
				seen[next][zi++] = a == SNAPREAD_SEEN_NOW ? i : kept;
				arrive = MM_MAX(arrive, last_ts);
			}
			for (; zi < NZ; zi++) { /* the read goes on: each zone seen now unless pending */
				if (!snapread_reach(&r, zi, arrive)) {
					kept = i;
					break;
				}
				seen[next][zi] = i;
			}
			if (zi == NZ) {
				zi = -1;
				next++;
			}
		}
		if (i == n)
			break;
		cr_assert_eq(snapread_note(&r, &t[i].ev, t[i].zone, t[i].batch), 0);
		last_ts = t[i].ev.ts_ns;
	}
	cr_assert_eq(next, nreads, "every read ends (%zu of %zu)", next, nreads);
	snapread_fini(&r);
}

/* The reference. Holds first: each event's hold (-1 none), listed CPU by CPU; ends[i]: the
 * hold's pages ran out with event i (a worker's drain batch). */
static void ref_holds(const struct tev *t, size_t n, u64 reach, long *hold, bool *ends)
{
	long nh = 0;
	for (unsigned cpu = 0; cpu < 8; cpu++) {
		long h = -1;   /* the hold of the CPU's previous event */
		i64 left = 0;  /* its pages left */
		int kind = -1; /* 0 drain, 1 refill */
		int zone = -1;
		bool after_free = false;
		u64 prev_ts = 0;
		for (size_t i = 0; i < n; i++) {
			const struct tev *e = &t[i];
			if (e->ev.cpu != cpu)
				continue;
			bool open = h >= 0 && left > 0 && e->ev.ts_ns - prev_ts <= reach && e->zone == zone;
			int k = -1;
			if (e->zone >= 0 && e->ev.kind == MME_PAGE_PCPU_DRAIN)
				k = 0;
			else if (e->zone >= 0 && e->ev.kind == MME_PAGE_ZONE_LOCKED &&
				 (e->ev.flags & MME_F_PCP_REFILL))
				k = 1;
			else if (e->ev.kind == MME_PAGE_EXTFRAG && open && kind == 1)
				k = 1; /* inside the refill's hold */
			if (k >= 0 && open && k == kind) {
				hold[i] = h;
				left -= e->ev.kind == MME_PAGE_EXTFRAG ? 0 : (i64)1 << e->ev.order;
			} else if (k >= 0 && e->ev.kind != MME_PAGE_EXTFRAG) {
				hold[i] = h = nh++;
				kind = k;
				zone = e->zone;
				left = k == 0 && e->batch && !after_free ? (i64)e->batch : INT64_MAX;
				left -= (i64)1 << e->ev.order;
			} else {
				hold[i] = h = -1;
			}
			ends[i] = hold[i] >= 0 && left <= 0;
			after_free = e->ev.kind == MME_PAGE_FREE;
			prev_ts = e->ev.ts_ns;
		}
	}
}

/* The last event of cpu before position p, or -1. */
static long ref_last(const struct tev *t, size_t p, unsigned cpu)
{
	for (long j = (long)p - 1; j >= 0; j--)
		if (t[j].ev.cpu == cpu)
			return j;
	return -1;
}

/* The first event of cpu at or after p, or -1. */
static long ref_next(const struct tev *t, size_t n, size_t p, unsigned cpu)
{
	for (size_t j = p; j < n; j++)
		if (t[j].ev.cpu == cpu)
			return (long)j;
	return -1;
}

/* Read i arrives at reads[i] (or where the read before ended, if later) and goes through the
 * zones: for each, the holds of the zone under way (their CPU's last event is in one not ended,
 * at most reach before the arrival); the one whose CPU's next event continues it first is waited
 * for: seen after its last event, the next zone read where that shows (its CPU's next event, or
 * an event more than reach after). Without one: seen at the arrival, the next zone read where
 * every candidate's CPU showed it had stopped, or an event more than reach after their last. */
static void reference(const struct tev *t, size_t n, u64 reach, const u64 *reads, size_t nreads,
		      size_t seen[][NZ])
{
	long *hold = calloc(n + 1, sizeof(*hold));
	bool *ends = calloc(n + 1, sizeof(*ends));
	ref_holds(t, n, reach, hold, ends);
	size_t pos = 0;
	for (size_t k = 0; k < nreads; k++) {
		size_t p = 0;
		while (p < n && t[p].ev.ts_ns <= reads[k])
			p++;
		p = MM_MAX(p, pos);
		u64 a = reads[k];
		for (int z = 0; z < NZ; z++) {
			long best = -1, bestk = -1;
			u64 cand_last = 0;
			size_t drop = p; /* where the last candidate is seen to stop */
			bool any = false, never = false;
			for (unsigned cpu = 0; cpu < 8; cpu++) {
				long j = ref_last(t, p, cpu);
				if (j < 0 || hold[j] < 0 || ends[j] || t[j].zone != z ||
				    t[j].ev.ts_ns + reach < a)
					continue;
				any = true;
				cand_last = MM_MAX(cand_last, t[j].ev.ts_ns);
				long q = ref_next(t, n, p, cpu);
				if (q >= 0 && hold[q] == hold[j]) {
					if (bestk < 0 || q < bestk)
						best = j, bestk = q;
				} else if (q >= 0) {
					drop = MM_MAX(drop, (size_t)q);
				} else {
					never = true;
				}
			}
			if (!any) {
				seen[k][z] = p;
				continue;
			}
			size_t late = p; /* the first event more than reach after the candidates' last */
			while (late < n && t[late].ev.ts_ns <= cand_last + reach)
				late++;
			if (best < 0) {
				seen[k][z] = p;
				p = never ? late : MM_MIN(drop, late);
				a = MM_MAX(a, p ? t[p - 1].ev.ts_ns : 0);
				continue;
			}
			size_t last = (size_t)bestk;
			for (size_t j = last + 1; j < n; j++)
				if (hold[j] == hold[best])
					last = j;
			seen[k][z] = last + 1;
			size_t r = last + 1;
			if (!ends[last])
				while (r < n && t[r].ev.cpu != t[best].ev.cpu &&
				       t[r].ev.ts_ns <= t[last].ev.ts_ns + reach)
					r++;
			p = r;
			a = MM_MAX(a, p ? t[p - 1].ev.ts_ns : 0);
		}
		pos = p;
	}
	free(hold);
	free(ends);
}

static struct tev ev_at(unsigned kind, unsigned cpu, int zone, u64 ts, unsigned order, u32 batch)
{
	return (struct tev){.ev = {.kind = (u8)kind,
				   .cpu = (u16)cpu,
				   .ts_ns = ts,
				   .order = (u8)order,
				   .flags = kind == MME_PAGE_ZONE_LOCKED ? MME_F_PCP_REFILL : 0},
			    .zone = zone,
			    .batch = batch};
}

Test(snapread, against_a_reference_that_looks_ahead)
{
	struct rng r;
	rng_seed(&r, 2125);
	unsigned waited = 0, total = 0;
	for (int round = 0; round < 300; round++) {
		size_t n = 50 + rng_below(&r, 600);
		struct tev *t = calloc(n, sizeof(*t));
		unsigned ncpu = 1 + (unsigned)rng_below(&r, 4);
		struct {
			unsigned kind, left;
			int zone;
		} burst[8] = {{0}};
		u64 ts = 1000, reach = rng_below(&r, 3) ? 3 + rng_below(&r, 6) : 0;
		for (size_t i = 0; i < n; i++) {
			unsigned cpu = (unsigned)rng_below(&r, ncpu);
			if (!burst[cpu].left) { /* a new burst: a free, a drain, a refill, other work */
				static const unsigned kinds[] = {MME_PAGE_FREE, MME_PAGE_PCPU_DRAIN,
								 MME_PAGE_ZONE_LOCKED, MME_PAGE_ALLOC,
								 MME_MMAP};
				burst[cpu].kind = kinds[rng_below(&r, MM_ARRAY_SIZE(kinds))];
				burst[cpu].zone = (int)rng_below(&r, NZ);
				burst[cpu].left = 1 + (unsigned)rng_below(&r, 12);
			}
			burst[cpu].left--;
			unsigned kind = burst[cpu].kind;
			if (kind == MME_PAGE_ZONE_LOCKED && !rng_below(&r, 5))
				kind = MME_PAGE_EXTFRAG;
			bool page = kind != MME_MMAP && kind != MME_PAGE_ALLOC && kind != MME_PAGE_FREE;
			t[i] = ev_at(kind, cpu, page ? burst[cpu].zone : -1, ts, (unsigned)rng_below(&r, 3),
				     rng_below(&r, 2) ? 4 : 0);
			ts += rng_below(&r, 4) + (rng_below(&r, 20) ? 0 : 20);
		}
		size_t nreads = 1 + rng_below(&r, 4);
		u64 reads[4];
		for (size_t k = 0; k < nreads; k++)
			reads[k] = 1000 + (ts - 1000) * (2 * k + 1) / (2 * nreads) - rng_below(&r, 5);
		size_t got[4][NZ], want[4][NZ];
		drive(t, n, reach, reads, nreads, got);
		reference(t, n, reach, reads, nreads, want);
		for (size_t k = 0; k < nreads; k++)
			for (int z = 0; z < NZ; z++) {
				cr_assert_eq(got[k][z], want[k][z],
					     "round %d read %zu zone %d: seen at %zu, reference %zu", round,
					     k, z, got[k][z], want[k][z]);
				size_t p = 0;
				while (p < n && t[p].ev.ts_ns <= reads[k])
					p++;
				waited += got[k][z] > p;
				total++;
			}
		free(t);
	}
	cr_assert(waited > total / 20 && waited < total, "the traces exercise waits: %u of %u", waited,
		  total);
}

/* One read arriving at time 100 (reach 10) on a hand-made trace: where each zone was seen. */
static void one_read(const struct tev *t, size_t n, size_t seen[NZ])
{
	u64 reads[1] = {100}; /* the arrival: the read began 10 before */
	size_t got[1][NZ];
	drive(t, n, 10, reads, 1, got);
	memcpy(seen, got[0], sizeof(got[0]));
}

Test(snapread, a_frees_drain_is_one_hold_waited_for_whole)
{
	struct tev t[16];
	size_t n = 0;
	t[n++] = ev_at(MME_PAGE_FREE, 0, -1, 96, 0, 0);
	for (u64 ts = 97; ts < 110; ts++) /* 13 pages past the batch of 4: still one hold */
		t[n++] = ev_at(MME_PAGE_PCPU_DRAIN, 0, 2, ts, 0, 4);
	t[n++] = ev_at(MME_PAGE_ALLOC, 0, -1, 111, 0, 0);
	size_t seen[NZ];
	one_read(t, n, seen);
	cr_assert_eq(seen[0], 5, "DMA at the arrival (the events up to time 100)");
	cr_assert_eq(seen[1], 5);
	cr_assert_eq(seen[2], n - 1, "Normal after the drain's last page");
}

Test(snapread, a_workers_drain_gives_the_lock_up_each_batch)
{
	struct tev t[16];
	size_t n = 0;
	t[n++] = ev_at(MME_MMAP, 0, -1, 90, 0, 0); /* not a free: a worker's drain */
	for (u64 ts = 97; ts < 110; ts++)	   /* batches of 4: 97-100, 101-104, ... */
		t[n++] = ev_at(MME_PAGE_PCPU_DRAIN, 0, 2, ts, 0, 4);
	size_t seen[NZ];
	one_read(t, n, seen);
	cr_assert_eq(seen[2], 5, "Normal between the first and second batch (events up to 100)");
	t[3] = ev_at(MME_PAGE_PCPU_DRAIN, 0, 2, 99, 1, 4); /* an order-1 block ends the batch at 99 */
	one_read(t, n, seen);
	cr_assert_eq(seen[2], 8, "Normal after the next batch, 100-103, under way at the arrival");
}

Test(snapread, a_drain_then_a_refill_are_two_holds)
{
	struct tev t[16];
	size_t n = 0;
	t[n++] = ev_at(MME_PAGE_FREE, 1, -1, 95, 0, 0);
	for (u64 ts = 96; ts < 103; ts++)
		t[n++] = ev_at(MME_PAGE_PCPU_DRAIN, 1, 1, ts, 0, 0);
	for (u64 ts = 103; ts < 108; ts++)
		t[n++] = ev_at(MME_PAGE_ZONE_LOCKED, 1, 1, ts, 0, 0);
	t[n++] = ev_at(MME_PAGE_ALLOC, 1, -1, 108, 0, 0);
	size_t seen[NZ];
	one_read(t, n, seen);
	cr_assert_eq(seen[1], 8, "DMA32 after the drain (at 102), before the refill");
	cr_assert_eq(seen[2], 8, "Normal read right after it");
	/* arriving in the refill: after the refill */
	u64 reads[1] = {104};
	size_t got[1][NZ];
	drive(t, n, 10, reads, 1, got);
	cr_assert_eq(got[0][1], n - 1);
}

Test(snapread, another_zones_hold_or_none_waits_for_nothing)
{
	struct tev t[16];
	size_t n = 0;
	t[n++] = ev_at(MME_PAGE_FREE, 0, -1, 96, 0, 0);
	for (u64 ts = 97; ts < 105; ts++)
		t[n++] = ev_at(MME_PAGE_PCPU_DRAIN, 0, 1, ts, 0, 0);
	t[n++] = ev_at(MME_PAGE_ALLOC, 0, -1, 105, 0, 0); /* the holder goes on: the lock is free */
	t[n++] = ev_at(MME_PAGE_ALLOC, 1, -1, 106, 0, 0);
	size_t seen[NZ];
	one_read(t, n, seen);
	cr_assert_eq(seen[0], 5, "DMA: no hold of it");
	cr_assert_eq(seen[1], 9, "DMA32 waited for, seen after the drain's last page");
	cr_assert_eq(seen[2], 9, "Normal read right after DMA32");
	u64 reads[1] = {100};
	size_t got[1][NZ];
	drive(t, n, 0, reads, 1, got); /* reach 0: every zone at the read's start */
	for (int z = 0; z < NZ; z++)
		cr_assert_eq(got[0][z], 5);
}

/* Replay in buddy mode: 64 pages taken by a refill on CPU 1, then a free's drain on CPU 0 returning them
 * across a read (stamp 995 ns, reach 10: arrival 1005). The Normal zone is compared after the drain's last
 * page; without a reach, at the read's start (5 pages back then). */
static u64 hook_free_model(u64 reach, u64 *free0)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg); /* one Normal zone 0x100000 + 2^20, all free */
	cfg.page_mode = PAGEREPLAY_BUDDY;
	struct snapshot k = {.t0_ns = 995,
			     .t1_ns = 2000,
			     .nr_zones = 1,
			     .zone[0] = {.type = ZONE_NORMAL, .nr_orders = 1, .nr_free = {1}}};
	struct snap_series ser = {.s = &k, .n = 1, .name = "series"};
	cfg.snapshots = &ser;
	cfg.snap_reach_ns = reach;
	struct sim *s = calloc(1, sizeof(*s));
	cr_assert(s);
	cr_assert_eq(sim_init(s, &cfg), 0);
	*free0 = s->zones.zone[0].buddy.free_pages; /* the machine's own tables taken */
	struct mm_event ev[200];
	size_t n = 0;
	for (u64 i = 0; i < 64; i++)
		ev[n++] = (struct mm_event){.kind = MME_PAGE_ZONE_LOCKED,
					    .flags = MME_F_PCP_REFILL,
					    .cpu = 1,
					    .addr = 0x180000 + i,
					    .ts_ns = 100 + i};
	ev[n++] = (struct mm_event){.kind = MME_PAGE_FREE, .addr = 0x190000, .ts_ns = 990};
	for (u64 i = 0; i < 64; i++)
		ev[n++] = (struct mm_event){
			.kind = MME_PAGE_PCPU_DRAIN, .addr = 0x180000 + i, .ts_ns = 991 + i};
	ev[n++] = (struct mm_event){.kind = MME_MMAP, .addr = 0x10000, .len = 4096, .ts_ns = 1100};
	struct snapcheck_hook h;
	struct run_sampler smp;
	const struct run_sampler *sp = snapcheck_hook_init(&h, s, &smp);
	cr_assert(sp);
	struct run_array a;
	struct run_source src = run_source_array(&a, ev, n);
	struct run_result res = {0};
	cr_assert_eq(run_events(s, &src, sp, &res), 0);
	cr_assert_eq(snapcheck_hook_finish(&h), 0);
	cr_assert_eq(h.nrows, 1);
	u64 free_model = h.rows[0].free_model;
	snapcheck_hook_fini(&h);
	sim_fini(s);
	free(s);
	return free_model;
}

Test(snapread, the_replay_compares_a_zone_after_the_drain_under_way)
{
	u64 free0; /* less the page the free lists (buddy mode takes a listed free's block) */
	u64 got = hook_free_model(10, &free0);
	cr_assert_eq(got, free0 - 1, "after the drain's last page: %llu of %llu", (unsigned long long)got,
		     (unsigned long long)free0);
	got = hook_free_model(0, &free0);
	cr_assert_eq(got, free0 - 1 - 64 + 5, "at the read's start, 5 pages drained then: %llu",
		     (unsigned long long)got);
}
