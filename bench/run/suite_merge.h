/* Joins the cells of a suite carried out by jobs (suite_dir.h) into its summary: each cell
 * file must be of the directory's plan, each job's there once, and none missing; what is not
 * is named (foreign files, missing and failed jobs with their messages) and nothing is
 * written. Rows come out in job order without the plan and job columns, so the summary equals
 * a whole run's. */
#ifndef SUITE_MERGE_H
#define SUITE_MERGE_H

#include <stdbool.h>
#include <stdio.h>

/* Whether path is a suite's cell file (its header starts with plan,job). */
bool suite_merge_is_cell(const char *path);
/* Check files[0..n) against their directory's plan (DIR/cells/cell-J.csv: DIR/plan.csv; files
 * elsewhere: one plan among them, each job once) and write the summary to out. 0, or -errno
 * after "mmreplay CMD: ..." on stderr. */
int suite_merge_cells(char *const *files, size_t n, FILE *out, const char *cmd);
/* DIR/cells/ into DIR/summary.csv and DIR/snapshots.csv; DIR is no longer partial. 0 or
 * -errno after a message. */
int suite_merge_dir(const char *dir, const char *cmd);

#endif
