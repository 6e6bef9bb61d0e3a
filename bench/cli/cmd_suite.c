/* mmreplay suite: run a suite file (bench/suites/README.md) or a built-in suite (a program that
 * drives the models, such as the kernel's test_vmalloc cases). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/cli/cli.h"
#include "workloads/trace/spillfile.h"
#include "bench/cli/trace_cli.h"
#include "bench/cli/commands.h"
#include "config.h"
#include "bench/output/csv.h"
#include "bench/run/iniread.h"
#include "bench/output/report.h"
#include "bench/run/suite.h"
#include "bench/run/suite_dir.h"
#include "bench/run/suite_jobs.h"
#include "bench/output/suite_plots.h"
#include "bench/run/suite_run.h"
#include "bench/cli/suites_builtin.h"

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
	const char *out, *name, *job, *format, *plan, *resume, *status, *workload;
	u64 repeats, per_job;
	bool list_jobs, no_plots, every_cell, prepare;
	u64 workers; /* 0: the CPUs online */
};

static const char *const suite_formats[] = {"lines", "parallel", "slurm", NULL};

static const struct cli_opt suite_opts[] = {
	CLI_OPT_OUT("out", "DIR", struct suite_opts, out, "results directory (default results/NAME)"),
	CLI_OPT_FLAG(
		"list-jobs", struct suite_opts, list_jobs,
		"write the plan to DIR and print its jobs (--format) for GNU parallel or Slurm, then exit"),
	CLI_OPT_CHOICE("format", "F", struct suite_opts, format, suite_formats,
		       "with --list-jobs: lines (one command per job, default), parallel (one GNU parallel "
		       "command line: prepare, jobs, merge, plot) or slurm (a script submitting them as an "
		       "array of at most 1,000 tasks)"),
	CLI_OPT_U64("cells-per-job", "N", struct suite_opts, per_job, 1, 1u << 30,
		    "with --list-jobs: N cells a job (default 1; parallel: 4 jobs a CPU; slurm: as few as "
		    "fit 1,000 tasks)"),
	CLI_OPT_STR("job", "A[-B]", struct suite_opts, job,
		    "run jobs A..B of DIR's plan (the cells that run, numbered from 0), each to "
		    "DIR/cells/cell-J.csv (join them with `mmreplay merge DIR`, then `mmreplay plot DIR`)"),
	CLI_OPT_FLAG("prepare", struct suite_opts, prepare,
		     "write DIR's plan and convert each trace once to the native format in DIR/prepared/, "
		     "which the jobs read in place"),
	CLI_OPT_STR("plan", "ID", struct suite_opts, plan,
		    "with --prepare: refuse unless DIR's plan is still ID (the listed jobs' plan)"),
	CLI_OPT_STR("resume", "DIR", struct suite_opts, resume,
		    "run the cells of DIR's plan not done (interrupted, failed or never run), then merge "
		    "and draw"),
	CLI_OPT_STR("status", "DIR", struct suite_opts, status,
		    "cells of DIR's plan done, missing and failed (with their messages)"),
	CLI_OPT_STR("name", "NAME", struct suite_opts, name,
		    "with TRACE...: the suite's name, results/NAME (default 'mine')"),
	CLI_OPT_U64(
		"repeats", "N", struct suite_opts, repeats, 1, 1000,
		"with TRACE...: timed repeats per cell (default 5: the report tests host figures from 5 on)"),
	CLI_OPT_STR("workload", "SPEC", struct suite_opts, workload,
		    "whose work the workload_ columns and the report's answers count: tree:PID, "
		    "comm:NAME, pid:N, cgroup:/PATH or all (default: the recorded command's process tree "
		    "where the trace names it, else all); the machine still replays every event"),
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
		"(mmreplay suite NAME --help). --list-jobs, --job, --prepare, --resume and --status carry\n"
		"a suite out as jobs on several machines (bench/suites/README.md).",
	.opts = suite_opts,
	.min_args = 0,
	.max_args = 1u << 20,
	.settings = suite_defaults,
	.variant_def = "all with TRACE...; a suite file's default: %s",
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

/* What a failed start must take back: the suite.ini it wrote and the directories it made. */
struct suite_made {
	char ini[4096], dir[4096];
	bool ini_written, dir_made, results_made;
};

static bool is_dir(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* A start that failed leaves nothing behind. */
static void suite_unmake(const struct suite_made *mk)
{
	if (mk->ini_written)
		unlink(mk->ini);
	if (mk->dir_made)
		rmdir(mk->dir);
	if (mk->results_made)
		rmdir("results");
}

/* TRACE... as a suite file, DIR/suite.ini: the traces (absolute paths) and the settings given,
 * every variant axis not given at 'all'. A trace file that does not exist is named as given, and
 * nothing is written. 0, or an exit code after a message. */
static int suite_write_ini(const struct suite_opts *o, struct matrix *m, int npos, char **pos,
			   struct suite_made *mk)
{
	char err[512], dir[3800], abs[4096], name[64];
	char *path = mk->ini;
	size_t len = sizeof(mk->ini);
	struct csv w;
	const char *nm = o->name ? o->name : "mine";
	snprintf(dir, sizeof(dir), o->out ? "%s" : "results/%s", o->out ? o->out : nm);
	snprintf(path, len, "%s/suite.ini", dir);
	for (int i = 0; i < npos; i++)
		if (strncmp(pos[i], "gen:", 4) && access(pos[i], F_OK)) {
			fprintf(stderr, "mmreplay suite: %s: %s\n", pos[i], strerror(errno));
			return MM_EXIT_FAIL;
		}
	snprintf(mk->dir, sizeof(mk->dir), "%s", dir);
	mk->results_made = !o->out && !is_dir("results");
	mk->dir_made = !is_dir(dir);
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
		"%llu\n",
		nm, (unsigned long long)(o->repeats ? o->repeats : 5));
	if (o->workload)
		fprintf(w.f, "workload = %s\n", o->workload);
	fprintf(w.f, "[traces]\n");
	for (int i = 0; i < npos; i++) {
		const char *t = realpath(pos[i], abs) ? abs : pos[i];
		if (!iniread_value_ok(t) || strstr(t, "${")) { /* read back as it is */
			csv_abort(&w);
			return cli_error(&suite_cmd,
					 "%s: a trace path with a line break, a blank at either end, a "
					 "';' after a blank or '${' cannot go in a suite file",
					 pos[i]);
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
	mk->ini_written = true;
	matrix_init(m); /* the file has them now */
	return 0;
}

static void suite_help_builtins(FILE *f)
{
	fprintf(f, "\nbuilt-in suites:\n");
	for (int i = 0; suites_builtin[i].name; i++)
		fprintf(f, "  %-14s %s\n", suites_builtin[i].name, suites_builtin[i].summary);
}

/* "A" or "A-B" into first and last. */
static bool parse_jobs(const char *v, long *first, long *last)
{
	char *end;
	unsigned long long a = strtoull(v, &end, 10), b = a;
	if (end == v || v[0] == '-' || (*end && *end != '-'))
		return false;
	if (*end == '-') {
		const char *w = end + 1;
		b = strtoull(w, &end, 10);
		if (end == w || *w == '-' || *end)
			return false;
	}
	if (b < a || b >= (1ull << 40))
		return false;
	*first = (long)a;
	*last = (long)b;
	return true;
}

/* The one positional argument or DIR/plan.ini, checked. */
static int suite_args(const struct suite_opts *o, int npos, char **pos, const char **dir_opt)
{
	int modes = !!o->list_jobs + !!o->job + !!o->prepare + !!o->resume + !!o->status;
	*dir_opt = o->resume ? o->resume : o->status;
	if (modes > 1)
		return cli_error(&suite_cmd, "--list-jobs, --job, --prepare, --resume and --status go alone");
	if ((o->format || o->per_job) && !o->list_jobs)
		return cli_error(&suite_cmd, "--format and --cells-per-job go with --list-jobs");
	if (o->plan && !o->prepare)
		return cli_error(&suite_cmd, "--plan goes with --prepare");
	if (*dir_opt && (npos || o->out))
		return cli_error(&suite_cmd,
				 "--%s DIR takes no suite and no --out: DIR/plan.ini is the suite",
				 o->resume ? "resume" : "status");
	if (!*dir_opt && !npos)
		return cli_error(&suite_cmd,
				 "a suite FILE.ini, TRACE... or a built-in suite's NAME is needed");
	return 0;
}

static int suite_go(const struct suite_opts *o, struct suite *s, const char *file, int argc, char **argv)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), o->out ? "%s" : "results/%s", o->out ? o->out : s->name);
	if (o->resume)
		snprintf(dir, sizeof(dir), "%s", o->resume);
	if (o->list_jobs) {
		enum suite_jobs_format fmt = !o->format			      ? SUITE_JOBS_LINES
					     : !strcmp(o->format, "slurm")    ? SUITE_JOBS_SLURM
					     : !strcmp(o->format, "parallel") ? SUITE_JOBS_PARALLEL
									      : SUITE_JOBS_LINES;
		int e = suite_list_jobs(s, dir, fmt, (size_t)o->per_job, stdout);
		if (e == -EINVAL)
			fprintf(stderr,
				"mmreplay suite: --list-jobs: --out or the binary's path holds a newline, "
				"which one command per line cannot carry\n");
		return e == -EINVAL ? MM_EXIT_USAGE : e ? MM_EXIT_FAIL : MM_EXIT_OK;
	}
	if (o->prepare)
		return suite_prepare_dir(s, dir, o->plan);
	char cmd[4096];
	suite_command_line(argc, argv, cmd, sizeof(cmd));
	struct suite_run_opts ro = {.out_dir = dir,
				    .job_first = -1,
				    .job_last = -1,
				    .resume = o->resume != NULL,
				    .use_prepared = o->resume || o->job,
				    .plots = !o->no_plots && !o->job,
				    .table = true,
				    .workers = (unsigned)o->workers,
				    .command = o->job || o->resume ? NULL : cmd};
	if (o->job && !parse_jobs(o->job, &ro.job_first, &ro.job_last))
		return cli_error(&suite_cmd, "--job takes a job number K or a range A-B, not '%s'", o->job);
	int rc = suite_run(s, &ro);
	if (rc == MM_EXIT_OK && !o->job)
		printf("\nresults in %s/: index.html (the report page), summary.csv, "
		       "timeseries/*.csv, *.svg, *.png\n",
		       dir);
	return rc;
}

