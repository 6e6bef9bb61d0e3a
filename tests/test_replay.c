/* Replay of vmalloc events through the machine: on the real k_threads2 trace the lazy
 * policy purges exactly as often as the kernel's threshold did (README facts), eager flushes
 * once per vfree, the vmlist variants agree on every model column but their visit counts,
 * and replays are deterministic; on synthetic events pairing, unknown frees and traced
 * failures are counted. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bench/cli/commands.h"
#include "tests/spawn_cmd.h"
#include "bench/output/metrics.h"
#include "bench/run/replay.h"
#include "workloads/trace/trace.h"

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
	cfg.purge = VMALLOC_PURGE_INLINE; /* the old purge and flush behaviour */
	cfg.flush_ceiling = 0;
	struct replay_row row;
	cr_assert_eq(replay_run("t", ev, n, &cfg, &row), 0);
	return row;
}

/* The row's CSV text without the columns named in skip (comma-separated, matched exactly)
 * and without host_ columns. */
/* Is m one of the vmlist's own counters (struct vmlist_stats in the view: the cost of its search),
 * which differ between variants that decide alike? */
static bool vmlist_cost(const struct metric *m)
{
	size_t lo = offsetof(struct sim_stats, vmlist), hi = lo + sizeof(struct vmlist_stats);
	return (!m->fmt && m->off >= lo && m->off < hi) || !strcmp(m->name, "workload_vmlist_visits");
}

/* The row's model columns as "name=value;..."; decisions_only: without the configuration columns
 * and the vmlist's own counters. */
static char *model_row(const struct replay_row *r, bool decisions_only)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char val[256];
	struct metric_src src = {.trace = r->trace, .st = &r->st, .host = &r->host};
	struct metric_iter it;
	for (const struct metric *m = metric_first(&it); m; m = metric_next(&it)) {
		if (!(m->flags & METRIC_IN_REPLAY) || m->cls == METRIC_HOST)
			continue;
		if (decisions_only && (m->cls == METRIC_CONFIG || vmlist_cost(m)))
			continue;
		metric_value(m, &src, 0, val, sizeof(val));
		fprintf(f, "%s=%s;", m->name, val);
	}
	fclose(f);
	return buf;
}

/* Lazy: three of the trace's four purges are threshold purges. */
static void check_lazy(const struct sim *s, const char *name)
{
	cr_assert_eq(s->vm.tlb.st.vmap_purges, 3, "%s: %llu purges", name,
		     (unsigned long long)s->vm.tlb.st.vmap_purges);
	cr_assert_eq(s->vm.tlb.st.forced_purges, 0);
	cr_assert_eq(s->vm.tlb.st.flush_range, 3);
	cr_assert_eq(s->vm.tlb.st.ipis, 3); /* one other CPU per flush */
	cr_assert_eq(s->vm.tlb.st.flush_all, 0);
	/* the first free logs nr_lazy=15050 after adding its own 20480-byte area */
	cr_assert_eq(s->vmap.lazy_seed_pages, 15050 - 20480 / 4096);
	/* each purge gives back every area freed since the previous one */
	cr_assert_eq(s->vm.tlb.st.purged_areas + s->vm.tlb.nr_purge, s->vm.st.vfrees);
}

/* Eager: one flush_cache_all and one flush_tlb_all per vfree. */
static void check_eager(const struct sim *s)
{
	u64 frees = s->vm.st.vfrees;
	cr_assert_eq(frees + s->vmap.unmatched_frees, 9648);
	cr_assert_gt(frees, 9000);
	cr_assert_eq(s->vm.tlb.st.flush_all, frees);
	cr_assert_eq(s->vm.tlb.st.cache_flushes, frees);
	cr_assert_eq(s->vm.tlb.st.flush_range, 0);
	cr_assert_eq(s->vm.tlb.st.vmap_purges, 0);
	cr_assert_eq(s->vm.tlb.st.ipis, frees);
}

