/* mmreplay suite test_vmalloc: lib/test_vmalloc.c's seven cases on each vmlist variant, with
 * the module's summary line per case, a CSV, and the rbtree/augmented comparison that Rezki's
 * cover letter reports (~3.35x on test_vmalloc.sh performance). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "commands.h"
#include "csv.h"
#include "suites_builtin.h"
#include "tvcases.h"

static void tv_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay suite test_vmalloc [--vmlist list,rbtree,augmented] [--tlb lazy]\n"
		   "                                   [--loops N] [--repeat N] [--nr-pages N] [--cpus N]\n"
		   "                                   [--mask M] [--seed S] [--busy N] [--cached-hole]\n"
		   "                                   [--out FILE]\n\n"
		   "Runs the cases of the kernel's lib/test_vmalloc.c directly against the vmalloc model,\n"
		   "once per vmlist variant, each variant on a fresh machine (4 GiB zone, the x86-64\n"
		   "vmalloc space, guard page added as vmalloc() does) and with the same random requests.\n"
		   "Prints the module's line per case:\n"
		   "  Summary: <case> passed: N failed: N repeat: N loops: N avg: N usec\n"
		   "(avg: host time of the model per repeat), totals per variant with the model's vmlist\n"
		   "visits, and the ratios against augmented. --loops is test_loop_count (default 1000;\n"
		   "the module's default is 1000000), --mask is run_test_mask (default 127: the seven\n"
		   "vmalloc cases; align_shift_alloc_test is meant to fail). --cpus (default 2) sizes\n"
		   "full_fit_alloc_test and lazy_max_pages. --busy (default 15000) is the number of live\n"
		   "areas long_busy_list_alloc_test keeps while it allocates. --cached-hole gives rbtree\n"
		   "the free_vmap_cache shortcut (2.6.35..5.1, the design Rezki compared against). The CSV "
		   "(default results/test_vmalloc.csv)\n"
		   "has one row per variant and case; host_ columns are measurements.\n");
}

struct tv_row {
	const char *vmlist, *tlb, *name;
	unsigned ncpus;
	u64 passed, failed, repeat, loops;
	u64 vmallocs, vfrees, failures, visits, alloc_visits, purges, flush_all, flush_range, pte_set, walk;
	u64 tables, ns, cpu_ns;
};

static void tv_csv_header(FILE *f)
{
	fprintf(f, "vmlist,tlb,ncpus,case,passed,failed,repeat,loops,vmallocs,vfrees,alloc_failures,"
		   "vmlist_visits,vmlist_alloc_visits,vmap_purges,tlb_flush_all,tlb_flush_range,pte_set,"
		   "walk_entries,pgtable_pages_alloc,host_ns,host_cpu_ns,host_avg_usec\n");
}

static void tv_csv_row(FILE *f, const struct tv_row *r)
{
	fprintf(f,
		"%s,%s,%u,%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,"
		"%llu,%llu\n",
		r->vmlist, r->tlb, r->ncpus, r->name, (unsigned long long)r->passed,
		(unsigned long long)r->failed, (unsigned long long)r->repeat, (unsigned long long)r->loops,
		(unsigned long long)r->vmallocs, (unsigned long long)r->vfrees,
		(unsigned long long)r->failures, (unsigned long long)r->visits,
		(unsigned long long)r->alloc_visits, (unsigned long long)r->purges,
		(unsigned long long)r->flush_all, (unsigned long long)r->flush_range,
		(unsigned long long)r->pte_set, (unsigned long long)r->walk, (unsigned long long)r->tables,
		(unsigned long long)r->ns, (unsigned long long)r->cpu_ns,
		(unsigned long long)(r->ns / r->repeat / 1000));
}

struct tv_opts {
	u64 loops, repeat, nr_pages, seed, busy;
	unsigned ncpus, mask;
	bool cached_hole;
	const struct tlb_policy_ops *tlb;
};

struct tv_total {
	u64 ns, cpu_ns, visits;
};

static u64 tv_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/* All selected cases on one variant; rows appended to csv (may be NULL). */
static int tv_run_variant(const struct vmlist_ops *vl, const struct tv_opts *o, FILE *csv,
			  struct tv_total *tot)
{
	struct buddy b;
	struct buddy_cfg bc = {
		.base_pfn = 0x100000, .nr_pages = 1ULL << 20, .policy = buddy_policy_find("lifo")};
	struct vmalloc *vm = calloc(1, sizeof(*vm));
	struct vmalloc_cfg vc;
	if (!vm || buddy_init(&b, &bc)) {
		free(vm);
		return -1;
	}
	vmalloc_cfg_default(&vc);
	vc.vmlist = vl;
	vc.tlb = o->tlb;
	vc.ncpus = o->ncpus;
	vc.cached_hole = o->cached_hole;
	vc.guard = VMALLOC_GUARD_ADD;
	if (vmalloc_init(vm, &vc, &b)) {
		buddy_fini(&b);
		free(vm);
		return -1;
	}
	struct tv_ctx c = {
		.vm = vm, .loops = o->loops, .nr_pages = o->nr_pages, .ncpus = o->ncpus, .busy = o->busy};
	rng_seed(&c.rng, o->seed);
	printf("== vmlist=%s%s tlb=%s cpus=%u\n", vl->name,
	       o->cached_hole && !strcmp(vl->name, "rbtree") ? "+cached_hole" : "", o->tlb->name, o->ncpus);
	memset(tot, 0, sizeof(*tot));
	for (const struct tv_case *tc = tv_cases; tc->name; tc++) {
		if (!(o->mask & tc->mask))
			continue;
		struct tv_row r = {.vmlist = vl->name,
				   .tlb = o->tlb->name,
				   .name = tc->name,
				   .ncpus = o->ncpus,
				   .repeat = o->repeat,
				   .loops = o->loops};
		struct vmalloc_stats s0 = vm->st;
		struct vmlist_stats l0 = vm->vl.st;
		struct tlb_stats t0 = vm->tlb.st;
		struct pgtable_stats p0 = vm->pts;
		for (u64 rep = 0; rep < o->repeat; rep++) {
			u64 ns0 = clock_ns(), c0 = tv_cpu_ns();
			int ret = tc->run(&c);
			r.ns += clock_ns() - ns0;
			r.cpu_ns += tv_cpu_ns() - c0;
			if (ret)
				r.failed++;
			else
				r.passed++;
		}
		r.vmallocs = vm->st.vmallocs - s0.vmallocs;
		r.vfrees = vm->st.vfrees - s0.vfrees;
		r.failures = vm->st.alloc_failures - s0.alloc_failures;
		r.visits = vm->vl.st.visits - l0.visits;
		r.alloc_visits = vm->vl.st.alloc_visits - l0.alloc_visits;
		r.purges = vm->tlb.st.vmap_purges - t0.vmap_purges;
		r.flush_all = vm->tlb.st.flush_all - t0.flush_all;
		r.flush_range = vm->tlb.st.flush_range - t0.flush_range;
		r.pte_set = vm->pts.pte_set - p0.pte_set;
		r.walk = vm->pts.walk_entries - p0.walk_entries;
		r.tables = vm->pts.pgtable_pages_alloc - p0.pgtable_pages_alloc;
		printf("Summary: %s passed: %llu failed: %llu repeat: %llu loops: %llu avg: %llu usec\n",
		       tc->name, (unsigned long long)r.passed, (unsigned long long)r.failed,
		       (unsigned long long)o->repeat, (unsigned long long)o->loops,
		       (unsigned long long)(r.ns / o->repeat / 1000));
		if (csv)
			tv_csv_row(csv, &r);
		tot->ns += r.ns;
		tot->cpu_ns += r.cpu_ns;
		tot->visits += r.visits;
	}
	int bad = vmlist_check(&vm->vl);
	char msg[200];
	bad |= buddy_check(&b, msg, sizeof(msg));
	printf("All test took: %llu usec (CPU %llu usec), vmlist visits %llu%s\n",
	       (unsigned long long)(tot->ns / 1000), (unsigned long long)(tot->cpu_ns / 1000),
	       (unsigned long long)tot->visits, bad ? "  (INVARIANT CHECK FAILED)" : "");
	vmalloc_fini(vm);
	buddy_fini(&b);
	free(vm);
	return bad ? -1 : 0;
}

