#include "core/phys/pcp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PCP_DEFAULT_BATCH 63 /* zone_batchsize() of any zone above 256 MiB */

static unsigned pcp_list_order(int li)
{
	return li < 4 * MT_NR ? (unsigned)(li / MT_NR) : BUDDY_PAGEBLOCK_ORDER;
}

static void pcp_set_init(struct pcp_set *s, const struct pcp_cpu_cfg *c, const struct pcp_cfg *cfg)
{
	bool recorded = c->high || c->batch || c->high_max;
	s->batch = (int)(cfg->batch_set ? cfg->batch_set : recorded ? c->batch : PCP_DEFAULT_BATCH);
	if (s->batch < 1)
		s->batch = 1;
	if (cfg->high_set || (cfg->tune == PCP_TUNE_FIXED && (recorded || c->high))) {
		u32 h = cfg->high_set ? cfg->high_set : c->high;
		s->high = s->high_min = s->high_max = (int)MM_MIN(h, (u32)INT32_MAX);
	} else if (cfg->high_set) {
		s->high = s->high_min = s->high_max = (int)MM_MIN(cfg->high_set, (u32)INT32_MAX);
	} else if (!recorded) {
		s->high = s->high_min = s->high_max = 4 * s->batch;
	} else {
		s->high = (int)MM_MIN(c->high, (u32)INT32_MAX);
		s->high_min = c->high_max ? (int)c->high_min : s->high;
		s->high_max = c->high_max ? (int)MM_MIN(c->high_max, (u32)INT32_MAX) : s->high;
	}
	s->count = s->start = c->count;
}

int pcp_init(struct pcp *p, struct zones *zs, const struct pcp_cfg *cfg)
{
	memset(p, 0, sizeof(*p));
	p->zs = zs;
	p->first = -1;
	p->ncpus = cfg->ncpus ? MM_MIN(cfg->ncpus, PCP_MAX_CPUS) : 1;
	p->tune = cfg->tune;
	wmark_init(&p->wm, zs, &cfg->wm);
	p->set = calloc((size_t)zs->nr_zones * p->ncpus, sizeof(*p->set));
	if (!p->set)
		return -ENOMEM;
	for (unsigned z = 0; z < zs->nr_zones; z++)
		for (unsigned c = 0; c < p->ncpus; c++)
			pcp_set_init(&p->set[z * p->ncpus + c], &cfg->zone[z].cpu[c], cfg);
	return 0;
}

void pcp_fini(struct pcp *p)
{
	if (!p->set)
		return;
	for (size_t i = 0; i < (size_t)p->zs->nr_zones * p->ncpus; i++)
		for (unsigned l = 0; l < PCP_NR_LISTS; l++)
			free(p->set[i].list[l].pfn);
	free(p->set);
	p->set = NULL;
}

