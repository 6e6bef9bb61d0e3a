/* bigmem: every size hands out zeroes that can be written and read back, big arrays start on a
 * huge page (not under ASan, where all come from calloc), and bigmem_size covers them. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "core/lib/bigmem.h"
#include "core/lib/rng.h"

Test(bigmem, zeroed_writable_and_aligned)
{
	const size_t sizes[] = {0, 1, 4095, BIGMEM_MIN - 1, BIGMEM_MIN, 2u << 20, (3u << 20) + 5, 8u << 20};
	struct rng g;
	rng_seed(&g, 11);
	for (int round = 0; round < 2; round++) /* the second round reuses freed address space */
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			size_t n = sizes[s];
			unsigned char *p = bigmem_zalloc(n);
			cr_assert_not_null(p, "size %zu", n);
			for (size_t i = 0; i < n; i++)
				cr_assert_eq(p[i], 0, "size %zu: byte %zu not zero", n, i);
			if (n >= BIGMEM_MIN) {
#ifndef __SANITIZE_ADDRESS__
				cr_assert_eq((uintptr_t)p % (2u << 20), 0, "size %zu not on a huge page", n);
#endif
				cr_assert_geq(bigmem_size(n), n);
				cr_assert_eq(bigmem_size(n) % (2u << 20), 0);
			} else {
				cr_assert_eq(bigmem_size(n), n);
			}
			for (int k = 0; k < 1000 && n; k++) { /* write, then read back */
				size_t at = (size_t)rng_below(&g, n);
				p[at] = (unsigned char)(k | 1);
				cr_assert_eq(p[at], (unsigned char)(k | 1));
			}
			if (n)
				memset(p, 0xa5, n); /* the whole range is ours */
			bigmem_free(p, n);
		}
	bigmem_free(NULL, 8u << 20);
}
