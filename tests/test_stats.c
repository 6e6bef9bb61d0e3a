/* Host-statistics helpers of bench/: the log-bucket histogram against exact percentiles of a
 * sorted array, and Welch's t-test against closed forms of Student's t distribution. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "histo.h"
#include "rng.h"
#include "welch.h"

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	return x < y ? -1 : x > y;
}

Test(histo, percentiles_within_bucket_resolution)
{
	static struct histo h;
	static u64 v[20000];
	struct rng g;
	rng_seed(&g, 3);
	histo_reset(&h);
	for (int i = 0; i < 20000; i++) {
		/* log-uniform over 1 ns .. 1 ms */
		v[i] = 1 + (rng_next(&g) >> (44 + rng_below(&g, 20)));
		histo_record(&h, v[i]);
	}
	qsort(v, 20000, sizeof(v[0]), cmp_u64);
	const double ps[] = {0.5, 0.9, 0.99, 1.0};
	for (int i = 0; i < 4; i++) {
		u64 exact = v[(size_t)ceil(ps[i] * 20000) - 1], got = histo_percentile(&h, ps[i]);
		cr_assert_geq(got, exact, "p%.2f: %llu < exact %llu", ps[i], (unsigned long long)got,
			      (unsigned long long)exact);
		cr_assert_leq((double)got, (double)exact * 1.125 + 1, "p%.2f: %llu vs exact %llu", ps[i],
			      (unsigned long long)got, (unsigned long long)exact);
	}
	cr_assert_eq(histo_percentile(&h, 1.0), v[19999]);
	/* every value maps into a bucket whose bounds contain it */
	for (u64 x = 0; x < 100000; x += 7) {
		unsigned i = histo_index(x);
		cr_assert_leq(x, histo_bucket_max(i));
		cr_assert(i == 0 || x > histo_bucket_max(i - 1));
	}
	cr_assert_leq(histo_index(~0ULL), HISTO_BUCKETS - 1);
}

Test(welch, p_values_match_closed_forms)
{
	/* Student's t with 1 degree of freedom (Cauchy): two-sided p = 1 - 2 atan(t) / pi;
	 * with 2: p = 1 - t / sqrt(2 + t^2) */
	const double ts[] = {0.1, 0.5, 1, 2, 4.3, 12.7};
	for (int i = 0; i < 6; i++) {
		double t = ts[i];
		double p1 = welch_ibeta(0.5, 0.5, 1 / (1 + t * t));
		cr_assert_float_eq(p1, 1 - 2 * atan(t) / M_PI, 1e-9, "df=1 t=%g", t);
		double p2 = welch_ibeta(1, 0.5, 2 / (2 + t * t));
		cr_assert_float_eq(p2, 1 - t / sqrt(2 + t * t), 1e-9, "df=2 t=%g", t);
	}
}

Test(welch, statistic_and_degrees_of_freedom)
{
	/* a: mean 2, var 1; b: mean 5, var 2.5 (hand-computed) */
	const double a[] = {1, 2, 3}, b[] = {3, 4, 5, 6, 7};
	struct welch w = welch_test(a, 3, b, 5);
	/* se^2 = 1/3 + 2.5/5 = 0.8333; t = -3 / 0.91287 = -3.2863 */
	cr_assert_float_eq(w.t, -3.0 / sqrt(1.0 / 3 + 0.5), 1e-12);
	/* df = 0.8333^2 / ((1/3)^2/2 + 0.5^2/4) = 0.69444 / (0.055556 + 0.0625) = 5.8824 */
	cr_assert_float_eq(w.df, (5.0 / 6) * (5.0 / 6) / (1.0 / 18 + 1.0 / 16), 1e-12);
	cr_assert(w.p > 0.01 && w.p < 0.05, "p=%g", w.p);
	/* identical samples: no difference */
	struct welch same = welch_test(a, 3, a, 3);
	cr_assert_float_eq(same.p, 1.0, 1e-12);
	/* too few repeats: no verdict */
	cr_assert_float_eq(welch_test(a, 1, b, 5).p, 1.0, 1e-12);
	/* clearly separated large samples: tiny p */
	double x[50], y[50];
	for (int i = 0; i < 50; i++) {
		x[i] = 100 + (i % 5);
		y[i] = 120 + (i % 7);
	}
	cr_assert_lt(welch_test(x, 50, y, 50).p, 1e-10);
}
