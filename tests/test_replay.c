/* Replay of vmalloc events through the machine: on the real k_threads2 trace the lazy
 * policy purges exactly as often as the kernel's threshold did (README facts), eager flushes
 * once per vfree, the vmlist variants agree on every model column but their visit counts,
 * and replays are deterministic; on synthetic events pairing, unknown frees and traced
 * failures are counted. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "trace.h"

#define K_THREADS2 MMREPLAY_DATA_DIR "/traces/k_threads2.perf.txt.zst"

static struct mm_trace kt2;

static void load_kt2(void)
{
	if (kt2.ev)
		return;
	struct mm_diag d = {{0}};
	cr_assert_eq(trace_load(K_THREADS2, NULL, &kt2, &d), 0, "%s", d.msg);
}

static struct replay_row run(const struct mm_event *ev, size_t n, const char *vmlist, const char *tlb)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.vmlist = vmlist_find(vmlist);
	cfg.tlb = tlb_policy_find(tlb);
	cfg.ncpus = sim_trace_ncpus(ev, n);
	struct replay_row row;
	cr_assert_eq(replay_run("t", ev, n, &cfg, &row), 0);
	return row;
}

/* The row's CSV text without the columns named in skip (comma-separated, matched exactly)
 * and without host_ columns. */
static char *model_row(const struct replay_row *r, const char *skip)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char val[256];
	for (const struct replay_column *c = replay_columns; c->name; c++) {
		char key[64];
		snprintf(key, sizeof(key), ",%s,", c->name);
		char skipl[256];
		snprintf(skipl, sizeof(skipl), ",%s,", skip);
		if (!strncmp(c->name, "host_", 5) || strstr(skipl, key))
			continue;
		c->fmt(r, val, sizeof(val));
		fprintf(f, "%s=%s;", c->name, val);
	}
	fclose(f);
	return buf;
}

Test(replay, k_threads2_lazy_purges_like_the_kernel)
{
	load_kt2();
	/* README: nr_lazy_max=16384 pages is 32 MiB x fls(2 CPUs) / 4 KiB */
	cr_assert_eq(sim_trace_ncpus(kt2.ev, kt2.n), 2);
	for (int v = 0; vmlist_variants[v]; v++) {
		struct replay_row r = run(kt2.ev, kt2.n, vmlist_variants[v]->name, "lazy");
		const struct sim *s = r.sim;
		/* three of the trace's four purges are threshold purges */
		cr_assert_eq(s->vm.tlb.st.vmap_purges, 3, "%s: %llu purges", vmlist_variants[v]->name,
			     (unsigned long long)s->vm.tlb.st.vmap_purges);
		cr_assert_eq(s->vm.tlb.st.forced_purges, 0);
		cr_assert_eq(s->vm.tlb.st.flush_range, 3);
		cr_assert_eq(s->vm.tlb.st.ipis, 3); /* one other CPU per flush */
		cr_assert_eq(s->vm.tlb.st.flush_all, 0);
		/* the first free logs nr_lazy=15050 after adding its own 20480-byte area */
		cr_assert_eq(s->vmap.lazy_seed_pages, 15050 - 20480 / 4096);
		/* the kernel's own purges are counted as facts: 4 of them, 3292+3284+6+3287 areas */
		cr_assert_eq(s->vmap.trace_purges, 4);
		cr_assert_eq(s->vmap.trace_purged_areas, 3292 + 3284 + 6 + 3287);
		/* each purge gives back every area freed since the previous one */
		cr_assert_leq(s->vm.tlb.st.purged_areas, s->vm.st.vfrees);
		cr_assert_eq(s->vm.tlb.st.purged_areas + s->vm.tlb.nr_purge, s->vm.st.vfrees);
		cr_assert_eq(vmlist_check(&s->vm.vl), 0);
		replay_row_fini(&r);
	}
}

Test(replay, k_threads2_eager_flushes_once_per_vfree)
{
	load_kt2();
	struct replay_row r = run(kt2.ev, kt2.n, "list", "eager");
	const struct sim *s = r.sim;
	/* README: 9653 alloc_vmap_area, 9648 free_vmap_area_noflush events */
	cr_assert_eq(s->per_kind[MME_VMAP_ALLOC], 9653);
	cr_assert_eq(s->per_kind[MME_VMAP_FREE], 9648);
	u64 frees = s->vm.st.vfrees;
	cr_assert_eq(frees + s->vmap.unmatched_frees, 9648);
	cr_assert_gt(frees, 9000);
	cr_assert_eq(s->vm.tlb.st.flush_all, frees);
	cr_assert_eq(s->vm.tlb.st.cache_flushes, frees);
	cr_assert_eq(s->vm.tlb.st.flush_range, 0);
	cr_assert_eq(s->vm.tlb.st.vmap_purges, 0);
	cr_assert_eq(s->vm.tlb.st.ipis, frees);
	/* every area is a 20480-byte stack: 4 pages mapped, the guard page not */
	cr_assert_eq(s->vm.pts.pte_set, 4 * s->vm.st.vmallocs);
	cr_assert_eq(s->vm.pts.pte_clear, 4 * frees);
	replay_row_fini(&r);
}

