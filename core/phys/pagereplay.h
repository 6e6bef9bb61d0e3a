/* Replays a trace's page events (mm_page_alloc / mm_page_free) on a page source (one buddy, or
 * a machine's zones).
 * placement: the model picks each block from the highest zone the event's gfp zone flags allow
 *            (MME_F_ZONE_DMA / _DMA32, else Normal), falling back Normal -> DMA32 -> DMA; the
 *            trace's pfn only pairs an allocation with its free (trace pfn -> model block).
 * faithful:  the model takes the traced pfn and order exactly, splitting the free block that
 *            holds it; a pfn that is not free is a conflict, counted by the buddy; a pfn in
 *            no zone of the layout is counted in no_zone.
 * buddy:     the buddy sees exactly the kernel's buddy-level events: mm_page_alloc_zone_locked
 *            takes the traced block, mm_page_pcpu_drain returns it, and mm_page_free of an order
 *            the per-CPU lists never hold returns it; mm_page_alloc and pcp-order frees only
 *            move pages between the per-CPU lists and their users and are not applied. Pages
 *            the kernel's events find in another state than the model's are counted (untraced_*).
 * A free the trace never allocated (the page predates the recording) is counted, never fatal;
 * on a seeded machine (core/phys/seed.h) it frees that page when the model has it as a page
 * allocated before the recording.
 * Placement mode may route pcp orders through per-CPU lists (core/phys/pcp.h). */
#ifndef PAGEREPLAY_H
#define PAGEREPLAY_H

#include "core/phys/buddy.h"
#include "core/phys/compact.h"
#include "core/phys/compact_held.h"
#include "core/phys/migpend.h"
#include "core/lib/hmap.h"
#include "core/mm_event.h"
#include "core/phys/pagesrc.h"
#include "core/phys/pfnmap.h"
#include "core/phys/silent_sweep.h"

enum pagereplay_mode { PAGEREPLAY_PLACEMENT = 0, PAGEREPLAY_FAITHFUL = 1, PAGEREPLAY_BUDDY = 2 };

struct pcp;
struct compact;

#define PAGEREPLAY_CAPTURE_SLOTS 8

struct pagereplay_stats {
	u64 allocs, frees;    /* page events applied to the model */
	u64 alloc_failures;   /* the model had no block (placement) */
	u64 traced_failures;  /* allocation events the kernel itself failed (no pfn) */
	u64 unmatched_frees;  /* frees of pfns not allocated during the trace */
	u64 out_of_range;     /* order above max_order, or faithful: pfn range not placeable */
	u64 no_zone;	      /* faithful: traced pfn in no zone of the layout */
	u64 bad_flags;	      /* MME_F_ZONE_DMA and MME_F_ZONE_DMA32 together: not applied */
	u64 conflicts;	      /* faithful: traced pfn not free in the model */
	u64 order_mismatches; /* free order differs from the allocation's; the allocation's is used */
	u64 implicit_frees;   /* a live traced pfn allocated again: its free was never traced */
	u64 split_blocks;     /* live blocks a free of a part split (split_page, a THP split) */
	u64 doubt_released;   /* buddy mode: pages of unconfirmed guesses given back at a leave */
	u64 piece_frees;      /* frees of a block the model held as pieces (moved seeded pages) */
	u64 base_fallbacks;   /* placement: allocations no block could serve, served as order-0 pages */
	/* --- a recorded machine: seeded machines, buddy mode, exhaustion per zone --- */
	u64 zone_failures[ZONE_NR_TYPES]; /* alloc_failures by the request's preferred zone type */
	u64 seeded_frees;		  /* unmatched frees applied to pages allocated before the trace */
	u64 trace_refill, trace_locked;	  /* the trace's zone_locked events, percpu_refill=1 and =0 */
	u64 trace_drain;		  /* the trace's pcpu_drain events */
	u64 buddy_takes, buddy_returns;	  /* buddy mode: blocks taken, blocks returned */
	u64 extfrag_takes;		  /* buddy: of the takes, fallbacks traced by extfrag only */
	u64 alloc_takes;		  /* buddy: allocations and frees to a per-CPU list whose block
					     the model had free, taken */
	u64 untraced_alloc_pages;	  /* buddy: their pages, but for compaction's capture */
	u64 untraced_join_pages;	  /* buddy: pages a zone_locked found allocated in the model (they
					     had joined the buddy without a traced event) */
	u64 untraced_leave_pages;	  /* buddy: pages a return found already free (they had left the
					     buddy without a traced event) */
	u64 untraced_other_pages;	  /* buddy: pages of a return in no zone, never allocatable, or in a
					     block that sticks out of the returned range */
	/* --- compaction --- */
	u64 compact_retries;	     /* placement: failed allocations retried after compaction */
	u64 compact_rescued;	     /* of which the retry found a block */
	u64 compact_requests;	     /* placement: the trace's compaction requests the model ran */
	u64 compact_isolated_pages;  /* buddy, faithful, the placement window: free pages the
					 traced free scanner took */
	u64 compact_missing_pages;   /* of its nr_taken, pages the model had no free page for */
	u64 fast_confirmed_pages;    /* buddy: the fast free search's guessed blocks (compact_held.h): */
	u64 fast_contradicted_pages; /* confirmed, contradicted, and never named by the pieces */
	u64 fast_unnamed_pages;	     /* their runs gave back */
	u64 fast_silent_pages;	     /* buddy: fast free search isolations whose block the trace's
					later frees named (silent.h), taken there, not guessed */
	u64 captured_pages;	     /* buddy: allocations whose block was free in the model: a block
					compaction freed went to the allocating task (capture) */
	u64 locked_frees;	     /* buddy: per-CPU-list-order frees while their CPU's list was
					locked by a refill (interrupt context): to the buddy */
	u64 hindsight_frees;	     /* buddy: list-order frees whose block's next event is a take from
					the buddy (hindsight.h): to the buddy */
	u64 migrated_kept;	     /* placement: frees by a compacting task during its run of blocks
					the model has: the kernel's migration sources, kept (migpend.h) */
	u64 migrated_released;	     /* of those, released at a later free of a pfn the model never
					allocated (a migration target) */
	/* --- pageblock types (placement, mobility, seeded) --- */
	u64 pageblocks_retyped; /* pageblocks the trace showed of another type than the seed's */
	/* --- zone choice (placement, several zones): the zone of the model's block against
	 * the zone of the traced pfn, the kernel's choice (a diagnostic; never followed) --- */
	u64 zone_placed[BUDDY_MAX_ORDER_LIMIT + 1];  /* placed allocations whose traced pfn is in a zone */
	u64 zone_differs[BUDDY_MAX_ORDER_LIMIT + 1]; /* of those, the model's block in another zone */
	u64 zone_higher; /* of those, the model's zone above the kernel's (Normal, the kernel DMA32) */
};

