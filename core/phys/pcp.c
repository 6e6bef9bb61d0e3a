#include "pcp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const unsigned pcp_orders[PCP_NR_ORDERS] = {0, 1, 2, 3, BUDDY_PAGEBLOCK_ORDER};

int pcp_init(struct pcp *p, struct zones *zs, const struct pcp_cfg *cfg)
{
	memset(p, 0, sizeof(*p));
	p->zs = zs;
	p->ncpus = cfg->ncpus ? MM_MIN(cfg->ncpus, PCP_MAX_CPUS) : 1;
	p->set = calloc((size_t)zs->nr_zones * p->ncpus, sizeof(*p->set));
	if (!p->set)
		return -ENOMEM;
	for (unsigned z = 0; z < zs->nr_zones; z++)
		for (unsigned c = 0; c < p->ncpus; c++) {
			struct pcp_set *s = &p->set[z * p->ncpus + c];
			s->high = cfg->high_set ? cfg->high_set : cfg->zone[z].cpu[c].high;
			s->batch = cfg->batch_set ? cfg->batch_set : cfg->zone[z].cpu[c].batch;
			if (!s->batch)
				s->batch = 1;
		}
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

/* rmqueue_bulk: up to n blocks of `order` from the zone's buddy onto the list's tail. */
static int pcp_refill(struct pcp *p, struct buddy *b, struct pcp_set *s, struct pcp_list *l, unsigned order,
		      int mt)
{
	u32 n = order ? MM_MAX(s->batch >> order, 2u) : s->batch;
	p->st.refills++;
	for (u32 i = 0; i < n; i++) {
		u64 pfn;
		if (buddy_alloc(b, order, mt, &pfn)) {
			b->st.failures[order]--; /* a short refill is not a failed request */
			break;
		}
		if (pl_push_tail(l, pfn))
			return -ENOMEM;
		s->count += 1ULL << order;
		p->st.refill_blocks++;
	}
	return 0;
}

int pcp_alloc(struct pcp *p, enum zone_type limit, unsigned cpu, unsigned order, int mt, u64 *pfn,
	      unsigned *zone_idx)
{
	struct zones *zs = p->zs;
	if ((unsigned)limit >= ZONE_NR_TYPES || !zs->nr_zones || order > zs->zone[0].buddy.max_order) {
		zs->st.bad_requests++;
		return -EINVAL;
	}
	int oi = pcp_order_index(order);
	mt = pcp_mt(mt);
	zs->st.requests[limit]++;
	for (int t = (int)limit; t >= 0; t--) {
		int z = zs->index[t];
		if (z < 0)
			continue;
		struct zone *zone = &zs->zone[z];
		int err = -ENOMEM;
		if (oi >= 0) {
			struct pcp_set *s = &p->set[(unsigned)z * p->ncpus + cpu % p->ncpus];
			struct pcp_list *l = &s->list[oi * MT_NR + mt];
			if (!l->len && pcp_refill(p, &zone->buddy, s, l, order, mt))
				return -ENOMEM;
			if (l->len) {
				*pfn = pl_pop_head(l);
				s->count -= 1ULL << order;
				p->st.list_allocs++;
				err = 0;
			}
		} else if (!(err = buddy_alloc(&zone->buddy, order, mt, pfn))) {
			p->st.direct_allocs++;
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
	zs->st.failures++;
	p->st.alloc_failures++;
	return -ENOMEM;
}

/* free_pcppages_bulk: at least `pages` pages back to the buddy, round-robin over the lists
 * starting after list `from`, each list emptied from its tail before moving on. */
static void pcp_drain(struct pcp *p, struct buddy *b, struct pcp_set *s, int from, u64 pages)
{
	int li = from;
	p->st.drains++;
	while (pages > 0 && s->count) {
		do
			li = (li + 1) % PCP_NR_LISTS;
		while (!s->list[li].len);
		struct pcp_list *l = &s->list[li];
		unsigned order = pcp_orders[li / MT_NR];
		do {
			buddy_free(b, pl_pop_tail(l), order);
			s->count -= 1ULL << order;
			pages -= MM_MIN(pages, 1ULL << order);
			p->st.drain_blocks++;
		} while (pages > 0 && l->len);
	}
}

int pcp_free(struct pcp *p, unsigned cpu, u64 pfn, unsigned order, int mt)
{
	struct zones *zs = p->zs;
	int z = zones_find(zs, pfn), oi = pcp_order_index(order);
	if (z < 0 || oi < 0 || buddy_alloc_order(&zs->zone[z].buddy, pfn) != (int)order) {
		if (zones_free(zs, pfn, order))
			return -EINVAL;
		p->st.direct_frees++;
		return 0;
	}
	struct buddy *b = &zs->zone[z].buddy;
	struct pcp_set *s = &p->set[(unsigned)z * p->ncpus + cpu % p->ncpus];
	if (b->pageblock_mt)
		mt = b->pageblock_mt[buddy_pageblock(b, pfn - b->base_pfn)];
	int li = oi * MT_NR + pcp_mt(mt);
	if (pl_push_head(&s->list[li], pfn))
		return -ENOMEM;
	s->count += 1ULL << order;
	zs->zone[z].st.frees++;
	p->st.list_frees++;
	if (s->count >= s->high) {
		u64 target = s->high > s->batch ? s->high - s->batch : 0;
		pcp_drain(p, b, s, li, MM_MAX((u64)s->batch, s->count - MM_MIN(s->count, target)));
	}
	return 0;
}

u64 pcp_zone_pages(const struct pcp *p, unsigned z)
{
	u64 n = 0;
	for (unsigned c = 0; c < p->ncpus; c++)
		n += p->set[z * p->ncpus + c].count;
	return n;
}
