/* A slow, obvious buddy allocator for oracle tests: free blocks kept in plain arrays per
 * (order, list) with the list head at the array's end, every lookup a linear scan. It
 * implements the same placement rules as core/phys/buddy_policy.c in the most direct way. */
#ifndef BUDDY_REF_H
#define BUDDY_REF_H

#include <stdlib.h>
#include <string.h>

#include "core/phys/buddy.h"

enum { REF_LIFO, REF_ADDR, REF_MOBILITY };

struct ref_buddy {
	u64 base, n;
	unsigned maxo;
	int policy;
	u64 *stk[BUDDY_MAX_ORDER_LIMIT + 1][MT_NR];
	size_t len[BUDDY_MAX_ORDER_LIMIT + 1][MT_NR];
	int *alloc_order; /* per frame: order of an allocated block whose head it is, else -1 */
	int *alloc_mt;
	u8 *pbmt;
};

static u64 ref_pb(const struct ref_buddy *r, u64 pfn)
{
	return (pfn >> BUDDY_PAGEBLOCK_ORDER) - (r->base >> BUDDY_PAGEBLOCK_ORDER);
}

static unsigned ref_list_of(const struct ref_buddy *r, u64 pfn)
{
	return r->policy == REF_MOBILITY ? r->pbmt[ref_pb(r, pfn)] : 0;
}

static void ref_push(struct ref_buddy *r, u64 pfn, unsigned o, unsigned l)
{
	r->stk[o][l][r->len[o][l]++] = pfn;
}

/* At the tail: the array's start, allocated last. */
static void ref_push_tail(struct ref_buddy *r, u64 pfn, unsigned o, unsigned l)
{
	memmove(&r->stk[o][l][1], &r->stk[o][l][0], r->len[o][l] * sizeof(u64));
	r->stk[o][l][0] = pfn;
	r->len[o][l]++;
}

/* Find a free block (pfn, o): its list, or -1. */
static int ref_find(const struct ref_buddy *r, u64 pfn, unsigned o, size_t *pos)
{
	for (unsigned l = 0; l < MT_NR; l++)
		for (size_t i = 0; i < r->len[o][l]; i++)
			if (r->stk[o][l][i] == pfn) {
				*pos = i;
				return (int)l;
			}
	return -1;
}

static void ref_erase(struct ref_buddy *r, unsigned o, unsigned l, size_t i)
{
	memmove(&r->stk[o][l][i], &r->stk[o][l][i + 1], (r->len[o][l] - i - 1) * sizeof(u64));
	r->len[o][l]--;
}

static void ref_init(struct ref_buddy *r, u64 base, u64 n, unsigned maxo, int policy)
{
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->n = n;
	r->maxo = maxo;
	r->policy = policy;
	for (unsigned o = 0; o <= maxo; o++)
		for (unsigned l = 0; l < MT_NR; l++)
			r->stk[o][l] = malloc(sizeof(u64) * (n + 1));
	r->alloc_order = malloc(sizeof(int) * n);
	r->alloc_mt = malloc(sizeof(int) * n);
	for (u64 i = 0; i < n; i++)
		r->alloc_order[i] = -1;
	u64 npb = ref_pb(r, base + n - 1) + 1;
	r->pbmt = malloc(npb);
	memset(r->pbmt, MT_MOVABLE, npb);
	/* largest aligned blocks, pushed from the top down: lowest block ends at the head */
	for (u64 pfn = base + n; pfn > base;) {
		unsigned o = maxo;
		while (o && (pfn - base < (1ULL << o) || ((pfn - (1ULL << o)) % (1ULL << o))))
			o--;
		pfn -= 1ULL << o;
		ref_push(r, pfn, o, ref_list_of(r, pfn));
	}
}

static void ref_fini(struct ref_buddy *r)
{
	for (unsigned o = 0; o <= r->maxo; o++)
		for (unsigned l = 0; l < MT_NR; l++)
			free(r->stk[o][l]);
	free(r->alloc_order);
	free(r->alloc_mt);
	free(r->pbmt);
}