int suite_test_vmalloc(int argc, char **argv)
{
	static const struct option opts[] = {
		{"vmlist", required_argument, NULL, 'v'},
		{"tlb", required_argument, NULL, 't'},
		{"loops", required_argument, NULL, 'l'},
		{"repeat", required_argument, NULL, 'r'},
		{"nr-pages", required_argument, NULL, 'n'},
		{"cpus", required_argument, NULL, 'c'},
		{"mask", required_argument, NULL, 'm'},
		{"seed", required_argument, NULL, 's'},
		{"busy", required_argument, NULL, 'B'},
		{"cached-hole", no_argument, NULL, 'H'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct tv_opts o = {.loops = 1000,
			    .repeat = 1,
			    .nr_pages = 1,
			    .seed = 1,
			    .ncpus = 2,
			    .mask = 127,
			    .busy = 15000,
			    .tlb = tlb_policy_find("lazy")};
	const struct vmlist_ops *vls[8];
	int nvl = 0;
	for (; vmlist_variants[nvl] && nvl < 8; nvl++)
		vls[nvl] = vmlist_variants[nvl];
	const char *out = "results/test_vmalloc.csv", *bad;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "v:t:l:r:n:c:m:s:o:B:Hh", opts, NULL)) != -1) {
		char *end = NULL;
		unsigned long long v = 0;
		if (strchr("lrncmsB", c)) {
			v = strtoull(optarg, &end, 0);
			if (!*optarg || *end || (c != 's' && c != 'm' && v == 0) || (c == 'c' && v > 4096) ||
			    ((c == 'n' || c == 'B') && v > 1000000)) {
				fprintf(stderr, "mmreplay suite test_vmalloc: bad number '%s' for -%c\n",
					optarg, c);
				return MM_EXIT_USAGE;
			}
		}
		switch (c) {
		case 'v':
			nvl = vmlist_parse_names(optarg, vls, 8, &bad);
			if (nvl <= 0) {
				fprintf(stderr, "mmreplay suite test_vmalloc: bad --vmlist at '%s'\n",
					nvl ? bad : optarg);
				return MM_EXIT_USAGE;
			}
			break;
		case 't':
			if (!(o.tlb = tlb_policy_find(optarg))) {
				fprintf(stderr, "mmreplay suite test_vmalloc: unknown --tlb '%s'\n", optarg);
				return MM_EXIT_USAGE;
			}
			break;
		case 'l':
			o.loops = v;
			break;
		case 'r':
			o.repeat = v;
			break;
		case 'n':
			o.nr_pages = v;
			break;
		case 'c':
			o.ncpus = (unsigned)v;
			break;
		case 'm':
			o.mask = (unsigned)v;
			break;
		case 's':
			o.seed = v;
			break;
		case 'B':
			o.busy = v;
			break;
		case 'H':
			o.cached_hole = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			tv_usage(stdout);
			return MM_EXIT_OK;
		default:
			tv_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		tv_usage(stderr);
		return MM_EXIT_USAGE;
	}
	struct csv csv;
	int err = csv_open(&csv, out);
	if (err) {
		fprintf(stderr, "mmreplay suite test_vmalloc: %s: %s\n", out, csv_error(&csv, err));
		return MM_EXIT_FAIL;
	}
	tv_csv_header(csv.f);
	struct tv_total tot[8];
	int rc = MM_EXIT_OK;
	for (int i = 0; i < nvl && rc == MM_EXIT_OK; i++) {
		if (tv_run_variant(vls[i], &o, csv.f, &tot[i]))
			rc = MM_EXIT_FAIL;
		fflush(stdout);
	}
	if (rc != MM_EXIT_OK) {
		csv_abort(&csv);
		fprintf(stderr, "mmreplay suite test_vmalloc: a model invariant broke (see above)\n");
		return rc;
	}
	if ((err = csv_commit(&csv))) {
		fprintf(stderr, "mmreplay suite test_vmalloc: %s: %s\n", out, csv_error(&csv, err));
		return MM_EXIT_FAIL;
	}
	int aug = -1;
	for (int i = 0; i < nvl; i++)
		if (!strcmp(vls[i]->name, "augmented"))
			aug = i;
	if (aug >= 0) {
		for (int i = 0; i < nvl; i++) {
			if (i == aug)
				continue;
			printf("Total %s/augmented: host time %.2fx (CPU %.2fx), vmlist visits %.2fx%s\n",
			       vls[i]->name, (double)tot[i].ns / (double)(tot[aug].ns ? tot[aug].ns : 1),
			       (double)tot[i].cpu_ns / (double)(tot[aug].cpu_ns ? tot[aug].cpu_ns : 1),
			       (double)tot[i].visits / (double)(tot[aug].visits ? tot[aug].visits : 1),
			       strcmp(vls[i]->name, "rbtree")
				       ? ""
				       : "  (Rezki, i5-3320M, test_vmalloc.sh performance: 3.35x)");
		}
	}
	printf("wrote %s\n", out);
	return MM_EXIT_OK;
}
