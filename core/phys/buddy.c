#include "core/phys/buddy.h"

#include "core/lib/bigmem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Frame word layout: next:26 | prev:26 | order:4 | state:2 | list:3 (list = requested
 * migratetype for an allocated head). Only block heads carry state; interior frames are 0. */
#define F_LINK_BITS 26
#define F_LINK_MASK ((1ULL << F_LINK_BITS) - 1)
#define F_PREV_SHIFT 26
#define F_ORDER_SHIFT 52
#define F_STATE_SHIFT 56
#define F_LIST_SHIFT 58
enum { ST_NONE = 0, ST_FREE = 1, ST_ALLOC = 2 };

static inline u32 f_next(u64 f)
{
	return (u32)(f & F_LINK_MASK);
}
static inline u32 f_prev(u64 f)
{
	return (u32)((f >> F_PREV_SHIFT) & F_LINK_MASK);
}
static inline unsigned f_order(u64 f)
{
	return (unsigned)((f >> F_ORDER_SHIFT) & 0xf);
}
static inline unsigned f_state(u64 f)
{
	return (unsigned)((f >> F_STATE_SHIFT) & 0x3);
}
static inline unsigned f_list(u64 f)
{
	return (unsigned)((f >> F_LIST_SHIFT) & 0x7);
}

static inline u64 f_make(u32 next, u32 prev, unsigned order, unsigned state, unsigned list)
{
	return (u64)next | ((u64)prev << F_PREV_SHIFT) | ((u64)order << F_ORDER_SHIFT) |
	       ((u64)state << F_STATE_SHIFT) | ((u64)list << F_LIST_SHIFT);
}

static inline void f_set_next(u64 *f, u32 next)
{
	*f = (*f & ~F_LINK_MASK) | next;
}
static inline void f_set_prev(u64 *f, u32 prev)
{
	*f = (*f & ~(F_LINK_MASK << F_PREV_SHIFT)) | ((u64)prev << F_PREV_SHIFT);
}

unsigned buddy_frame_order(const struct buddy *b, u32 idx)
{
	return f_order(b->frames[idx]);
}
unsigned buddy_frame_list(const struct buddy *b, u32 idx)
{
	return f_list(b->frames[idx]);
}
u32 buddy_frame_next(const struct buddy *b, u32 idx)
{
	return f_next(b->frames[idx]);
}
u32 buddy_frame_prev(const struct buddy *b, u32 idx)
{
	return f_prev(b->frames[idx]);
}
bool buddy_frame_is_free(const struct buddy *b, u32 idx)
{
	return f_state(b->frames[idx]) == ST_FREE;
}
bool buddy_frame_is_alloc(const struct buddy *b, u32 idx)
{
	return f_state(b->frames[idx]) == ST_ALLOC;
}
void buddy_frame_set_alloc(struct buddy *b, u32 idx, unsigned order, unsigned tag)
{
	b->frames[idx] = f_make(BUDDY_NIL, BUDDY_NIL, order, ST_ALLOC, tag);
}

void buddy_link(struct buddy *b, u32 idx, unsigned order, unsigned list)
{
	u32 old = b->head[order][list];
	b->frames[idx] = f_make(old, BUDDY_NIL, order, ST_FREE, list);
	if (old != BUDDY_NIL)
		f_set_prev(&b->frames[old], idx);
	else
		b->tail[order][list] = idx;
	b->head[order][list] = idx;
	b->nr_free[order]++;
	b->free_pages += 1ULL << order;
	if (b->ops->on_link)
		b->ops->on_link(b, idx, order);
}

void buddy_link_tail(struct buddy *b, u32 idx, unsigned order, unsigned list)
{
	u32 old = b->tail[order][list];
	b->frames[idx] = f_make(BUDDY_NIL, old, order, ST_FREE, list);
	if (old != BUDDY_NIL)
		f_set_next(&b->frames[old], idx);
	else
		b->head[order][list] = idx;
	b->tail[order][list] = idx;
	b->nr_free[order]++;
	b->free_pages += 1ULL << order;
	if (b->ops->on_link)
		b->ops->on_link(b, idx, order);
}

void buddy_list_rotate(struct buddy *b, u32 idx, bool to_head)
{
	u64 f = b->frames[idx];
	unsigned order = f_order(f), list = f_list(f);
	u32 head = b->head[order][list], tail = b->tail[order][list];
	if (idx == head || (!to_head && idx == tail))
		return;
	/* the list as a ring: the old tail runs on into the old head, then it is cut again */
	f_set_next(&b->frames[tail], head);
	f_set_prev(&b->frames[head], tail);
	u32 first = to_head ? idx : f_next(f), last = to_head ? f_prev(f) : idx;
	f_set_prev(&b->frames[first], BUDDY_NIL);
	f_set_next(&b->frames[last], BUDDY_NIL);
	b->head[order][list] = first;
	b->tail[order][list] = last;
}

