/* mmreplay suite: run a suite file (bench/suites/README.md) or a built-in suite (a program that
 * drives the models directly, such as the kernel's test_vmalloc cases). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void suite_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay suite [--out DIR] [--list-jobs | --job K] [--no-plots] FILE\n"
		   "       mmreplay suite NAME [OPTIONS]    (a built-in suite; NAME --help)\n\n"
		   "Runs the matrix of a suite FILE (ini format, see bench/suites/README.md): every trace\n"
		   "under every configuration, writing DIR/summary.csv (one row per cell),\n"
		   "DIR/timeseries/TRACE__CONFIG.csv and graphs (DIR/*.png, *.svg). DIR defaults to\n"
		   "results/NAME, NAME being the suite's name.\n"
		   "  --list-jobs   print one `mmreplay suite --job K` command per cell and exit\n"
		   "  --job K       run cell K only, writing DIR/cells/cell-K.csv (join the cells with\n"
		   "                `mmreplay merge --out DIR/summary.csv DIR/cells/*.csv`, then\n"
		   "                `mmreplay plot DIR`)\n"
		   "  --no-plots    skip the graphs\n\n"
		   "built-in suites:\n");
	for (int i = 0; suites_builtin[i].name; i++)
		fprintf(f, "  %-14s %s\n", suites_builtin[i].name, suites_builtin[i].summary);
}

static const char *data_dir(void)
{
	const char *d = getenv("MMREPLAY_DATA");
	return d && *d ? d : MMREPLAY_DATA_DIR;
}

int cmd_suite(int argc, char **argv)
{
	if (argc >= 2)
		for (int i = 0; suites_builtin[i].name; i++)
			if (!strcmp(argv[1], suites_builtin[i].name))
				return suites_builtin[i].run(argc - 1, argv + 1);
	static const struct option opts[] = {
		{"out", required_argument, NULL, 'o'}, {"list-jobs", no_argument, NULL, 'l'},
		{"job", required_argument, NULL, 'j'}, {"no-plots", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	bool list = false, plots = true;
	long job = -1;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:lj:nh", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'j':
			errno = 0;
			job = strtol(optarg, &end, 10);
			if (errno || *end || job < 0) {
				fprintf(stderr, "mmreplay suite: --job takes a cell number (0, 1, ...)\n");
				return MM_EXIT_USAGE;
			}
			break;
		case 'n':
			plots = false;
			break;
		case 'h':
			suite_usage(stdout);
			return MM_EXIT_OK;
		default:
			suite_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		suite_usage(stderr);
		return MM_EXIT_USAGE;
	}
	const char *path = argv[optind];
	struct suite *s = malloc(sizeof(*s));
	struct mm_diag d;
	if (!s)
		return MM_EXIT_FAIL;
	if (suite_load(path, data_dir(), s, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		free(s);
		return MM_EXIT_FAIL;
	}
	char dir[4096];
	if (out)
		snprintf(dir, sizeof(dir), "%s", out);
	else
		snprintf(dir, sizeof(dir), "results/%s", s->name);
	int rc = MM_EXIT_OK;
	if (list) {
		if (suite_list_jobs(s, path, dir, stdout)) {
			fprintf(stderr,
				"mmreplay suite: --list-jobs: the suite path or --out holds a newline, "
				"which one command per line cannot carry\n");
			rc = MM_EXIT_USAGE;
		}
	} else {
		struct suite_run_opts o = {dir, job, plots && job < 0, true};
		rc = suite_run(s, &o);
		if (rc == MM_EXIT_OK && job < 0)
			printf("\nresults in %s/: summary.csv, timeseries/*.csv, plots/*.csv, *.png, *.svg\n",
			       dir);
	}
	free(s);
	return rc;
}

int cmd_plot(int argc, char **argv)
{
	if (argc != 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		FILE *f = argc == 2 ? stdout : stderr;
		fprintf(f, "usage: mmreplay plot DIR\n\n"
			   "Draws the graphs of a suite's results directory (DIR/summary.csv and\n"
			   "DIR/timeseries/) with the gnuplot scripts in plots/ ($MMREPLAY_PLOTS overrides\n"
			   "where they are): DIR/*.png and DIR/*.svg.\n");
		return argc == 2 ? MM_EXIT_OK : MM_EXIT_USAGE;
	}
	return suite_plots(argv[1], stdout) ? MM_EXIT_FAIL : MM_EXIT_OK;
}
