/* The buddy page allocator of one zone (mm/page_alloc.c): free lists per order, a block's buddy
 * at pfn ^ (1 << order), split on allocation ("expand"), merge on free. Placement policies
 * (lifo, addr, mobility) are variants behind struct buddy_policy_ops (buddy_policy.c). */
#ifndef BUDDY_H
#define BUDDY_H

#include "core/mm_types.h"

#define BUDDY_MAX_ORDER_LIMIT 15 /* orders are stored in 4 bits */
#define BUDDY_DEFAULT_MAX_ORDER 10
#define BUDDY_MAX_FRAMES ((1u << 26) - 1) /* frame links are 26 bits: 256 GiB of 4 KiB pages */
#define BUDDY_NIL ((u32)BUDDY_MAX_FRAMES)

/* Migratetypes as printed by mm_page_alloc's migratetype= field. */
enum buddy_mt { MT_UNMOVABLE = 0, MT_MOVABLE = 1, MT_RECLAIMABLE = 2, MT_NR = 3 };
#define BUDDY_PAGEBLOCK_ORDER 9

struct buddy;

struct buddy_policy_ops {
	const char *name; /* "lifo", "addr", "mobility" */
	const char *desc;
	size_t priv_size;	      /* zeroed and owned by the buddy; a policy never mallocs its context */
	int (*init)(struct buddy *b); /* after the frames exist, before the zone is freed */
	void (*fini)(struct buddy *b);
	/* Unlink a free block of order >= order for a request of migratetype mt.
	 * Returns 0 with *idx (frame index) and *blk_order, or -ENOMEM. */
	int (*take)(struct buddy *b, unsigned order, int mt, u32 *idx, unsigned *blk_order);
	/* Free list a newly freed (merged) block goes on: its pageblock's type, or 0. */
	unsigned (*list_of)(const struct buddy *b, u32 idx);
	/* Optional index upkeep, called for every block linked/unlinked on a free list. */
	void (*on_link)(struct buddy *b, u32 idx, unsigned order);
	void (*on_unlink)(struct buddy *b, u32 idx, unsigned order);
};

const struct buddy_policy_ops *buddy_policy_find(const char *name);
/* NULL-terminated registry, for --help and "all". */
extern const struct buddy_policy_ops *const buddy_policies[];

struct buddy_cfg {
	u64 base_pfn;
	u64 nr_pages;	    /* any size up to BUDDY_MAX_FRAMES; blocks never cross the end */
	unsigned max_order; /* largest block order, default BUDDY_DEFAULT_MAX_ORDER */
	const struct buddy_policy_ops *policy; /* default lifo */
};

struct buddy_stats {
	u64 allocs[BUDDY_MAX_ORDER_LIMIT + 1];	 /* successful allocations per requested order */
	u64 frees[BUDDY_MAX_ORDER_LIMIT + 1];	 /* frees per freed order */
	u64 failures[BUDDY_MAX_ORDER_LIMIT + 1]; /* -ENOMEM per requested order */
	u64 splits;				 /* halvings in expand() */
	u64 merges;				 /* buddy pairs coalesced on free */
	u64 conflicts;				 /* faithful placement: the traced pfn was not free */
	u64 steals;				 /* mobility: allocations served from another migratetype */
	u64 claims;				 /* mobility: pageblocks whose type changed */
	u64 claim_tries; /* mobility: steals that may claim the pageblock (try_to_claim_block) */
	u64 bad_frees;	 /* buddy_free of a pfn that is not an allocated block head */
	u64 list_visits; /* free-list entries examined by the policy's search */
	u64 pb_revealed; /* mobility, seeded: pageblocks whose type the trace revealed */
	u64 pb_retyped;	 /* of those, pageblocks whose seeded type was another */
};

/* Frame metadata, one u64 per frame (8 bytes), fields below. A free block is described by its
 * head frame only: state FREE, its order, which list it is on, and list links. An allocated
 * block's head holds state ALLOC, its order and the requested migratetype. */
struct buddy {
	u64 base_pfn;
	u64 nr_pages;
	unsigned max_order;
	u64 *frames;
	u32 head[BUDDY_MAX_ORDER_LIMIT + 1][MT_NR]; /* LIFO list heads; BUDDY_NIL when empty */
	u32 tail[BUDDY_MAX_ORDER_LIMIT + 1][MT_NR]; /* the lists' last blocks; BUDDY_NIL when empty */
	u64 nr_free[BUDDY_MAX_ORDER_LIMIT + 1];	    /* free blocks per order, all lists: a recount */
	u64 free_pages;				    /* == sum(nr_free[o] << o) */
	u8 *pageblock_mt;			    /* mobility only: type per 2^9 pageblock */
	/* mobility, seeded machines: 1 while a pageblock's type is the seed's inference (the page
	 * state has no types, pagetypeinfo only counts them); 0 once the trace revealed the kernel's
	 * (buddy_pageblock_reveal) or the model claimed the pageblock itself. NULL: every type known. */
	u8 *pageblock_guess;
	/* seeded machines: the order of the compound page (a THP, a large folio, a slab) that each
	 * page in use at the start heads, from kpageflags' COMPOUND_HEAD and TAIL flags; 0 for any
	 * other page. Such pages are order-0 seeded pages in the model; compaction's free scanner
	 * skips a compound page from its head (compact_take). NULL: none known. */
	u8 *seed_compound;
	bool nofragment; /* mobility: ALLOC_NOFRAGMENT, fallbacks only from blocks >= a pageblock */
	bool bulk;	 /* a per-CPU list refill (rmqueue_bulk) is taking blocks */
	bool bulk_steal; /* mobility: that refill stole a block (RMQUEUE_STEAL): the next steal too */
	const struct buddy_policy_ops *ops;
	void *priv;
	struct buddy_stats st;
};

