/* The nodes vmlist against the slow reference of vmlist_nodes_ref.h on random workloads: after
 * every operation (CPU-aware allocation, free, purge with its decay, follow-mode placement) the
 * answers, every range of the space (free, busy with its owner node, pool entry, hidden slot)
 * and every pool's order must be identical, and the invariant check must pass. */
#include <criterion/criterion.h>

#include "core/lib/rng.h"
#include "tests/vmlist_nodes_ref_follow.h"

#define PG MM_PAGE_SIZE
#define BASE 0xffffc90000000000ULL

struct walk_cmp {
	const struct nref *r;
	long step;
	u64 n;
};

/* The kind and owner the reference has for [s, e), or -1 when it has no such object. */
static int ref_kind(const struct nref *r, u64 s, u64 e, u32 *node)
{
	*node = VMLIST_NODES_NONE;
	for (int i = 0; i < r->nf; i++)
		if (r->fr[i].start == s && r->fr[i].end == e)
			return VMLIST_NODES_FREE;
	for (int i = 0; i < r->nb; i++)
		if (r->busy[i].start == s && r->busy[i].end == e) {
			*node = r->busy[i].vn;
			return VMLIST_NODES_BUSY;
		}
	for (int i = 0; i < r->nh; i++)
		if (r->hid[i].start == s && r->hid[i].end == e) {
			*node = r->hid[i].vn;
			return VMLIST_NODES_HIDDEN;
		}
	u64 k = (e - s - 1) / PG;
	for (unsigned n = 0; n < r->nn && k < NREF_POOLS; n++)
		for (u64 j = 0; j < r->plen[n][k]; j++)
			if (r->pool[n][k][j] == s) {
				*node = n;
				return VMLIST_NODES_POOL;
			}
	return -1;
}

static void walk_one(void *arg, u64 s, u64 e, int kind, u32 node)
{
	struct walk_cmp *w = arg;
	u32 want_node;
	int want = ref_kind(w->r, s, e, &want_node);
	cr_assert_eq(kind, want, "step %ld: [%#llx, %#llx) is %d in the model, %d in the reference", w->step,
		     (unsigned long long)s, (unsigned long long)e, kind, want);
	cr_assert_eq(node, want_node, "step %ld: [%#llx, %#llx) node %u vs %u", w->step,
		     (unsigned long long)s, (unsigned long long)e, node, want_node);
	w->n++;
}

static void compare(const struct vmlist *v, const struct nref *r, long step)
{
	cr_assert_eq(vmlist_check(v), 0, "step %ld: check", step);
	struct walk_cmp w = {.r = r, .step = step};
	vmlist_nodes_walk(v, walk_one, &w);
	int pooled = 0;
	static u64 got[NREF_MAX];
	for (unsigned n = 0; n < r->nn; n++)
		for (unsigned k = 0; k < NREF_POOLS; k++) {
			u64 len = vmlist_nodes_pool(v, n, k, got, NREF_MAX);
			cr_assert_eq(len, r->plen[n][k], "step %ld: pool %u/%u length", step, n, k);
			for (u64 j = 0; j < len; j++)
				cr_assert_eq(got[j], r->pool[n][k][j], "step %ld: pool %u/%u entry %llu",
					     step, n, k, (unsigned long long)j);
			pooled += (int)len;
		}
	cr_assert_eq(w.n, (u64)(r->nf + r->nb + r->nh + pooled), "step %ld: object count", step);
}

/* A request: mostly the full window and a few pool sizes, some big ones, some sub-windows. */
struct req {
	u64 size, align, vs, ve;
	unsigned cpu;
};

static bool stack_mix;	      /* most requests are thread stacks (5 pages, align 4): long pools */
static long hidden_predicted; /* predictions of a hidden slot (follow mode) */
static long hunt_predicted;   /* predictions of a hunting pool (follow mode) */
static long stride_skipped;   /* stride predictions past a slot an area holds (follow mode) */

static struct req rand_req(struct rng *g, u64 vend, unsigned nn)
{
	struct req q = {.cpu = (unsigned)rng_below(g, nn * 3), .vs = BASE, .ve = vend, .align = PG};
	u64 k = rng_below(g, 100);
	if (stack_mix && k < 80)
		return (struct req){5 * PG, 4 * PG, BASE, vend, q.cpu};
	q.size = (k < 70 ? 2 + rng_below(g, 5) : k < 95 ? 1 + rng_below(g, 40) : 250 + rng_below(g, 12)) * PG;
	k = rng_below(g, 10);
	if (k < 4)
		q.align = PG << (1 + rng_below(g, 3));
	if (rng_below(g, 10) == 0) { /* a sub-window (no node, no pool) */
		q.vs = BASE + rng_below(g, (vend - BASE) / PG / 2) * PG;
		q.ve = q.vs + (rng_below(g, 4) ? (vend - q.vs) / 2 : q.size);
		q.ve = MM_MIN(q.ve, vend) & ~(PG - 1);
	}
	return q;
}

/* A follow-mode address: what the reference predicts, a pool entry, a hidden slot, a free spot,
 * one overlapping a busy area, or an entry a purge decayed (q becomes a request of its pool). */
