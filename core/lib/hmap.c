#include "core/lib/hmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static inline u64 hmap_hash(u64 k)
{
	/* splitmix64 finaliser: pfns and page-aligned addresses spread over every bit */
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebULL;
	k ^= k >> 31;
	return k;
}

static int hmap_alloc(struct hmap *h, u64 cap)
{
	h->keys = malloc(cap * sizeof(*h->keys));
	h->vals = malloc(cap * sizeof(*h->vals));
	h->used = calloc(cap, 1);
	if (!h->keys || !h->vals || !h->used) {
		free(h->keys);
		free(h->vals);
		free(h->used);
		return -ENOMEM;
	}
	h->mask = cap - 1;
	h->count = 0;
	return 0;
}

int hmap_init(struct hmap *h, u64 expect)
{
	u64 cap = 16;
	while (cap * 3 / 4 <= expect)
		cap <<= 1;
	return hmap_alloc(h, cap);
}

void hmap_fini(struct hmap *h)
{
	free(h->keys);
	free(h->vals);
	free(h->used);
	memset(h, 0, sizeof(*h));
}

void hmap_clear(struct hmap *h)
{
	memset(h->used, 0, h->mask + 1);
	h->count = 0;
}

static int hmap_grow(struct hmap *h)
{
	struct hmap old = *h;
	int err = hmap_alloc(h, (old.mask + 1) * 2);
	if (err) {
		*h = old;
		return err;
	}
	for (u64 i = 0; i <= old.mask; i++)
		if (old.used[i])
			hmap_put(h, old.keys[i], old.vals[i]);
	free(old.keys);
	free(old.vals);
	free(old.used);
	return 0;
}

int hmap_put(struct hmap *h, u64 key, u64 val)
{
	if ((h->count + 1) * 4 > (h->mask + 1) * 3) {
		int err = hmap_grow(h);
		if (err)
			return err;
	}
	for (u64 i = hmap_hash(key) & h->mask;; i = (i + 1) & h->mask) {
		if (!h->used[i]) {
			h->used[i] = 1;
			h->keys[i] = key;
			h->vals[i] = val;
			h->count++;
			return 0;
		}
		if (h->keys[i] == key) {
			h->vals[i] = val;
			return 1;
		}
	}
}

bool hmap_get(const struct hmap *h, u64 key, u64 *val)
{
	for (u64 i = hmap_hash(key) & h->mask; h->used[i]; i = (i + 1) & h->mask)
		if (h->keys[i] == key) {
			*val = h->vals[i];
			return true;
		}
	return false;
}

bool hmap_del(struct hmap *h, u64 key, u64 *val)
{
	u64 i = hmap_hash(key) & h->mask;
	for (; h->used[i]; i = (i + 1) & h->mask)
		if (h->keys[i] == key)
			break;
	if (!h->used[i])
		return false;
	if (val)
		*val = h->vals[i];
	/* backward-shift: move later members of the probe run into the hole */
	for (u64 j = (i + 1) & h->mask; h->used[j]; j = (j + 1) & h->mask) {
		u64 home = hmap_hash(h->keys[j]) & h->mask;
		/* j may move to i iff its home is not cyclically in (i, j] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		h->keys[i] = h->keys[j];
		h->vals[i] = h->vals[j];
		i = j;
	}
	h->used[i] = 0;
	h->count--;
	return true;
}
