/* Runs a suite file: every cell (trace x configuration) of its matrix, or one cell (--job K),
 * and writes DIR/summary.csv (one row per cell), DIR/timeseries/TRACE__CONFIG.csv and graphs.
 * Per cell: one sampled pass (time series, per-operation latency histograms), then `repeats`
 * timed passes (events per second, min/median/max), with hardware counters where the machine
 * has them and jemalloc's heap statistics. */
#ifndef SUITE_RUN_H
#define SUITE_RUN_H

#include <stdio.h>

#include "suite.h"

struct suite_run_opts {
	const char *out_dir; /* results directory for this suite (e.g. results/NAME) */
	long job;	     /* -1: every cell; else only cell `job` (0-based) */
	bool plots;	     /* draw the graphs at the end (not for --job) */
	bool table;	     /* print a short table to stdout */
	unsigned workers;    /* threads for the cells (cells.h); 0: the CPUs online */
	bool every_cell;     /* run the cells whose axes do not apply to their trace too */
	const char *command; /* the command line that reproduces the run (DIR/command.txt), or NULL */
};

/* Validate every configuration, then run. Returns a process exit code. */
int suite_run(const struct suite *s, const struct suite_run_opts *o);
/* The summary columns of the short table on stdout: i-th, NULL past the last. */
const char *suite_run_table_column(size_t i);
/* One `/path/to/mmreplay suite --job K --out DIR FILE` line per cell that runs (suite_axes.h),
 * quoted for a POSIX shell; the skipped cells are summed up on stderr. -EINVAL (nothing printed)
 * when FILE or DIR holds a newline, or a trace cannot be read (said on stderr). */
int suite_list_jobs(const struct suite *s, const char *path, const char *out_dir, FILE *f);
/* "mmreplay ARGV..." with each word quoted for a shell (argv[0] is the command's name). */
void suite_command_line(int argc, char **argv, char *buf, size_t len);

#endif
