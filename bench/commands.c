#include <stddef.h>

#include "commands.h"

/* Keep sorted by how often people need them. */
const struct mm_command mm_commands[] = {
	{"bench", "engine throughput benchmarks (mmreplay bench --help)", cmd_bench},
	{"frag", "print the kernel's extfrag or unusable index for /proc/buddyinfo lines", cmd_frag},
	{"kmap", "the highmem persistent kmap pool on a synthetic workload, per pool size", cmd_kmap},
	{"zones", "a machine's zone layout (spec, /proc/zoneinfo or /proc/buddyinfo) and zonelist fallback",
	 cmd_zones},
	{"compare", "each configuration of a summary CSV against a baseline, in percent", cmd_compare},
	{"merge", "join CSVs with identical headers (suite cells run as separate jobs)", cmd_merge},
	{NULL, NULL, NULL},
};
