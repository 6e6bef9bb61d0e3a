/* /proc/buddyinfo: "Node N, zone NAME c0 c1 ... cMAX", free blocks per order per zone. */
#ifndef BUDDYINFO_H
#define BUDDYINFO_H

#include <stdio.h>

#include "workloads/diag.h"
#include "core/mm_types.h"

#define BUDDYINFO_MAX_ORDERS 16
#define BUDDYINFO_MAX_ZONES 64

struct buddyinfo_zone {
	int node;
	char name[32];
	unsigned nr_orders;
	u64 nr_free[BUDDYINFO_MAX_ORDERS];
};

struct buddyinfo {
	unsigned nr_zones;
	struct buddyinfo_zone zones[BUDDYINFO_MAX_ZONES];
};

/* Parse every zone line of f; blank lines and '#' comments are skipped. All zones must have
 * the same number of orders. 0, or -EINVAL with "name:line: reason" in d. */
int buddyinfo_parse(FILE *f, const char *name, struct buddyinfo *bi, struct mm_diag *d);
/* Parse one line (no newline needed). */
int buddyinfo_parse_line(const char *line, struct buddyinfo_zone *z, const char **why);

#endif
