/* Fidelity on the machine recordings (data/recordings): seeded from the start snapshot, replayed
 * from the time it was read, the nodes model in follow mode predicts the kernel's address for
 * >= 90 % of the allocations after the first purge on d_threads4, d_mixed5 and d_bpf3 and >= 99 %
 * on d_seccomp_p (d_bpf2 stays below: pools filled before the recording,
 * docs/vmalloc-fidelity.md), keeps the end snapshot's
 * state, and in predict mode with the model's own purge timing purges as often as the kernel
 * within one. vmalloc's bulk pages explain the unmatched order-0 frees of k_threads2. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench/cli/commands.h"
#include "core/lib/rng.h"
#include "bench/output/csvread.h"
#include "bench/run/replay.h"
#include "workloads/trace/trace.h"
#include "bench/output/metrics.h"
#include "tests/rec_testutil.h"
#include "core/phys/buddy.h"
#include "core/kva/vmalloc.h"
#include "core/kva/vmap_lazyq.h"
#include "core/machine/sim.h"

/* The recording replayed as `mmreplay replay DIR --vmlist nodes --vmap-mode M --purge P` (the
 * directory seeds the space, starts the replay when the snapshot was read, compares the end). */
static struct replay_row run(struct rec_run *r, bool follow, const char *purge)
{
	char p[64];
	snprintf(p, sizeof(p), "purge=%s", purge);
	const char *const set[] = {"vmlist=nodes", follow ? "vmap-mode=follow" : "vmap-mode=predict", p,
				   NULL};
	struct replay_row row;
	rec_replay(r, set, &row);
	return row;
}

static void check(const char *name, double min_warm, double min_ceiling, double max_ceiling)
{
	struct rec_run r;
	rec_open(&r, name);
	struct replay_row row = run(&r, true, "trace");
	const struct sim *s = row.sim;
	const struct vmap_fidelity *f = &s->vfid;
	/* two CPUs: two vmap nodes; the start snapshot seeds every area of the vmalloc space */
	cr_assert_eq(s->vm.cfg.nr_nodes, 2);
	cr_assert_eq(s->vm.st.seeded_areas + f->seed_outside, s->cfg.vmalloc_state->n);
	/* the columns the registry writes are these counters */
	char v[64];
	struct metric_src src = {.trace = row.trace, .st = &row.st, .host = &row.host};
	cr_assert_eq(metric_get("vmap_addr_exact_warm", METRIC_IN_REPLAY, &src, v, sizeof(v)), 0);
	cr_assert_eq(strtoull(v, NULL, 10), f->exact_warm);
	cr_assert_eq(metric_get("vmalloc_end_matched", METRIC_IN_REPLAY, &src, v, sizeof(v)), 0);
	cr_assert_eq(strtoull(v, NULL, 10), f->end_matched);
	cr_assert_eq(metric_get("events_skipped", METRIC_IN_REPLAY, &src, v, sizeof(v)), 0);
	cr_assert_eq(strtoull(v, NULL, 10), f->skipped);
	cr_assert_gt(f->skipped, 0);
	cr_assert_eq(f->checked, s->per_kind[MME_VMAP_ALLOC]);
	double warm = (double)f->exact_warm / (double)f->checked_warm;
	cr_assert_geq(warm, min_warm, "%s: %.3f after the first purge", name, warm);
	/* the ceiling: never-shown pool entries no model can name; classes add up */
	struct vmap_reveal_stats rv;
	vmap_reveal_read(&f->rv, &rv);
	cr_assert(!rv.failed);
	cr_assert_eq(rv.n[VMAP_CLS_SEEN] + rv.n[VMAP_CLS_NEW_POOL] + rv.n[VMAP_CLS_NEW_TREE],
		     f->checked_warm);
	cr_assert_eq(rv.exact[VMAP_CLS_SEEN] + rv.exact[VMAP_CLS_NEW_POOL] + rv.exact[VMAP_CLS_NEW_TREE],
		     f->exact_warm);
	cr_assert_leq(rv.unrevealed, rv.n[VMAP_CLS_NEW_POOL] - rv.exact[VMAP_CLS_NEW_POOL], "%s", name);
	double ceiling = (double)(f->checked_warm - rv.unrevealed) / (double)f->checked_warm;
	cr_assert_leq(ceiling, max_ceiling, "%s: ceiling %.3f", name, ceiling);
	cr_assert_geq(ceiling, min_ceiling, "%s: ceiling %.3f", name, ceiling);
	cr_assert_eq(s->vm.st.follow_conflicts, 0, "%s", name);
	cr_assert_leq(s->vm.st.early_purges, f->ntrace, "%s", name); /* each ahead of its event */
	/* the trace's purges, at the trace's times: as many, of nearly the same sizes */
	cr_assert_eq(f->nmodel, f->ntrace, "%s", name);
	cr_assert_geq(vmap_fid_purges_size_exact(f), f->ntrace - 2, "%s", name);
	/* the end snapshot: every busy and lazy area of the space as in the kernel */
	cr_assert_gt(f->end_areas, 200);
	cr_assert_geq(f->end_matched * 100, f->end_areas * 99, "%s: %llu of %llu", name,
		      (unsigned long long)f->end_matched, (unsigned long long)f->end_areas);
	replay_row_fini(&row);
	/* predict mode, the model's own drain timing: the kernel's purge count within one */
	row = run(&r, false, "model");
	f = &row.sim->vfid;
	cr_assert_leq(llabs((long long)f->nmodel - (long long)f->ntrace), 1, "%s: %llu vs %llu purges", name,
		      (unsigned long long)f->nmodel, (unsigned long long)f->ntrace);
	cr_assert_eq(f->checked, row.sim->per_kind[MME_VMAP_ALLOC]);
	replay_row_fini(&row);
	rec_close(&r);
}

