/* mmreplay plot: a suite's results directory drawn (graphs through the gnuplot scripts in plots/) and its
 * report page written; a directory that is partial or not merged is said so, once. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/output/report.h"
#include "bench/output/suite_plots.h"
#include "bench/run/suite_dir.h"
#include "bench/run/suite_jobs.h"
#include "workloads/diag.h"

/* A directory with no summary, or a partial one, said once. true when there is nothing to draw. */
static bool plot_partial(const char *dir)
{
	char path[4200];
	struct suite_jobs j;
	struct suite_dir_state st;
	struct mm_diag d;
	snprintf(path, sizeof(path), "%s/PARTIAL.txt", dir);
	bool partial = !access(path, F_OK);
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	if (!partial && !access(path, F_OK))
		return false;
	if (suite_dir_read(dir, &j, &d) || suite_dir_scan(dir, &j, &st)) {
		fprintf(stderr, "mmreplay plot: %s: no such file (not a suite's results directory)\n", path);
		return true;
	}
	if (st.done == j.n)
		fprintf(stderr,
			"mmreplay plot: %s: all %zu cells are done but not merged: `mmreplay merge %s` "
			"first\n",
			dir, j.n, dir);
	else
		fprintf(stderr,
			"mmreplay plot: %s is partial: %zu of %zu cells done, %zu failed, %zu missing "
			"(`mmreplay suite --status %s` lists them; `mmreplay suite --resume %s` finishes "
			"it)\n",
			dir, st.done, j.n, st.failed, st.missing, dir, dir);
	suite_dir_state_free(&st);
	suite_jobs_free(&j);
	return true;
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
	if (plot_partial(argv[first]))
		return MM_EXIT_FAIL;
	int err = suite_plots(argv[first], "plot", stdout);
	if (err == -ENODATA || report_write(argv[first], "plot")) /* no summary: said once */
		return MM_EXIT_FAIL;
	printf("  %s/index.html (the report page)\n", argv[first]);
	return err ? MM_EXIT_FAIL : MM_EXIT_OK;
}
