#include "bench/host/histo.h"

#include <string.h>

void histo_reset(struct histo *h)
{
	memset(h, 0, sizeof(*h));
}

unsigned histo_index(u64 v)
{
	if (v < (1u << HISTO_SUB_BITS))
		return (unsigned)v; /* exact below 8 */
	unsigned msb = 63 - (unsigned)__builtin_clzll(v);
	unsigned sub = (unsigned)(v >> (msb - HISTO_SUB_BITS)) & ((1u << HISTO_SUB_BITS) - 1);
	return ((msb - HISTO_SUB_BITS + 1) << HISTO_SUB_BITS) + sub;
}

u64 histo_bucket_max(unsigned i)
{
	if (i < (1u << HISTO_SUB_BITS))
		return i;
	unsigned msb = (i >> HISTO_SUB_BITS) + HISTO_SUB_BITS - 1, sub = i & ((1u << HISTO_SUB_BITS) - 1);
	u64 lo = (1ULL << msb) | ((u64)sub << (msb - HISTO_SUB_BITS));
	return lo + (1ULL << (msb - HISTO_SUB_BITS)) - 1;
}

void histo_record(struct histo *h, u64 v)
{
	h->bucket[histo_index(v)]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

u64 histo_percentile(const struct histo *h, double p)
{
	if (!h->count)
		return 0;
	u64 need = (u64)(p * (double)h->count + 0.999999), seen = 0;
	if (need == 0)
		need = 1;
	for (unsigned i = 0; i < HISTO_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= need)
			return MM_MIN(histo_bucket_max(i), h->max);
	}
	return h->max;
}
