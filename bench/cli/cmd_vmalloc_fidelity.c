/* mmreplay vmalloc-fidelity: replay recordings of a real machine and say how often the vmalloc
 * model put each area where the kernel did, whether it purged when and as much as the kernel,
 * whether its state at the end snapshot is the kernel's, and where it went wrong first. Drives
 * struct sim directly (the settings registry will take these options over). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "csv.h"
#include "replay.h"
#include "replay_vmap.h"
#include "trace.h"
#include "vmallocinfo.h"

static void fid_usage(FILE *f)
{
	fprintf(f,
		"usage: mmreplay vmalloc-fidelity [--vmlist NAME] [--vmap-mode predict|follow]\n"
		"           [--purge inline|trace|model] [--purge-delay N] [--flush-ceiling PAGES]\n"
		"           [--vmap-nodes N] [--cpus N] [--no-seed] [--mismatches N] [--out FILE]\n"
		"           RECORDING...\n"
		"       mmreplay vmalloc-fidelity [options] --vmalloc-state FILE [--vmalloc-end FILE]\n"
		"           [--from SECONDS] [--end-at SECONDS] TRACE\n\n"
		"A RECORDING is a directory as data/recordings/README.md describes: trace.perf.txt.zst,\n"
		"vmallocinfo.start.txt and vmallocinfo.end.txt (real addresses), times.txt. The space is\n"
		"seeded from the start snapshot, the replay starts when it was read (earlier events are\n"
		"skipped), and the model's state is compared with the end snapshot when that was read.\n"
		"Defaults: --vmlist nodes, --vmap-mode follow (place each area where the kernel did, after\n"
		"recording the model's prediction), --purge trace when the trace has purge events, else\n"
		"model (--purge-delay vmalloc calls after the crossing vfree, default %d), --flush-ceiling\n"
		"%d, nodes = the trace's CPUs. Printed per recording: exact addresses (all, and after the\n"
		"trace's first purge), purges and their area counts, end state, and the first --mismatches\n"
		"(default 10) after the first purge with the kernel's and the model's address, size, node.\n"
		"--out FILE writes the replay CSV (every column) of each recording.\n",
		SIM_DEFAULT_PURGE_DELAY, SIM_DEFAULT_FLUSH_CEILING);
}

struct fid_opts {
	struct sim_cfg base;
	const char *state, *end, *out;
	double from, end_at;
	bool no_seed, have_from, have_end_at;
	unsigned mismatches;
};

static int parse_u64(const char *s, u64 max, u64 *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end || !*s || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

static int parse_secs(const char *s, double *v)
{
	char *end;
	*v = strtod(s, &end);
	return *end || !*s || *v < 0 ? -EINVAL : 0;
}

static int fid_own_option(struct fid_opts *o, int c, const char *arg);

static int fid_option(struct fid_opts *o, int c, const char *arg)
{
	static const char keys[] = "fpdmn"; /* the shared settings, in replay_vmap_keys order */
	const char *k = strchr(keys, c);
	char err[256];
	if (c && k) {
		if (!replay_vmap_set(&o->base, replay_vmap_keys[k - keys], arg, err, sizeof(err)))
			return 0;
		fprintf(stderr, "mmreplay vmalloc-fidelity: %s\n", err);
		return -EINVAL;
	}
	int ret = fid_own_option(o, c, arg);
	if (ret)
		fprintf(stderr, "mmreplay vmalloc-fidelity: bad value '%s'\n", arg);
	return ret;
}

static int fid_own_option(struct fid_opts *o, int c, const char *arg)
{
	u64 v;
	switch (c) {
	case 'v':
		o->base.vmlist = vmlist_find(arg);
		return o->base.vmlist ? 0 : -EINVAL;
	case 'c':
		if (parse_u64(arg, 4096, &v) || !v)
			return -EINVAL;
		o->base.ncpus = (unsigned)v;
		return 0;
	case 'M':
		if (parse_u64(arg, VMAP_FID_MISMATCHES, &v))
			return -EINVAL;
		o->mismatches = (unsigned)v;
		return 0;
	case 'F':
		o->have_from = true;
		return parse_secs(arg, &o->from);
	case 'E':
		o->have_end_at = true;
		return parse_secs(arg, &o->end_at);
	default:
		return -EINVAL;
	}
}

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

