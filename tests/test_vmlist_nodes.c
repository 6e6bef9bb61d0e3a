/* The nodes vmlist against the slow reference of vmlist_nodes_ref.h on random workloads: after
 * every operation (CPU-aware allocation, free, purge with its decay, follow-mode placement) the
 * answers, every range of the space (free, busy with its owner node, pool entry, hidden slot)
 * and every pool's order must be identical, and the invariant check must pass. */
#include <criterion/criterion.h>

#include "core/lib/rng.h"
#include "tests/vmlist_nodes_ref.h"

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
	switch (stack_mix && rng_below(g, 2) ? 5 : rng_below(g, 8)) {
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

/* Rule 5 step by step: 40 stacks of node 0 purged into its pool (head = highest address), a
 * second purge decays the 10 highest; the kernel then takes the 8th of those: it had decayed
 * only 7, so the 8th, 9th and 10th are still in its pool ahead of the model's head. */
Test(vmlist_nodes, follow_undecays_what_the_kernel_kept)
{
	struct vmlist v;
	u64 a[40], sz, pool[64];
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(vmlist_alloc_cpu(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &a[i]), 0);
	vmlist_purge_begin(&v, false);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(vmlist_free(&v, a[i], &sz), 0);
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 64), 40);
	cr_assert_eq(pool[0], a[39]);  /* highest first */
	vmlist_purge_begin(&v, false); /* decays a[39] .. a[30] */
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 64), 30);
	cr_assert_eq(pool[0], a[29]);
	struct vmlist_pick how;
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, a[32], &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_DECAYED);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 64), 32); /* a[31], a[30], then a[29] ... */
	cr_assert_eq(pool[0], a[31]);
	cr_assert_eq(pool[1], a[30]);
	cr_assert_eq(pool[2], a[29]);
	cr_assert_eq(vmlist_nodes_stats(&v)->undecayed, 3);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, a[31]);
	/* an entry the model decayed from node 0 is no pool entry to node 1: the usual rules */
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 1, a[36], &how), 0);
	cr_assert_neq(how.src, VMLIST_SRC_DECAYED);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* node_pool_del_va moves an unaligned head to the tail and misses with the pool not empty: the
 * kernel's tree pick then says nothing of the pool (rules 1-2 do not apply), its entries stay. */
Test(vmlist_nodes, follow_keeps_a_pool_that_missed_at_an_unaligned_head)
{
	struct vmlist v;
	u64 a[3], sz, pool[8];
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	for (int i = 0; i < 3; i++) /* page-aligned: BASE, +5, +10 pages */
		cr_assert_eq(vmlist_alloc_cpu(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &a[i]), 0);
	cr_assert_eq(a[2], BASE + 10 * PG);
	vmlist_purge_begin(&v, false);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(vmlist_free(&v, a[i], &sz), 0);
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 8), 3);
	cr_assert_eq(pool[0], a[2]); /* not 4-page aligned */
	struct vmlist_pick how;
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, how.addr, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 8), 3, "the pool missed, it was not empty");
	cr_assert_eq(pool[0], a[1]);
	cr_assert_eq(pool[2], a[2]);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* A seeded area's owner is a guess: when the kernel's pool of the guessed node skips it, it was
 * the other node's (two nodes): it moves there, in its batch's descending order, instead of
 * back to the tree. */
Test(vmlist_nodes, follow_moves_a_guessed_owner_to_the_other_pool)
{
	struct vmlist v;
	u64 a[3], sz, pool[8];
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(vmlist_alloc_cpu(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &a[i]), 0);
	vmlist_set_owner(&v, a[2], 0, true, true); /* node 0, a guess */
	vmlist_purge_begin(&v, false);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(vmlist_free(&v, a[i], &sz), 0);
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 8), 3);
	cr_assert_eq(pool[0], a[2]);
	struct vmlist_pick how;
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, a[1], &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_POOL_DEEP);
	cr_assert_eq(vmlist_nodes_stats(&v)->owners_learned, 1);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 8), 1);
	cr_assert_eq(pool[0], a[0]);
	cr_assert_eq(vmlist_nodes_pool(&v, 1, 4, pool, 8), 1, "the guessed entry is node 1's now");
	cr_assert_eq(pool[0], a[2]);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 1, &how), 0);
	cr_assert_eq(how.addr, a[2]);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* Hidden slots are predicted: after the kernel took a hidden slot for a pool the model sees
 * empty, the next is the highest hidden slot of that size below it; slots the kernel passes
 * over are the other node's (two nodes) and not predicted for this one again. */
