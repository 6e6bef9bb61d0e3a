/* Fidelity on the machine recordings (data/recordings): seeded from the start snapshot, replayed
 * from the time it was read, the nodes model in follow mode predicts the kernel's address for
 * >= 90 % of the allocations after the first purge on d_threads4 and d_mixed5 (d_bpf2 stays
 * below: pools filled before the recording, docs/vmalloc-fidelity.md), keeps the end snapshot's
 * state, and in predict mode with the model's own purge timing purges as often as the kernel
 * within one. vmalloc's bulk pages explain the unmatched order-0 frees of k_threads2. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "commands.h"
#include "csvread.h"
#include "replay.h"
#include "trace.h"
#include "metrics.h"
#include "rec_testutil.h"

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

static void check(const char *name, double min_warm)
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
	cr_assert_eq(s->vm.st.follow_conflicts, 0, "%s", name);
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
	check("d_threads4", 0.90);
}

Test(vmap_fidelity, d_mixed5, .timeout = 300)
{
	check("d_mixed5", 0.90);
}

/* Below the 0.90: 18.6 % of its allocations after the first purge take pool entries
 * left by an earlier workload and never seen before (docs/vmalloc-fidelity.md); the floor keeps
 * today's 70 % from regressing. */
Test(vmap_fidelity, d_bpf2, .timeout = 300)
{
	check("d_bpf2", 0.69);
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
	/* replay: the old behaviour's settings are accepted, a bad one is a usage error */
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
		       out,
		       MMREPLAY_DATA_DIR "/traces/k_fork.perf.txt.zst",
		       NULL};
	cr_assert_eq(cmd_replay(17, rep), MM_EXIT_OK);
	cr_assert_eq(csvtab_read(out, &t, &d), 0, "%s", d.msg);
	cr_assert_str_eq(t.rows[0][csvtab_col(&t, "purge")], "inline");
	cr_assert_str_eq(t.rows[0][csvtab_col(&t, "flush_ceiling")], "0");
	csvtab_free(&t);
	char *rbad[] = {"replay", "--vmap-nodes", "0", out, NULL};
	cr_assert_eq(cmd_replay(4, rbad), MM_EXIT_USAGE);
	remove(out);
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
