/* Event accounting: every event a machine is given lands in exactly one
 * outcome, per kind, on every bundled trace and recording, in every page mode, with and
 * without populated page tables, on a layout whose max order drops large blocks, and on the
 * hostile corpus; the skip reasons are the ones a slow reading of the events predicts. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/run/matrix.h"
#include "bench/run/recording_cfg.h"
#include "bench/run/replay.h"
#include "workloads/trace/trace.h"

/* outcomes add up per kind (to per_kind) and in all (to events) */
static void check_sums(const struct sim *s, const char *what)
{
	u64 all = 0;
	for (unsigned k = 0; k < SIM_OUTCOME_KINDS; k++) {
		u64 row = 0;
		for (unsigned o = 0; o < SIM_OUTCOMES; o++)
			row += s->outcomes.n[k][o];
		if (k < MME_NR_KINDS)
			cr_assert_eq(row, s->per_kind[k], "%s: kind %u: %llu outcomes for %llu events", what,
				     k, (unsigned long long)row, (unsigned long long)s->per_kind[k]);
		all += row;
	}
	cr_assert_eq(all, s->events, "%s: %llu outcomes for %llu events", what, (unsigned long long)all,
		     (unsigned long long)s->events);
}

static void check_row(const struct replay_row *r, const char *what)
{
	check_sums(r->sim, what);
	u64 t = 0;
	for (unsigned o = 0; o < SIM_OUTCOMES; o++)
		t += r->st.outcome[o];
	cr_assert_eq(t, r->st.events, "%s: the view's outcomes", what);
}

/* Every configuration of axes on one trace (a file or a recording directory), as replay runs it. */
static void replay_all(const char *path, const char *const *axes, const char *what)
{
	struct matrix *m = malloc(sizeof(*m));
	struct recording_cfg *rc = malloc(sizeof(*rc));
	cr_assert(m && rc);
	matrix_init(m);
	char err[512];
	for (size_t i = 0; axes[i]; i += 2)
		cr_assert_eq(matrix_set(m, settings_find(axes[i]), axes[i + 1], true, err, sizeof(err)), 0,
			     "%s", err);
	struct mm_diag d = {{0}};
	struct mm_trace t;
	cr_assert_eq(recording_cfg_open(rc, path, true, &d), 0, "%s: %s", path, d.msg);
	struct trace_opts o = {.skip_bad = true}; /* the hostile corpus has bad lines */
	cr_assert_eq(trace_load(rc->trace, &o, &t, &d), 0, "%s: %s", path, d.msg);
	struct sim_trace_facts tf;
	sim_trace_facts(t.ev, t.n, &tf);
	for (size_t c = 0; c < matrix_size(m); c++) {
		struct sim_cfg cfg;
		cr_assert_eq(recording_cfg_build(rc, m, c, &tf, &cfg, err, sizeof(err)), 0, "%s", err);
		struct replay_row *row = calloc(1, sizeof(*row));
		cr_assert_not_null(row);
		cr_assert_eq(replay_run(rc->label, t.ev, t.n, &cfg, row), 0, "%s", path);
		char label[600];
		matrix_label(m, c, label, sizeof(label) - 200);
		snprintf(label + strlen(label), 200, " %s", path);
		check_row(row, label);
		replay_row_fini(row);
		free(row);
	}
	trace_free(&t);
	recording_cfg_close(rc);
	free(rc);
	free(m);
	(void)what;
}

static const char *const modes[] = {"page-mode", "placement,faithful,buddy", "populate", "none,all", NULL};

Test(acct, every_bundled_trace_adds_up, .timeout = 600)
{
	const char *dirs[] = {MMREPLAY_DATA_DIR "/traces", MMREPLAY_DATA_DIR "/recordings"};
	int seen = 0, skipped = 0;
	for (int i = 0; i < 2; i++) {
		DIR *dir = opendir(dirs[i]);
		cr_assert_not_null(dir, "%s", dirs[i]);
		struct dirent *e;
		while ((e = readdir(dir))) {
			char path[4096];
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", dirs[i], e->d_name);
			bool rec = i == 1 && e->d_name[0] != '.' && !stat(path, &st) && S_ISDIR(st.st_mode);
			bool file = i == 0 && strstr(e->d_name, ".zst");
			if (!rec && !file)
				continue;
			if (file && !trace_tracedat_supported() && strstr(e->d_name, ".trace.dat")) {
				cr_log_warn("%s skipped: this build has no libtracecmd (trace.dat)",
					    e->d_name);
				skipped++;
				continue;
			}
			replay_all(path, modes, e->d_name);
			seen++;
		}
		closedir(dir);
	}
	cr_assert_geq(seen + skipped, 10, "%d traces and recordings (%d skipped)", seen, skipped);
	cr_assert_leq(skipped, 1, "only the trace.dat may be skipped");
}

/* A 4-order layout (orders 0..3, as a 4-column buddyinfo gives): every page allocation of a
 * higher order is skipped_out_of_range, as many as the trace holds (counted here from the
 * events themselves), and none is lost. */
