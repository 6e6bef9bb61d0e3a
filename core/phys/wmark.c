#include "core/phys/wmark.h"

#include <string.h>

void wmark_scale(u64 min, u64 managed, u32 scale, u64 out[WMARK_NR])
{
	u64 step = MM_MAX(min / 4, managed * scale / 10000);
	out[WMARK_MIN] = min;
	out[WMARK_LOW] = min + step;
	out[WMARK_HIGH] = min + 2 * step;
}

void wmark_init(struct wmark *w, struct zones *zs, const struct wmark_cfg *cfg)
{
	memset(w, 0, sizeof(*w));
	w->zs = zs;
	for (unsigned z = 0; z < zs->nr_zones; z++) {
		struct wmark_zone *wz = &w->z[z];
		memcpy(wz->wmark, cfg->zone[z].wmark, sizeof(wz->wmark));
		memcpy(wz->lowmem_reserve, cfg->zone[z].lowmem_reserve, sizeof(wz->lowmem_reserve));
		wz->on = wz->wmark[WMARK_HIGH] > 0;
		if (!wz->on)
			continue;
		if (cfg->scale_factor)
			wmark_scale(wz->wmark[WMARK_MIN], cfg->zone[z].managed, cfg->scale_factor, wz->wmark);
		/* boost_watermark: none in zones of fewer than 4 pageblocks */
		if (cfg->boost_factor && zs->zone[z].buddy.nr_pages >= 4ULL << BUDDY_PAGEBLOCK_ORDER)
			wz->max_boost = MM_MAX(wz->wmark[WMARK_HIGH] * cfg->boost_factor / 10000,
					       1ULL << BUDDY_PAGEBLOCK_ORDER);
		wz->boost = MM_MIN(cfg->zone[z].boost, wz->max_boost);
	}
}

/* Free pages as zone_watermark_fast counts them for an order, signed. */
static i64 wmark_free(const struct wmark *w, unsigned z, unsigned order)
{
	return (i64)w->zs->zone[z].buddy.free_pages - ((1LL << order) - 1);
}

/* __zone_watermark_ok for a request whose highest zone is `limit`: the free pages left after the
 * block above mark + lowmem_reserve[limit] and, for order > 0, a free block of the order or
 * larger in the buddy ("check at least one suitable page is free": blocks on the per-CPU lists
 * are not free, so a zone whose only order-9 blocks are listed fails an order-9 request). */
static bool wmark_ok(const struct wmark *w, unsigned z, unsigned order, u64 mark, enum zone_type limit)
{
	if (wmark_free(w, z, order) <= (i64)(mark + w->z[z].lowmem_reserve[limit]))
		return false;
	const struct buddy *b = &w->zs->zone[z].buddy;
	for (unsigned o = order; order && o <= b->max_order; o++)
		if (b->nr_free[o])
			return true;
	return !order;
}

/* pgdat_balanced for one zone: kswapd goes to sleep; a boosted run clears the boost and wakes
 * kcompactd. */
static void wmark_kswapd_check(struct wmark *w, unsigned z)
{
	struct wmark_zone *wz = &w->z[z];
	if (!wz->reclaim_active || wmark_free(w, z, 0) <= (i64)wmark_pages(w, z, WMARK_HIGH))
		return;
	wz->reclaim_active = false;
	w->st.kswapd_sleeps++;
	if (wz->boost) {
		wz->boost = 0;
		w->st.kcompactd_wakes++;
	}
}

static void wmark_kswapd_wake(struct wmark *w, unsigned z)
{
	if (w->z[z].reclaim_active)
		return;
	w->z[z].reclaim_active = true;
	w->st.kswapd_wakes++;
	wmark_kswapd_check(w, z); /* balance_pgdat: a balanced zone sends it back to sleep */
}

void wmark_zone_visit(struct wmark *w, unsigned z, unsigned order, enum zone_type limit)
{
	struct wmark_zone *wz = &w->z[z];
	if (!wz->on || wz->below_high)
		return;
	if (!wmark_ok(w, z, order, wmark_pages(w, z, WMARK_HIGH), limit)) {
		wz->below_high = true;
		w->st.below_high++;
	}
}

void wmark_before_alloc(struct wmark *w, unsigned z, unsigned order)
{
	struct wmark_zone *wz = &w->z[z];
	if (!wz->on)
		return;
	i64 free = wmark_free(w, z, order);
	if (free <= (i64)wmark_pages(w, z, WMARK_LOW)) {
		wmark_kswapd_wake(w, z);
		if (free <= (i64)wmark_pages(w, z, WMARK_MIN))
			w->st.direct_reclaims++;
	} else {
		wmark_kswapd_check(w, z);
	}
}

void wmark_after_alloc(struct wmark *w, unsigned z, unsigned order, u64 claims)
{
	struct wmark_zone *wz = &w->z[z];
	(void)order;
	if (!wz->on || !claims || !wz->max_boost)
		return;
	for (u64 i = 0; i < claims && wz->boost < wz->max_boost; i++) {
		wz->boost = MM_MIN(wz->boost + (1ULL << BUDDY_PAGEBLOCK_ORDER), wz->max_boost);
		w->st.boosts++;
	}
	wmark_kswapd_wake(w, z); /* ZONE_BOOSTED_WATERMARK: rmqueue wakes kswapd */
}

bool wmark_zone_ok(struct wmark *w, unsigned z, unsigned order, enum zone_type limit, enum wmark_idx i)
{
	const struct wmark_zone *wz = &w->z[z];
	if (!wz->on || wmark_ok(w, z, order, wmark_pages(w, z, i), limit))
		return true;
	w->st.gate_skips++;
	return false;
}

void wmark_after_free(struct wmark *w, unsigned z, bool drained)
{
	struct wmark_zone *wz = &w->z[z];
	if (!wz->on)
		return;
	/* zone_watermark_ok(zone, 0, high, ZONE_MOVABLE, 0): the reserve against the top zone */
	if (drained && wz->below_high &&
	    wmark_free(w, z, 0) >
		    (i64)(wmark_pages(w, z, WMARK_HIGH) + wz->lowmem_reserve[ZONE_NR_TYPES - 1]))
		wz->below_high = false;
	wmark_kswapd_check(w, z);
}

void wmark_kswapd_traced(struct wmark *w, bool running)
{
	w->st.kswapd_traced += running && !w->kswapd_traced;
	w->kswapd_traced = running;
	for (unsigned z = 0; z < w->zs->nr_zones; z++)
		w->z[z].reclaim_traced = running && w->z[z].on;
}
