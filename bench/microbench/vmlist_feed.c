#include "bench/microbench/vmlist_feed.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/host/clock.h"
#include "core/lib/hmap.h"

#define FEED_BATCH 4096

struct feed {
	struct vmlist *v;
	u64 skip, end, seen; /* measured phase [skip, end); events seen */
	struct hmap tok;     /* live token -> slot */
	u64 *addr, *free;    /* addr[slot]: the area's address; free: a stack of unused slots */
	u64 nslots, nfree, cap;
	struct mm_event buf[FEED_BATCH]; /* ev.addr rewritten to the slot */
	size_t used;
	u64 first; /* event number of buf[0] */
	struct vmlist_feed_result *r;
};

static int feed_slot(struct feed *f, u64 *slot)
{
	if (f->nfree) {
		*slot = f->free[--f->nfree];
		return 0;
	}
	if (f->nslots == f->cap) {
		u64 cap = f->cap ? 2 * f->cap : 1024;
		u64 *a = realloc(f->addr, cap * sizeof(*a)),
		    *fr = a ? realloc(f->free, cap * sizeof(*fr)) : NULL;
		if (a)
			f->addr = a;
		if (!a || !fr)
			return -ENOMEM;
		f->free = fr;
		f->cap = cap;
	}
	*slot = f->nslots++;
	return 0;
}

/* Apply the batch; only the measured events are timed and counted. */
static int feed_flush(struct feed *f)
{
	const struct vmlist_stats s0 = f->v->st;
	u64 t0 = clock_ns(), measured = 0;
	for (size_t i = 0; i < f->used; i++) {
		const struct mm_event *ev = &f->buf[i];
		u64 n = f->first + i;
		if (n == f->skip && i) { /* the measured phase starts inside this batch */
			f->used -= i;
			memmove(f->buf, f->buf + i, f->used * sizeof(*ev));
			f->first = n;
			return feed_flush(f);
		}
		measured += n >= f->skip;
		if (ev->kind == MME_VMAP_ALLOC &&
		    vmlist_alloc(f->v, ev->len, ev->aux, ev->addr2, ev->len2, &f->addr[ev->addr]))
			f->r->failures++;
		else if (ev->kind == MME_VMAP_FREE)
			vmlist_free(f->v, f->addr[ev->addr], NULL);
	}
	if (measured) {
		const struct vmlist_stats *s = &f->v->st;
		f->r->ns += clock_ns() - t0;
		f->r->allocs += s->allocs - s0.allocs;
		f->r->frees += s->frees - s0.frees;
		f->r->alloc_visits += s->alloc_visits - s0.alloc_visits;
		f->r->free_visits += (s->visits - s0.visits) - (s->alloc_visits - s0.alloc_visits);
	}
	f->first += f->used;
	f->used = 0;
	return 0;
}

static int feed_emit(void *ctx, const struct mm_event *ev)
{
	struct feed *f = ctx;
	struct mm_event e = *ev;
	u64 slot;
	if (f->seen++ == f->end)
		return -ECANCELED; /* past the measured phase: stop the generator */
	if (e.kind == MME_VMAP_ALLOC) {
		if (feed_slot(f, &slot) || hmap_put(&f->tok, e.addr, slot) < 0)
			return -ENOMEM;
		e.addr = slot;
	} else if (e.kind == MME_VMAP_FREE) {
		if (!hmap_del(&f->tok, e.addr, &slot))
			return -EINVAL; /* the generators free only what they allocated */
		f->free[f->nfree++] = slot;
		e.addr = slot;
	} else {
		return 0;
	}
	f->buf[f->used++] = e;
	return f->used == FEED_BATCH || f->seen == f->skip ? feed_flush(f) : 0;
}

int vmlist_feed(struct vmlist *v, const struct gen_ops *g, const struct gen_params *p, u64 skip, u64 count,
		struct vmlist_feed_result *r)
{
	struct feed *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	*f = (struct feed){.v = v, .skip = skip, .end = count ? skip + count : UINT64_MAX, .r = r};
	int err = hmap_init(&f->tok, 1024);
	if (!err)
		err = g->run(p, feed_emit, f);
	if (err == -ECANCELED)
		err = 0;
	if (!err)
		err = feed_flush(f);
	hmap_fini(&f->tok);
	free(f->addr);
	free(f->free);
	free(f);
	return err;
}
