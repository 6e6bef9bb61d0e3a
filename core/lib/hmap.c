#include "core/lib/hmap.h"

#include <errno.h>

#include "core/lib/bigmem.h"
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
	struct hmap_slot *s = bigmem_zalloc(cap * sizeof(*s)); /* every key HMAP_EMPTY */
	if (!s)
		return -ENOMEM;
	h->slot = s;
	h->mask = cap - 1;
	h->count = 0;
	h->has_empty_key = false;
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
	if (h->slot)
		bigmem_free(h->slot, (h->mask + 1) * sizeof(*h->slot));
	memset(h, 0, sizeof(*h));
}

void hmap_clear(struct hmap *h)
{
	if (h->slot)
		memset(h->slot, 0, (h->mask + 1) * sizeof(*h->slot));
	h->count = 0;
	h->has_empty_key = false;
}

/* Slots in use (the HMAP_EMPTY key is not in one). */
static u64 hmap_slots_used(const struct hmap *h)
{
	return h->count - h->has_empty_key;
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
		if (old.slot[i].key != HMAP_EMPTY)
			hmap_put(h, old.slot[i].key, old.slot[i].val);
	h->has_empty_key = old.has_empty_key;
	h->empty_key_val = old.empty_key_val;
	h->count += old.has_empty_key;
	bigmem_free(old.slot, (old.mask + 1) * sizeof(*old.slot));
	return 0;
}

int hmap_put(struct hmap *h, u64 key, u64 val)
{
	if (key == HMAP_EMPTY) {
		int had = h->has_empty_key;
		h->has_empty_key = true;
		h->empty_key_val = val;
		h->count += !had;
		return had;
	}
	if ((hmap_slots_used(h) + 1) * 4 > (h->mask + 1) * 3) {
		int err = hmap_grow(h);
		if (err)
			return err;
	}
	for (u64 i = hmap_hash(key) & h->mask;; i = (i + 1) & h->mask) {
		struct hmap_slot *s = &h->slot[i];
		if (s->key == HMAP_EMPTY) {
			s->key = key;
			s->val = val;
			h->count++;
			return 0;
		}
		if (s->key == key) {
			s->val = val;
			return 1;
		}
	}
}

bool hmap_get(const struct hmap *h, u64 key, u64 *val)
{
	if (key == HMAP_EMPTY) {
		if (h->has_empty_key)
			*val = h->empty_key_val;
		return h->has_empty_key;
	}
	if (!h->slot)
		return false;
	for (u64 i = hmap_hash(key) & h->mask; h->slot[i].key != HMAP_EMPTY; i = (i + 1) & h->mask)
		if (h->slot[i].key == key) {
			*val = h->slot[i].val;
			return true;
		}
	return false;
}

bool hmap_del(struct hmap *h, u64 key, u64 *val)
{
	if (key == HMAP_EMPTY) {
		bool had = h->has_empty_key;
		if (had && val)
			*val = h->empty_key_val;
		h->has_empty_key = false;
		h->count -= had;
		return had;
	}
	if (!h->slot)
		return false;
	u64 i = hmap_hash(key) & h->mask;
	for (; h->slot[i].key != key; i = (i + 1) & h->mask)
		if (h->slot[i].key == HMAP_EMPTY)
			return false;
	if (val)
		*val = h->slot[i].val;
	/* backward-shift: move later members of the probe run into the hole */
	for (u64 j = (i + 1) & h->mask; h->slot[j].key != HMAP_EMPTY; j = (j + 1) & h->mask) {
		u64 home = hmap_hash(h->slot[j].key) & h->mask;
		/* j may move to i iff its home is not cyclically in (i, j] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		h->slot[i] = h->slot[j];
		i = j;
	}
	h->slot[i].key = HMAP_EMPTY;
	h->count--;
	return true;
}

bool hmap_next(const struct hmap *h, u64 *pos, u64 *key, u64 *val)
{
	if (!h->slot)
		return false;
	for (; *pos <= h->mask; (*pos)++)
		if (h->slot[*pos].key != HMAP_EMPTY) {
			if (key)
				*key = h->slot[*pos].key;
			if (val)
				*val = h->slot[*pos].val;
			(*pos)++;
			return true;
		}
	if (*pos == h->mask + 1) { /* past the table: the HMAP_EMPTY key last */
		(*pos)++;
		if (h->has_empty_key) {
			if (key)
				*key = HMAP_EMPTY;
			if (val)
				*val = h->empty_key_val;
			return true;
		}
	}
	return false;
}

u64 hmap_bytes(const struct hmap *h)
{
	return h->slot ? bigmem_size((h->mask + 1) * sizeof(*h->slot)) : 0;
}
