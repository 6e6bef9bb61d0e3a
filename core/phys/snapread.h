/* When a /proc/buddyinfo read saw each zone. The read walks the zones in order (DMA, DMA32,
 * Normal) and prints each under that zone's zone->lock (walk_zones_in_node, spin_lock_irqsave):
 * a zone's figures are its state when the read got its lock. A CPU holding the lock for a batch
 * makes the read wait for the batch's end; the next zone is read after.
 *
 * A lock hold as the trace shows it: consecutive events of one CPU of one kind in one zone, each
 * at most reach_ns after the previous (the holder runs with interrupts off, so any other event
 * of its CPU ends the hold; a drain then a refill are two holds, and a waiting read gets the
 * lock between them):
 * - a refill: rmqueue_bulk's zone_locked takes (fallbacks, mm_page_alloc_extfrag, among them),
 *   one hold;
 * - a drain that a free of its CPU started (free_frozen_page_commit: the CPU's previous event is
 *   that mm_page_free): one free_pcppages_bulk, one hold however long;
 * - any other drain (the vmstat worker lowering high, drain_all_pages): the kernel frees it a
 *   batch at a time and gives the lock up between, so each pcp batch of pages (the zone's
 *   recorded pageset batch; 0: one hold) is a hold: a waiting read gets in at the next boundary.
 * The read reaches a zone at its arrival; a hold is under way then when its CPU's last event
 * (at most reach_ns before) is in a hold of the zone not ended and its next event continues
 * it. The zone is then seen after the hold's last event, else at the arrival.
 *
 * snapread follows the trace event by event and tells its caller (the replay's snapshot hook)
 * when to take each zone's state: it never looks ahead. */
#ifndef SNAPREAD_H
#define SNAPREAD_H

#include "core/mm_event.h"

enum snapread_act {
	SNAPREAD_NONE,		/* nothing to do */
	SNAPREAD_CAPTURE,	/* keep the zone's state now (before the event): it may be the one seen */
	SNAPREAD_SEEN_NOW,	/* the zone is seen now (before the event) */
	SNAPREAD_SEEN_CAPTURED, /* the zone was seen as last kept */
};

enum { SNAPREAD_RUN_OTHER, SNAPREAD_RUN_FREE, SNAPREAD_RUN_DRAIN, SNAPREAD_RUN_REFILL };

/* A CPU's last event and the hold it is in. */
struct snapread_cpu {
	u64 ts_ns;
	i64 left;  /* pages the hold may still take: <= 0, it ended with this event */
	u8 kind;   /* SNAPREAD_RUN_* */
	u8 zone;   /* the zone type of a drain or refill */
	bool seen; /* an event was noted */
	bool cand; /* its hold may be holding the zone being read */
};

struct snapread {
	struct snapread_cpu *cpu;
	size_t ncpu;
	u64 reach_ns; /* the read's own duration: a hold's largest gap too */
	/* the zone being read */
	bool pending;	  /* it waits for its CPUs' next events */
	int zone;	  /* its type */
	unsigned ncand;	  /* CPUs whose hold may be holding it */
	u64 cand_last_ns; /* their latest event */
	int hold_cpu;	  /* the CPU whose hold it waited for; -1 not known yet */
	u64 hold_last_ns; /* the hold's last event so far */
	bool ended;	  /* that event ended the hold (a batch's last) */
	bool stale;	  /* the kept state predates the hold's last event */
};

/* reach_ns: the time a buddyinfo read takes (0: a zone is seen at its arrival). */
void snapread_init(struct snapread *r, u64 reach_ns);
void snapread_fini(struct snapread *r);
/* The read arrives at a zone of type zone at arrive_ns, every event up to then applied: true
 * when it is seen now; false when a hold may be under way (then the caller keeps the state now,
 * as for SNAPREAD_CAPTURE). */
bool snapread_reach(struct snapread *r, int zone, u64 arrive_ns);
/* Before ev (zone: the type of its page's zone, -1 none) is applied, while a zone is pending:
 * what to do. A SEEN answer ends the pending zone. */
enum snapread_act snapread_before(struct snapread *r, const struct mm_event *ev, int zone);
/* After the decisions for ev: note it as its CPU's last event; batch: the pages of a hold of a
 * drain not started by a free (the zone's pageset batch on ev's CPU; 0: unbounded). Every event
 * of the trace is noted, in order. 0 or -ENOMEM. */
int snapread_note(struct snapread *r, const struct mm_event *ev, int zone, u32 batch);
/* No more events: how the pending zone is seen. */
enum snapread_act snapread_end(struct snapread *r);

#endif