static u64 rand_place_addr(struct rng *g, const struct nref *r, struct req *q)
{
	u64 k = (q->size - 1) / PG, a = 0;
	unsigned node = q->cpu % r->nn;
	bool run = nref_full(r, q->vs, q->ve) && k < NREF_POOLS && r->run[node][k] && r->stride[node][k] &&
		   r->last[node][k] >= r->stride[node][k];
	switch (stack_mix && rng_below(g, 2) ? 5 : rng_below(g, 10)) {
	case 8: /* the next slot of a stride run, taken on the other node: an area holds it */
		if (run && r->nn > 1) {
			a = r->last[node][k] - r->stride[node][k];
			if (!(a & (q->align - 1)) && a >= q->vs) {
				q->cpu++;
				return a;
			}
		}
		break;
	case 9: /* where a stride run goes next */
		if (run && (a = nref_stride_next(r, q->size, q->align, q->vs, node)))
			return a;
		break;
	case 6: /* over a hidden slot, not exactly it: a decayed pool's space */
		if (r->nh) {
			const struct nref_range *h = &r->hid[rng_below(g, (u64)r->nh)];
			a = (h->start + PG * rng_below(g, (h->end - h->start) / PG) + q->align - 1) &
			    ~(q->align - 1);
			if (a < h->end)
				return a;
		}
		break;
	case 7: /* where a hunting pool goes next */
		if (nref_full(r, q->vs, q->ve) &&
		    (a = nref_hunt_fit(r, q->size, q->align, q->vs, q->ve, q->cpu % r->nn)))
			return a;
		break;
	case 5: { /* one the kernel may still hold, often early in its batch */
		int pick = -1, seen = 0;
		for (int i = 0; i < r->ndec; i++) {
			const struct nref_dec *d = &r->dec[i];
			if (d->dead || nref_pool_pos(r, d->node, d->idx, d->succ) < 0 ||
			    !nref_is_free(r, d->start, d->start + (d->idx + 1) * PG))
				continue;
			if (pick < 0 || rng_below(g, (u64)++seen) == 0)
				pick = i;
		}
		if (pick >= 0) {
			const struct nref_dec *d = &r->dec[pick];
			*q = (struct req){(d->idx + 1) * PG, PG, r->vstart, r->vend, d->node + r->nn};
			return d->start;
		}
		break;
	}
	case 0: {
		unsigned n = (unsigned)rng_below(g, r->nn);
		if (k < NREF_POOLS && r->plen[n][k])
			return r->pool[n][k][rng_below(g, r->plen[n][k])];
		break;
	}
	case 1:
		for (int i = 0; i < r->nh; i++)
			if (r->hid[i].end - r->hid[i].start == q->size)
				return r->hid[i].start;
		break;
	case 2:
		if (r->nb)
			return r->busy[rng_below(g, (u64)r->nb)].start;
		break;
	default: {
		int i = (int)rng_below(g, (u64)r->nf);
		u64 s = (r->fr[i].start + q->align - 1) & ~(q->align - 1);
		if (s + q->size <= r->fr[i].end) {
			u64 slots = (r->fr[i].end - q->size - s) / q->align + 1;
			return s + rng_below(g, slots) * q->align;
		}
	}
	}
	bool pool;
	return nref_pick((struct nref *)r, q->size, q->align, q->vs, q->ve, q->cpu, false, &a, &pool) ? 0 : a;
}