Test(vmlist_nodes, follow_predicts_hidden_slots_below_the_cursor)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	struct vmlist_pick how;
	/* the kernel's first stack at slot 4 (every 8 pages): slots 0-3 are hidden */
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, BASE + 32 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_nodes_stats(&v)->hidden, 4);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE, "no cursor yet: the tree");
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, BASE + 24 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(how.addr, BASE + 16 * PG);
	/* the kernel skips slot 2: node 1's */
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, BASE + 8 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE, "slot 2 is node 1's: slot 0 next");
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* The kernel took its pool's size from the tree: its pool was empty, so the model's entries
 * were not in it; those below the kernel's pick are not in its tree either (it took its lowest
 * fit): they are hidden, not given back to the tree and predicted next. */
Test(vmlist_nodes, follow_hides_a_flushed_pool_below_the_kernels_pick)
{
	struct vmlist v;
	u64 a[4], sz, pool[8];
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	for (int i = 0; i < 4; i++) /* [0,2) [2,4) [4,6) node 1's, [6,8) node 0's */
		cr_assert_eq(vmlist_alloc_cpu(&v, 2 * PG, PG, cfg.vstart, cfg.vend, i < 3 ? 1 : 0, &a[i]), 0);
	cr_assert_eq(a[3], BASE + 6 * PG);
	vmlist_purge_begin(&v, false);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(vmlist_free(&v, a[i], &sz), 0);
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 1, 1, pool, 8), 3);
	struct vmlist_pick how;
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 8 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_nodes_pool(&v, 1, 1, pool, 8), 0, "the kernel's pool was empty");
	cr_assert_eq(vmlist_nodes_stats(&v)->hidden, 3);
	cr_assert_eq(vmlist_predict(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 1, &how), 0);
	cr_assert_eq(how.addr, BASE + 10 * PG, "not the flushed entries: the kernel passed over them");
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* A tree pick over a hidden slot: that slot was a pool entry the kernel's purge had decayed, and
 * the kernel's lowest fits go on ascending through the hidden slots decayed with it: the pool
 * hunts, predicting the lowest place above its last pick in free or hidden space, for as long
 * as the kernel's picks eat hidden space or fall where the hunt said. */