static void print_report(const char *name, const struct sim *s, unsigned nmis)
{
	const struct vmap_fidelity *f = &s->vfid;
	printf("%s: vmlist %s, %s, purge %s, %u node(s), flush ceiling %llu\n", name, s->cfg.vmlist->name,
	       !s->cfg.vmap_follow   ? "predict"
	       : s->vm.vl.ops->place ? "follow"
				     : "predict (follow needs nodes)",
	       s->vm.cfg.purge == VMALLOC_PURGE_INLINE	? "inline"
	       : s->vm.cfg.purge == VMALLOC_PURGE_TRACE ? "trace"
							: "model",
	       s->vm.cfg.nr_nodes, (unsigned long long)s->vm.cfg.flush_ceiling);
	printf("  seeded %llu areas (%llu outside the space), skipped %llu events before the start\n",
	       (unsigned long long)s->vm.st.seeded_areas, (unsigned long long)f->seed_outside,
	       (unsigned long long)f->skipped);
	printf("  addresses exact: %llu / %llu (%.1f %%); after the first purge: %llu / %llu (%.1f %%)\n",
	       (unsigned long long)f->exact, (unsigned long long)f->checked, pct(f->exact, f->checked),
	       (unsigned long long)f->exact_warm, (unsigned long long)f->checked_warm,
	       pct(f->exact_warm, f->checked_warm));
	printf("  purges: model %llu, trace %llu, same area count %llu\n", (unsigned long long)f->nmodel,
	       (unsigned long long)f->ntrace, (unsigned long long)vmap_fid_purges_size_exact(f));
	if (s->cfg.vmalloc_end)
		printf("  end state: %llu of %llu areas (busy and lazy) as in the kernel (%.1f %%)\n",
		       (unsigned long long)f->end_matched, (unsigned long long)f->end_areas,
		       pct(f->end_matched, f->end_areas));
	if (s->cfg.vmap_follow)
		printf("  the kernel's areas were, to the model: pool head %llu, deeper in that pool %llu, "
		       "another pool %llu, hidden %llu, tree %llu; conflicts %llu\n",
		       (unsigned long long)f->where[VMLIST_SRC_POOL],
		       (unsigned long long)f->where[VMLIST_SRC_POOL_DEEP],
		       (unsigned long long)f->where[VMLIST_SRC_POOL_OTHER],
		       (unsigned long long)f->where[VMLIST_SRC_HIDDEN],
		       (unsigned long long)f->where[VMLIST_SRC_TREE],
		       (unsigned long long)s->vm.st.follow_conflicts);
	if (s->cfg.vmap_follow && f->checked_warm > f->exact_warm)
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
		       (unsigned long long)m->model, src_name(m->src),
		       s->cfg.vmap_follow ? src_name(m->how) : "-");
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
	if (o->have_from) {
		in->from = o->from;
		in->have_from = true;
	}
	if (o->have_end_at) {
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

static int fid_one(const char *arg, const struct fid_opts *o, FILE *csv)
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
	if (err) {
		if (d.msg[0])
			fprintf(stderr, "mmreplay vmalloc-fidelity: %s\n", d.msg);
		goto out;
	}
	struct sim_cfg cfg = o->base;
	if (!cfg.ncpus)
		cfg.ncpus = sim_trace_ncpus(t.ev, t.n);
	if (cfg.purge == VMALLOC_PURGE_AUTO)
		cfg.purge = sim_trace_purge_mode(t.ev, t.n);
	if (!cfg.vmap_nodes)
		cfg.vmap_nodes = sim_trace_vmap_nodes(t.ev, t.n, cfg.ncpus);
	cfg.vmalloc_state = in.have_state ? &state : NULL;
	cfg.vmalloc_end = in.have_end ? &end : NULL;
	cfg.from_ns = in.have_from ? (u64)(in.from * 1e9) : 0;
	cfg.vmalloc_end_ns = in.have_end_at ? (u64)(in.end_at * 1e9) : 0;
	struct replay_row row;
	err = replay_run(base_name(arg), t.ev, t.n, &cfg, &row);
	if (err) {
		fprintf(stderr, "mmreplay vmalloc-fidelity: %s: %s\n", arg, strerror(-err));
		goto out;
	}
	print_report(base_name(arg), row.sim, o->mismatches);
	print_drain_delays(&t);
	if (csv)
		replay_csv_row(csv, &row);
	replay_row_fini(&row);
out:
	trace_free(&t);
	vmallocinfo_free(&state);
	vmallocinfo_free(&end);
	return err;
}

int cmd_vmalloc_fidelity(int argc, char **argv)
{
	static const struct option opts[] = {
		{"vmlist", required_argument, NULL, 'v'},
		{"vmap-mode", required_argument, NULL, 'm'},
		{"purge", required_argument, NULL, 'p'},
		{"purge-delay", required_argument, NULL, 'd'},
		{"flush-ceiling", required_argument, NULL, 'f'},
		{"vmap-nodes", required_argument, NULL, 'n'},
		{"cpus", required_argument, NULL, 'c'},
		{"no-seed", no_argument, NULL, 'N'},
		{"mismatches", required_argument, NULL, 'M'},
		{"out", required_argument, NULL, 'o'},
		{"vmalloc-state", required_argument, NULL, 's'},
		{"vmalloc-end", required_argument, NULL, 'e'},
		{"from", required_argument, NULL, 'F'},
		{"end-at", required_argument, NULL, 'E'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct fid_opts o = {.mismatches = VMAP_FID_MISMATCHES};
	sim_cfg_default(&o.base);
	o.base.vmlist = vmlist_find("nodes");
	o.base.vmap_follow = true;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fid_usage(stdout);
			return MM_EXIT_OK;
		}
		if (c == 'N' || c == 'o' || c == 's' || c == 'e') {
			o.no_seed |= c == 'N';
			o.out = c == 'o' ? optarg : o.out;
			o.state = c == 's' ? optarg : o.state;
			o.end = c == 'e' ? optarg : o.end;
			continue;
		}
		if (c == '?' || fid_option(&o, c, optarg)) {
			fid_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fid_usage(stderr);
		return MM_EXIT_USAGE;
	}
	struct csv csv = {0};
	if (o.out && csv_open(&csv, o.out)) {
		fprintf(stderr, "mmreplay vmalloc-fidelity: cannot write %s\n", o.out);
		return MM_EXIT_FAIL;
	}
	if (o.out)
		replay_csv_header(csv.f);
	int rc = MM_EXIT_OK;
	for (int i = optind; i < argc && rc == MM_EXIT_OK; i++)
		if (fid_one(argv[i], &o, o.out ? csv.f : NULL))
			rc = MM_EXIT_FAIL;
	if (o.out && (rc != MM_EXIT_OK ? (csv_abort(&csv), 0) : csv_commit(&csv)))
		rc = MM_EXIT_FAIL;
	return rc;
}
