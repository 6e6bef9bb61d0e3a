#include "core/kva/vmap_reveal.h"

#include <errno.h>
#include <stdlib.h>

static int reveal_ready(struct vmap_reveal *r)
{
	if (r->ready)
		return 0;
	if (hmap_init(&r->seen, 1024))
		return -ENOMEM;
	r->ready = true;
	return 0;
}

void vmap_reveal_fini(struct vmap_reveal *r)
{
	if (r->ready)
		hmap_fini(&r->seen);
	for (u64 i = 0; i < r->nshape; i++)
		free(r->shape[i].tail);
	free(r->shape);
	*r = (struct vmap_reveal){0};
}

void vmap_reveal_note(struct vmap_reveal *r, u64 addr)
{
	if (reveal_ready(r) || hmap_put(&r->seen, addr, 1) < 0)
		r->st.failed = true;
}

static struct vmap_reveal_shape *reveal_shape(struct vmap_reveal *r, u64 size, u64 align)
{
	for (u64 i = 0; i < r->nshape; i++)
		if (r->shape[i].size == size && r->shape[i].align == align)
			return &r->shape[i];
	if (r->nshape == r->shape_cap) {
		u64 cap = r->shape_cap ? r->shape_cap * 2 : 16;
		struct vmap_reveal_shape *s = realloc(r->shape, cap * sizeof(*s));
		if (!s)
			return NULL;
		r->shape = s;
		r->shape_cap = cap;
	}
	r->shape[r->nshape] = (struct vmap_reveal_shape){.size = size, .align = align};
	return &r->shape[r->nshape++];
}

/* Patience sorting for the longest non-decreasing subsequence: x replaces the first tail
 * greater than it, or extends the longest. */
static int shape_add(struct vmap_reveal_shape *s, u64 x)
{
	u64 lo = 0, hi = s->ntail;
	while (lo < hi) {
		u64 mid = lo + (hi - lo) / 2;
		if (s->tail[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->ntail) {
		if (s->ntail == s->cap) {
			u64 cap = s->cap ? s->cap * 2 : 16;
			u64 *t = realloc(s->tail, cap * sizeof(*t));
			if (!t)
				return -ENOMEM;
			s->tail = t;
			s->cap = cap;
		}
		s->ntail++;
	}
	s->tail[lo] = x;
	s->n++;
	return 0;
}

void vmap_reveal_alloc(struct vmap_reveal *r, u64 addr, u64 size, u64 align, bool pool_size, bool warm,
		       bool exact)
{
	if (reveal_ready(r)) {
		r->st.failed = true;
		return;
	}
	if (warm) {
		u64 one;
		enum vmap_cls c = hmap_get(&r->seen, addr, &one) ? VMAP_CLS_SEEN
				  : pool_size			 ? VMAP_CLS_NEW_POOL
								 : VMAP_CLS_NEW_TREE;
		r->st.n[c]++;
		r->st.exact[c] += exact;
		/* the bound is over the misses: a named entry was not hidden from the model */
		bool bound = c == VMAP_CLS_NEW_POOL && !exact;
		struct vmap_reveal_shape *s = bound ? reveal_shape(r, size, align) : NULL;
		if (bound && (!s || shape_add(s, addr)))
			r->st.failed = true;
	}
	vmap_reveal_note(r, addr);
}

static u64 reveal_open_bound(const struct vmap_reveal *r)
{
	u64 b = 0;
	for (u64 i = 0; i < r->nshape; i++)
		b += r->shape[i].n - r->shape[i].ntail;
	return b;
}

void vmap_reveal_purge(struct vmap_reveal *r)
{
	r->st.unrevealed += reveal_open_bound(r);
	for (u64 i = 0; i < r->nshape; i++)
		free(r->shape[i].tail);
	r->nshape = 0;
}

void vmap_reveal_read(const struct vmap_reveal *r, struct vmap_reveal_stats *out)
{
	*out = r->st;
	out->unrevealed += reveal_open_bound(r);
}
