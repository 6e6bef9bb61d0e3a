#include "core/phys/snapread.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SNAPREAD_NO_CPU 0xffff /* an event no CPU emitted (a generator's) */

void snapread_init(struct snapread *r, u64 reach_ns)
{
	memset(r, 0, sizeof(*r));
	r->reach_ns = reach_ns;
	r->hold_cpu = -1;
}

void snapread_fini(struct snapread *r)
{
	free(r->cpu);
	r->cpu = NULL;
	r->ncpu = 0;
}

static struct snapread_cpu *sr_cpu(struct snapread *r, const struct mm_event *ev)
{
	if (ev->cpu == SNAPREAD_NO_CPU || ev->cpu >= r->ncpu || !r->cpu[ev->cpu].seen)
		return NULL;
	return &r->cpu[ev->cpu];
}

/* The kind of hold ev is in, given its CPU's last event c (NULL: none): a fallback (extfrag) is
 * printed inside the take's hold, so it continues a refill. */
static unsigned sr_kind(const struct mm_event *ev, const struct snapread_cpu *c, int zone)
{
	if (ev->kind == MME_PAGE_FREE)
		return SNAPREAD_RUN_FREE;
	if (zone < 0)
		return SNAPREAD_RUN_OTHER;
	if (ev->kind == MME_PAGE_PCPU_DRAIN)
		return SNAPREAD_RUN_DRAIN;
	if (ev->kind == MME_PAGE_ZONE_LOCKED && (ev->flags & MME_F_PCP_REFILL))
		return SNAPREAD_RUN_REFILL;
	if (ev->kind == MME_PAGE_EXTFRAG && c && c->kind == SNAPREAD_RUN_REFILL && c->zone == zone &&
	    c->left > 0)
		return SNAPREAD_RUN_REFILL;
	return SNAPREAD_RUN_OTHER;
}

static bool sr_holding(const struct snapread_cpu *c)
{
	return c && (c->kind == SNAPREAD_RUN_DRAIN || c->kind == SNAPREAD_RUN_REFILL) && c->left > 0;
}

/* Does ev continue the hold its CPU's last event c is in? */
static bool sr_continues(const struct snapread *r, const struct snapread_cpu *c, const struct mm_event *ev,
			 int zone)
{
	return sr_holding(c) && c->zone == zone && sr_kind(ev, c, zone) == c->kind &&
	       ev->ts_ns - c->ts_ns <= r->reach_ns;
}

static i64 sr_pages(const struct mm_event *ev)
{
	return ev->kind == MME_PAGE_EXTFRAG ? 0 : (i64)1 << MM_MIN(ev->order, 62);
}

bool snapread_reach(struct snapread *r, int zone, u64 arrive_ns)
{
	r->zone = zone;
	r->ncand = 0;
	r->cand_last_ns = 0;
	r->hold_cpu = -1;
	r->ended = r->stale = false;
	for (size_t i = 0; i < r->ncpu; i++) {
		struct snapread_cpu *c = &r->cpu[i];
		c->cand = c->seen && sr_holding(c) && c->zone == zone && c->ts_ns + r->reach_ns >= arrive_ns;
		if (c->cand) {
			r->ncand++;
			r->cand_last_ns = MM_MAX(r->cand_last_ns, c->ts_ns);
		}
	}
	r->pending = r->ncand > 0;
	return !r->pending;
}

static enum snapread_act sr_seen(struct snapread *r)
{
	r->pending = false;
	return r->hold_cpu >= 0 && r->stale ? SNAPREAD_SEEN_NOW : SNAPREAD_SEEN_CAPTURED;
}

enum snapread_act snapread_before(struct snapread *r, const struct mm_event *ev, int zone)
{
	if (!r->pending)
		return SNAPREAD_NONE;
	struct snapread_cpu *c = sr_cpu(r, ev);
	if (r->hold_cpu < 0) { /* which candidate, if any, held the zone at the arrival */
		if (c && c->cand) {
			if (sr_continues(r, c, ev, zone)) {
				r->hold_cpu = ev->cpu;
				r->hold_last_ns = ev->ts_ns;
				r->ended = sr_pages(ev) >= c->left;
				r->stale = true;
				return SNAPREAD_NONE;
			}
			c->cand = false;
			r->ncand--;
		}
		if (!r->ncand || ev->ts_ns > r->cand_last_ns + r->reach_ns)
			return sr_seen(r); /* no hold went on: seen at the arrival */
		return SNAPREAD_NONE;
	}
	if (r->ended)
		return sr_seen(r); /* the batch ended with the last event: the read got the lock */
	if (c && ev->cpu == (unsigned)r->hold_cpu) {
		if (sr_continues(r, c, ev, zone)) {
			r->hold_last_ns = ev->ts_ns;
			r->ended = sr_pages(ev) >= c->left;
			r->stale = true;
			return SNAPREAD_NONE;
		}
		return sr_seen(r); /* the holder did something else: the lock was released */
	}
	if (ev->ts_ns > r->hold_last_ns + r->reach_ns)
		return sr_seen(r);
	if (r->stale) {
		r->stale = false;
		return SNAPREAD_CAPTURE;
	}
	return SNAPREAD_NONE;
}

int snapread_note(struct snapread *r, const struct mm_event *ev, int zone, u32 batch)
{
	if (ev->cpu == SNAPREAD_NO_CPU)
		return 0;
	if (ev->cpu >= r->ncpu) {
		size_t n = MM_MAX((size_t)ev->cpu + 1, r->ncpu * 2);
		struct snapread_cpu *nc = realloc(r->cpu, n * sizeof(*nc));
		if (!nc)
			return -ENOMEM;
		memset(nc + r->ncpu, 0, (n - r->ncpu) * sizeof(*nc));
		r->cpu = nc;
		r->ncpu = n;
	}
	struct snapread_cpu *c = &r->cpu[ev->cpu];
	const struct snapread_cpu *prev = c->seen ? c : NULL;
	unsigned kind = sr_kind(ev, prev, zone);
	struct snapread_cpu n = {
		.ts_ns = ev->ts_ns, .kind = (u8)kind, .zone = (u8)(zone < 0 ? 0 : zone), .seen = true};
	if (sr_continues(r, prev, ev, zone)) {
		n.left = prev->left - sr_pages(ev);
		n.cand = prev->cand;
	} else if (ev->kind == MME_PAGE_EXTFRAG) {
		n.kind = SNAPREAD_RUN_OTHER; /* a direct take's fallback, or one after its refill ended */
	} else if (kind == SNAPREAD_RUN_DRAIN && batch && !(prev && prev->kind == SNAPREAD_RUN_FREE)) {
		n.left = (i64)batch - sr_pages(ev); /* a worker's drain: batch by batch */
	} else if (kind == SNAPREAD_RUN_DRAIN || kind == SNAPREAD_RUN_REFILL) {
		n.left = INT64_MAX; /* one hold */
	}
	*c = n;
	return 0;
}

enum snapread_act snapread_end(struct snapread *r)
{
	if (!r->pending)
		return SNAPREAD_NONE;
	return sr_seen(r);
}
