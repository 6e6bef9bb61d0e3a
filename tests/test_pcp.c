/* The per-CPU list model (core/phys/pcp.h) against a slow, obvious reference on random
 * workloads: lists as plain arrays (index 0 the head), the kernel's refill, free, drain, tuning
 * and decay rules written out directly over a second, identical machine; with fixed and tuned
 * high, start pages and their revelation, and the clock's decay rounds. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/phys/pcp.h"
#include "core/lib/rng.h"

#define NCPU 3
#define NLISTS 14

struct ref_list {
	u64 v[1 << 15];
	u32 n;
};

struct ref_set {
	i64 count, start, pending;
	i64 high, batch, hmin, hmax, free_count;
	unsigned af;
	bool prev_high;
	struct ref_list l[NLISTS];
};

/* A zone's watermarks and flags, by the kernel's rules written out plainly (wmark.h). */
struct ref_wm {
	i64 wm[3], boost, max_boost;
	i64 reserve; /* lowmem_reserve for a Normal request */
	bool on, below, reclaim;
};

struct ref_pcp {
	struct zones zs;
	struct ref_wm w[ZONE_NR_TYPES];
	bool pressure; /* tune pressure: the lists follow the zone flags */
	bool traced;   /* the trace's kswapd runs: every zone with watermarks reclaim-active */
	u64 below_sets, kswapd_wakes, kswapd_sleeps, direct, boosts, kcompactd;
	struct ref_set s[ZONE_NR_TYPES][NCPU];
	u64 next_decay;
	u64 refill_blocks, drain_blocks;
};

static int ref_li(unsigned order, int mt)
{
	if (order <= 3)
		return (int)order * 3 + mt;
	return order == 9 ? 12 + (mt == MT_MOVABLE) : -1;
}

static unsigned ref_order(int li)
{
	return li < 12 ? (unsigned)li / 3 : 9;
}

static i64 clampl(i64 v, i64 lo, i64 hi)
{
	if (v < lo)
		v = lo;
	if (v > hi)
		v = hi;
	return v;
}

/* Free pages of a zone by a recount of its free lists. */
static i64 ref_free_pages(const struct buddy *b)
{
	i64 n = 0;
	for (unsigned o = 0; o <= b->max_order; o++)
		n += (i64)b->nr_free[o] << o;
	return n;
}

static void ref_kswapd_check(struct ref_pcp *r, int z)
{
	struct ref_wm *w = &r->w[z];
	if (w->reclaim && ref_free_pages(&r->zs.zone[z].buddy) > w->wm[2] + w->boost) {
		w->reclaim = false;
		r->kswapd_sleeps++;
		if (w->boost) {
			w->boost = 0;
			r->kcompactd++;
		}
	}
}

static void ref_kswapd_wake(struct ref_pcp *r, int z)
{
	if (!r->w[z].reclaim) {
		r->w[z].reclaim = true;
		r->kswapd_wakes++;
		ref_kswapd_check(r, z);
	}
}

static void ref_wm_before(struct ref_pcp *r, int z, unsigned order)
{
	struct ref_wm *w = &r->w[z];
	if (!w->on)
		return;
	i64 f = ref_free_pages(&r->zs.zone[z].buddy) - ((1LL << order) - 1);
	if (f <= w->wm[1] + w->boost) {
		ref_kswapd_wake(r, z);
		if (f <= w->wm[0] + w->boost)
			r->direct++;
	} else {
		ref_kswapd_check(r, z);
	}
}

/* A Normal request's walk reaches zone z: below high + boost + the zone's reserve for it. */
static void ref_wm_visit(struct ref_pcp *r, int z, unsigned order)
{
	struct ref_wm *w = &r->w[z];
	i64 f = ref_free_pages(&r->zs.zone[z].buddy) - ((1LL << order) - 1);
	if (w->on && !w->below && f <= w->wm[2] + w->boost + w->reserve) {
		w->below = true;
		r->below_sets++;
	}
}

static void ref_wm_after(struct ref_pcp *r, int z, u64 claims)
{
	struct ref_wm *w = &r->w[z];
	if (!w->on || !claims || !w->max_boost)
		return;
	while (claims-- && w->boost < w->max_boost) {
		w->boost = w->boost + 512 < w->max_boost ? w->boost + 512 : w->max_boost;
		r->boosts++;
	}
	ref_kswapd_wake(r, z);
}

static void ref_wm_free(struct ref_pcp *r, int z, bool drained)
{
	struct ref_wm *w = &r->w[z];
	if (!w->on)
		return;
	if (drained && w->below && ref_free_pages(&r->zs.zone[z].buddy) > w->wm[2] + w->boost + w->reserve)
		w->below = false;
	ref_kswapd_check(r, z);
}

