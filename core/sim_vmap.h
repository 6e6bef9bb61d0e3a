/* sim.c's helpers for kernel-exact vmalloc, in sim_vmap.c; not part of the API. */
#ifndef SIM_VMAP_H
#define SIM_VMAP_H

#include "sim.h"

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
int sim_vmap_end_check(struct sim *s, const struct mm_event *ev);

#endif
