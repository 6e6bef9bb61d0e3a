#include "core/phys/pagesrc.h"

#include <errno.h>

/* --- one buddy --- */

static int ps_buddy_alloc(void *ctx, unsigned order, int mt, enum zone_type limit, u64 *pfn)
{
	struct buddy *b = ctx;
	u64 end = b->base_pfn + b->nr_pages;
	if ((limit == ZONE_DMA && end > ZONES_DMA_END_PFN) || (limit == ZONE_DMA32 && end > ZONES_4G_PFN))
		return -ENOMEM; /* the buddy's span is not addressable under the limit */
	if ((unsigned)limit >= ZONE_NR_TYPES)
		return -EINVAL;
	return buddy_alloc(b, order, mt, pfn);
}

static int ps_buddy_alloc_at(void *ctx, u64 pfn, unsigned order, int mt)
{
	return buddy_alloc_at(ctx, pfn, order, mt);
}

static int ps_buddy_free(void *ctx, u64 pfn, unsigned order)
{
	return buddy_free(ctx, pfn, order);
}

static unsigned ps_buddy_max_order(const void *ctx)
{
	const struct buddy *b = ctx;
	return b->max_order;
}

static const struct pagesrc_ops pagesrc_buddy_ops = {
	.name = "buddy",
	.alloc = ps_buddy_alloc,
	.alloc_at = ps_buddy_alloc_at,
	.free = ps_buddy_free,
	.max_order = ps_buddy_max_order,
};

struct pagesrc pagesrc_buddy(struct buddy *b)
{
	return (struct pagesrc){.ops = &pagesrc_buddy_ops, .ctx = b};
}

/* --- a machine's zones --- */

static int ps_zones_alloc(void *ctx, unsigned order, int mt, enum zone_type limit, u64 *pfn)
{
	return zones_alloc(ctx, limit, order, mt, pfn, NULL);
}

static int ps_zones_alloc_at(void *ctx, u64 pfn, unsigned order, int mt)
{
	if (zones_find(ctx, pfn) < 0)
		return -ENXIO; /* no zone holds it: distinct from a block that sticks out of one */
	return zones_alloc_at(ctx, pfn, order, mt);
}

static int ps_zones_free(void *ctx, u64 pfn, unsigned order)
{
	return zones_free(ctx, pfn, order);
}

static unsigned ps_zones_max_order(const void *ctx)
{
	const struct zones *zs = ctx;
	return zs->nr_zones ? zs->zone[0].buddy.max_order : 0;
}

static const struct pagesrc_ops pagesrc_zones_ops = {
	.name = "zones",
	.alloc = ps_zones_alloc,
	.alloc_at = ps_zones_alloc_at,
	.free = ps_zones_free,
	.max_order = ps_zones_max_order,
};

struct pagesrc pagesrc_zones(struct zones *zs)
{
	return (struct pagesrc){.ops = &pagesrc_zones_ops, .ctx = zs};
}

/* --- pages outside the zones --- */

static int ps_phantom_alloc(void *ctx, unsigned order, int mt, enum zone_type limit, u64 *pfn)
{
	struct pagesrc_phantom *ph = ctx;
	(void)mt;
	if ((unsigned)limit >= ZONE_NR_TYPES || order > ph->max_order)
		return -EINVAL;
	ph->next = (ph->next + (1ULL << order) - 1) & ~((1ULL << order) - 1); /* aligned, as a block */
	*pfn = ph->next;
	ph->next += 1ULL << order;
	ph->allocs++;
	return 0;
}

static int ps_phantom_alloc_at(void *ctx, u64 pfn, unsigned order, int mt)
{
	(void)ctx, (void)pfn, (void)order, (void)mt;
	return -ENXIO;
}

static int ps_phantom_free(void *ctx, u64 pfn, unsigned order)
{
	struct pagesrc_phantom *ph = ctx;
	(void)order;
	if (pfn < PAGESRC_PHANTOM_BASE || pfn >= ph->next)
		return -EINVAL;
	ph->frees++;
	return 0;
}

static unsigned ps_phantom_max_order(const void *ctx)
{
	const struct pagesrc_phantom *ph = ctx;
	return ph->max_order;
}

static const struct pagesrc_ops pagesrc_phantom_ops = {
	.name = "phantom",
	.alloc = ps_phantom_alloc,
	.alloc_at = ps_phantom_alloc_at,
	.free = ps_phantom_free,
	.max_order = ps_phantom_max_order,
};

struct pagesrc pagesrc_phantom(struct pagesrc_phantom *ph, unsigned max_order)
{
	*ph = (struct pagesrc_phantom){.next = PAGESRC_PHANTOM_BASE, .max_order = max_order};
	return (struct pagesrc){.ops = &pagesrc_phantom_ops, .ctx = ph};
}
