/* mmreplay machine: a view of `replay RECORDING_DIR` for the physical memory: prints the
 * seeding (the zones built from kpageflags.start against the recorded buddyinfo), then replays
 * the recording in each page mode and buddy policy, with and without per-CPU lists, through the
 * same path as replay (recording_cfg.h, the snapshot hook), and prints one summary line per
 * configuration: the comparison with the kernel's buddyinfo series. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/state/buddyinfo.h"
#include "workloads/infile.h"
#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/output/csv.h"
#include "bench/output/metrics.h"
#include "bench/run/recording_cfg.h"
#include "bench/run/replay.h"
#include "bench/output/snapcheck_csv.h"
#include "core/phys/hindsight.h"
#include "workloads/trace/trace.h"
#include "bench/cli/machine_seed.h"

/* The summary line's columns (the metrics registry's names). */
static const char *const machine_cols[] = {"trace",
					   "page_mode",
					   "buddy",
					   "pcp",
					   "compaction",
					   "snaps_compared",
					   "snap_ufi9_err_max",
					   "snap_ufi9_err_mean",
					   "snap_free_pages_err_max",
					   "snap_free_pages_kernel",
					   "snap_ufi9_err_max_at",
					   "snap_thp_err_max",
					   "snap_thp_kernel",
					   "snap_exhausted",
					   "snaps_untraced",
					   "deferred_init_pages",
					   "compaction_free_taken_pages",
					   "compact_runs",
					   "compact_success",
					   "compact_pages_scanned",
					   "compact_pages_migrated",
					   "compact_runs_traced",
					   "compact_success_traced",
					   "compact_pages_scanned_traced",
					   "compact_pages_migrated_traced",
					   "compact_free_isolated_pages",
					   "compact_free_missing_pages",
					   "compact_rescued_allocs",
					   "compact_requests",
					   "compact_direct_runs",
					   "compact_kcompactd_runs",
					   "compact_proactive_runs",
					   "compact_deferred",
					   "compact_skipped",
					   "compact_satisfied",
					   "compact_hint_resets",
					   "compact_captured_pages",
					   "page_alloc_failures_dma",
					   "page_alloc_failures_dma32",
					   "page_alloc_failures_normal",
					   "page_alloc_base_fallbacks",
					   "pcp_pages_end",
					   "pcp_pages_end_kernel",
					   "trace_zone_locked_refill",
					   "trace_zone_locked_direct",
					   "trace_pcpu_drain",
					   "pcp_refill_blocks",
					   "pcp_direct_allocs",
					   "pcp_drain_blocks",
					   "pcp_trace_list_misses",
					   "pcp_trace_refill_misses",
					   "pcp_trace_drain_misses",
					   "buddy_takes",
					   "buddy_returns",
					   "buddy_locked_frees",
					   "buddy_hindsight_frees",
					   "migrated_kept",
					   "migrated_released",
					   "untraced_join_pages",
					   "untraced_alloc_pages",
					   "untraced_leave_pages",
					   "untraced_other_pages",
					   "fast_doubt_released_pages",
					   "seeded_frees",
					   "pageblocks_retyped",
					   "zone_choice_placed",
					   "zone_choice_differs",
					   "zone_choice_differs_o9",
					   "page_split_blocks",
					   "page_piece_frees",
					   "page_unmatched_frees",
					   "page_events",
					   "host_cpu_ns",
					   NULL};

static void summary_line(FILE *f, const struct metric_src *src)
{
	for (size_t i = 0; machine_cols[i]; i++) {
		char v[128] = "";
		if (src)
			metric_get(machine_cols[i], METRIC_IN_REPLAY, src, v, sizeof(v));
		fprintf(f, "%s%s", i ? "," : "", src ? v : machine_cols[i]);
	}
	fputc('\n', f);
}

static u64 fig(const struct metric_src *src, const char *col)
{
	char v[64] = "";
	metric_get(col, METRIC_IN_REPLAY, src, v, sizeof(v));
	return strtoull(v, NULL, 10);
}

/* Placement: how many allocations the model placed in another zone than the kernel, by order
 * (only orders the trace allocated); nothing when none was compared. */
