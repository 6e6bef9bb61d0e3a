/* Where a model takes its pages from: a tiny ops table over either one buddy (a machine of one
 * zone, as the unit tests build) or a machine's zones (core/phys/zones.h). Every request names the
 * highest zone it may use (a zone limit: Normal for ordinary pages, DMA32 for vmalloc_32, ...);
 * pgtable, vmalloc, pagereplay and the process models borrow a page source by value. */
#ifndef PAGESRC_H
#define PAGESRC_H

#include "core/phys/buddy.h"
#include "core/phys/zones.h"

struct pagesrc_ops {
	const char *name; /* "buddy", "zones" */
	/* 2^order pages from a zone <= limit: 0 with *pfn, -ENOMEM, -EINVAL */
	int (*alloc)(void *ctx, unsigned order, int mt, enum zone_type limit, u64 *pfn);
	/* exactly [pfn, pfn + 2^order): 0, -EBUSY (not free), -ENXIO (pfn in no zone of a zones
	 * source), -ERANGE (the block leaves the zone or the buddy) */
	int (*alloc_at)(void *ctx, u64 pfn, unsigned order, int mt);
	/* 0, or -EINVAL (not an allocated block of that order; counted by the allocator) */
	int (*free)(void *ctx, u64 pfn, unsigned order);
	unsigned (*max_order)(const void *ctx);
};

struct pagesrc {
	const struct pagesrc_ops *ops;
	void *ctx; /* the struct buddy or struct zones; borrowed, must outlive every user */
};

/* One buddy seen as a single zone: a request limited to DMA (DMA32) is served only when the
 * buddy's whole span lies below 16 MiB (4 GiB), so a limit is never broken; else -ENOMEM. */
struct pagesrc pagesrc_buddy(struct buddy *b);
/* The machine's zones: zones_alloc with the zonelist fallback, zones_alloc_at, zones_free. */
struct pagesrc pagesrc_zones(struct zones *zs);

/* Pages that are not the zones': every request succeeds with a fresh pfn above any zone
 * (from PAGESRC_PHANTOM_BASE up), frees are accepted and forgotten, alloc_at has no zone. For
 * the models' own pages (vmalloc data pages, page tables) on a recorded machine, whose trace
 * already holds those pages as page events: the zones then see the trace's events only. */
#define PAGESRC_PHANTOM_BASE (1ULL << 40)
struct pagesrc_phantom {
	u64 next;	    /* the next pfn handed out */
	u64 allocs, frees;  /* blocks */
	unsigned max_order; /* the zones' */
};
struct pagesrc pagesrc_phantom(struct pagesrc_phantom *ph, unsigned max_order);

static inline int pagesrc_alloc(const struct pagesrc *s, unsigned order, int mt, enum zone_type limit,
				u64 *pfn)
{
	return s->ops->alloc(s->ctx, order, mt, limit, pfn);
}

static inline int pagesrc_alloc_at(const struct pagesrc *s, u64 pfn, unsigned order, int mt)
{
	return s->ops->alloc_at(s->ctx, pfn, order, mt);
}

static inline int pagesrc_free(const struct pagesrc *s, u64 pfn, unsigned order)
{
	return s->ops->free(s->ctx, pfn, order);
}

static inline unsigned pagesrc_max_order(const struct pagesrc *s)
{
	return s->ops->max_order(s->ctx);
}

#endif
