/* Blocks that left the buddy without a trace, known from their next event. Compaction's fast
 * free search (fast_isolate_freepages) isolates a free block and the trace names only its
 * range and size; the block's pages then come back as mm_page_free with no take before them:
 * the unused ones given back at the run's end (release_free_list), the migration targets when
 * their new users free them. A page's free whose previous event (on any of the freed block's
 * pages) was no take (zone_locked, extfrag, alloc) but a free, a drain, or none is such
 * evidence: the page was out of the buddy from some time after that previous event until the
 * free. Built by one pass over the trace (silent_scan, in trace order, beside hindsight.h);
 * buddy mode asks silent_out whether a free block it is about to guess was out at that time.
 * silent_done then indexes each group's evidence by time, for a sweep (silent_sweep.h) that
 * answers the same question for queries in time order. */
#ifndef SILENT_H
#define SILENT_H

#include "core/lib/hmap.h"
#include "core/mm_event.h"

struct silent_out {
	u64 pfn, from, to; /* [pfn, pfn + 2^order) out of the buddy untraced within (from, to) */
	u32 order;
	u32 pid;  /* the freeing task */
	u32 next; /* the pageblock's next older evidence + 1; 0 at the end */
};

/* One group's evidence ordered by time (silent_done). While a page's events come in time order,
 * its evidence intervals are disjoint: a free (an interval's end) sets its pages' last event to
 * its own time, and a page's next evidence starts at its last event or later. A group where a
 * page's event came before its last one (a trace out of time order) is `backward`. */
struct silent_group {
	u32 start, n; /* its evidence at by_from[start, start + n) and by_to[start, start + n) */
	bool backward;
};

struct silent {
	struct hmap last;      /* pfn >> SILENT_GROUP_ORDER -> its group's u64[1 << SILENT_GROUP_ORDER]:
				  each page's last event, ts_ns << 1 | took (a take or not); 0 none */
	struct hmap head;      /* pfn >> SILENT_GROUP_ORDER -> its newest evidence's index + 1 */
	struct hmap backward;  /* pfn >> SILENT_GROUP_ORDER -> 1: a page's event before its last one */
	struct silent_out *ev; /* the evidence, in trace order */
	u32 n, cap;
	/* --- the index, from silent_done to the next scan (indexed) --- */
	bool indexed;
	struct hmap group; /* pfn >> SILENT_GROUP_ORDER -> its index in groups (a group with evidence) */
	struct silent_group *groups;
	u32 *by_from, *by_to; /* evidence indexes (in ev), each group's by from, by to (stable) */
	u32 *rank;	      /* evidence index -> its place in its group's by_from */
};

#define SILENT_GROUP_ORDER 10 /* evidence is found by 1024-page groups (a block never spans two) */

int silent_init(struct silent *s);
void silent_fini(struct silent *s);
/* The next events of the trace, in order. 0 or -ENOMEM. */
int silent_scan(struct silent *s, const struct mm_event *ev, size_t n);
/* After the last scan: index each group's evidence by time (silent_group). 0, or -ENOMEM
 * with no index (silent_out still answers). A later scan drops the index. */
int silent_done(struct silent *s);
/* Was a page of [pfn, pfn + 2^order) out of the buddy untraced at ts (its previous event
 * before ts, its next a free after it, with no take between)? */
bool silent_out(const struct silent *s, u64 pfn, unsigned order, u64 ts);

#endif
