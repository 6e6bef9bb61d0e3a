/* A suite's results directory as the place a plan is carried out, by one run or by many jobs:
 * DIR/plan.ini (the suite as resolved: absolute trace paths, every axis, a file any job loads),
 * DIR/plan.csv (one row per job: the plan's identity, the job number, its cell, trace and
 * configuration), DIR/cells/cell-JJJJJ.csv (a finished job: the columns plan and job, then the
 * summary's), DIR/cells/cell-JJJJJ.err (a failed job's message), DIR/cells/snapshots/ (its
 * per-snapshot rows) and DIR/PARTIAL.txt while cells are missing. Jobs are the cells that run,
 * numbered contiguously in cell order. The identity is a hash of plan.ini's text, each trace's
 * event counts and each trace file's size and modification time: cells of another plan are
 * never merged, and a new plan removes the outputs an earlier one left. */
#ifndef SUITE_DIR_H
#define SUITE_DIR_H

#include <stdio.h>

#include "bench/run/suite.h"
#include "bench/run/suite_axes.h"

#define SUITE_ID_LEN 17 /* 16 hex digits and a NUL */

struct suite_jobs {
	char id[SUITE_ID_LEN];
	size_t n;     /* jobs */
	size_t *cell; /* [n], ascending: job J runs cell cell[J] of the whole matrix */
};

/* Trace paths made absolute (the working directory prefixed to relative ones), so plan.ini
 * names the same files from anywhere. */
void suite_absolute(struct suite *s);
/* The suite as plan.ini holds it (suite_load reads it back to the same suite). */
void suite_resolved(const struct suite *s, FILE *f);
/* The jobs of plan p and the plan's identity. 0 or -ENOMEM. */
int suite_jobs_make(const struct suite *s, const struct suite_plan *p, struct suite_jobs *j);
void suite_jobs_free(struct suite_jobs *j);

/* DIR/plan.csv. 0; -ENOENT when there is none; else -errno with d set. */
int suite_dir_read(const char *dir, struct suite_jobs *j, struct mm_diag *d);
/* Write DIR/plan.ini and DIR/plan.csv. When DIR holds another plan (or clean is set), the
 * outputs of the earlier run are removed first (said on log). 0 or -errno after a message. */
int suite_dir_write(const char *dir, const struct suite *s, const struct suite_jobs *j, bool clean,
		    FILE *log);
/* Whether DIR/plan.ini's text is the resolved text of s. */
bool suite_dir_same_suite(const char *dir, const struct suite *s);

enum { SUITE_CELL_MISSING, SUITE_CELL_DONE, SUITE_CELL_FAILED };
struct suite_dir_state {
	u8 *st; /* [jobs]: SUITE_CELL_* */
	size_t done, failed, missing;
	size_t nforeign;   /* cell files of another plan, or past the last job */
	char foreign[512]; /* the first few of them */
};
/* Which jobs of j have a cell of this plan in DIR/cells. 0 or -ENOMEM. */
int suite_dir_scan(const char *dir, const struct suite_jobs *j, struct suite_dir_state *st);
void suite_dir_state_free(struct suite_dir_state *st);
/* "3-7, 12" for the jobs in state which, at most len bytes ("..." when cut). */
void suite_dir_ranges(const struct suite_dir_state *st, size_t njobs, int which, char *buf, size_t len);
/* A failed job's message (DIR/cells/cell-J.err's first line), "" when none. */
void suite_dir_why(const char *dir, size_t job, char *buf, size_t len);
/* `mmreplay suite --status DIR`: cells done, missing, failed with their messages. Exit code. */
int suite_dir_status(const char *dir, FILE *f);

/* The cell file names of job J below DIR. */
void suite_dir_cell_rel(size_t job, const char *ext, char *buf, size_t len);
void suite_dir_snap_rel(size_t job, char *buf, size_t len);

/* DIR/PARTIAL.txt says what is missing and how to finish (set), or is removed. */
void suite_dir_mark(const char *dir, const struct suite_jobs *j, bool partial);

#endif
