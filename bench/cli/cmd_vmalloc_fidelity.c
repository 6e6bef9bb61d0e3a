/* mmreplay vmalloc-fidelity: replay recordings of a real machine and say how often the vmalloc
 * model put each area where the kernel did, whether it purged when and as much as the kernel,
 * whether its state at the end snapshot is the kernel's, and where it went wrong first. Takes
 * every machine setting (the registry), by default the nodes vmlist in follow mode. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/output/csv.h"
#include "bench/output/metrics.h"
#include "bench/run/recording_cfg.h"
#include "bench/run/replay.h"
#include "workloads/trace/trace.h"

struct fid_opts {
	const char *out;
	bool no_seed;
	u64 mismatches;
};

static const struct cli_opt fid_opts[] = {
	CLI_OPT_OUT("out", "FILE", struct fid_opts, out,
		    "write the replay CSV (every column) of each recording"),
	CLI_OPT_U64("mismatches", "N", struct fid_opts, mismatches, 0, VMAP_FID_MISMATCHES,
		    "print the first N mismatches after the first purge, by default all that are kept"),
	CLI_OPT_FLAG("no-seed", struct fid_opts, no_seed,
		     "a recording: its trace alone (an empty space from the trace's start, no end check)"),
	CLI_OPT_END,
};

static const char *const fid_defaults[] = {"vmlist=nodes", "vmap-mode=follow", NULL};

static const struct cli_cmd cli_fid = {
	.name = "vmalloc-fidelity",
	.synopsis = "RECORDING... | --vmalloc-state FILE TRACE",
	.about = "The vmalloc view of `mmreplay replay RECORDING`. A RECORDING is a directory as\n"
		 "data/recordings/README.md describes: trace.perf.txt.zst, vmallocinfo.start.txt and\n"
		 "vmallocinfo.end.txt (real addresses), times.txt, and the machine's page state. The space\n"
		 "is seeded from the start snapshot, the replay starts when it was read (earlier events are\n"
		 "skipped), and the model's state is compared with the end snapshot when that was read;\n"
		 "--vmalloc-state, --vmalloc-end, --vmalloc-end-at and --from set these for a TRACE.\n"
		 "Defaults: vmlist nodes in follow mode (each area goes where the kernel put it, after the\n"
		 "model's prediction is recorded). Printed per recording and configuration: exact addresses\n"
		 "(all, and after the trace's first purge), purges and their area counts, end state, the\n"
		 "mismatch classes and the first mismatches with the kernel's and the model's address,\n"
		 "size and node (docs/vmalloc-fidelity.md).",
	.opts = fid_opts,
	.min_args = 1,
	.max_args = 1u << 30,
	.settings = fid_defaults,
	.facets = SETTING_ON_VMAP,
};

/* The trace's own drain delay: vmalloc calls from the vfree that crossed nr_lazy_max (the first
 * since the previous purge) to the purge event, excluding both. */
static void print_drain_delays(const struct mm_trace *t)
{
	u64 gaps[256], n = 0, calls = 0;
	bool armed = false;
	for (size_t i = 0; i < t->n && n < MM_ARRAY_SIZE(gaps); i++) {
		const struct mm_event *e = &t->ev[i];
		if (e->kind == MME_VMAP_PURGE) {
			if (armed)
				gaps[n++] = calls;
			armed = false;
		} else if (e->kind == MME_VMAP_ALLOC || e->kind == MME_VMAP_FREE) {
			calls++;
			if (!armed && e->kind == MME_VMAP_FREE && e->aux && e->len2 > e->aux) {
				armed = true;
				calls = 0;
			}
		}
	}
	printf("  kernel drain delay (vmalloc calls between the crossing vfree and the purge):");
	if (!n)
		printf(" none measured (no purge followed a vfree that crossed nr_lazy_max)");
	for (u64 i = 0; i < n; i++)
		printf(" %llu", (unsigned long long)gaps[i]);
	printf("\n");
}

