/* mmreplay bench: engine throughput benchmarks, one sub-benchmark per model. Host figures
 * only; run them on an idle machine. */
#include <stdio.h>
#include <string.h>

#include "bench/microbench/microbench.h"
#include "bench/cli/cli.h"
#include "bench/cli/commands.h"

static const struct mm_bench {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
} mm_benches[] = {
	{"buddy", "random order-0..3 alloc/free pairs on a 4 GiB zone, per policy", bench_buddy},
	{"parse", "trace readers: text parse vs awk, native read, streaming memory", bench_parse},
	{"vmlist", "long_busy_list search cost against live areas, per vmlist variant", bench_vmlist},
	{"replay", "replay events per second per configuration on loaded traces", bench_replay},
	{"gen", "events per second of each synthetic workload (mmreplay gen)", bench_gen},
	{"vma", "process calls of a trace replayed per VMA index variant: syscalls/s", bench_vma},
	{NULL, NULL, NULL},
};

static void bench_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay bench NAME [OPTIONS]   (mmreplay bench NAME --help)\n\nbenchmarks:\n");
	for (const struct mm_bench *b = mm_benches; b->name; b++)
		fprintf(f, "  %-8s %s\n", b->name, b->summary);
}

int cmd_bench(int argc, char **argv)
{
	if (argc < 2) {
		bench_usage(stderr);
		return MM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		bench_usage(stdout);
		return MM_EXIT_OK;
	}
	for (const struct mm_bench *b = mm_benches; b->name; b++)
		if (!strcmp(argv[1], b->name))
			return b->run(argc - 1, argv + 1);
	const char *names[16], *what = strncmp(argv[1], "--", 2) ? "benchmark" : "option";
	char list[256] = "";
	size_t n = 0;
	for (const struct mm_bench *b = mm_benches; b->name && n < 16; b++) {
		names[n++] = b->name;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", n > 1 ? ", " : "",
			 b->name);
	}
	const char *near = cli_closest(argv[1], names, n);
	fprintf(stderr, "mmreplay bench: unknown %s '%s'%s%s%s (benchmarks: %s)\n", what, argv[1],
		near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "", list);
	return MM_EXIT_USAGE;
}
