/* Runs the gnuplot scripts in plots/ on CSV files. Scripts take their inputs as gnuplot
 * variables (-e "datafile='...'; outfile='...'; ...") and write PNG (pngcairo) or SVG. */
#ifndef PLOT_H
#define PLOT_H

/* The plots/ directory: $MMREPLAY_PLOTS if set, else the source tree's. */
const char *plot_dir(void);
/* gnuplot -e "datafile='csv'; outfile='out'; <extra>" plots/script; the scripts write
 * out.png and out.svg. gnuplot's messages are appended to errlog (NULL: passed through).
 * 0, or -errno / -ECHILD when gnuplot is missing or failed. */
int plot_run(const char *script, const char *csv, const char *out, const char *extra, const char *errlog);

#endif
