/* Helpers shared by the vmlist variants (not part of the public API): overflow-safe address
 * arithmetic near the top of the 64-bit space, and the registry's entries. */
#ifndef VMLIST_PRIV_H
#define VMLIST_PRIV_H

#include "core/kva/vmlist.h"

/* *out = x rounded up to align (a power of two); false when that wraps past 2^64. */
static inline bool vmlist_align_up(u64 x, u64 align, u64 *out)
{
	u64 r = (x + (align - 1)) & ~(align - 1);
	if (r < x)
		return false;
	*out = r;
	return true;
}

/* Does [a, a + size) end at or below end? (no overflow for any a, size) */
static inline bool vmlist_fits_below(u64 a, u64 size, u64 end)
{
	return a <= end && size <= end - a;
}

extern const struct vmlist_ops vmlist_list_ops;
extern const struct vmlist_ops vmlist_rbtree_ops;
extern const struct vmlist_ops vmlist_rbtree_cache_ops;
extern const struct vmlist_ops vmlist_augmented_ops;
extern const struct vmlist_ops vmlist_nodes_ops;

#endif