/* One test (one load of the trace: Criterion runs each test in its own process). */
Test(replay, k_threads2_every_variant_and_policy)
{
	load_kt2();
	/* README: nr_lazy_max=16384 pages is 32 MiB x fls(2 CPUs) / 4 KiB */
	cr_assert_eq(sim_trace_ncpus(kt2.ev, kt2.n), 2);
	static const char *const tlbs[] = {"eager", "range", "lazy"};
	for (int t = 0; t < 3; t++) {
		char *first = NULL;
		u64 visits[16] = {0};
		for (int v = 0; vmlist_variants[v]; v++) {
			const char *name = vmlist_variants[v]->name;
			struct replay_row r = run(kt2.ev, kt2.n, name, tlbs[t]);
			const struct sim *s = r.sim;
			/* README: 9653 alloc_vmap_area, 9648 free_vmap_area_noflush, 4 purges of
			 * 3292+3284+6+3287 areas: the kernel's purges are counted as facts */
			cr_assert_eq(s->per_kind[MME_VMAP_ALLOC], 9653);
			cr_assert_eq(s->per_kind[MME_VMAP_FREE], 9648);
			cr_assert_eq(s->vmap.trace_purges, 4);
			cr_assert_eq(s->vmap.trace_purged_areas, 3292 + 3284 + 6 + 3287);
			/* every area is a 20480-byte stack: 4 pages mapped, the guard page not */
			cr_assert_eq(s->vm.pts.pte_set, 4 * s->vm.st.vmallocs);
			cr_assert_eq(s->vm.pts.pte_clear, 4 * s->vm.st.vfrees);
			cr_assert_eq(vmlist_check(&s->vm.vl), 0);
			if (!strcmp(tlbs[t], "lazy"))
				check_lazy(s, name);
			else if (!strcmp(tlbs[t], "eager"))
				check_eager(s);
			else
				cr_assert_eq(s->vm.tlb.st.flush_range, s->vm.st.vfrees);
			visits[v] = s->vm.vl.st.visits;
			/* all lowest-fit variants agree on every model column but the vmlist's own
			 * counters (nodes places areas from its pools: other addresses, other tables) */
			char *m = model_row(&r, true);
			if (!vmlist_variants[v]->lowest_fit) {
				free(m);
			} else if (!first) {
				first = m;
			} else {
				cr_assert_str_eq(m, first, "%s/%s differs", name, tlbs[t]);
				free(m);
			}
			if (t == 2 && v == 1) { /* deterministic: the same replay again, same columns */
				struct replay_row again = run(kt2.ev, kt2.n, name, tlbs[t]);
				char *a = model_row(&r, false), *b = model_row(&again, false);
				cr_assert_str_eq(a, b);
				free(a);
				free(b);
				replay_row_fini(&again);
			}
			replay_row_fini(&r);
		}
		free(first);
		/* the linear list visits more than the augmented tree on this trace */
		int list = -1, aug = -1;
		for (int v = 0; vmlist_variants[v]; v++) {
			list = vmlist_variants[v] == vmlist_find("list") ? v : list;
			aug = vmlist_variants[v] == vmlist_find("augmented") ? v : aug;
		}
		cr_assert(list >= 0 && aug >= 0);
		cr_assert_gt(visits[list], visits[aug]);
	}
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
		ev_alloc(1, 2 * 4096, 0), /* token 1 reused while live: its free is missing, skipped */
		ev_free(1),
		{.kind = MME_VMAP_PURGE, .aux = 7},
	};
	size_t n = MM_ARRAY_SIZE(ev);
	for (int v = 0; vmlist_variants[v]; v++) {
		struct replay_row r = run(ev, n, vmlist_variants[v]->name, "range");
		const struct sim *s = r.sim;
		cr_assert_eq(s->vm.st.vmallocs, 2);
		/* the duplicate invents no vfree and no flush (main freed token 1's first
		 * area there: 3 vfrees, 3 range flushes) */
		cr_assert_eq(s->vm.st.vfrees, 2); /* 2, then 1 (its first area) */
		cr_assert_eq(s->vmap.traced_failures, 1);
		cr_assert_eq(s->vmap.unmatched_frees, 2);
		cr_assert_eq(s->vmap.dup_allocs, 1);
		cr_assert_eq(s->vmap.trace_purges, 1);
		cr_assert_eq(s->vmap.trace_purged_areas, 7);
		cr_assert_eq(s->vm.st.live_areas, 0);
		cr_assert_eq(s->vm.pts.pte_set, 2 + 1);
		cr_assert_eq(s->vm.pts.pte_clear, 3);
		cr_assert_eq(s->vm.tlb.st.flush_range, 2);
		cr_assert_eq(s->vm.tlb.st.flush_pages, 2 + 3); /* whole areas, guard included */
		/* every event in one outcome */
		const u64(*a)[SIM_OUTCOMES] = s->outcomes.n;
		cr_assert_eq(a[MME_VMAP_ALLOC][SIM_REPLAYED], 2);
		cr_assert_eq(a[MME_VMAP_ALLOC][SIM_SKIP_TRACED_FAILED], 1);
		cr_assert_eq(a[MME_VMAP_ALLOC][SIM_SKIP_DUPLICATE], 1);
		cr_assert_eq(a[MME_VMAP_FREE][SIM_REPLAYED], 2);
		cr_assert_eq(a[MME_VMAP_FREE][SIM_SKIP_UNMATCHED], 2);
		cr_assert_eq(a[MME_VMAP_PURGE][SIM_SKIP_TRACE_FACT], 1); /* purge timing model */
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

/* The CLI end to end: a native trace written here, every vmlist x tlb on it, the CSV holds a
 * header with the required columns and one row per configuration. */
Test(replay, command_writes_one_row_per_configuration)
{
	char dir[] = "/tmp/mmreplay_replay_XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char trace[256], out[256];
	snprintf(trace, sizeof(trace), "%s/syn.mmr", dir);
	snprintf(out, sizeof(out), "%s/out/r.csv", dir);
	struct trace_writer *w;
	struct mm_diag d = {{0}};
	cr_assert_eq(trace_writer_open(trace, &w, &d), 0, "%s", d.msg);
	for (u64 i = 0; i < 100; i++) {
		struct mm_event a = ev_alloc(0x1000 + i, 5 * 4096, 0), f = ev_free(0x1000 + i);
		cr_assert_eq(trace_writer_put(w, &a, 1), 0);
		if (i % 3)
			cr_assert_eq(trace_writer_put(w, &f, 1), 0);
	}
	cr_assert_eq(trace_writer_commit(w, &d), 0, "%s", d.msg);
	char *argv[] = {"replay",  "--vmlist", "all",	  "--tlb", "eager,range,lazy",
			"--buddy", "lifo",     "--quiet", "--out", out,
			trace,	   NULL};
	/* --out creates only its last component: out/ must exist */
	cr_assert_eq(cmd_replay((int)MM_ARRAY_SIZE(argv) - 1, argv), MM_EXIT_USAGE);
	cr_assert_neq(access(out, F_OK), 0);
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/out", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	cr_assert_eq(cmd_replay((int)MM_ARRAY_SIZE(argv) - 1, argv), MM_EXIT_OK);
	FILE *f = fopen(out, "r");
	cr_assert_not_null(f);
	char line[8192];
	cr_assert_not_null(fgets(line, sizeof(line), f));
	static const char *const required[] = {"trace",
					       "vmlist",
					       "tlb",
					       "buddy",
					       "events",
					       "vmap_allocs",
					       "vmap_frees",
					       "vmap_purges",
					       "purged_areas",
					       "tlb_flush_all",
					       "tlb_flush_range",
					       "tlb_flush_pages",
					       "ipis",
					       "pte_set",
					       "pte_clear",
					       "pgtable_pages_alloc",
					       "pgtable_pages_free",
					       "walk_entries",
					       "vmlist_visits",
					       "page_allocs",
					       "page_frees",
					       "alloc_failures",
					       "unmatched_frees"};
	char hdr[8200];
	snprintf(hdr, sizeof(hdr), ",%s", line);
	hdr[strcspn(hdr, "\n")] = ',';
	for (size_t i = 0; i < MM_ARRAY_SIZE(required); i++) {
		char key[64];
		snprintf(key, sizeof(key), ",%s,", required[i]);
		cr_assert_not_null(strstr(hdr, key), "missing column %s", required[i]);
	}
	int rows = 0;
	while (fgets(line, sizeof(line), f)) {
		rows++;
		cr_assert_not_null(strstr(line, ",100,66,"), "100 allocs, 66 frees: %s", line);
	}
	int nvmlist = 0;
	while (vmlist_variants[nvmlist])
		nvmlist++;
	cr_assert_eq(rows, 3 * nvmlist, "every vmlist variant x three TLB policies");
	fclose(f);
	/* a bad option is a usage error, a missing trace a failure, and neither leaves a CSV */
	char *bad[] = {"replay", "--tlb", "nope", trace, NULL};
	cr_assert_eq(cmd_replay(4, bad), MM_EXIT_USAGE);
	char out2[256];
	snprintf(out2, sizeof(out2), "%s/r2.csv", dir);
	char *missing[] = {"replay", "--quiet", "--out", out2, "/nonexistent/trace", NULL};
	cr_assert_eq(cmd_replay(5, missing), MM_EXIT_FAIL);
	cr_assert_null(fopen(out2, "r"));
	remove(out);
	remove(trace);
	snprintf(line, sizeof(line), "%s/out", dir);
	rmdir(line);
	rmdir(dir);
}

/* Page-table depth: each map or unmap walk of an area that stays inside one top-level entry
 * visits one more entry per extra level; PTE work does not change. */
Test(replay, levels_add_one_entry_per_walk)
{
	struct mm_event ev[64];
	size_t n = 0;
	for (u64 i = 0; i < 20; i++)
		ev[n++] = ev_alloc(0x100 + i, 6 * 4096, 0);
	for (u64 i = 0; i < 20; i += 2)
		ev[n++] = ev_free(0x100 + i);
	u64 walk[6] = {0}, pte[6] = {0};
	for (unsigned levels = 2; levels <= 5; levels++) {
		struct sim_cfg cfg;
		sim_cfg_default(&cfg);
		cfg.tlb = tlb_policy_find("range");
		cfg.levels = levels;
		struct replay_row r;
		cr_assert_eq(replay_run("t", ev, n, &cfg, &r), 0);
		walk[levels] = r.sim->vm.pts.walk_entries;
		pte[levels] = r.sim->vm.pts.walk_level[levels - 1];
		cr_assert_eq(r.sim->vm.pts.pte_set, 20 * 5);
		cr_assert_eq(r.sim->vm.pts.pte_clear, 10 * 5);
		cr_assert_eq(r.sim->vm.pts.pgtable_pages_alloc, levels); /* one chain holds all 20 areas */
		replay_row_fini(&r);
	}
	for (unsigned levels = 3; levels <= 5; levels++) {
		cr_assert_eq(walk[levels] - walk[levels - 1], 20 + 10, "levels %u", levels);
		cr_assert_eq(pte[levels], pte[levels - 1]);
	}
}

/* Column name of the header/row pair of a CSV text with one row, as a number (-1: none). */
static long long csv1_num(const char *text, const char *name)
{
	const char *row = strchr(text, '\n'), *h = text, *f;
	size_t n = strlen(name);
	int col = 0;
	for (; h && h < row; h = strchr(h, ',') ? strchr(h, ',') + 1 : NULL, col++)
		if (!strncmp(h, name, n) && (h[n] == ',' || h[n] == '\n'))
			break;
	if (!h || h >= row)
		return -1;
	f = row + 1;
	for (int i = 0; i < col && f; i++)
		f = strchr(f, ',') ? strchr(f, ',') + 1 : NULL;
	return f ? strtoll(f, NULL, 10) : -1;
}

/* bench replay takes a recording directory as replay does: its trace on its recorded machine,
 * every event of it (replay: those it counts, and those it skipped before its start). */
Test(replay, bench_replay_takes_a_recording)
{
	const char *rec = MMREPLAY_DATA_DIR "/recordings/d_bpf3";
	struct spawn_res b = MMR(NULL, "bench", "replay", "--repeat", "1", "--vmlist", "nodes", "--page-mode",
				 "buddy", rec);
	cr_assert_eq(b.status, 0, "%s", b.err);
	struct spawn_res r = MMR(NULL, "replay", "--vmlist", "nodes", "--tlb", "lazy", "--buddy", "lifo",
				 "--page-mode", "buddy", "--out", "-", rec);
	cr_assert_eq(r.status, 0, "%s", r.err);
	long long ev = csv1_num(r.out, "events"), skipped = csv1_num(r.out, "events_skipped");
	cr_assert(ev > 100000 && skipped >= 0, "%lld %lld", ev, skipped);
	unsigned long long ev_bench = 0;
	char *line = strstr(b.out, "\nd_bpf3 ");
	cr_assert_not_null(line, "%s", b.out);
	cr_assert_eq(sscanf(line + 8, "%llu", &ev_bench), 1);
	cr_assert_eq(ev_bench, (unsigned long long)(ev + skipped), "bench %llu, replay %lld + %lld", ev_bench,
		     ev, skipped);
	cr_assert_not_null(strstr(line, "nodes/lazy/lifo/page_mode=buddy"), "%s", b.out);
	spawn_res_free(&b);
	spawn_res_free(&r);
}
