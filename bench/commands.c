#include <stddef.h>

#include "commands.h"

/* Keep sorted by how often people need them. */
const struct mm_command mm_commands[] = {
	{"frag", "print the kernel's extfrag or unusable index for /proc/buddyinfo lines", cmd_frag},
	{"gen", "write a synthetic workload (test_vmalloc cases, buddy aging, mmap churn) as a native trace", cmd_gen},
	{NULL, NULL, NULL},
};
