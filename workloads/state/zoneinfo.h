/* /proc/zoneinfo in full: per zone its span (start_pfn, spanned), present and managed pages,
 * free pages and each CPU's per-CPU pageset (count, high, batch). The machine seeding
 * (--page-state) takes the spans from here; the per-CPU list model its batch and high. */
#ifndef ZONEINFO_H
#define ZONEINFO_H

#include <stdio.h>

#include "workloads/diag.h"
#include "core/phys/pcp.h"
#include "core/phys/zones.h"

#define ZONEINFO_MAX_ZONES 16
#define ZONEINFO_MAX_CPUS PCP_MAX_CPUS

struct zoneinfo_pcp {
	u64 count, high, batch;
	u64 high_min, high_max; /* Linux 6.7+ (0 when the file has none) */
};

struct zoneinfo_zone {
	int node;
	char name[32];
	u64 line; /* of its "Node N, zone NAME" header */
	u64 start_pfn, spanned, present, managed, nr_free;
	u64 wmark_min, wmark_low, wmark_high, boost; /* watermarks (0 when the file has none) */
	u64 protection[ZONEINFO_MAX_ZONES];	     /* lowmem_reserve by the kernel's zone index */
	unsigned nr_protection;			     /* values on its "protection: (...)" line */
	bool have_start, have_spanned, have_present, have_managed;
	unsigned ncpus; /* pagesets read: cpu 0..ncpus-1 */
	struct zoneinfo_pcp pcp[ZONEINFO_MAX_CPUS];
};

struct zoneinfo {
	unsigned nr_zones;
	struct zoneinfo_zone zone[ZONEINFO_MAX_ZONES];
};

/* Parse f. 0, or -EINVAL with "name:line: reason" in d. */
int zoneinfo_parse(FILE *f, const char *name, struct zoneinfo *zi, struct mm_diag *d);
int zoneinfo_load(const char *path, struct zoneinfo *zi, struct mm_diag *d);
/* The non-empty zones as a layout, each zone its whole span [start_pfn, start_pfn + spanned)
 * (holes included: seeding marks them never allocatable). 0 or -EINVAL with d. */
int zoneinfo_span_layout(const struct zoneinfo *zi, const char *name, struct zones_cfg *cfg,
			 struct mm_diag *d);
/* The zoneinfo zone of type t (node 0), or NULL. */
const struct zoneinfo_zone *zoneinfo_find(const struct zoneinfo *zi, enum zone_type t);
/* Per-CPU list sizes: each non-empty zone's recorded batch and high per CPU. */
void zoneinfo_pcp_cfg(const struct zoneinfo *zi, const struct zones_cfg *layout, struct pcp_cfg *pc);

#endif
