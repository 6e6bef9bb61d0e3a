/* A sorted set of disjoint [start, end) spans kept in chunks of contiguous arrays (a two-level
 * B+tree): the host representation behind the list and rbtree vmlists. Scans read sequential
 * memory, and each chunk keeps its largest inner gap so a first-fit walk can pass a whole chunk
 * at once, counting its spans, when no span in it can take the block. */
#ifndef SPANS_H
#define SPANS_H

#include "core/mm_types.h"

#define SPANS_CHUNK_MAX 64 /* spans per chunk; a full chunk splits in two halves */

struct spans_chunk {
	u64 lo, hi;	  /* start[0] and end[n - 1], so scans and searches pass chunks unopened */
	u64 *start, *end; /* n spans sorted by start: start[i] < end[i] <= start[i + 1] */
	u64 maxgap;	  /* max of start[i] - end[i - 1] over 0 < i < n; 0 when n < 2 */
	u32 n;		  /* 1..SPANS_CHUNK_MAX: empty chunks are removed */
};

struct spans {
	struct spans_chunk *c; /* nr chunks in address order: c[k] ends at or below c[k + 1] */
	u32 nr, cap;
	u64 count; /* spans in all chunks */
};

/* A span's place: chunk c, index i in it; {nr, 0} is the end of the set. */
struct spans_pos {
	u32 c, i;
};

void spans_init(struct spans *s);
void spans_fini(struct spans *s);
/* The first span that ends above x (the lowest one a block at x could collide with). */
struct spans_pos spans_above(const struct spans *s, u64 x);
/* How many spans precede p. */
u64 spans_rank(const struct spans *s, struct spans_pos p);
/* Add [start, end) (start < end), which must overlap no span: 0, -EINVAL or -ENOMEM. */
int spans_insert(struct spans *s, u64 start, u64 end);
/* spans_insert where the caller knows *at == spans_above(s, start) and that [start, end) is a
 * valid span that overlaps nothing (a first-fit walk that stopped at *at): 0 with *at where the
 * span went, or -ENOMEM. */
int spans_insert_at(struct spans *s, struct spans_pos *at, u64 start, u64 end);
/* Is the span at p (a position remembered from before later changes) still the one starting at
 * start? Starts are unique, so a match means p is that span's place now. */
static inline bool spans_still_at(const struct spans *s, struct spans_pos p, u64 start)
{
	return p.c < s->nr && p.i < s->c[p.c].n && s->c[p.c].start[p.i] == start;
}
/* Remove the span starting at start: 0 with *end and *rank (how many spans preceded it; either
 * may be NULL), or -ENOENT. */
int spans_remove(struct spans *s, u64 start, u64 *end, u64 *rank);
/* Full invariant check (tests): 0 or -EUCLEAN. */
int spans_check(const struct spans *s);

#endif
