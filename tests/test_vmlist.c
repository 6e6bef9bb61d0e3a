/* The three vmlist variants (and rbtree with the cached hole) against a slow, obvious reference:
 * a sorted array of busy ranges whose lowest fit is found by listing every gap and aligning in
 * 128-bit arithmetic. Every request must get the same answer from all of them, every invariant
 * check must pass after every operation, and the shared counters must match the reference's. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "rng.h"
#include "vmlist.h"

#define REF_MAX 8192
#define PG MM_PAGE_SIZE

typedef unsigned __int128 u128;

struct ref {
	u64 start[REF_MAX], end[REF_MAX]; /* busy ranges sorted by start */
	int n;
	u64 vstart, vend; /* the space; vend already rounded down to a page */
	u64 allocs, frees, failures, bad_frees, invalid;
};

static void ref_init(struct ref *r, u64 vstart, u64 vend)
{
	memset(r, 0, sizeof(*r));
	r->vstart = vstart;
	r->vend = vend & ~(PG - 1);
}

static int ref_alloc(struct ref *r, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
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

static int ref_free(struct ref *r, u64 addr, u64 *size)
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

/* The instances under test: every registered variant, plus rbtree with the cached hole. */
#define NR_INST 8
struct insts {
	struct vmlist v[NR_INST];
	const char *label[NR_INST];
	int n;
};

static void insts_init(struct insts *in, u64 vstart, u64 vend)
{
	in->n = 0;
	for (const struct vmlist_ops *const *o = vmlist_variants; *o; o++) {
		for (int cache = 0; cache < 2; cache++) {
			if (cache && strcmp((*o)->name, "rbtree"))
				continue;
			struct vmlist_cfg cfg = {.vstart = vstart, .vend = vend, .cached_hole = cache};
			cr_assert(in->n < NR_INST);
			cr_assert_eq(vmlist_init(&in->v[in->n], *o, &cfg), 0, "%s", (*o)->name);
			in->label[in->n] = cache ? "rbtree+cached_hole" : (*o)->name;
			in->n++;
		}
	}
	cr_assert_eq(in->n, 4);
}

static void insts_fini(struct insts *in)
{
	for (int i = 0; i < in->n; i++)
		vmlist_fini(&in->v[i]);
}

static void insts_check(struct insts *in, const struct ref *r, long step)
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
static int all_alloc(struct insts *in, struct ref *r, u64 size, u64 align, u64 vs, u64 ve, u64 *addr,
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

static int all_free(struct insts *in, struct ref *r, u64 addr, long step)
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

/* Mostly page alignment, sometimes larger, now and then larger than the whole space. */
static u64 rand_align(struct rng *g)
{
	u64 k = rng_below(g, 100);
	if (k < 60)
		return PG;
	if (k < 90)
		return PG << rng_below(g, 6);
	if (k < 98)
		return PG << rng_below(g, 16);
	return 1ULL << (12 + rng_below(g, 52)); /* up to 2^63 */
}

static void random_workload(u64 seed, u64 base, u64 space_pages, u64 space_vend, long steps)
{
	static struct ref r;
	struct insts in;
	struct rng g;
	rng_seed(&g, seed);
	ref_init(&r, base, space_vend);
	insts_init(&in, base, space_vend);
	u64 last_freed = base, addr;
	for (long step = 0; step < steps; step++) {
		u64 k = rng_below(&g, 100);
		/* Bias towards allocation in bursts so the space fills up and requests fail. */
		bool alloc_phase = (step / 2000) % 2 == 0;
		if (k < (alloc_phase ? 70u : 40u)) {
			u64 size = (1 + (rng_below(&g, 4) ? rng_below(&g, 8) : rng_below(&g, 100))) * PG;
			u64 align = rand_align(&g), vs = 0, ve = ~0ULL;
			u64 shape = rng_below(&g, 10);
			if (shape < 3) { /* exactly the space */
				vs = base;
				ve = space_vend;
			} else if (shape < 8) { /* a random window, maybe partly outside, maybe unaligned */
				vs = base + rng_below(&g, space_pages + 8) * PG - 4 * PG;
				ve = vs + (1 + rng_below(&g, space_pages)) * PG;
				if (ve < vs)
					ve = ~0ULL;
				if (rng_below(&g, 8) == 0)
					vs += rng_below(&g, PG);
				if (rng_below(&g, 8) == 0)
					ve -= rng_below(&g, PG);
			} else if (shape == 8) { /* the window of an exact size */
				vs = base + rng_below(&g, space_pages) * PG;
				ve = vs + size;
			} /* else the whole 64-bit range */
			if (rng_below(&g, 200) == 0)
				size = rng_below(&g, 2) ? 0 : size + 1; /* invalid sizes */
			if (rng_below(&g, 200) == 0)
				align = 3 * PG; /* not a power of two */
			all_alloc(&in, &r, size, align, vs, ve, &addr, step);
		} else if (k < 95) {
			if (r.n) {
				u64 a = r.start[rng_below(&g, (u64)r.n)];
				cr_assert_eq(all_free(&in, &r, a, step), 0);
				last_freed = a;
			}
		} else { /* bad frees: double, misaligned, inside an area, outside the space */
			u64 kind = rng_below(&g, 4);
			u64 a = kind == 0	   ? last_freed
				: kind == 1	   ? base + rng_below(&g, space_pages * PG)
				: kind == 2 && r.n ? r.start[rng_below(&g, (u64)r.n)] + 1
						   : base - PG;
			all_free(&in, &r, a, step);
		}
		insts_check(&in, &r, step);
	}
	/* Some of everything happened. */
	cr_assert_gt(r.failures, 0);
	cr_assert_gt(r.frees, 0);
	cr_assert_gt(r.bad_frees, 0);
	cr_assert_gt(r.invalid, 0);
	const struct vmlist_stats *aug = &in.v[in.n - 1].st;
	cr_assert_str_eq(in.label[in.n - 1], "augmented");
	for (int t = 0; t < 4; t++)
		cr_assert_gt(aug->splits[t], 0, "augmented fit type %d never seen", t);
	cr_assert_gt(aug->merges, 0);
	/* Free everything: each variant is back to an empty space. */
	while (r.n)
		all_free(&in, &r, r.start[r.n - 1], steps);
	insts_check(&in, &r, steps);
	cr_assert_eq(all_alloc(&in, &r, (r.vend - base), PG, 0, ~0ULL, &addr, steps), 0);
	cr_assert_eq(addr, base);
	insts_fini(&in);
}

Test(vmlist, random_against_reference)
{
	random_workload(1, 0xffffc90000000000ULL, 2048, 0xffffc90000000000ULL + 2048 * PG, 20000);
}

Test(vmlist, random_against_reference_small_space)
{
	random_workload(2, 0xffffc90000000000ULL, 300, 0xffffc90000000000ULL + 300 * PG, 20000);
}

Test(vmlist, random_against_reference_top_of_address_space)
{
	/* The space ends at the last page below 2^64: every candidate address is near overflow. */
	random_workload(3, 0ULL - 1024 * PG, 1023, ~0ULL, 20000);
}

Test(vmlist, random_against_reference_unaligned_base)
{
	/* A base aligned only to 4 KiB, so large alignments land in the middle of the space. */
	random_workload(4, 0x1000ULL * 12345, 4096, 0x1000ULL * (12345 + 4096), 20000);
}

/* ---- edge cases, expectations derived by hand from the lowest-fit rule ---- */

#define B 0xffffc90000000000ULL /* aligned to 2^40 */

static void each_variant(void (*fn)(struct vmlist *v, const char *label), u64 vstart, u64 vend)
{
	struct insts in;
	insts_init(&in, vstart, vend);
	for (int i = 0; i < in.n; i++) {
		fn(&in.v[i], in.label[i]);
		cr_assert_eq(vmlist_check(&in.v[i]), 0, "%s", in.label[i]);
	}
	insts_fini(&in);
}

static void edge_invalid(struct vmlist *v, const char *label)
{
	u64 a = 0;
	cr_assert_eq(vmlist_alloc(v, 0, PG, B, B + 16 * PG, &a), -EINVAL, "%s", label);
	cr_assert_eq(vmlist_alloc(v, PG + 1, PG, B, B + 16 * PG, &a), -EINVAL, "%s", label);
	cr_assert_eq(vmlist_alloc(v, PG, 0, B, B + 16 * PG, &a), -EINVAL, "%s", label);
	cr_assert_eq(vmlist_alloc(v, PG, 3 * PG, B, B + 16 * PG, &a), -EINVAL, "%s", label);
	cr_assert_eq(vmlist_alloc(v, PG, PG, B + PG, B + PG, &a), -EINVAL, "%s", label);
	cr_assert_eq(v->st.invalid, 5, "%s", label);
	cr_assert_eq(v->st.failures + v->st.allocs + v->st.live, 0, "%s", label);
	/* align below a page acts as a page */
	cr_assert_eq(vmlist_alloc(v, PG, 1, B, B + 16 * PG, &a), 0, "%s", label);
	cr_assert_eq(a, B, "%s", label);
}

Test(vmlist, invalid_requests)
{
	each_variant(edge_invalid, B, B + 16 * PG);
}

static void edge_vend_exact(struct vmlist *v, const char *label)
{
	u64 a = 0;
	/* the whole space, with vend exactly at its end */
	cr_assert_eq(vmlist_alloc(v, 16 * PG, PG, B, B + 16 * PG, &a), 0, "%s", label);
	cr_assert_eq(a, B, "%s", label);
	cr_assert_eq(vmlist_alloc(v, PG, PG, B, B + 16 * PG, &a), -ENOMEM, "%s", label);
	u64 sz = 0;
	cr_assert_eq(vmlist_free(v, B, &sz), 0, "%s", label);
	cr_assert_eq(sz, 16 * PG, "%s", label);
	/* a window that ends exactly where the block must end */
	cr_assert_eq(vmlist_alloc(v, 4 * PG, PG, B + 12 * PG, B + 16 * PG, &a), 0, "%s", label);
	cr_assert_eq(a, B + 12 * PG, "%s", label);
	/* one byte short of room */
	cr_assert_eq(vmlist_alloc(v, 4 * PG, PG, B + 8 * PG, B + 12 * PG - 1, &a), -ENOMEM, "%s", label);
	/* the last page of the space, from a window that runs past the space */
	cr_assert_eq(vmlist_alloc(v, 4 * PG, PG, B + 8 * PG, ~0ULL, &a), 0, "%s", label);
	cr_assert_eq(a, B + 8 * PG, "%s", label);
	cr_assert_eq(v->st.failures, 2, "%s", label);
}

Test(vmlist, vend_exactly_at_area_end)
{
	each_variant(edge_vend_exact, B, B + 16 * PG);
}

static void edge_huge_align(struct vmlist *v, const char *label)
{
	u64 a = 0;
	/* B is 2^40-aligned but not 2^41-aligned: the next 2^41 boundary is 1 TiB past the space */
	cr_assert_eq(vmlist_alloc(v, PG, 1ULL << 41, B, ~0ULL, &a), -ENOMEM, "%s", label);
	/* rounding B up to 2^63 wraps past 2^64 */
	cr_assert_eq(vmlist_alloc(v, PG, 1ULL << 63, 0, ~0ULL, &a), -ENOMEM, "%s", label);
	cr_assert_eq(vmlist_alloc(v, PG, 1ULL << 40, B, ~0ULL, &a), 0, "%s", label);
	cr_assert_eq(a, B, "%s", label);
	/* the only 2^40-aligned address is taken now */
	cr_assert_eq(vmlist_alloc(v, PG, 1ULL << 40, B, ~0ULL, &a), -ENOMEM, "%s", label);
	/* a window entirely outside the space */
	cr_assert_eq(vmlist_alloc(v, PG, PG, B + 64 * PG, ~0ULL, &a), -ENOMEM, "%s", label);
	cr_assert_eq(vmlist_alloc(v, PG, PG, 0, B, &a), -ENOMEM, "%s", label);
	cr_assert_eq(v->st.failures, 5, "%s", label);
	cr_assert_eq(v->st.live, 1, "%s", label);
}

Test(vmlist, align_larger_than_space)
{
	each_variant(edge_huge_align, B, B + 64 * PG);
}

static void edge_exhaust(struct vmlist *v, const char *label)
{
	u64 a = 0, n = 0;
	while (vmlist_alloc(v, PG, PG, 0, ~0ULL, &a) == 0) {
		cr_assert_eq(a, B + n * PG, "%s", label);
		n++;
	}
	cr_assert_eq(n, 100, "%s", label);
	cr_assert_eq(v->st.failures, 1, "%s", label);
	cr_assert_eq(v->st.live_bytes, 100 * PG, "%s", label);
	/* free every third page, then a 2-page request still fails and 1-page ones refill in order */
	for (u64 i = 0; i < 100; i += 3)
		cr_assert_eq(vmlist_free(v, B + i * PG, NULL), 0, "%s", label);
	cr_assert_eq(vmlist_alloc(v, 2 * PG, PG, 0, ~0ULL, &a), -ENOMEM, "%s", label);
	for (u64 i = 0; i < 100; i += 3) {
		cr_assert_eq(vmlist_alloc(v, PG, PG, 0, ~0ULL, &a), 0, "%s", label);
		cr_assert_eq(a, B + i * PG, "%s", label);
	}
	for (u64 i = 0; i < 100; i++)
		cr_assert_eq(vmlist_free(v, B + i * PG, NULL), 0, "%s", label);
	cr_assert_eq(v->st.live, 0, "%s", label);
	cr_assert_eq(vmlist_alloc(v, 100 * PG, PG, 0, ~0ULL, &a), 0, "%s", label);
	cr_assert_eq(a, B, "%s", label);
}

Test(vmlist, space_exhaustion)
{
	each_variant(edge_exhaust, B, B + 100 * PG);
}

static void edge_bad_frees(struct vmlist *v, const char *label)
{
	u64 a = 0, sz = 0;
	cr_assert_eq(vmlist_alloc(v, 3 * PG, PG, 0, ~0ULL, &a), 0, "%s", label);
	cr_assert_eq(vmlist_free(v, a + 1, &sz), -ENOENT, "%s", label);	 /* misaligned */
	cr_assert_eq(vmlist_free(v, a + PG, &sz), -ENOENT, "%s", label); /* inside the area */
	cr_assert_eq(vmlist_free(v, 0, &sz), -ENOENT, "%s", label);	 /* outside the space */
	cr_assert_eq(vmlist_free(v, a, &sz), 0, "%s", label);
	cr_assert_eq(sz, 3 * PG, "%s", label);
	cr_assert_eq(vmlist_free(v, a, &sz), -ENOENT, "%s", label); /* double free */
	cr_assert_eq(v->st.bad_frees, 4, "%s", label);
	cr_assert_eq(v->st.frees, 1, "%s", label);
}

Test(vmlist, bad_frees_are_counted)
{
	each_variant(edge_bad_frees, B, B + 16 * PG);
}

Test(vmlist, augmented_fit_types_and_merges)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = B, .vend = B + 16 * PG};
	u64 a;
	cr_assert_eq(vmlist_init(&v, vmlist_find("augmented"), &cfg), 0);
	/* free [0,16): 1 page at 0 takes the left edge */
	cr_assert_eq(vmlist_alloc(&v, PG, PG, B, ~0ULL, &a), 0);
	cr_assert_eq(v.st.splits[VMLIST_FIT_LE], 1);
	/* free [1,16): [10,12) splits it in the middle */
	cr_assert_eq(vmlist_alloc(&v, 2 * PG, PG, B + 10 * PG, ~0ULL, &a), 0);
	cr_assert_eq(a, B + 10 * PG);
	cr_assert_eq(v.st.splits[VMLIST_FIT_NE], 1);
	/* free [1,10) [12,16): [12,16) takes a whole block */
	cr_assert_eq(vmlist_alloc(&v, 4 * PG, PG, B + 12 * PG, ~0ULL, &a), 0);
	cr_assert_eq(a, B + 12 * PG);
	cr_assert_eq(v.st.splits[VMLIST_FIT_FL], 1);
	/* free [1,10): [8,10) takes its right edge */
	cr_assert_eq(vmlist_alloc(&v, 2 * PG, PG, B + 8 * PG, ~0ULL, &a), 0);
	cr_assert_eq(a, B + 8 * PG);
	cr_assert_eq(v.st.splits[VMLIST_FIT_RE], 1);
	cr_assert_eq(vmlist_check(&v), 0);
	/* free [1,8): freeing [10,12) touches no free block; freeing [8,10) joins both sides */
	cr_assert_eq(vmlist_free(&v, B + 10 * PG, NULL), 0);
	cr_assert_eq(v.st.merges, 0);
	cr_assert_eq(vmlist_free(&v, B + 8 * PG, NULL), 0);
	cr_assert_eq(v.st.merges, 2);
	/* free [1,12): freeing [12,16) extends it on the left side only */
	cr_assert_eq(vmlist_free(&v, B + 12 * PG, NULL), 0);
	cr_assert_eq(v.st.merges, 3);
	cr_assert_eq(vmlist_check(&v), 0);
	/* now [1,16) is one block: a 15-page request takes it whole */
	cr_assert_eq(vmlist_alloc(&v, 15 * PG, PG, B, ~0ULL, &a), 0);
	cr_assert_eq(a, B + PG);
	cr_assert_eq(v.st.splits[VMLIST_FIT_FL], 2);
	vmlist_fini(&v);
}

