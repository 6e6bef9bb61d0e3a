#include "bench/run/snapcheck_hook.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* When a series snapshot's buddyinfo was read: it is read first, in tens of microseconds
 * (the recorder's "buddyinfo again" reads take 40-60 us); pagetypeinfo takes the rest of
 * [t0, t1]. Under churn the mid-read time was milliseconds late: thousands of pages. */
static u64 snap_mid(const struct snapshot *k)
{
	return k->t0_ns;
}

static void snapcheck_hook_compare(struct snapcheck_hook *h)
{
	struct snapcheck_row r[ZONE_NR_TYPES];
	unsigned n = sim_snapcheck(h->sim, h->ser, h->next++, r);
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

static void snapcheck_hook_due(struct snapcheck_hook *h)
{
	h->due = h->next < h->ser->n ? snap_mid(&h->ser->s[h->next]) + 1 : UINT64_MAX;
}

static int snapcheck_hook_before(void *ctx, const struct sim *s, const struct mm_event *ev)
{
	struct snapcheck_hook *h = ctx;
	(void)s;
	while (h->next < h->ser->n && ev->ts_ns > snap_mid(&h->ser->s[h->next]))
		snapcheck_hook_compare(h);
	snapcheck_hook_due(h);
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
	u64 start = MM_MAX(s->cfg.from_ns, s->cfg.page_from_ns);
	while (h->next < h->ser->n && h->ser->s[h->next].t0_ns < start)
		h->next++;
	snapcheck_hook_due(h);
	*smp = (struct run_sampler){.before = snapcheck_hook_before, .ctx = h, .due = &h->due};
	return smp;
}

int snapcheck_hook_finish(struct snapcheck_hook *h)
{
	while (h->ser && !h->err && h->next < h->ser->n && h->ser->s[h->next].t1_ns <= h->sim->last_ts_ns)
		snapcheck_hook_compare(h);
	return h->err;
}

void snapcheck_hook_fini(struct snapcheck_hook *h)
{
	free(h->rows);
	h->rows = NULL;
	h->nrows = h->cap = 0;
}
