/* Test helper: collect a generator's events in a growing array. */
#ifndef EVBUF_H
#define EVBUF_H

#include <errno.h>
#include <stdlib.h>

#include "workloads/gen/gen.h"

struct evbuf {
	struct mm_event *ev;
	size_t n, cap;
};

static inline int evbuf_emit(void *ctx, const struct mm_event *ev)
{
	struct evbuf *b = ctx;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 4096;
		struct mm_event *e = realloc(b->ev, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		b->ev = e;
		b->cap = cap;
	}
	b->ev[b->n++] = *ev;
	return 0;
}

/* Run generator `name` with p into b (emptied first). 0 or the generator's error. */
static inline int evbuf_gen(struct evbuf *b, const char *name, const struct gen_params *p)
{
	const struct gen_ops *g = gen_find(name);
	b->n = 0;
	return g ? g->run(p, evbuf_emit, b) : -ENOENT;
}

static inline void evbuf_fini(struct evbuf *b)
{
	free(b->ev);
	b->ev = NULL;
	b->n = b->cap = 0;
}

#endif
