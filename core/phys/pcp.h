/* Per-CPU page lists (mm/page_alloc.c, Linux 6.7+ as in 6.18): per zone and CPU, one list per
 * migratetype for each order up to PAGE_ALLOC_COSTLY_ORDER (3), and two for the pageblock order
 * (THP: movable and not), in the kernel's pindex order. An allocation of a pcp order takes the
 * head of its list; an empty list is first refilled from the zone's buddy with nr_pcp_alloc()
 * blocks (rmqueue_bulk: each a zone_locked event with percpu_refill=1), appended at the tail. A
 * free puts the block at the head; when the CPU's count (pages on all its lists) reaches
 * nr_pcp_high(), nr_pcp_free() pages go back to the buddy from the tails of the lists, the
 * freed-to list first, then round-robin (free_pcppages_bulk: each a pcpu_drain). Other orders go
 * straight to and from the buddy. Pages on the lists are allocated as far as the buddy and
 * buddyinfo are concerned.
 *
 * high is tuned as the kernel tunes it, between high_min and high_max: every refill raises it
 * by the refill's batch, a CPU that keeps freeing while at high raises it to hold free_count +
 * batch, and once a second (vmstat's decay_pcp_high, pcp_tick) it decays by an eighth towards
 * high_min, draining what lies above it. Order-0 refills double (batch << alloc_factor, up to
 * 32 x batch) while a CPU allocates without freeing; drains grow with the pages freed in a row
 * (free_count). With high_min == high_max (older kernels' zoneinfo, --pcp-high) nothing is
 * tuned. Under pressure (core/phys/wmark.h, tune pressure): while the zone is ZONE_BELOW_HIGH a
 * refill no longer raises high and every free lowers it by max(free_count, batch) towards
 * high_min and, once the lists hold high_min, drains (nr_pcp_high returns max(count,
 * high_min)); while kswapd reclaims (ZONE_RECLAIM_ACTIVE) high drops the same way even when it
 * is fixed, and a list holds at most 4 x batch. Not modelled by these tunes: drains on other
 * CPUs' request (drain_all_pages), frees that find the list locked (they go to the buddy
 * untraced); tune trace takes both from the trace.
 *
 * Pages on the kernel's lists when the recording started are in no list here (their identity is
 * not in the page state); they are counted per CPU (start, from zoneinfo's count, brought to the
 * replay's start by the trace's list traffic while the page state was read: pcp_start_move) and
 * counted down as the trace reveals them (pcp_reveal: the kernel handed one to a user before any refill,
 * or drained one). A drain the model decides takes such pages last (pcp_drain says why); they
 * leave the count but reach the buddy only when the trace's drain names them. */
#ifndef PCP_H
#define PCP_H

#include "core/phys/wmark.h"
#include "core/phys/zones.h"

#define PCP_MAX_CPUS 64
#define PCP_NR_ORDERS 5 /* orders 0, 1, 2, 3 and BUDDY_PAGEBLOCK_ORDER */
#define PCP_NR_LISTS (4 * MT_NR + 2)
#define PCP_BATCH_SCALE_MAX 5 /* CONFIG_PCP_BATCH_SCALE_MAX */
#define PCP_DECAY_NS 1000000000ULL

struct pcp_cpu_cfg {
	u32 high, batch;	/* as /proc/zoneinfo's pagesets print them */
	u32 high_min, high_max; /* 6.7+; both 0: high is fixed */
	u32 count;		/* pages on the lists when the zoneinfo was read */
};

/* How high is tuned: as 6.7+ does, the zone flags included (pressure); without the zone flags
 * (idle); or fixed at the recorded high (fixed, as before 6.7). Or not at all (trace): the lists
 * move blocks when and as many as the kernel's did, the trace's refills (pcp_trace_refill) and
 * drains (pcp_trace_drain), and the model picks the blocks; an allocation finding its list
 * empty takes a block from the buddy (trace_list_misses). auto is pressure until the trace shows
 * list traffic (pcp_trace_seen), trace from then on. */
enum pcp_tune { PCP_TUNE_PRESSURE = 0, PCP_TUNE_IDLE, PCP_TUNE_FIXED, PCP_TUNE_TRACE, PCP_TUNE_AUTO };

struct pcp_cfg {
	unsigned ncpus; /* 1..PCP_MAX_CPUS; 0 = 1 */
	struct {
		struct pcp_cpu_cfg cpu[PCP_MAX_CPUS];
	} zone[ZONE_NR_TYPES];	 /* by position in the layout; all 0: batch 63, high 4 x batch */
	u32 high_set, batch_set; /* when non-zero, every CPU of every zone takes these (high fixed) */
	enum pcp_tune tune;
	struct wmark_cfg wm; /* the zones' watermarks (none: the zone flags never set) */
};

struct pcp_list {
	u64 *pfn;	    /* ring of block pfns, head first */
	u32 head, len, cap; /* cap a power of two (or 0) */
};

