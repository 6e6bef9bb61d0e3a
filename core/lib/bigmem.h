/* Large zeroed arrays (a zone's frame words, a seed's page states) in memory of their own, backed
 * by transparent huge pages where the host offers them. A default 4 GiB zone's 8 MiB frame array
 * from malloc was faulted in 4 KiB at a time for every configuration (2,048 faults, half of a
 * short replay's time on a VM); on 2 MiB pages it is 4. Arrays under BIGMEM_MIN come from calloc.
 * Without huge pages (THP off, or none free) the memory is ordinary pages: same contents, only
 * slower to fault in. Under AddressSanitizer, everything comes from calloc (overruns caught). */
#ifndef BIGMEM_H
#define BIGMEM_H

#include <stddef.h>

#define BIGMEM_MIN (1u << 20)

/* n bytes of zeroes, or NULL; at least BIGMEM_MIN bytes start on a 2 MiB boundary. */
void *bigmem_zalloc(size_t n);
/* Release what bigmem_zalloc(n) returned (p may be NULL); n must be the same. */
void bigmem_free(void *p, size_t n);
/* The host memory bigmem_zalloc(n) takes, for estimates: n rounded up to its page. */
size_t bigmem_size(size_t n);

#endif