Test(vmap_fidelity, d_threads4, .timeout = 300)
{
	check("d_threads4", 0.90, 0.99, 1.0);
}

Test(vmap_fidelity, d_mixed5, .timeout = 300)
{
	check("d_mixed5", 0.90, 0.99, 1.0);
}

/* Below the 0.90: many of its allocations after the first purge take pool entries left
 * by an earlier workload, at addresses the recording never showed (docs/vmalloc-fidelity.md);
 * a batch's stride names most of them now (70 % before); the floor keeps today's 83 % from
 * regressing, and the misses excused as never-shown entries stay below 10 %. */
Test(vmap_fidelity, d_bpf2, .timeout = 300)
{
	check("d_bpf2", 0.83, 0.90, 0.97);
}

/* Recorded with the vmap pools emptied before the start snapshot (record-machine.sh -p): no
 * allocation can take a never-shown pool entry, the ceiling is 100 %, and the 0.90
 * holds. Its first purge reuses a lazy area of the snapshot before the purge's event (trace
 * lines 134747-134748): that purge runs early instead of a conflict (4 of them, cascading,
 * before); its stack pools miss at unaligned heads (87.9 % when that emptied them). */
Test(vmap_fidelity, d_bpf3, .timeout = 300)
{
	check("d_bpf3", 0.90, 1.0, 1.0);
}

/* A seccomp filter storm recorded with the pools emptied (-p): 1-page filters and stacks, freed
 * by exiting tasks on either CPU. Before owners were learned and hidden slots predicted, one
 * wrong inference emptied a pool and every later pick of it missed: 18.2 % after the first
 * purge against a ceiling of 99.9 %; now 99.7 %. */
Test(vmap_fidelity, d_seccomp_p, .timeout = 300)
{
	check("d_seccomp_p", 0.99, 0.99, 1.0);
}

/* The longest non-decreasing subsequence by brute force (O(n^2)). */
static u64 lnds_slow(const u64 *x, int n)
{
	u64 best = 0, len[64];
	for (int i = 0; i < n; i++) {
		len[i] = 1;
		for (int j = 0; j < i; j++)
			if (x[j] <= x[i] && len[j] + 1 > len[i])
				len[i] = len[j] + 1;
		best = MM_MAX(best, len[i]);
	}
	return best;
}

