/* bench vmlist: how the vmalloc address-space search scales with the number of live areas, per
 * vmlist variant, on test_vmalloc's long_busy_list (fill N live 1-page areas, then repeat
 * vmalloc(100 pages) + vmalloc(1 page) and free both). Prints the model's visits per allocation
 * and per free (deterministic) and the host's nanoseconds per operation (not). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benches.h"
#include "clock.h"
#include "commands.h"
#include "csv.h"
#include "vmlist_busy.h"

#define BV_SPACE_START 0xffffc90000000000ULL /* x86-64 VMALLOC_START */
#define BV_SPACE_END 0xffffe90000000000ULL   /* VMALLOC_END + 1 */
#define BV_MAX 16
#define BV_MAX_LIVE 10000000 /* 10 M areas: about 0.5 GiB of model nodes */

static void bench_vmlist_usage(FILE *f)
{
	fprintf(f,
		"usage: mmreplay bench vmlist [--vmlist list,rbtree,rbtree+cache,augmented]\n"
		"                             [--live 1000,10000,100000] [--loops N] [--holes] [--guard N]\n"
		"                             [--out FILE]\n\n"
		"test_vmalloc's long_busy_list_alloc_test straight against each vmlist variant: fill\n"
		"--live areas (each count 1 to 10^7) of 1 page (+ --guard pages, default 1), then\n"
		"--loops rounds (default max(100, 10^7 / live)) of vmalloc(100 pages) + vmalloc(1 page)\n"
		"+ vfree + vfree over the x86-64 vmalloc range. --holes leaves a free 1-page slot below\n"
		"every live area, which the 100-page request must skip. rbtree+cache is rbtree with the\n"
		"cached-hole shortcut. Prints, per variant and live count, the model's vmlist visits per\n"
		"allocation and per free and the host's ns per operation (alloc or free; one core);\n"
		"--out also writes a CSV.\n");
}

struct bv_variant {
	const struct vmlist_ops *ops;
	bool cached_hole;
	const char *label;
};

