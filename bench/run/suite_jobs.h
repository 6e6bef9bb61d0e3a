/* A suite spread over machines: `suite --list-jobs` plans the suite (each trace read once for
 * its event counts), writes the plan to DIR (suite_dir.h) and prints its jobs, N cells each,
 * as one command per job (lines), one GNU parallel command line (parallel: the prepare step,
 * the jobs, the merge and the graphs), or a script that submits them to Slurm (slurm: the
 * prepare step, an array of at most 1,000 tasks after it, the merge and the graphs after every
 * task). Every path in them is absolute: on a cluster the binary, the traces and DIR must be on
 * a file system every node shares, at the same paths. */
#ifndef SUITE_JOBS_H
#define SUITE_JOBS_H

#include <stdio.h>

#include "bench/run/suite.h"

enum suite_jobs_format { SUITE_JOBS_LINES, SUITE_JOBS_PARALLEL, SUITE_JOBS_SLURM };

/* Slurm's default MaxArraySize is 1001: task numbers 0..1000. */
#define SUITE_SLURM_TASKS_MAX 1000

/* per_job 0: 1 cell a job; parallel: 4 jobs a CPU; slurm: as few as fit SUITE_SLURM_TASKS_MAX tasks. 0;
 * -EINVAL when DIR or the binary's path holds a newline (nothing printed); -EIO after a message. */
int suite_list_jobs(const struct suite *s, const char *dir, enum suite_jobs_format fmt, size_t per_job,
		    FILE *f);
/* `suite --prepare`: DIR's plan (made when DIR has none of this suite; expect_id, when not
 * NULL, must be its identity) and each trace converted once (suite_prepare.h). Exit code. */
int suite_prepare_dir(const struct suite *s, const char *dir, const char *expect_id);

#endif
