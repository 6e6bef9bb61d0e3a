#include "core/lib/decnum.h"

int decnum_secs(const char **p, u64 *ns)
{
	const char *s = *p;
	u64 sec, frac = 0;
	int e = decnum_u64(&s, &sec);
	if (e)
		return e;
	if (sec > UINT64_MAX / 1000000000ull)
		return -ERANGE;
	if (*s == '.') {
		s++;
		unsigned nd = 0;
		if ((unsigned)(*s - '0') > 9)
			return -EINVAL;
		while ((unsigned)(*s - '0') <= 9) {
			if (nd < 9) {
				frac = frac * 10 + (u64)(*s - '0');
				nd++;
			}
			s++;
		}
		for (; nd < 9; nd++)
			frac *= 10;
	}
	u64 t = sec * 1000000000ull;
	if (t > UINT64_MAX - frac)
		return -ERANGE;
	*ns = t + frac;
	*p = s;
	return 0;
}
