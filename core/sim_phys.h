/* sim.c's helpers for a recorded machine's physical memory, in sim_phys.c; not part
 * of the API. */
#ifndef SIM_PHYS_H
#define SIM_PHYS_H

#include "sim.h"

/* Seed the zones, set up per-CPU lists, and choose the models' page source (s->model_src). */
int sim_phys_init(struct sim *s);
/* A page event: skipped before cfg.page_from_ns, else replayed. */
int sim_phys_page_event(struct sim *s, const struct mm_event *ev);
/* A compaction:* event: counted (cmp_traced); in buddy and faithful modes the free scanner's
 * isolations are replayed (unless compaction is off); what is not replayed is evidence. */
int sim_phys_compaction(struct sim *s, const struct mm_event *ev);
/* Event ev made an allocation that no zone could serve: remember the first. */
void sim_phys_exhausted(struct sim *s, const struct mm_event *ev);

#endif
