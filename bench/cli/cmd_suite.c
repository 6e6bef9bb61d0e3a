/* mmreplay suite: run a suite file (bench/suites/README.md) or a built-in suite (a program that
 * drives the models, such as the kernel's test_vmalloc cases); mmreplay plot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "suite.h"
#include "suite_plots.h"
#include "suite_run.h"
#include "suites_builtin.h"

static const struct {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
} suites_builtin[] = {
	{"test_vmalloc", "lib/test_vmalloc.c's seven cases on each vmlist variant", suite_test_vmalloc},
	{NULL, NULL, NULL},
};

struct suite_opts {
	const char *out;
	bool list_jobs, no_plots;
	u64 job;     /* UINT64_MAX: every cell */
	u64 workers; /* 0: the CPUs online */
};

static const struct cli_opt suite_opts[] = {
	CLI_OPT_STR("out", "DIR", struct suite_opts, out, "results directory (default results/NAME)"),
	CLI_OPT_FLAG("list-jobs", struct suite_opts, list_jobs,
		     "print one `mmreplay suite --job K` command per cell and exit"),
	CLI_OPT_U64("job", "K", struct suite_opts, job, 0, 1u << 30,
		    "run cell K only, writing DIR/cells/cell-K.csv (join them with `mmreplay merge`, then "
		    "`mmreplay plot DIR`)"),
	CLI_OPT_FLAG("no-plots", struct suite_opts, no_plots, "skip the graphs"),
	CLI_OPT_WORKERS(struct suite_opts, workers),
	CLI_OPT_END,
};

static const char *const suite_defaults[] = {NULL};

static const struct cli_cmd suite_cmd = {
	.name = "suite",
	.synopsis = "FILE | NAME [OPTIONS]",
	.about = "Runs the matrix of a suite FILE (ini format, bench/suites/README.md): every trace under\n"
		 "every configuration, writing DIR/summary.csv (one row per cell), DIR/timeseries/ (one CSV\n"
		 "per cell) and graphs (DIR/*.png, *.svg). A machine setting given here applies to every\n"
		 "configuration (a list adds an axis); the file must not set it too. NAME runs a built-in\n"
		 "suite (mmreplay suite NAME --help).",
	.opts = suite_opts,
	.min_args = 1,
	.max_args = 1,
	.settings = suite_defaults,
};

static const char *data_dir(void)
{
	const char *d = getenv("MMREPLAY_DATA");
	return d && *d ? d : MMREPLAY_DATA_DIR;
}

/* The command line's settings join the file's axes. */
static int suite_add_axes(struct suite *s, const struct matrix *m)
{
	char err[512];
	for (size_t a = 0; a < m->naxes; a++)
		if (matrix_copy_axis(&s->axes, m, a, err, sizeof(err)))
			return cli_error(&suite_cmd, "--%s %s (the suite file may set it already)",
					 m->axis[a].set->name, err);
	return 0;
}

static void suite_help_builtins(FILE *f)
{
	fprintf(f, "\nbuilt-in suites:\n");
	for (int i = 0; suites_builtin[i].name; i++)
		fprintf(f, "  %-14s %s\n", suites_builtin[i].name, suites_builtin[i].summary);
}

int cmd_suite(int argc, char **argv)
{
	if (argc >= 2)
		for (int i = 0; suites_builtin[i].name; i++)
			if (!strcmp(argv[1], suites_builtin[i].name))
				return suites_builtin[i].run(argc - 1, argv + 1);
	struct suite_opts o = {.job = UINT64_MAX};
	struct matrix *m = malloc(sizeof(*m));
	struct suite *s = malloc(sizeof(*s));
	int first = 0, rc = m && s ? cli_parse(&suite_cmd, argc, argv, &o, m, &first) : MM_EXIT_FAIL;
	if (rc == MM_EXIT_OK)
		suite_help_builtins(stdout);
	struct mm_diag d;
	if (rc == CLI_RUN && suite_load(argv[first], data_dir(), s, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		rc = MM_EXIT_FAIL;
	}
	if (rc == CLI_RUN && suite_add_axes(s, m))
		rc = MM_EXIT_USAGE;
	if (rc == CLI_RUN) {
		char dir[4096];
		snprintf(dir, sizeof(dir), o.out ? "%s" : "results/%s", o.out ? o.out : s->name);
		long job = o.job == UINT64_MAX ? -1 : (long)o.job;
		if (o.list_jobs) {
			suite_list_jobs(s, argv[first], dir, stdout);
			rc = MM_EXIT_OK;
		} else {
			struct suite_run_opts ro = {.out_dir = dir,
						    .job = job,
						    .plots = !o.no_plots && job < 0,
						    .table = true,
						    .workers = (unsigned)o.workers};
			rc = suite_run(s, &ro);
			if (rc == MM_EXIT_OK && job < 0)
				printf("\nresults in %s/: summary.csv, timeseries/*.csv, plots/*.csv, *.png, "
				       "*.svg\n",
				       dir);
		}
	}
	free(m);
	free(s);
	return rc;
}

int cmd_plot(int argc, char **argv)
{
	static const struct cli_cmd plot_cmd = {
		.name = "plot",
		.synopsis = "DIR",
		.about = "Draws the graphs of a suite's results directory (DIR/summary.csv and "
			 "DIR/timeseries/)\n"
			 "with the gnuplot scripts in plots/ ($MMREPLAY_PLOTS overrides where they are):\n"
			 "DIR/*.png and DIR/*.svg.",
		.min_args = 1,
		.max_args = 1,
	};
	int first = 0, rc = cli_parse(&plot_cmd, argc, argv, NULL, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	return suite_plots(argv[first], stdout) ? MM_EXIT_FAIL : MM_EXIT_OK;
}
