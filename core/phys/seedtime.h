/* When each page of a machine's page state was read. /proc/kpageflags is read in pfn order over
 * a window (0.2 s idle, seconds under load), so a seed is not one instant: a page event between
 * the window's start and its page's read is already in the seed, one after it is not. The
 * recorder stamps chunks of pfns (kpageflags.TAG.chunks.txt); without chunks the window is
 * interpolated linearly over pfns [0, end_pfn). */
#ifndef SEEDTIME_H
#define SEEDTIME_H

#include "core/mm_types.h"

struct seedtime_chunk {
	u64 pfn_start, pfn_end; /* [pfn_start, pfn_end), read between t0_ns and t1_ns */
	u64 t0_ns, t1_ns;
};

struct seedtime {
	u64 start_ns, end_ns;	  /* the read window; 0, 0: one instant (no per-page times) */
	u64 end_pfn;		  /* interpolation's last pfn + 1 (the highest zone's end) */
	size_t n;		  /* chunks, sorted by pfn_start, not overlapping; 0: interpolate */
	struct seedtime_chunk *c; /* owned */
};

/* When pfn was read: inside its chunk, linear between the chunk's stamps; a pfn in no chunk
 * (or without chunks) linear over the window. Clamped to [start_ns, end_ns]. */
u64 seedtime_at(const struct seedtime *t, u64 pfn);
/* Whether a page event at ts_ns on pfn is already in the seed (read after it happened). */
static inline bool seedtime_in_seed(const struct seedtime *t, u64 ts_ns, u64 pfn)
{
	return ts_ns < t->start_ns || (ts_ns < t->end_ns && ts_ns < seedtime_at(t, pfn));
}
/* The end of the run of pages from lo that an event at ts_ns finds outside the seed (read at or
 * before it): the largest e in [lo, hi] such that no pfn of [lo, e) is in the seed. The page map
 * is read in pfn order, so with the recorder's chunks the pages an event can still change are
 * exactly [lo, e); an event of a range (compaction's scanners) changes only those. */
u64 seedtime_read_before(const struct seedtime *t, u64 ts_ns, u64 lo, u64 hi);
/* dst := src with its own copy of the chunks. 0 or -ENOMEM. */
int seedtime_copy(struct seedtime *dst, const struct seedtime *src);
void seedtime_fini(struct seedtime *t);

#endif
