/* What this build and machine use for host measurement: the allocator and the counter source. */
#ifndef HOSTINFO_H
#define HOSTINFO_H

#include <stdio.h>

#include "core/mm_types.h"

/* "features: ..." naming each optional feature (trace.dat, jemalloc, libpfm4) and whether this
 * build has it; run.sh prints it after building. */
void hostinfo_print_features(FILE *f);
void hostinfo_print_version(FILE *f);
/* "jemalloc 5.3.0-..." or "glibc malloc" */
const char *hostinfo_allocator(void);
/* Heap bytes: allocated by this thread and not freed by it (jemalloc's thread.allocated less
 * thread.deallocated, so workers running beside it do not count), and resident in the whole
 * process (stats.resident after an epoch refresh); false when the build has no jemalloc. */
bool hostinfo_heap(u64 *allocated, u64 *resident);

#endif
