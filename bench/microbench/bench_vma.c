/* bench vma: replay a trace's process calls (mmap ... exit_group) through the address-space
 * model, per VMA index variant, on one core: syscalls per second and find_vma visits per call.
 * The trace is loaded into memory first (the native format needs no parsing: convert text
 * traces with `mmreplay convert`); only the replay loop is timed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/microbench/microbench.h"
#include "bench/host/clock.h"
#include "bench/cli/cli.h"
#include "bench/mm_exit.h"
#include "bench/run/replay.h"
#include "workloads/trace/trace.h"

struct bvma_opts {
	u64 repeat;
};

static const struct cli_opt bvma_opts[] = {
	CLI_OPT_U64("repeat", "N", struct bvma_opts, repeat, 1, 1000000,
		    "timed replays per configuration (200)"),
	CLI_OPT_END,
};

static const char *const bvma_defaults[] = {"vma=all", "zone-pages=262144", NULL};

static const struct cli_cmd bvma_cmd = {
	.name = "bench vma",
	.synopsis = "TRACE",
	.about = "Loads TRACE (native format recommended: `mmreplay convert T.strace.txt.zst T.mmr`; text\n"
		 "traces are parsed once, before timing) and replays its process calls (mmap, munmap,\n"
		 "mprotect, brk, mremap, madvise, fork, execve, exit_group) --repeat times per\n"
		 "configuration, each repeat on a fresh machine (1 GiB: table pages only). Prints\n"
		 "syscalls/s on one core (the best repeat's wall clock, the mean wall clock, and the mean\n"
		 "thread CPU time, which a busy machine does not inflate) and the model's find_vma_visits\n"
		 "per call (identical on every repeat).",
	.opts = bvma_opts,
	.min_args = 1,
	.max_args = 1,
	.settings = bvma_defaults,
	.facets = SETTING_ON_PROC | SETTING_ON_PGTABLE,
	.first_fastest = true,
};

/* The process calls of t, in order: what is replayed and timed. */
static size_t bench_vma_calls(const struct mm_trace *t, struct mm_event *out)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].kind >= MME_MMAP && t->ev[i].kind <= MME_EXIT)
			out[n++] = t->ev[i];
	return n;
}

static int bench_vma_one(const struct mm_event *ev, size_t n, const struct sim_cfg *cfg, u64 repeat)
{
	struct replay_row *row = malloc(sizeof(*row));
	u64 best = UINT64_MAX, total = 0, cpu = 0;
	for (u64 r = 0; r < repeat; r++) {
		if (!row || replay_run("calls", ev, n, cfg, row)) {
			free(row);
			fprintf(stderr, "mmreplay bench vma: out of memory\n");
			return MM_EXIT_FAIL;
		}
		best = MM_MIN(best, row->host.ns);
		total += row->host.ns;
		cpu += row->host.cpu_ns;
		if (r + 1 < repeat)
			replay_row_fini(row);
	}
	const struct vma_stats *vs = &row->st.mm.vma;
	double mean = (double)total / (double)repeat, cpu_mean = (double)cpu / (double)repeat,
	       calls = (double)n;
	printf("%-7s %7.2f M syscalls/s best %7.2f mean wall %7.2f mean cpu  %6.1f ns/call cpu  "
	       "find_vma_visits/call %7.2f  calls=%zu splits=%llu merges=%llu\n",
	       cfg->vma->name, best ? calls * 1e3 / (double)best : 0.0, mean ? calls * 1e3 / mean : 0.0,
	       cpu_mean ? calls * 1e3 / cpu_mean : 0.0, n ? cpu_mean / calls : 0.0,
	       n ? (double)vs->find_vma_visits / calls : 0.0, n, (unsigned long long)vs->vma_splits,
	       (unsigned long long)vs->vma_merges);
	replay_row_fini(row);
	free(row);
	return MM_EXIT_OK;
}

int bench_vma(int argc, char **argv)
{
	struct bvma_opts o = {.repeat = 200};
	struct matrix *m = malloc(sizeof(*m));
	struct mm_trace t;
	struct mm_diag d;
	int first = 0, rc = m ? cli_parse(&bvma_cmd, argc, argv, &o, m, &first) : MM_EXIT_FAIL;
	if (rc == CLI_RUN && trace_load(argv[first], NULL, &t, &d)) {
		fprintf(stderr, "mmreplay bench vma: %s\n", d.msg);
		rc = MM_EXIT_FAIL;
	}
	if (rc != CLI_RUN) {
		free(m);
		return rc;
	}
	struct mm_event *calls = malloc(sizeof(*calls) * (t.n ? t.n : 1));
	size_t n = calls ? bench_vma_calls(&t, calls) : 0;
	printf("# bench vma: %s (%s), %zu events, %llu repeats, one core\n", argv[first],
	       trace_format_name(t.format), t.n, (unsigned long long)o.repeat);
	struct sim_trace_facts tf;
	sim_trace_facts(calls, n, &tf);
	rc = calls ? MM_EXIT_OK : MM_EXIT_FAIL;
	for (size_t c = 0; c < matrix_size(m) && rc == MM_EXIT_OK; c++) {
		struct sim_cfg cfg;
		char err[512];
		rc = replay_cfg(m, c, &tf, &cfg, err, sizeof(err)) ? MM_EXIT_FAIL
								   : bench_vma_one(calls, n, &cfg, o.repeat);
	}
	free(calls);
	trace_free(&t);
	free(m);
	return rc;
}
