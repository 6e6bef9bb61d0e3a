/* The kernel-exact vmalloc settings (issue 11) as command-line values, shared by `replay` and
 * `vmalloc-fidelity` until the settings registry takes them:
 *   --flush-ceiling PAGES  x86 range flushes of more pages are full flushes (0: never; 33)
 *   --purge inline|trace|model   when a lazy purge runs (default: trace when the trace has
 *                          purge events, else model)
 *   --purge-delay N        model: vmalloc calls between the crossing vfree and the purge (1)
 *   --vmap-mode predict|follow   follow: each area goes where the kernel put it, after the
 *                          model's prediction is recorded (needs the nodes vmlist)
 *   --vmap-nodes N         nodes vmlist: nr_vmap_nodes (default: the machine's CPUs) */
#ifndef REPLAY_VMAP_H
#define REPLAY_VMAP_H

#include <stddef.h>

#include "sim.h"

/* Names of the options above without "--", NULL-terminated. */
extern const char *const replay_vmap_keys[];
/* Apply key=val to cfg: 0, or -EINVAL with a message in err. */
int replay_vmap_set(struct sim_cfg *cfg, const char *key, const char *val, char *err, size_t errlen);

#endif
