#include "core/phys/silent.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

int silent_init(struct silent *s)
{
	s->ev = NULL;
	s->n = s->cap = 0;
	if (hmap_init(&s->last, 1 << 16))
		return -ENOMEM;
	if (hmap_init(&s->head, 1 << 12)) {
		hmap_fini(&s->last);
		return -ENOMEM;
	}
	return 0;
}

void silent_fini(struct silent *s)
{
	u64 pos = 0, v;
	while (hmap_next(&s->last, &pos, NULL, &v))
		free((u64 *)(uintptr_t)v);
	hmap_fini(&s->last);
	hmap_fini(&s->head);
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
		for (u64 p = 0; p < np; p++)
			g[at + p] = e->ts_ns << 1 | take;
	}
	return 0;
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
