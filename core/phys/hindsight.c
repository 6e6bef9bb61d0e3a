#include "core/phys/hindsight.h"

#include <errno.h>
#include <string.h>

#include "core/phys/pcp.h"

/* For one ts, injective in pfn (wrapping arithmetic); the value keeps ts to tell keys apart. */
static u64 hindsight_key(u64 pfn, u64 ts)
{
	return ts * 0x9e3779b97f4a7c15ULL + pfn;
}

int hindsight_init(struct hindsight *h)
{
	h->frees = 0;
	if (hmap_init(&h->pending, 1 << 16))
		return -ENOMEM;
	if (hmap_init(&h->to_buddy, 1 << 12)) {
		hmap_fini(&h->pending);
		return -ENOMEM;
	}
	if (silent_init(&h->silent)) {
		hmap_fini(&h->pending);
		hmap_fini(&h->to_buddy);
		return -ENOMEM;
	}
	return 0;
}

void hindsight_fini(struct hindsight *h)
{
	hmap_fini(&h->pending);
	hmap_fini(&h->to_buddy);
	silent_fini(&h->silent);
}

/* A free of a list order below the pageblock's (the THP lists' frees are left to their
 * drains: a THP freed to a list and taken from the buddy seconds later had not gone to the
 * buddy at its free, one block of an order-9 pair drained with a trace, the other without). */
static bool hindsight_listed_free(const struct mm_event *ev)
{
	return ev->kind == MME_PAGE_FREE && ev->order < BUDDY_PAGEBLOCK_ORDER &&
	       pcp_order_index(ev->order) >= 0;
}

int hindsight_scan(struct hindsight *h, const struct mm_event *ev, size_t n)
{
	if (silent_scan(&h->silent, ev, n))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct mm_event *e = &ev[i];
		u64 ts;
		switch (e->kind) {
		case MME_PAGE_ZONE_LOCKED:
		case MME_PAGE_EXTFRAG: /* taken from the buddy: the pending frees in the block put
					  their pages there (they merged into it) */
			for (u64 p = e->addr; p < e->addr + (1ULL << MM_MIN(e->order, 10u)); p++)
				if (hmap_del(&h->pending, p, &ts) &&
				    hmap_put(&h->to_buddy, hindsight_key(p, ts), ts) < 0)
					return -ENOMEM;
			break;
		case MME_PAGE_ALLOC: /* handed out from a list, or drained from one */
		case MME_PAGE_PCPU_DRAIN:
			hmap_del(&h->pending, e->addr, NULL);
			break;
		case MME_PAGE_FREE:
			if (!hindsight_listed_free(e)) {
				hmap_del(&h->pending, e->addr, NULL);
				break;
			}
			h->frees++; /* a free again: the one before went where it went, unseen */
			if (hmap_put(&h->pending, e->addr, e->ts_ns) < 0)
				return -ENOMEM;
			break;
		default:
			break;
		}
	}
	return 0;
}

void hindsight_done(struct hindsight *h)
{
	hmap_clear(&h->pending);
	(void)silent_done(&h->silent); /* without memory for its index, sweeps ask silent_out */
}

static const struct hindsight *hindsight_of_array_get(void *ctx)
{
	struct hindsight_of_array *a = ctx;
	if (!a->state) {
		a->state = -1;
		if (!hindsight_init(&a->h)) {
			int e = hindsight_scan(&a->h, a->ev, a->n);
			hindsight_done(&a->h);
			if (e)
				hindsight_fini(&a->h);
			a->state = e ? -1 : 1;
		}
	}
	return a->state > 0 ? &a->h : NULL;
}

void hindsight_of_array_init(struct hindsight_of_array *a, const struct mm_event *ev, size_t n)
{
	memset(a, 0, sizeof(*a));
	a->src = (struct hindsight_src){hindsight_of_array_get, a};
	a->ev = ev;
	a->n = n;
}

void hindsight_of_array_fini(struct hindsight_of_array *a)
{
	if (a->state > 0)
		hindsight_fini(&a->h);
	a->state = 0;
}

bool hindsight_to_buddy(const struct hindsight *h, const struct mm_event *ev)
{
	u64 ts;
	return hindsight_listed_free(ev) && hmap_get(&h->to_buddy, hindsight_key(ev->addr, ev->ts_ns), &ts) &&
	       ts == ev->ts_ns;
}
