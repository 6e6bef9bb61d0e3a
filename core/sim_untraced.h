/* sim.c's account of page movements no kmem event shows (core/sim_untraced.c; not part of the
 * API). Evidence per snapshot interval, from the trace's own events (compaction's free scanner,
 * page isolation, deferred memory init the trace reveals) and the kernel's counters read with
 * the series (free page reporting, zones' managed pages); never from the buddyinfo being judged.
 * Deferred init grows the model's zones: a traced free of uninitialized memory is its
 * initialization (not evidence); another event touching it initializes its whole section and
 * is evidence, as are managed pages read with a snapshot beyond the model's, to which the zones
 * grow after that snapshot is compared. */
#ifndef SIM_UNTRACED_H
#define SIM_UNTRACED_H

#include "sim.h"

/* After seeding: each zone's deferred-init cursor and managed pages. */
void sim_untraced_init(struct sim *s);
/* A compaction, migrate, page_isolation or reclaim event. */
void sim_untraced_event(struct sim *s, const struct mm_event *ev);
/* Event ev touched pfn past its zone's cursor: a free is the initialization of that block (and
 * of the memory below it), any other event the initialization of pfn's whole section. */
void sim_untraced_touch(struct sim *s, const struct mm_event *ev);
/* A page event about to be applied: memory it touches past a zone's cursor was initialized. */
static inline void sim_untraced_page(struct sim *s, const struct mm_event *ev)
{
	if (MM_UNLIKELY(ev->addr >= s->untr.min_cursor) && !(ev->flags & MME_F_FAILED))
		sim_untraced_touch(s, ev);
}
/* The evidence of snapshot k of ser's interval into buf ("" none), and the interval restarts. */
void sim_untraced_evidence(struct sim *s, const struct snap_series *ser, size_t k, char *buf, size_t len);
/* After snapshot k was compared: grow the zones to the managed pages read with it. */
void sim_untraced_after(struct sim *s, const struct snapshot *k);

#endif
