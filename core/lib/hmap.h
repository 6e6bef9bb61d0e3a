/* An open-addressing hash map from u64 keys to u64 values (linear probing, backward-shift
 * deletion, no tombstones). Used to pair a trace's addresses and pfns with the model's.
 * Every key is allowed, including 0 and ~0: a slot is empty when its key is HMAP_EMPTY, and
 * the entry whose key is HMAP_EMPTY itself lives beside the table (has_empty_key). Keys and
 * values share one array, so a probe reads one cache line; a large table is on huge pages
 * (bigmem.h), so that a random probe into it seldom misses the TLB too. */
#ifndef HMAP_H
#define HMAP_H

#include "core/mm_types.h"

#define HMAP_EMPTY 0ULL /* zeroed memory is an empty table */

struct hmap_slot {
	u64 key, val;
};

struct hmap {
	struct hmap_slot *slot; /* mask + 1 slots; NULL before hmap_init */
	u64 mask;		/* capacity - 1, capacity a power of two */
	u64 count;		/* live entries (the HMAP_EMPTY key's too); slots kept below 3/4 full */
	bool has_empty_key;	/* the key HMAP_EMPTY is present, its value in empty_key_val */
	u64 empty_key_val;
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
/* Iteration in no particular order: *pos starts at 0; true with the next entry's key and value
 * (either may be NULL), false at the end. The map must not change meanwhile. */
bool hmap_next(const struct hmap *h, u64 *pos, u64 *key, u64 *val);
/* Host bytes of the table. */
u64 hmap_bytes(const struct hmap *h);

#endif
