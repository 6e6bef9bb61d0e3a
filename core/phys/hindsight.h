/* Where a free of a per-CPU list order went, known from the block's next event. A free to a
 * list is traced (mm_page_free) but its arrival on the list is not, and some such frees go to
 * the buddy instead: from an interrupt or softirq (RCU-deferred page-table frees) while the
 * CPU's list is locked by the task it interrupted, whose trylock fails (free_one_page). The
 * block's next event tells: the kernel's zone_locked (or a fallback traced by
 * mm_page_alloc_extfrag) takes it, or a block it merged into, from the buddy, with no allocation
 * from and no drain of a list in between. Built by one pass over the whole trace before the replay
 * (hindsight_scan, batch by batch in trace order); buddy mode asks hindsight_to_buddy at each such free. */
#ifndef HINDSIGHT_H
#define HINDSIGHT_H

#include "core/lib/hmap.h"
#include "core/mm_event.h"
#include "core/phys/silent.h"

struct hindsight {
	struct hmap pending;  /* pfn -> ts_ns of its last list-order free, its next event unseen */
	struct hmap to_buddy; /* hindsight_key(pfn, ts) -> ts of frees whose next event is a take */
	u64 frees;	      /* list-order frees seen */
	struct silent silent; /* blocks out of the buddy untraced (silent.h), from the same pass */
};

int hindsight_init(struct hindsight *h);
void hindsight_fini(struct hindsight *h);
/* The next events of the trace, in order. 0 or -ENOMEM. */
int hindsight_scan(struct hindsight *h, const struct mm_event *ev, size_t n);
/* After the last event: the frees still pending had no later event (kept on their lists); the
 * silent evidence is indexed (silent_done). */
void hindsight_done(struct hindsight *h);
/* Did this list-order free (MME_PAGE_FREE) go to the buddy? */
bool hindsight_to_buddy(const struct hindsight *h, const struct mm_event *ev);

/* A lazily built hindsight of one trace, shared by the configurations replaying it (built on
 * the first get, by whoever holds the trace's events). */
struct hindsight_src {
	const struct hindsight *(*get)(void *ctx); /* NULL when it could not be built */
	void *ctx;
};

/* The hindsight of a trace held whole as one array, built on the first get (one thread). */
struct hindsight_of_array {
	struct hindsight_src src;
	const struct mm_event *ev;
	size_t n;
	struct hindsight h;
	int state; /* 0 not built, 1 built, -1 could not be */
};
void hindsight_of_array_init(struct hindsight_of_array *a, const struct mm_event *ev, size_t n);
void hindsight_of_array_fini(struct hindsight_of_array *a);

#endif
