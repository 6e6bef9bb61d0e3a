#include "core/phys/silent.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

int silent_init(struct silent *s)
{
	s->ev = NULL;
	s->n = s->cap = 0;
	s->indexed = false;
	s->groups = NULL;
	s->by_from = s->by_to = s->rank = NULL;
	if (hmap_init(&s->last, 1 << 16))
		return -ENOMEM;
	if (hmap_init(&s->head, 1 << 12))
		goto no_head;
	if (hmap_init(&s->backward, 16))
		goto no_backward;
	if (hmap_init(&s->group, 16))
		goto no_group;
	return 0;
no_group:
	hmap_fini(&s->backward);
no_backward:
	hmap_fini(&s->head);
no_head:
	hmap_fini(&s->last);
	return -ENOMEM;
}

/* Drop the index (silent_done's). */
static void silent_unindex(struct silent *s)
{
	hmap_clear(&s->group);
	free(s->groups);
	free(s->by_from);
	free(s->by_to);
	free(s->rank);
	s->groups = NULL;
	s->by_from = s->by_to = s->rank = NULL;
	s->indexed = false;
}

void silent_fini(struct silent *s)
{
	u64 pos = 0, v;
	while (hmap_next(&s->last, &pos, NULL, &v))
		free((u64 *)(uintptr_t)v);
	silent_unindex(s);
	hmap_fini(&s->last);
	hmap_fini(&s->head);
	hmap_fini(&s->backward);
	hmap_fini(&s->group);
	free(s->ev);
	s->ev = NULL;
	s->n = s->cap = 0;
}

static int silent_add(struct silent *s, u64 pfn, unsigned order, u64 from, u64 to, u32 pid)
{
	if (s->n == UINT32_MAX - 1)
		return -ENOMEM;
	if (s->n == s->cap) {
		u32 cap = s->cap ? s->cap * 2 : 1024;
		struct silent_out *ev = realloc(s->ev, (size_t)cap * sizeof(*ev));
		if (!ev)
			return -ENOMEM;
		s->ev = ev;
		s->cap = cap;
	}
	u64 g = pfn >> SILENT_GROUP_ORDER, prev = 0;
	hmap_get(&s->head, g, &prev);
	s->ev[s->n] = (struct silent_out){pfn, from, to, order, pid, (u32)prev};
	s->n++;
	return hmap_put(&s->head, g, s->n) < 0 ? -ENOMEM : 0;
}

/* The last events of pfn's group of pages (made, all none, when create), or NULL. */
static u64 *silent_group(struct silent *s, u64 pfn, bool create)
{
	u64 v;
	if (hmap_get(&s->last, pfn >> SILENT_GROUP_ORDER, &v))
		return (u64 *)(uintptr_t)v;
	u64 *g = create ? calloc(1u << SILENT_GROUP_ORDER, sizeof(*g)) : NULL;
	if (g && hmap_put(&s->last, pfn >> SILENT_GROUP_ORDER, (u64)(uintptr_t)g) < 0) {
		free(g);
		g = NULL;
	}
	return g;
}

int silent_scan(struct silent *s, const struct mm_event *ev, size_t n)
{
	if (s->indexed)
		silent_unindex(s);
	for (size_t i = 0; i < n; i++) {
		const struct mm_event *e = &ev[i];
		bool take = e->kind == MME_PAGE_ZONE_LOCKED || e->kind == MME_PAGE_EXTFRAG ||
			    (e->kind == MME_PAGE_ALLOC && !(e->flags & MME_F_FAILED));
		bool back = e->kind == MME_PAGE_FREE || e->kind == MME_PAGE_PCPU_DRAIN;
		if ((!take && !back) || e->order > SILENT_GROUP_ORDER)
			continue;
		u64 *g = silent_group(s, e->addr, true), np = 1ULL << e->order;
		u32 at = (u32)(e->addr & ((1u << SILENT_GROUP_ORDER) - 1));
		if (!g)
			return -ENOMEM;
		np = MM_MIN(np, (1u << SILENT_GROUP_ORDER) - at); /* an unaligned block: its group's part */
		if (e->kind == MME_PAGE_FREE) { /* out untraced since its pages' last event? */
			u64 from = 0;
			bool took = false;
			for (u64 p = 0; p < np; p++) {
				took |= g[at + p] & 1;
				from = MM_MAX(from, g[at + p] >> 1);
			}
			if (!took && silent_add(s, e->addr, e->order, from, e->ts_ns, e->pid))
				return -ENOMEM;
		}
		bool backward = false;
		for (u64 p = 0; p < np; p++) {
			backward |= e->ts_ns < g[at + p] >> 1;
			g[at + p] = e->ts_ns << 1 | take;
		}
		if (backward && hmap_put(&s->backward, e->addr >> SILENT_GROUP_ORDER, 1) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* An evidence's group and time (its from or its to), for sorting by (group, time, index). */
struct silent_key {
	u64 g, t;
	u32 i;
};

static int silent_key_cmp(const void *pa, const void *pb)
{
	const struct silent_key *a = pa, *b = pb;
	if (a->g != b->g)
		return a->g < b->g ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

/* into[j]: the index of the j-th evidence by group, then by from (or to), then trace order. */
static void silent_sort(const struct silent *s, struct silent_key *k, bool by_to, u32 *into)
{
	for (u32 i = 0; i < s->n; i++)
		k[i] = (struct silent_key){s->ev[i].pfn >> SILENT_GROUP_ORDER,
					   by_to ? s->ev[i].to : s->ev[i].from, i};
	qsort(k, s->n, sizeof(*k), silent_key_cmp);
	for (u32 j = 0; j < s->n; j++)
		into[j] = k[j].i;
}

int silent_done(struct silent *s)
{
	silent_unindex(s);
	size_t n = s->n ? s->n : 1;
	struct silent_key *k = malloc(n * sizeof(*k));
	s->groups = malloc(n * sizeof(*s->groups)); /* at most one per evidence */
	s->by_from = malloc(n * sizeof(u32));
	s->by_to = malloc(n * sizeof(u32));
	s->rank = malloc(n * sizeof(u32));
	if (!k || !s->groups || !s->by_from || !s->by_to || !s->rank)
		goto nomem;
	silent_sort(s, k, false, s->by_from);
	silent_sort(s, k, true, s->by_to); /* the same groups, in the same order */
	u32 ng = 0;
	for (u32 j = 0; j < s->n; j++) {
		u64 g = s->ev[s->by_from[j]].pfn >> SILENT_GROUP_ORDER, v;
		if (!j || g != s->ev[s->by_from[j - 1]].pfn >> SILENT_GROUP_ORDER) {
			s->groups[ng] = (struct silent_group){j, 0, hmap_get(&s->backward, g, &v)};
			if (hmap_put(&s->group, g, ng++) < 0)
				goto nomem;
		}
		s->rank[s->by_from[j]] = s->groups[ng - 1].n++;
	}
	free(k);
	s->indexed = true;
	return 0;
nomem:
	free(k);
	silent_unindex(s);
	return -ENOMEM;
}

bool silent_out(const struct silent *s, u64 pfn, unsigned order, u64 ts)
{
	u64 i = 0, end = pfn + (1ULL << order);
	if (!hmap_get(&s->head, pfn >> SILENT_GROUP_ORDER, &i))
		return false;
	for (; i; i = s->ev[i - 1].next) {
		const struct silent_out *o = &s->ev[i - 1];
		if (o->pfn < end && pfn < o->pfn + (1ULL << o->order) && o->from < ts && ts < o->to)
			return true;
	}
	return false;
}