Test(vmlist, registry_and_names)
{
	const struct vmlist_ops *ops[4], *const *o;
	const char *bad = NULL;
	int n = 0;
	for (o = vmlist_variants; *o; o++, n++)
		cr_assert_eq(vmlist_find((*o)->name), *o);
	cr_assert_eq(n, 3);
	cr_assert_null(vmlist_find("nope"));
	cr_assert_eq(vmlist_parse_names("augmented,list", ops, 4, &bad), 2);
	cr_assert_str_eq(ops[0]->name, "augmented");
	cr_assert_str_eq(ops[1]->name, "list");
	cr_assert_eq(vmlist_parse_names("list,lis", ops, 4, &bad), -EINVAL);
	cr_assert_str_eq(bad, "lis");
	cr_assert_eq(vmlist_parse_names("list,list", ops, 1, &bad), -E2BIG);
	struct vmlist v;
	struct vmlist_cfg unaligned = {.vstart = B + 1, .vend = B + PG * 4};
	cr_assert_eq(vmlist_init(&v, vmlist_find("list"), &unaligned), -EINVAL);
	struct vmlist_cfg empty = {.vstart = B, .vend = B + PG - 1};
	cr_assert_eq(vmlist_init(&v, vmlist_find("list"), &empty), -EINVAL);
}
