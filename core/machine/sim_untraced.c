#include "core/machine/sim_priv.h"

#include <stdio.h>
#include <string.h>

#include "core/phys/deferred.h"

static void untr_min(struct sim *s)
{
	s->untr.min_cursor = UINT64_MAX;
	for (unsigned z = 0; z < s->zones.nr_zones; z++) {
		const struct buddy *b = &s->zones.zone[z].buddy;
		if (s->untr.cursor[z] < b->base_pfn + b->nr_pages)
			s->untr.min_cursor = MM_MIN(s->untr.min_cursor, s->untr.cursor[z]);
	}
}

void sim_untraced_init(struct sim *s)
{
	for (unsigned z = 0; z < s->zones.nr_zones; z++) {
		const struct buddy *b = &s->zones.zone[z].buddy;
		s->untr.cursor[z] = deferred_cursor(b);
		s->untr.managed[z] = deferred_managed(b);
	}
	untr_min(s);
}

static u64 untr_grow(struct sim *s, unsigned z, u64 pages)
{
	u64 got = deferred_grow(&s->zones.zone[z].buddy, &s->untr.cursor[z], pages);
	s->untr.managed[z] += got;
	s->untr.deferred_total += got;
	untr_min(s);
	return got;
}

void sim_untraced_touch(struct sim *s, const struct mm_event *ev)
{
	u64 pfn = ev->addr;
	int z = ev->order <= 15 ? zones_find(&s->zones, pfn) : -1;
	if (z < 0 || pfn < s->untr.cursor[z])
		return;
	if (ev->kind == MME_PAGE_FREE) { /* the initialization itself, traced */
		u64 got = deferred_reveal(&s->zones.zone[z].buddy, &s->untr.cursor[z], pfn, ev->order);
		s->untr.managed[z] += got;
		s->untr.deferred_total += got;
		untr_min(s);
	} else { /* memory in use whose initialization the trace never showed: evidence */
		s->untr.deferred_pages += untr_grow(
			s, (unsigned)z, ((pfn | (DEFERRED_SECTION_PAGES - 1)) + 1) - s->untr.cursor[z]);
	}
}

void sim_untraced_event(struct sim *s, const struct mm_event *ev)
{
	struct sim_untraced *u = &s->untr;
	switch (ev->kind) {
	case MME_COMPACTION:
		if (ev->aux == MME_COMPACT_ISOLATE_FREE || ev->aux == MME_COMPACT_FAST_ISOLATE_FREE) {
			u->compact_taken += ev->len2;
			u->compact_taken_total += ev->len2;
		} else if (ev->aux == MME_COMPACT_BEGIN) {
			u->compact_open++;
			u->compact_runs++;
		} else if (ev->aux == MME_COMPACT_END && u->compact_open) {
			u->compact_open--;
		}
		break;
	case MME_PAGE_ISOLATION:
		u->isolations++;
		u->isolations_total++;
		break;
	default: /* migrate, reclaim: their pages move through traced allocations and frees */
		break;
	}
}

/* "key=v", or with a name "keyname+v" (v signed), joined by ';'. */
static void untr_add(char *buf, size_t len, size_t *n, const char *key, u64 v, const char *name)
{
	if (*n >= len)
		return;
	int w = name ? snprintf(buf + *n, len - *n, "%s%s%s%+lld", *n ? ";" : "", key, name, (long long)v)
		     : snprintf(buf + *n, len - *n, "%s%s=%llu", *n ? ";" : "", key, (unsigned long long)v);
	*n = w < 0 ? len : MM_MIN(len, *n + (size_t)w);
}

/* Buddy and faithful modes replay the recorded free scanner's isolations (sim_phys_compaction). */
static bool sim_untraced_runs_replayed(const struct sim *s)
{
	return s->cfg.page_mode != PAGEREPLAY_PLACEMENT && s->cfg.compaction != SIM_COMPACT_OFF;
}

void sim_untraced_evidence(struct sim *s, const struct snap_series *ser, size_t k, char *buf, size_t len)
{
	struct sim_untraced *u = &s->untr;
	const struct snapshot *cur = &ser->s[k], *prev = k ? &ser->s[k - 1] : NULL;
	const struct snapshot *next = k + 1 < ser->n ? &ser->s[k + 1] : cur;
	size_t n = 0;
	buf[0] = '\0';
	if (u->compact_taken)
		untr_add(buf, len, &n, "compaction_free_taken", u->compact_taken, NULL);
	/* A run in flight moves pages through traced events only (its isolations, replayed where
	 * the free scanner is: the model holds its pages as the kernel's scanner does; the
	 * migrations' frees; the pieces given back): evidence only where nothing replays them. */
	if (u->compact_open && !sim_untraced_runs_replayed(s))
		untr_add(buf, len, &n, "compaction_running", u->compact_open, NULL);
	if (u->isolations)
		untr_add(buf, len, &n, "page_isolation", u->isolations, NULL);
	if (u->deferred_pages)
		untr_add(buf, len, &n, "deferred_init", u->deferred_pages, NULL);
	if (cur->have_managed) /* memory joined a zone beyond what the trace showed joining */
		for (unsigned z = 0; z < s->zones.nr_zones; z++) {
			enum zone_type t = s->zones.zone[z].type;
			if (cur->managed[t] > u->managed[z])
				untr_add(buf, len, &n, "managed_", cur->managed[t] - u->managed[z],
					 zone_type_name(t));
		}
	/* reporting isolates blocks for a while and counts them when done: the readings around.
	 * A pass that walked no free block and reported nothing isolated nothing (with
	 * page_reporting_order above the largest order, as the recorder holds it, a pass walks no
	 * free list at all, yet counts itself): passes alone are no evidence. */
	if (prev && prev->have_reporting && next->have_reporting) {
		if (next->reported_kib != prev->reported_kib)
			untr_add(buf, len, &n, "page_reporting_kib", next->reported_kib - prev->reported_kib,
				 "");
		if (next->report_walked != prev->report_walked)
			untr_add(buf, len, &n, "page_reporting_walked",
				 next->report_walked - prev->report_walked, "");
	}
	u->compact_taken = u->isolations = u->deferred_pages = 0;
}

void sim_untraced_after(struct sim *s, const struct snapshot *k)
{
	if (!k->have_managed)
		return;
	for (unsigned z = 0; z < s->zones.nr_zones; z++) {
		u64 m = k->managed[s->zones.zone[z].type];
		if (m > s->untr.managed[z])
			untr_grow(s, z, m - s->untr.managed[z]);
	}
}
