/* bench gen: how fast each synthetic workload produces events, with no I/O (a counting sink)
 * or through the native writer into /dev/null (--write). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benches.h"
#include "clock.h"
#include "commands.h"
#include "gen.h"

static void bench_gen_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay bench gen [--loops N] [--seed S] [--write] [NAME...]\n\n"
		   "Runs each generator NAME (default: all, with their default parameters) once and prints\n"
		   "events per second on one core. --loops overrides every generator's main count;\n"
		   "--write sends the events through the native-format writer into /dev/null instead of\n"
		   "a counting sink.\n");
}

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
	static const struct option opts[] = {
		{"loops", required_argument, NULL, 'l'},
		{"seed", required_argument, NULL, 's'},
		{"write", no_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	u64 loops = 0, seed = 1;
	bool write = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:s:wh", opts, NULL)) != -1) {
		char *end = NULL;
		u64 v = 0;
		if (c == 'l' || c == 's') {
			errno = 0;
			v = strtoull(optarg, &end, 0);
			if (errno || *end || *optarg == '-') {
				fprintf(stderr, "mmreplay bench gen: bad number '%s'\n", optarg);
				return MM_EXIT_USAGE;
			}
		}
		switch (c) {
		case 'l':
			loops = v;
			break;
		case 's':
			seed = v;
			break;
		case 'w':
			write = true;
			break;
		case 'h':
			bench_gen_usage(stdout);
			return MM_EXIT_OK;
		default:
			bench_gen_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	printf("# bench gen: %s, loops %s, seed %llu\n",
	       write ? "native writer to /dev/null" : "counting sink",
	       loops ? "as given" : "generator defaults", (unsigned long long)seed);
	int rc = MM_EXIT_OK;
	if (optind == argc) {
		for (const struct gen_ops *const *g = gen_registry; *g; g++)
			rc |= bench_gen_one(*g, loops, seed, write);
		return rc;
	}
	for (int i = optind; i < argc; i++) {
		const struct gen_ops *g = gen_find(argv[i]);
		if (!g) {
			fprintf(stderr, "mmreplay bench gen: unknown generator '%s' (mmreplay gen --list)\n",
				argv[i]);
			return MM_EXIT_USAGE;
		}
		rc |= bench_gen_one(g, loops, seed, write);
	}
	return rc;
}