int cmd_suite(int argc, char **argv)
{
	if (argc >= 2)
		for (int i = 0; suites_builtin[i].name; i++)
			if (!strcmp(argv[1], suites_builtin[i].name))
				return suites_builtin[i].run(argc - 1, argv + 1);
	struct suite_opts o = {0};
	struct matrix *m = malloc(sizeof(*m));
	struct suite *s = malloc(sizeof(*s));
	int first = 0, rc = m && s ? cli_parse(&suite_cmd, argc, argv, &o, m, &first) : MM_EXIT_FAIL;
	if (rc == MM_EXIT_OK)
		suite_help_builtins(stdout);
	struct mm_diag d;
	char ini[4096];
	const char *dir_opt = NULL;
	if (rc == CLI_RUN)
		rc = suite_args(&o, argc - first, argv + first, &dir_opt) ? MM_EXIT_USAGE : CLI_RUN;
	if (rc == CLI_RUN && o.status) {
		rc = suite_dir_status(o.status, stdout);
		free(m);
		free(s);
		return rc;
	}
	struct suite_made mk = {.ini = ""};
	const char *file = rc == CLI_RUN ? argv[first] : NULL;
	if (rc == CLI_RUN && o.spill_max && spill_cli_set(o.spill_max))
		rc = cli_error(&suite_cmd, "--spill-max '%s': a size from 1M to 1P (K, M, G, T or P)",
			       o.spill_max);
	if (rc == CLI_RUN && dir_opt) {
		snprintf(ini, sizeof(ini), "%s/plan.ini", dir_opt);
		file = ini;
		if (m->naxes || o.name || o.repeats || o.every_cell || o.workload)
			rc = cli_error(&suite_cmd, "--resume DIR runs DIR's plan as it is: no settings");
	}
	struct task_spec wsp;
	char werr[400];
	if (rc == CLI_RUN && o.workload &&
	    (strlen(o.workload) >= sizeof(s->workload) || strpbrk(o.workload, "\r\n") ||
	     task_spec_parse(o.workload, &wsp, werr, sizeof(werr))))
		rc = cli_error(&suite_cmd, "--workload: %s",
			       strlen(o.workload) >= sizeof(s->workload) || strpbrk(o.workload, "\r\n")
				       ? "too long, or a line break"
				       : werr);
	if (rc == CLI_RUN && o.name && !suite_name_ok(o.name))
		rc = cli_error(&suite_cmd,
			       "--name '%s' must be a short word (no '/', spaces or commas, not '.', "
			       "'..' or starting with '-')",
			       o.name);
	if (rc == CLI_RUN && !dir_opt && !is_suite_file(argc - first, argv + first)) {
		rc = suite_write_ini(&o, m, argc - first, argv + first, &mk);
		rc = rc ? rc : CLI_RUN;
		file = mk.ini;
	}
	if (rc == CLI_RUN && suite_load(file, data_dir(), s, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		rc = MM_EXIT_FAIL;
	}
	if (rc == CLI_RUN && o.repeats)
		s->repeats = (unsigned)o.repeats;
	if (rc == CLI_RUN && o.name)
		snprintf(s->name, sizeof(s->name), "%s", o.name);
	if (rc == CLI_RUN && o.every_cell)
		s->every_cell = true;
	if (rc == CLI_RUN && o.workload)
		snprintf(s->workload, sizeof(s->workload), "%s", o.workload);
	if (rc == CLI_RUN && suite_add_axes(s, m))
		rc = MM_EXIT_USAGE;
	if (rc != CLI_RUN)
		suite_unmake(&mk);
	if (rc == CLI_RUN) {
		suite_absolute(s);
		rc = suite_go(&o, s, file, argc, argv);
	}
	free(m);
	free(s);
	return rc;
}