static double pct(u64 a, u64 b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static const char *src_name(unsigned src)
{
	static const char *const names[] = {"tree", "pool", "pool-deep", "pool-other", "hidden", "decayed"};
	return src < MM_ARRAY_SIZE(names) ? names[src] : "?";
}

/* Warm allocations by what the recording had shown (an address the model named from the
 * kernel's earlier choices counts as shown), and the most the model can be held to. */
static void print_ceiling(const struct vmap_reveal_stats *r, u64 warm)
{
	if (r->failed || !warm)
		return;
	printf("  after the first purge, by what the recording had shown (exact in this run):\n"
	       "    at an address shown before %llu (%llu); new, a pool could hold it %llu (%llu), of which "
	       "the model\n    missed at least %llu entries of pools never shown; new, only the tree could "
	       "give it %llu (%llu)\n",
	       (unsigned long long)r->n[VMAP_CLS_SEEN], (unsigned long long)r->exact[VMAP_CLS_SEEN],
	       (unsigned long long)r->n[VMAP_CLS_NEW_POOL], (unsigned long long)r->exact[VMAP_CLS_NEW_POOL],
	       (unsigned long long)r->unrevealed, (unsigned long long)r->n[VMAP_CLS_NEW_TREE],
	       (unsigned long long)r->exact[VMAP_CLS_NEW_TREE]);
	printf("  ceiling: the misses at never-shown pool entries excused: at most %llu / %llu (%.1f %%) "
	       "exact\n",
	       (unsigned long long)(warm - r->unrevealed), (unsigned long long)warm,
	       pct(warm - r->unrevealed, warm));
}

static void print_report(const char *name, const struct sim_stats *st, bool seeded, unsigned nmis)
{
	const struct sim_vfid_stats *f = &st->vfid;
	bool follow = !strcmp(st->cfg.vmap_mode, "follow");
	printf("%s: vmlist %s, %s, purge %s, %u node(s), flush ceiling %llu\n", name, st->cfg.vmlist,
	       st->cfg.vmap_mode, st->cfg.purge, st->cfg.vmap_nodes,
	       (unsigned long long)st->cfg.flush_ceiling);
	printf("  seeded %llu areas (%llu outside the space), skipped %llu events before the start\n",
	       (unsigned long long)f->seeded_areas, (unsigned long long)f->seed_outside,
	       (unsigned long long)f->skipped);
	if (!f->checked)
		printf("  addresses exact: no traced vmap allocation to compare\n");
	else
		printf("  addresses exact: %llu / %llu (%.1f %%)", (unsigned long long)f->exact,
		       (unsigned long long)f->checked, pct(f->exact, f->checked));
	if (f->checked && !f->trace_purges)
		printf("; after the first purge: none (the trace has no purge event)\n");
	else if (f->checked && !f->checked_warm)
		printf("; after the first purge: none (no vmap allocation followed the trace's first "
		       "purge)\n");
	else if (f->checked)
		printf("; after the first purge: %llu / %llu (%.1f %%)\n", (unsigned long long)f->exact_warm,
		       (unsigned long long)f->checked_warm, pct(f->exact_warm, f->checked_warm));
	printf("  purges: model %llu, trace %llu, same area count (paired in order) %llu\n",
	       (unsigned long long)f->model_purges, (unsigned long long)f->trace_purges,
	       (unsigned long long)f->purges_size_exact);
	if (seeded)
		printf("  end state: %llu of %llu areas (busy and lazy) as in the kernel (%.1f %%)\n",
		       (unsigned long long)f->end_matched, (unsigned long long)f->end_areas,
		       pct(f->end_matched, f->end_areas));
	if (follow)
		printf("  the kernel's areas were, to the model: pool head %llu, deeper in that pool %llu, "
		       "another pool %llu, decayed from that pool %llu, hidden %llu, tree %llu; conflicts "
		       "%llu; purges run early (a lazy area reused before the purge's event) %llu\n",
		       (unsigned long long)f->where[VMLIST_SRC_POOL],
		       (unsigned long long)f->where[VMLIST_SRC_POOL_DEEP],
		       (unsigned long long)f->where[VMLIST_SRC_POOL_OTHER],
		       (unsigned long long)f->where[VMLIST_SRC_DECAYED],
		       (unsigned long long)f->where[VMLIST_SRC_HIDDEN],
		       (unsigned long long)f->where[VMLIST_SRC_TREE], (unsigned long long)f->follow_conflicts,
		       (unsigned long long)f->early_purges);
	if (follow && f->checked_warm > f->exact_warm)
		printf("  mismatches after the first purge: the model's address from its pool %llu, a hidden "
		       "slot it predicted %llu, its tree %llu; "
		       "the kernel's was in the model's tree %llu, a hidden slot %llu, deeper in the pool "
		       "%llu, another pool %llu, decayed from the pool %llu\n",
		       (unsigned long long)f->miss_src[VMLIST_SRC_POOL],
		       (unsigned long long)f->miss_src[VMLIST_SRC_HIDDEN],
		       (unsigned long long)f->miss_src[VMLIST_SRC_TREE],
		       (unsigned long long)f->miss_how[VMLIST_SRC_TREE],
		       (unsigned long long)f->miss_how[VMLIST_SRC_HIDDEN],
		       (unsigned long long)f->miss_how[VMLIST_SRC_POOL_DEEP],
		       (unsigned long long)f->miss_how[VMLIST_SRC_POOL_OTHER],
		       (unsigned long long)f->miss_how[VMLIST_SRC_DECAYED]);
	print_ceiling(&f->reveal, f->checked_warm);
	printf("  vmalloc bulk pages: %llu order-0 frees paired with vfree'd areas (no traced allocation)\n",
	       (unsigned long long)f->bulk_frees);
	if (!nmis || !f->nmis)
		return;
	printf("  first mismatches after the first purge:\n  %14s %4s %4s %9s %18s %18s %-10s %s\n", "time_s",
	       "cpu", "node", "size", "kernel", "model", "model_from", "kernel_was");
	for (unsigned i = 0; i < f->nmis && i < nmis; i++) {
		const struct vmap_mismatch *m = &f->mis[i];
		printf("  %14.6f %4u %4u %9llu %#18llx %#18llx %-10s %s\n", (double)m->ts_ns / 1e9, m->cpu,
		       m->node, (unsigned long long)m->size, (unsigned long long)m->kernel,
		       (unsigned long long)m->model, src_name(m->src), follow ? src_name(m->how) : "-");
	}
}

/* Every configuration of m on one recording (or trace). */
static int fid_one(const char *arg, const struct fid_opts *o, const struct matrix *m, FILE *csv)
{
	struct mm_trace t = {0};
	struct mm_diag d = {{0}};
	struct recording_cfg *rc = malloc(sizeof(*rc));
	int err = rc ? recording_cfg_open(rc, arg, !o->no_seed, &d) : -ENOMEM;
	if (!err)
		err = trace_load(rc->trace, NULL, &t, &d);
	if (err)
		fprintf(stderr, "mmreplay vmalloc-fidelity: %s\n", d.msg[0] ? d.msg : strerror(-err));
	struct sim_trace_facts tf;
	sim_trace_facts(t.ev, t.n, &tf);
	for (size_t k = 0; !err && k < matrix_size(m); k++) {
		struct sim_cfg cfg;
		struct replay_row row;
		char why[512];
		if ((err = recording_cfg_build(rc, m, k, &tf, &cfg, why, sizeof(why)))) {
			fprintf(stderr, "mmreplay vmalloc-fidelity: %s\n", why);
			break;
		}
		if ((err = replay_run(rc->label, t.ev, t.n, &cfg, &row))) {
			fprintf(stderr, "mmreplay vmalloc-fidelity: %s: %s\n", arg, strerror(-err));
			break;
		}
		print_report(rc->label, &row.st, cfg.vmalloc_end != NULL, (unsigned)o->mismatches);
		struct metric_src src = {.trace = row.trace, .st = &row.st, .host = &row.host};
		if (csv)
			metrics_csv_row(csv, METRIC_IN_REPLAY, &src);
		recording_cfg_warn(rc, "vmalloc-fidelity", &row.st);
		replay_row_fini(&row);
	}
	if (!err)
		print_drain_delays(&t);
	trace_free(&t);
	if (rc)
		recording_cfg_close(rc);
	free(rc);
	return err;
}

int cmd_vmalloc_fidelity(int argc, char **argv)
{
	struct fid_opts o = {.mismatches = VMAP_FID_MISMATCHES};
	struct matrix *m = malloc(sizeof(*m));
	int first = 0, rc = m ? cli_parse(&cli_fid, argc, argv, &o, m, &first) : MM_EXIT_FAIL;
	if (rc != CLI_RUN) {
		free(m);
		return rc;
	}
	struct csv csv = {0};
	int e = o.out ? csv_open(&csv, o.out) : 0;
	if (e) {
		fprintf(stderr, "mmreplay vmalloc-fidelity: %s: %s\n", o.out, csv_error(&csv, e));
		free(m);
		return MM_EXIT_FAIL;
	}
	if (o.out)
		metrics_csv_header(csv.f, METRIC_IN_REPLAY, NULL);
	rc = MM_EXIT_OK;
	for (int i = first; i < argc && rc == MM_EXIT_OK; i++)
		if (fid_one(argv[i], &o, m, o.out ? csv.f : NULL))
			rc = MM_EXIT_FAIL;
	free(m);
	if (o.out && (e = rc != MM_EXIT_OK ? (csv_abort(&csv), 0) : csv_commit(&csv))) {
		fprintf(stderr, "mmreplay vmalloc-fidelity: %s: %s\n", o.out, csv_error(&csv, e));
		rc = MM_EXIT_FAIL;
	}
	return rc;
}
