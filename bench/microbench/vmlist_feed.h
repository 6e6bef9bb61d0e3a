/* A generator's vmap events on a bare vmlist (no pages, page tables or TLB policy): how `bench
 * vmlist` measures the search cost of test_vmalloc's long_busy_list (gen_vmalloc.c) per vmlist
 * variant. Events are generated a batch at a time; each free is paired with its allocation while
 * batching, so the timed part is the vmlist calls alone. */
#ifndef VMLIST_FEED_H
#define VMLIST_FEED_H

#include "workloads/gen/gen.h"
#include "core/kva/vmlist.h"

struct vmlist_feed_result {
	u64 allocs, frees;	       /* successful calls in the measured phase */
	u64 alloc_visits, free_visits; /* the vmlist's visits in it */
	u64 failures;		       /* allocations that found no room, any phase */
	u64 ns;			       /* host time of the measured phase's vmlist calls */
};

/* Run g with p into v: events [skip, skip + count) are the measured phase (count 0: to the end);
 * the generator stops after it. 0, or -errno (host failure, or a bad event). */
int vmlist_feed(struct vmlist *v, const struct gen_ops *g, const struct gen_params *p, u64 skip, u64 count,
		struct vmlist_feed_result *r);

#endif
