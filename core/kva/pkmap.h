/* The highmem persistent kmap pool (mm/highmem.c; Gorman, "Understanding the Linux Virtual
 * Memory Manager", ch. 9): LAST_PKMAP page-sized slots of kernel address space, a use count per
 * slot, kmap reusing a page's existing slot, and a circular allocation scan whose wrap-around
 * calls flush_all_zero_pkmaps(): every slot left at count 1 is freed under one kernel-range TLB
 * flush for the whole pool. Pages below highmem_start_pfn are low memory: kmap needs no slot.
 *
 * Waits: when every slot is busy the kernel's kmap sleeps until a kunmap frees one. An event
 * stream cannot block, so such a kmap fails with -EAGAIN, counted in `waits`, after doing the
 * kernel's full scan (one wrap and an empty flush_all_zero_pkmaps call); the page stays unmapped,
 * and its matching kunmap is counted in `kunmap_waited` rather than as a bad kunmap. */
#ifndef PKMAP_H
#define PKMAP_H

#include "core/lib/hmap.h"
#include "core/mm_types.h"

#define PKMAP_DEFAULT_SLOTS 1024 /* LAST_PKMAP on i386 without PAE */
#define PKMAP_MAX_SLOTS (1u << 20)
#define PKMAP_DEFAULT_HIGHMEM_PFN 0x38000ULL /* 896 MiB: where i386's highmem begins */
#define PKMAP_NO_SLOT UINT32_MAX	     /* kmap of a low-memory page */

struct pkmap_cfg {
	u32 nr_slots;	       /* LAST_PKMAP, 1..PKMAP_MAX_SLOTS; the kernel's is a power of two */
	u64 highmem_start_pfn; /* pages at or above it are highmem */
};

struct pkmap_stats {
	u64 kmaps;	   /* every kmap call */
	u64 kmap_lowmem;   /* of which on low-memory pages (no slot) */
	u64 kmap_hits;	   /* of which found the page's existing slot (count >= 1) */
	u64 new_maps;	   /* of which took a free slot (map_new_virtual) */
	u64 waits;	   /* of which found every slot busy: the kernel would sleep */
	u64 kunmaps;	   /* every kunmap call */
	u64 kunmap_lowmem; /* of which on low-memory pages */
	u64 kunmap_waited; /* of which matched a kmap that failed as a wait */
	u64 bad_kunmaps;   /* of which on a page not kmapped (the kernel's BUG()) */
	u64 wraps;	   /* scans that wrapped to slot 0: flush_all_zero_pkmaps() calls */
	u64 tlb_flushes;   /* of those, the ones that freed a slot and flushed the pool's range */
	u64 slots_flushed; /* slots moved from count 1 to 0 by those flushes */
	u64 scan_steps;	   /* slots the allocation scan examined (the kernel's loop iterations) */
};

/* Invariants: count[s] == 0 <=> bit s of zero_bits; count[s] == 1 <=> bit s of one_bits;
 * count[s] >= 1 <=> page[s] is mapped at s and map holds page[s] -> s; nr_zero and nr_one
 * are the bitmaps' populations. */
struct pkmap {
	u32 nr_slots;
	u64 highmem_start_pfn;
	u32 last;	/* last_pkmap_nr: the slot the scan last stopped at; starts at 0 */
	u32 *count;	/* pkmap_count[]: 0 free, 1 unmapped but still in the TLB, n > 1: n-1 users */
	u64 *page;	/* pfn mapped at each slot whose count >= 1 */
	u64 *zero_bits; /* slots with count 0 */
	u64 *one_bits;	/* slots with count 1 */
	u32 nr_zero, nr_one;
	struct hmap map;    /* pfn -> slot, for pages that have an address (page_address()) */
	struct hmap waited; /* pfn -> kmaps that failed as waits and await their kunmap */
	struct pkmap_stats st;
};

void pkmap_cfg_default(struct pkmap_cfg *cfg);
/* 0, -EINVAL (slot count out of range), -ENOMEM. */
int pkmap_init(struct pkmap *pk, const struct pkmap_cfg *cfg);
void pkmap_fini(struct pkmap *pk);

/* kmap(page): 0 with *slot (PKMAP_NO_SLOT for low memory), -EAGAIN (counted wait), -ENOMEM
 * (host), -EOVERFLOW (the slot's count would wrap; not applied). */
int pkmap_kmap(struct pkmap *pk, u64 pfn, u32 *slot);
/* kunmap(page): 0, or -EINVAL for a page that is not kmapped (counted, nothing changed). */
int pkmap_kunmap(struct pkmap *pk, u64 pfn);

/* Slot of a page that has a pool address (count >= 1), or PKMAP_NO_SLOT. */
u32 pkmap_slot_of(const struct pkmap *pk, u64 pfn);
/* Full invariant check for tests: 0 or -EUCLEAN with the reason in msg. */
int pkmap_check(const struct pkmap *pk, char *msg, size_t len);

#endif
