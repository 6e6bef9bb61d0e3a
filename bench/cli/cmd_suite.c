/* mmreplay suite: run a suite file (bench/suites/README.md) or a built-in suite (a program that
 * drives the models, such as the kernel's test_vmalloc cases); mmreplay plot. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spillfile.h"
#include "trace_cli.h"
#include "commands.h"
#include "config.h"
#include "csv.h"
#include "report.h"
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
	const char *spill_max; /* NULL: SPILLFILE_MAX_DEFAULT */
	const char *out, *name;
	u64 repeats;
	bool list_jobs, no_plots, every_cell;
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
	CLI_OPT_STR("name", "NAME", struct suite_opts, name,
		    "with TRACE...: the suite's name, results/NAME (default 'mine')"),
	CLI_OPT_U64("repeats", "N", struct suite_opts, repeats, 1, 1000,
		    "with TRACE...: timed repeats per cell (default 3)"),
	CLI_OPT_FLAG("no-plots", struct suite_opts, no_plots, "skip the graphs"),
	CLI_OPT_FLAG("every-cell", struct suite_opts, every_cell,
		     "also run the cells whose axes cannot change their trace's replay (skipped by "
		     "default: DIR/skipped.csv says which and why)"),
	CLI_OPT_WORKERS(struct suite_opts, workers),
	CLI_OPT_STR("spill-max", "SIZE", struct suite_opts, spill_max,
		    "bound on each spill file (a trace past the memory window parsed into a temporary, a "
		    "gen: workload), K/M/G/T/P; default 8G; a spill also stops before its file system has "
		    "under 320 MiB free"),
	CLI_OPT_END,
};

static const char *const suite_defaults[] = {NULL};

