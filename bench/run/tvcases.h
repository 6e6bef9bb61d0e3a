/* lib/test_vmalloc.c's cases as functions over the vmalloc model: the same calls in the same
 * order (vmalloc, touch, vfree), the same parameters (loops, nr_pages, CPUs for full_fit).
 * `mmreplay suite test_vmalloc` runs them per vmlist variant; the tests run them too. */
#ifndef TVCASES_H
#define TVCASES_H

#include "rng.h"
#include "vmalloc.h"

struct tv_ctx {
	struct vmalloc *vm;
	struct rng rng; /* the module's get_random_*() */
	u64 loops;	/* test_loop_count */
	u64 nr_pages;	/* fix_size_alloc_test's nr_pages (>= 1) */
	unsigned ncpus; /* num_online_cpus() for full_fit_alloc_test */
	u64 busy;	/* long_busy_list_alloc_test's live areas (the module: 15000) */
	u64 fit_areas;	/* full_fit's junk_length; 0: fls(ncpus) * 32 MiB / PAGE_SIZE, as the module */
};

struct tv_case {
	const char *name; /* as the module prints it */
	unsigned mask;	  /* its bit in run_test_mask */
	bool loops;	  /* runs test_loop_count iterations (align_shift does not) */
	int (*run)(struct tv_ctx *c);
};

extern const struct tv_case tv_cases[]; /* terminated by a NULL name */

#endif
