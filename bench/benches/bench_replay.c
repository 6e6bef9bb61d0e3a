/* bench replay: events per second of the replay engine per configuration, on one core, from a
 * trace loaded once into memory (native traces load without parsing). The figure is the event
 * loop alone: the machine is built before the clock starts and torn down after it stops. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benches.h"
#include "commands.h"
#include "replay.h"
#include "trace.h"

static void bench_replay_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay bench replay [--vmlist L] [--tlb T] [--buddy B] [--repeat N]\n"
		   "                             [--target MEV] [--cached-hole] TRACE...\n\n"
		   "Replays each TRACE (any format; convert text traces with `mmreplay convert` first to\n"
		   "measure from the native format) --repeat times (default 5) per configuration and\n"
		   "prints the best and median million events per second of the event loop in wall time\n"
		   "and in the thread's CPU time (what one core spent; robust on a shared machine), with\n"
		   "the verdict of the median CPU figure against --target (default 10 Mevents/s).\n"
		   "--vmlist/--tlb/--buddy as in `mmreplay replay` (default: every vmlist with lazy TLB\n"
		   "and lifo buddy); --cached-hole gives rbtree the free_vmap_cache shortcut.\n");
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	return x < y ? -1 : x > y;
}

int bench_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{"vmlist", required_argument, NULL, 'v'}, {"tlb", required_argument, NULL, 't'},
		{"buddy", required_argument, NULL, 'b'},  {"repeat", required_argument, NULL, 'r'},
		{"target", required_argument, NULL, 'T'}, {"cached-hole", no_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
	};
	struct replay_matrix m;
	replay_matrix_default(&m);
	char err[256];
	replay_matrix_set(&m, "tlb", "lazy", err, sizeof(err));
	replay_matrix_set(&m, "buddy", "lifo", err, sizeof(err));
	unsigned long repeat = 5;
	double target = 10.0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "v:t:b:r:T:Hh", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'v':
		case 't':
		case 'b':
			if (replay_matrix_set(&m,
					      c == 'v'	 ? "vmlist"
					      : c == 't' ? "tlb"
							 : "buddy",
					      optarg, err, sizeof(err))) {
				fprintf(stderr, "mmreplay bench replay: %s\n", err);
				return MM_EXIT_USAGE;
			}
			break;
		case 'r':
			repeat = strtoul(optarg, &end, 10);
			if (*end || !repeat || repeat > 1000) {
				fprintf(stderr, "mmreplay bench replay: --repeat takes 1..1000\n");
				return MM_EXIT_USAGE;
			}
			break;
		case 'T':
			target = strtod(optarg, &end);
			if (*end || target < 0) {
				fprintf(stderr, "mmreplay bench replay: --target takes Mevents/s\n");
				return MM_EXIT_USAGE;
			}
			break;
		case 'H':
			m.base.cached_hole = true;
			break;
		case 'h':
			bench_replay_usage(stdout);
			return MM_EXIT_OK;
		default:
			bench_replay_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		bench_replay_usage(stderr);
		return MM_EXIT_USAGE;
	}
	u64 *ns = calloc(repeat, sizeof(*ns)), *cpu = calloc(repeat, sizeof(*cpu));
	if (!ns || !cpu) {
		free(ns);
		free(cpu);
		return MM_EXIT_FAIL;
	}
	int rc = MM_EXIT_OK;
	printf("%-24s %-9s %-5s %-8s %8s %10s %10s %10s %10s %s\n", "trace", "vmlist", "tlb", "buddy",
	       "events", "wall_best", "wall_med", "cpu_best", "cpu_med", "target (Mevents/s)");
	for (int i = optind; i < argc && rc == MM_EXIT_OK; i++) {
		struct mm_trace t;
		struct mm_diag d = {{0}};
		if (trace_load(argv[i], NULL, &t, &d)) {
			fprintf(stderr, "mmreplay bench replay: %s\n", d.msg);
			rc = MM_EXIT_FAIL;
			break;
		}
		const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		for (size_t k = 0; k < replay_matrix_size(&m) && rc == MM_EXIT_OK; k++) {
			struct sim_cfg cfg;
			replay_matrix_cfg(&m, k, t.ev, t.n, &cfg);
			for (unsigned long r = 0; r < repeat; r++) {
				struct replay_row row;
				if (replay_run(name, t.ev, t.n, &cfg, &row)) {
					rc = MM_EXIT_FAIL;
					break;
				}
				ns[r] = row.host_ns ? row.host_ns : 1;
				cpu[r] = row.host_cpu_ns ? row.host_cpu_ns : 1;
				replay_row_fini(&row);
			}
			if (rc != MM_EXIT_OK)
				break;
			qsort(ns, repeat, sizeof(*ns), cmp_u64);
			qsort(cpu, repeat, sizeof(*cpu), cmp_u64);
			double ev = (double)t.n * 1e3;
			double cmed = ev / (double)cpu[repeat / 2];
			printf("%-24s %-9s %-5s %-8s %8zu %10.2f %10.2f %10.2f %10.2f %s\n", name,
			       cfg.vmlist->name, cfg.tlb->name, cfg.buddy->name, t.n, ev / (double)ns[0],
			       ev / (double)ns[repeat / 2], ev / (double)cpu[0], cmed,
			       cmed >= target ? "met" : "MISSED");
			fflush(stdout);
		}
		trace_free(&t);
	}
	printf("peak RSS %.1f MiB\n", (double)bench_peak_rss() / (1 << 20));
	free(ns);
	free(cpu);
	return rc;
}