static i64 ref_nr_alloc(struct ref_set *s, unsigned order, bool below)
{
	s->high = clampl(s->high, s->hmin, s->hmax);
	if (s->high < s->batch)
		return 1;
	i64 b = order == 0 ? s->batch * (1LL << s->af) : s->batch;
	if (s->hmin != s->hmax && !below)
		s->high = s->high + b < s->hmax ? s->high + b : s->hmax;
	if (order == 0) {
		i64 maxn = s->high - s->count - s->batch;
		if (maxn < s->batch)
			maxn = s->batch;
		if (b <= maxn && s->af < 5)
			s->af++;
		if (b > maxn)
			b = maxn;
	}
	if (b > 1) {
		b = b / (1LL << order);
		if (b < 2)
			b = 2;
	}
	return b;
}

static void ref_drain(struct ref_pcp *r, struct buddy *b, struct ref_set *s, int from, i64 pages)
{
	if (pages > s->count)
		pages = s->count;
	int li = from;
	bool first = true;
	while (pages > 0 && s->count > s->start) {
		if (!first)
			li = (li + 1) % NLISTS;
		first = false;
		while (!s->l[li].n)
			li = (li + 1) % NLISTS;
		struct ref_list *l = &s->l[li];
		while (pages > 0 && l->n) {
			buddy_free(b, l->v[--l->n], ref_order(li));
			s->count -= 1LL << ref_order(li);
			pages -= 1LL << ref_order(li);
			r->drain_blocks++;
		}
	}
	/* the start pages last */
	i64 take = pages < s->start ? pages : s->start;
	if (take < 0)
		take = 0;
	s->start -= take;
	s->pending += take;
	s->count -= take;
}

/* The zone's watermark test for a Normal request: free pages after the block's order above the
 * mark (boost included) plus the zone's lowmem_reserve. */
static bool ref_gate(struct ref_pcp *r, int z, unsigned order, int mark)
{
	struct ref_wm *w = &r->w[z];
	if (!w->on)
		return true;
	i64 f = ref_free_pages(&r->zs.zone[z].buddy) - ((1LL << order) - 1);
	return f > w->wm[mark] + w->boost + w->reserve;
}

/* One zone's try: 0 with *pfn, or -ENOMEM. */
static int ref_take(struct ref_pcp *r, int z, unsigned cpu, unsigned order, int mt, u64 *pfn)
{
	int li = ref_li(order, mt);
	struct buddy *b = &r->zs.zone[z].buddy;
	u64 claims = b->st.claim_tries;
	ref_wm_before(r, z, order);
	if (li < 0) {
		int e = buddy_alloc(b, order, mt, pfn);
		ref_wm_after(r, z, b->st.claim_tries - claims);
		return e ? -ENOMEM : 0;
	}
	struct ref_set *s = &r->s[z][cpu];
	struct ref_list *l = &s->l[li];
	s->free_count /= 2;
	if (!l->n) {
		i64 want = ref_nr_alloc(s, order, r->pressure && r->w[z].below);
		for (i64 i = 0; i < want; i++) {
			u64 p;
			if (buddy_alloc(b, order, mt, &p)) {
				b->st.failures[order]--;
				break;
			}
			l->v[l->n++] = p; /* tail */
			s->count += 1LL << order;
			r->refill_blocks++;
		}
	}
	ref_wm_after(r, z, b->st.claim_tries - claims);
	if (!l->n)
		return -ENOMEM;
	*pfn = l->v[0];
	memmove(l->v, l->v + 1, (l->n - 1) * sizeof(u64));
	l->n--;
	s->count -= 1LL << order;
	return 0;
}

/* Normal requests: every zone above low, first with ALLOC_NOFRAGMENT (the zones have
 * watermarks), then without; then above min (lowmem_reserve included); then Normal whatever its
 * watermarks and DMA32 above min + reserve; a zone without a block is not tried again in the
 * same mode, and a failure with ALLOC_NOFRAGMENT is not counted as the buddy's. */
static int ref_alloc(struct ref_pcp *r, unsigned cpu, unsigned order, int mt, u64 *pfn)
{
	bool tried[ZONE_NR_TYPES] = {false};
	for (int pass = r->w[r->zs.index[ZONE_NORMAL]].on ? 0 : 1; pass < 4; pass++) {
		if (pass == 1)
			memset(tried, 0, sizeof(tried));
		for (int t = ZONE_NORMAL; t >= 0; t--) {
			int z = r->zs.index[t];
			if (z < 0 || tried[z])
				continue;
			ref_wm_visit(r, z, order);
			if ((pass < 3 || t != ZONE_NORMAL) && !ref_gate(r, z, order, pass < 2 ? 1 : 0))
				continue;
			tried[z] = true;
			struct buddy *b = &r->zs.zone[z].buddy;
			u64 fails = b->st.failures[order];
			b->nofragment = pass == 0;
			int e = ref_take(r, z, cpu, order, mt, pfn);
			b->nofragment = false;
			if (!e)
				return 0;
			if (pass == 0)
				b->st.failures[order] = fails;
		}
	}
	return -ENOMEM;
}

