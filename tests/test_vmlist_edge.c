/* vmlist edge cases on every variant, expectations derived by hand from the lowest-fit rule
 * and the 2.4 scans: invalid requests, windows ending exactly at an area's end, alignments
 * beyond the space and past 2^64, exhaustion, bad frees, fit types, merges, visit counts. */
#include <criterion/criterion.h>

#include "tests/vmlist_ref.h"

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
	const struct vmlist_ops *const *o;
	int n = 0;
	for (o = vmlist_variants; *o; o++, n++)
		cr_assert_eq(vmlist_find((*o)->name), *o);
	cr_assert_geq(n, 4); /* list, rbtree, rbtree_cache, augmented, ... */
	cr_assert_null(vmlist_find("nope"));
	struct vmlist v;
	struct vmlist_cfg unaligned = {.vstart = B + 1, .vend = B + PG * 4};
	cr_assert_eq(vmlist_init(&v, vmlist_find("list"), &unaligned), -EINVAL);
	struct vmlist_cfg empty = {.vstart = B, .vend = B + PG - 1};
	cr_assert_eq(vmlist_init(&v, vmlist_find("list"), &empty), -EINVAL);
}

Test(vmlist, list_visits_follow_the_2_4_scans)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = B, .vend = B + 64 * PG};
	u64 a;
	cr_assert_eq(vmlist_init(&v, vmlist_find("list"), &cfg), 0);
	for (u64 i = 0; i < 10; i++)
		cr_assert_eq(vmlist_alloc(&v, PG, PG, B, ~0ULL, &a), 0);
	/* the n-th allocation scanned the n - 1 areas before it: 0 + 1 + ... + 9 */
	cr_assert_eq(v.st.visits, 45);
	/* a window above all of them: 2.4 still scans from the head */
	u64 before = v.st.visits;
	cr_assert_eq(vmlist_alloc(&v, PG, PG, B + 20 * PG, ~0ULL, &a), 0);
	cr_assert_eq(a, B + 20 * PG);
	cr_assert_eq(v.st.visits - before, 10);
	/* free finds the k-th area after k visits; an unknown address costs the whole list */
	before = v.st.visits;
	cr_assert_eq(vmlist_free(&v, B + 3 * PG, NULL), 0);
	cr_assert_eq(v.st.visits - before, 4);
	before = v.st.visits;
	cr_assert_eq(vmlist_free(&v, B + 3 * PG, NULL), -ENOENT);
	cr_assert_eq(v.st.visits - before, 10);
	/* a misaligned address is refused before any scan */
	before = v.st.visits;
	cr_assert_eq(vmlist_free(&v, B + 1, NULL), -ENOENT);
	cr_assert_eq(v.st.visits, before);
	/* the hole at page 3 is found after visiting the 3 areas below it and the one above */
	before = v.st.visits;
	cr_assert_eq(vmlist_alloc(&v, PG, PG, B, ~0ULL, &a), 0);
	cr_assert_eq(a, B + 3 * PG);
	cr_assert_eq(v.st.visits - before, 4);
	cr_assert_eq(v.st.alloc_visits, 45 + 10 + 4);
	vmlist_fini(&v);
}
