/* bench replay: events per second of the replay engine per configuration, on one core, from a
 * trace loaded once into memory (native traces load without parsing). The figure is the event
 * loop alone: the machine is built before the clock starts and torn down after it stops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/microbench/microbench.h"
#include "bench/cli/cli.h"
#include "bench/mm_exit.h"
#include "bench/run/recording_cfg.h"
#include "bench/run/replay.h"
#include "workloads/trace/trace.h"

struct bench_replay_opts {
	u64 repeat;
	double target;
	bool cached_hole;
	const char *workload;
	struct task_spec wl;
};

static const struct cli_opt bench_replay_opts[] = {
	CLI_OPT_U64("repeat", "N", struct bench_replay_opts, repeat, 1, 1000,
		    "timed replays per configuration (5)"),
	CLI_OPT_F64("target", "MEV", struct bench_replay_opts, target, 0, 1e6,
		    "the verdict's threshold, million events per CPU second (10)"),
	CLI_OPT_CACHED_HOLE(struct bench_replay_opts, cached_hole),
	CLI_OPT_STR("workload", "SPEC", struct bench_replay_opts, workload,
		    "count a workload's share beside the machine, as replay and suite do (default: none, "
		    "the machine alone; `default` the recorded command's tree where the trace names it)"),
	CLI_OPT_END,
};

static const char *const bench_replay_defaults[] = {"vmlist=all", "tlb=lazy", "buddy=lifo", NULL};

static const struct cli_cmd bench_replay_cmd = {
	.name = "bench replay",
	.synopsis = "TRACE...",
	.about = "Replays each TRACE (any format, or a recording directory: its machine, as replay\n"
		 "takes it; convert text traces with `mmreplay convert` first to measure from the native\n"
		 "format) --repeat times per configuration and prints the best\n"
		 "and median million events per second of the event loop in wall time and in the thread's\n"
		 "CPU time (what one core spent; robust on a shared machine), with the verdict of the\n"
		 "median CPU figure against --target.",
	.opts = bench_replay_opts,
	.min_args = 1,
	.max_args = 1u << 30,
	.settings = bench_replay_defaults,
	.first_fastest = true,
};

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	return x < y ? -1 : x > y;
}

/* --repeat timed replays of configuration cfg; prints one line. */
static int bench_replay_cfg(const char *name, const char *label, const struct mm_trace *t,
			    const struct sim_cfg *cfg, const struct bench_replay_opts *o, u64 *ns, u64 *cpu)
{
	for (u64 r = 0; r < o->repeat; r++) {
		struct replay_row *row = malloc(sizeof(*row));
		struct run_array a;
		struct run_source src = run_source_array(&a, t->ev, t->n);
		if (!row || replay_run_src(name, &src, cfg, o->workload ? &o->wl : NULL, row)) {
			free(row);
			return MM_EXIT_FAIL;
		}
		ns[r] = row->host.ns ? row->host.ns : 1;
		cpu[r] = row->host.cpu_ns ? row->host.cpu_ns : 1;
		replay_row_fini(row);
		free(row);
	}
	qsort(ns, o->repeat, sizeof(*ns), cmp_u64);
	qsort(cpu, o->repeat, sizeof(*cpu), cmp_u64);
	double ev = (double)t->n * 1e3, cmed = ev / (double)cpu[o->repeat / 2];
	printf("%-24s %9zu %10.2f %10.2f %10.2f %10.2f %-6s %s\n", name, t->n, ev / (double)ns[0],
	       ev / (double)ns[o->repeat / 2], ev / (double)cpu[0], cmed,
	       cmed >= o->target ? "met" : "MISSED", label);
	fflush(stdout);
	return MM_EXIT_OK;
}

int bench_replay(int argc, char **argv)
{
	struct bench_replay_opts o = {.repeat = 5, .target = 10.0};
	struct matrix *m = malloc(sizeof(*m));
	int first = 0, rc = m ? cli_parse(&bench_replay_cmd, argc, argv, &o, m, &first) : MM_EXIT_FAIL;
	if (rc == CLI_RUN)
		rc = cli_cached_hole(&bench_replay_cmd, o.cached_hole, m);
	char werr[400];
	if (rc == CLI_RUN && o.workload &&
	    task_spec_parse(strcmp(o.workload, "default") ? o.workload : NULL, &o.wl, werr, sizeof(werr)))
		rc = cli_error(&bench_replay_cmd, "--workload: %s", werr);
	u64 *ns = calloc(o.repeat, sizeof(*ns)), *cpu = calloc(o.repeat, sizeof(*cpu));
	if (rc == CLI_RUN && (!ns || !cpu))
		rc = MM_EXIT_FAIL;
	if (rc == CLI_RUN) {
		rc = MM_EXIT_OK;
		printf("%-24s %9s %10s %10s %10s %10s %-6s %s\n", "trace", "events", "wall_best", "wall_med",
		       "cpu_best", "cpu_med", "target", "configuration (Mevents/s)");
	}
	for (int i = first; i < argc && rc == MM_EXIT_OK; i++) {
		struct mm_trace t;
		struct mm_diag d = {{0}};
		struct recording_cfg *rcf = malloc(sizeof(*rcf));
		if (!rcf || recording_cfg_open(rcf, argv[i], true, &d)) {
			fprintf(stderr, "mmreplay bench replay: %s\n", rcf ? d.msg : "out of memory");
			free(rcf);
			rc = MM_EXIT_FAIL;
			break;
		}
		if (trace_load(rcf->trace, NULL, &t, &d)) {
			fprintf(stderr, "mmreplay bench replay: %s\n", d.msg);
			recording_cfg_close(rcf);
			free(rcf);
			rc = MM_EXIT_FAIL;
			break;
		}
		struct sim_trace_facts tf;
		sim_trace_facts(t.ev, t.n, &tf);
		for (size_t k = 0; k < matrix_size(m) && rc == MM_EXIT_OK; k++) {
			struct sim_cfg cfg;
			char err[512], label[512];
			matrix_label(m, k, label, sizeof(label));
			if (recording_cfg_build(rcf, m, k, &tf, &cfg, err, sizeof(err))) {
				fprintf(stderr, "mmreplay bench replay: %s: %s\n", argv[i], err);
				rc = MM_EXIT_FAIL;
			} else {
				rc = bench_replay_cfg(rcf->label, label, &t, &cfg, &o, ns, cpu);
			}
		}
		trace_free(&t);
		recording_cfg_close(rcf);
		free(rcf);
	}
	if (rc == MM_EXIT_OK)
		printf("peak RSS %.1f MiB\n", (double)run_peak_rss() / (1 << 20));
	free(ns);
	free(cpu);
	free(m);
	return rc;
}