void buddy_unlink(struct buddy *b, u32 idx)
{
	u64 f = b->frames[idx];
	unsigned order = f_order(f), list = f_list(f);
	u32 next = f_next(f), prev = f_prev(f);
	if (prev != BUDDY_NIL)
		f_set_next(&b->frames[prev], next);
	else
		b->head[order][list] = next;
	if (next != BUDDY_NIL)
		f_set_prev(&b->frames[next], prev);
	else
		b->tail[order][list] = prev;
	b->frames[idx] = 0;
	b->nr_free[order]--;
	b->free_pages -= 1ULL << order;
	if (b->ops->on_unlink)
		b->ops->on_unlink(b, idx, order);
}

int buddy_init(struct buddy *b, const struct buddy_cfg *cfg)
{
	memset(b, 0, sizeof(*b));
	if (cfg->nr_pages == 0 || cfg->nr_pages > BUDDY_MAX_FRAMES)
		return -E2BIG;
	b->max_order = cfg->max_order ? cfg->max_order : BUDDY_DEFAULT_MAX_ORDER;
	if (b->max_order > BUDDY_MAX_ORDER_LIMIT)
		return -EINVAL;
	b->base_pfn = cfg->base_pfn;
	b->nr_pages = cfg->nr_pages;
	b->ops = cfg->policy ? cfg->policy : buddy_policy_find("lifo");
	b->frames = bigmem_zalloc(b->nr_pages * sizeof(*b->frames));
	if (!b->frames)
		return -ENOMEM;
	if (b->ops->priv_size && !(b->priv = calloc(1, b->ops->priv_size))) {
		buddy_fini(b);
		return -ENOMEM;
	}
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER_LIMIT; o++)
		for (unsigned l = 0; l < MT_NR; l++)
			b->head[o][l] = b->tail[o][l] = BUDDY_NIL;
	int err = b->ops->init ? b->ops->init(b) : 0;
	if (err) {
		buddy_fini(b);
		return err;
	}
	/* Carve the zone into the largest naturally aligned blocks that fit. Walking down from
	 * the end and linking as we go leaves the lowest block at each LIFO head, as boot does. */
	for (u64 pfn = b->base_pfn + b->nr_pages; pfn > b->base_pfn;) {
		unsigned o = b->max_order;
		while (o && (pfn - b->base_pfn < (1ULL << o) || ((pfn - (1ULL << o)) & ((1ULL << o) - 1))))
			o--;
		pfn -= 1ULL << o;
		u32 idx = (u32)(pfn - b->base_pfn);
		buddy_link(b, idx, o, b->ops->list_of(b, idx));
	}
	return 0;
}

void buddy_fini(struct buddy *b)
{
	if (b->ops && b->ops->fini && b->frames)
		b->ops->fini(b);
	bigmem_free(b->frames, b->nr_pages * sizeof(*b->frames));
	free(b->priv);
	free(b->pageblock_mt);
	free(b->pageblock_guess);
	free(b->seed_compound);
	b->seed_compound = NULL;
	b->frames = NULL;
	b->priv = NULL;
	b->pageblock_mt = NULL;
	b->pageblock_guess = NULL;
}

static void buddy_mark_alloc(struct buddy *b, u32 idx, unsigned order, int mt)
{
	unsigned list = (mt >= 0 && mt < MT_NR) ? (unsigned)mt : 0;
	b->frames[idx] = f_make(BUDDY_NIL, BUDDY_NIL, order, ST_ALLOC, list);
	b->st.allocs[order]++;
}

int buddy_alloc(struct buddy *b, unsigned order, int mt, u64 *pfn)
{
	u32 idx;
	unsigned bo;
	if (order > b->max_order)
		return -EINVAL;
	if (b->ops->take(b, order, mt, &idx, &bo)) {
		b->st.failures[order]++;
		return -ENOMEM;
	}
	/* expand(): keep the low half, free the high halves on their pageblock's type's list (the
	 * request's, but for a steal: the block keeps its type) */
	while (bo > order) {
		bo--;
		buddy_link(b, idx + (1u << bo), bo, b->ops->list_of(b, idx + (1u << bo)));
		b->st.splits++;
	}
	buddy_mark_alloc(b, idx, order, mt);
	*pfn = b->base_pfn + idx;
	return 0;
}

