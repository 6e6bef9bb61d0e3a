#include "bench/run/snapcheck_hook.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Compare snapshot next with the zones as seen (seen: NULL, every zone now). */
static void snapcheck_hook_compare(struct snapcheck_hook *h, const struct snapcheck_seen *seen)
{
	struct snapcheck_row r[ZONE_NR_TYPES];
	unsigned n = sim_snapcheck(h->sim, h->ser, h->next++, seen, r);
	h->reading = false;
	if (h->nrows + n > h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		struct snapcheck_row *nr = realloc(h->rows, cap * sizeof(*nr));
		if (!nr) {
			h->err = -ENOMEM;
			return;
		}
		h->rows = nr;
		h->cap = cap;
	}
	memcpy(h->rows + h->nrows, r, n * sizeof(*r));
	h->nrows += n;
}

static void snapcheck_hook_see(struct snapcheck_hook *h, int type, struct snapcheck_seen *out)
{
	int z = h->sim->zones.index[type];
	snapcheck_see(&h->sim->zones.zone[z].buddy, out);
}

/* The read goes on through the zones from zi, each seen now unless a hold may be under way at
 * its arrival; the last one seen compares the snapshot. */
static void snapcheck_hook_read(struct snapcheck_hook *h)
{
	const struct snapshot *k = &h->ser->s[h->next];
	for (; h->zi < k->nr_zones; h->zi++) {
		enum zone_type t = k->zone[h->zi].type;
		if (t >= ZONE_NR_TYPES || h->sim->zones.index[t] < 0)
			continue; /* not in the model: snapcheck_compare counts it missing */
		if (!snapread_reach(&h->rd, (int)t, h->arrive_ns)) {
			snapcheck_hook_see(h, (int)t, &h->kept);
			return;
		}
		snapcheck_hook_see(h, (int)t, &h->seen[t]);
	}
	snapcheck_hook_compare(h, h->seen);
}

/* The pending zone zi is seen: now, or as kept. */
static void snapcheck_hook_seen(struct snapcheck_hook *h, enum snapread_act a)
{
	enum zone_type t = h->ser->s[h->next].zone[h->zi].type;
	if (a == SNAPREAD_SEEN_NOW)
		snapcheck_hook_see(h, (int)t, &h->seen[t]);
	else
		h->seen[t] = h->kept;
	h->zi++;
	h->arrive_ns = MM_MAX(h->arrive_ns, h->sim->last_ts_ns);
	snapcheck_hook_read(h);
}

static int snapcheck_hook_zone_of(const struct sim *s, const struct mm_event *ev)
{
	if (ev->kind != MME_PAGE_PCPU_DRAIN && ev->kind != MME_PAGE_ZONE_LOCKED &&
	    ev->kind != MME_PAGE_EXTFRAG)
		return -1;
	int z = zones_find(&s->zones, ev->addr);
	return z < 0 ? -1 : (int)s->zones.zone[z].type;
}

/* The pages of a hold of a drain no free started: the zone's pageset batch on the event's CPU
 * (core/phys/snapread.h); 0 (unbounded) when the configuration has none. */
static u32 snapcheck_hook_batch(const struct sim *s, const struct mm_event *ev)
{
	if (ev->kind != MME_PAGE_PCPU_DRAIN)
		return 0;
	int z = zones_find(&s->zones, ev->addr);
	if (z < 0)
		return 0;
	if (s->cfg.pcp_cfg.batch_set)
		return s->cfg.pcp_cfg.batch_set;
	return ev->cpu < PCP_MAX_CPUS ? s->cfg.pcp_cfg.zone[z].cpu[ev->cpu].batch : 0;
}

static int snapcheck_hook_before(void *ctx, const struct sim *s, const struct mm_event *ev)
{
	struct snapcheck_hook *h = ctx;
	int zone = snapcheck_hook_zone_of(s, ev);
	while (!h->err && h->next < h->ser->n) {
		const struct snapshot *k = &h->ser->s[h->next];
		if (!h->reading) {
			if (ev->ts_ns <= k->t0_ns + h->rd.reach_ns)
				break;
			h->reading = true;
			h->zi = 0;
			h->arrive_ns = k->t0_ns + h->rd.reach_ns;
			snapcheck_hook_read(h);
			continue;
		}
		enum snapread_act a = snapread_before(&h->rd, ev, zone);
		if (a == SNAPREAD_CAPTURE)
			snapcheck_hook_see(h, (int)k->zone[h->zi].type, &h->kept);
		if (a != SNAPREAD_SEEN_NOW && a != SNAPREAD_SEEN_CAPTURED)
			break;
		snapcheck_hook_seen(h, a);
	}
	if (!h->err)
		h->err = snapread_note(&h->rd, ev, zone, snapcheck_hook_batch(s, ev));
	return h->err;
}

const struct run_sampler *snapcheck_hook_init(struct snapcheck_hook *h, struct sim *s,
					      struct run_sampler *smp)
{
	memset(h, 0, sizeof(*h));
	if (!s->cfg.snapshots)
		return NULL;
	h->sim = s;
	h->ser = s->cfg.snapshots;
	snapread_init(&h->rd, s->cfg.snap_reach_ns);
	u64 start = MM_MAX(s->cfg.from_ns, s->cfg.page_from_ns);
	while (h->next < h->ser->n && h->ser->s[h->next].t0_ns < start)
		h->next++;
	h->due = 0;
	*smp = (struct run_sampler){.before = snapcheck_hook_before, .ctx = h, .due = &h->due};
	return smp;
}

int snapcheck_hook_finish(struct snapcheck_hook *h)
{
	/* a read under way when the trace ended: its pending zone as snapread says, the rest now */
	while (h->ser && !h->err && h->reading) {
		enum snapread_act a = snapread_end(&h->rd);
		if (a != SNAPREAD_SEEN_NOW && a != SNAPREAD_SEEN_CAPTURED)
			break;
		snapcheck_hook_seen(h, a);
	}
	while (h->ser && !h->err && h->next < h->ser->n && h->ser->s[h->next].t1_ns <= h->sim->last_ts_ns)
		snapcheck_hook_compare(h, NULL);
	return h->err;
}

void snapcheck_hook_fini(struct snapcheck_hook *h)
{
	snapread_fini(&h->rd);
	free(h->rows);
	h->rows = NULL;
	h->nrows = h->cap = 0;
}
