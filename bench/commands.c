#include <stddef.h>

#include "commands.h"

/* Keep sorted by how often people need them. */
const struct mm_command mm_commands[] = {
	{"bench", "engine throughput benchmarks (mmreplay bench --help)", cmd_bench},
	{"frag", "print the kernel's extfrag or unusable index for /proc/buddyinfo lines", cmd_frag},
	{NULL, NULL, NULL},
};