int buddy_alloc_at(struct buddy *b, u64 pfn, unsigned order, int mt)
{
	if (order > b->max_order)
		return -EINVAL;
	if (pfn < b->base_pfn || pfn + (1ULL << order) > b->base_pfn + b->nr_pages)
		return -ERANGE;
	if (pfn & ((1ULL << order) - 1))
		return -EINVAL;
	u64 head = pfn;
	unsigned o = order;
	for (;; o++) {
		if (o > b->max_order) {
			b->st.conflicts++;
			return -EBUSY;
		}
		head = pfn & ~((1ULL << o) - 1);
		if (head < b->base_pfn) {
			b->st.conflicts++;
			return -EBUSY;
		}
		u64 f = b->frames[head - b->base_pfn];
		if (f_state(f) == ST_FREE && f_order(f) == o)
			break;
	}
	buddy_unlink(b, (u32)(head - b->base_pfn));
	while (o > order) {
		o--;
		u64 other = (pfn & (1ULL << o)) ? head : head + (1ULL << o);
		if (other == head)
			head += 1ULL << o;
		u32 oidx = (u32)(other - b->base_pfn);
		buddy_link(b, oidx, o, b->ops->list_of(b, oidx));
		b->st.splits++;
	}
	buddy_mark_alloc(b, (u32)(pfn - b->base_pfn), order, mt);
	return 0;
}

/* __free_one_page's buddy_merge_likely: the merged block's buddy is not free, but the buddy of
 * the pair one order up is: when the block's buddy comes back, the two merge twice. Such a block
 * goes to the tail of its list so that it is allocated last (not at the top orders: order >=
 * MAX_PAGE_ORDER - 1). */
static bool buddy_merge_likely(const struct buddy *b, u64 pfn, unsigned order)
{
	if (order + 1 >= b->max_order)
		return false;
	u64 higher = pfn & ~(1ULL << order), hb = higher ^ (1ULL << (order + 1));
	if (hb < b->base_pfn || hb + (1ULL << (order + 1)) > b->base_pfn + b->nr_pages)
		return false;
	u64 f = b->frames[hb - b->base_pfn];
	return f_state(f) == ST_FREE && f_order(f) == order + 1;
}

/* __free_one_page merging across pageblocks of another type: the buddy's pageblocks take the
 * freed block's type, so that a later expand() puts every part on the right list. */
static void buddy_match_type(struct buddy *b, u64 pfn, u64 buddy, unsigned order)
{
	u8 mt = b->pageblock_mt[buddy_pageblock(b, pfn - b->base_pfn)];
	u64 first = buddy_pageblock(b, buddy - b->base_pfn);
	for (u64 pb = first; pb < first + (1ULL << (order - BUDDY_PAGEBLOCK_ORDER)); pb++)
		if (b->pageblock_mt[pb] != mt) {
			b->pageblock_mt[pb] = mt;
			if (b->pageblock_guess)
				b->pageblock_guess[pb] = 0;
		}
}

int buddy_free(struct buddy *b, u64 pfn, unsigned order)
{
	u64 end = b->base_pfn + b->nr_pages;
	if (pfn < b->base_pfn || pfn >= end || order > b->max_order) {
		b->st.bad_frees++;
		return -EINVAL;
	}
	u64 f = b->frames[pfn - b->base_pfn];
	if (f_state(f) != ST_ALLOC || f_order(f) != order || f_list(f) == BUDDY_TAG_NEVER) {
		b->st.bad_frees++;
		return -EINVAL;
	}
	b->frames[pfn - b->base_pfn] = 0;
	b->st.frees[order]++;
	while (order < b->max_order) {
		u64 buddy = pfn ^ (1ULL << order);
		if (buddy < b->base_pfn || buddy + (1ULL << order) > end)
			break;
		u64 bf = b->frames[buddy - b->base_pfn];
		if (f_state(bf) != ST_FREE || f_order(bf) != order)
			break;
		buddy_unlink(b, (u32)(buddy - b->base_pfn));
		b->st.merges++;
		if (order >= BUDDY_PAGEBLOCK_ORDER && b->pageblock_mt)
			buddy_match_type(b, pfn, buddy, order);
		pfn &= ~(1ULL << order);
		order++;
	}
	u32 idx = (u32)(pfn - b->base_pfn);
	if (buddy_merge_likely(b, pfn, order))
		buddy_link_tail(b, idx, order, b->ops->list_of(b, idx));
	else
		buddy_link(b, idx, order, b->ops->list_of(b, idx));
	return 0;
}

int buddy_alloc_order(const struct buddy *b, u64 pfn)
{
	if (pfn < b->base_pfn || pfn >= b->base_pfn + b->nr_pages)
		return -1;
	u64 f = b->frames[pfn - b->base_pfn];
	return f_state(f) == ST_ALLOC ? (int)f_order(f) : -1;
}

