/* mmreplay vmalloc-fidelity: replay recordings of a real machine and say how often the vmalloc
 * model put each area where the kernel did, whether it purged when and as much as the kernel,
 * whether its state at the end snapshot is the kernel's, and where it went wrong first. Takes
 * every machine setting (the registry), by default the nodes vmlist in follow mode. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "csv.h"
#include "metrics.h"
#include "replay.h"
#include "trace.h"
#include "vmallocinfo.h"

struct fid_opts {
	const char *out, *state, *end;
	double from, end_at; /* < 0: not given */
	bool no_seed;
	u64 mismatches;
};

static const struct cli_opt fid_opts[] = {
	CLI_OPT_STR("out", "FILE", struct fid_opts, out,
		    "write the replay CSV (every column) of each recording"),
	CLI_OPT_U64("mismatches", "N", struct fid_opts, mismatches, 0, VMAP_FID_MISMATCHES,
		    "print the first N mismatches after the first purge (default 10)"),
	CLI_OPT_FLAG("no-seed", struct fid_opts, no_seed,
		     "a recording: replay from an empty space and the trace's start, no end check"),
	CLI_OPT_STR("vmalloc-state", "FILE", struct fid_opts, state,
		    "a TRACE: seed the space from this /proc/vmallocinfo (real addresses)"),
	CLI_OPT_STR("vmalloc-end", "FILE", struct fid_opts, end,
		    "a TRACE: compare the model with this later vmallocinfo"),
	CLI_OPT_F64("from", "SECONDS", struct fid_opts, from, 0, 1e12,
		    "start at this trace time (earlier events are in the snapshot: skipped)"),
	CLI_OPT_F64("end-at", "SECONDS", struct fid_opts, end_at, 0, 1e12,
		    "when the end snapshot was read (default: at the end of the trace)"),
	CLI_OPT_END,
};

static const char *const fid_defaults[] = {"vmlist=nodes", "vmap-mode=follow", NULL};

static const struct cli_cmd cli_fid = {
	.name = "vmalloc-fidelity",
	.synopsis = "RECORDING... | --vmalloc-state FILE TRACE",
	.about = "A RECORDING is a directory as data/recordings/README.md describes: trace.perf.txt.zst,\n"
		 "vmallocinfo.start.txt and vmallocinfo.end.txt (real addresses), times.txt. The space is\n"
		 "seeded from the start snapshot, the replay starts when it was read (earlier events are\n"
		 "skipped), and the model's state is compared with the end snapshot when that was read.\n"
		 "Defaults: vmlist nodes in follow mode (each area goes where the kernel put it, after the\n"
		 "model's prediction is recorded). Printed per recording and configuration: exact addresses\n"
		 "(all, and after the trace's first purge), purges and their area counts, end state, the\n"
		 "mismatch classes and the first mismatches with the kernel's and the model's address,\n"
		 "size and node (docs/vmalloc-fidelity.md).",
	.opts = fid_opts,
	.min_args = 1,
	.max_args = 1u << 30,
	.settings = fid_defaults,
};

/* times.txt: "start: procfs text read A..B, ..." and "end: ...": the read starts. */
static int read_times(const char *path, double *start, double *end)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	char line[1024];
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		double a;
		if (sscanf(line, "start: procfs text read %lf", &a) == 1) {
			*start = a;
			found |= 1;
		} else if (sscanf(line, "end: procfs text read %lf", &a) == 1) {
			*end = a;
			found |= 2;
		}
	}
	fclose(f);
	return found == 3 ? 0 : -EINVAL;
}

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
	static const char *const names[] = {"tree", "pool", "pool-deep", "pool-other", "hidden"};
	return src < MM_ARRAY_SIZE(names) ? names[src] : "?";
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
	printf("  addresses exact: %llu / %llu (%.1f %%); after the first purge: %llu / %llu (%.1f %%)\n",
	       (unsigned long long)f->exact, (unsigned long long)f->checked, pct(f->exact, f->checked),
	       (unsigned long long)f->exact_warm, (unsigned long long)f->checked_warm,
	       pct(f->exact_warm, f->checked_warm));
	printf("  purges: model %llu, trace %llu, same area count %llu\n",
	       (unsigned long long)f->model_purges, (unsigned long long)f->trace_purges,
	       (unsigned long long)f->purges_size_exact);
	if (seeded)
		printf("  end state: %llu of %llu areas (busy and lazy) as in the kernel (%.1f %%)\n",
		       (unsigned long long)f->end_matched, (unsigned long long)f->end_areas,
		       pct(f->end_matched, f->end_areas));
	if (follow)
		printf("  the kernel's areas were, to the model: pool head %llu, deeper in that pool %llu, "
		       "another pool %llu, hidden %llu, tree %llu; conflicts %llu\n",
		       (unsigned long long)f->where[VMLIST_SRC_POOL],
		       (unsigned long long)f->where[VMLIST_SRC_POOL_DEEP],
		       (unsigned long long)f->where[VMLIST_SRC_POOL_OTHER],
		       (unsigned long long)f->where[VMLIST_SRC_HIDDEN],
		       (unsigned long long)f->where[VMLIST_SRC_TREE],
		       (unsigned long long)f->follow_conflicts);
	if (follow && f->checked_warm > f->exact_warm)
		printf("  mismatches after the first purge: the model's address from its pool %llu, its tree "
		       "%llu; "
		       "the kernel's was in the model's tree %llu, a hidden slot %llu, deeper in the pool "
		       "%llu, "
		       "another pool %llu\n",
		       (unsigned long long)f->miss_src[VMLIST_SRC_POOL],
		       (unsigned long long)f->miss_src[VMLIST_SRC_TREE],
		       (unsigned long long)f->miss_how[VMLIST_SRC_TREE],
		       (unsigned long long)f->miss_how[VMLIST_SRC_HIDDEN],
		       (unsigned long long)f->miss_how[VMLIST_SRC_POOL_DEEP],
		       (unsigned long long)f->miss_how[VMLIST_SRC_POOL_OTHER]);
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

