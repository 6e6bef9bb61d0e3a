/* What a command says on stderr about the model's memory (core/machine/sim_mem.h): a configuration that
 * fixes much memory up front, and a replay that met the limit. One line each, "mmreplay CMD: ...". */
#ifndef MEM_NOTE_H
#define MEM_NOTE_H

#include <stdio.h>

#include "core/machine/sim_stats.h"

/* When cfg fixes SIM_MEM_ANNOUNCE bytes or more: "mmreplay CMD: configuration LABEL: the model
 * takes 520 MiB up front (zones of 67108863 pages); it may grow to model-mem-max 2 GiB". */
void mem_note_config(FILE *f, const char *cmd, const char *label, const struct sim_cfg *cfg);
/* When the limit stopped events of a replay: "mmreplay CMD: TRACE (LABEL): 1234 events skipped
 * or cut short at model-mem-max 2 GiB (skipped_mem_limit); --model-mem-max raises it". */
void mem_note_row(FILE *f, const char *cmd, const char *trace, const char *label, const struct sim_stats *st);

#endif
