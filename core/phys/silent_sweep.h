/* silent_out (silent.h) for queries in time order, by one configuration: a sweep over the
 * shared, read-only evidence index keeps, per group asked about, the pages out at the last
 * query's time. Each evidence is added once and removed once, so a replay's queries cost their
 * blocks' words, not their groups' evidence. Mutable: one sweep per configuration (thread). */
#ifndef SILENT_SWEEP_H
#define SILENT_SWEEP_H

#include "core/lib/hmap.h"
#include "core/phys/silent.h"

struct silent_sweep {
	const struct silent *s; /* indexed (silent_done) and unchanged while the sweep lives; NULL
				   before silent_sweep_init */
	u64 ts;			/* the latest query's time: a query before it asks silent_out */
	struct hmap at;		/* pfn >> SILENT_GROUP_ORDER -> its struct silent_sweep_group *, 0
				   for a group without evidence (both made at its first query) */
};

int silent_sweep_init(struct silent_sweep *w, const struct silent *s);
void silent_sweep_fini(struct silent_sweep *w);
/* silent_out(w->s, pfn, order, ts), the same answer always; fast while ts does not decrease. */
bool silent_sweep_out(struct silent_sweep *w, u64 pfn, unsigned order, u64 ts);

#endif