Test(vmlist_nodes, follow_hunts_the_hidden_slots_of_a_decayed_pool)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	struct vmlist_pick how;
	/* a stack at page 32: 5-page slots at 0, 8, 16 and 24 are hidden, 3 free pages after each */
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, BASE + 32 * PG, &how), 0);
	cr_assert_eq(vmlist_nodes_stats(&v)->hidden, 4);
	/* 4-page areas of node 1: the kernel's first eats the slot at 8 */
	cr_assert_eq(vmlist_place(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 7 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_nodes_stats(&v)->hunts, 1);
	cr_assert_eq(vmlist_predict(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 1, &how), 0);
	cr_assert_eq(how.addr, BASE + 11 * PG);
	cr_assert_eq(vmlist_place(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 11 * PG, &how), 0);
	/* [15,16) is free, the slot at 16 hidden: the tree's lowest fit is above the stack */
	cr_assert_eq(vmlist_predict(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 1, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(how.addr, BASE + 15 * PG, "the hunt goes on through the next hidden slot");
	/* the other node does not hunt */
	cr_assert_eq(vmlist_predict(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_gt(how.addr, BASE + 32 * PG);
	cr_assert_eq(vmlist_place(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 15 * PG, &how), 0);
	cr_assert_eq(vmlist_nodes_stats(&v)->hunts, 2);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* A hunting pool's kernel pick that is exactly a hidden slot, where the hunt said: the kernel's
 * lowest fit, tree space the model had hidden (a pool's take would have come from its head, not
 * the hunt's place): a tree pick, and the hunt goes on above it. Read as a pool take, the next
 * prediction looked below it for the pool's next hidden entry, and every third or fourth pick
 * of an ascending run through such slots missed. */
Test(vmlist_nodes, follow_a_hidden_slot_where_the_hunt_said_is_a_tree_pick)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	struct vmlist_pick how;
	/* node 0's 2-page area at page 10: slots at 0, 2, 4, 6 and 8 are hidden */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 10 * PG, &how), 0);
	cr_assert_eq(vmlist_nodes_stats(&v)->hidden, 5);
	/* node 1's 3-page area eats the slots at 2 and 4: [3, 6) busy, [2, 3) free */
	cr_assert_eq(vmlist_place(&v, 3 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 3 * PG, &how), 0);
	/* node 0 takes [1, 3) from its tree, over the slot at 0: a hunt starts there */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 1 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_predict(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE + 6 * PG);
	/* the kernel takes the hidden slot at 6, where the hunt said */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 6 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(vmlist_predict(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE + 8 * PG,
		     "the hunt goes on: the next hidden slot up, not the tree above");
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* The kernel took a hidden slot while the model's pool had entries: its pool gave hidden
 * entries (pooled before the recording) in front of the model's, and gives the next of them
 * before the model's head, highest first below the last. */
Test(vmlist_nodes, follow_gives_hidden_entries_in_front_of_the_pool_first)
{
	struct vmlist v;
	u64 a[2], sz, pool[8];
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	for (int i = 0; i < 2; i++) /* [0, 2) and [2, 4), node 0's, purged into its pool */
		cr_assert_eq(vmlist_alloc_cpu(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, &a[i]), 0);
	vmlist_purge_begin(&v, false);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(vmlist_free(&v, a[i], &sz), 0);
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 1, pool, 8), 2);
	struct vmlist_pick how;
	/* node 1 takes page 12 from its tree: the slots at 4, 6, 8 and 10 are hidden */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 12 * PG, &how), 0);
	cr_assert_eq(vmlist_nodes_stats(&v)->hidden, 4);
	/* node 0's kernel pool gives the hidden slot at 8, not the model's head */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 8 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 1, pool, 8), 2, "the model's entries may still follow");
	cr_assert_eq(vmlist_predict(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(how.addr, BASE + 6 * PG, "the next hidden entry in front of the model's");
	/* the kernel takes the model's head: the hidden front is done */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, pool[0], &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_POOL);
	cr_assert_eq(vmlist_predict(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_POOL);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* Descending picks the model's pool did not give are a pool handing out a purge's batch the
 * model never saw (highest first; the tree's lowest fits never descend): the next entry is one
 * stride below (the run's smallest step), over free space or hidden slots, a hidden slot at
 * that place continues the run, and an ascending pick ends it. */
Test(vmlist_nodes, follow_continues_an_unseen_batch_one_stride_down)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	struct vmlist_pick how;
	/* 5-page areas of node 0: the first at page 400 hides the 5-page slots below it */
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 400 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 392 * PG, &how), 0);
	for (u64 a = 384; a > 360; a -= 8) {
		cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
		cr_assert_eq(how.addr, BASE + a * PG, "one stride below the last pick");
		cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + a * PG, &how), 0);
	}
	/* 360 is exactly a hidden slot: taken where the stride said, the run goes on */
	cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE + 360 * PG);
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 360 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE + 352 * PG);
	/* the other node has no run */
	cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 1, &how), 0);
	cr_assert_neq(how.addr, BASE + 352 * PG);
	/* an ascending pick ends the run */
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 1000 * PG, &how), 0);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_neq(how.addr, BASE + 992 * PG);
	cr_assert_neq(how.addr, BASE + 352 * PG);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}
