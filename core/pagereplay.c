#include "pagereplay.h"

#include <errno.h>
#include <string.h>

int pagereplay_init(struct pagereplay *r, struct buddy *b, enum pagereplay_mode mode)
{
	memset(r, 0, sizeof(*r));
	r->b = b;
	r->mode = mode;
	return hmap_init(&r->live, 1024);
}

void pagereplay_fini(struct pagereplay *r)
{
	hmap_fini(&r->live);
}

static void pagereplay_release(struct pagereplay *r, u64 rec)
{
	buddy_free(r->b, rec >> 4, (unsigned)(rec & 0xf));
}

static int pagereplay_alloc(struct pagereplay *r, const struct mm_event *ev)
{
	u64 model_pfn, rec;
	if (ev->flags & MME_F_FAILED) {
		r->st.traced_failures++;
		return 0;
	}
	if (ev->order > r->b->max_order) {
		r->st.out_of_range++;
		return 0;
	}
	if (hmap_del(&r->live, ev->addr, &rec)) {
		r->st.implicit_frees++;
		pagereplay_release(r, rec);
	}
	if (r->mode == PAGEREPLAY_FAITHFUL) {
		int err = buddy_alloc_at(r->b, ev->addr, ev->order, ev->mt);
		if (err == -EBUSY)
			r->st.conflicts++;
		if (err) {
			if (err != -EBUSY)
				r->st.out_of_range++;
			return 0;
		}
		model_pfn = ev->addr;
	} else if (buddy_alloc(r->b, ev->order, ev->mt, &model_pfn)) {
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
