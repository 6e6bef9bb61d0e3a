/* bench vma: replay a trace's process calls (mmap ... exit_group) through the address-space
 * model, per VMA index variant, on one core: syscalls per second and find_vma visits per call.
 * The trace is loaded into memory first (the native format needs no parsing: convert text
 * traces with `mmreplay convert`); only the replay loop is timed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benches.h"
#include "clock.h"
#include "commands.h"
#include "sim.h"
#include "trace.h"
#include "vma_csv.h"

static void bench_vma_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay bench vma [--vma list,rbtree,maple] [--repeat N] [--populate none|all]\n"
		   "                          TRACE\n\n"
		   "Loads TRACE (native format recommended: `mmreplay convert T.strace.txt.zst T.mmr`;\n"
		   "text traces are parsed once, before timing) and replays its process calls --repeat\n"
		   "times (default 200) per VMA index variant, each repeat on a fresh machine. Prints\n"
		   "syscalls/s (process events replayed: mmap, munmap, mprotect, brk, mremap, madvise,\n"
		   "fork, execve, exit_group; one core: the best repeat's wall clock, the mean wall\n"
		   "clock, and the mean thread CPU time, which a busy machine does not inflate) and the\n"
		   "model's "
		   "find_vma_visits per call (identical on every repeat).\n");
}

/* CPU time of this thread: what the replay used, whatever else the machine ran. */
static u64 bench_vma_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static int bench_vma_one(const struct mm_trace *t, const struct vma_index_ops *idx, bool populate,
			 unsigned repeat)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.vma = idx;
	cfg.populate = populate;
	cfg.zones.zone[0].nr_pages = 1 << 18; /* table pages only: 1 GiB is plenty */
	struct sim *s = malloc(sizeof(*s));
	if (!s)
		return MM_EXIT_FAIL;
	u64 best = UINT64_MAX, total = 0, cpu = 0, calls = 0, visits = 0, splits = 0, merges = 0;
	for (unsigned r = 0; r < repeat; r++) {
		if (sim_init(s, &cfg)) {
			free(s);
			fprintf(stderr, "mmreplay bench vma: out of memory\n");
			return MM_EXIT_FAIL;
		}
		u64 n = 0;
		u64 c0 = bench_vma_cpu_ns();
		u64 t0 = clock_ns();
		for (size_t i = 0; i < t->n; i++) {
			const struct mm_event *e = &t->ev[i];
			if (e->kind < MME_MMAP || e->kind > MME_EXIT)
				continue;
			procs_event(&s->procs, e);
			n++;
		}
		u64 ns = clock_ns() - t0;
		cpu += bench_vma_cpu_ns() - c0;
		best = MM_MIN(best, ns);
		total += ns;
		calls = n;
		visits = s->procs.st.vma.find_vma_visits;
		splits = s->procs.st.vma.vma_splits;
		merges = s->procs.st.vma.vma_merges;
		sim_fini(s);
	}
	free(s);
	double mean = (double)total / repeat;
	double cpu_mean = (double)cpu / repeat;
	printf("%-7s %7.2f M syscalls/s best %7.2f mean wall %7.2f mean cpu  %6.1f ns/call cpu  "
	       "find_vma_visits/call %7.2f  calls=%llu splits=%llu merges=%llu\n",
	       idx->name, best ? (double)calls * 1e3 / (double)best : 0.0,
	       mean ? (double)calls * 1e3 / mean : 0.0, cpu_mean ? (double)calls * 1e3 / cpu_mean : 0.0,
	       calls ? cpu_mean / (double)calls : 0.0, calls ? (double)visits / (double)calls : 0.0,
	       (unsigned long long)calls, (unsigned long long)splits, (unsigned long long)merges);
	return MM_EXIT_OK;
}

int bench_vma(int argc, char **argv)
{
	static const struct option opts[] = {
		{"vma", required_argument, NULL, 'v'},
		{"repeat", required_argument, NULL, 'r'},
		{"populate", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char variants[256] = "list,rbtree,maple";
	unsigned repeat = 200;
	bool populate = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "v:r:P:h", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			snprintf(variants, sizeof(variants), "%s", optarg);
			break;
		case 'r': {
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || *end || !v || v > 1000000) {
				fprintf(stderr, "mmreplay bench vma: bad --repeat '%s'\n", optarg);
				return MM_EXIT_USAGE;
			}
			repeat = (unsigned)v;
			break;
		}
		case 'P':
			if (vma_populate_parse(optarg, &populate)) {
				fprintf(stderr, "mmreplay bench vma: --populate takes none or all\n");
				return MM_EXIT_USAGE;
			}
			break;
		case 'h':
			bench_vma_usage(stdout);
			return MM_EXIT_OK;
		default:
			bench_vma_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		bench_vma_usage(stderr);
		return MM_EXIT_USAGE;
	}
	struct mm_trace t;
	struct mm_diag d;
	if (trace_load(argv[optind], NULL, &t, &d)) {
		fprintf(stderr, "mmreplay bench vma: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	printf("# bench vma: %s (%s), %zu events, %u repeats, populate %s, one core\n", argv[optind],
	       trace_format_name(t.format), t.n, repeat, populate ? "all" : "none");
	int rc = MM_EXIT_OK;
	for (char *save = NULL, *name = strtok_r(variants, ",", &save); name && rc == MM_EXIT_OK;
	     name = strtok_r(NULL, ",", &save)) {
		const struct vma_index_ops *idx = vma_index_find(name);
		if (!idx) {
			fprintf(stderr, "mmreplay bench vma: unknown variant '%s' (list, rbtree, maple)\n",
				name);
			rc = MM_EXIT_USAGE;
			break;
		}
		rc = bench_vma_one(&t, idx, populate, repeat);
	}
	trace_free(&t);
	return rc;
}