/* The ceiling's bound against the obvious one on random intervals: per interval and request
 * shape, the new pool-sized addresses the model missed minus their longest non-decreasing run
 * (a model that named an entry could see it); shown addresses, cold allocations and tree-only
 * ones never count. */
Test(vmap_fidelity, reveal_bound_against_brute_force)
{
	struct rng g;
	rng_seed(&g, 11);
	for (int round = 0; round < 200; round++) {
		struct vmap_reveal r = {0};
		u64 want = 0, x[2][64], shown[256];
		int nx[2] = {0, 0}, nshown = 0;
		shown[nshown++] = 0x1000 * (1 + rng_below(&g, 60)); /* in the start snapshot */
		vmap_reveal_note(&r, shown[0]);
		shown[nshown++] = 0x2000; /* cold: shown, not classed */
		vmap_reveal_alloc(&r, 0x2000, 0x5000, 0x4000, true, false, false);
		for (int i = 0, n = (int)rng_below(&g, 60); i < n; i++) {
			if (rng_below(&g, 12) == 0) { /* a purge closes the interval */
				for (int k = 0; k < 2; k++)
					want += (u64)nx[k] - lnds_slow(x[k], nx[k]);
				nx[0] = nx[1] = 0;
				vmap_reveal_purge(&r);
				continue;
			}
			int k = (int)rng_below(&g, 2); /* two request shapes */
			u64 a = 0x1000 * (1 + rng_below(&g, 64)) + (u64)k * 0x100000;
			bool pool = rng_below(&g, 8) != 0, fresh = true, exact = rng_below(&g, 4) == 0;
			for (int t = 0; t < nshown; t++)
				fresh = fresh && shown[t] != a;
			if (pool && fresh && !exact)
				x[k][nx[k]++] = a;
			if (fresh)
				shown[nshown++] = a;
			vmap_reveal_alloc(&r, a, 0x5000 + (u64)k * 0x1000, 0x1000, pool, true, exact);
		}
		for (int k = 0; k < 2; k++)
			want += (u64)nx[k] - lnds_slow(x[k], nx[k]);
		struct vmap_reveal_stats st;
		vmap_reveal_read(&r, &st);
		cr_assert_eq(st.unrevealed, want, "round %d", round);
		cr_assert_eq(st.n[VMAP_CLS_SEEN] + st.n[VMAP_CLS_NEW_POOL] + st.n[VMAP_CLS_NEW_TREE],
			     st.n[VMAP_CLS_SEEN] + (u64)nshown - 2, "round %d", round);
		vmap_reveal_fini(&r);
	}
}

/* The trace's purge event fires at the end of __purge_vmap_area_lazy, after the pools were
 * filled: another CPU may already reuse a purged area. Follow mode then runs that purge at the
 * allocation (no conflict), takes the area without reading the entries pooled after it as
 * decayed, and the purge is not run again at its event (purges_ahead). */