struct pagereplay {
	struct pagesrc src; /* borrowed allocator(s) */
	enum pagereplay_mode mode;
	struct hmap live; /* traced pfn -> record of the live traced block (pagereplay_live_pfn) */
	struct pagereplay_stats st;
	/* --- a recorded machine --- */
	struct zones *zs; /* the machine's zones when src is pagesrc_zones (buddy mode, seeds) */
	struct pcp *pcp;  /* placement: per-CPU lists in front of the zones, or NULL */
	/* called for every allocation the model cannot serve, with the zone type preferred */
	void (*on_fail)(void *ctx, const struct mm_event *ev, unsigned zone_type);
	void *on_fail_ctx;
	/* placement: compaction (NULL: none); owner maps model pfn -> traced pfn of the live
	 * blocks of movable allocations, so a migrated block's record follows it */
	struct compact *cmp;
	struct pfnmap owner;   /* dense over the zones (pfnmap.h), from compaction's first question */
	bool owner_built;      /* owner holds every movable live block (from compaction's first question) */
	u64 kcompactd_mark;    /* the watermarks' kcompactd wakes already acted on */
	u64 kswapd_sleep_mark; /* and kswapd sleeps (compaction's skip hints reset) */
	/* placement: the trace's compaction requests by task (try_to_compact_pages), each answered
	 * in the zone every run of the task then compacts (mm_compaction_begin names it) */
	u64 req_pid1[PAGEREPLAY_CAPTURE_SLOTS]; /* pid + 1, 0 free */
	struct compact_req req[PAGEREPLAY_CAPTURE_SLOTS];
	unsigned req_next;
	u64 request_pid[PAGEREPLAY_CAPTURE_SLOTS]; /* placement: pid + 1 << 8 | order of tasks whose
						      traced compaction request ran; their next
						      allocation of that order compacts no more */
	unsigned request_next;
	bool capture; /* buddy mode: a task's allocation after its successful compaction takes its
			 block when the model has it free (compaction's capture) */
	u64 capture_pid[PAGEREPLAY_CAPTURE_SLOTS]; /* pid + 1 of such tasks, 0 free */
	unsigned capture_next;
	/* buddy mode and placement's read window: CPUs (bit cpu, below 64) whose per-CPU list is
	 * locked by an allocation that is refilling it: set by a refill's zone_locked, cleared by
	 * the CPU's next mm_page_alloc (the allocation is done and the lock released before it) or
	 * an event of another task on the CPU (the refilling task ran on: a bulk allocation, which
	 * traces no mm_page_alloc, left the list unlocked) */
	u64 refilling;
	u32 refill_pid[64]; /* the refilling task of each CPU of `refilling` */
	/* placement with per-CPU lists: page events before this trace time happened while the
	 * page state was read (pagereplay_window_event), 0 when none did */
	u64 window_end_ns;
	/* buddy mode: the fast free search's isolations of the runs in flight (compact_held.h) */
	struct compact_held held;
	/* buddy mode: where list-order frees went, from each block's next event (NULL: to lists) */
	const struct hindsight *hindsight;
	bool fast_named; /* fast free isolations at the block hindsight's silent.h names, if any */
	bool bypass;	 /* placement, lists as the trace: the free being applied goes to the buddy */
	/* buddy mode: this replay's own questions to hindsight's silent.h, in trace order (made at
	 * the first; its s NULL before, or without memory) */
	struct silent_sweep sweep;
	/* placement: the trace's compaction runs in flight (task + 1, 0 free), and the blocks
	 * their migrations freed at the source, held until their targets' frees */
	u64 run_pid[COMPACT_HELD_RUNS];
	unsigned run_next;
	struct migpend migrated;
	/* buddy mode: pages of the fast free search's guesses no piece confirmed by their run's end
	 * (compact_held.h), oldest first: the kernel's block was likely elsewhere */
	struct migpend doubt;
};

