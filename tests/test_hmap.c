/* hmap against a slow reference (a sorted array of pairs) on random workloads. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/lib/hmap.h"
#include "core/lib/rng.h"

#define REF_MAX 4096

struct ref {
	u64 k[REF_MAX], v[REF_MAX];
	int n;
};

static int ref_find(struct ref *r, u64 k)
{
	for (int i = 0; i < r->n; i++)
		if (r->k[i] == k)
			return i;
	return -1;
}

Test(hmap, random_against_reference)
{
	struct hmap h;
	static struct ref r;
	struct rng g;
	rng_seed(&g, 42);
	r.n = 0;
	cr_assert_eq(hmap_init(&h, 4), 0);
	for (int step = 0; step < 200000; step++) {
		/* small key space so puts, replaces and deletes collide often; include 0 and ~0 */
		u64 k = rng_below(&g, 3000);
		if (k == 1)
			k = ~0ULL;
		else if (k == 2)
			k = HMAP_EMPTY; /* the key that marks an empty slot is a key too */
		u64 v = rng_next(&g), got;
		int op = (int)rng_below(&g, 3), i = ref_find(&r, k);
		if (op == 0 && (i >= 0 || r.n < REF_MAX)) {
			int ret = hmap_put(&h, k, v);
			cr_assert_eq(ret, i >= 0 ? 1 : 0);
			if (i < 0) {
				i = r.n++;
				r.k[i] = k;
			}
			r.v[i] = v;
		} else if (op == 1) {
			bool found = hmap_del(&h, k, &got);
			cr_assert_eq(found, i >= 0);
			if (i >= 0) {
				cr_assert_eq(got, r.v[i]);
				r.k[i] = r.k[--r.n];
				r.v[i] = r.v[r.n];
			}
		} else {
			bool found = hmap_get(&h, k, &got);
			cr_assert_eq(found, i >= 0, "step %d key %llu", step, (unsigned long long)k);
			if (found)
				cr_assert_eq(got, r.v[i]);
		}
		cr_assert_eq(h.count, (u64)r.n);
		if (step % 20000 == 0) { /* iteration yields every entry once */
			u64 key, val, n = 0;
			for (u64 pos = 0; hmap_next(&h, &pos, &key, &val); n++) {
				int j = ref_find(&r, key);
				cr_assert_geq(j, 0, "step %d key %llx", step, (unsigned long long)key);
				cr_assert_eq(val, r.v[j]);
			}
			cr_assert_eq(n, (u64)r.n);
		}
	}
	for (int i = 0; i < r.n; i++) {
		u64 got;
		cr_assert(hmap_get(&h, r.k[i], &got));
		cr_assert_eq(got, r.v[i]);
	}
	hmap_clear(&h);
	cr_assert_eq(h.count, 0);
	for (int i = 0; i < r.n; i++) {
		u64 got;
		cr_assert_not(hmap_get(&h, r.k[i], &got));
	}
	u64 pos = 0;
	cr_assert_not(hmap_next(&h, &pos, NULL, NULL));
	hmap_fini(&h);
}
