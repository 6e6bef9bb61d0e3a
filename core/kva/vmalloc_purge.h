/* The vmalloc layer's purge timing, shared by vmalloc.c and vmalloc_purge.c (not public API:
 * vmalloc.h has vmalloc_purge, vmalloc_tick and the learned delays). */
#ifndef VMALLOC_PURGE_H
#define VMALLOC_PURGE_H

#include "core/kva/vmalloc.h"

/* One purge of every lazily freed area, the vmlist seeing it as a batch; forced: the reclaim
 * after a failed allocation. A MODEL purge still running ends first. Returns areas released. */
u64 vmalloc_purge_now(struct vmalloc *vm, bool forced);
/* Lazily freed pages crossed lazy_max_pages: purge now (INLINE), schedule the drain (MODEL), or
 * wait for the trace's purge (TRACE). */
void vmalloc_purge_due(struct vmalloc *vm);

#endif
