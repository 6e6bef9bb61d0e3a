/* Log-bucket latency histogram (HdrHistogram-like): 8 sub-buckets per power of two, so any
 * percentile is reported within 12.5% of the true value, in fixed memory, with O(1) record. */
#ifndef HISTO_H
#define HISTO_H

#include "core/mm_types.h"

#define HISTO_SUB_BITS 3
#define HISTO_BUCKETS (64 << HISTO_SUB_BITS)

struct histo {
	u64 count;
	u64 max;
	u64 bucket[HISTO_BUCKETS]; /* bucket[histo_index(v)] counts values v */
};

void histo_reset(struct histo *h);
void histo_record(struct histo *h, u64 value);
/* The smallest bucket upper bound below which at least p (0..1] of the values lie; 0 when empty.
 * Never above the largest value recorded. */
u64 histo_percentile(const struct histo *h, double p);
unsigned histo_index(u64 value);
/* Largest value that maps to bucket i. */
u64 histo_bucket_max(unsigned i);

#endif
