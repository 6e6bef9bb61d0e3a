#include "core/phys/pagereplay.h"

#include <errno.h>
#include <string.h>

#include "core/phys/pcp.h"
#include "core/phys/seed.h"

int pagereplay_init(struct pagereplay *r, struct buddy *b, enum pagereplay_mode mode)
{
	struct pagesrc src = pagesrc_buddy(b);
	return pagereplay_init_src(r, &src, mode);
}

int pagereplay_init_src(struct pagereplay *r, const struct pagesrc *src, enum pagereplay_mode mode)
{
	memset(r, 0, sizeof(*r));
	r->src = *src;
	r->mode = mode;
	return hmap_init(&r->live, 1024);
}

void pagereplay_fini(struct pagereplay *r)
{
	hmap_fini(&r->live);
}

void pagereplay_attach(struct pagereplay *r, struct zones *zs, struct pcp *pcp)
{
	r->zs = zs;
	r->pcp = pcp;
}

/* A live block's record: its model pfn, the migratetype it was allocated with (the per-CPU
 * list it returns to when the buddy keeps no pageblock types) and its order. */
static u64 rec_make(u64 pfn, int mt, unsigned order)
{
	return pfn << 8 | (u64)(mt >= 0 && mt < MT_NR ? mt + 1 : 0) << 4 | order;
}
static u64 rec_pfn(u64 rec)
{
	return pagereplay_live_pfn(rec);
}
static int rec_mt(u64 rec)
{
	return (int)((rec >> 4) & 0xf) - 1;
}
static unsigned rec_order(u64 rec)
{
	return (unsigned)(rec & 0xf);
}

static void pagereplay_release_cpu(struct pagereplay *r, u64 rec, unsigned cpu)
{
	if (r->pcp)
		pcp_free(r->pcp, cpu, rec_pfn(rec), rec_order(rec), rec_mt(rec));
	else
		pagesrc_free(&r->src, rec_pfn(rec), rec_order(rec));
}

static void pagereplay_release(struct pagereplay *r, u64 rec)
{
	pagereplay_release_cpu(r, rec, 0);
}

/* A model allocation failed: count it by the preferred zone and tell the caller. */
static void pagereplay_failed(struct pagereplay *r, const struct mm_event *ev, int limit)
{
	r->st.alloc_failures++;
	r->st.zone_failures[limit]++;
	if (r->on_fail)
		r->on_fail(r->on_fail_ctx, ev, (unsigned)limit);
}

/* Per-CPU lists: the kernel handed out (or drained) page X before any refill brought X to a
 * list, and the page state has X allocated: X was on that CPU's list when the recording began.
 * The model gives X to the user (or back to the buddy) as the kernel did. */
static bool pagereplay_pcp_start(struct pagereplay *r, const struct mm_event *ev, bool drained)
{
	int z = pcp_order_index(ev->order) >= 0 ? zones_find(r->zs, ev->addr) : -1;
	if (z < 0 || seed_claim(&r->zs->zone[z].buddy, ev->addr, ev->order, ev->mt))
		return false;
	pcp_reveal(r->pcp, (unsigned)z, ev->cpu, ev->order, drained);
	if (drained)
		buddy_free(&r->zs->zone[z].buddy, ev->addr, ev->order);
	return true;
}

