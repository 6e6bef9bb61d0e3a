#include "core/phys/seed.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int seed_init(struct seed *s, const struct zones_cfg *layout)
{
	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < layout->nr_zones; i++) {
		struct seed_zone *z = &s->zone[i];
		z->type = layout->zone[i].type;
		z->start_pfn = layout->zone[i].start_pfn;
		z->nr_pages = layout->zone[i].nr_pages;
		u64 npb = ((z->start_pfn + z->nr_pages - 1) >> BUDDY_PAGEBLOCK_ORDER) -
			  (z->start_pfn >> BUDDY_PAGEBLOCK_ORDER) + 1;
		s->nr_zones = i + 1;
		z->page = calloc(z->nr_pages, 1);
		z->compound = calloc(z->nr_pages, 1);
		z->pb_mt = malloc(npb);
		if (!z->page || !z->compound || !z->pb_mt) {
			seed_fini(s);
			return -ENOMEM;
		}
		memset(z->pb_mt, MT_MOVABLE, npb);
	}
	return 0;
}

void seed_fini(struct seed *s)
{
	for (unsigned i = 0; i < s->nr_zones; i++) {
		free(s->zone[i].page);
		free(s->zone[i].compound);
		free(s->zone[i].pb_mt);
	}
	s->nr_zones = 0;
	seedtime_fini(&s->times);
}

/* Largest order o <= max such that [pfn, pfn + 2^o) is aligned, inside the zone and free. */
static unsigned seed_block_order(const struct buddy *b, const u8 *page, u64 i)
{
	u64 pfn = b->base_pfn + i;
	unsigned o = 0;
	while (o < b->max_order) {
		unsigned n = o + 1;
		if ((pfn & ((1ULL << n) - 1)) || i + (1ULL << n) > b->nr_pages)
			break;
		/* the lower half [i, i + 2^o) is free already; check the upper half */
		bool all = true;
		for (u64 j = i + (1ULL << o); j < i + (1ULL << n) && all; j++)
			all = page[j] == SEED_FREE;
		if (!all)
			break;
		o = n;
	}
	return o;
}

static int seed_apply_zone(struct buddy *b, const struct seed_zone *z)
{
	for (unsigned o = 0; o <= b->max_order; o++)
		for (unsigned l = 0; l < MT_NR; l++)
			while (b->head[o][l] != BUDDY_NIL)
				buddy_unlink(b, b->head[o][l]);
	if (b->pageblock_mt) {
		memcpy(b->pageblock_mt, z->pb_mt, buddy_nr_pageblocks(b));
		free(b->pageblock_guess); /* every type is the seed's inference until revealed */
		b->pageblock_guess = malloc(buddy_nr_pageblocks(b));
		if (!b->pageblock_guess)
			return -ENOMEM;
		memset(b->pageblock_guess, 1, buddy_nr_pageblocks(b));
	}
	free(b->seed_compound);
	b->seed_compound = NULL;
	if (z->compound) {
		if (!(b->seed_compound = malloc(b->nr_pages)))
			return -ENOMEM;
		memcpy(b->seed_compound, z->compound, b->nr_pages);
	}
	for (u64 i = 0; i < b->nr_pages;) {
		if (z->page[i] != SEED_FREE) {
			buddy_frame_set_alloc(b, (u32)i, 0,
					      z->page[i] == SEED_NEVER ? BUDDY_TAG_NEVER : BUDDY_TAG_SEEDED);
			i++;
			continue;
		}
		unsigned o = seed_block_order(b, z->page, i);
		buddy_link(b, (u32)i, o, b->ops->list_of(b, (u32)i));
		i += 1ULL << o;
	}
	return 0;
}

int seed_apply(struct zones *zs, const struct seed *s)
{
	if (s->nr_zones != zs->nr_zones)
		return -EINVAL;
	for (unsigned i = 0; i < zs->nr_zones; i++) {
		const struct buddy *b = &zs->zone[i].buddy;
		if (s->zone[i].type != zs->zone[i].type || s->zone[i].start_pfn != b->base_pfn ||
		    s->zone[i].nr_pages != b->nr_pages)
			return -EINVAL;
	}
	for (unsigned i = 0; i < zs->nr_zones; i++) {
		int err = seed_apply_zone(&zs->zone[i].buddy, &s->zone[i]);
		if (err)
			return err;
	}
	return 0;
}