Test(acct, orders_above_max_order_are_counted)
{
	struct mm_trace t;
	struct mm_diag d = {{0}};
	cr_assert_eq(trace_load(MMREPLAY_DATA_DIR "/traces/k_threads2.perf.txt.zst", NULL, &t, &d), 0, "%s",
		     d.msg);
	u64 big = 0, allocs = 0;
	for (size_t i = 0; i < t.n; i++)
		if (t.ev[i].kind == MME_PAGE_ALLOC && !(t.ev[i].flags & MME_F_FAILED)) {
			allocs++;
			big += t.ev[i].order > 3;
		}
	cr_assert_gt(big, 0);
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.max_order = 3;
	struct replay_row r;
	cr_assert_eq(replay_run("t", t.ev, t.n, &cfg, &r), 0);
	check_row(&r, "max-order 3");
	const u64 *a = r.sim->outcomes.n[MME_PAGE_ALLOC];
	cr_assert_eq(a[SIM_SKIP_OUT_OF_RANGE], big, "%llu of %llu",
		     (unsigned long long)a[SIM_SKIP_OUT_OF_RANGE], (unsigned long long)big);
	cr_assert_eq(a[SIM_REPLAYED] + a[SIM_FAILED] + a[SIM_SKIP_OUT_OF_RANGE] + a[SIM_SKIP_BAD_FLAGS],
		     allocs);
	cr_assert_eq(r.st.outcome[SIM_SKIP_OUT_OF_RANGE], big);
	replay_row_fini(&r);
	trace_free(&t);
}

static struct mm_event ev(unsigned kind, u64 addr, u64 len, u32 flags)
{
	return (struct mm_event){
		.kind = (u8)kind, .addr = addr, .len = len, .flags = flags, .pid = 7, .cpu = 0};
}

/* Hostile events, each with the reason a reader of the events gives it. */
Test(acct, hostile_events_have_named_reasons)
{
	struct mm_event e[] = {
		ev(MME_PAGE_ALLOC, 0x1000, 0, MME_F_ZONE_DMA | MME_F_ZONE_DMA32), /* bad_flags */
		ev(MME_PAGE_ALLOC, 0x2000, 0, 0),				  /* replayed */
		ev(MME_PAGE_FREE, 0x9999, 0, 0),				  /* unmatched */
		ev(MME_PAGE_ALLOC, 0x3000, 0, MME_F_FAILED),			  /* traced_failed */
		ev(MME_VMAP_ALLOC, 0xffffc90000000000ULL, 8192, 0),		  /* replayed */
		ev(MME_VMAP_ALLOC, 0xffffc90000000000ULL, 8192, 0), /* duplicate: no vfree invented */
		ev(MME_VMAP_FREE, 0xffffc90000000000ULL, 0, 0),	    /* replayed */
		ev(MME_TLB_FLUSH, 0, 1, 0),			    /* trace_fact */
		ev(MME_KUNMAP, 0x100000, 0, 0),			    /* unmatched (a highmem pfn) */
		ev(200, 0, 0, 0),				    /* bad_event: no such kind */
	};
	e[0].order = 0;
	struct mm_event big = ev(MME_PAGE_ALLOC, 0x4000, 0, 0);
	big.order = 40; /* out_of_range */
	struct mm_event fork = ev(MME_FORK, 0, 0, 0);
	fork.addr2 = 7; /* a fork naming its own pid: bad_event */
	struct mm_event all[MM_ARRAY_SIZE(e) + 2];
	memcpy(all, e, sizeof(e));
	all[MM_ARRAY_SIZE(e)] = big;
	all[MM_ARRAY_SIZE(e) + 1] = fork;
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	struct replay_row r;
	cr_assert_eq(replay_run("t", all, MM_ARRAY_SIZE(all), &cfg, &r), 0);
	check_row(&r, "hostile");
	const struct sim *s = r.sim;
	const u64 *pa = s->outcomes.n[MME_PAGE_ALLOC], *va = s->outcomes.n[MME_VMAP_ALLOC];
	cr_assert_eq(pa[SIM_SKIP_BAD_FLAGS], 1);
	cr_assert_eq(pa[SIM_SKIP_OUT_OF_RANGE], 1);
	cr_assert_eq(pa[SIM_SKIP_TRACED_FAILED], 1);
	cr_assert_eq(pa[SIM_REPLAYED], 1);
	cr_assert_eq(s->outcomes.n[MME_PAGE_FREE][SIM_SKIP_UNMATCHED], 1);
	cr_assert_eq(va[SIM_REPLAYED], 1);
	cr_assert_eq(va[SIM_SKIP_DUPLICATE], 1);
	cr_assert_eq(s->outcomes.n[MME_VMAP_FREE][SIM_REPLAYED], 1);
	cr_assert_eq(s->vm.st.vfrees, 1, "the duplicate invented a vfree");
	cr_assert_eq(s->vm.st.vmallocs, 1);
	cr_assert_eq(s->outcomes.n[MME_TLB_FLUSH][SIM_SKIP_TRACE_FACT], 1);
	cr_assert_eq(s->outcomes.n[MME_KUNMAP][SIM_SKIP_UNMATCHED], 1);
	cr_assert_eq(s->outcomes.n[MME_NR_KINDS][SIM_SKIP_BAD_EVENT], 1);
	cr_assert_eq(s->outcomes.n[MME_FORK][SIM_SKIP_BAD_EVENT], 1);
	cr_assert_eq(r.st.outcome[SIM_SKIP_BAD_EVENT], 2);
	replay_row_fini(&r);
}

/* The hostile corpus's traces that read (tests/hostile): every event in one column. */
Test(acct, hostile_corpus_adds_up)
{
	const char *names[] = {"t.perf.txt", "huge_numbers.perf.txt", "nr_lazy_max.perf.txt",
			       "skippable.perf.txt.zst", NULL};
	int read = 0;
	for (int i = 0; names[i]; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/tests/hostile/%s", MMREPLAY_SOURCE_DIR, names[i]);
		struct mm_trace t;
		struct mm_diag d = {{0}};
		struct trace_opts o = {.skip_bad = true};
		if (trace_load(path, &o, &t, &d))
			continue;
		read++;
		trace_free(&t);
		replay_all(path, modes, names[i]);
	}
	cr_assert_geq(read, 2);
}