static u64 ref_free_pages(const struct ref_buddy *r, unsigned o)
{
	u64 n = 0;
	for (unsigned l = 0; l < MT_NR; l++)
		n += r->len[o][l];
	return n;
}

/* mobility: retag pageblock pb and move its free blocks, lowest address first, to the tails of
 * mt's lists */
static void ref_claim(struct ref_buddy *r, u64 pb, int mt)
{
	r->pbmt[pb] = (u8)mt;
	u64 first = ((r->base >> BUDDY_PAGEBLOCK_ORDER) + pb) << BUDDY_PAGEBLOCK_ORDER;
	for (u64 pfn = first; pfn < first + (1ULL << BUDDY_PAGEBLOCK_ORDER); pfn++) {
		if (pfn < r->base || pfn >= r->base + r->n)
			continue;
		for (unsigned o = 0; o <= r->maxo; o++) {
			size_t i = 0;
			int l = ref_find(r, pfn, o, &i);
			if (l >= 0) {
				ref_erase(r, o, (unsigned)l, i);
				ref_push_tail(r, pfn, o, (unsigned)mt);
			}
		}
	}
}

/* try_to_claim_block's count: free pages, and allocated pages alike (movable ones for a movable
 * request; for another, the non-movable ones of a movable pageblock) */
static u64 ref_pb_usable(const struct ref_buddy *r, u64 pb, int mt, int block)
{
	u64 first = ((r->base >> BUDDY_PAGEBLOCK_ORDER) + pb) << BUDDY_PAGEBLOCK_ORDER, n = 0;
	for (u64 pfn = first; pfn < first + (1ULL << BUDDY_PAGEBLOCK_ORDER); pfn++) {
		if (pfn < r->base || pfn >= r->base + r->n)
			continue;
		size_t i = 0;
		for (unsigned o = 0; o <= r->maxo; o++)
			if (ref_find(r, pfn, o, &i) >= 0)
				n += 1ULL << o;
		int ao = r->alloc_order[pfn - r->base], t = r->alloc_mt[pfn - r->base];
		if (ao >= 0 && (mt == MT_MOVABLE ? t == MT_MOVABLE : block == MT_MOVABLE && t != MT_MOVABLE))
			n += 1ULL << ao;
	}
	return n;
}

static int ref_fallback(const struct ref_buddy *r, unsigned o, int mt)
{
	static const int fb[MT_NR][2] = {{2, 1}, {2, 0}, {0, 1}};
	for (int i = 0; i < 2; i++)
		if (r->len[o][fb[mt][i]])
			return fb[mt][i];
	return -1;
}

/* The head block of the smallest order >= order on list l, taken; -1 when none. */
static int ref_smallest(struct ref_buddy *r, unsigned order, unsigned l, u64 *pfn, unsigned *bo)
{
	for (unsigned o = order; o <= r->maxo; o++)
		if (r->len[o][l]) {
			*pfn = r->stk[o][l][--r->len[o][l]];
			*bo = o;
			return 0;
		}
	return -1;
}

