/* A three-level bitmap with find-first-set in a few word scans: level 1 has a bit per
 * non-zero level-0 word, level 2 a bit per non-zero level-1 word. Used by the buddy's `addr`
 * policy to find the lowest free block of an order. */
#ifndef HBITMAP_H
#define HBITMAP_H

#include "core/mm_types.h"

struct hbitmap {
	u64 nbits;
	u64 *l0, *l1, *l2; /* invariant: bit i of l(k+1) set <=> word i of lk != 0 */
	u64 n0, n1, n2;	   /* words per level */
};

int hbitmap_init(struct hbitmap *h, u64 nbits);
void hbitmap_fini(struct hbitmap *h);
void hbitmap_set(struct hbitmap *h, u64 bit);
void hbitmap_clear(struct hbitmap *h, u64 bit);
bool hbitmap_test(const struct hbitmap *h, u64 bit);
/* Lowest set bit, or UINT64_MAX when empty. */
u64 hbitmap_first(const struct hbitmap *h);

#endif
