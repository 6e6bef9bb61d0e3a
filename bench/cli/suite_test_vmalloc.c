/* mmreplay suite test_vmalloc: lib/test_vmalloc.c's seven cases, generated as event streams
 * (workloads/gen/gen_vmalloc.c) and replayed through a machine (struct sim) per configuration,
 * with the module's summary line per case, a CSV in the replay layout, and the rbtree/augmented
 * comparison that Rezki's cover letter reports (~3.35x on test_vmalloc.sh performance). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/output/csv.h"
#include "bench/output/metrics.h"
#include "bench/run/replay.h"
#include "bench/cli/suites_builtin.h"
#include "bench/run/trace_spec.h"

/* The module's cases in run_test_mask bit order, and their generators. */
static const struct {
	const char *name, *gen;
} tv_cases[] = {
	{"fix_size_alloc_test", "fix_size"},
	{"full_fit_alloc_test", "full_fit"},
	{"long_busy_list_alloc_test", "long_busy_list"},
	{"random_size_alloc_test", "random_size"},
	{"fix_align_alloc_test", "fix_align"},
	{"random_size_align_alloc_test", "random_size_align"},
	{"align_shift_alloc_test", "align_shift"},
};

struct tv_opts {
	struct gen_params p; /* loops, nr_pages, seed, busy; cpus from the configuration */
	u64 repeat, mask;
	const char *out;
	bool cached_hole;
};

static const struct cli_opt tv_opts[] = {
	CLI_OPT_U64("loops", "N", struct tv_opts, p.loops, 1, GEN_MAX_LOOPS,
		    "test_loop_count (1000; the module's default is 1000000)"),
	CLI_OPT_U64("repeat", "N", struct tv_opts, repeat, 1, RUN_MAX_REPEATS,
		    "timed replays of each case (1); the model's counters are the same each time"),
	CLI_OPT_U64("nr-pages", "N", struct tv_opts, p.nr_pages, 1, 1u << 24, "fix_size's nr_pages (1)"),
	CLI_OPT_U64("mask", "M", struct tv_opts, mask, 1, 127,
		    "run_test_mask (127: the seven cases; align_shift_alloc_test is meant to fail)"),
	CLI_OPT_U64("seed", "S", struct tv_opts, p.seed, 0, UINT64_MAX, "random seed (1)"),
	CLI_OPT_U64("busy", "N", struct tv_opts, p.busy, 1, 10000000, "long_busy_list's live areas (15000)"),
	CLI_OPT_CACHED_HOLE(struct tv_opts, cached_hole),
	CLI_OPT_OUT("out", "FILE", struct tv_opts, out, "the CSV (results/test_vmalloc.csv)"),
	CLI_OPT_END,
};

static const char *const tv_defaults[] = {"vmlist=all", "tlb=lazy", "cpus=2", NULL};

static const struct cli_cmd tv_cmd = {
	.name = "suite test_vmalloc",
	.synopsis = "",
	.about = "Generates the cases of the kernel's lib/test_vmalloc.c (`mmreplay gen NAME`: sequential,\n"
		 "one thread, the guard page in every size) and replays each on a fresh machine per\n"
		 "configuration (4 GiB zone, the x86-64 vmalloc space). Prints the module's line per case:\n"
		 "  Summary: <case> passed: N failed: N repeat: N loops: N avg: N usec\n"
		 "(failed: a request the model could not serve; avg: host time of the replay), totals per\n"
		 "configuration with the model's vmlist visits, and the ratios against augmented when the\n"
		 "vmlist is the only setting with several values. --cpus also sizes full_fit_alloc_test.\n"
		 "The CSV has the replay columns (`mmreplay columns`), one row per configuration and case.",
	.opts = tv_opts,
	.settings = tv_defaults,
};

struct tv_total {
	u64 ns, cpu_ns, visits;
	bool bad;
};

/* One case on one configuration: generate, replay --repeat times, report. */
static int tv_case(size_t k, const struct sim_cfg *cfg, const struct tv_opts *o, FILE *csv,
		   struct tv_total *tot)
{
	struct gen_params p = o->p;
	struct mm_trace t;
	p.cpus = cfg->ncpus;
	p.sequential = true;
	if (trace_spec_gen(gen_find(tv_cases[k].gen), &p, &t))
		return -1;
	struct replay_row *row = calloc(1, sizeof(*row));
	struct run_host *h = calloc(1, sizeof(*h));
	u64 ns = 0;
	int err = row && h ? 0 : -1;
	for (u64 r = 0; r < o->repeat && !err; r++) {
		replay_row_fini(row);
		err = replay_run(tv_cases[k].name, t.ev, t.n, cfg, row);
		ns += row->host.ns;
		tot->ns += row->host.ns;
		tot->cpu_ns += row->host.cpu_ns;
		h->ns_per_event[r] = row->host.ns_per_event[0];
	}
	if (!err) {
		char msg[256];
		bool failed = row->st.vmap.alloc_failures > 0;
		printf("Summary: %s passed: %llu failed: %llu repeat: %llu loops: %llu avg: %llu usec\n",
		       tv_cases[k].name, (unsigned long long)(failed ? 0 : o->repeat),
		       (unsigned long long)(failed ? o->repeat : 0), (unsigned long long)o->repeat,
		       (unsigned long long)p.loops, (unsigned long long)(ns / o->repeat / 1000));
		h->events = row->host.events;
		h->ns = row->host.ns;
		h->cpu_ns = row->host.cpu_ns;
		h->peak_rss = row->host.peak_rss;
		h->repeats = (unsigned)o->repeat;
		tot->visits += row->st.vmlist.visits;
		tot->bad |= sim_check(row->sim, msg, sizeof(msg)) != 0;
		struct metric_src src = {.trace = tv_cases[k].name, .st = &row->st, .host = h};
		metrics_csv_row(csv, METRIC_IN_REPLAY, &src);
	}
	if (row)
		replay_row_fini(row);
	free(row);
	free(h);
	trace_free(&t);
	return err;
}