static void one_step(struct rng *g, struct vmlist *v, struct nref *r, long step, bool follow)
{
	u64 k = rng_below(g, 100), a = 0, b = 0, sz;
	struct req q = rand_req(g, r->vend, r->nn);
	if (k < 55 && !(follow && k < 30)) {
		int want = nref_alloc(r, q.size, q.align, q.vs, q.ve, q.cpu, &a);
		int got = vmlist_alloc_cpu(v, q.size, q.align, q.vs, q.ve, q.cpu, &b);
		cr_assert_eq(got, want, "step %ld: alloc", step);
		if (!want)
			cr_assert_eq(b, a, "step %ld: alloc at %#llx, reference %#llx", step,
				     (unsigned long long)b, (unsigned long long)a);
	} else if (k < 55) {
		struct vmlist_pick pick;
		u64 addr = rand_place_addr(g, r, &q);
		/* the kernel's areas lie inside the space and fit their window */
		if (!addr || q.size > r->vend - addr || q.size > (q.ve & ~(PG - 1)) - q.vs)
			return;
		int psrc = -1, want = nref_place(r, q.size, q.align, q.vs, q.ve, q.cpu, addr, &psrc);
		int got = vmlist_place(v, q.size, q.align, q.vs, q.ve, q.cpu, addr, &pick);
		cr_assert_eq(
			got, want,
			"step %ld: place %#llx size %#llx align %#llx [%#llx,%#llx) cpu %u: %d vs ref %d",
			step, (unsigned long long)addr, (unsigned long long)q.size,
			(unsigned long long)q.align, (unsigned long long)q.vs, (unsigned long long)q.ve,
			q.cpu, got, want);
		if (!want)
			cr_assert_eq(pick.src, psrc, "step %ld: place source", step);
	} else if (k < 60 && follow && r->nb) { /* a seeded area whose owner is a guess */
		u64 s = r->busy[rng_below(g, (u64)r->nb)].start;
		nref_set_owner(r, s, q.cpu, true, true);
		vmlist_set_owner(v, s, q.cpu, true, true);
	} else if (k < 90 && r->nb) {
		u64 s = r->busy[rng_below(g, (u64)r->nb)].start;
		cr_assert_eq(vmlist_free(v, s, &sz), nref_free(r, s), "step %ld: free", step);
	} else if (k < 98) { /* a purge of some busy areas */
		bool full = rng_below(g, 10) == 0;
		nref_purge_begin(r, full);
		vmlist_purge_begin(v, full);
		for (u64 n = rng_below(g, stack_mix ? 150 : 30); n-- && r->nb;) {
			u64 s = r->busy[rng_below(g, (u64)r->nb)].start;
			cr_assert_eq(vmlist_free(v, s, &sz), nref_free(r, s), "step %ld: purge free", step);
		}
		nref_purge_end(r);
		vmlist_purge_end(v);
	} else { /* predict changes nothing and says where alloc would go */
		struct vmlist_pick pick;
		int want = nref_predict(r, q.size, q.align, q.vs, q.ve, q.cpu, &a);
		int got = vmlist_predict(v, q.size, q.align, q.vs, q.ve, q.cpu, &pick);
		cr_assert_eq(got, want, "step %ld: predict", step);
		if (!want)
			cr_assert_eq(pick.addr, a, "step %ld: predict", step);
		hidden_predicted += !want && pick.src == VMLIST_SRC_HIDDEN;
		unsigned n = q.cpu % r->nn;
		u64 pk = (q.size - 1) / PG;
		stride_skipped += !want && nref_full(r, q.vs, q.ve) && pk < NREF_POOLS && r->stride[n][pk] &&
				  a == nref_stride_next(r, q.size, q.align, q.vs, n) &&
				  a + r->stride[n][pk] < r->last[n][pk];
		hunt_predicted += !want && nref_full(r, q.vs, q.ve) &&
				  a == nref_hunt_fit(r, q.size, q.align, q.vs, q.ve, q.cpu % r->nn);
	}
}

static void random_workload(u64 seed, unsigned nn, u64 pages, long steps, bool follow)
{
	static struct nref r;
	struct vmlist v;
	struct rng g;
	rng_seed(&g, seed);
	u64 vend = BASE + pages * PG;
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = vend, .nr_nodes = nn};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	nref_init(&r, BASE, vend, nn);
	for (long step = 0; step < steps; step++) {
		one_step(&g, &v, &r, step, follow);
		compare(&v, &r, step);
	}
	/* the workload reached every rule it is meant to test */
	const struct vmlist_nodes_stats *ns = vmlist_nodes_stats(&v);
	if (nn > 1) {
		cr_assert_gt(ns->pool_hits, 0);
		cr_assert_gt(ns->pool_rotates, 0);
		cr_assert_gt(ns->decayed, 0);
		cr_assert_gt(ns->pooled, 0);
	} else {
		cr_assert_eq(ns->pooled, 0);
	}
	if (follow) {
		cr_assert_gt(ns->hidden, 0);
		cr_assert_gt(ns->resynced, 0);
		cr_assert(!stack_mix || ns->undecayed > 0);
		cr_assert(stack_mix || ns->owners_learned > 0, "no guessed owner was revised");
		cr_assert_gt(hidden_predicted, 0, "no hidden slot was predicted");
		cr_assert_eq(ns->owners_learned, r.owners_learned);
		cr_assert_gt(ns->hunts, 0, "no tree pick ate a hidden slot");
		cr_assert_eq(ns->hunts, r.hunts);
		cr_assert_gt(hunt_predicted, 0, "no hunt was predicted");
		cr_assert(!stack_mix || stride_skipped > 0, "no stride run went past a slot an area holds");
	}
	cr_assert_gt(v.st.failures, 0);
	vmlist_fini(&v);
	nref_fini(&r);
}

Test(vmlist_nodes, random_against_reference_two_nodes)
{
	random_workload(1, 2, 2048, 6000, false);
}

Test(vmlist_nodes, random_against_reference_three_nodes_small_space)
{
	random_workload(2, 3, 512, 6000, false); /* fills up: failures and forced states */
}

Test(vmlist_nodes, random_follow_against_reference)
{
	random_workload(3, 2, 2048, 6000, true);
	random_workload(4, 3, 700, 4000, true);
}

Test(vmlist_nodes, random_follow_stacks_against_reference)
{
	stack_mix = true; /* long stack pools: decays reach entries the kernel still holds (rule 5) */
	random_workload(6, 2, 4096, 6000, true);
	stack_mix = false;
}

Test(vmlist_nodes, random_one_node_is_a_tree)
{
	random_workload(5, 1, 2048, 3000, false); /* no node_alloc: pools stay empty */
}
