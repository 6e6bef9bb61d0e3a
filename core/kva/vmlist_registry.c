/* The vmlist variant registry: one line per variant. Adding a variant is its file plus one line
 * here (docs/architecture.md). Nothing else lives in this file, so a test may link its own
 * registry in place of this one. */
#include <string.h>

#include "core/kva/vmlist_priv.h"

const struct vmlist_ops *const vmlist_variants[] = {
	&vmlist_list_ops,      &vmlist_rbtree_ops, &vmlist_rbtree_cache_ops,
	&vmlist_augmented_ops, &vmlist_nodes_ops,  NULL,
};

const struct vmlist_ops *vmlist_find(const char *name)
{
	for (const struct vmlist_ops *const *o = vmlist_variants; *o; o++)
		if (!strcmp((*o)->name, name))
			return *o;
	return NULL;
}
