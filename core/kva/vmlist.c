/* The vmlist wrapper: argument validation and normalisation, and the counters every variant
 * shares. The variant registry is vmlist_registry.c. */
#include "core/kva/vmlist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/kva/vmlist_priv.h"

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

/* Validate and clamp a request into rq (size, align, [vstart, vend) inside the space): 0,
 * -EINVAL (bad request) or -ENOMEM (nothing of the space left in the window). */
static int vmlist_normalise(const struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, unsigned cpu,
			    struct vmlist_req *rq)
{
	if (!size || (size & ~MM_PAGE_MASK) || !align || (align & (align - 1)) || vstart >= vend)
		return -EINVAL;
	if (align < MM_PAGE_SIZE)
		align = MM_PAGE_SIZE;
	/* Clamp to the space; both ends page-granular (fits are page multiples anyway). */
	u64 lo = MM_MAX(vstart, v->vstart), hi = MM_MIN(vend & MM_PAGE_MASK, v->vend);
	if (!vmlist_align_up(lo, MM_PAGE_SIZE, &lo) || lo >= hi || size > hi - lo)
		return -ENOMEM;
	*rq = (struct vmlist_req){.size = size, .align = align, .vstart = lo, .vend = hi, .cpu = cpu};
	return 0;
}

static void vmlist_count_alloc(struct vmlist *v, u64 size)
{
	v->st.allocs++;
	v->st.live++;
	v->st.live_bytes += size;
}

int vmlist_alloc_cpu(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, unsigned cpu, u64 *addr)
{
	struct vmlist_req rq;
	int ret = vmlist_normalise(v, size, align, vstart, vend, cpu, &rq);
	if (ret) {
		if (ret == -EINVAL)
			v->st.invalid++;
		else
			v->st.failures++;
		return ret;
	}
	u64 before = v->st.visits;
	if (v->ops->alloc_req)
		ret = v->ops->alloc_req(v->priv, &rq, addr);
	else
		ret = v->ops->alloc(v->priv, rq.size, rq.align, rq.vstart, rq.vend, addr);
	v->st.alloc_visits += v->st.visits - before;
	if (ret) {
		v->st.failures++;
		return ret;
	}
	vmlist_count_alloc(v, size);
	return 0;
}

int vmlist_alloc(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	return vmlist_alloc_cpu(v, size, align, vstart, vend, 0, addr);
}

int vmlist_predict(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, unsigned cpu,
		   struct vmlist_pick *pick)
{
	struct vmlist_req rq;
	if (!v->ops->predict)
		return -EOPNOTSUPP;
	int ret = vmlist_normalise(v, size, align, vstart, vend, cpu, &rq);
	return ret ? ret : v->ops->predict(v->priv, &rq, pick);
}

static int vmlist_place_in(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, unsigned cpu,
			   u64 addr, bool filling, struct vmlist_pick *how)
{
	struct vmlist_req rq;
	if (!v->ops->place)
		return -EOPNOTSUPP;
	int ret = vmlist_normalise(v, size, align, vstart, vend, cpu, &rq);
	rq.filling = filling;
	if (!ret && ((addr & ~MM_PAGE_MASK) || addr < v->vstart || addr > v->vend || size > v->vend - addr))
		ret = -EINVAL;
	if (ret)
		return ret;
	u64 before = v->st.visits;
	ret = v->ops->place(v->priv, &rq, addr, how);
	v->st.alloc_visits += v->st.visits - before;
	if (!ret)
		vmlist_count_alloc(v, size);
	return ret;
}

int vmlist_place(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, unsigned cpu, u64 addr,
		 struct vmlist_pick *how)
{
	return vmlist_place_in(v, size, align, vstart, vend, cpu, addr, false, how);
}

int vmlist_place_filling(struct vmlist *v, u64 size, u64 align, u64 vstart, u64 vend, unsigned cpu, u64 addr,
			 struct vmlist_pick *how)
{
	return vmlist_place_in(v, size, align, vstart, vend, cpu, addr, true, how);
}

/* A lowest-fit allocation confined to exactly [start, start + size) lands at start or fails. */
int vmlist_reserve(struct vmlist *v, u64 start, u64 size)
{
	u64 a;
	if (!size || ((start | size) & ~MM_PAGE_MASK) || start < v->vstart || start > v->vend ||
	    size > v->vend - start)
		return -EINVAL;
	int ret = vmlist_alloc_cpu(v, size, MM_PAGE_SIZE, start, start + size, 0, &a);
	if (ret == -ENOMEM) {
		v->st.failures--; /* a seeding conflict, not an allocation failure */
		return -EBUSY;
	}
	return ret;
}

void vmlist_purge_begin(struct vmlist *v, bool full)
{
	if (v->ops->purge_begin)
		v->ops->purge_begin(v->priv, full);
}

int vmlist_purge_end(struct vmlist *v)
{
	return v->ops->purge_end ? v->ops->purge_end(v->priv) : 0;
}

void vmlist_set_owner(struct vmlist *v, u64 addr, unsigned cpu, bool full, bool guess)
{
	if (v->ops->set_owner)
		v->ops->set_owner(v->priv, addr, cpu, full, guess);
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