static int bv_parse_variants(char *csv, struct bv_variant *out, int *n)
{
	*n = 0;
	for (char *save = NULL, *name = strtok_r(csv, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		bool cache = !strcmp(name, "rbtree+cache");
		const struct vmlist_ops *ops = vmlist_find(cache ? "rbtree" : name);
		if (!ops) {
			fprintf(stderr,
				"mmreplay bench vmlist: unknown vmlist '%s' (list, rbtree, rbtree+cache, "
				"augmented)\n",
				name);
			return -EINVAL;
		}
		if (*n == BV_MAX)
			return -E2BIG;
		out[(*n)++] = (struct bv_variant){ops, cache, cache ? "rbtree+cache" : ops->name};
	}
	return *n ? 0 : -EINVAL;
}

static int bv_parse_counts(char *csv, u64 *out, int *n)
{
	*n = 0;
	for (char *save = NULL, *s = strtok_r(csv, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		char *end = NULL;
		errno = 0;
		u64 v = strtoull(s, &end, 0);
		if (errno || *end || !v || v > BV_MAX_LIVE || *n == BV_MAX) {
			fprintf(stderr, "mmreplay bench vmlist: bad --live value '%s' (1 to %d)\n", s,
				BV_MAX_LIVE);
			return -EINVAL;
		}
		out[(*n)++] = v;
	}
	return *n ? 0 : -EINVAL;
}

static int bv_one(const struct bv_variant *var, struct vmlist_busy_cfg *bc, struct csv *out)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {
		.vstart = BV_SPACE_START, .vend = BV_SPACE_END, .cached_hole = var->cached_hole};
	struct vmlist_busy_result r = {0};
	int err = vmlist_init(&v, var->ops, &cfg);
	if (!err)
		err = vmlist_busy_fill(&v, bc);
	if (err) {
		fprintf(stderr, "mmreplay bench vmlist: %s: filling %llu areas: %s\n", var->label,
			(unsigned long long)bc->nr_live, strerror(-err));
		vmlist_fini(&v);
		return MM_EXIT_FAIL;
	}
	u64 t0 = clock_ns();
	err = vmlist_busy_loop(&v, bc, &r);
	u64 ns = clock_ns() - t0;
	if (!err)
		err = vmlist_check(&v);
	vmlist_fini(&v);
	if (err) {
		fprintf(stderr, "mmreplay bench vmlist: %s: %s\n", var->label, strerror(-err));
		return MM_EXIT_FAIL;
	}
	double va = (double)r.alloc_visits / (double)r.allocs, vf = (double)r.free_visits / (double)r.frees;
	double nsop = (double)ns / (double)(r.allocs + r.frees);
	printf("%-13s %8llu %7llu %14.1f %13.1f %12.1f\n", var->label, (unsigned long long)bc->nr_live,
	       (unsigned long long)bc->loops, va, vf, nsop);
	if (out && out->f)
		fprintf(out->f, "%s,%s,%llu,%llu,%llu,%llu,%llu,%llu,%.3f,%.3f,%.1f\n",
			bc->holes ? "holes" : "long_busy_list", var->label, (unsigned long long)bc->nr_live,
			(unsigned long long)bc->loops, (unsigned long long)r.allocs,
			(unsigned long long)r.frees, (unsigned long long)r.alloc_visits,
			(unsigned long long)r.free_visits, va, vf, nsop);
	return MM_EXIT_OK;
}

int bench_vmlist(int argc, char **argv)
{
	static const struct option opts[] = {
		{"vmlist", required_argument, NULL, 'v'}, {"live", required_argument, NULL, 'l'},
		{"loops", required_argument, NULL, 'n'},  {"holes", no_argument, NULL, 'H'},
		{"guard", required_argument, NULL, 'g'},  {"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
	};
	char variants[256] = "list,rbtree,rbtree+cache,augmented", lives[256] = "1000,10000,100000";
	const char *out_path = NULL;
	u64 loops = 0, guard = 1;
	bool holes = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "v:l:n:Hg:o:h", opts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 'v':
			snprintf(variants, sizeof(variants), "%s", optarg);
			break;
		case 'l':
			snprintf(lives, sizeof(lives), "%s", optarg);
			break;
		case 'n':
		case 'g':
			errno = 0;
			u64 v = strtoull(optarg, &end, 0);
			if (errno || *end || (c == 'n' && !v) || v > 1000000000) {
				fprintf(stderr, "mmreplay bench vmlist: bad number '%s'\n", optarg);
				return MM_EXIT_USAGE;
			}
			*(c == 'n' ? &loops : &guard) = v;
			break;
		case 'H':
			holes = true;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'h':
			bench_vmlist_usage(stdout);
			return MM_EXIT_OK;
		default:
			bench_vmlist_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		bench_vmlist_usage(stderr);
		return MM_EXIT_USAGE;
	}
	struct bv_variant vars[BV_MAX];
	u64 live[BV_MAX];
	int nvars, nlive;
	if (bv_parse_variants(variants, vars, &nvars) || bv_parse_counts(lives, live, &nlive)) {
		bench_vmlist_usage(stderr);
		return MM_EXIT_USAGE;
	}
	struct csv out = {0};
	if (out_path) {
		int err = csv_open(&out, out_path);
		if (err) {
			fprintf(stderr, "mmreplay bench vmlist: %s: %s\n", out_path, csv_error(&out, err));
			return MM_EXIT_FAIL;
		}
		fprintf(out.f, "pattern,vmlist,live,loops,allocs,frees,alloc_visits,free_visits,"
			       "visits_per_alloc,visits_per_free,host_ns_per_op\n");
	}
	printf("# bench vmlist: %s, 1-page areas + %llu guard page(s), vmalloc(100)+vmalloc(1)+2 vfree per "
	       "loop\n",
	       holes ? "long_busy_list with a free slot below every live area" : "long_busy_list",
	       (unsigned long long)guard);
	printf("%-13s %8s %7s %14s %13s %12s\n", "vmlist", "live", "loops", "visits/alloc", "visits/free",
	       "host_ns/op");
	int rc = MM_EXIT_OK;
	for (int i = 0; i < nlive && rc == MM_EXIT_OK; i++) {
		struct vmlist_busy_cfg bc = {
			.nr_live = live[i],
			.loops = loops ? loops : MM_MAX(100, 10000000 / live[i]),
			.small_pages = 1,
			.big_pages = 100,
			.guard_pages = guard,
			.holes = holes,
		};
		for (int j = 0; j < nvars && rc == MM_EXIT_OK; j++)
			rc = bv_one(&vars[j], &bc, &out);
	}
	if (out_path) {
		int err = rc == MM_EXIT_OK ? csv_commit(&out) : (csv_abort(&out), 0);
		if (err) {
			fprintf(stderr, "mmreplay bench vmlist: %s: %s\n", out_path, csv_error(&out, err));
			rc = MM_EXIT_FAIL;
		}
	}
	return rc;
}
