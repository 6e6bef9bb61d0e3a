/* The per-CPU list model (core/phys/pcp.h) against a slow, obvious reference on random
 * workloads: lists as plain arrays (index 0 the head), the refill, drain and round-robin
 * rules of pcp.h written out directly over a second, identical machine. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcp.h"
#include "rng.h"

#define NCPU 3

struct ref_list {
	u64 v[1 << 16];
	u32 n;
};

struct ref_pcp {
	struct zones zs;
	struct ref_list l[ZONE_NR_TYPES][NCPU][PCP_NR_LISTS];
	u64 count[ZONE_NR_TYPES][NCPU];
	u32 high, batch;
	u64 refill_blocks, drain_blocks;
};

static const unsigned ref_orders[PCP_NR_ORDERS] = {0, 1, 2, 3, 9};

static int ref_alloc(struct ref_pcp *r, unsigned cpu, unsigned order, int mt, u64 *pfn)
{
	int oi = pcp_order_index(order);
	for (int t = ZONE_NORMAL; t >= 0; t--) {
		int z = r->zs.index[t];
		if (z < 0)
			continue;
		struct buddy *b = &r->zs.zone[z].buddy;
		if (oi < 0) {
			if (!buddy_alloc(b, order, mt, pfn))
				return 0;
			continue;
		}
		struct ref_list *l = &r->l[z][cpu][oi * MT_NR + mt];
		if (!l->n) {
			u32 want = order ? (r->batch >> order > 2 ? r->batch >> order : 2) : r->batch;
			for (u32 i = 0; i < want; i++) {
				u64 p;
				if (buddy_alloc(b, order, mt, &p))
					break;
				l->v[l->n++] = p; /* tail */
				r->count[z][cpu] += 1ULL << order;
				r->refill_blocks++;
			}
		}
		if (l->n) {
			*pfn = l->v[0];
			memmove(l->v, l->v + 1, (l->n - 1) * sizeof(u64));
			l->n--;
			r->count[z][cpu] -= 1ULL << order;
			return 0;
		}
	}
	return -ENOMEM;
}

static void ref_free(struct ref_pcp *r, unsigned cpu, u64 pfn, unsigned order, int mt)
{
	int z = zones_find(&r->zs, pfn), oi = pcp_order_index(order);
	if (oi < 0) {
		zones_free(&r->zs, pfn, order);
		return;
	}
	struct ref_list *l = &r->l[z][cpu][oi * MT_NR + mt];
	memmove(l->v + 1, l->v, l->n * sizeof(u64));
	l->v[0] = pfn;
	l->n++;
	u64 *count = &r->count[z][cpu];
	*count += 1ULL << order;
	if (*count < r->high)
		return;
	u64 target = r->high > r->batch ? r->high - r->batch : 0;
	u64 pages = *count > target ? *count - target : 0;
	if (pages < r->batch)
		pages = r->batch;
	int li = oi * MT_NR + mt;
	while (pages > 0 && *count) {
		do
			li = (li + 1) % PCP_NR_LISTS;
		while (!r->l[z][cpu][li].n);
		struct ref_list *d = &r->l[z][cpu][li];
		unsigned o = ref_orders[li / MT_NR];
		while (pages > 0 && d->n) {
			buddy_free(&r->zs.zone[z].buddy, d->v[--d->n], o);
			*count -= 1ULL << o;
			pages -= pages < (1ULL << o) ? pages : (1ULL << o);
			r->drain_blocks++;
		}
	}
}

static void layout(struct zones_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->nr_zones = 2;
	c->zone[0] = (struct zone_spec){ZONE_DMA32, 0x1000, 6000};
	c->zone[1] = (struct zone_spec){ZONE_NORMAL, 0x100000, 20000};
	c->policy = buddy_policy_find("lifo");
}

static void run(u64 seed, u32 high, u32 batch)
{
	struct zones_cfg zc;
	layout(&zc);
	struct zones zs;
	struct ref_pcp *r = calloc(1, sizeof(*r));
	cr_assert(r);
	cr_assert_eq(zones_init(&zs, &zc), 0);
	cr_assert_eq(zones_init(&r->zs, &zc), 0);
	struct pcp_cfg pc = {.ncpus = NCPU, .high_set = high, .batch_set = batch};
	struct pcp p;
	cr_assert_eq(pcp_init(&p, &zs, &pc), 0);
	r->high = high;
	r->batch = batch;
	struct rng g;
	rng_seed(&g, seed);
	struct {
		u64 pfn;
		unsigned order;
		int mt;
	} live[4096];
	unsigned nlive = 0;
	static const unsigned orders[] = {0, 0, 0, 0, 1, 2, 3, 9, 4, 5};
	for (int op = 0; op < 30000; op++) {
		unsigned cpu = (unsigned)rng_below(&g, NCPU);
		if (nlive < 4096 && (rng_below(&g, 2) || !nlive)) {
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
			unsigned k = (unsigned)rng_below(&g, nlive);
			cr_assert_eq(pcp_free(&p, cpu, live[k].pfn, live[k].order, live[k].mt), 0);
			ref_free(r, cpu, live[k].pfn, live[k].order, live[k].mt);
			live[k] = live[--nlive];
		}
		for (unsigned z = 0; z < zs.nr_zones; z++) {
			cr_assert_eq(zs.zone[z].buddy.free_pages, r->zs.zone[z].buddy.free_pages,
				     "op %d zone %u", op, z);
			u64 rc = 0;
			for (int c = 0; c < NCPU; c++)
				rc += r->count[z][c];
			cr_assert_eq(pcp_zone_pages(&p, z), rc, "op %d zone %u: pcp pages", op, z);
		}
	}
	cr_assert_eq(p.st.refill_blocks, r->refill_blocks);
	cr_assert_eq(p.st.drain_blocks, r->drain_blocks);
	cr_assert_gt(p.st.drain_blocks, 0, "the workload must drain");
	char msg[200];
	for (unsigned z = 0; z < zs.nr_zones; z++)
		cr_assert_eq(buddy_check(&zs.zone[z].buddy, msg, sizeof(msg)), 0, "%s", msg);
	pcp_fini(&p);
	zones_fini(&zs);
	zones_fini(&r->zs);
	free(r);
}

Test(pcp, matches_reference_small_high)
{
	run(1, 40, 7);
}

Test(pcp, matches_reference_large_high)
{
	run(2, 3000, 63);
}

Test(pcp, matches_reference_high_zero)
{
	run(3, 0, 1); /* the DMA zone's pagesets: every free drains at once */
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
	pcp_fini(&p);
	zones_fini(&zs);
}
