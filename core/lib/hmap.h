/* An open-addressing hash map from u64 keys to u64 values (linear probing, backward-shift
 * deletion, no tombstones). Used to pair a trace's addresses and pfns with the model's.
 * Every key is allowed, including 0 and ~0. */
#ifndef HMAP_H
#define HMAP_H

#include "core/mm_types.h"

struct hmap {
	u64 *keys;
	u64 *vals;
	u8 *used;  /* slot occupancy; keys[i] is meaningful only where used[i] */
	u64 mask;  /* capacity - 1, capacity a power of two */
	u64 count; /* live entries; kept below 3/4 of capacity */
};

int hmap_init(struct hmap *h, u64 expect);
void hmap_fini(struct hmap *h);
/* 0 (inserted) or 1 (replaced an existing value), or -ENOMEM. */
int hmap_put(struct hmap *h, u64 key, u64 val);
/* true and *val when present. */
bool hmap_get(const struct hmap *h, u64 key, u64 *val);
/* true and *val (may be NULL) when the key was present and is now removed. */
bool hmap_del(struct hmap *h, u64 key, u64 *val);
void hmap_clear(struct hmap *h);

#endif
