/* The comparison behind `mmreplay compare` and the report page: each configuration of a summary
 * (or replay) CSV against a baseline, per trace and metric, on the median over repeats. Host
 * metrics get Welch's t-test over the repeats; model metrics are deterministic, so any change is
 * real, but a relative change is only given where the baseline is not tiny (compare_floor). Which
 * column names a configuration and which is a host measurement comes from the metrics registry;
 * a column it does not know is a configuration when it is not numeric. */
#ifndef COMPARE_H
#define COMPARE_H

#include "bench/output/csvread.h"

/* How host metrics' p-values are corrected for the number of tests in one comparison (every host
 * line of every trace): Holm's step-down (the family-wise error rate) by default, or
 * Benjamini-Hochberg (the false discovery rate). */
enum compare_correction { COMPARE_HOLM, COMPARE_BH, COMPARE_UNCORRECTED };

struct compare_opts {
	const char *baseline;	     /* a label or part of one: '/'-separated items, each a value or
				      * AXIS=VALUE, globs allowed; NULL: each trace's first configuration */
	const char *metric, *config; /* comma-separated globs; NULL: every one */
	double alpha;		     /* host metrics: significance level */
	double min_effect;	     /* the short view: |change| / max(|baseline|, floor) at least this */
	enum compare_correction correction;
	unsigned min_repeats; /* host metrics: fewer repeats on either side is "too few" (0: 2) */
};

/* The name of a correction as people read it ("Holm", "Benjamini-Hochberg", "none"). */
const char *compare_correction_name(enum compare_correction c);

struct compare_line {
	const char *trace, *config, *metric;
	size_t col;
	double value, base;  /* medians */
	double pct;	     /* relative change in percent; NAN when the baseline is under the floor */
	double pct_raw;	     /* the same whatever the baseline; NAN when it is 0 */
	double effect;	     /* |value - base| / max(|base|, floor) */
	double p;	     /* Welch's p (host metrics), else 0 */
	double p_adj;	     /* p corrected for the comparison's number of host tests */
	double ci_lo, ci_hi; /* host: 95 % interval of mean - baseline mean (the effect size) */
	size_t nrep;	     /* host: the fewer repeats of the two sides */
	int verdict; /* host metrics: 1 significant after correction, 0 noise, -1 too few repeats; model: 1 */
	bool host, integer; /* a host measurement; both medians are integers */
	bool beyond_noise;  /* a model change of at least min_effect, or a significant host one */
};

struct compare_trace {
	const char *trace;
	const char *baseline; /* the baseline configuration's label */
	bool matched;	      /* the baseline is the one asked for (else the trace's first) */
	struct compare_line *lines;
	size_t nlines; /* every (configuration, metric) that differs, in column then row order */
};

struct compare {
	struct csvtab t;
	size_t ntraces;
	struct compare_trace *tr;
	size_t ntests; /* host lines with enough repeats: the number the correction counts */
	char *mem[4];  /* owned arrays */
};

/* Read path and compare, in time near-linear in the rows and columns (hash joins on trace and
 * configuration). 0; -EINVAL with the reason in d (unreadable, a baseline that matches no
 * configuration or several in one trace: d lists them); -E2BIG (d says so) past 2^23 differing
 * lines, about 1 GiB; -ENOMEM. */
int compare_load(struct compare *c, const char *path, const struct compare_opts *o, struct mm_diag *d);
void compare_free(struct compare *c);
/* The lines of trace i beyond noise, largest effect first (into a caller array of nlines). */
size_t compare_short(const struct compare *c, size_t i, const struct compare_line **out);
/* The smallest baseline a relative change is given for: 100 thousandths for an index (so 7 -> 13
 * thousandths is +6, not +85.71%), 1 for anything else (a count from 0 has no relative change). */
double compare_floor(const char *metric);
/* A number as people read it: integers as integers, else 4 significant digits, never an exponent
 * below 1e15. */
void compare_fmt(double v, char *buf, size_t len);

#endif
