/* mmreplay gen: write a synthetic workload (workloads/gen_*.c) as a native trace. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "csv.h"
#include "gen.h"

static void gen_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay gen NAME [--seed S] [--loops N] [--out FILE|-] [options]\n"
		   "       mmreplay gen --list\n\n"
		   "Writes the synthetic workload NAME as a native mmreplay trace (16-byte header, then\n"
		   "64-byte struct mm_event records) to FILE (written to a temporary name and renamed), or\n"
		   "to stdout with '-' (the default; refused when stdout is a terminal). The same NAME,\n"
		   "options and seed give the same bytes on every machine; timestamps are synthetic\n"
		   "(1 us per event).\n\n"
		   "options:\n"
		   "  --seed S        random seed (default 1)\n"
		   "  --loops N       the generator's main count (see below; 0 = its default; at most\n"
		   "                  2^36)\n"
		   "  --out FILE|-    output file (default -)\n"
		   "  --guard         vmap sizes include the guard page: vmalloc(n pages) is traced as\n"
		   "                  size = n*4096 + 4096, as the alloc_vmap_area tracepoint prints it\n"
		   "                  (a 16 KiB thread stack shows size=20480) (default)\n"
		   "  --no-guard      vmap sizes are n*4096 (a model that adds its own guard, as 2.4's\n"
		   "                  get_vm_area did)\n"
		   "  --threads N     test_vmalloc nr_threads: workers interleaved event by event (1)\n"
		   "  --repeat N      test_vmalloc test_repeat_count (1)\n"
		   "  --nr-pages N    test_vmalloc nr_pages for fix_size (1)\n"
		   "  --mask M        test_vmalloc run_test_mask, test_vmalloc only (127)\n"
		   "  --sequential    test_vmalloc sequential_test_order: no per-worker shuffle\n"
		   "  --cpus N        online CPUs: full_fit's fls(N)*32 MiB, worker i runs on cpu i%%N (2)\n"
		   "  --drain         buddy_aging: free every block still live at the end\n"
		   "  --regions N     mmap_churn: most regions the process keeps (400)\n"
		   "  --list          list the generators\n\n"
		   "generators:\n");
	for (const struct gen_ops *const *g = gen_registry; *g; g++)
		fprintf(f, "  %-18s %s\n  %-18s   %s\n", (*g)->name, (*g)->desc, "", (*g)->params);
	fprintf(f, "\nvmalloc events carry va_start tokens ((worker+1)<<40 | counter), not addresses;\n"
		   "vstart/vend are x86-64's 0xffffc90000000000/0xffffe8ffffffffff; plain vmalloc() asks\n"
		   "for align 1, as the kernel traces it. buddy_aging's pfns are tokens too.\n");
}

static int gen_parse_u64(const char *opt, const char *s, u64 min, u64 max, u64 *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v < min || v > max) {
		fprintf(stderr, "mmreplay gen: %s takes an integer in [%llu, %llu], not '%s'\n", opt,
			(unsigned long long)min, (unsigned long long)max, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

enum { OPT_NO_GUARD = 256, OPT_NR_PAGES, OPT_LIST };

static const struct {
	int val;
	u32 opt; /* GEN_OPT_* */
	const char *name;
} gen_opt_names[] = {
	{'l', GEN_OPT_LOOPS, "--loops"},
	{'g', GEN_OPT_GUARD, "--guard"},
	{OPT_NO_GUARD, GEN_OPT_GUARD, "--no-guard"},
	{'t', GEN_OPT_THREADS, "--threads"},
	{'r', GEN_OPT_REPEAT, "--repeat"},
	{OPT_NR_PAGES, GEN_OPT_NR_PAGES, "--nr-pages"},
	{'m', GEN_OPT_MASK, "--mask"},
	{'q', GEN_OPT_SEQUENTIAL, "--sequential"},
	{'c', GEN_OPT_CPUS, "--cpus"},
	{'d', GEN_OPT_DRAIN, "--drain"},
	{'R', GEN_OPT_REGIONS, "--regions"},
};

