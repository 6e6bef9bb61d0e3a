/* Runs a suite file: every cell (trace x configuration) of its matrix, or one cell (--job K),
 * and writes DIR/summary.csv (one row per cell), DIR/timeseries/TRACE__CONFIG.csv and graphs.
 * Per cell: one sampled pass (time series, per-operation latency histograms), then `repeats`
 * timed passes (events per second, min/median/max), with hardware counters where the machine
 * has them and jemalloc's heap statistics. */
#ifndef SUITE_RUN_H
#define SUITE_RUN_H

#include <stdio.h>

#include "bench/run/suite.h"

struct suite_run_opts {
	const char *out_dir;	  /* results directory for this suite (e.g. results/NAME) */
	long job_first, job_last; /* -1: every cell; else jobs first..last of out_dir's plan */
	bool resume;		  /* the jobs of out_dir's plan not done, then the merge and graphs */
	bool use_prepared;	  /* read traces from out_dir/prepared/ where converted (jobs, resume) */
	bool plots;		  /* draw the graphs at the end (not for jobs) */
	bool table;		  /* print a short table to stdout */
	unsigned workers;	  /* threads for the cells (cells.h); 0: the CPUs online */
	const char *command;	  /* the command line that reproduces the run (DIR/command.txt), or NULL */
};

/* Validate every configuration, then run: every cell (the plan written to out_dir/plan.ini
 * and plan.csv, the outputs of an earlier run removed, each cell also in out_dir/cells/ so an
 * interrupted run can be resumed), some jobs of out_dir's plan (suite_dir.h), or the jobs not
 * done. Returns a process exit code. */
int suite_run(const struct suite *s, const struct suite_run_opts *o);
/* "mmreplay ARGV..." with each word quoted for a shell (argv[0] is the command's name). */
void suite_command_line(int argc, char **argv, char *buf, size_t len);

#endif
