#include "core/kva/vmap_fidelity.h"

#include <errno.h>
#include <stdlib.h>

void vmap_fid_fini(struct vmap_fidelity *f)
{
	free(f->trace_purged);
	free(f->model_purged);
	f->trace_purged = f->model_purged = NULL;
	f->ntrace = f->nmodel = f->trace_cap = f->model_cap = 0;
	vmap_reveal_fini(&f->rv);
}

void vmap_fid_alloc(struct vmap_fidelity *f, const struct vmap_mismatch *m)
{
	bool ok = m->model == m->kernel;
	f->checked++;
	f->exact += ok;
	if (!f->warm)
		return;
	f->checked_warm++;
	f->exact_warm += ok;
	if (ok)
		return;
	f->miss_how[m->how < VMLIST_SRC_NR ? m->how : 0]++;
	f->miss_src[m->src < VMLIST_SRC_NR ? m->src : 0]++;
	if (f->nmis < VMAP_FID_MISMATCHES)
		f->mis[f->nmis++] = *m;
}

static int push(u64 **v, u64 *n, u64 *cap, u64 x)
{
	if (*n == *cap) {
		u64 c = *cap ? *cap * 2 : 64;
		u64 *p = realloc(*v, c * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

int vmap_fid_trace_purge(struct vmap_fidelity *f, u64 num_purged)
{
	f->warm = true;
	vmap_reveal_purge(&f->rv);
	return push(&f->trace_purged, &f->ntrace, &f->trace_cap, num_purged);
}

int vmap_fid_model_purges(struct vmap_fidelity *f, const struct vmalloc *vm)
{
	u64 now = vm->tlb.st.vmap_purges;
	if (now == f->model_purges_seen)
		return 0;
	/* one purge per vmalloc call at most, except a forced one inside an allocation: the
	 * latest purge's count stands for each */
	for (; f->model_purges_seen < now; f->model_purges_seen++)
		if (push(&f->model_purged, &f->nmodel, &f->model_cap, vm->last_purged))
			return -ENOMEM;
	return 0;
}

/* Purges are matched by content, not rank: the longest order-preserving pairing of model and
 * kernel purges releasing as many areas (a longest common subsequence), so one purge the model
 * splits or merges differently costs that purge, not every later one. Pairings are looked for
 * within VMAP_FID_PURGE_BAND ranks of each other (the DP runs on that band: O(n * band)). */
#define VMAP_FID_PURGE_BAND 64
u64 vmap_fid_purges_size_exact(const struct vmap_fidelity *f)
{
	u64 n = f->ntrace, m = f->nmodel, w = 2 * VMAP_FID_PURGE_BAND + 1;
	if (!n || !m)
		return 0;
	/* row i (kernel purge i), column j = i - BAND + k: the best pairing of the first i + 1
	 * kernel and j + 1 model purges; two rows kept */
	u64 *prev = calloc(2 * w, sizeof(*prev)), *cur = prev ? prev + w : NULL;
	if (!prev)
		return 0;
	for (u64 i = 0; i < n; i++) {
		for (u64 k = 0; k < w; k++) {
			long long j = (long long)i - VMAP_FID_PURGE_BAND + (long long)k;
			u64 best = 0;
			if (j < 0 || (u64)j >= m) {
				cur[k] = 0;
				continue;
			}
			if (k > 0) /* (i, j - 1) */
				best = cur[k - 1];
			if (i > 0 && k + 1 < w) /* (i - 1, j) */
				best = MM_MAX(best, prev[k + 1]);
			if (f->trace_purged[i] == f->model_purged[j]) /* (i - 1, j - 1) + 1 */
				best = MM_MAX(best, (i > 0 && j > 0 ? prev[k] : 0) + 1);
			cur[k] = best;
		}
		u64 *t = prev;
		prev = cur;
		cur = t;
	}
	u64 best = 0;
	for (u64 k = 0; k < w; k++)
		best = MM_MAX(best, prev[k]);
	free(prev < cur ? prev : cur);
	return best;
}

int vmap_fid_end_compare(struct vmap_fidelity *f, const struct vmap_snapshot *end, const struct vmalloc *vm)
{
	if (f->end_done || !end)
		return 0;
	struct hmap lazy;
	if (hmap_init(&lazy, vm->tlb.nr_purge + 16))
		return -ENOMEM;
	for (u64 i = 0; i < vm->tlb.nr_purge; i++)
		if (hmap_put(&lazy, vm->tlb.purge[i].start, vm->tlb.purge[i].size) < 0) {
			hmap_fini(&lazy);
			return -ENOMEM;
		}
	u64 vstart = vm->vl.vstart, vend = vm->vl.vend;
	for (size_t i = 0; i < end->n; i++) {
		const struct vmap_snap_area *a = &end->a[i];
		u64 size = a->end - a->start, rec;
		if (a->start < vstart || a->end > vend)
			continue;
		f->end_areas++;
		if (a->kind == VMAP_SNAP_LAZY)
			f->end_matched += hmap_get(&lazy, a->start, &rec) && rec == size;
		else
			f->end_matched +=
				hmap_get(&vm->areas, a->start, &rec) && (rec & MM_PAGE_MASK) == size;
	}
	hmap_fini(&lazy);
	f->end_done = true;
	return 0;
}