struct fid_input {
	char trace[4096], state[4096], end[4096];
	double from, end_at;
	bool have_state, have_end, have_from, have_end_at;
};

/* A recording directory, or a trace with the explicit options. */
static int fid_input(const char *arg, const struct fid_opts *o, struct fid_input *in)
{
	struct stat st;
	memset(in, 0, sizeof(*in));
	if (!stat(arg, &st) && S_ISDIR(st.st_mode)) {
		char times[4200];
		snprintf(in->trace, sizeof(in->trace), "%s/trace.perf.txt.zst", arg);
		snprintf(in->state, sizeof(in->state), "%s/vmallocinfo.start.txt", arg);
		snprintf(in->end, sizeof(in->end), "%s/vmallocinfo.end.txt", arg);
		snprintf(times, sizeof(times), "%s/times.txt", arg);
		if (read_times(times, &in->from, &in->end_at)) {
			fprintf(stderr, "mmreplay vmalloc-fidelity: %s: no start and end times\n", times);
			return -EINVAL;
		}
		in->have_state = in->have_end = in->have_from = in->have_end_at = !o->no_seed;
	} else {
		snprintf(in->trace, sizeof(in->trace), "%s", arg);
		if (o->state)
			snprintf(in->state, sizeof(in->state), "%s", o->state);
		if (o->end)
			snprintf(in->end, sizeof(in->end), "%s", o->end);
		in->have_state = o->state && !o->no_seed;
		in->have_end = o->end != NULL;
	}
	if (o->from >= 0) {
		in->from = o->from;
		in->have_from = true;
	}
	if (o->end_at >= 0) {
		in->end_at = o->end_at;
		in->have_end_at = true;
	}
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

/* Every configuration of m on one recording (or trace). */
static int fid_one(const char *arg, const struct fid_opts *o, const struct matrix *m, FILE *csv)
{
	struct fid_input in;
	struct vmap_snapshot state = {0}, end = {0};
	struct mm_trace t = {0};
	struct mm_diag d = {{0}};
	int err = fid_input(arg, o, &in);
	if (!err && in.have_state)
		err = vmallocinfo_load(in.state, &state, &d);
	if (!err && in.have_end)
		err = vmallocinfo_load(in.end, &end, &d);
	if (!err)
		err = trace_load(in.trace, NULL, &t, &d);
	if (err && d.msg[0])
		fprintf(stderr, "mmreplay vmalloc-fidelity: %s\n", d.msg);
	struct sim_trace_facts tf;
	sim_trace_facts(t.ev, t.n, &tf);
	for (size_t k = 0; !err && k < matrix_size(m); k++) {
		struct sim_cfg cfg;
		struct replay_row row;
		char why[512];
		if ((err = replay_cfg(m, k, &tf, &cfg, why, sizeof(why)))) {
			fprintf(stderr, "mmreplay vmalloc-fidelity: %s\n", why);
			break;
		}
		cfg.vmalloc_state = in.have_state ? &state : NULL;
		cfg.vmalloc_end = in.have_end ? &end : NULL;
		cfg.from_ns = in.have_from ? (u64)(in.from * 1e9) : 0;
		cfg.vmalloc_end_ns = in.have_end_at ? (u64)(in.end_at * 1e9) : 0;
		if ((err = replay_run(base_name(arg), t.ev, t.n, &cfg, &row))) {
			fprintf(stderr, "mmreplay vmalloc-fidelity: %s: %s\n", arg, strerror(-err));
			break;
		}
		print_report(base_name(arg), &row.st, in.have_end, (unsigned)o->mismatches);
		struct metric_src src = {.trace = row.trace, .st = &row.st, .host = &row.host};
		if (csv)
			metrics_csv_row(csv, METRIC_IN_REPLAY, &src);
		replay_row_fini(&row);
	}
	if (!err)
		print_drain_delays(&t);
	trace_free(&t);
	vmallocinfo_free(&state);
	vmallocinfo_free(&end);
	return err;
}

int cmd_vmalloc_fidelity(int argc, char **argv)
{
	struct fid_opts o = {.mismatches = VMAP_FID_MISMATCHES, .from = -1, .end_at = -1};
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
