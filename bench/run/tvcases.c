/* The seven vmalloc cases of the kernel's lib/test_vmalloc.c, run against the vmalloc model
 * (core/kva/vmalloc.h) instead of the kernel. Each returns 0 (passed) or -1 (failed), as the
 * module's test functions do; "touching" a page is not modelled (the page is mapped). */
#include "tvcases.h"

#include <stdlib.h>

#define TV_PAGE MM_PAGE_SIZE

static int tv_alloc(struct tv_ctx *c, u64 size, u64 align, u64 *addr)
{
	return vmalloc_alloc(c->vm, size, align, 0, 0, addr);
}

/* vmalloc(nr_pages pages), touch, vfree */
static int tv_fix_size(struct tv_ctx *c)
{
	for (u64 i = 0; i < c->loops; i++) {
		u64 p;
		if (tv_alloc(c, c->nr_pages * TV_PAGE, 1, &p))
			return -1;
		vmalloc_vfree(c->vm, p);
	}
	return 0;
}

/* fill fls(ncpus) * 32 MiB of 1-page areas interleaved with junk, free the junk, then 1-page
 * alloc/free into the holes */
static int tv_full_fit(struct tv_ctx *c)
{
	u64 junk = c->fit_areas ? c->fit_areas : (u64)mm_fls(c->ncpus) * (32ULL << 20) / TV_PAGE;
	u64 ptr_arr, junk_arr, tmp;
	int rv = -1;
	u64 *ptr = calloc(junk, sizeof(*ptr)), *jptr = calloc(junk, sizeof(*jptr));
	if (!ptr || !jptr)
		goto out_host;
	if (tv_alloc(c, sizeof(void *) * junk, 1, &ptr_arr))
		goto out_host;
	if (tv_alloc(c, sizeof(void *) * junk, 1, &junk_arr)) {
		vmalloc_vfree(c->vm, ptr_arr);
		goto out_host;
	}
	for (u64 i = 0; i < junk; i++) {
		if (tv_alloc(c, TV_PAGE, 1, &ptr[i]))
			ptr[i] = 0;
		if (tv_alloc(c, TV_PAGE, 1, &jptr[i]))
			jptr[i] = 0;
	}
	for (u64 i = 0; i < junk; i++)
		if (jptr[i])
			vmalloc_vfree(c->vm, jptr[i]);
	for (u64 i = 0; i < c->loops; i++) {
		if (tv_alloc(c, TV_PAGE, 1, &tmp))
			goto error;
		vmalloc_vfree(c->vm, tmp);
	}
	rv = 0;
error:
	for (u64 i = 0; i < junk; i++)
		if (ptr[i])
			vmalloc_vfree(c->vm, ptr[i]);
	vmalloc_vfree(c->vm, ptr_arr);
	vmalloc_vfree(c->vm, junk_arr);
out_host:
	free(ptr);
	free(jptr);
	return rv;
}

/* 15000 (c->busy) live 1-page areas, then vmalloc(100 pages) + vmalloc(1 page), free both */
static int tv_long_busy_list(struct tv_ctx *c)
{
	u64 N = c->busy ? c->busy : 15000, arr, p1, p2;
	int rv = -1;
	u64 *ptr = calloc(N, sizeof(*ptr));
	if (!ptr || tv_alloc(c, sizeof(void *) * N, 1, &arr)) {
		free(ptr);
		return -1;
	}
	for (u64 i = 0; i < N; i++)
		if (tv_alloc(c, TV_PAGE, 1, &ptr[i]))
			ptr[i] = 0;
	for (u64 i = 0; i < c->loops; i++) {
		if (tv_alloc(c, 100 * TV_PAGE, 1, &p1))
			goto leave;
		if (tv_alloc(c, TV_PAGE, 1, &p2)) {
			vmalloc_vfree(c->vm, p1);
			goto leave;
		}
		vmalloc_vfree(c->vm, p1);
		vmalloc_vfree(c->vm, p2);
	}
	rv = 0;
leave:
	for (u64 i = 0; i < N; i++)
		if (ptr[i])
			vmalloc_vfree(c->vm, ptr[i]);
	vmalloc_vfree(c->vm, arr);
	free(ptr);
	return rv;
}

/* vmalloc(1..100 pages) */
static int tv_random_size(struct tv_ctx *c)
{
	for (u64 i = 0; i < c->loops; i++) {
		u64 p, n = 1 + rng_below(&c->rng, 100);
		if (tv_alloc(c, n * TV_PAGE, 1, &p))
			return -1;
		vmalloc_vfree(c->vm, p);
	}
	return 0;
}

/* 5 pages at THREAD_ALIGN << 1 (x86-64 with VMAP_STACK: THREAD_SIZE 16 KiB) */
static int tv_fix_align(struct tv_ctx *c)
{
	for (u64 i = 0; i < c->loops; i++) {
		u64 p;
		if (tv_alloc(c, 5 * TV_PAGE, (16ULL << 10) << 1, &p))
			return -1;
		vmalloc_vfree(c->vm, p);
	}
	return 0;
}

/* align 1 << (rnd % 23), size (rnd % 10 + 1) pages, rnd a random byte */
static int tv_random_size_align(struct tv_ctx *c)
{
	for (u64 i = 0; i < c->loops; i++) {
		unsigned rnd = (unsigned)(rng_next(&c->rng) & 0xff);
		u64 p, align = 1ULL << (rnd % 23), size = (rnd % 10 + 1) * TV_PAGE;
		if (tv_alloc(c, size, align, &p))
			return -1;
		vmalloc_vfree(c->vm, p);
	}
	return 0;
}

/* 1 page at align 1 << i, i = 0..63: meant to fail once the alignment exceeds the space */
static int tv_align_shift(struct tv_ctx *c)
{
	for (unsigned i = 0; i < 64; i++) {
		u64 p;
		if (tv_alloc(c, TV_PAGE, 1ULL << i, &p))
			return -1;
		vmalloc_vfree(c->vm, p);
	}
	return 0;
}

const struct tv_case tv_cases[] = {
	{"fix_size_alloc_test", 1, true, tv_fix_size},
	{"full_fit_alloc_test", 2, true, tv_full_fit},
	{"long_busy_list_alloc_test", 4, true, tv_long_busy_list},
	{"random_size_alloc_test", 8, true, tv_random_size},
	{"fix_align_alloc_test", 16, true, tv_fix_align},
	{"random_size_align_alloc_test", 32, true, tv_random_size_align},
	{"align_shift_alloc_test", 64, false, tv_align_shift},
	{NULL, 0, false, NULL},
};