static int ref_alloc(struct ref_buddy *r, unsigned order, int mt, u64 *out)
{
	unsigned o = 0;
	u64 pfn = 0;
	if (mt < 0 || mt >= MT_NR)
		mt = MT_UNMOVABLE;
	int want = r->policy == REF_MOBILITY ? mt : 0;
	bool got = false;
	if (r->policy == REF_ADDR) {
		for (o = order; o <= r->maxo && !got; o++)
			if (r->len[o][0]) {
				size_t best = 0;
				for (size_t i = 1; i < r->len[o][0]; i++)
					if (r->stk[o][0][i] < r->stk[o][0][best])
						best = i;
				pfn = r->stk[o][0][best];
				ref_erase(r, o, 0, best);
				got = true;
				break;
			}
	} else {
		got = !ref_smallest(r, order, (unsigned)want, &pfn, &o);
	}
	if (!got && r->policy == REF_MOBILITY) {
		/* claim: from the top order down, each order's head block of another type */
		for (unsigned c = r->maxo + 1; !got && c-- > order;) {
			if (c < BUDDY_PAGEBLOCK_ORDER / 2 && mt == MT_MOVABLE)
				break;
			int f = ref_fallback(r, c, mt);
			if (f < 0)
				continue;
			u64 h = r->stk[c][f][r->len[c][f] - 1];
			if (c >= BUDDY_PAGEBLOCK_ORDER) {
				for (u64 p = h; p < h + (1ULL << c); p += 1ULL << BUDDY_PAGEBLOCK_ORDER)
					if (r->pbmt[ref_pb(r, p)] != mt)
						ref_claim(r, ref_pb(r, p), mt);
				size_t i = 0;
				int l = ref_find(r, h, c, &i);
				ref_erase(r, c, (unsigned)l, i);
				pfn = h;
				o = c;
				got = true;
			} else if (ref_pb_usable(r, ref_pb(r, h), mt, f) >=
				   (1ULL << (BUDDY_PAGEBLOCK_ORDER - 1))) {
				ref_claim(r, ref_pb(r, h), mt);
				got = !ref_smallest(r, order, (unsigned)mt, &pfn, &o);
			}
		}
		/* steal: the smallest block of another type */
		for (unsigned c = order; !got && c <= r->maxo; c++) {
			int f = ref_fallback(r, c, mt);
			if (f < 0)
				continue;
			pfn = r->stk[c][f][--r->len[c][f]];
			o = c;
			got = true;
		}
	}
	if (!got)
		return -1;
	while (o > order) {
		o--;
		ref_push(r, pfn + (1ULL << o), o, ref_list_of(r, pfn + (1ULL << o)));
	}
	r->alloc_order[pfn - r->base] = (int)order;
	r->alloc_mt[pfn - r->base] = mt;
	*out = pfn;
	return 0;
}

static int ref_alloc_at(struct ref_buddy *r, u64 pfn, unsigned order, int mt)
{
	for (unsigned o = order; o <= r->maxo; o++) {
		u64 head = pfn & ~((1ULL << o) - 1);
		size_t i = 0;
		int l = head >= r->base ? ref_find(r, head, o, &i) : -1;
		if (l < 0)
			continue;
		ref_erase(r, o, (unsigned)l, i);
		while (o > order) {
			o--;
			u64 lo = head, hi = head + (1ULL << o);
			u64 other = pfn >= hi ? lo : hi;
			head = pfn >= hi ? hi : lo;
			ref_push(r, other, o, ref_list_of(r, other));
		}
		r->alloc_order[pfn - r->base] = (int)order;
		r->alloc_mt[pfn - r->base] = mt < 0 || mt >= MT_NR ? 0 : mt;
		return 0;
	}
	return -1;
}

static void ref_free(struct ref_buddy *r, u64 pfn)
{
	unsigned o = (unsigned)r->alloc_order[pfn - r->base];
	r->alloc_order[pfn - r->base] = -1;
	while (o < r->maxo) {
		u64 buddy = pfn ^ (1ULL << o);
		size_t i = 0;
		if (buddy < r->base || buddy + (1ULL << o) > r->base + r->n)
			break;
		int l = ref_find(r, buddy, o, &i);
		if (l < 0)
			break;
		ref_erase(r, o, (unsigned)l, i);
		if (r->policy == REF_MOBILITY && o >= BUDDY_PAGEBLOCK_ORDER) /* the buddy takes our type */
			for (u64 p = buddy; p < buddy + (1ULL << o); p += 1ULL << BUDDY_PAGEBLOCK_ORDER)
				r->pbmt[ref_pb(r, p)] = r->pbmt[ref_pb(r, pfn)];
		pfn = MM_MIN(pfn, buddy);
		o++;
	}
	/* the pair one order up has a free buddy: it goes to the tail (not at the top two orders) */
	u64 up = (pfn & ~(1ULL << o)) ^ (2ULL << o);
	size_t i = 0;
	bool likely = o + 1 < r->maxo && up >= r->base && up + (2ULL << o) <= r->base + r->n &&
		      ref_find(r, up, o + 1, &i) >= 0;
	if (likely)
		ref_push_tail(r, pfn, o, ref_list_of(r, pfn));
	else
		ref_push(r, pfn, o, ref_list_of(r, pfn));
}

#endif