static void zone_choice_words(FILE *f, const struct pagereplay_stats *p)
{
	u64 placed = 0, differs = 0;
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER_LIMIT; o++) {
		placed += p->zone_placed[o];
		differs += p->zone_differs[o];
	}
	if (!placed)
		return;
	fprintf(f,
		"  zone choice: %llu of %llu allocations in another zone than the kernel's (model's zone "
		"higher %llu, lower %llu); by order",
		(unsigned long long)differs, (unsigned long long)placed, (unsigned long long)p->zone_higher,
		(unsigned long long)(differs - p->zone_higher));
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER_LIMIT; o++)
		if (p->zone_placed[o])
			fprintf(f, " %u: %llu/%llu", o, (unsigned long long)p->zone_differs[o],
				(unsigned long long)p->zone_placed[o]);
	fputc('\n', f);
}

/* One configuration for people: what it is, and its agreement with the kernel's snapshots. */
static void summary_words(FILE *f, const struct metric_src *src)
{
	char mean[64] = "", err[64] = "";
	metric_get("snap_ufi9_err_mean", METRIC_IN_REPLAY, src, mean, sizeof(mean));
	metric_get("snap_ufi9_err_max", METRIC_IN_REPLAY, src, err, sizeof(err));
	u64 n = fig(src, "snaps_compared"), fe = fig(src, "snap_free_pages_err_max"),
	    fk = fig(src, "snap_free_pages_kernel");
	char at[64] = "";
	metric_get("snap_ufi9_err_max_at", METRIC_IN_REPLAY, src, at, sizeof(at));
	const char *tune = !strcmp(src->st->cfg.pcp, "on") ? src->st->cfg.pcp_tune : NULL;
	fprintf(f, "%s: page-mode %s, buddy %s, pcp %s%s%s%s, compaction %s\n", src->trace,
		src->st->cfg.page_mode, src->st->cfg.buddy, src->st->cfg.pcp, tune ? " (tune " : "",
		tune ? tune : "",
		!tune			  ? ""
		: src->st->cfg.pcp_traced ? ": the trace's lists)"
					  : ")",
		src->st->cfg.compaction);
	if (!n)
		fprintf(f,
			"  no buddyinfo snapshot was compared (the recording has none in its time span)\n");
	else
		fprintf(f,
			"  against %llu buddyinfo snapshots: ufi(9) error max %s (at %s s), mean %s "
			"thousandths; "
			"free pages error max %llu of %llu (%.2f %%); order-9 allocations the free blocks "
			"would serve: error max %llu of %llu\n",
			(unsigned long long)n, err, at[0] ? at : "-", mean, (unsigned long long)fe,
			(unsigned long long)fk, fk ? 100.0 * (double)fe / (double)fk : 0.0,
			(unsigned long long)fig(src, "snap_thp_err_max"),
			(unsigned long long)fig(src, "snap_thp_kernel"));
	if (fig(src, "compact_runs") || fig(src, "compact_runs_traced"))
		fprintf(f,
			"  compaction runs %llu (kernel %llu), successful %llu (%llu), pages migrated %llu "
			"(%llu)\n",
			(unsigned long long)fig(src, "compact_runs"),
			(unsigned long long)fig(src, "compact_runs_traced"),
			(unsigned long long)fig(src, "compact_success"),
			(unsigned long long)fig(src, "compact_success_traced"),
			(unsigned long long)fig(src, "compact_pages_migrated"),
			(unsigned long long)fig(src, "compact_pages_migrated_traced"));
	u64 fc = fig(src, "compact_fast_confirmed_pages"), fx = fig(src, "compact_fast_contradicted_pages"),
	    fu = fig(src, "compact_fast_unnamed_pages"), fs = fig(src, "compact_fast_silent_pages");
	if (fc + fx + fu)
		fprintf(f,
			"  the fast free search's blocks: %llu pages where the trace's later frees show a "
			"free "
			"block left the buddy untraced, the rest guessed; %llu pages confirmed, %llu "
			"contradicted by the pieces the runs gave back, %llu never named\n",
			(unsigned long long)fs, (unsigned long long)fc, (unsigned long long)fx,
			(unsigned long long)fu);
	zone_choice_words(f, &src->st->pages);
	if (src->st->pcp_end_known && !strcmp(src->st->cfg.pcp, "on"))
		fprintf(f, "  per-CPU lists at the end: %llu pages (kernel %llu, its later zoneinfo)\n",
			(unsigned long long)src->st->pcp_end_pages,
			(unsigned long long)src->st->pcp_end_kernel);
	if (fig(src, "page_alloc_base_fallbacks"))
		fprintf(f,
			"  allocations of order > 0 no free block of the model served, served as order-0 "
			"pages (as a THP fault falls back): %llu\n",
			(unsigned long long)fig(src, "page_alloc_base_fallbacks"));
	fprintf(f,
		"  pages the kernel moved without a tracepoint: joined %llu, left %llu, other %llu; zone "
		"snapshots left out after a failed allocation %llu; snapshots left out for evidence of "
		"untraced movements %llu (deferred init: %llu pages)\n",
		(unsigned long long)fig(src, "untraced_join_pages"),
		(unsigned long long)fig(src, "untraced_leave_pages"),
		(unsigned long long)fig(src, "untraced_other_pages"),
		(unsigned long long)fig(src, "snap_exhausted"),
		(unsigned long long)fig(src, "snaps_untraced"),
		(unsigned long long)fig(src, "deferred_init_pages"));
}

