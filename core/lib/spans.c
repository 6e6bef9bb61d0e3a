#include "core/lib/spans.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A chunk this small after a removal merges with a neighbour when both fit in MERGE_MAX. */
#define SPANS_MERGE_BELOW (SPANS_CHUNK_MAX / 4)
#define SPANS_MERGE_MAX (SPANS_CHUNK_MAX * 3 / 4)

void spans_init(struct spans *s)
{
	memset(s, 0, sizeof(*s));
}

void spans_fini(struct spans *s)
{
	for (u32 k = 0; k < s->nr; k++)
		free(s->c[k].start);
	free(s->c);
	memset(s, 0, sizeof(*s));
}

static void spans_bounds(struct spans_chunk *ch)
{
	ch->lo = ch->start[0];
	ch->hi = ch->end[ch->n - 1];
}

static void spans_regap(struct spans_chunk *ch)
{
	u64 g = 0;
	for (u32 i = 1; i < ch->n; i++)
		g = MM_MAX(g, ch->start[i] - ch->end[i - 1]);
	ch->maxgap = g;
}

/* Open an empty chunk at index k (its arrays allocated, n = 0): 0 or -ENOMEM. */
static int spans_open(struct spans *s, u32 k)
{
	if (s->nr == s->cap) {
		u32 cap = s->cap ? s->cap * 2 : 16;
		struct spans_chunk *c = realloc(s->c, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		s->c = c;
		s->cap = cap;
	}
	u64 *mem = malloc(2 * SPANS_CHUNK_MAX * sizeof(u64));
	if (!mem)
		return -ENOMEM;
	memmove(&s->c[k + 1], &s->c[k], (s->nr - k) * sizeof(*s->c));
	s->c[k] = (struct spans_chunk){.start = mem, .end = mem + SPANS_CHUNK_MAX};
	s->nr++;
	return 0;
}

static void spans_close(struct spans *s, u32 k)
{
	free(s->c[k].start);
	memmove(&s->c[k], &s->c[k + 1], (s->nr - k - 1) * sizeof(*s->c));
	s->nr--;
}

/* The first span that ends above x: the chunk by its last end, then the span in it. Both
 * searches are branch-free (the step is a conditional move), as the outcome is unpredictable. */
struct spans_pos spans_above(const struct spans *s, u64 x)
{
	if (!s->nr || s->c[s->nr - 1].hi <= x)
		return (struct spans_pos){s->nr, 0};
	const struct spans_chunk *c = s->c; /* invariant: the answer is in c[0..len) */
	u32 len = s->nr;
	while (len > 1) {
		u32 half = len / 2;
		c += c[half - 1].hi <= x ? half : 0;
		len -= half;
	}
	const u64 *e = c->end; /* c->hi > x: the answer is in e[0..len) */
	len = c->n;
	while (len > 1) {
		u32 half = len / 2;
		e += e[half - 1] <= x ? half : 0;
		len -= half;
	}
	return (struct spans_pos){(u32)(c - s->c), (u32)(e - c->end)};
}

u64 spans_rank(const struct spans *s, struct spans_pos p)
{
	u64 r = p.i;
	for (u32 k = 0; k < p.c; k++)
		r += s->c[k].n;
	return r;
}

/* Put [start, end) at index i of the non-full chunk ch. */
static void spans_chunk_put(struct spans_chunk *ch, u32 i, u64 start, u64 end)
{
	u64 old = i > 0 && i < ch->n ? ch->start[i] - ch->end[i - 1] : 0;
	memmove(&ch->start[i + 1], &ch->start[i], (ch->n - i) * sizeof(u64));
	memmove(&ch->end[i + 1], &ch->end[i], (ch->n - i) * sizeof(u64));
	ch->start[i] = start;
	ch->end[i] = end;
	ch->n++;
	spans_bounds(ch);
	if (i > 0 && i < ch->n - 1) {
		if (old == ch->maxgap) /* the largest gap was split */
			spans_regap(ch);
	} else if (ch->n > 1) { /* a new gap at an edge */
		u64 g = i == 0 ? ch->start[1] - ch->end[0] : ch->start[i] - ch->end[i - 1];
		ch->maxgap = MM_MAX(ch->maxgap, g);
	}
}

int spans_insert(struct spans *s, u64 start, u64 end)
{
	if (start >= end)
		return -EINVAL;
	struct spans_pos p = spans_above(s, start);
	if (p.c < s->nr && s->c[p.c].start[p.i] < end)
		return -EINVAL; /* overlaps */
	return spans_insert_at(s, &p, start, end);
}

int spans_insert_at(struct spans *s, struct spans_pos *at, u64 start, u64 end)
{
	struct spans_pos p = *at;
	if (!s->nr) {
		if (spans_open(s, 0))
			return -ENOMEM;
		p = (struct spans_pos){0, 0};
	} else if (p.c == s->nr || (p.i == 0 && p.c > 0 && s->c[p.c - 1].n < SPANS_CHUNK_MAX)) {
		p.c--; /* append to the chunk below */
		p.i = s->c[p.c].n;
	}
	struct spans_chunk *ch = &s->c[p.c];
	if (ch->n == SPANS_CHUNK_MAX) {
		if (spans_open(s, p.c + 1))
			return -ENOMEM;
		ch = &s->c[p.c]; /* the array may have moved */
		struct spans_chunk *hi = &s->c[p.c + 1];
		u32 h = ch->n / 2;
		hi->n = ch->n - h;
		memcpy(hi->start, &ch->start[h], hi->n * sizeof(u64));
		memcpy(hi->end, &ch->end[h], hi->n * sizeof(u64));
		ch->n = h;
		spans_bounds(ch);
		spans_bounds(hi);
		spans_regap(ch);
		spans_regap(hi);
		if (p.i > h) {
			ch = hi;
			p.c++;
			p.i -= h;
		}
	}
	spans_chunk_put(ch, p.i, start, end);
	s->count++;
	*at = p;
	return 0;
}

/* Append chunk k + 1 to chunk k and close it; the gap between them becomes an inner gap. */
static void spans_merge(struct spans *s, u32 k)
{
	struct spans_chunk *a = &s->c[k], *b = &s->c[k + 1];
	u64 g = b->start[0] - a->end[a->n - 1];
	memcpy(&a->start[a->n], b->start, b->n * sizeof(u64));
	memcpy(&a->end[a->n], b->end, b->n * sizeof(u64));
	a->n += b->n;
	a->hi = b->hi;
	a->maxgap = MM_MAX(MM_MAX(a->maxgap, b->maxgap), g);
	spans_close(s, k + 1);
}

int spans_remove(struct spans *s, u64 start, u64 *end, u64 *rank)
{
	struct spans_pos p = spans_above(s, start);
	if (p.c == s->nr || s->c[p.c].start[p.i] != start)
		return -ENOENT;
	struct spans_chunk *ch = &s->c[p.c];
	u32 i = p.i;
	if (end)
		*end = ch->end[i];
	if (rank)
		*rank = spans_rank(s, p);
	bool inner = i > 0 && i < ch->n - 1;
	u64 joined = inner ? ch->start[i + 1] - ch->end[i - 1] : 0;
	memmove(&ch->start[i], &ch->start[i + 1], (ch->n - i - 1) * sizeof(u64));
	memmove(&ch->end[i], &ch->end[i + 1], (ch->n - i - 1) * sizeof(u64));
	ch->n--;
	s->count--;
	if (!ch->n) {
		spans_close(s, p.c);
		return 0;
	}
	spans_bounds(ch);
	if (inner) /* two gaps joined: the rest are unchanged */
		ch->maxgap = MM_MAX(ch->maxgap, joined);
	else /* an edge gap went away */
		spans_regap(ch);
	if (ch->n < SPANS_MERGE_BELOW) {
		if (p.c + 1 < s->nr && ch->n + s->c[p.c + 1].n <= SPANS_MERGE_MAX)
			spans_merge(s, p.c);
		else if (p.c > 0 && s->c[p.c - 1].n + ch->n <= SPANS_MERGE_MAX)
			spans_merge(s, p.c - 1);
	}
	return 0;
}

int spans_check(const struct spans *s)
{
	u64 count = 0;
	bool first = true;
	u64 prev_end = 0;
	if (s->nr > s->cap || (s->nr && !s->c))
		return -EUCLEAN;
	for (u32 k = 0; k < s->nr; k++) {
		const struct spans_chunk *ch = &s->c[k];
		if (!ch->n || ch->n > SPANS_CHUNK_MAX || ch->end != ch->start + SPANS_CHUNK_MAX)
			return -EUCLEAN;
		u64 g = 0;
		for (u32 i = 0; i < ch->n; i++) {
			if (ch->start[i] >= ch->end[i] || (!first && ch->start[i] < prev_end))
				return -EUCLEAN;
			if (i > 0)
				g = MM_MAX(g, ch->start[i] - ch->end[i - 1]);
			prev_end = ch->end[i];
			first = false;
		}
		if (g != ch->maxgap || ch->lo != ch->start[0] || ch->hi != ch->end[ch->n - 1])
			return -EUCLEAN;
		count += ch->n;
	}
	return count == s->count ? 0 : -EUCLEAN;
}
