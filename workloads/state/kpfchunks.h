/* kpageflags.TAG.chunks.txt of a recording (data/recordings/README.md): when each chunk of the
 * page map was read, one line "PFN_START PFN_END T0 T1" (decimal pfns, CLOCK_MONOTONIC seconds)
 * per chunk in pfn order, '#' lines ignored. It sits beside kpageflags.TAG(.zst). */
#ifndef KPFCHUNKS_H
#define KPFCHUNKS_H

#include <stddef.h>

#include "workloads/diag.h"
#include "core/phys/seedtime.h"

/* The chunks file of the page map at kpf_path (".zst" dropped, ".chunks.txt" added) into out:
 * 0 when it is there to be read (and registered as an input), -ENOENT when nothing is there,
 * another -errno with d saying why when it is there but cannot be read. */
int kpfchunks_path(const char *kpf_path, char *out, size_t len, struct mm_diag *d);
/* Read path's chunks into t->c / t->n (the window fields untouched). 0, -ENOMEM, or -EINVAL
 * with "FILE:LINE: reason" (a malformed line, chunks out of order or overlapping, T0 > T1). */
int kpfchunks_load(const char *path, struct seedtime *t, struct mm_diag *d);

#endif
