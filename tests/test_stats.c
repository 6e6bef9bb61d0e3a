/* Host-statistics helpers of bench/: the log-bucket histogram against exact percentiles of a
 * sorted array, and Welch's t-test against closed forms of Student's t distribution. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "bench/host/histo.h"
#include "core/lib/rng.h"
#include "bench/host/welch.h"
#include "bench/output/compare.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* The t quantile inverts the p-value, and a 95 % interval excludes 0 exactly when p < 0.05. */
Test(welch, quantile_and_interval)
{
	cr_assert_float_eq(welch_t_quantile(4, 0.05), 2.7764451, 1e-5);
	cr_assert_float_eq(welch_t_quantile(10, 0.05), 2.2281389, 1e-5);
	double a[] = {10, 11, 12, 10.5, 11.5}, b[] = {12, 13, 12.5, 13.5, 12.2}, lo, hi;
	struct welch w = welch_test(a, 5, b, 5);
	welch_ci(&w, 0.05, &lo, &hi);
	cr_assert_float_eq((lo + hi) / 2, w.diff, 1e-9);
	cr_assert_eq(hi < 0, w.p < 0.05, "interval [%g, %g], p %g", lo, hi, w.p);
	welch_ci(&w, w.p, &lo, &hi); /* at alpha = p the interval ends at 0 */
	cr_assert_float_eq(hi, 0, 1e-6);
}

/* Holm's and Benjamini-Hochberg's corrections against their definitions over every host line
 * of a summary, and fewer repeats than asked are never tested. */
Test(compare, corrections_match_their_definitions)
{
	char path[] = "/tmp/mmreplay_corr_XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "trace,config,host_ns\n");
	static const double shift[] = {0, 0.3, 1, 3, 0.05};
	for (int c = 0; c < 5; c++)
		for (int r = 0; r < 6; r++)
			fprintf(f, "t,c%d,%g\n", c, 100 + shift[c] + (r % 3) * 0.5 + r * 0.01);
	for (int r = 0; r < 3; r++) /* three repeats only */
		fprintf(f, "t,few,%g\n", 150.0 + r);
	fclose(f);
	for (int k = 0; k < 2; k++) {
		struct compare c;
		struct mm_diag d = {{0}};
		struct compare_opts o = {.alpha = 0.05,
					 .min_effect = 0,
					 .correction = k ? COMPARE_BH : COMPARE_HOLM,
					 .min_repeats = 5};
		cr_assert_eq(compare_load(&c, path, &o, &d), 0, "%s", d.msg);
		cr_assert_eq(c.ntraces, 1);
		const struct compare_trace *t = &c.tr[0];
		size_t m = 0;
		for (size_t i = 0; i < t->nlines; i++) {
			if (!strcmp(t->lines[i].config, "few")) {
				cr_assert_eq(t->lines[i].verdict, -1);
				continue;
			}
			m++;
		}
		cr_assert_eq(m, 4);
		cr_assert_eq(c.ntests, m);
		for (size_t i = 0; i < t->nlines; i++) {
			const struct compare_line *l = &t->lines[i];
			if (l->verdict < 0)
				continue;
			/* rank of l's p among the tested (ties do not occur here) */
			size_t rank = 0;
			double want = k ? 1 : 0;
			for (size_t j = 0; j < t->nlines; j++)
				rank += t->lines[j].verdict >= 0 && t->lines[j].p < l->p;
			for (size_t j = 0; j < t->nlines; j++) {
				const struct compare_line *o2 = &t->lines[j];
				size_t r2 = 0;
				if (o2->verdict < 0)
					continue;
				for (size_t q = 0; q < t->nlines; q++)
					r2 += t->lines[q].verdict >= 0 && t->lines[q].p < o2->p;
				if (!k && r2 <= rank) /* Holm: max over smaller-or-equal p of (m - r) p */
					want = fmax(want, fmin(1, (double)(m - r2) * o2->p));
				if (k && r2 >= rank) /* BH: min over larger-or-equal p of m p / (r + 1) */
					want = fmin(want, fmin(1, (double)m * o2->p / (double)(r2 + 1)));
			}
			cr_assert_float_eq(l->p_adj, want, 1e-12, "%s %s: %g, want %g", k ? "BH" : "Holm",
					   l->config, l->p_adj, want);
			cr_assert_eq(l->verdict, l->p_adj < 0.05);
			cr_assert_geq(l->p_adj, l->p);
		}
		compare_free(&c);
	}
	unlink(path);
}