Test(vmap_fidelity, a_lazy_area_reused_before_its_purge_event)
{
	struct buddy bd;
	struct buddy_cfg bc = {0x100000, 1 << 16, BUDDY_DEFAULT_MAX_ORDER, buddy_policy_find("lifo")};
	cr_assert_eq(buddy_init(&bd, &bc), 0);
	static struct vmalloc vm;
	struct vmalloc_cfg vc;
	vmalloc_cfg_default(&vc);
	vc.vmlist = vmlist_find("nodes");
	vc.nr_nodes = 2;
	vc.guard = VMALLOC_GUARD_INCLUDED;
	vc.purge = VMALLOC_PURGE_TRACE;
	cr_assert_eq(vmalloc_init(&vm, &vc, &bd), 0);
	const u64 sz = 5 * MM_PAGE_SIZE, al = 4 * MM_PAGE_SIZE, vs = vc.vstart, ve = vc.vend;
	u64 a[8], got;
	struct vmlist_pick pred, how;
	vm.cpu = 0;
	for (int i = 0; i < 8; i++)
		cr_assert_eq(vmalloc_alloc(&vm, sz, al, vs, ve, &a[i]), 0);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(vmalloc_vfree(&vm, a[i]), 0);
	cr_assert_eq(vm.tlb.nr_purge, 8, "lazy: no purge before the trace's event");
	/* the kernel's node 0 reuses a[3] before the purge event: pooled a[0..3], then a[4..7] */
	cr_assert_eq(vmalloc_alloc_follow(&vm, sz, al, vs, ve, a[3], &pred, &how, &got), 0);
	cr_assert_eq(got, a[3]);
	cr_assert_eq(vm.st.follow_conflicts, 0);
	cr_assert_eq(vm.st.early_purges, 1);
	cr_assert_eq(vm.purges_ahead, 1);
	cr_assert_eq(vm.tlb.nr_purge, 0);
	cr_assert_eq(how.src, VMLIST_SRC_POOL_DEEP);
	/* the entries ahead of a[3] stay pooled: the next pick is the pool's head, a[7] */
	cr_assert_eq(vmalloc_predict(&vm, sz, al, vs, ve, &pred), 0);
	cr_assert_eq(pred.addr, a[7]);
	cr_assert_eq(pred.src, VMLIST_SRC_POOL);
	/* a busy area is still a conflict, and no purge runs for it */
	cr_assert_eq(vmalloc_alloc_follow(&vm, sz, al, vs, ve, a[3], &pred, &how, &got), 0);
	cr_assert_eq(vm.st.follow_conflicts, 1);
	cr_assert_eq(vm.st.early_purges, 1);
	vmalloc_fini(&vm);
	buddy_fini(&bd);
}

/* Since 5.x vm_area_alloc_pages takes order-0 pages with alloc_pages_bulk (no mm_page_alloc)
 * while vfree's frees are traced: nearly all of k_threads2's unmatched frees are those, about
 * 4 pages for each of its 9648 stack vfrees. */
Test(vmap_fidelity, k_threads2_unmatched_frees_are_vmalloc_bulk_pages, .timeout = 300)
{
	struct mm_trace t;
	struct mm_diag d = {{0}};
	cr_assert_eq(trace_load(MMREPLAY_DATA_DIR "/traces/k_threads2.perf.txt.zst", NULL, &t, &d), 0, "%s",
		     d.msg);
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.ncpus = sim_trace_ncpus(t.ev, t.n);
	struct replay_row row;
	cr_assert_eq(replay_run("k", t.ev, t.n, &cfg, &row), 0);
	const struct sim *s = row.sim;
	u64 bulk = s->vfid.bulk_frees, unmatched = s->pages.st.unmatched_frees;
	cr_assert_leq(bulk, 4 * s->vm.st.vfrees);
	cr_assert_geq(bulk * 100, 4 * s->vm.st.vfrees * 99, "%llu bulk frees", (unsigned long long)bulk);
	cr_assert_geq(bulk * 100, unmatched * 95, "%llu of %llu", (unsigned long long)bulk,
		      (unsigned long long)unmatched);
	replay_row_fini(&row);
	trace_free(&t);
}

/* The command end to end: a recording directory in, the report out, the CSV with the agreement
 * columns; bad values are usage errors; replay takes the same settings. */