/* Every selected case on configuration c. */
static int tv_config(const struct matrix *m, size_t c, const struct tv_opts *o, FILE *csv,
		     struct tv_total *tot)
{
	struct sim_cfg cfg;
	char err[512];
	if (matrix_cfg(m, c, &cfg, err, sizeof(err)))
		return -1;
	printf("== vmlist=%s tlb=%s cpus=%u\n", cfg.vmlist->name, cfg.tlb->name, cfg.ncpus);
	memset(tot, 0, sizeof(*tot));
	for (size_t k = 0; k < MM_ARRAY_SIZE(tv_cases); k++)
		if ((o->mask & (1u << k)) && tv_case(k, &cfg, o, csv, tot))
			return -1;
	printf("All test took: %llu usec (CPU %llu usec), vmlist visits %llu%s\n",
	       (unsigned long long)(tot->ns / 1000), (unsigned long long)(tot->cpu_ns / 1000),
	       (unsigned long long)tot->visits, tot->bad ? "  (INVARIANT CHECK FAILED)" : "");
	fflush(stdout);
	return tot->bad ? -1 : 0;
}

/* The ratios against augmented, when the vmlist is the only axis with several values. */
static void tv_ratios(const struct matrix *m, const struct tv_total *tot)
{
	size_t n = matrix_size(m), aug = n, vl = m->naxes;
	for (size_t a = 0; a < m->naxes; a++)
		if (m->axis[a].n > 1 && (vl < m->naxes || strcmp(m->axis[a].set->name, "vmlist")))
			return;
		else if (m->axis[a].n > 1)
			vl = a;
	for (size_t c = 0; c < n && vl < m->naxes; c++)
		if (!strcmp(matrix_value(m, c, vl), "augmented"))
			aug = c;
	for (size_t c = 0; c < n && aug < n; c++) {
		const char *name = matrix_value(m, c, vl);
		if (c == aug)
			continue;
		printf("Total %s/augmented: host time %.2fx (CPU %.2fx), vmlist visits %.2fx%s\n", name,
		       (double)tot[c].ns / (double)(tot[aug].ns ? tot[aug].ns : 1),
		       (double)tot[c].cpu_ns / (double)(tot[aug].cpu_ns ? tot[aug].cpu_ns : 1),
		       (double)tot[c].visits / (double)(tot[aug].visits ? tot[aug].visits : 1),
		       strcmp(name, "rbtree_cache")
			       ? ""
			       : "  (Rezki, i5-3320M, test_vmalloc.sh performance: 3.35x)");
	}
}

int suite_test_vmalloc(int argc, char **argv)
{
	struct tv_opts o = {.repeat = 1, .mask = 127, .out = "results/test_vmalloc.csv"};
	gen_params_default(&o.p);
	o.p.loops = 1000;
	struct matrix *m = malloc(sizeof(*m));
	int first = 0, rc = m ? cli_parse(&tv_cmd, argc, argv, &o, m, &first) : MM_EXIT_FAIL;
	if (rc == CLI_RUN)
		rc = cli_cached_hole(&tv_cmd, o.cached_hole, m);
	size_t n = rc == CLI_RUN ? matrix_size(m) : 0;
	struct tv_total *tot = calloc(n + 1, sizeof(*tot));
	struct csv csv = {0};
	int err = rc != CLI_RUN ? 0 : !tot ? -ENOMEM : csv_open(&csv, o.out);
	if (rc == CLI_RUN && err) {
		fprintf(stderr, "mmreplay suite test_vmalloc: %s: %s\n", o.out, csv_error(&csv, err));
		rc = MM_EXIT_FAIL;
	}
	if (rc == CLI_RUN) {
		metrics_csv_header(csv.f, METRIC_IN_REPLAY, NULL);
		rc = MM_EXIT_OK;
		for (size_t c = 0; c < n && rc == MM_EXIT_OK; c++)
			rc = tv_config(m, c, &o, csv.f, &tot[c]) ? MM_EXIT_FAIL : MM_EXIT_OK;
		if (rc != MM_EXIT_OK) {
			csv_abort(&csv);
			fprintf(stderr, "mmreplay suite test_vmalloc: a model invariant broke (see above)\n");
		} else if ((err = csv_commit(&csv))) {
			fprintf(stderr, "mmreplay suite test_vmalloc: %s: %s\n", o.out, csv_error(&csv, err));
			rc = MM_EXIT_FAIL;
		} else {
			tv_ratios(m, tot);
			printf("wrote %s\n", o.out);
		}
	}
	free(tot);
	free(m);
	return rc;
}