struct machine_args {
	bool seed_only;
	const char *csv, *snap_csv;
};

static const struct cli_opt machine_opts[] = {
	CLI_OPT_FLAG("seed-check", struct machine_args, seed_only,
		     "print only the seeding; exit 1 when the seed brought to one instant is out of range"),
	CLI_OPT_OUT("snap-csv", "FILE", struct machine_args, snap_csv, "one row per snapshot and zone"),
	CLI_OPT_OUT("csv", "FILE", struct machine_args, csv,
		    "every figure of each configuration as CSV (stdout shows them in words)"),
	CLI_OPT_END,
};

static const char *const machine_defaults[] = {"page-mode=buddy", "buddy=lifo", "pcp=on", NULL};

static const struct cli_cmd machine_cmd = {
	.name = "machine",
	.synopsis = "RECORDING_DIR",
	.about = "The physical-memory view of `mmreplay replay RECORDING_DIR`: the zones are the recorded\n"
		 "machine's (zoneinfo.start.txt spans; kpageflags.start's free pages as free blocks,\n"
		 "pageblock types after pagetypeinfo.start.txt), printed against buddyinfo.start.txt and\n"
		 "buddyinfo.start-after-kpageflags.txt; then each configuration (page-mode, buddy and pcp\n"
		 "lists) replays the recording and is compared with every buddyinfo-series.txt snapshot:\n"
		 "one summary line per configuration (buddy mode takes one buddy policy and no per-CPU\n"
		 "lists: the kernel's events decide), in words; --csv FILE writes every figure. The\n"
		 "settings below apply (docs/physical-fidelity.md).",
	.opts = machine_opts,
	.min_args = 1,
	.max_args = 1,
	.settings = machine_defaults,
	.facets = SETTING_ON_BUDDY | SETTING_ON_PAGE_EVENTS,
};

/* Whether configuration k's value of setting name is the first of its axis (or it has none). */
static bool first_value(const struct matrix *m, size_t k, const char *name)
{
	const struct matrix_axis *ax = matrix_axis_of(m, settings_find(name));
	return !ax || !strcmp(matrix_lookup(m, k, name), m->pool + ax->val[0]);
}

/* Configurations that say nothing new: per-CPU lists are placement's (faithful and buddy take
 * the first pcp and pcp-tune values), and buddy mode decides no placement (its first buddy policy
 * stands for all). */
static bool machine_redundant(const struct matrix *m, size_t k)
{
	const char *mode = matrix_lookup(m, k, "page-mode");
	bool placement = !mode || !strcmp(mode, "placement");
	if (!placement && (!first_value(m, k, "pcp") || !first_value(m, k, "pcp-tune")))
		return true; /* the lists are placement's */
	return mode && !strcmp(mode, "buddy") && !first_value(m, k, "buddy");
}

static int machine_one(struct recording_cfg *rc, const struct matrix *m, size_t k, const struct mm_trace *t,
		       const struct sim_trace_facts *tf, FILE *out, struct snapcheck_csv *snaps)
{
	struct sim_cfg cfg;
	char err[512], label[512];
	if (recording_cfg_build(rc, m, k, tf, &cfg, err, sizeof(err))) {
		fprintf(stderr, "mmreplay machine: %s\n", err);
		return MM_EXIT_FAIL;
	}
	struct replay_row *row = calloc(1, sizeof(*row));
	int e = row ? replay_run(rc->label, t->ev, t->n, &cfg, row) : -ENOMEM;
	if (e) {
		fprintf(stderr, "mmreplay machine: %s: %s\n", rc->label, strerror(-e));
		free(row);
		return MM_EXIT_FAIL;
	}
	struct metric_src src = {.trace = row->trace, .st = &row->st, .host = &row->host};
	if (out == stdout)
		summary_words(out, &src);
	else
		summary_line(out, &src);
	fflush(out);
	recording_cfg_warn(rc, "machine", &row->st);
	matrix_label(m, k, label, sizeof(label));
	int e2 = snapcheck_csv_rows(snaps, row->trace, label, row->snap_rows, row->nsnap_rows);
	if (e2)
		fprintf(stderr, "mmreplay machine: %s: %s\n", snaps->path, snapcheck_csv_error(snaps, e2));
	replay_row_fini(row);
	free(row);
	return e2 ? MM_EXIT_FAIL : MM_EXIT_OK;
}