struct pcp_set {
	u64 count;   /* pages on all lists of this CPU and zone, start pages included */
	u64 start;   /* of those, pages from before the recording, not yet revealed */
	u64 pending; /* start pages a model drain took, not yet revealed by the trace */
	int high, batch, high_min, high_max;
	int free_count;	       /* pages freed since the last allocations halved it */
	unsigned alloc_factor; /* order-0 refills are batch << alloc_factor */
	bool prev_free_high;   /* PCPF_PREV_FREE_HIGH_ORDER */
	struct pcp_list list[PCP_NR_LISTS];
};

struct pcp_stats {
	u64 refill_blocks;	    /* blocks moved buddy -> list (the trace's zone_locked percpu_refill=1) */
	u64 direct_allocs;	    /* blocks of other orders from the buddy (zone_locked percpu_refill=0) */
	u64 drain_blocks;	    /* blocks moved list -> buddy (the trace's pcpu_drain) */
	u64 direct_frees;	    /* blocks of other orders freed to the buddy */
	u64 list_allocs;	    /* allocations served by a list */
	u64 list_frees;		    /* frees put on a list */
	u64 refills;		    /* refill calls */
	u64 drains;		    /* free_pcppages_bulk calls */
	u64 decays;		    /* decay_pcp_high rounds (every CPU and zone) */
	u64 alloc_failures;	    /* requests no zone of the zonelist could serve */
	u64 start_revealed;	    /* start pages the trace revealed (allocated or drained by the kernel) */
	u64 start_revealed_drained; /* of those, by the trace's drain (its other drains: the lists') */
	u64 start_drained;	    /* start pages a model drain took (their identity unknown) */
	u64 pressure_drains;	    /* drains under ZONE_BELOW_HIGH or ZONE_RECLAIM_ACTIVE (tune pressure) */
	u64 trace_list_misses;	    /* tune trace: allocations of a list order whose list was empty */
	u64 trace_refill_misses;    /* tune trace: the trace's refills the zone's buddy had no block for */
	u64 trace_drain_misses;	    /* tune trace: the trace's drains no list had a block of the order for */
};

struct pcp {
	struct zones *zs; /* borrowed */
	unsigned ncpus;
	struct pcp_set *set; /* [zone position * ncpus + cpu] */
	u64 next_decay;	     /* trace time of the next decay round; 0 before the first tick */
	enum pcp_tune tune;
	struct wmark wm; /* the zones' watermarks and flags */
	struct pcp_stats st;
	int first; /* tune trace: the zone type the next pcp_alloc's walk starts at (the kernel's,
		      below the request's limit), -1: the limit */
};

/* The list index of a pcp order and migratetype (order_to_pindex), or -1 for orders the lists
 * never hold. */
static inline int pcp_pindex(unsigned order, int mt)
{
	if (order <= 3)
		return (int)order * MT_NR + mt;
	return order == BUDDY_PAGEBLOCK_ORDER ? 4 * MT_NR + (mt == MT_MOVABLE) : -1;
}
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
/* The trace's clock: a decay round for every second boundary passed (at most 16 at once). */
void pcp_tick(struct pcp *p, u64 now_ns);
/* A start page of zone position z and CPU cpu the trace revealed: handed to a user (alloc) or
 * drained (the caller frees it to the buddy). */
void pcp_reveal(struct pcp *p, unsigned z, unsigned cpu, unsigned order, bool drained);
/* While the page state was read (before the replay's start): the trace moved `pages` pages onto
 * (> 0: a refill, a free to a list) or off (< 0: an allocation from a list, a drain) CPU cpu's
 * lists in zone position z. Those pages are start pages: the count zoneinfo gave, read just
 * before the page state, becomes the count at the replay's start. */
void pcp_start_move(struct pcp *p, unsigned z, unsigned cpu, i64 pages);
/* Pages held on every list of zone position z (start pages included). */
u64 pcp_zone_pages(const struct pcp *p, unsigned z);
/* A block freed straight to its zone's buddy (a list-order free the kernel's list did not take). */
void pcp_free_direct(struct pcp *p, u64 pfn, unsigned order);
/* Tune trace: an allocation in zone position z only, as the kernel's (its pfn's zone): the CPU's
 * list of a list order, else the zone's buddy, with no watermark gate (the trace says the kernel
 * served it there). 0 with *pfn, -ENOMEM. */
/* The trace moved a list's block (a refill or a drain): tune auto becomes trace. */
static inline void pcp_trace_seen(struct pcp *p)
{
	if (p->tune == PCP_TUNE_AUTO)
		p->tune = PCP_TUNE_TRACE;
}
int pcp_alloc_in(struct pcp *p, unsigned z, unsigned cpu, unsigned order, int mt, u64 *pfn);
/* Tune trace: the trace refilled CPU cpu's list of (order, mt) in zone position z with one block:
 * the model takes one from the zone's buddy to that list's tail. 0, or -ENOMEM (host memory). */
int pcp_trace_refill(struct pcp *p, unsigned z, unsigned cpu, unsigned order, int mt);
/* Tune trace: the trace drained one block of `order` (its pageblock's type mt) in zone position z
 * on CPU cpu (drain_all_pages drains other CPUs' lists there): the tail of that CPU's list of
 * (order, mt) goes to the buddy, else of another list of the order, else another CPU's. */
void pcp_trace_drain(struct pcp *p, unsigned z, unsigned cpu, unsigned order, int mt);

#endif
