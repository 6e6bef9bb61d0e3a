#include "core/phys/silent_sweep.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define GROUP_PAGES (1u << SILENT_GROUP_ORDER)

/* A group's sweep at the time t of its last query: `out` holds the pages of the evidence with
 * from < t < to. One bit per page is enough: a page's evidence intervals are disjoint in time
 * (silent_group; a group where they may not be is left to silent_out), so a page is out by at
 * most one evidence at a time and a removal clears no other evidence's page. */
struct silent_sweep_group {
	const struct silent_group *g;
	u32 add; /* by_from[0, add) passed (from < t): in out, those with to > t when passed */
	u32 rem; /* by_to[0, rem) passed (to <= t): none in out */
	u64 out[GROUP_PAGES / 64];
};

int silent_sweep_init(struct silent_sweep *w, const struct silent *s)
{
	w->s = NULL;
	w->ts = 0;
	if (hmap_init(&w->at, 64))
		return -ENOMEM;
	w->s = s;
	return 0;
}

void silent_sweep_fini(struct silent_sweep *w)
{
	if (!w->s)
		return;
	u64 pos = 0, v;
	while (hmap_next(&w->at, &pos, NULL, &v))
		free((struct silent_sweep_group *)(uintptr_t)v);
	hmap_fini(&w->at);
	w->s = NULL;
}

/* The group's page offsets [*lo, *hi) of [pfn, pfn + 2^order), pfn in the group. */
static void silent_sweep_clip(u64 pfn, unsigned order, u32 *lo, u32 *hi)
{
	*lo = (u32)(pfn & (GROUP_PAGES - 1));
	*hi = order >= SILENT_GROUP_ORDER ? GROUP_PAGES : (u32)MM_MIN(*lo + (1u << order), GROUP_PAGES);
}

/* The mask of bits [lo, hi) of word k (bits 64k, ...). */
static u64 silent_sweep_mask(u32 lo, u32 hi, u32 k)
{
	u32 a = MM_MAX(lo, 64 * k) - 64 * k, b = MM_MIN(hi, 64 * k + 64) - 64 * k;
	return (b == 64 ? ~0ULL : (1ULL << b) - 1) & ~((1ULL << a) - 1);
}

static void silent_sweep_set(u64 *out, const struct silent_out *o, bool on)
{
	u32 lo, hi;
	silent_sweep_clip(o->pfn, o->order, &lo, &hi);
	for (u32 k = lo / 64; k < (hi + 63) / 64; k++)
		out[k] = on ? out[k] | silent_sweep_mask(lo, hi, k) : out[k] & ~silent_sweep_mask(lo, hi, k);
}

/* Bring the group's sweep to t (at or after its last query). */
static void silent_sweep_advance(const struct silent *s, struct silent_sweep_group *q, u64 t)
{
	const u32 *by_from = s->by_from + q->g->start, *by_to = s->by_to + q->g->start;
	/* Removals first. An evidence passed now has to above the last query's time, so above
	 * the time it was passed by add at (an earlier query): added iff passed by add before. */
	for (; q->rem < q->g->n && s->ev[by_to[q->rem]].to <= t; q->rem++)
		if (s->rank[by_to[q->rem]] < q->add)
			silent_sweep_set(q->out, &s->ev[by_to[q->rem]], false);
	/* An evidence with to <= t was passed by rem above and is never added. */
	for (; q->add < q->g->n && s->ev[by_from[q->add]].from < t; q->add++)
		if (s->ev[by_from[q->add]].to > t)
			silent_sweep_set(q->out, &s->ev[by_from[q->add]], true);
}

/* The sweep of pfn's group, made at its first query: NULL for a group without evidence, or
 * without memory (*nomem). */
static struct silent_sweep_group *silent_sweep_group(struct silent_sweep *w, u64 pfn, bool *nomem)
{
	u64 key = pfn >> SILENT_GROUP_ORDER, v;
	*nomem = false;
	if (hmap_get(&w->at, key, &v))
		return (struct silent_sweep_group *)(uintptr_t)v;
	struct silent_sweep_group *q = NULL;
	if (hmap_get(&w->s->group, key, &v)) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return *nomem = true, NULL;
		q->g = &w->s->groups[v];
	}
	if (hmap_put(&w->at, key, (u64)(uintptr_t)q) < 0) {
		free(q);
		return *nomem = true, NULL;
	}
	return q;
}

bool silent_sweep_out(struct silent_sweep *w, u64 pfn, unsigned order, u64 ts)
{
	if (!w->s->indexed || ts < w->ts)
		return silent_out(w->s, pfn, order, ts);
	w->ts = ts;
	bool nomem;
	struct silent_sweep_group *q = silent_sweep_group(w, pfn, &nomem);
	if (nomem || (q && q->g->backward))
		return silent_out(w->s, pfn, order, ts);
	if (!q)
		return false;
	silent_sweep_advance(w->s, q, ts);
	u32 lo, hi;
	silent_sweep_clip(pfn, order, &lo, &hi);
	for (u32 k = lo / 64; k < (hi + 63) / 64; k++)
		if (q->out[k] & silent_sweep_mask(lo, hi, k))
			return true;
	return false;
}
