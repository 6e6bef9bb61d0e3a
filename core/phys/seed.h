/* A machine's physical memory as it was: which pages were free in the buddy, which were
 * allocated, and which are never allocatable, plus each pageblock's migratetype. Readers of
 * /proc/kpageflags and /proc/pagetypeinfo (workloads/state/) build it; seed_apply() puts it in
 * a machine's zones, replacing the all-free boot state. Range helpers used by the buddy-level
 * replay live here too: they work on any mix of allocated blocks inside a range. */
#ifndef SEED_H
#define SEED_H

#include "core/phys/buddy.h"
#include "core/phys/seedtime.h"
#include "core/phys/zones.h"

enum seed_page { SEED_USED = 0, SEED_FREE = 1, SEED_NEVER = 2 };

struct seed_zone {
	enum zone_type type;
	u64 start_pfn, nr_pages; /* must equal the zone's span in the layout */
	u8 *page;		 /* nr_pages entries of enum seed_page */
	u8 *pb_mt;		 /* one migratetype per pageblock (buddy_nr_pageblocks), or NULL */
	u8 *compound;		 /* nr_pages entries: the order of the compound page a used page
				    heads, 0 for any other page (NULL: not known) */
};

struct seed {
	unsigned nr_zones;
	struct seed_zone zone[ZONE_NR_TYPES]; /* in the layout's order */
	struct seedtime times;		      /* chunk read stamps (n == 0: none); seed_fini frees */
};

/* Allocate the per-page and per-pageblock arrays of a seed with the layout's zones; pages
 * start SEED_USED, pageblocks MT_MOVABLE. 0 or -ENOMEM. */
int seed_init(struct seed *s, const struct zones_cfg *layout);
void seed_fini(struct seed *s);

/* Replace each zone's state by the seed's: free pages become the maximal aligned free blocks
 * (on their pageblock type's list), used pages order-0 blocks tagged BUDDY_TAG_SEEDED, never
 * pages BUDDY_TAG_NEVER; mobility takes the pageblock types. -EINVAL if the seed's zones are
 * not the layout's. */
int seed_apply(struct zones *zs, const struct seed *s);

/* Turn the range [pfn, pfn + 2^order) of seeded order-0 pages into one allocated block of
 * `order` tagged mt, so it can be freed like a block the model allocated. 0, or -ENOENT when
 * some page of the range is not a seeded page. */
int seed_claim(struct buddy *b, u64 pfn, unsigned order, int mt);

/* Return every allocated block inside [pfn, pfn + 2^order) to the buddy (never pages stay).
 * *freed and *already_free (may be NULL) count pages; *other counts pages of blocks that
 * stick out of the range or are never allocatable. */
void seed_release_range(struct buddy *b, u64 pfn, unsigned order, u64 *freed, u64 *already_free, u64 *other);
/* Take [pfn, pfn + 2^order) from the buddy as one block when it is one free block's part
 * (buddy_alloc_at); otherwise take each free page of it as an order-0 block. Returns the pages
 * that were not free (0 when the whole range was). */
u64 seed_take_range(struct buddy *b, u64 pfn, unsigned order, int mt);
/* Every allocated block inside [pfn, pfn + 2^order) becomes used pages of the seed: order-0
 * blocks tagged BUDDY_TAG_SEEDED, as if the page state had been read after its allocation. */
void seed_mark_used(struct buddy *b, u64 pfn, unsigned order);

#endif
