/* The slow, obvious reference of the per-CPU list model (core/phys/pcp.h): lists as plain
 * arrays (index 0 the head), the kernel's refill, free, drain, tuning and decay rules, the
 * watermark gates and kswapd's wake and window written out directly over a second, identical
 * machine. Shared by the per-CPU list tests. */
#ifndef PCP_REF_H
#define PCP_REF_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/phys/pcp.h"

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

static inline int ref_li(unsigned order, int mt)
{
	if (order <= 3)
		return (int)order * 3 + mt;
	return order == 9 ? 12 + (mt == MT_MOVABLE) : -1;
}

static inline unsigned ref_order(int li)
{
	return li < 12 ? (unsigned)li / 3 : 9;
}

static inline i64 clampl(i64 v, i64 lo, i64 hi)
{
	if (v < lo)
		v = lo;
	if (v > hi)
		v = hi;
	return v;
}

/* Free pages of a zone by a recount of its free lists. */
static inline i64 ref_free_pages(const struct buddy *b)
{
	i64 n = 0;
	for (unsigned o = 0; o <= b->max_order; o++)
		n += (i64)b->nr_free[o] << o;
	return n;
}

static inline void ref_kswapd_check(struct ref_pcp *r, int z)
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

static inline void ref_kswapd_wake(struct ref_pcp *r, int z)
{
	if (!r->w[z].reclaim) {
		r->w[z].reclaim = true;
		r->kswapd_wakes++;
		ref_kswapd_check(r, z);
	}
}

static inline void ref_wm_before(struct ref_pcp *r, int z, unsigned order)
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

/* A free block of `order` or larger in the zone's buddy, found by walking every list. */
static inline bool ref_has_block(const struct buddy *b, unsigned order)
{
	for (unsigned o = order; o <= b->max_order; o++)
		for (int mt = 0; mt < MT_NR; mt++)
			if (b->head[o][mt] != BUDDY_NIL)
				return true;
	return false;
}

/* A Normal request's walk reaches zone z: below high + boost + the zone's reserve for it, or
 * (order > 0) no free block of the order in its buddy. */
static inline void ref_wm_visit(struct ref_pcp *r, int z, unsigned order)
{
	struct ref_wm *w = &r->w[z];
	i64 f = ref_free_pages(&r->zs.zone[z].buddy) - ((1LL << order) - 1);
	bool block = !order || ref_has_block(&r->zs.zone[z].buddy, order);
	if (w->on && !w->below && (f <= w->wm[2] + w->boost + w->reserve || !block)) {
		w->below = true;
		r->below_sets++;
	}
}

static inline void ref_wm_after(struct ref_pcp *r, int z, u64 claims)
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

static inline void ref_wm_free(struct ref_pcp *r, int z, bool drained)
{
	struct ref_wm *w = &r->w[z];
	if (!w->on)
		return;
	if (drained && w->below && ref_free_pages(&r->zs.zone[z].buddy) > w->wm[2] + w->boost + w->reserve)
		w->below = false;
	ref_kswapd_check(r, z);
}

static inline i64 ref_nr_alloc(struct ref_set *s, unsigned order, bool below)
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

static inline void ref_drain(struct ref_pcp *r, struct buddy *b, struct ref_set *s, int from, i64 pages)
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
 * mark (boost included) plus the zone's lowmem_reserve, and for order > 0 a free block of that
 * order or larger in the buddy (blocks on the per-CPU lists do not count). */
static inline bool ref_gate(struct ref_pcp *r, int z, unsigned order, int mark)
{
	struct ref_wm *w = &r->w[z];
	if (!w->on)
		return true;
	i64 f = ref_free_pages(&r->zs.zone[z].buddy) - ((1LL << order) - 1);
	return f > w->wm[mark] + w->boost + w->reserve &&
	       (!order || ref_has_block(&r->zs.zone[z].buddy, order));
}

/* One zone's try: 0 with *pfn, or -ENOMEM. */
static inline int ref_take(struct ref_pcp *r, int z, unsigned cpu, unsigned order, int mt, u64 *pfn)
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
static inline int ref_alloc(struct ref_pcp *r, unsigned cpu, unsigned order, int mt, u64 *pfn)
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

static inline void ref_free(struct ref_pcp *r, unsigned cpu, u64 pfn, unsigned order, int mt)
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

static inline void ref_tick(struct ref_pcp *r, u64 now)
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

static inline void ref_reveal(struct ref_pcp *r, unsigned z, unsigned cpu, unsigned order, bool drained)
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

#endif