Test(vmap_fidelity, commands, .timeout = 300)
{
	char dir[] = "/tmp/mmreplay_vfid_XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char out[256];
	snprintf(out, sizeof(out), "%s/f.csv", dir);
	char *argv[] = {"vmalloc-fidelity", "--mismatches", "2", "--out", out, REC_DIR "d_mixed5", NULL};
	cr_assert_eq(cmd_vmalloc_fidelity(6, argv), MM_EXIT_OK);
	struct csvtab t;
	struct mm_diag d = {{0}};
	cr_assert_eq(csvtab_read(out, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.nrows, 1);
	int chk = csvtab_col(&t, "vmap_addr_checked_warm"), ex = csvtab_col(&t, "vmap_addr_exact_warm");
	cr_assert(chk >= 0 && ex >= 0 && csvtab_col(&t, "vmalloc_end_matched") >= 0);
	cr_assert_geq(atof(t.rows[0][ex]) / atof(t.rows[0][chk]), 0.90);
	cr_assert_str_eq(t.rows[0][csvtab_col(&t, "vmap_mode")], "follow");
	cr_assert_str_eq(t.rows[0][csvtab_col(&t, "purge")], "trace");
	csvtab_free(&t);
	remove(out);
	char *bad[] = {"vmalloc-fidelity", "--purge", "later", REC_DIR "d_mixed5", NULL};
	cr_assert_eq(cmd_vmalloc_fidelity(4, bad), MM_EXIT_USAGE);
	char *missing[] = {"vmalloc-fidelity", "/nonexistent/recording", NULL};
	cr_assert_eq(cmd_vmalloc_fidelity(2, missing), MM_EXIT_FAIL);
	/* replay: the old behaviour's settings are accepted, a bad one is a usage error (another
	 * output file: one run never writes a path twice, even after removing it) */
	char rout[256];
	snprintf(rout, sizeof(rout), "%s/r.csv", dir);
	char *rep[] = {"replay",
		       "--flush-ceiling",
		       "0",
		       "--purge",
		       "inline",
		       "--vmap-mode",
		       "predict",
		       "--vmlist",
		       "nodes",
		       "--tlb",
		       "lazy",
		       "--buddy",
		       "lifo",
		       "--quiet",
		       "--out",
		       rout,
		       MMREPLAY_DATA_DIR "/traces/k_fork.perf.txt.zst",
		       NULL};
	cr_assert_eq(cmd_replay(17, rep), MM_EXIT_OK);
	cr_assert_eq(csvtab_read(rout, &t, &d), 0, "%s", d.msg);
	cr_assert_str_eq(t.rows[0][csvtab_col(&t, "purge")], "inline");
	cr_assert_str_eq(t.rows[0][csvtab_col(&t, "flush_ceiling")], "0");
	csvtab_free(&t);
	char *rbad[] = {"replay", "--vmap-nodes", "0", rout, NULL};
	cr_assert_eq(cmd_replay(4, rbad), MM_EXIT_USAGE);
	remove(rout);
	rmdir(dir);
}

/* nr_vmap_nodes follows the possible CPUs: at least the count nr_lazy_max implies, and every
 * CPU the trace shows; the purge timing follows the trace's own purge events. */
Test(vmap_fidelity, trace_defaults)
{
	struct mm_event ev[3] = {{.kind = MME_PAGE_ALLOC, .cpu = 5}, {.kind = MME_VMAP_FREE, .aux = 16384}};
	cr_assert_eq(sim_trace_vmap_nodes(ev, 2, sim_trace_ncpus(ev, 2)), 6);
	cr_assert_eq(sim_trace_vmap_nodes(ev + 1, 1, sim_trace_ncpus(ev + 1, 1)), 2);
	cr_assert_eq(sim_trace_purge_mode(ev, 2), VMALLOC_PURGE_MODEL);
	ev[2] = (struct mm_event){.kind = MME_VMAP_PURGE, .aux = 3};
	cr_assert_eq(sim_trace_purge_mode(ev, 3), VMALLOC_PURGE_TRACE);
}

/* MODEL purge timing learns the kernel's drain delay from the trace: the vmalloc calls between
 * the vfree that crossed nr_lazy_max (the first since the last purge) and the purge event. */
Test(vmap_fidelity, model_purge_timing_learns_the_trace_drain_delay)
{
	for (int learn = 0; learn < 2; learn++) {
		struct sim_cfg cfg;
		sim_cfg_default(&cfg);
		cfg.purge = VMALLOC_PURGE_MODEL;
		cfg.purge_learn_off = !learn;
		static struct sim s;
		cr_assert_eq(sim_init(&s, &cfg), 0);
		/* nr_lazy (len2) against nr_lazy_max (aux): 100, then the crossing, then 3 more calls */
		const u64 lazy[] = {100, 20000, 20005, 20010, 20015};
		for (unsigned i = 0; i < MM_ARRAY_SIZE(lazy); i++) {
			struct mm_event f = {.kind = MME_VMAP_FREE,
					     .addr = 0xffffc90000000000ULL + i * 0x10000,
					     .aux = 16384,
					     .len2 = lazy[i],
					     .ts_ns = i + 1};
			cr_assert_eq(sim_event(&s, &f), 0);
		}
		struct mm_event p = {.kind = MME_VMAP_PURGE, .aux = 5, .ts_ns = 10};
		cr_assert_eq(sim_event(&s, &p), 0);
		cr_assert_eq(s.vm.ndrain_seen, 1);
		cr_assert_eq(vmalloc_drain_delay(&s.vm), learn ? 3 : cfg.purge_delay);
		sim_fini(&s);
	}
}

/* With the kernel's lazy list known (a seeded replay), a purge event tells when the purge took
 * its lists: just before the first area it left behind was freed. The drain delay runs from the
 * crossing vfree to that take, the purge's run from the take to its event. */
Test(vmap_fidelity, model_purge_timing_learns_when_the_trace_purge_took_its_lists)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.purge = VMALLOC_PURGE_MODEL;
	static struct vmap_snapshot empty;
	cfg.vmalloc_state = &empty; /* the lazy list is known: nothing was lazy at the start */
	static struct sim s;
	cr_assert_eq(sim_init(&s, &cfg), 0);
	/* calls 1-5: five frees, the second crosses; the purge takes three: its lists were taken
	 * after call 3, one call after the crossing, and it ran for calls 4 and 5 */
	const u64 lazy[] = {100, 20000, 20005, 20010, 20015};
	for (unsigned i = 0; i < MM_ARRAY_SIZE(lazy); i++) {
		struct mm_event f = {.kind = MME_VMAP_FREE,
				     .addr = 0xffffc90000000000ULL + i * 0x10000,
				     .aux = 16384,
				     .len2 = lazy[i],
				     .ts_ns = i + 1};
		cr_assert_eq(sim_event(&s, &f), 0);
	}
	struct mm_event p = {.kind = MME_VMAP_PURGE, .aux = 3, .ts_ns = 10};
	cr_assert_eq(sim_event(&s, &p), 0);
	cr_assert_eq(s.vm.ndrain_seen, 1);
	cr_assert_eq(s.vm.drain_seen[0], 1, "crossing to take");
	cr_assert_eq(s.vm.nspan_seen, 1);
	cr_assert_eq(s.vm.span_seen[0], 2, "take to event");
	cr_assert_eq(s.vm.span_areas[0], 3);
	/* the re-queued purge takes the other two, leaves none: it ran no call; no drain delay */
	p = (struct mm_event){.kind = MME_VMAP_PURGE, .aux = 2, .ts_ns = 11};
	cr_assert_eq(sim_event(&s, &p), 0);
	cr_assert_eq(s.vm.ndrain_seen, 1);
	cr_assert_eq(s.vm.nspan_seen, 2);
	cr_assert_eq(s.vm.span_seen[1], 0);
	cr_assert_eq(vmalloc_purge_span(&s.vm, 5), 2, "2 calls per 5 areas");
	sim_fini(&s);
}

