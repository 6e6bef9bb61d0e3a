#include "core/lib/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define BIGMEM_HUGE (2u << 20) /* x86-64's PMD page, the unit of transparent huge pages */

/* Under AddressSanitizer every array comes from calloc, so that an overrun is caught. */
#ifdef __SANITIZE_ADDRESS__
#define BIGMEM_OWN_MAPPING 0
#else
#define BIGMEM_OWN_MAPPING 1
#endif

size_t bigmem_size(size_t n)
{
	if (n < BIGMEM_MIN)
		return n;
	return (n + BIGMEM_HUGE - 1) & ~(size_t)(BIGMEM_HUGE - 1);
}

/* The mapping is over-allocated by one huge page and trimmed so that the array starts on a huge
 * page boundary (a THP fault needs an aligned 2 MiB range inside the mapping). */
void *bigmem_zalloc(size_t n)
{
	if (n < BIGMEM_MIN || !BIGMEM_OWN_MAPPING)
		return calloc(1, n ? n : 1);
	size_t len = bigmem_size(n);
	if (len < n || len + BIGMEM_HUGE < len)
		return NULL;
	char *m = mmap(NULL, len + BIGMEM_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	uintptr_t a = ((uintptr_t)m + BIGMEM_HUGE - 1) & ~(uintptr_t)(BIGMEM_HUGE - 1);
	char *p = (char *)a;
	if (p > m)
		munmap(m, (size_t)(p - m));
	size_t tail = (size_t)(m + len + BIGMEM_HUGE - (p + len));
	if (tail)
		munmap(p + len, tail);
#ifdef MADV_HUGEPAGE
	madvise(p, len, MADV_HUGEPAGE); /* advice only: a host without THP gives ordinary pages */
#endif
	return p; /* anonymous memory is zero */
}

void bigmem_free(void *p, size_t n)
{
	if (!p)
		return;
	if (n < BIGMEM_MIN || !BIGMEM_OWN_MAPPING)
		free(p);
	else
		munmap(p, bigmem_size(n));
}
