/* Dense indices for distinct keys, each a string and a number, in the order they first appear:
 * what `compare` joins a CSV's rows on (its trace, its configuration) in linear time. Open
 * addressing over a table sized once for the most keys there can be; strings are borrowed and
 * must outlive the map. */
#ifndef STRMAP_H
#define STRMAP_H

#include <stddef.h>

#include "core/mm_types.h"

struct strmap {
	size_t *slot;	  /* index + 1 of the key there, 0: empty */
	u64 *hash;	  /* per index */
	const char **str; /* per index */
	u64 *num;	  /* per index */
	size_t n, max, mask;
};

/* A map for at most max keys. 0 or -ENOMEM. */
int strmap_init(struct strmap *m, size_t max);
void strmap_fini(struct strmap *m);
/* The index of (s, k), added when new (*added, may be NULL, says so); SIZE_MAX when it is new
 * and the map holds max keys already. */
size_t strmap_index(struct strmap *m, const char *s, u64 k, bool *added);

/* The index of (s, k), or SIZE_MAX when it is not in the map. */
size_t strmap_find(const struct strmap *m, const char *s, u64 k);

#endif
