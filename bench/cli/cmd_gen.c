/* mmreplay gen: write a synthetic workload (workloads/gen/gen_*.c) as a native trace. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/output/csv.h"
#include "bench/run/gen_opts.h"

struct gen_cmd_opts {
	struct gen_params p; /* first: gen_param_opts' offsets are into it */
	u32 given;	     /* GEN_OPT_* of the options given */
	const char *out;
	bool list;
};

static const struct cli_opt gen_cmd_opts[] = {
	CLI_OPT_OUT("out", "FILE|-", struct gen_cmd_opts, out,
		    "output file (default -: stdout, not a terminal)"),
	CLI_OPT_FLAG("list", struct gen_cmd_opts, list, "list the generators"),
	CLI_OPT_END,
};

static const struct cli_cmd gen_cmd = {
	.name = "gen",
	.synopsis = "NAME",
	.about = "Writes the synthetic workload NAME as a native mmreplay trace (16-byte header, then\n"
		 "64-byte struct mm_event records) to FILE (written to a temporary name and renamed), or\n"
		 "to stdout with '-'. The same NAME, options and seed give the same bytes on every\n"
		 "machine; timestamps are synthetic (1 us per event). A suite takes the same parameters\n"
		 "as `trace = gen:NAME key=value ...` (flags as key=0|1).",
	.opts = gen_cmd_opts,
	.more = gen_param_opts,
	.record_tags = true,
	.tags_off = offsetof(struct gen_cmd_opts, given),
	.min_args = 0,
	.max_args = 1,
	.epilog = "vmalloc events carry va_start tokens ((worker+1)<<40 | counter), not addresses;\n"
		  "vstart/vend are x86-64's 0xffffc90000000000/0xffffe8ffffffffff; plain vmalloc() asks\n"
		  "for align 1, as the kernel traces it. buddy_aging's pfns are tokens too.\n",
};

static void gen_list(FILE *f, bool params)
{
	for (const struct gen_ops *const *g = gen_registry; *g; g++) {
		fprintf(f, "%-18s %s\n", (*g)->name, (*g)->desc);
		if (params)
			fprintf(f, "%-18s   %s\n", "", (*g)->params);
	}
}

/* Write g's trace to o->out. */
static int gen_write(const struct gen_ops *g, const struct gen_cmd_opts *o)
{
	bool to_stdout = !strcmp(o->out, "-");
	if (to_stdout && isatty(STDOUT_FILENO)) {
		fprintf(stderr,
			"mmreplay gen: refusing to write a binary trace to a terminal (use --out FILE "
			"or a redirection)\n");
		return MM_EXIT_USAGE;
	}
	struct csv file = {0};
	int err = to_stdout ? 0 : csv_open(&file, o->out);
	u64 n = 0;
	if (!err)
		err = gen_write_native(g, &o->p, to_stdout ? stdout : file.f, &n);
	if (!to_stdout && file.f) {
		if (err)
			csv_abort(&file);
		else
			err = csv_commit(&file);
	}
	if (err) {
		fprintf(stderr, "mmreplay gen: %s: %s: %s\n", g->name, to_stdout ? "<stdout>" : o->out,
			to_stdout ? strerror(-err) : csv_error(&file, err));
		return MM_EXIT_FAIL;
	}
	if (!to_stdout)
		fprintf(stderr, "mmreplay gen: %s: %llu events to %s\n", g->name, (unsigned long long)n,
			o->out);
	return MM_EXIT_OK;
}

int cmd_gen(int argc, char **argv)
{
	struct gen_cmd_opts o = {.out = "-"};
	gen_params_default(&o.p);
	int first = 0, rc = cli_parse(&gen_cmd, argc, argv, &o, NULL, &first);
	if (rc == MM_EXIT_OK) { /* --help */
		printf("\ngenerators:\n");
		gen_list(stdout, true);
	}
	if (rc != CLI_RUN)
		return rc;
	if (o.list) {
		gen_list(stdout, false);
		return MM_EXIT_OK;
	}
	if (first == argc)
		return cli_error(&gen_cmd, "name one generator (mmreplay gen --list)");
	const struct gen_ops *g = gen_find(argv[first]);
	if (!g)
		return cli_error(&gen_cmd, "unknown generator '%s' (mmreplay gen --list)", argv[first]);
	char unread[256];
	gen_opts_unread(g, o.given, unread, sizeof(unread));
	if (unread[0])
		return cli_error(&gen_cmd, "%s does not use %s (it reads: %s)", g->name, unread, g->params);
	return gen_write(g, &o);
}
