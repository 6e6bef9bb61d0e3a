/* Hand-written number scanners for the text readers: no locale, no sscanf, explicit
 * overflow checks. */
#include "workloads/trace/trace_priv.h"

#define H16(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, -1, -1, -1, -1, -1, -1
const signed char tp_hexval[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,	-1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,	-1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, H16(0), -1, 10, 11, 12, 13, 14, 15, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,	-1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, 10, 11, 12, 13, 14,	15, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,	-1, -1, -1, -1, -1, -1, -1, [128 ... 255] = -1,
};

int tp_num(const char **p, u64 *v)
{
	const char *s = *p;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		int e = tp_hex(&s, v);
		if (e)
			return e;
		*p = s;
		return 0;
	}
	return decnum_u64(p, v);
}

int tp_sdec(const char **p, i64 *v)
{
	const char *s = *p;
	bool neg = *s == '-';
	u64 x;
	if (neg)
		s++;
	int e = decnum_u64(&s, &x);
	if (e)
		return e;
	if (neg ? x > (u64)INT64_MAX + 1 : x > (u64)INT64_MAX)
		return -ERANGE;
	*v = neg ? (i64)(0 - x) : (i64)x;
	*p = s;
	return 0;
}
