/* Checked decimal scanners shared by every text reader (traces, the recording's times.txt and
 * series, kpageflags chunk stamps, option values): no locale, no sscanf, no wrap. A value past
 * 2^64 - 1 (a count, or a time of 2^64 ns or more) is -ERANGE, never taken modulo 2^64. */
#ifndef DECNUM_H
#define DECNUM_H

#include <errno.h>
#include <stdint.h>

#include "core/mm_types.h"

/* The largest time decnum_secs takes, as text: 2^64 - 1 ns. */
#define DECNUM_SECS_MAX_TEXT "18446744073.709551615"

/* Decimal digits at *p (at least one) into *v; *p moves past them. 0, -EINVAL (no digit) or
 * -ERANGE (over 2^64 - 1); *p and *v are left alone on error. */
static inline int decnum_u64(const char **p, u64 *v)
{
	const unsigned char *s = (const unsigned char *)*p;
	u64 x = 0;
	unsigned d = (unsigned)(*s - '0');
	if (d > 9)
		return -EINVAL;
	do {
		if (MM_UNLIKELY(x > (UINT64_MAX - d) / 10))
			return -ERANGE;
		x = x * 10 + d;
		d = (unsigned)(*++s - '0');
	} while (d <= 9);
	*p = (const char *)s;
	*v = x;
	return 0;
}

/* "SECONDS[.FRACTION]" at *p into ns (a '.' needs a digit after it; fraction digits past the
 * 9th, below 1 ns, are dropped); *p moves past it. 0, -EINVAL, or -ERANGE (2^64 ns or more). */
int decnum_secs(const char **p, u64 *ns);

#endif