/* The longest order-preserving pairing of equal counts, by the textbook O(n * m) table. */
static u64 lcs_slow(const u64 *a, u64 n, const u64 *b, u64 m)
{
	static u64 t[41][41];
	for (u64 i = 0; i <= n; i++)
		for (u64 j = 0; j <= m; j++)
			t[i][j] = !i || !j		 ? 0
				  : a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1
							 : MM_MAX(t[i - 1][j], t[i][j - 1]);
	return t[n][m];
}

/* Purges are paired by content: a purge the model splits, merges or misses costs that purge
 * only; equal to the full table on random sequences (shorter than the band). */
Test(vmap_fidelity, purges_paired_by_content_against_the_full_table)
{
	struct vmap_fidelity f = {0};
	u64 k[] = {3515, 12, 8000, 0, 8100}, mdl[] = {3527, 8000, 0, 8100};
	for (u64 i = 0; i < 5; i++)
		cr_assert_eq(vmap_fid_trace_purge(&f, k[i]), 0);
	f.model_purged = malloc(64 * sizeof(u64));
	f.model_cap = 64;
	memcpy(f.model_purged, mdl, sizeof(mdl));
	f.nmodel = 4;
	cr_assert_eq(vmap_fid_purges_size_exact(&f), 3); /* by rank: 0 */
	struct rng r;
	rng_seed(&r, 21);
	for (int it = 0; it < 2000; it++) {
		f.ntrace = rng_below(&r, 41);
		f.nmodel = rng_below(&r, 41);
		u64 alpha = 1 + rng_below(&r, 4);
		for (u64 i = 0; i < f.ntrace; i++)
			f.trace_purged[i] = rng_below(&r, alpha);
		for (u64 i = 0; i < f.nmodel; i++)
			f.model_purged[i] = rng_below(&r, alpha);
		cr_assert_eq(vmap_fid_purges_size_exact(&f),
			     lcs_slow(f.trace_purged, f.ntrace, f.model_purged, f.nmodel), "case %d", it);
	}
	vmap_fid_fini(&f);
}

