/* bench vmlist: how the vmalloc address-space search scales with the number of live areas, per
 * vmlist variant, on test_vmalloc's long_busy_list (the generator of gen_vmalloc.c with --window:
 * N live areas, then vmalloc(100 pages) + vmalloc(1 page) and free both, repeatedly) driven
 * straight into a bare vmlist (vmlist_feed.h). Prints the model's visits per allocation and per
 * free (deterministic) and the host's nanoseconds per operation (not). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/microbench/microbench.h"
#include "bench/cli/cli.h"
#include "bench/mm_exit.h"
#include "bench/output/csv.h"
#include "bench/microbench/vmlist_feed.h"

#define BV_SPACE_START 0xffffc90000000000ULL /* x86-64 VMALLOC_START */
#define BV_SPACE_END 0xffffe90000000000ULL   /* VMALLOC_END + 1 */

struct bv_opts {
	const char *vmlist, *out;
	struct cli_list live;
	u64 loops, guard;
	bool holes;
};

static const struct cli_opt bv_opts[] = {
	CLI_OPT_STR("vmlist", "LIST", struct bv_opts, vmlist, "vmlist variants, or all (all)"),
	CLI_OPT_LIST("live", "N,...", struct bv_opts, live, 1, 10000000,
		     "live areas, each count a run (1000,10000,100000)"),
	CLI_OPT_U64("loops", "N", struct bv_opts, loops, 1, 1000000000,
		    "measured rounds (max(100, 10^7 / live))"),
	CLI_OPT_FLAG("holes", struct bv_opts, holes, "a free 1-page slot below every live area"),
	CLI_OPT_U64("guard", "0|1", struct bv_opts, guard, 0, 1,
		    "guard page added to every area (1, as vmalloc)"),
	CLI_OPT_OUT("out", "FILE", struct bv_opts, out, "also write a CSV"),
	CLI_OPT_END,
};

static const struct cli_cmd bv_cmd = {
	.name = "bench vmlist",
	.synopsis = "",
	.about =
		"test_vmalloc's long_busy_list_alloc_test straight against each vmlist variant: N live\n"
		"areas of 1 page (+ the guard) above the test's pointer array, filled in place (`mmreplay\n"
		"gen long_busy_list --window`), then rounds of vmalloc(100 pages) + vmalloc(1 page) + vfree\n"
		"+ vfree over the x86-64 vmalloc range; the first round is not measured. Prints, per\n"
		"variant and live count, the model's vmlist visits per allocation and per free and the\n"
		"host's ns per operation (alloc or free; one core).",
	.opts = bv_opts,
};

/* One variant at one live count. */
static int bv_one(const struct vmlist_ops *ops, const struct bv_opts *o, u64 live, u64 loops, FILE *csv)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = BV_SPACE_START, .vend = BV_SPACE_END};
	struct vmlist_feed_result r = {0};
	struct gen_params p;
	gen_params_default(&p);
	p.loops = loops + 1; /* the first round settles the fill, unmeasured */
	p.busy = (u32)live;
	p.window = true;
	p.holes = o->holes;
	p.guard = o->guard != 0;
	int err = vmlist_init(&v, ops, &cfg);
	if (!err)
		err = vmlist_feed(&v, gen_find("long_busy_list"), &p, 1 + live + 4, 4 * loops, &r);
	if (!err && (r.failures || r.allocs != 2 * loops))
		err = -ENOSPC;
	if (!err)
		err = vmlist_check(&v);
	vmlist_fini(&v);
	if (err) {
		fprintf(stderr, "mmreplay bench vmlist: %s at %llu live: %s\n", ops->name,
			(unsigned long long)live, strerror(-err));
		return MM_EXIT_FAIL;
	}
	double va = (double)r.alloc_visits / (double)r.allocs, vf = (double)r.free_visits / (double)r.frees;
	double nsop = (double)r.ns / (double)(r.allocs + r.frees);
	printf("%-13s %8llu %7llu %14.1f %13.1f %12.1f\n", ops->name, (unsigned long long)live,
	       (unsigned long long)loops, va, vf, nsop);
	if (csv)
		fprintf(csv, "%s,%s,%llu,%llu,%llu,%llu,%llu,%llu,%.3f,%.3f,%.1f\n",
			o->holes ? "holes" : "long_busy_list", ops->name, (unsigned long long)live,
			(unsigned long long)loops, (unsigned long long)r.allocs, (unsigned long long)r.frees,
			(unsigned long long)r.alloc_visits, (unsigned long long)r.free_visits, va, vf, nsop);
	return MM_EXIT_OK;
}

static int bv_run(const struct matrix *m, const struct bv_opts *o, FILE *csv)
{
	int rc = MM_EXIT_OK;
	printf("# bench vmlist: %s, 1-page areas + %llu guard page, vmalloc(100)+vmalloc(1)+2 vfree per "
	       "loop\n",
	       o->holes ? "long_busy_list with a free slot below every live area" : "long_busy_list",
	       (unsigned long long)o->guard);
	printf("%-13s %8s %7s %14s %13s %12s\n", "vmlist", "live", "loops", "visits/alloc", "visits/free",
	       "host_ns/op");
	for (size_t i = 0; i < o->live.n && rc == MM_EXIT_OK; i++) {
		u64 live = o->live.v[i], loops = o->loops ? o->loops : MM_MAX(100, 10000000 / live);
		for (size_t c = 0; c < matrix_size(m) && rc == MM_EXIT_OK; c++)
			rc = bv_one(vmlist_find(matrix_value(m, c, 0)), o, live, loops, csv);
	}
	return rc;
}

int bench_vmlist(int argc, char **argv)
{
	struct bv_opts o = {.vmlist = "all", .live = {3, {1000, 10000, 100000}}, .guard = 1};
	struct matrix *m = malloc(sizeof(*m));
	char err[512];
	int first = 0, rc = m ? cli_parse(&bv_cmd, argc, argv, &o, NULL, &first) : MM_EXIT_FAIL;
	if (rc == CLI_RUN) {
		matrix_init(m);
		if (matrix_set(m, settings_find("vmlist"), o.vmlist, true, err, sizeof(err)))
			rc = cli_error(&bv_cmd, "--vmlist %s", err);
	}
	struct csv out = {0};
	int e = rc == CLI_RUN && o.out ? csv_open(&out, o.out) : 0;
	if (e) {
		fprintf(stderr, "mmreplay bench vmlist: %s: %s\n", o.out, csv_error(&out, e));
		rc = MM_EXIT_FAIL;
	}
	if (rc == CLI_RUN) {
		if (out.f)
			fprintf(out.f, "pattern,vmlist,live,loops,allocs,frees,alloc_visits,free_visits,"
				       "visits_per_alloc,visits_per_free,host_ns_per_op\n");
		rc = bv_run(m, &o, out.f);
		if (out.f && rc != MM_EXIT_OK)
			csv_abort(&out);
		else if (out.f && (e = csv_commit(&out))) {
			fprintf(stderr, "mmreplay bench vmlist: %s: %s\n", o.out, csv_error(&out, e));
			rc = MM_EXIT_FAIL;
		}
	}
	free(m);
	return rc;
}
