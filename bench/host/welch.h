/* Welch's unequal-variance t-test over two samples (repeats of one host metric under two
 * configurations), as mmtests uses to tell a real difference from run-to-run noise. */
#ifndef WELCH_H
#define WELCH_H

#include <stddef.h>

struct welch {
	double t;  /* (mean_a - mean_b) / sqrt(var_a/n_a + var_b/n_b) */
	double df; /* Welch-Satterthwaite degrees of freedom */
	double p;  /* two-sided p-value; 1 when undefined (fewer than 2 values, zero variance and equal means)
		    */
	double diff, se; /* mean_a - mean_b and its standard error (inf: fewer than 2 values) */
};

struct welch welch_test(const double *a, size_t na, const double *b, size_t nb);
/* The two-sided (1 - alpha) confidence interval of mean_a - mean_b: diff -/+ t(df, alpha) * se.
 * [diff, diff] when the variance is 0; [-inf, inf] when undefined (fewer than 2 values each). */
void welch_ci(const struct welch *w, double alpha, double *lo, double *hi);
/* The t with two-sided tail probability alpha at df degrees of freedom (df > 0). */
double welch_t_quantile(double df, double alpha);
/* Regularized incomplete beta function I_x(a, b) (continued fraction), exposed for tests. */
double welch_ibeta(double a, double b, double x);

#endif