static u64 released[64], nreleased;
static void note_release(void *arg, u64 start, u64 size)
{
	(void)arg;
	(void)size;
	released[nreleased++] = start;
}

/* The kernel's lazy list: a purge of N areas takes its N oldest; the model's areas queued
 * before the N-th go, the later ones wait for the next purge (a split purge); a purge of none
 * still counts, releases nothing; a count beyond what the queue saw takes everything. */
Test(vmap_fidelity, split_purges_take_the_kernel_oldest_areas)
{
	struct tlb t;
	struct vmap_lazyq q = {0};
	cr_assert_eq(tlb_init(&t, tlb_policy_find("lazy"), 2), 0);
	/* kernel frees: model areas A0..A5, and two areas the model does not hold (after A1, A4) */
	for (u64 i = 0; i < 6; i++) {
		cr_assert_eq(tlb_unmapped(&t, 0x1000000 + i * 0x2000, 0x2000), 0);
		cr_assert_eq(vmap_lazyq_push(&q, t.lazy_seq, 10 + i), 0);
		if (i == 1 || i == 4)
			cr_assert_eq(vmap_lazyq_push(&q, t.lazy_seq, 10 + i), 0);
	}
	cr_assert_eq(t.nr_lazy, 12);
	/* the kernel purged 4: A0, A1, the foreign one, A2 */
	u64 n = tlb_purge_upto(&t, vmap_lazyq_take(&q, 4), note_release, NULL);
	cr_assert_eq(n, 3);
	cr_assert_eq(released[2], 0x1004000);
	cr_assert_eq(t.nr_purge, 3);
	cr_assert_eq(t.nr_lazy, 6);
	/* an empty purge: counted, nothing released */
	nreleased = 0;
	cr_assert_eq(tlb_purge_upto(&t, vmap_lazyq_take(&q, 0), note_release, NULL), 0);
	cr_assert_eq(t.st.vmap_purges, 2);
	cr_assert_eq(t.nr_purge, 3);
	/* the split's second part: A3 */
	cr_assert_eq(tlb_purge_upto(&t, vmap_lazyq_take(&q, 1), note_release, NULL), 1);
	cr_assert_eq(released[0], 0x1006000);
	/* more than the queue knows: everything */
	cr_assert_eq(tlb_purge_upto(&t, vmap_lazyq_take(&q, 9), note_release, NULL), 2);
	cr_assert_eq(t.nr_lazy, 0);
	cr_assert_eq(t.st.purged_areas, 6);
	tlb_fini(&t);
	vmap_lazyq_fini(&q);
}