static int gen_option(int c, struct gen_params *p, const char **out)
{
	u64 v = 0;
	int err = 0;
	switch (c) {
	case 's':
		return gen_parse_u64("--seed", optarg, 0, UINT64_MAX, &p->seed);
	case 'o':
		if (!*optarg) {
			fprintf(stderr, "mmreplay gen: --out needs a file name (or - for stdout)\n");
			return -EINVAL;
		}
		*out = optarg;
		return 0;
	case 'l':
		return gen_parse_u64("--loops", optarg, 0, GEN_MAX_LOOPS, &p->loops);
	case 'g':
	case OPT_NO_GUARD:
		p->guard = c == 'g';
		return 0;
	case 't':
		err = gen_parse_u64("--threads", optarg, 1, 65535, &v);
		p->threads = (u32)v;
		return err;
	case 'r':
		err = gen_parse_u64("--repeat", optarg, 1, 1u << 20, &v);
		p->repeat = (u32)v;
		return err;
	case OPT_NR_PAGES:
		err = gen_parse_u64("--nr-pages", optarg, 1, 1u << 24, &v);
		p->nr_pages = (u32)v;
		return err;
	case 'm':
		err = gen_parse_u64("--mask", optarg, 1, 127, &v);
		p->mask = (u32)v;
		return err;
	case 'q':
		p->sequential = true;
		return 0;
	case 'c':
		err = gen_parse_u64("--cpus", optarg, 1, 8192, &v);
		p->cpus = (u32)v;
		return err;
	case 'd':
		p->drain = true;
		return 0;
	case 'R':
		err = gen_parse_u64("--regions", optarg, 1, 1u << 20, &v);
		p->regions = (u32)v;
		return err;
	default:
		return -EINVAL;
	}
}

int cmd_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'},
		{"loops", required_argument, NULL, 'l'},
		{"out", required_argument, NULL, 'o'},
		{"guard", no_argument, NULL, 'g'},
		{"no-guard", no_argument, NULL, OPT_NO_GUARD},
		{"threads", required_argument, NULL, 't'},
		{"repeat", required_argument, NULL, 'r'},
		{"nr-pages", required_argument, NULL, OPT_NR_PAGES},
		{"mask", required_argument, NULL, 'm'},
		{"sequential", no_argument, NULL, 'q'},
		{"cpus", required_argument, NULL, 'c'},
		{"drain", no_argument, NULL, 'd'},
		{"regions", required_argument, NULL, 'R'},
		{"list", no_argument, NULL, OPT_LIST},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct gen_params p;
	gen_params_default(&p);
	const char *out = "-";
	u32 given = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:l:o:h", opts, NULL)) != -1) {
		if (c == 'h') {
			gen_usage(stdout);
			return MM_EXIT_OK;
		}
		if (c == OPT_LIST) {
			for (const struct gen_ops *const *g = gen_registry; *g; g++)
				printf("%-18s %s\n", (*g)->name, (*g)->desc);
			return MM_EXIT_OK;
		}
		if (c == '?' || gen_option(c, &p, &out)) {
			if (c == '?')
				gen_usage(stderr);
			return MM_EXIT_USAGE;
		}
		for (size_t i = 0; i < MM_ARRAY_SIZE(gen_opt_names); i++)
			if (gen_opt_names[i].val == c)
				given |= gen_opt_names[i].opt;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "mmreplay gen: name one generator (mmreplay gen --list)\n");
		return MM_EXIT_USAGE;
	}
	const struct gen_ops *g = gen_find(argv[optind]);
	if (!g) {
		fprintf(stderr, "mmreplay gen: unknown generator '%s' (mmreplay gen --list)\n", argv[optind]);
		return MM_EXIT_USAGE;
	}
	for (size_t i = 0; i < MM_ARRAY_SIZE(gen_opt_names); i++) {
		if ((given & gen_opt_names[i].opt) && !(g->opts & gen_opt_names[i].opt)) {
			fprintf(stderr, "mmreplay gen: %s does not use %s (it reads: %s)\n", g->name,
				gen_opt_names[i].name, g->params);
			return MM_EXIT_USAGE;
		}
	}
	bool to_stdout = !strcmp(out, "-");
	if (to_stdout && isatty(STDOUT_FILENO)) {
		fprintf(stderr,
			"mmreplay gen: refusing to write a binary trace to a terminal (use --out FILE "
			"or a redirection)\n");
		return MM_EXIT_USAGE;
	}
	struct csv file = {0};
	FILE *f = stdout;
	if (!to_stdout) {
		int err = csv_open(&file, out);
		if (err) {
			fprintf(stderr, "mmreplay gen: %s: %s\n", out, csv_error(&file, err));
			return MM_EXIT_FAIL;
		}
		f = file.f;
	}
	u64 n = 0;
	int err = gen_write_native(g, &p, f, &n);
	if (!to_stdout) {
		if (err)
			csv_abort(&file);
		else
			err = csv_commit(&file);
	}
	if (err) {
		fprintf(stderr, "mmreplay gen: %s: %s: %s\n", g->name, to_stdout ? "<stdout>" : out,
			to_stdout ? strerror(-err) : csv_error(&file, err));
		return MM_EXIT_FAIL;
	}
	if (!to_stdout)
		fprintf(stderr, "mmreplay gen: %s: %llu events to %s\n", g->name, (unsigned long long)n, out);
	return MM_EXIT_OK;
}
