#include "pagereplay.h"

#include <errno.h>
#include <string.h>

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

static void pagereplay_release(struct pagereplay *r, u64 rec)
{
	pagesrc_free(&r->src, rec >> 4, (unsigned)(rec & 0xf));
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
	} else if (pagesrc_alloc(&r->src, ev->order, ev->mt, (enum zone_type)limit, &model_pfn)) {
		r->st.alloc_failures++;
		return 0;
	}
	r->st.allocs++;
	return hmap_put(&r->live, ev->addr, model_pfn << 4 | ev->order) < 0 ? -ENOMEM : 0;
}

static int pagereplay_free(struct pagereplay *r, const struct mm_event *ev)
{
	u64 rec;
	if (!hmap_del(&r->live, ev->addr, &rec)) {
		r->st.unmatched_frees++;
		return 0;
	}
	if ((rec & 0xf) != ev->order)
		r->st.order_mismatches++;
	pagereplay_release(r, rec);
	r->st.frees++;
	return 0;
}

int pagereplay_event(struct pagereplay *r, const struct mm_event *ev)
{
	switch (ev->kind) {
	case MME_PAGE_ALLOC:
		return pagereplay_alloc(r, ev);
	case MME_PAGE_FREE:
		return pagereplay_free(r, ev);
	default:
		return 0;
	}
}