static const struct cli_cmd suite_cmd = {
	.name = "suite",
	.synopsis = "FILE.ini | TRACE... | NAME [OPTIONS]",
	.about =
		"Runs the matrix of a suite FILE (ini format, bench/suites/README.md): every trace under\n"
		"every configuration, writing DIR/summary.csv (one row per cell), DIR/timeseries/ (one CSV\n"
		"per cell), graphs (DIR/*.png, *.svg) and the report page DIR/index.html. A machine setting\n"
		"given here applies to every configuration (a list adds an axis); the file must not set it\n"
		"too. With TRACE... instead of a file, the suite is those traces under the settings given,\n"
		"every variant axis not given at 'all' (written to DIR/suite.ini). A cell whose axes cannot\n"
		"change its trace's replay is skipped (DIR/skipped.csv). NAME runs a built-in suite\n"
		"(mmreplay suite NAME --help).",
	.opts = suite_opts,
	.min_args = 1,
	.max_args = 1u << 20,
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

static bool is_suite_file(int npos, char **pos)
{
	size_t n = strlen(pos[0]);
	return npos == 1 && n > 4 && !strcmp(pos[0] + n - 4, ".ini");
}

/* TRACE... as a suite file, DIR/suite.ini: the traces (absolute paths) and the settings given,
 * every variant axis not given at 'all'. 0, or an exit code after a message. */
static int suite_write_ini(const struct suite_opts *o, struct matrix *m, int npos, char **pos, char *path,
			   size_t len)
{
	char err[512], dir[3800], abs[4096], name[64];
	struct csv w;
	const char *nm = o->name ? o->name : "mine";
	snprintf(dir, sizeof(dir), o->out ? "%s" : "results/%s", o->out ? o->out : nm);
	snprintf(path, len, "%s/suite.ini", dir);
	for (const struct setting *st = settings; st->name; st++)
		if (st->kind == SETTING_VARIANT && !matrix_axis_of(m, st) &&
		    matrix_set(m, st, "all", true, err, sizeof(err)))
			return cli_error(&suite_cmd, "--%s all: %s", st->name, err);
	int e = csv_open(&w, path);
	if (e) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", path, csv_error(&w, e));
		return MM_EXIT_FAIL;
	}
	fprintf(w.f,
		"; written by mmreplay suite from its command line\n[suite]\nname = %s\nrepeats = "
		"%llu\n[traces]\n",
		nm, (unsigned long long)(o->repeats ? o->repeats : 3));
	for (int i = 0; i < npos; i++) {
		const char *t = realpath(pos[i], abs) ? abs : pos[i];
		if (strpbrk(t, "\r\n") || strstr(t, "${")) { /* one line, taken as it is */
			csv_abort(&w);
			return cli_error(&suite_cmd,
					 "a trace path with a line break or '${' cannot go in a suite file");
		}
		fprintf(w.f, "trace = %s\n", t);
	}
	fprintf(w.f, "[axes]\n");
	for (size_t a = 0; a < m->naxes; a++) {
		setting_axis_name(m->axis[a].set, name, sizeof(name));
		fprintf(w.f, "%s = ", name);
		for (size_t i = 0; i < m->axis[a].n; i++)
			fprintf(w.f, "%s%s", i ? "," : "", m->pool + m->axis[a].val[i]);
		fputc('\n', w.f);
	}
	if ((e = csv_commit(&w))) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", path, csv_error(&w, e));
		return MM_EXIT_FAIL;
	}
	matrix_init(m); /* the file has them now */
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
	char ini[4096];
	const char *file = rc == CLI_RUN ? argv[first] : NULL;
	if (rc == CLI_RUN && o.spill_max && spill_cli_set(o.spill_max))
		rc = cli_error(&suite_cmd, "--spill-max '%s': a size from 1M to 1P (K, M, G, T or P)",
			       o.spill_max);
	if (rc == CLI_RUN && o.name && !suite_name_ok(o.name))
		rc = cli_error(&suite_cmd,
			       "--name '%s' must be a short word (no '/', spaces or commas, not '.', "
			       "'..' or starting with '-')",
			       o.name);
	if (rc == CLI_RUN && !is_suite_file(argc - first, argv + first)) {
		rc = suite_write_ini(&o, m, argc - first, argv + first, ini, sizeof(ini));
		rc = rc ? rc : CLI_RUN;
		file = ini;
	}
	if (rc == CLI_RUN && suite_load(file, data_dir(), s, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		rc = MM_EXIT_FAIL;
	}
	if (rc == CLI_RUN && o.repeats)
		s->repeats = (unsigned)o.repeats;
	if (rc == CLI_RUN && o.name)
		snprintf(s->name, sizeof(s->name), "%s", o.name);
	if (rc == CLI_RUN && suite_add_axes(s, m))
		rc = MM_EXIT_USAGE;
	if (rc == CLI_RUN) {
		char dir[4096];
		snprintf(dir, sizeof(dir), o.out ? "%s" : "results/%s", o.out ? o.out : s->name);
		long job = o.job == UINT64_MAX ? -1 : (long)o.job;
		if (o.list_jobs) {
			rc = MM_EXIT_OK;
			int e = suite_list_jobs(s, file, dir, stdout);
			if (e == -EINVAL) {
				fprintf(stderr,
					"mmreplay suite: --list-jobs: the suite path or --out holds a "
					"newline, which one command per line cannot carry\n");
				rc = MM_EXIT_USAGE;
			} else if (e) {
				rc = MM_EXIT_FAIL;
			}
		} else {
			char cmd[4096];
			suite_command_line(argc, argv, cmd, sizeof(cmd));
			struct suite_run_opts ro = {.out_dir = dir,
						    .job = job,
						    .plots = !o.no_plots && job < 0,
						    .table = true,
						    .workers = (unsigned)o.workers,
						    .every_cell = o.every_cell,
						    .command = cmd};
			rc = suite_run(s, &ro);
			if (rc == MM_EXIT_OK && job < 0)
				printf("\nresults in %s/: index.html (the report page), summary.csv, "
				       "timeseries/*.csv, *.svg, *.png\n",
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
			 "DIR/*.png and DIR/*.svg, then writes the report page DIR/index.html.",
		.min_args = 1,
		.max_args = 1,
	};
	int first = 0, rc = cli_parse(&plot_cmd, argc, argv, NULL, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	int err = suite_plots(argv[first], stdout);
	if (report_write(argv[first]))
		return MM_EXIT_FAIL;
	printf("  %s/index.html (the report page)\n", argv[first]);
	return err ? MM_EXIT_FAIL : MM_EXIT_OK;
}