int buddy_init(struct buddy *b, const struct buddy_cfg *cfg);
void buddy_fini(struct buddy *b);

/* Allocate 2^order pages; mt is the request's migratetype (ignored by lifo/addr).
 * 0 with *pfn, -ENOMEM (counted as a failure), -EINVAL for order > max_order. */
int buddy_alloc(struct buddy *b, unsigned order, int mt, u64 *pfn);
/* Faithful placement: allocate exactly [pfn, pfn + 2^order), splitting the free block that
 * holds it. -EBUSY (counted as a conflict) if those frames are not free, -ERANGE outside. */
int buddy_alloc_at(struct buddy *b, u64 pfn, unsigned order, int mt);
/* Free an allocated block; its order must be the one it was allocated with.
 * -EINVAL (counted in bad_frees) if pfn is not the head of an allocated block of that order. */
int buddy_free(struct buddy *b, u64 pfn, unsigned order);

/* Order of the allocated block whose head is pfn, or -1. */
int buddy_alloc_order(const struct buddy *b, u64 pfn);
unsigned buddy_largest_free_order(const struct buddy *b); /* -1u when nothing is free */
u64 buddy_mixed_pageblocks(const struct buddy *b);	  /* mobility: pageblocks holding foreign types */
/* Mobility, seeded: the kernel's event shows the pageblock holding pfn is of type mt now (a
 * zone_locked served from mt's free list, a pcpu_drain's or a fallback's pageblock type). A
 * pageblock whose type is still the seed's guess takes it, its free blocks moving to mt's lists
 * (as the kernel's lists hold them); a type the model decided (a claim) or one revealed before
 * stays. True when the type changed. */
bool buddy_pageblock_reveal(struct buddy *b, u64 pfn, int mt);

/* Full invariant check for tests: pages conserved, blocks disjoint and aligned, no two free
 * buddies of one order left unmerged, list links consistent, counts equal a recount.
 * 0 or -EUCLEAN; msg (may be NULL) says what broke. */
int buddy_check(const struct buddy *b, char *msg, size_t msglen);

/* Pageblock number of frame idx, counted from the zone's first (absolutely aligned) pageblock. */
static inline u64 buddy_pageblock(const struct buddy *b, u64 idx)
{
	return ((b->base_pfn + idx) >> BUDDY_PAGEBLOCK_ORDER) - (b->base_pfn >> BUDDY_PAGEBLOCK_ORDER);
}
static inline u64 buddy_nr_pageblocks(const struct buddy *b)
{
	return b->nr_pages ? buddy_pageblock(b, b->nr_pages - 1) + 1 : 0;
}

/* Tags of allocated blocks beyond the migratetypes (seeding, buddy_seed.c): a block allocated
 * before the recording began (owner unknown, freed when the trace frees it), and pages that are
 * never allocatable (holes, reserved and unmanaged pages): buddy_free refuses them. */
#define BUDDY_TAG_SEEDED 6u
#define BUDDY_TAG_NEVER 7u

/* Frame-level helpers shared by the policies (buddy.c). buddy_link puts a block at the head
 * of its list, buddy_link_tail at the tail (allocated last). */
void buddy_link(struct buddy *b, u32 idx, unsigned order, unsigned list);
void buddy_link_tail(struct buddy *b, u32 idx, unsigned order, unsigned list);
void buddy_unlink(struct buddy *b, u32 idx);
unsigned buddy_frame_order(const struct buddy *b, u32 idx);
unsigned buddy_frame_list(const struct buddy *b, u32 idx);
bool buddy_frame_is_free(const struct buddy *b, u32 idx);
u32 buddy_frame_next(const struct buddy *b, u32 idx);
u32 buddy_frame_prev(const struct buddy *b, u32 idx);
/* Reorder the free list holding free block idx, keeping its cyclic order: to_head, idx becomes
 * its head and the blocks before it move to the tail (compaction's move_freelist_head); else the
 * blocks up to idx move to the tail, idx last (move_freelist_tail). Nothing when idx heads the
 * list (as list_is_first stops the kernel's). */
void buddy_list_rotate(struct buddy *b, u32 idx, bool to_head);
bool buddy_frame_is_alloc(const struct buddy *b, u32 idx);
/* Make frame idx the head of an allocated block of `order` tagged `tag` (a migratetype or a
 * BUDDY_TAG_*); the caller keeps the frames of the block otherwise empty. */
void buddy_frame_set_alloc(struct buddy *b, u32 idx, unsigned order, unsigned tag);

#endif