static int pl_grow(struct pcp_list *l)
{
	u32 cap = l->cap ? l->cap * 2 : 64;
	u64 *n = malloc((size_t)cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (u32 i = 0; i < l->len; i++)
		n[i] = l->pfn[(l->head + i) & (l->cap - 1)];
	free(l->pfn);
	l->pfn = n;
	l->head = 0;
	l->cap = cap;
	return 0;
}

static int pl_push_head(struct pcp_list *l, u64 pfn)
{
	if (l->len == l->cap && pl_grow(l))
		return -ENOMEM;
	l->head = (l->head - 1) & (l->cap - 1);
	l->pfn[l->head] = pfn;
	l->len++;
	return 0;
}

static int pl_push_tail(struct pcp_list *l, u64 pfn)
{
	if (l->len == l->cap && pl_grow(l))
		return -ENOMEM;
	l->pfn[(l->head + l->len) & (l->cap - 1)] = pfn;
	l->len++;
	return 0;
}

static u64 pl_pop_head(struct pcp_list *l)
{
	u64 v = l->pfn[l->head];
	l->head = (l->head + 1) & (l->cap - 1);
	l->len--;
	return v;
}

static u64 pl_pop_tail(struct pcp_list *l)
{
	l->len--;
	return l->pfn[(l->head + l->len) & (l->cap - 1)];
}

static int pcp_mt(int mt)
{
	return mt >= 0 && mt < MT_NR ? mt : MT_UNMOVABLE;
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* nr_pcp_alloc: how many blocks a refill takes; raises high and alloc_factor as it goes. */
static int pcp_nr_alloc(struct pcp_set *s, unsigned order, bool below_high)
{
	int base = s->batch, high = s->high = clampi(s->high, s->high_min, s->high_max);
	if (high < base)
		return 1;
	int batch = order ? base : base << s->alloc_factor;
	if (s->high_min != s->high_max && !below_high)
		high = s->high = MM_MIN(high + batch, s->high_max);
	if (!order) {
		int max_nr = MM_MAX(high - (int)s->count - base, base);
		if (batch <= max_nr && s->alloc_factor < PCP_BATCH_SCALE_MAX)
			s->alloc_factor++;
		batch = MM_MIN(batch, max_nr);
	}
	if (batch > 1)
		batch = MM_MAX(batch >> order, 2);
	return batch;
}

/* rmqueue_bulk: up to n blocks of `order` from the zone's buddy onto the list's tail. */
static int pcp_refill(struct pcp *p, struct buddy *b, struct pcp_set *s, struct pcp_list *l, unsigned order,
		      int mt, bool below_high)
{
	int n = pcp_nr_alloc(s, order, below_high), err = 0;
	p->st.refills++;
	b->bulk = true;
	for (int i = 0; i < n && !err; i++) {
		u64 pfn;
		if (buddy_alloc(b, order, mt, &pfn)) {
			b->st.failures[order]--; /* a short refill is not a failed request */
			break;
		}
		if ((err = pl_push_tail(l, pfn)))
			break;
		s->count += 1ULL << order;
		p->st.refill_blocks++;
	}
	b->bulk = b->bulk_steal = false;
	return err;
}

/* rmqueue in zone position z: the per-CPU list of a pcp order (refilled when empty), else the
 * buddy. 0 with *pfn, -ENOMEM (no block), -ENOMEM with *oom (host memory). */
static int pcp_take(struct pcp *p, unsigned z, unsigned cpu, unsigned order, int mt, u64 *pfn, bool *oom)
{
	struct zone *zone = &p->zs->zone[z];
	int li = pcp_pindex(order, mt), err = -ENOMEM;
	u64 claims = zone->buddy.st.claim_tries;
	wmark_before_alloc(&p->wm, z, order);
	if (li >= 0) {
		struct pcp_set *s = &p->set[z * p->ncpus + cpu % p->ncpus];
		struct pcp_list *l = &s->list[li];
		s->free_count >>= 1; /* allocating: the next drains shrink */
		bool below =
			(p->tune == PCP_TUNE_PRESSURE || p->tune == PCP_TUNE_AUTO) && p->wm.z[z].below_high;
		if (!l->len && p->tune != PCP_TUNE_TRACE &&
		    pcp_refill(p, &zone->buddy, s, l, order, mt, below))
			return *oom = true, -ENOMEM;
		if (l->len) {
			*pfn = pl_pop_head(l);
			s->count -= 1ULL << order;
			p->st.list_allocs++;
			err = 0;
		} else if (p->tune == PCP_TUNE_TRACE && !(err = buddy_alloc(&zone->buddy, order, mt, pfn))) {
			p->st.trace_list_misses++;
		}
	} else if (!(err = buddy_alloc(&zone->buddy, order, mt, pfn))) {
		p->st.direct_allocs++;
	}
	wmark_after_alloc(&p->wm, z, order, zone->buddy.st.claim_tries - claims);
	return err;
}

/* get_page_from_freelist's zonelist walk, four times: every zone above its low watermark with
 * ALLOC_NOFRAGMENT (a Normal request where a DMA32 zone exists: another type's free blocks
 * only as whole pageblocks), then without it; then above min (the slow path after waking
 * kswapd), each watermark plus the lowmem_reserve of the request's highest zone, and for order
 * > 0 a free block of the order in the zone's buddy (a listed one does not count); then the
 * model's stand-in for reclaim (the trace's frees are the reclaim): the preferred zone whatever
 * its watermarks, the lower ones above min + lowmem_reserve. Zones without watermarks pass
 * every gate. A zone that had no block is not tried again in the same mode. */
int pcp_alloc(struct pcp *p, enum zone_type limit, unsigned cpu, unsigned order, int mt, u64 *pfn,
	      unsigned *zone_idx)
{
	struct zones *zs = p->zs;
	if ((unsigned)limit >= ZONE_NR_TYPES || !zs->nr_zones || order > zs->zone[0].buddy.max_order) {
		zs->st.bad_requests++;
		return -EINVAL;
	}
	mt = pcp_mt(mt);
	zs->st.requests[limit]++;
	int nz = zs->index[ZONE_NORMAL];
	bool nofrag = limit == ZONE_NORMAL && nz >= 0 && zs->index[ZONE_DMA32] >= 0 && p->wm.z[nz].on;
	unsigned tried = 0;
	for (int pass = nofrag ? 0 : 1; pass < 4; pass++) {
		if (pass == 1)
			tried = 0;
		for (int t = p->first >= 0 && p->first < (int)limit ? p->first : (int)limit; t >= 0; t--) {
			int z = zs->index[t];
			if (z < 0 || (tried >> z & 1))
				continue;
			wmark_zone_visit(&p->wm, (unsigned)z, order, limit);
			bool gated = pass < 3 || t != (int)limit;
			if (gated && !wmark_zone_ok(&p->wm, (unsigned)z, order, limit,
						    pass < 2 ? WMARK_LOW : WMARK_MIN))
				continue;
			tried |= 1u << z;
			struct zone *zone = &zs->zone[z];
			bool oom = false;
			zone->buddy.nofragment = pass == 0;
			u64 fails = zone->buddy.st.failures[order];
			int err = pcp_take(p, (unsigned)z, cpu, order, mt, pfn, &oom);
			zone->buddy.nofragment = false;
			if (err && oom)
				return -ENOMEM;
			if (err && pass == 0) { /* not a failure yet: tried again without the flag */
				zone->buddy.st.failures[order] = fails;
				continue;
			}
			if (err) {
				zone->st.passed++;
				continue;
			}
			zone->st.allocs++;
			if (t != (int)limit)
				zone->st.fallback_allocs++;
			if (zone_idx)
				*zone_idx = (unsigned)z;
			return 0;
		}
	}
	zs->st.failures++;
	zs->st.limit_failures[limit]++;
	p->st.alloc_failures++;
	return -ENOMEM;
}

/* free_pcppages_bulk: `pages` pages back to the buddy from the list tails, list `from` first,
 * then round-robin, each list emptied from its tail before moving on; the start pages last.
 * Their identity comes only with the trace's drain events, so a start page a model drain takes
 * is neither listed nor free until then (pending); the kernel also hands them to untraced bulk
 * allocations (vmalloc), whose frees reach the lists again as seeded frees. Draining them first
 * left up to 15 k pages pending on the bundled recordings (free-pages error 12-19 k pages);
 * last, 6-8 k. */
static void pcp_drain(struct pcp *p, struct buddy *b, struct pcp_set *s, int from, i64 pages)
{
	pages = MM_MIN(pages, (i64)s->count);
	p->st.drains++;
	int li = from - 1;
	while (pages > 0 && s->count > s->start) {
		do
			li = (li + 1) % PCP_NR_LISTS;
		while (!s->list[li].len);
		struct pcp_list *l = &s->list[li];
		unsigned order = pcp_list_order(li);
		do {
			buddy_free(b, pl_pop_tail(l), order);
			s->count -= 1ULL << order;
			pages -= 1LL << order;
			p->st.drain_blocks++;
		} while (pages > 0 && l->len);
	}
	u64 st = MM_MIN((u64)MM_MAX(pages, 0), s->start);
	s->start -= st;
	s->pending += st;
	s->count -= st;
	p->st.start_drained += st;
}

/* nr_pcp_high: the count a free may reach; raises high for a CPU that keeps freeing, lowers it
 * while the zone is short of memory (wz NULL: the zone flags are not followed). */
static int pcp_nr_high(struct pcp *p, struct pcp_set *s, const struct wmark_zone *wz, bool free_high)
{
	int high = s->high = clampi(s->high, s->high_min, s->high_max);
	if (!high)
		return 0;
	if (free_high) {
		s->high = MM_MAX(high - (s->batch << PCP_BATCH_SCALE_MAX), s->high_min);
		return 0;
	}
	if (wz && wmark_reclaiming(wz)) {
		s->high = MM_MAX(high - MM_MAX(s->free_count, s->batch), s->high_min);
		p->st.pressure_drains += (i64)s->count >= MM_MIN(s->batch << 2, s->high);
		return MM_MIN(s->batch << 2, s->high);
	}
	if (s->high_min == s->high_max)
		return high;
	if (wz && wz->below_high) { /* every free drains once the lists hold high_min */
		s->high = MM_MAX(high - MM_MAX(s->free_count, s->batch), s->high_min);
		high = (int)MM_MAX((i64)s->count, (i64)s->high_min);
		p->st.pressure_drains += (i64)s->count >= high;
		return high;
	}
	if ((i64)s->count >= high) {
		int need = s->free_count + s->batch;
		if (s->high < need)
			s->high = clampi(need, s->high_min, s->high_max);
	}
	return high;
}

/* nr_pcp_free: how many pages a drain returns. */
static i64 pcp_nr_free(const struct pcp_set *s, int high, bool free_high)
{
	if (free_high)
		return MM_MIN((i64)s->count, (i64)s->batch << PCP_BATCH_SCALE_MAX);
	if (high < s->batch)
		return 1;
	return MM_MIN(MM_MAX(s->free_count, s->batch), high - s->batch);
}

int pcp_free(struct pcp *p, unsigned cpu, u64 pfn, unsigned order, int mt)
{
	struct zones *zs = p->zs;
	int z = zones_find(zs, pfn);
	if (z < 0 || pcp_order_index(order) < 0 || buddy_alloc_order(&zs->zone[z].buddy, pfn) != (int)order) {
		if (zones_free(zs, pfn, order))
			return -EINVAL;
		p->st.direct_frees++;
		wmark_after_free(&p->wm, (unsigned)zones_find(zs, pfn), false);
		return 0;
	}
	struct buddy *b = &zs->zone[z].buddy;
	struct pcp_set *s = &p->set[(unsigned)z * p->ncpus + cpu % p->ncpus];
	if (b->pageblock_mt) /* the kernel: the pageblock's type; else the allocation's, or movable */
		mt = b->pageblock_mt[buddy_pageblock(b, pfn - b->base_pfn)];
	int li = pcp_pindex(order, mt >= 0 && mt < MT_NR ? mt : MT_MOVABLE);
	s->alloc_factor >>= 1; /* freeing: the next refills shrink */
	if (pl_push_head(&s->list[li], pfn))
		return -ENOMEM;
	s->count += 1ULL << order;
	zs->zone[z].st.frees++;
	p->st.list_frees++;
	bool free_high = false; /* high-order pages freed in a row without allocations */
	if (order && order <= 3) {
		free_high = s->free_count >= s->batch + s->high_min / 2 && s->prev_free_high &&
			    (i64)s->count >= s->batch;
		s->prev_free_high = true;
	} else {
		s->prev_free_high = false;
	}
	if (s->free_count < (s->batch << PCP_BATCH_SCALE_MAX))
		s->free_count += 1 << order;
	if (p->tune == PCP_TUNE_TRACE)
		return 0; /* the trace's drains drain */
	bool pressure = p->tune == PCP_TUNE_PRESSURE || p->tune == PCP_TUNE_AUTO;
	const struct wmark_zone *wz = pressure ? &p->wm.z[z] : NULL;
	int high = pcp_nr_high(p, s, wz, free_high);
	if ((i64)s->count >= high) {
		pcp_drain(p, b, s, li, pcp_nr_free(s, high, free_high));
		wmark_after_free(&p->wm, (unsigned)z, true);
	}
	return 0;
}

/* decay_pcp_high for one CPU and zone. */
static void pcp_decay(struct pcp *p, struct buddy *b, struct pcp_set *s)
{
	if (s->high > s->high_min) {
		i64 keep = (i64)s->count - ((i64)s->batch << PCP_BATCH_SCALE_MAX);
		s->high = (int)MM_MAX(MM_MAX(keep, (i64)(s->high - (s->high >> 3))), (i64)s->high_min);
	}
	if ((i64)s->count > s->high)
		pcp_drain(p, b, s, 0, (i64)s->count - s->high);
}

void pcp_tick(struct pcp *p, u64 now_ns)
{
	if (MM_LIKELY(now_ns < p->next_decay) || p->tune == PCP_TUNE_TRACE)
		return;
	unsigned rounds =
		p->next_decay ? (unsigned)MM_MIN((now_ns - p->next_decay) / PCP_DECAY_NS + 1, 16) : 0;
	p->next_decay = (now_ns / PCP_DECAY_NS + 1) * PCP_DECAY_NS;
	for (unsigned r = 0; r < rounds; r++) {
		p->st.decays++;
		for (unsigned z = 0; z < p->zs->nr_zones; z++)
			for (unsigned c = 0; c < p->ncpus; c++) {
				pcp_decay(p, &p->zs->zone[z].buddy, &p->set[z * p->ncpus + c]);
				wmark_after_free(&p->wm, z, false);
			}
	}
}

void pcp_reveal(struct pcp *p, unsigned z, unsigned cpu, unsigned order, bool drained)
{
	struct pcp_set *s = &p->set[z * p->ncpus + cpu % p->ncpus];
	u64 n = 1ULL << order;
	p->st.start_revealed++;
	p->st.start_revealed_drained += drained;
	if (drained && s->pending) { /* a model drain took it already */
		s->pending -= MM_MIN(n, s->pending);
	} else if (s->start) {
		n = MM_MIN(n, s->start);
		s->start -= n;
		s->count -= n;
	} else {
		s->pending -= MM_MIN(n, s->pending);
	}
}

void pcp_start_move(struct pcp *p, unsigned z, unsigned cpu, i64 pages)
{
	struct pcp_set *s = &p->set[z * p->ncpus + cpu % p->ncpus];
	u64 n = pages < 0 ? MM_MIN((u64)-pages, s->start) : (u64)pages;
	if (pages < 0) {
		s->start -= n;
		s->count -= n;
	} else {
		s->start += n;
		s->count += n;
	}
}

u64 pcp_zone_pages(const struct pcp *p, unsigned z)
{
	u64 n = 0;
	for (unsigned c = 0; c < p->ncpus; c++)
		n += p->set[z * p->ncpus + c].count;
	return n;
}

void pcp_free_direct(struct pcp *p, u64 pfn, unsigned order)
{
	if (zones_free(p->zs, pfn, order))
		return;
	p->st.direct_frees++;
	wmark_after_free(&p->wm, (unsigned)zones_find(p->zs, pfn), false);
}

int pcp_alloc_in(struct pcp *p, unsigned z, unsigned cpu, unsigned order, int mt, u64 *pfn)
{
	bool oom = false;
	if (z >= p->zs->nr_zones || order > p->zs->zone[z].buddy.max_order)
		return -EINVAL;
	int err = pcp_take(p, z, cpu, order, pcp_mt(mt), pfn, &oom);
	if (!err)
		p->zs->zone[z].st.allocs++;
	return err;
}

int pcp_trace_refill(struct pcp *p, unsigned z, unsigned cpu, unsigned order, int mt)
{
	int li = pcp_pindex(order, pcp_mt(mt));
	if (z >= p->zs->nr_zones || li < 0)
		return 0;
	struct buddy *b = &p->zs->zone[z].buddy;
	struct pcp_set *s = &p->set[z * p->ncpus + cpu % p->ncpus];
	u64 pfn, claims = b->st.claim_tries;
	b->bulk = true;
	int err = buddy_alloc(b, order, pcp_mt(mt), &pfn);
	b->bulk = b->bulk_steal = false;
	if (err) {
		if (err == -ENOMEM)
			b->st.failures[order]--; /* a refill is no request (an order above the zone's: none)
						  */
		p->st.trace_refill_misses++;
		return 0;
	}
	if (pl_push_tail(&s->list[li], pfn)) {
		buddy_free(b, pfn, order);
		return -ENOMEM;
	}
	s->count += 1ULL << order;
	p->st.refill_blocks++;
	wmark_after_alloc(&p->wm, z, order, b->st.claim_tries - claims);
	return 0;
}

/* The list of CPU c in zone z to drain one block of order from: (order, mt) first, then the
 * order's other lists; NULL when none holds one. */
static struct pcp_list *pcp_trace_list(struct pcp *p, unsigned z, unsigned c, unsigned order, int mt)
{
	struct pcp_set *s = &p->set[z * p->ncpus + c];
	int li = pcp_pindex(order, mt);
	if (li < 0)
		return NULL;
	if (s->list[li].len)
		return &s->list[li];
	for (int m = 0; m < MT_NR; m++)
		if ((li = pcp_pindex(order, m)) >= 0 && s->list[li].len)
			return &s->list[li];
	return NULL;
}

void pcp_trace_drain(struct pcp *p, unsigned z, unsigned cpu, unsigned order, int mt)
{
	if (z >= p->zs->nr_zones || pcp_order_index(order) < 0)
		return;
	for (unsigned i = 0; i < p->ncpus; i++) {
		unsigned c = (cpu + i) % p->ncpus;
		struct pcp_list *l = pcp_trace_list(p, z, c, order, pcp_mt(mt));
		if (!l)
			continue;
		buddy_free(&p->zs->zone[z].buddy, pl_pop_tail(l), order);
		p->set[z * p->ncpus + c].count -= 1ULL << order;
		p->st.drain_blocks++;
		wmark_after_free(&p->wm, z, true);
		return;
	}
	p->st.trace_drain_misses++;
}
