/* A slow, obvious reference for the vmlist variants: busy ranges in a sorted array, the lowest
 * fit found by listing every gap and aligning in 128-bit arithmetic; plus helpers that run one
 * request on every variant instance and compare each answer and counter with the reference. */
#ifndef VMLIST_REF_H
#define VMLIST_REF_H

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "core/kva/vmlist.h"

#define REF_MAX 8192
#define PG MM_PAGE_SIZE

typedef unsigned __int128 u128;

struct ref {
	u64 start[REF_MAX], end[REF_MAX]; /* busy ranges sorted by start */
	int n;
	u64 vstart, vend; /* the space; vend already rounded down to a page */
	u64 allocs, frees, failures, bad_frees, invalid;
};

static inline void ref_init(struct ref *r, u64 vstart, u64 vend)
{
	memset(r, 0, sizeof(*r));
	r->vstart = vstart;
	r->vend = vend & ~(PG - 1);
}

static inline int ref_alloc(struct ref *r, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	if (size == 0 || size % PG || align == 0 || (align & (align - 1)) || vstart >= vend) {
		r->invalid++;
		return -EINVAL;
	}
	if (align < PG)
		align = PG;
	u128 lo = MM_MAX(vstart, r->vstart), hi = MM_MIN(vend, r->vend);
	u128 gap_start = r->vstart;
	for (int i = 0; i <= r->n; i++) {
		u128 gap_end = i < r->n ? r->start[i] : r->vend;
		u128 cs = MM_MAX(gap_start, lo), ce = MM_MIN(gap_end, hi);
		u128 a = (cs + align - 1) / align * align;
		if (cs < ce && a + size <= ce) {
			cr_assert(r->n < REF_MAX);
			memmove(&r->start[i + 1], &r->start[i], (size_t)(r->n - i) * sizeof(u64));
			memmove(&r->end[i + 1], &r->end[i], (size_t)(r->n - i) * sizeof(u64));
			r->start[i] = (u64)a;
			r->end[i] = (u64)(a + size);
			r->n++;
			r->allocs++;
			*addr = (u64)a;
			return 0;
		}
		if (i < r->n)
			gap_start = r->end[i];
	}
	r->failures++;
	return -ENOMEM;
}

static inline int ref_free(struct ref *r, u64 addr, u64 *size)
{
	for (int i = 0; i < r->n; i++) {
		if (r->start[i] == addr) {
			*size = r->end[i] - r->start[i];
			memmove(&r->start[i], &r->start[i + 1], (size_t)(r->n - i - 1) * sizeof(u64));
			memmove(&r->end[i], &r->end[i + 1], (size_t)(r->n - i - 1) * sizeof(u64));
			r->n--;
			r->frees++;
			return 0;
		}
	}
	r->bad_frees++;
	return -ENOENT;
}

/* The instances under test: every registered lowest-fit variant (rbtree_cache is rbtree with
 * the cached hole; nodes has its own reference: vmlist_nodes_ref.h). */
#define NR_INST 32 /* at least the registry's lowest-fit variants: insts_init checks it */
struct insts {
	struct vmlist v[NR_INST];
	const char *label[NR_INST];
	int n;
};

static inline void insts_init(struct insts *in, u64 vstart, u64 vend)
{
	int want = 0;
	in->n = 0;
	for (const struct vmlist_ops *const *o = vmlist_variants; *o; o++) {
		if (!(*o)->lowest_fit)
			continue;
		want++;
		struct vmlist_cfg cfg = {.vstart = vstart, .vend = vend};
		cr_assert(in->n < NR_INST);
		cr_assert_eq(vmlist_init(&in->v[in->n], *o, &cfg), 0, "%s", (*o)->name);
		in->label[in->n] = (*o)->name;
		in->n++;
	}
	cr_assert(in->n >= 1 && in->n == want, "every lowest-fit variant of the registry is under test");
}

static inline void insts_fini(struct insts *in)
{
	for (int i = 0; i < in->n; i++)
		vmlist_fini(&in->v[i]);
}

static inline void insts_check(struct insts *in, const struct ref *r, long step)
{
	for (int i = 0; i < in->n; i++) {
		const struct vmlist_stats *st = &in->v[i].st;
		cr_assert_eq(vmlist_check(&in->v[i]), 0, "%s: check failed at step %ld", in->label[i], step);
		cr_assert_eq(st->allocs, r->allocs, "%s step %ld", in->label[i], step);
		cr_assert_eq(st->frees, r->frees, "%s step %ld", in->label[i], step);
		cr_assert_eq(st->live, (u64)r->n, "%s step %ld", in->label[i], step);
		cr_assert_eq(st->failures, r->failures, "%s step %ld", in->label[i], step);
		cr_assert_eq(st->bad_frees, r->bad_frees, "%s step %ld", in->label[i], step);
		cr_assert_eq(st->invalid, r->invalid, "%s step %ld", in->label[i], step);
	}
}

/* One request to everyone; the answers must agree with the reference. Returns its result. */
static inline int all_alloc(struct insts *in, struct ref *r, u64 size, u64 align, u64 vs, u64 ve, u64 *addr,
			    long step)
{
	int want = ref_alloc(r, size, align, vs, ve, addr);
	for (int i = 0; i < in->n; i++) {
		u64 got = 0;
		int ret = vmlist_alloc(&in->v[i], size, align, vs, ve, &got);
		cr_assert_eq(ret, want,
			     "%s step %ld: alloc(size %#llx, align %#llx, [%#llx, %#llx)) returned %d, "
			     "reference %d",
			     in->label[i], step, (unsigned long long)size, (unsigned long long)align,
			     (unsigned long long)vs, (unsigned long long)ve, ret, want);
		if (!want)
			cr_assert_eq(got, *addr,
				     "%s step %ld: alloc(size %#llx, align %#llx, [%#llx, %#llx)) at %#llx, "
				     "reference %#llx",
				     in->label[i], step, (unsigned long long)size, (unsigned long long)align,
				     (unsigned long long)vs, (unsigned long long)ve, (unsigned long long)got,
				     (unsigned long long)*addr);
	}
	return want;
}

static inline int all_free(struct insts *in, struct ref *r, u64 addr, long step)
{
	u64 want_size = 0;
	int want = ref_free(r, addr, &want_size);
	for (int i = 0; i < in->n; i++) {
		u64 got = 0;
		int ret = vmlist_free(&in->v[i], addr, &got);
		cr_assert_eq(ret, want, "%s step %ld: free(%#llx) returned %d, reference %d", in->label[i],
			     step, (unsigned long long)addr, ret, want);
		if (!want)
			cr_assert_eq(got, want_size, "%s step %ld", in->label[i], step);
	}
	return want;
}

#endif
