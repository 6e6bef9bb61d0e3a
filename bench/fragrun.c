#include "fragrun.h"

#include <string.h>

#include "clock.h"
#include "fragindex.h"

void fragrun_ts_header(FILE *ts)
{
	fprintf(ts, "event,free_pages,unusable_o3,unusable_o9,extfrag_o9,largest_free_order\n");
}

static void fragrun_sample(FILE *ts, u64 event, const struct buddy *b)
{
	unsigned n = b->max_order + 1, largest = buddy_largest_free_order(b);
	fprintf(ts, "%llu,%llu,%d,%d,%d,%d\n", (unsigned long long)event, (unsigned long long)b->free_pages,
		fragindex_unusable(b->nr_free, n, MM_MIN(3u, b->max_order)),
		fragindex_unusable(b->nr_free, n, MM_MIN(9u, b->max_order)),
		fragindex_extfrag(b->nr_free, n, MM_MIN(9u, b->max_order)),
		largest == -1u ? -1 : (int)largest);
}

/* The zone whose fragmentation is reported: the highest (Normal on every layout that has one;
 * the only zone of the default layout). */
static const struct buddy *fragrun_zone(const struct sim *s)
{
	return &s->zones.zone[s->zones.nr_zones - 1].buddy;
}

int fragrun(const struct mm_trace *t, const struct sim_cfg *cfg, u64 sample_every, FILE *ts,
	    struct fragrun_result *res)
{
	struct sim s;
	int err = sim_init(&s, cfg);
	if (err)
		return err;
	memset(res, 0, sizeof(*res));
	if (!sample_every)
		sample_every = 1;
	u64 t0 = clock_ns();
	for (size_t i = 0; i < t->n; i++) {
		err = sim_event(&s, &t->ev[i]);
		if (err)
			break;
		if (ts && (i % sample_every == 0))
			fragrun_sample(ts, i, fragrun_zone(&s));
	}
	res->host_ns = clock_ns() - t0;
	if (ts && t->n)
		fragrun_sample(ts, t->n, fragrun_zone(&s));
	const struct buddy *b = fragrun_zone(&s);
	unsigned n = b->max_order + 1;
	res->events = s.events;
	res->pages = s.pages.st;
	res->buddy = b->st;
	memcpy(res->nr_free, b->nr_free, sizeof(res->nr_free));
	res->free_pages = b->free_pages;
	res->mixed_pageblocks = buddy_mixed_pageblocks(b);
	res->largest_free_order = buddy_largest_free_order(b);
	res->unusable_o3 = fragindex_unusable(b->nr_free, n, MM_MIN(3u, b->max_order));
	res->unusable_o9 = fragindex_unusable(b->nr_free, n, MM_MIN(9u, b->max_order));
	res->extfrag_o9 = fragindex_extfrag(b->nr_free, n, MM_MIN(9u, b->max_order));
	sim_fini(&s);
	return err;
}
