#include "bench/host/welch.h"

#include <math.h>

static void mean_var(const double *x, size_t n, double *mean, double *var)
{
	double s = 0, ss = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	*mean = s / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - *mean) * (x[i] - *mean);
	*var = n > 1 ? ss / (double)(n - 1) : 0;
}

/* Lentz's continued fraction for the incomplete beta function (Numerical Recipes' betacf). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	double h = d;
	for (int m = 1; m <= 300; m++) {
		int m2 = 2 * m;
		double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

double welch_ibeta(double a, double b, double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x);
	if (x < (a + 1) / (a + b + 2))
		return exp(lbt) * betacf(a, b, x) / a;
	return 1 - exp(lbt) * betacf(b, a, 1 - x) / b;
}

struct welch welch_test(const double *a, size_t na, const double *b, size_t nb)
{
	struct welch w = {0, 0, 1, 0, 0};
	if (na < 2 || nb < 2) {
		w.se = INFINITY;
		return w;
	}
	double ma, va, mb, vb;
	mean_var(a, na, &ma, &va);
	mean_var(b, nb, &mb, &vb);
	double sa = va / (double)na, sb = vb / (double)nb, se = sqrt(sa + sb);
	w.diff = ma - mb;
	w.se = se;
	if (se == 0) {
		w.p = ma == mb ? 1 : 0;
		w.t = ma == mb ? 0 : (ma > mb ? INFINITY : -INFINITY);
		return w;
	}
	w.t = (ma - mb) / se;
	w.df = (sa + sb) * (sa + sb) / (sa * sa / (double)(na - 1) + sb * sb / (double)(nb - 1));
	/* two-sided p = I_{df/(df+t^2)}(df/2, 1/2) */
	w.p = welch_ibeta(w.df / 2, 0.5, w.df / (w.df + w.t * w.t));
	return w;
}

double welch_t_quantile(double df, double alpha)
{
	double lo = 0, hi = 1;
	while (welch_ibeta(df / 2, 0.5, df / (df + hi * hi)) > alpha && hi < 1e9)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = (lo + hi) / 2;
		if (welch_ibeta(df / 2, 0.5, df / (df + mid * mid)) > alpha)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

void welch_ci(const struct welch *w, double alpha, double *lo, double *hi)
{
	if (isinf(w->se)) {
		*lo = -INFINITY, *hi = INFINITY;
		return;
	}
	double h = w->se > 0 ? welch_t_quantile(w->df, alpha) * w->se : 0;
	*lo = w->diff - h;
	*hi = w->diff + h;
}
