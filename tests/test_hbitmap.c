/* hbitmap's find-first against a linear scan of a plain bool array. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/lib/hbitmap.h"
#include "core/lib/rng.h"

Test(hbitmap, first_matches_linear_scan)
{
	const u64 sizes[] = {1, 63, 64, 65, 4095, 4096, 4097, 300000};
	struct rng g;
	rng_seed(&g, 7);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		u64 n = sizes[s];
		struct hbitmap h;
		bool *ref = calloc(n, 1);
		cr_assert_eq(hbitmap_init(&h, n), 0);
		cr_assert_eq(hbitmap_first(&h), UINT64_MAX);
		for (int step = 0; step < 20000; step++) {
			/* bias towards clearing the current first bit so the answer moves */
			u64 bit = rng_below(&g, 4) == 0 && hbitmap_first(&h) != UINT64_MAX ? hbitmap_first(&h)
											   : rng_below(&g, n);
			if (rng_below(&g, 2)) {
				hbitmap_set(&h, bit);
				ref[bit] = true;
			} else {
				hbitmap_clear(&h, bit);
				ref[bit] = false;
			}
			u64 want = UINT64_MAX;
			for (u64 i = 0; i < n; i++)
				if (ref[i]) {
					want = i;
					break;
				}
			cr_assert_eq(hbitmap_first(&h), want, "n=%llu step %d", (unsigned long long)n, step);
			cr_assert_eq(hbitmap_test(&h, bit), ref[bit]);
		}
		hbitmap_fini(&h);
		free(ref);
	}
}