static int pagereplay_alloc(struct pagereplay *r, const struct mm_event *ev)
{
	u64 model_pfn, rec;
	if (ev->flags & MME_F_FAILED) {
		r->st.traced_failures++;
		return 0;
	}
	int limit = zones_limit_of_flags(ev->flags);
	if (limit < 0) {
		r->st.bad_flags++;
		return 0;
	}
	if (ev->order > pagesrc_max_order(&r->src)) {
		r->st.out_of_range++;
		return 0;
	}
	if (hmap_del(&r->live, ev->addr, &rec)) {
		r->st.implicit_frees++;
		pagereplay_release(r, rec);
	}
	if (r->mode == PAGEREPLAY_FAITHFUL) {
		int err = pagesrc_alloc_at(&r->src, ev->addr, ev->order, ev->mt);
		if (err) {
			if (err == -EBUSY)
				r->st.conflicts++;
			else if (err == -ENXIO)
				r->st.no_zone++;
			else
				r->st.out_of_range++;
			return 0;
		}
		model_pfn = ev->addr;
	} else if (r->pcp && pagereplay_pcp_start(r, ev, false)) {
		model_pfn = ev->addr;
	} else if (r->pcp ? pcp_alloc(r->pcp, (enum zone_type)limit, ev->cpu, ev->order, ev->mt, &model_pfn,
				      NULL)
			  : pagesrc_alloc(&r->src, ev->order, ev->mt, (enum zone_type)limit, &model_pfn)) {
		pagereplay_failed(r, ev, limit);
		return 0;
	}
	r->st.allocs++;
	return hmap_put(&r->live, ev->addr, rec_make(model_pfn, ev->mt, ev->order)) < 0 ? -ENOMEM : 0;
}

/* An unmatched free on a seeded machine: the page is the model's too when it was allocated
 * before the recording (placement and faithful pair nothing with it). */
static bool pagereplay_free_seeded(struct pagereplay *r, const struct mm_event *ev)
{
	int z = r->zs && ev->order <= 15 ? zones_find(r->zs, ev->addr) : -1;
	if (z < 0 || seed_claim(&r->zs->zone[z].buddy, ev->addr, ev->order, ev->mt))
		return false;
	r->st.seeded_frees++;
	pagereplay_release_cpu(r, rec_make(ev->addr, ev->mt, ev->order), ev->cpu);
	return true;
}

static int pagereplay_free(struct pagereplay *r, const struct mm_event *ev)
{
	u64 rec;
	if (!hmap_del(&r->live, ev->addr, &rec)) {
		if (!pagereplay_free_seeded(r, ev))
			r->st.unmatched_frees++;
		return 0;
	}
	if (rec_order(rec) != ev->order)
		r->st.order_mismatches++;
	pagereplay_release_cpu(r, rec, ev->cpu);
	r->st.frees++;
	return 0;
}

/* buddy mode: the kernel's buddy-level events, applied at the traced pfn. */
static int pagereplay_buddy(struct pagereplay *r, const struct mm_event *ev)
{
	bool take = ev->kind == MME_PAGE_ZONE_LOCKED;
	if (ev->kind == MME_PAGE_FREE && pcp_order_index(ev->order) >= 0)
		return 0; /* went to a per-CPU list: its pcpu_drain event returns it */
	if (ev->kind == MME_PAGE_ALLOC || ev->order > 15)
		return 0;
	int z = r->zs ? zones_find(r->zs, ev->addr) : -1;
	if (z < 0) {
		r->st.no_zone++;
		return 0;
	}
	struct buddy *b = &r->zs->zone[z].buddy;
	if (take) {
		r->st.buddy_takes++;
		r->st.untraced_join_pages += seed_take_range(b, ev->addr, ev->order, ev->mt);
	} else {
		r->st.buddy_returns++;
		seed_release_range(b, ev->addr, ev->order, NULL, &r->st.untraced_leave_pages,
				   &r->st.untraced_other_pages);
	}
	return 0;
}

int pagereplay_event(struct pagereplay *r, const struct mm_event *ev)
{
	if (ev->kind == MME_PAGE_ZONE_LOCKED)
		*(ev->flags & MME_F_PCP_REFILL ? &r->st.trace_refill : &r->st.trace_locked) += 1;
	else if (ev->kind == MME_PAGE_PCPU_DRAIN)
		r->st.trace_drain++;
	if (r->mode == PAGEREPLAY_BUDDY)
		return pagereplay_buddy(r, ev);
	if (r->pcp)
		pcp_tick(r->pcp, ev->ts_ns);
	switch (ev->kind) {
	case MME_PAGE_ALLOC:
		return pagereplay_alloc(r, ev);
	case MME_PAGE_FREE:
		return pagereplay_free(r, ev);
	case MME_PAGE_PCPU_DRAIN:
		if (r->pcp)
			pagereplay_pcp_start(r, ev, true);
		return 0;
	default:
		return 0;
	}
}
