/* Placement: pages the kernel's compaction migrated, waiting for their targets' frees.
 * Compaction frees a migrated page at its source (mm_page_free by the compacting task during
 * its run) and the page lives on at a target the free scanner took with no mm_page_alloc; the
 * target's own free comes later, at a pfn the model never allocated. So the model keeps the
 * source's block allocated (the page still exists) and lets it go at the first free of an
 * unknown pfn of its order outside a run. Which target belongs to which source is not traced:
 * the oldest source of the order goes first. Per order, a FIFO of live-block records. */
#ifndef MIGPEND_H
#define MIGPEND_H

#include <stdbool.h>
#include <stddef.h>

#include "core/mm_types.h"

#define MIGPEND_ORDERS 16

struct migpend_fifo {
	u64 *rec;
	size_t head, n, cap; /* cap a power of two (or 0); entries rec[(head + i) & (cap - 1)] */
};

struct migpend {
	struct migpend_fifo q[MIGPEND_ORDERS];
	size_t n; /* held in all orders */
};

/* Hold a record of this order: 0, or -ENOMEM (host memory short; nothing held) or -ERANGE. */
int migpend_push(struct migpend *m, unsigned order, u64 rec);
/* The oldest record of this order, taken: true, or false when none is held. */
bool migpend_pop(struct migpend *m, unsigned order, u64 *rec);
/* Host bytes held (the model's memory estimate counts them). */
size_t migpend_bytes(const struct migpend *m);
void migpend_fini(struct migpend *m);

#endif
