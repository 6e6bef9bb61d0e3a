/* mmreplay machine's seeding views (machine_seed.c). */
#ifndef MACHINE_SEED_H
#define MACHINE_SEED_H

#include "bench/run/recording_cfg.h"
#include "core/machine/sim.h"
#include "workloads/diag.h"

/* The seeded zones of recording dir against its recorded buddyinfo, printed per order: 0 when
 * every order is within the before/after range, 1 when not, or -errno with d set. */
int machine_seed_check(const char *dir, const struct sim_cfg *cfg, struct mm_diag *d);

/* The seed brought to one instant and compared with the buddyinfo read after the page maps,
 * per zone: 0 in range, 1 not, or -errno with d set. */
int machine_seed_instant(struct recording_cfg *rc, const struct sim_cfg *cfg0, struct mm_diag *d);

#endif
