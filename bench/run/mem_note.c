#include "bench/run/mem_note.h"

void mem_note_config(FILE *f, const char *cmd, const char *label, const struct sim_cfg *cfg)
{
	u64 fixed = sim_mem_fixed(cfg), pages = 0;
	if (fixed < SIM_MEM_ANNOUNCE)
		return;
	for (unsigned z = 0; z < cfg->zones.nr_zones && z < ZONE_NR_TYPES; z++)
		pages += cfg->zones.zone[z].nr_pages;
	char a[32], b[32];
	sim_mem_format(fixed, a, sizeof(a));
	sim_mem_format(cfg->model_mem_max, b, sizeof(b));
	fprintf(f,
		"mmreplay %s: configuration %s: the model takes %s up front (zones of %llu pages); it may "
		"grow to model-mem-max %s\n",
		cmd, label && *label ? label : "default", a, (unsigned long long)pages, b);
}

void mem_note_row(FILE *f, const char *cmd, const char *trace, const char *label, const struct sim_stats *st)
{
	u64 n = st->outcome[SIM_SKIP_MEM_LIMIT];
	if (!n)
		return;
	char b[32];
	sim_mem_format(st->mem_limit, b, sizeof(b));
	fprintf(f,
		"mmreplay %s: %s (%s): %llu events skipped or cut short at model-mem-max %s "
		"(skipped_mem_limit); --model-mem-max raises it\n",
		cmd, trace, label && *label ? label : "default", (unsigned long long)n, b);
}
