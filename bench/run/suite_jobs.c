#include "bench/run/suite_jobs.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bench/mm_exit.h"
#include "bench/output/shell.h"
#include "bench/run/suite_dir.h"
#include "bench/run/suite_prepare.h"
#include "bench/run/workers.h"

/* Plan s into dir: the plan's jobs in j (dir's own plan when it is this suite's). 0 or -EIO
 * after a message. */
static int plan_into(const struct suite *s, const char *dir, struct suite_jobs *j)
{
	struct suite_plan plan;
	struct mm_diag d;
	if (suite_dir_same_suite(dir, s) && !suite_dir_read(dir, j, &d))
		return 0;
	if (suite_plan_build(s, s->every_cell, &plan, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		return -EIO;
	}
	suite_plan_print(s, &plan, stderr);
	int err = suite_plan_write(s, &plan, dir);
	if (!err && suite_jobs_make(s, &plan, j))
		err = -ENOMEM;
	suite_plan_free(&plan);
	if (!err && (err = suite_dir_write(dir, s, j, false, stderr)))
		suite_jobs_free(j);
	if (!err)
		suite_dir_mark(dir, j, true);
	return err ? -EIO : 0;
}

int suite_prepare_dir(const struct suite *s, const char *dir, const char *expect_id)
{
	struct suite_jobs j;
	if (plan_into(s, dir, &j))
		return MM_EXIT_FAIL;
	if (expect_id && strcmp(expect_id, j.id)) {
		fprintf(stderr,
			"mmreplay suite: --prepare: the plan is now %s, not %s (a trace or the suite changed "
			"since the jobs were listed): list them again\n",
			j.id, expect_id);
		suite_jobs_free(&j);
		return MM_EXIT_FAIL;
	}
	int err = suite_prepare_traces(s, dir);
	if (!err)
		fprintf(stderr, "mmreplay suite: %s: plan %s, %zu jobs, traces prepared\n", dir, j.id, j.n);
	suite_jobs_free(&j);
	return err ? MM_EXIT_FAIL : MM_EXIT_OK;
}

struct jobs_out {
	FILE *f;
	const char *self, *dir, *plan, *id, *name;
	size_t njobs, per, tasks;
};

static void q(FILE *f, const char *s)
{
	shell_quote(f, s);
}

static void print_lines(const struct jobs_out *o)
{
	for (size_t t = 0; t < o->tasks; t++) {
		size_t a = t * o->per, b = MM_MIN(a + o->per, o->njobs) - 1;
		q(o->f, o->self);
		fprintf(o->f, b > a ? " suite --job %zu-%zu --out " : " suite --job %zu --out ", a, b);
		q(o->f, o->dir);
		fputc(' ', o->f);
		q(o->f, o->plan);
		fputc('\n', o->f);
	}
}

static void print_parallel(const struct jobs_out *o)
{
	FILE *f = o->f;
	q(f, o->self);
	fputs(" suite --prepare --plan ", f);
	fprintf(f, "%s --out ", o->id);
	q(f, o->dir);
	fputc(' ', f);
	q(f, o->plan);
	fprintf(f, " && parallel -q -j %u ", workers_online());
	q(f, o->self);
	fputs(" suite --job {} -j 1 --out ", f);
	q(f, o->dir);
	fputc(' ', f);
	q(f, o->plan);
	fputs(" :::", f);
	for (size_t t = 0; t < o->tasks; t++) {
		size_t a = t * o->per, b = MM_MIN(a + o->per, o->njobs) - 1;
		fprintf(f, b > a ? " %zu-%zu" : " %zu", a, b);
	}
	fputs("; ", f);
	q(f, o->self);
	fputs(" merge ", f);
	q(f, o->dir);
	fputs(" && ", f);
	q(f, o->self);
	fputs(" plot ", f);
	q(f, o->dir);
	fputc('\n', f);
}

/* One sbatch call whose script comes from a here-document (nothing expanded in it). */
static void sbatch(const struct jobs_out *o, const char *var, const char *what, const char *deps)
{
	char path[4200];
	if (*var)
		fprintf(o->f, "%s=$(sbatch", var);
	snprintf(path, sizeof(path), "--job-name=%s-%s", o->name, what);
	fputs(" --parsable $SBATCH_OPTS ", o->f);
	q(o->f, path);
	if (deps)
		fprintf(o->f, " --dependency=%s", deps);
	snprintf(path, sizeof(path), "%s/slurm/%s-%s.out", o->dir, what,
		 strcmp(what, "cells") ? "%j" : "%A_%a");
	fputs(" --output=", o->f);
	q(o->f, path);
	snprintf(path, sizeof(path), "%s/slurm/%s-%s.err", o->dir, what,
		 strcmp(what, "cells") ? "%j" : "%A_%a");
	fputs(" --error=", o->f);
	q(o->f, path);
}

/* The job's command: mmreplay ARGS DIR PLAN (PLAN NULL: DIR alone). */
static void cmd(const struct jobs_out *o, const char *args, bool plan)
{
	q(o->f, o->self);
	fprintf(o->f, " %s ", args);
	q(o->f, o->dir);
	if (plan) {
		fputc(' ', o->f);
		q(o->f, o->plan);
	}
}

static void print_slurm(const struct jobs_out *o)
{
	FILE *f = o->f;
	char logs[4200], args[128];
	fprintf(f,
		"#!/bin/bash\n"
		"# Suite %s on Slurm, written by `mmreplay suite --list-jobs --format slurm`. Run it where\n"
		"# you submit jobs (bash THIS_FILE); it submits three jobs and prints their ids:\n"
		"#   1. prepare: each trace converted once to the native format in DIR/prepared/;\n"
		"#   2. cells: an array of %zu tasks (%zu cells each, %zu in all) once prepare succeeded;\n"
		"#   3. merge: DIR/summary.csv, the graphs and index.html once every task ended (it names\n"
		"#      the cells that failed or are missing; `mmreplay suite --status DIR` any time).\n"
		"# The binary, the traces and DIR must be on a file system every node shares, at these\n"
		"# absolute paths. Options for your cluster (partition, account, time): SBATCH_OPTS.\n"
		"set -eu\nSBATCH_OPTS=${SBATCH_OPTS:-}\nmkdir -p ",
		o->name, o->tasks, o->per, o->njobs);
	snprintf(logs, sizeof(logs), "%s/slurm", o->dir);
	q(f, logs);
	fputc('\n', f);
	sbatch(o, "prepare", "prepare", NULL);
	fputs(" <<'EOF'\n#!/bin/sh\nexec ", f);
	snprintf(args, sizeof(args), "suite --prepare --plan %s --out", o->id);
	cmd(o, args, true);
	fputs("\nEOF\n)\n", f);
	fprintf(f, "cells=$(sbatch --array=0-%zu", o->tasks - 1);
	sbatch(o, "", "cells", "afterok:$prepare");
	fputs(" <<'EOF'\n#!/bin/sh\n", f);
	fprintf(f,
		"first=$((SLURM_ARRAY_TASK_ID * %zu))\nlast=$((first + %zu))\n"
		"if [ \"$last\" -gt %zu ]; then last=%zu; fi\nexec ",
		o->per, o->per - 1, o->njobs - 1, o->njobs - 1);
	q(f, o->self);
	fputs(" suite --job \"$first-$last\" -j \"${SLURM_CPUS_PER_TASK:-1}\" --out ", f);
	q(f, o->dir);
	fputc(' ', f);
	q(f, o->plan);
	fputs("\nEOF\n)\n", f);
	sbatch(o, "merge", "merge", "afterany:$cells");
	fputs(" <<'EOF'\n#!/bin/sh\n", f);
	cmd(o, "merge", false);
	fputs(" && exec ", f);
	cmd(o, "plot", false);
	fputs("\nEOF\n)\n", f);
	fprintf(f, "echo \"submitted: prepare $prepare, cells $cells (%zu tasks), merge $merge; logs in ",
		o->tasks);
	fputs("$(printf %s ", f);
	q(f, logs);
	fputs(")\"\n", f);
}

int suite_list_jobs(const struct suite *s, const char *dir, enum suite_jobs_format fmt, size_t per_job,
		    FILE *f)
{
	struct suite_jobs j;
	char absdir[PATH_MAX], plan[PATH_MAX + 16];
	if (!shell_one_line(dir) || !shell_one_line(shell_self()))
		return -EINVAL; /* one command per line */
	if (plan_into(s, dir, &j))
		return -EIO;
	if (!realpath(dir, absdir))
		snprintf(absdir, sizeof(absdir), "%s", dir);
	snprintf(plan, sizeof(plan), "%s/plan.ini", absdir);
	size_t per = per_job ? per_job : 1;
	if (!per_job && fmt == SUITE_JOBS_SLURM)
		per = MM_MAX((size_t)1, (j.n + SUITE_SLURM_TASKS_MAX - 1) / SUITE_SLURM_TASKS_MAX);
	if (!per_job && fmt == SUITE_JOBS_PARALLEL) /* 4 jobs a CPU: a process's start amortized */
		per = MM_MAX((size_t)1, (j.n + 4 * workers_online() - 1) / (4 * workers_online()));
	struct jobs_out o = {.f = f,
			     .self = shell_self(),
			     .dir = absdir,
			     .plan = plan,
			     .id = j.id,
			     .name = s->name,
			     .njobs = j.n,
			     .per = per,
			     .tasks = (j.n + per - 1) / per};
	if (fmt == SUITE_JOBS_SLURM && o.tasks > SUITE_SLURM_TASKS_MAX)
		fprintf(stderr,
			"mmreplay suite: %zu cells a job make %zu array tasks, more than Slurm's default "
			"MaxArraySize allows (%d): --cells-per-job %zu fits\n",
			per, o.tasks, SUITE_SLURM_TASKS_MAX,
			(j.n + SUITE_SLURM_TASKS_MAX - 1) / SUITE_SLURM_TASKS_MAX);
	fprintf(stderr, "mmreplay suite: %zu cells to run as %zu jobs of %zu (plan %s in %s)\n", j.n, o.tasks,
		per, j.id, absdir);
	if (!j.n)
		fprintf(stderr, "mmreplay suite: no cell runs: nothing to list\n");
	else if (fmt == SUITE_JOBS_LINES)
		print_lines(&o);
	else if (fmt == SUITE_JOBS_PARALLEL)
		print_parallel(&o);
	else
		print_slurm(&o);
	suite_jobs_free(&j);
	return 0;
}
