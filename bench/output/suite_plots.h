/* The graphs of a suite's results directory (summary.csv + timeseries/), drawn by the gnuplot
 * scripts in plots/ into DIR/NAME.png and DIR/NAME.svg, with their data in DIR/plots/NAME.csv. Used at the
 * end of `mmreplay suite` and by `mmreplay plot DIR`. */
#ifndef SUITE_PLOTS_H
#define SUITE_PLOTS_H

#include <stdio.h>

/* The summary and time-series columns the graphs read (NULL-terminated). */
extern const char *const suite_plot_summary_columns[], *const suite_plot_series_columns[];

/* Draw every graph the results support; names each file written on log, says what failed on
 * stderr as "mmreplay CMD: ...". 0, -ENODATA when DIR/summary.csv is missing or not a suite
 * summary (said once: nothing else can be drawn from it), or another -errno. */
int suite_plots(const char *dir, const char *cmd, FILE *log);

#endif
