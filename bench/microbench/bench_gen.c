/* bench gen: how fast each synthetic workload produces events, with no I/O (a counting sink)
 * or through the native writer into /dev/null (--write). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/microbench/microbench.h"
#include "bench/host/clock.h"
#include "bench/cli/cli.h"
#include "bench/mm_exit.h"
#include "workloads/gen/gen.h"

struct bg_opts {
	u64 loops, seed;
	bool write;
};

static const struct cli_opt bg_opts[] = {
	CLI_OPT_U64("loops", "N", struct bg_opts, loops, 0, GEN_MAX_LOOPS,
		    "every generator's main count (0: its default)"),
	CLI_OPT_U64("seed", "S", struct bg_opts, seed, 0, UINT64_MAX, "random seed (1)"),
	CLI_OPT_FLAG("write", struct bg_opts, write, "through the native-format writer into /dev/null"),
	CLI_OPT_END,
};

static const struct cli_cmd bg_cmd = {
	.name = "bench gen",
	.synopsis = "[NAME...]",
	.about = "Runs each generator NAME (default: all, with their default parameters) once and prints\n"
		 "events per second on one core, into a counting sink or (--write) the native writer.",
	.opts = bg_opts,
	.max_args = 1u << 30,
};

struct bench_sink {
	u64 n;
	u64 sum; /* folds every record so the work cannot be optimised away */
};

static int bench_sink_emit(void *ctx, const struct mm_event *ev)
{
	struct bench_sink *s = ctx;
	s->n++;
	s->sum += ev->addr ^ ev->len ^ ev->kind;
	return 0;
}

static int bench_gen_one(const struct gen_ops *g, u64 loops, u64 seed, bool write)
{
	struct gen_params p;
	gen_params_default(&p);
	p.seed = seed;
	if (g->opts & GEN_OPT_LOOPS)
		p.loops = loops;
	struct bench_sink s = {0};
	int err;
	u64 t0 = clock_ns();
	if (write) {
		FILE *f = fopen("/dev/null", "wb");
		if (!f)
			return MM_EXIT_FAIL;
		err = gen_write_native(g, &p, f, &s.n);
		fclose(f);
	} else {
		err = g->run(&p, bench_sink_emit, &s);
	}
	u64 ns = clock_ns() - t0;
	if (err) {
		fprintf(stderr, "mmreplay bench gen: %s: %s\n", g->name, strerror(-err));
		return MM_EXIT_FAIL;
	}
	printf("%-18s %10.2f Mevents/s  %6.1f ns/event  events=%llu\n", g->name,
	       ns ? (double)s.n * 1e3 / (double)ns : 0.0, s.n ? (double)ns / (double)s.n : 0.0,
	       (unsigned long long)s.n);
	return MM_EXIT_OK;
}

int bench_gen(int argc, char **argv)
{
	struct bg_opts o = {.seed = 1};
	int first = 0, rc = cli_parse(&bg_cmd, argc, argv, &o, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	for (int i = first; i < argc; i++)
		if (!gen_find(argv[i]))
			return cli_error(&bg_cmd, "unknown generator '%s' (mmreplay gen --list)", argv[i]);
	printf("# bench gen: %s, loops %s, seed %llu\n",
	       o.write ? "native writer to /dev/null" : "counting sink",
	       o.loops ? "as given" : "generator defaults", (unsigned long long)o.seed);
	rc = MM_EXIT_OK;
	if (first == argc)
		for (const struct gen_ops *const *g = gen_registry; *g; g++)
			rc |= bench_gen_one(*g, o.loops, o.seed, o.write);
	for (int i = first; i < argc; i++)
		rc |= bench_gen_one(gen_find(argv[i]), o.loops, o.seed, o.write);
	return rc;
}
