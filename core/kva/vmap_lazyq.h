/* The kernel's lazy list as the trace shows it, for purges that take what the kernel took.
 * free_vmap_area_noflush queues every freed area on a node's lazy list; __purge_vmap_area_lazy
 * takes every node's list when it starts, so areas freed while it runs wait for the next purge
 * (the drain work, queued again by those frees, runs right after: a split purge). With the
 * trace's count of areas purged, the purge took the oldest that many areas in free order. Each
 * entry is one area the kernel freed (the model's or not: module space, unpaired), holding the
 * model's lazy sequence (tlb lazy_seq) right after it was queued. */
#ifndef VMAP_LAZYQ_H
#define VMAP_LAZYQ_H

#include "core/mm_types.h"

struct vmap_lazyq {
	u64 *seq;  /* entries [head, n): oldest first; non-decreasing */
	u64 *call; /* per entry: the trace's vmalloc calls before its free (0: before the trace) */
	u64 head, n, cap;
	u64 taken; /* the bound the latest take returned (below any entry still queued) */
};

void vmap_lazyq_fini(struct vmap_lazyq *q);
/* The kernel queued one more area; model_seq: the model's lazy_seq after it; call: the trace's
 * vmalloc calls before that free. -ENOMEM (host). */
int vmap_lazyq_push(struct vmap_lazyq *q, u64 model_seq, u64 call);
/* The call of the oldest area still queued (freed after the latest purge took its lists);
 * false when none is. */
bool vmap_lazyq_oldest_call(const struct vmap_lazyq *q, u64 *call);
/* The kernel purged its oldest num areas: they leave the queue. Returns the model lazy_seq
 * bound of that purge: the model's areas queued before it are the ones purged (every model
 * area when the kernel purged more than the queue knows). */
u64 vmap_lazyq_take(struct vmap_lazyq *q, u64 num);

#endif
