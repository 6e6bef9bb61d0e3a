/* Per-CPU page lists (mm/page_alloc.c, Linux 6.x): per zone and CPU, one list per pcp order
 * (0-3, PAGE_ALLOC_COSTLY_ORDER, and the pageblock order) and migratetype. An allocation of a
 * pcp order takes the head of its list; an empty list is first refilled with a batch of blocks
 * from the zone's buddy (rmqueue_bulk: each block is a zone_locked event with percpu_refill=1),
 * appended at the tail. A free puts the block at the head; when the CPU's count (pages on all
 * its lists) reaches `high`, blocks are returned to the buddy from the tails of the lists,
 * round-robin from the list after the one freed to (free_pcppages_bulk: each a pcpu_drain).
 * Other orders go straight to and from the buddy. Pages on the lists are allocated as far as
 * the buddy and buddyinfo are concerned.
 * Simplified: high and batch stay as recorded (the kernel tunes high at run time), a refill is
 * max(batch >> order, 2) blocks for order > 0 and batch for order 0, a drain frees at least
 * batch pages and enough to get below high - batch, and the lists start empty. */
#ifndef PCP_H
#define PCP_H

#include "zones.h"

#define PCP_MAX_CPUS 64
#define PCP_NR_ORDERS 5 /* orders 0, 1, 2, 3 and BUDDY_PAGEBLOCK_ORDER */
#define PCP_NR_LISTS (PCP_NR_ORDERS * MT_NR)

struct pcp_cfg {
	unsigned ncpus; /* 1..PCP_MAX_CPUS; 0 = 1 */
	struct {
		struct {
			u32 high, batch; /* as /proc/zoneinfo's pagesets print them */
		} cpu[PCP_MAX_CPUS];
	} zone[ZONE_NR_TYPES];	 /* by position in the layout */
	u32 high_set, batch_set; /* when non-zero, every CPU of every zone takes these instead */
};

struct pcp_list {
	u64 *pfn;	    /* ring of block pfns, head first */
	u32 head, len, cap; /* cap a power of two (or 0) */
};

struct pcp_set {
	u64 count; /* pages on all lists of this CPU and zone */
	u32 high, batch;
	struct pcp_list list[PCP_NR_LISTS];
};

struct pcp_stats {
	u64 refill_blocks;  /* blocks moved buddy -> list (the trace's zone_locked percpu_refill=1) */
	u64 direct_allocs;  /* blocks of other orders from the buddy (zone_locked percpu_refill=0) */
	u64 drain_blocks;   /* blocks moved list -> buddy (the trace's pcpu_drain) */
	u64 direct_frees;   /* blocks of other orders freed to the buddy */
	u64 list_allocs;    /* allocations served by a list */
	u64 list_frees;	    /* frees put on a list */
	u64 refills;	    /* refill calls */
	u64 drains;	    /* free_pcppages_bulk calls */
	u64 alloc_failures; /* requests no zone of the zonelist could serve */
};

struct pcp {
	struct zones *zs; /* borrowed */
	unsigned ncpus;
	struct pcp_set *set; /* [zone position * ncpus + cpu] */
	struct pcp_stats st;
};

/* The list index of a pcp order, or -1 for orders the lists never hold. */
static inline int pcp_order_index(unsigned order)
{
	return order <= 3 ? (int)order : order == BUDDY_PAGEBLOCK_ORDER ? 4 : -1;
}

int pcp_init(struct pcp *p, struct zones *zs, const struct pcp_cfg *cfg);
void pcp_fini(struct pcp *p);
/* 2^order pages for CPU cpu (taken modulo ncpus) from the first zone <= limit that has them,
 * as zones_alloc walks the zonelist. 0 with *pfn (and *zone_idx, may be NULL), -ENOMEM, -EINVAL. */
int pcp_alloc(struct pcp *p, enum zone_type limit, unsigned cpu, unsigned order, int mt, u64 *pfn,
	      unsigned *zone_idx);
/* Free a block the model allocated (through pcp_alloc or the zones). 0 or -EINVAL. */
int pcp_free(struct pcp *p, unsigned cpu, u64 pfn, unsigned order, int mt);
/* Pages held on every list of zone position z. */
u64 pcp_zone_pages(const struct pcp *p, unsigned z);

#endif