int seed_claim(struct buddy *b, u64 pfn, unsigned order, int mt)
{
	if (pfn < b->base_pfn || pfn + (1ULL << order) > b->base_pfn + b->nr_pages)
		return -ENOENT;
	u32 i0 = (u32)(pfn - b->base_pfn), n = 1u << order;
	for (u32 i = i0; i < i0 + n; i++)
		if (!buddy_frame_is_alloc(b, i) || buddy_frame_order(b, i) != 0 ||
		    buddy_frame_list(b, i) != BUDDY_TAG_SEEDED)
			return -ENOENT;
	for (u32 i = i0 + 1; i < i0 + n; i++)
		b->frames[i] = 0;
	buddy_frame_set_alloc(b, i0, order, mt >= 0 && mt < MT_NR ? (unsigned)mt : 0);
	return 0;
}

/* The kernel's split_page: the allocated block holding [pfn, pfn + 2^order) whole and larger
 * than it (a high-order allocation split into pages, a THP split) becomes order-0 allocated
 * pages of its tag, so that a free of one part returns that part. Never pages stay whole. */
static void seed_split_enclosing(struct buddy *b, u64 pfn, unsigned order)
{
	for (unsigned o = order; o <= b->max_order; o++) {
		u64 head = pfn & ~((1ULL << o) - 1);
		if (head < b->base_pfn)
			return;
		u32 h = (u32)(head - b->base_pfn);
		if (!buddy_frame_is_alloc(b, h) && !buddy_frame_is_free(b, h))
			continue; /* inside a block whose head is further down */
		unsigned ho = buddy_frame_order(b, h);
		if (buddy_frame_is_free(b, h) || ho < o || (ho == order && head == pfn))
			return; /* free, not enclosing, or exactly the range */
		unsigned tag = buddy_frame_list(b, h);
		if (tag == BUDDY_TAG_NEVER)
			return;
		for (u32 i = h; i < h + (1u << ho); i++)
			buddy_frame_set_alloc(b, i, 0, tag);
		return;
	}
}

void seed_release_range(struct buddy *b, u64 pfn, unsigned order, u64 *freed, u64 *already_free, u64 *other)
{
	if (pfn >= b->base_pfn && pfn + (1ULL << order) <= b->base_pfn + b->nr_pages)
		seed_split_enclosing(b, pfn, order);
	u64 nf = 0, af = 0, ot = 0, end = pfn + (1ULL << order);
	u64 zend = b->base_pfn + b->nr_pages;
	for (u64 p = pfn; p < end;) {
		if (p < b->base_pfn || p >= zend) {
			ot++;
			p++;
			continue;
		}
		u32 i = (u32)(p - b->base_pfn);
		unsigned o = buddy_frame_order(b, i);
		if (buddy_frame_is_free(b, i)) {
			af += 1ULL << o;
			p += 1ULL << o;
		} else if (buddy_frame_is_alloc(b, i) && p + (1ULL << o) <= end &&
			   buddy_frame_list(b, i) != BUDDY_TAG_NEVER) {
			buddy_free(b, p, o);
			nf += 1ULL << o;
			p += 1ULL << o;
		} else {
			ot++; /* never allocatable, a block sticking out, or inside a larger block */
			p++;
		}
	}
	if (freed)
		*freed += nf;
	if (already_free)
		*already_free += af;
	if (other)
		*other += ot;
}

u64 seed_take_range(struct buddy *b, u64 pfn, unsigned order, int mt)
{
	u64 c0 = b->st.conflicts;
	int err = buddy_alloc_at(b, pfn, order, mt);
	if (!err)
		return 0;
	if (err == -EBUSY)
		b->st.conflicts = c0; /* the page-wise pass below says what was missing */
	u64 missing = 0;
	for (u64 p = pfn; p < pfn + (1ULL << order); p++) {
		if (p < b->base_pfn || p >= b->base_pfn + b->nr_pages || buddy_alloc_at(b, p, 0, mt)) {
			missing++;
			b->st.conflicts = c0;
		}
	}
	return missing;
}

void seed_mark_used(struct buddy *b, u64 pfn, unsigned order)
{
	u64 end = MM_MIN(pfn + (1ULL << order), b->base_pfn + b->nr_pages);
	for (u64 p = MM_MAX(pfn, b->base_pfn); p < end;) {
		u32 i = (u32)(p - b->base_pfn);
		unsigned o = buddy_frame_order(b, i);
		if (!buddy_frame_is_alloc(b, i) || p + (1ULL << o) > end ||
		    buddy_frame_list(b, i) == BUDDY_TAG_NEVER) {
			p += buddy_frame_is_free(b, i) ? 1ULL << o : 1;
			continue;
		}
		for (u32 k = i; k < i + (1u << o); k++)
			buddy_frame_set_alloc(b, k, 0, BUDDY_TAG_SEEDED);
		p += 1ULL << o;
	}
}
