/* A simulated machine's physical memory as zones (DMA, DMA32, Normal): each a pfn range with
 * its own buddy allocator. A page request names its highest usable zone (gfp: GFP_DMA,
 * GFP_DMA32, otherwise Normal) and falls back down the kernel's zonelist, Normal -> DMA32 -> DMA.
 * Layouts are values (struct zones_cfg); workloads/state/zonelayout.h builds them from a command-line
 * spec or a /proc/zoneinfo or /proc/buddyinfo snapshot. Single node; no lowmem_reserve. */
#ifndef ZONES_H
#define ZONES_H

#include <stdio.h>

#include "core/phys/buddy.h"

/* Zone types in zonelist order, lowest first; a request for type t may use any zone <= t. */
enum zone_type { ZONE_DMA = 0, ZONE_DMA32 = 1, ZONE_NORMAL = 2, ZONE_NR_TYPES = 3 };

/* x86-64 boundaries: DMA below 16 MiB, DMA32 below 4 GiB. DMA and DMA32 zones must end at or
 * below ZONES_4G_PFN (that is what makes them addressable by a 32-bit pointer); the 16 MiB DMA
 * bound is x86's and is not enforced (arm64 has larger DMA zones). */
#define ZONES_DMA_END_PFN 0x1000ULL
#define ZONES_4G_PFN 0x100000ULL

struct zone_spec {
	enum zone_type type;
	u64 start_pfn;
	u64 nr_pages; /* pages the buddy manages, [start_pfn, start_pfn + nr_pages) */
};

struct zones_cfg {
	unsigned nr_zones;		       /* 1..ZONE_NR_TYPES */
	struct zone_spec zone[ZONE_NR_TYPES];  /* ascending type and pfn, each type at most once */
	unsigned max_order;		       /* 0 = BUDDY_DEFAULT_MAX_ORDER */
	const struct buddy_policy_ops *policy; /* NULL = lifo */
};

/* One Normal zone of 4 GiB at pfn 0x100000, as sim_cfg_default() has it. */
void zones_cfg_default(struct zones_cfg *cfg);
/* Validate a layout: types ascending and unique, pfn ranges ascending and disjoint, DMA and
 * DMA32 below 4 GiB, sizes within the buddy's limit. 0, or -EINVAL with a reason in why. */
int zones_cfg_check(const struct zones_cfg *cfg, char *why, size_t whylen);

const char *zone_type_name(enum zone_type t); /* "DMA", "DMA32", "Normal" (as the kernel prints) */
/* Case-insensitive name lookup; -1 for an unknown name. */
int zone_type_parse(const char *name, size_t len);

struct zone_stats {
	u64 allocs;	     /* requests this zone served (the kernel's pgalloc_<zone>) */
	u64 fallback_allocs; /* of which the request preferred a higher zone */
	u64 passed;	     /* requests that tried this zone, found no block, and went on */
	u64 frees;	     /* blocks freed back into this zone */
};

struct zone {
	enum zone_type type;
	struct buddy buddy; /* base_pfn/nr_pages are the zone's span */
	struct zone_stats st;
};

struct zones_stats {
	u64 requests[ZONE_NR_TYPES];	   /* allocation requests per highest usable zone */
	u64 failures;			   /* no zone in the request's zonelist had a block */
	u64 limit_failures[ZONE_NR_TYPES]; /* of those, by the request's highest usable zone */
	u64 bad_requests;		   /* GFP_DMA and GFP_DMA32 together, or order > max_order */
	u64 bad_frees;			   /* pfn in no zone, or not an allocated block of that order */
};

struct zones {
	unsigned nr_zones;
	struct zone zone[ZONE_NR_TYPES]; /* ascending type, hence ascending pfn */
	int index[ZONE_NR_TYPES];	 /* type -> position in zone[], or -1 when absent */
	struct zones_stats st;
};

int zones_init(struct zones *zs, const struct zones_cfg *cfg);
void zones_fini(struct zones *zs);

/* Highest zone a request may use, from MME_F_ZONE_DMA / MME_F_ZONE_DMA32 (core/mm_event.h);
 * -EINVAL when both are set (the kernel's gfp_zone() rejects that combination). */
int zones_limit_of_flags(unsigned mme_flags);
/* Allocate 2^order pages from the highest populated zone <= limit that has a block, walking
 * down the zonelist. 0 with *pfn (and *zone_idx, may be NULL), -ENOMEM (counted failure),
 * -EINVAL (counted bad request). */
int zones_alloc(struct zones *zs, enum zone_type limit, unsigned order, int mt, u64 *pfn, unsigned *zone_idx);
/* Faithful placement of [pfn, pfn + 2^order) in the zone holding pfn: buddy_alloc_at's
 * result, or -ERANGE when no zone holds pfn (not counted: the caller decides). */
int zones_alloc_at(struct zones *zs, u64 pfn, unsigned order, int mt);
/* Free a block into the zone holding pfn. 0, or -EINVAL (counted in bad_frees). */
int zones_free(struct zones *zs, u64 pfn, unsigned order);

/* Position in zone[] of the zone whose span holds pfn, or -1. */
int zones_find(const struct zones *zs, u64 pfn);
u64 zones_free_pages(const struct zones *zs);

/* The kernel's indices for zone position z and request order (core/phys/fragindex.h). */
int zones_extfrag(const struct zones *zs, unsigned z, unsigned order);
int zones_unusable(const struct zones *zs, unsigned z, unsigned order);

/* Every zone as /proc/buddyinfo prints it ("Node 0, zone %8s " then "%6lu " per order,
 * orders 0..max_order), so `mmreplay frag` and workloads/state/buddyinfo.h read it back. */
void zones_print_buddyinfo(const struct zones *zs, FILE *out);

#endif
