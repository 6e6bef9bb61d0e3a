#include <stddef.h>

#include "bench/cli/commands.h"

/* Keep sorted by how often people need them. */
const struct mm_command mm_commands[] = {
	{"demo", "run the bundled traces through the models: the report page, CSV and graphs", cmd_demo},
	{"replay", "replay traces on every vmlist x tlb x buddy x vma configuration, one CSV row each",
	 cmd_replay},
	{"suite", "a suite file's or traces' matrix (or test_vmalloc): report page, CSV, graphs", cmd_suite},
	{"plot", "draw the graphs and the report page of a suite results directory", cmd_plot},
	{"bench", "engine throughput benchmarks (mmreplay bench --help)", cmd_bench},
	{"frag", "print the kernel's extfrag or unusable index for /proc/buddyinfo lines", cmd_frag},
	{"kmap", "the highmem persistent kmap pool on a synthetic workload, per pool size", cmd_kmap},
	{"machine",
	 "a recording replayed on its own machine (kpageflags seed), checked against its buddyinfo",
	 cmd_machine},
	{"zones", "a machine's zone layout (spec, /proc/zoneinfo or /proc/buddyinfo) and zonelist fallback",
	 cmd_zones},
	{"compare", "each configuration of a summary CSV against a baseline: the changes beyond noise",
	 cmd_compare},
	{"columns", "every column mmreplay writes: name, unit, class, outputs, description", cmd_columns},
	{"merge", "join CSVs with identical headers (suite cells run as separate jobs)", cmd_merge},
	{"info", "what a trace or recording holds: events per kind, tasks, the workload's share, snapshots",
	 cmd_info},
	{"convert", "convert a trace (perf, tracefs, strace, native) to the native format", cmd_convert},
	{"gen", "write a synthetic workload (test_vmalloc cases, buddy aging, mmap churn) as a native trace",
	 cmd_gen},
	{"maps", "final /proc/PID/maps of each process of an strace trace, replayed", cmd_maps},
	{"vmalloc-fidelity",
	 "replay machine recordings: kernel's vmalloc addresses, purges, end state matched",
	 cmd_vmalloc_fidelity},
	{NULL, NULL, NULL},
};