static void ref_free(struct ref_pcp *r, unsigned cpu, u64 pfn, unsigned order, int mt)
{
	int z = zones_find(&r->zs, pfn);
	const struct buddy *bb = &r->zs.zone[z].buddy;
	if (bb->pageblock_mt && ref_li(order, mt) >= 0) /* mobility: the pageblock's list */
		mt = bb->pageblock_mt[((pfn >> 9) - (bb->base_pfn >> 9))];
	int li = ref_li(order, mt);
	if (li < 0) {
		zones_free(&r->zs, pfn, order);
		ref_wm_free(r, z, false);
		return;
	}
	struct ref_set *s = &r->s[z][cpu];
	struct ref_list *l = &s->l[li];
	s->af /= 2;
	memmove(l->v + 1, l->v, l->n * sizeof(u64));
	l->v[0] = pfn;
	l->n++;
	s->count += 1LL << order;
	bool free_high = false;
	if (order >= 1 && order <= 3) {
		free_high = s->free_count >= s->batch + s->hmin / 2 && s->prev_high && s->count >= s->batch;
		s->prev_high = true;
	} else {
		s->prev_high = false;
	}
	if (s->free_count < s->batch * 32)
		s->free_count += 1LL << order;
	/* nr_pcp_high */
	s->high = clampl(s->high, s->hmin, s->hmax);
	i64 high = s->high;
	i64 fc = s->free_count > s->batch ? s->free_count : s->batch;
	if (high && free_high) {
		s->high = high - s->batch * 32 > s->hmin ? high - s->batch * 32 : s->hmin;
		high = 0;
	} else if (high && r->pressure && (r->w[z].reclaim || (r->traced && r->w[z].on))) {
		s->high = high - fc > s->hmin ? high - fc : s->hmin;
		high = s->batch * 4 < s->high ? s->batch * 4 : s->high;
	} else if (high && r->pressure && s->hmin != s->hmax && r->w[z].below) {
		s->high = high - fc > s->hmin ? high - fc : s->hmin;
		high = s->count > s->hmin ? s->count : s->hmin;
	} else if (high && s->hmin != s->hmax && s->count >= high && s->high < s->free_count + s->batch) {
		s->high = clampl(s->free_count + s->batch, s->hmin, s->hmax);
	}
	if (s->count < high)
		return;
	/* nr_pcp_free */
	i64 n;
	if (free_high)
		n = s->count < s->batch * 32 ? s->count : s->batch * 32;
	else if (high < s->batch)
		n = 1;
	else /* the kernel's clamp: min(max(v, lo), hi), hi winning when lo > hi */
		n = (s->free_count > s->batch ? s->free_count : s->batch) < high - s->batch
			    ? (s->free_count > s->batch ? s->free_count : s->batch)
			    : high - s->batch;
	ref_drain(r, &r->zs.zone[z].buddy, s, li, n);
	ref_wm_free(r, z, true);
}

static void ref_tick(struct ref_pcp *r, u64 now)
{
	if (now < r->next_decay)
		return;
	u64 rounds = r->next_decay ? (now - r->next_decay) / 1000000000ULL + 1 : 0;
	if (rounds > 16)
		rounds = 16;
	r->next_decay = (now / 1000000000ULL + 1) * 1000000000ULL;
	for (u64 k = 0; k < rounds; k++)
		for (unsigned z = 0; z < r->zs.nr_zones; z++)
			for (int c = 0; c < NCPU; c++) {
				struct ref_set *s = &r->s[z][c];
				if (s->high > s->hmin) {
					i64 h = s->high - s->high / 8;
					if (s->count - s->batch * 32 > h)
						h = s->count - s->batch * 32;
					s->high = h > s->hmin ? h : s->hmin;
				}
				if (s->count > s->high)
					ref_drain(r, &r->zs.zone[z].buddy, s, 0, s->count - s->high);
				ref_wm_free(r, (int)z, false);
			}
}

static void ref_reveal(struct ref_pcp *r, unsigned z, unsigned cpu, unsigned order, bool drained)
{
	struct ref_set *s = &r->s[z][cpu];
	i64 n = 1LL << order;
	if (drained && s->pending) {
		s->pending -= n < s->pending ? n : s->pending;
	} else if (s->start) {
		if (n > s->start)
			n = s->start;
		s->start -= n;
		s->count -= n;
	} else {
		s->pending -= n < s->pending ? n : s->pending;
	}
}

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