static int machine_runs(struct recording_cfg *rc, const struct matrix *m, FILE *out,
			struct snapcheck_csv *snaps)
{
	struct mm_trace t;
	struct mm_diag d = {{0}};
	if (trace_load(rc->trace, NULL, &t, &d)) {
		fprintf(stderr, "mmreplay machine: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	struct sim_trace_facts tf;
	sim_trace_facts(t.ev, t.n, &tf);
	struct hindsight_of_array hs;
	hindsight_of_array_init(&hs, t.ev, t.n);
	tf.hindsight = &hs.src;
	if (out != stdout)
		summary_line(out, NULL);
	int res = MM_EXIT_OK;
	for (size_t k = 0; k < matrix_size(m) && res == MM_EXIT_OK; k++)
		if (!machine_redundant(m, k))
			res = machine_one(rc, m, k, &t, &tf, out, snaps);
	hindsight_of_array_fini(&hs);
	trace_free(&t);
	return res;
}

static int machine_main(const struct machine_args *a, const struct matrix *m, const char *dir)
{
	struct recording_cfg *rc = malloc(sizeof(*rc));
	struct mm_diag d = {{0}};
	struct sim_cfg cfg;
	char err[512];
	struct sim_trace_facts tf = {0};
	int e = rc ? recording_cfg_open(rc, dir, true, &d) : -ENOMEM;
	if (!e && !rc->rec)
		e = diag_set(&d, dir, 0, "not a recording directory (data/recordings/README.md)");
	if (!e && recording_cfg_build(rc, m, 0, &tf, &cfg, err, sizeof(err)))
		e = diag_set(&d, dir, 0, "%s", err);
	int sc = e ? e : machine_seed_check(dir, &cfg, &d);
	if (sc >= 0) { /* the residual at one instant decides; the before/after range is shown */
		sc = machine_seed_instant(rc, &cfg, &d);
		if (sc >= 0)
			printf("%s: the seed at one instant is %s\n", dir, sc ? "OUT OF RANGE" : "in range");
	}
	if (sc < 0)
		fprintf(stderr, "mmreplay machine: %s\n", d.msg[0] ? d.msg : strerror(-sc));
	else if (sc && a->seed_only) /* the failure says so where failures are said */
		fprintf(stderr, "mmreplay machine: %s: the seed at one instant is out of range\n", dir);
	int res =
		sc < 0 || (sc && a->seed_only) ? MM_EXIT_FAIL : MM_EXIT_OK; /* outside: --seed-check fails */
	if (sc >= 0 && !a->seed_only) {
		struct csv out = {0};
		struct snapcheck_csv snaps = {.path = a->snap_csv};
		if (a->csv && (e = csv_open(&out, a->csv))) {
			fprintf(stderr, "mmreplay machine: %s: %s\n", a->csv, csv_error(&out, e));
			res = MM_EXIT_FAIL;
		} else {
			res = machine_runs(rc, m, a->csv ? out.f : stdout, &snaps);
		}
		if (out.f && (res != MM_EXIT_OK ? (csv_abort(&out), 0) : csv_commit(&out)))
			res = MM_EXIT_FAIL;
		if (snapcheck_csv_close(&snaps, res == MM_EXIT_OK))
			res = MM_EXIT_FAIL;
	}
	if (rc)
		recording_cfg_close(rc);
	free(rc);
	return res;
}

int cmd_machine(int argc, char **argv)
{
	struct machine_args a = {0};
	struct matrix *m = malloc(sizeof(*m));
	int first = 0, rc = m ? cli_parse(&machine_cmd, argc, argv, &a, m, &first) : MM_EXIT_FAIL;
	if (rc == CLI_RUN)
		rc = machine_main(&a, m, argv[first]);
	free(m);
	return rc;
}
