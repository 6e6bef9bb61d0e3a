#include "vmlist_busy.h"

#include <errno.h>

int vmlist_busy_fill(struct vmlist *v, const struct vmlist_busy_cfg *cfg)
{
	u64 size = (cfg->small_pages + cfg->guard_pages) * MM_PAGE_SIZE;
	u64 stride = cfg->holes ? 2 : 1;
	if (!size || cfg->nr_live > (v->vend - v->vstart) / size / stride)
		return -ENOMEM;
	for (u64 i = cfg->nr_live; i-- > 0;) {
		u64 slot = v->vstart + (i * stride + (stride - 1)) * size, a;
		int ret = vmlist_alloc(v, size, MM_PAGE_SIZE, slot, slot + size, &a);
		if (ret)
			return ret;
		if (a != slot)
			return -EIO;
	}
	/* One unmeasured round: a top-down fill leaves rbtree's cached hole at the lowest area,
	 * where a bottom-up fill would leave it at the highest; the round settles it. */
	struct vmlist_busy_cfg warm = *cfg;
	struct vmlist_busy_result r = {0};
	warm.loops = 1;
	return vmlist_busy_loop(v, &warm, &r);
}

int vmlist_busy_loop(struct vmlist *v, const struct vmlist_busy_cfg *cfg, struct vmlist_busy_result *r)
{
	u64 big = (cfg->big_pages + cfg->guard_pages) * MM_PAGE_SIZE;
	u64 small = (cfg->small_pages + cfg->guard_pages) * MM_PAGE_SIZE;
	u64 visits0 = v->st.visits, avisits0 = v->st.alloc_visits;
	u64 allocs0 = v->st.allocs, frees0 = v->st.frees;
	int ret = 0;
	for (u64 i = 0; i < cfg->loops && !ret; i++) {
		u64 p1, p2;
		ret = vmlist_alloc(v, big, MM_PAGE_SIZE, v->vstart, v->vend, &p1);
		if (ret)
			break;
		ret = vmlist_alloc(v, small, MM_PAGE_SIZE, v->vstart, v->vend, &p2);
		int ret1 = vmlist_free(v, p1, NULL); /* the kernel's test frees ptr_1 first */
		int ret2 = ret ? 0 : vmlist_free(v, p2, NULL);
		ret = ret ? ret : ret1 ? ret1 : ret2;
	}
	r->allocs += v->st.allocs - allocs0;
	r->frees += v->st.frees - frees0;
	r->alloc_visits += v->st.alloc_visits - avisits0;
	r->free_visits += (v->st.visits - visits0) - (v->st.alloc_visits - avisits0);
	return ret;
}