unsigned buddy_largest_free_order(const struct buddy *b)
{
	for (unsigned o = b->max_order + 1; o-- > 0;)
		if (b->nr_free[o])
			return o;
	return -1u;
}

u64 buddy_mixed_pageblocks(const struct buddy *b)
{
	if (!b->pageblock_mt)
		return 0;
	u64 mixed = 0, last = BUDDY_NIL;
	for (u64 i = 0; i < b->nr_pages; i++) {
		u64 f = b->frames[i], pb = buddy_pageblock(b, i);
		if (pb != last && f_state(f) == ST_ALLOC && f_list(f) < MT_NR &&
		    f_list(f) != b->pageblock_mt[pb]) {
			mixed++;
			last = pb; /* count each pageblock once */
		}
	}
	return mixed;
}

#define CHECK(cond, ...)                                                                                     \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			if (msg)                                                                             \
				snprintf(msg, msglen, __VA_ARGS__);                                          \
			return -EUCLEAN;                                                                     \
		}                                                                                            \
	} while (0)

int buddy_check(const struct buddy *b, char *msg, size_t msglen)
{
	u64 nr_free[BUDDY_MAX_ORDER_LIMIT + 1] = {0}, free_pages = 0;
	u64 n = b->nr_pages;
	for (u64 i = 0; i < n;) {
		u64 f = b->frames[i], pfn = b->base_pfn + i;
		unsigned st = f_state(f), o = f_order(f);
		CHECK(st == ST_FREE || st == ST_ALLOC, "pfn %#llx: not the head of any block",
		      (unsigned long long)pfn);
		CHECK(o <= b->max_order, "pfn %#llx: order %u > max", (unsigned long long)pfn, o);
		CHECK(!(pfn & ((1ULL << o) - 1)), "pfn %#llx: order-%u block misaligned",
		      (unsigned long long)pfn, o);
		CHECK(i + (1ULL << o) <= n, "pfn %#llx: block crosses the zone end", (unsigned long long)pfn);
		for (u64 j = i + 1; j < i + (1ULL << o); j++)
			CHECK(b->frames[j] == 0, "pfn %#llx: overlaps block at %#llx",
			      (unsigned long long)(b->base_pfn + j), (unsigned long long)pfn);
		if (st == ST_FREE) {
			nr_free[o]++;
			free_pages += 1ULL << o;
			u64 buddy = pfn ^ (1ULL << o);
			if (o < b->max_order && buddy >= b->base_pfn &&
			    buddy + (1ULL << o) <= b->base_pfn + n) {
				u64 bf = b->frames[buddy - b->base_pfn];
				CHECK(!(f_state(bf) == ST_FREE && f_order(bf) == o),
				      "free buddies %#llx and %#llx of order %u not merged",
				      (unsigned long long)pfn, (unsigned long long)buddy, o);
			}
		}
		i += 1ULL << o;
	}
	u64 listed_pages = 0;
	for (unsigned o = 0; o <= b->max_order; o++) {
		u64 cnt = 0;
		for (unsigned l = 0; l < MT_NR; l++) {
			u32 prev = BUDDY_NIL;
			for (u32 idx = b->head[o][l]; idx != BUDDY_NIL; idx = f_next(b->frames[idx])) {
				u64 f = b->frames[idx];
				CHECK(idx < n, "list %u/%u: link out of range", o, l);
				CHECK(f_state(f) == ST_FREE && f_order(f) == o && f_list(f) == l,
				      "list %u/%u: member %#llx has the wrong state", o, l,
				      (unsigned long long)(b->base_pfn + idx));
				CHECK(f_prev(f) == prev, "list %u/%u: broken back link", o, l);
				CHECK(++cnt <= n, "list %u/%u: cycle", o, l);
				prev = idx;
			}
			CHECK(b->tail[o][l] == prev, "list %u/%u: the tail is not its last block", o, l);
		}
		CHECK(cnt == nr_free[o], "order %u: %llu listed, %llu free blocks", o,
		      (unsigned long long)cnt, (unsigned long long)nr_free[o]);
		CHECK(cnt == b->nr_free[o], "order %u: nr_free %llu, recount %llu", o,
		      (unsigned long long)b->nr_free[o], (unsigned long long)cnt);
		listed_pages += cnt << o;
	}
	CHECK(listed_pages == free_pages && free_pages == b->free_pages,
	      "free pages: counter %llu, recount %llu", (unsigned long long)b->free_pages,
	      (unsigned long long)free_pages);
	return 0;
}
