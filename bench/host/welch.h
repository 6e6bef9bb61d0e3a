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
};

struct welch welch_test(const double *a, size_t na, const double *b, size_t nb);
/* Regularized incomplete beta function I_x(a, b) (continued fraction), exposed for tests. */
double welch_ibeta(double a, double b, double x);

#endif
