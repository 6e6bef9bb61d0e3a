/* /proc/pagetypeinfo: per zone, free blocks per migratetype and order, and pageblocks per
 * migratetype. Types the model does not have (HighAtomic, CMA, Isolate) are kept by name. */
#ifndef PAGETYPEINFO_H
#define PAGETYPEINFO_H

#include <stdio.h>

#include "workloads/diag.h"
#include "workloads/state/lineread.h"
#include "core/mm_types.h"

#define PTI_MAX_TYPES 8
#define PTI_MAX_ZONES 16
#define PTI_MAX_ORDERS 16

struct pti_zone {
	int node;
	char name[32];
	u64 free[PTI_MAX_TYPES][PTI_MAX_ORDERS]; /* free blocks per type (pti.type order) and order */
	u64 blocks[PTI_MAX_TYPES];		 /* pageblocks per type */
	bool have_blocks;
};

struct pagetypeinfo {
	unsigned nr_types, nr_orders, nr_zones;
	char type[PTI_MAX_TYPES][16]; /* "Unmovable", "Movable", ... as printed */
	struct pti_zone zone[PTI_MAX_ZONES];
};

/* Parse a snapshot ('#' lines are skipped). 0 or -EINVAL with "name:line: reason". */
int pagetypeinfo_parse(FILE *f, const char *name, struct pagetypeinfo *p, struct mm_diag *d);
int pagetypeinfo_load(const char *path, struct pagetypeinfo *p, struct mm_diag *d);
/* Index of the type named (e.g. "Movable") or -1; the zone named (node 0) or NULL. */
int pagetypeinfo_type(const struct pagetypeinfo *p, const char *name);
const struct pti_zone *pagetypeinfo_zone(const struct pagetypeinfo *p, const char *zone_name);

#endif
