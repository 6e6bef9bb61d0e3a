#include "core/phys/seedtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* a + (b - a) * num / den without overflow for the spans at hand (den > 0, num <= den). */
static u64 lerp(u64 a, u64 b, u64 num, u64 den)
{
	if (b <= a || !den)
		return a;
	return a + (u64)((double)(b - a) * ((double)num / (double)den));
}

u64 seedtime_at(const struct seedtime *t, u64 pfn)
{
	u64 at;
	size_t lo = 0, hi = t->n;
	while (lo < hi) { /* the last chunk starting at or before pfn */
		size_t mid = lo + (hi - lo) / 2;
		if (t->c[mid].pfn_start <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct seedtime_chunk *c = lo ? &t->c[lo - 1] : NULL;
	if (c && pfn < c->pfn_end)
		at = lerp(c->t0_ns, c->t1_ns, pfn - c->pfn_start, c->pfn_end - c->pfn_start);
	else
		at = lerp(t->start_ns, t->end_ns, MM_MIN(pfn, t->end_pfn), t->end_pfn);
	return MM_MIN(MM_MAX(at, t->start_ns), t->end_ns);
}

/* The first pfn of [lo, hi) in the seed, or hi, where seedtime_at is nondecreasing (one chunk,
 * or one stretch between chunks). */
static u64 first_in_seed(const struct seedtime *t, u64 ts_ns, u64 lo, u64 hi)
{
	while (lo < hi) {
		u64 mid = lo + (hi - lo) / 2;
		if (seedtime_in_seed(t, ts_ns, mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

u64 seedtime_read_before(const struct seedtime *t, u64 ts_ns, u64 lo, u64 hi)
{
	if (lo >= hi || ts_ns >= t->end_ns)
		return MM_MAX(lo, hi);
	if (ts_ns < t->start_ns)
		return lo;
	size_t i = 0;
	while (i < t->n && t->c[i].pfn_end <= lo) /* the first chunk ending above lo */
		i++;
	for (u64 p = lo; p < hi;) { /* stretches where the read time grows with the pfn */
		u64 end = hi;
		if (i < t->n && p >= t->c[i].pfn_start) {
			end = MM_MIN(hi, t->c[i].pfn_end); /* inside chunk i */
			i++;
		} else if (i < t->n)
			end = MM_MIN(hi, t->c[i].pfn_start); /* the gap before chunk i */
		u64 f = first_in_seed(t, ts_ns, p, end);
		if (f < end)
			return f;
		p = end;
	}
	return hi;
}

int seedtime_copy(struct seedtime *dst, const struct seedtime *src)
{
	*dst = *src;
	dst->c = NULL;
	if (!src->n)
		return 0;
	if (!(dst->c = malloc(src->n * sizeof(*src->c)))) {
		dst->n = 0;
		return -ENOMEM;
	}
	memcpy(dst->c, src->c, src->n * sizeof(*src->c));
	return 0;
}

void seedtime_fini(struct seedtime *t)
{
	free(t->c);
	t->c = NULL;
	t->n = 0;
}
