/* The vmlist wrapper: argument validation and normalisation, and the counters every variant
 * shares. The variant registry is vmlist_registry.c. */
#include "vmlist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmlist_priv.h"

int vmlist_init(struct vmlist *v, const struct vmlist_ops *ops, const struct vmlist_cfg *cfg)
{
	memset(v, 0, sizeof(*v));
	u64 vend = cfg->vend & MM_PAGE_MASK;
	if (!ops || (cfg->vstart & ~MM_PAGE_MASK) || vend <= cfg->vstart)
		return -EINVAL;
	v->priv = calloc(1, ops->priv_size);
	if (!v->priv)
		return -ENOMEM;
	v->ops = ops;
	v->vstart = cfg->vstart;
	v->vend = vend;
	struct vmlist_cfg c = *cfg;
	c.vend = vend;
	int ret = ops->init(v->priv, &c, &v->st);
	if (ret) {
		free(v->priv);
		v->priv = NULL;
		v->ops = NULL;
	}
	return ret;
}

void vmlist_fini(struct vmlist *v)
{
	if (v->ops)
		v->ops->fini(v->priv);
	free(v->priv);
	v->priv = NULL;
	v->ops = NULL;
}

int vmlist_alloc(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	if (!size || (size & ~MM_PAGE_MASK) || !align || (align & (align - 1)) || vstart >= vend) {
		v->st.invalid++;
		return -EINVAL;
	}
	if (align < MM_PAGE_SIZE)
		align = MM_PAGE_SIZE;
	/* Clamp to the space; both ends page-granular (fits are page multiples anyway). */
	u64 lo = MM_MAX(vstart, v->vstart), hi = MM_MIN(vend & MM_PAGE_MASK, v->vend);
	if (!vmlist_align_up(lo, MM_PAGE_SIZE, &lo) || lo >= hi || size > hi - lo) {
		v->st.failures++;
		return -ENOMEM;
	}
	u64 before = v->st.visits;
	int ret = v->ops->alloc(v->priv, size, align, lo, hi, addr);
	v->st.alloc_visits += v->st.visits - before;
	if (ret) {
		v->st.failures++;
		return ret;
	}
	v->st.allocs++;
	v->st.live++;
	v->st.live_bytes += size;
	return 0;
}

int vmlist_free(struct vmlist *v, u64 addr, u64 *size)
{
	u64 sz = 0;
	int ret = (addr & ~MM_PAGE_MASK) ? -ENOENT : v->ops->free(v->priv, addr, &sz);
	if (ret) {
		v->st.bad_frees++;
		return ret;
	}
	v->st.frees++;
	v->st.live--;
	v->st.live_bytes -= sz;
	if (size)
		*size = sz;
	return 0;
}

int vmlist_check(const struct vmlist *v)
{
	const struct vmlist_stats *st = &v->st;
	if (st->live != st->allocs - st->frees)
		return -EUCLEAN;
	if (st->alloc_visits > st->visits)
		return -EUCLEAN;
	return v->ops->check(v->priv);
}