Test(replay, k_threads2_variants_agree_but_for_visits)
{
	load_kt2();
	static const char *const tlbs[] = {"eager", "range", "lazy"};
	for (int t = 0; t < 3; t++) {
		char *first = NULL;
		u64 visits[3] = {0};
		for (int v = 0; vmlist_variants[v]; v++) {
			struct replay_row r = run(kt2.ev, kt2.n, vmlist_variants[v]->name, tlbs[t]);
			visits[v] = r.sim->vm.vl.st.visits;
			char *m = model_row(&r, "vmlist,vmlist_visits,vmlist_alloc_visits");
			if (!first)
				first = m;
			else {
				cr_assert_str_eq(m, first, "%s differs", vmlist_variants[v]->name);
				free(m);
			}
			replay_row_fini(&r);
		}
		free(first);
		/* the linear list visits more than the augmented tree on this trace */
		cr_assert_gt(visits[0], visits[2]);
	}
}

Test(replay, deterministic)
{
	load_kt2();
	struct replay_row a = run(kt2.ev, kt2.n, "rbtree", "lazy"), b = run(kt2.ev, kt2.n, "rbtree", "lazy");
	char *ma = model_row(&a, ""), *mb = model_row(&b, "");
	cr_assert_str_eq(ma, mb);
	free(ma);
	free(mb);
	replay_row_fini(&a);
	replay_row_fini(&b);
}

static struct mm_event ev_alloc(u64 token, u64 size, u32 flags)
{
	return (struct mm_event){.kind = MME_VMAP_ALLOC,
				 .flags = (u16)flags,
				 .addr = token,
				 .len = size,
				 .addr2 = VMALLOC_DEFAULT_START,
				 .len2 = VMALLOC_DEFAULT_END,
				 .aux = 4096};
}

static struct mm_event ev_free(u64 token)
{
	return (struct mm_event){.kind = MME_VMAP_FREE, .addr = token};
}

Test(replay, synthetic_pairing_and_counted_errors)
{
	/* fake unique tokens stand for traced addresses; the model picks its own */
	struct mm_event ev[] = {
		ev_alloc(1, 3 * 4096, 0),	     /* 2 pages + guard */
		ev_alloc(2, 2 * 4096, 0),	     /* 1 page + guard */
		ev_alloc(3, 2 * 4096, MME_F_FAILED), /* the kernel failed it: nothing to do */
		ev_free(2),
		ev_free(2),		  /* double: the pairing is gone */
		ev_free(99),		  /* never allocated in the trace */
		ev_alloc(1, 2 * 4096, 0), /* token 1 reused while live: implicit free */
		ev_free(1),
		{.kind = MME_VMAP_PURGE, .aux = 7},
	};
	size_t n = MM_ARRAY_SIZE(ev);
	for (int v = 0; vmlist_variants[v]; v++) {
		struct replay_row r = run(ev, n, vmlist_variants[v]->name, "range");
		const struct sim *s = r.sim;
		cr_assert_eq(s->vm.st.vmallocs, 3);
		cr_assert_eq(s->vm.st.vfrees, 3); /* 2, the implicit 1, 1 */
		cr_assert_eq(s->vmap.traced_failures, 1);
		cr_assert_eq(s->vmap.unmatched_frees, 2);
		cr_assert_eq(s->vmap.implicit_frees, 1);
		cr_assert_eq(s->vmap.trace_purges, 1);
		cr_assert_eq(s->vmap.trace_purged_areas, 7);
		cr_assert_eq(s->vm.st.live_areas, 0);
		cr_assert_eq(s->vm.pts.pte_set, 2 + 1 + 1);
		cr_assert_eq(s->vm.pts.pte_clear, 4);
		cr_assert_eq(s->vm.tlb.st.flush_range, 3);
		cr_assert_eq(s->vm.tlb.st.flush_pages, 3 + 2 + 2); /* whole areas, guard included */
		/* data pages all back in the buddy: only the table pages are held */
		const struct buddy *b = &s->zones.zone[0].buddy; /* the default layout: one Normal zone */
		cr_assert_eq(b->st.allocs[0] - b->st.frees[0], pgtable_nr_table_pages(s->vm.pt));
		replay_row_fini(&r);
	}
}

Test(replay, ncpus_from_the_trace)
{
	struct mm_event ev[3] = {{.kind = MME_PAGE_ALLOC, .cpu = 5}, {.kind = MME_TLB_FLUSH, .cpu = 2}};
	cr_assert_eq(sim_trace_ncpus(ev, 2), 6); /* no nr_lazy_max: CPUs seen */
	ev[2] = (struct mm_event){.kind = MME_VMAP_FREE, .aux = 4 * 8192};
	cr_assert_eq(sim_trace_ncpus(ev, 3), 8); /* fls(8) = 4 */
	struct mm_event none = {.kind = MME_MMAP, .cpu = 0xffff};
	cr_assert_eq(sim_trace_ncpus(&none, 1), 1);
}
