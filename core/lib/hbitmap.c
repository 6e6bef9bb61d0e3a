#include "core/lib/hbitmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static u64 words(u64 bits)
{
	return (bits + 63) / 64;
}

int hbitmap_init(struct hbitmap *h, u64 nbits)
{
	memset(h, 0, sizeof(*h));
	h->nbits = nbits;
	h->n0 = words(nbits ? nbits : 1);
	h->n1 = words(h->n0);
	h->n2 = words(h->n1);
	h->l0 = calloc(h->n0, 8);
	h->l1 = calloc(h->n1, 8);
	h->l2 = calloc(h->n2, 8);
	if (!h->l0 || !h->l1 || !h->l2) {
		hbitmap_fini(h);
		return -ENOMEM;
	}
	return 0;
}

void hbitmap_fini(struct hbitmap *h)
{
	free(h->l0);
	free(h->l1);
	free(h->l2);
	memset(h, 0, sizeof(*h));
}

void hbitmap_set(struct hbitmap *h, u64 bit)
{
	u64 w0 = bit / 64, w1 = w0 / 64;
	h->l0[w0] |= 1ULL << (bit % 64);
	h->l1[w1] |= 1ULL << (w0 % 64);
	h->l2[w1 / 64] |= 1ULL << (w1 % 64);
}

void hbitmap_clear(struct hbitmap *h, u64 bit)
{
	u64 w0 = bit / 64, w1 = w0 / 64;
	h->l0[w0] &= ~(1ULL << (bit % 64));
	if (h->l0[w0])
		return;
	h->l1[w1] &= ~(1ULL << (w0 % 64));
	if (h->l1[w1])
		return;
	h->l2[w1 / 64] &= ~(1ULL << (w1 % 64));
}

bool hbitmap_test(const struct hbitmap *h, u64 bit)
{
	return (h->l0[bit / 64] >> (bit % 64)) & 1;
}

u64 hbitmap_first(const struct hbitmap *h)
{
	for (u64 i = 0; i < h->n2; i++) {
		if (!h->l2[i])
			continue;
		u64 w1 = i * 64 + (u64)__builtin_ctzll(h->l2[i]);
		u64 w0 = w1 * 64 + (u64)__builtin_ctzll(h->l1[w1]);
		return w0 * 64 + (u64)__builtin_ctzll(h->l0[w0]);
	}
	return UINT64_MAX;
}