/* A live block's record in `live`: model pfn << 8 | (migratetype + 1, 0 unknown) << 4 | order. */
static inline u64 pagereplay_live_pfn(u64 rec)
{
	return rec >> 8;
}

int pagereplay_init(struct pagereplay *r, struct buddy *b, enum pagereplay_mode mode);
/* The same on any page source (a machine's zones: pagesrc_zones). */
int pagereplay_init_src(struct pagereplay *r, const struct pagesrc *src, enum pagereplay_mode mode);
void pagereplay_fini(struct pagereplay *r);
/* Give the replay the machine's zones (needed by buddy mode and seeded machines) and, for
 * placement mode, per-CPU lists (NULL: none). */
void pagereplay_attach(struct pagereplay *r, struct zones *zs, struct pcp *pcp);
/* Placement mode: compact (core/phys/compact.h) when an allocation of order > 0 finds no
 * block, and when the watermarks wake kcompactd; the replay answers which blocks are movable
 * and moves their records. 0 or -ENOMEM. Call before the first event. */
int pagereplay_attach_compact(struct pagereplay *r, struct compact *cmp);
/* The hooks a compaction model of this replay uses (ctx = r). */
struct compact_hooks;
void pagereplay_compact_hooks(struct pagereplay *r, struct compact_hooks *h);
/* Buddy and faithful modes: a traced compaction event; the free scanner's isolations take the
 * model's free pages in their range (core/phys/compact.h, compact_take). Placement mode: a
 * traced try_to_compact_pages is a request the model's compaction answers by its own state. */
void pagereplay_compaction(struct pagereplay *r, const struct mm_event *ev);
/* Placement: the trace's kswapd ended a run woken for order (kswapd_try_to_sleep): compaction's
 * skip hints reset when flagged, kcompactd woken for that order. */
void pagereplay_kswapd_slept(struct pagereplay *r, unsigned order);
/* Placement: the trace's deferral event (MME_COMPACT_DEFER) shows a zone's deferral state;
 * early: before the replay starts (compact_defer_seen). */
void pagereplay_defer_seen(struct pagereplay *r, const struct mm_event *ev, bool early);
/* Apply one page event (MME_PAGE_ALLOC, MME_PAGE_FREE, and the buddy-level kinds); others
 * are ignored. Returns 0, or
 * -ENOMEM when the host is out of memory (model-side failures are counted, not returned). */
int pagereplay_event(struct pagereplay *r, const struct mm_event *ev);
/* Placement with per-CPU lists, an event while the page state was read (on a page read before
 * it; pagereplay_window.c): the kernel's own buddy-level moves, as buddy mode replays them. */
int pagereplay_window_event(struct pagereplay *r, const struct mm_event *ev);
/* The same for a traced free scanner's isolation then (its range cut to the pages read before
 * it): taken from the model's buddy as buddy mode takes it, its pages used pages of the seed. */
void pagereplay_window_isolation(struct pagereplay *r, const struct mm_event *ev);

#endif
