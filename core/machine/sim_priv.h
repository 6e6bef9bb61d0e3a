/* What only the machine's own files share (sim.c and its helpers sim_phys.c, sim_vmap.c,
 * sim_untraced.c); not part of the API. Code outside core/machine/ includes sim.h. */
#ifndef SIM_PRIV_H
#define SIM_PRIV_H

#include "core/machine/sim.h"

/* --- a recorded machine's physical memory (sim_phys.c) --- */
/* Seed the zones, set up per-CPU lists, and choose the models' page source (s->model_src). */
int sim_phys_init(struct sim *s);
/* A page event: skipped before cfg.page_from_ns, else replayed. */
int sim_phys_page_event(struct sim *s, const struct mm_event *ev);
/* A compaction:* event: counted (cmp_traced); in buddy and faithful modes the free scanner's
 * isolations are replayed (unless compaction is off); what is not replayed is evidence. */
int sim_phys_compaction(struct sim *s, const struct mm_event *ev);
/* The trace's kswapd runs and direct reclaim: the per-CPU lists' pressure points (placement). */
void sim_phys_reclaim(struct sim *s, const struct mm_event *ev);
/* Event ev made an allocation that no zone could serve: remember the first. */
void sim_phys_exhausted(struct sim *s, const struct mm_event *ev);

/* --- kernel-exact vmalloc (sim_vmap.c) --- */
/* nr_vmap_nodes for a machine of ncpus: the setting, else ncpus, clamped to 1..128. */
unsigned sim_vmap_nodes(const struct sim_cfg *cfg, unsigned ncpus);
int sim_vmap_seed(struct sim *s);
int sim_vmap_skip(struct sim *s, const struct mm_event *ev);
int sim_vmap_alloc(struct sim *s, const struct mm_event *ev, u64 *model);
void sim_vmap_freed(struct sim *s, const struct mm_event *ev, u64 size);
void sim_vmap_page_event(struct sim *s, const struct mm_event *ev, u64 unmatched_before);
/* The kernel queued a lazily freed area (a traced free): note it in the kernel's lazy list.
 * 0 or -ENOMEM (host). */
int sim_vmap_lazy_queued(struct sim *s);
int sim_vmap_trace_purge(struct sim *s, const struct mm_event *ev);
void sim_vmap_drain_call(struct sim *s, const struct mm_event *ev);
int sim_vmap_end_check(struct sim *s, const struct mm_event *ev);

/* --- page movements no kmem event shows (sim_untraced.c) ---
 * Evidence per snapshot interval, from the trace's own events (compaction's free scanner,
 * page isolation, deferred memory init the trace reveals) and the kernel's counters read with
 * the series (free page reporting, zones' managed pages); never from the buddyinfo being judged.
 * Deferred init grows the model's zones: a traced free of uninitialized memory is its
 * initialization (not evidence); another event touching it initializes its whole section and
 * is evidence, as are managed pages read with a snapshot beyond the model's, to which the zones
 * grow after that snapshot is compared.
 */
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
