/* The test_vmalloc cases on every vmlist variant: the six allocation cases pass and
 * align_shift fails (the kernel expects it to: 1 << 46 alignment exceeds the x86-64 vmalloc
 * space), every variant makes identical model decisions, nothing leaks, and the linear list
 * pays for a long busy list where the augmented tree does not. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "suites_builtin.h"
#include "tvcases.h"

struct outcome {
	int ret[8];
	struct vmalloc_stats st;
	struct tlb_stats tlb;
	u64 pte_set, visits[8];
};

static struct outcome run_all(const struct vmlist_ops *vl, const char *tlb)
{
	struct buddy b;
	struct buddy_cfg bc = {
		.base_pfn = 0x100000, .nr_pages = 1ULL << 18, .policy = buddy_policy_find("lifo")};
	cr_assert_eq(buddy_init(&b, &bc), 0);
	static struct vmalloc vm;
	struct vmalloc_cfg vc;
	vmalloc_cfg_default(&vc);
	vc.vmlist = vl;
	vc.tlb = tlb_policy_find(tlb);
	cr_assert_eq(vmalloc_init(&vm, &vc, &b), 0);
	struct tv_ctx c = {
		.vm = &vm, .loops = 50, .nr_pages = 3, .ncpus = 1, .busy = 2000, .fit_areas = 2048};
	rng_seed(&c.rng, 5);
	struct outcome o = {0};
	int i = 0;
	for (const struct tv_case *tc = tv_cases; tc->name; tc++, i++) {
		u64 v0 = vm.vl.st.visits;
		o.ret[i] = tc->run(&c);
		o.visits[i] = vm.vl.st.visits - v0;
		cr_assert_eq(vm.st.live_areas, 0, "%s leaked areas", tc->name);
		cr_assert_eq(vmlist_check(&vm.vl), 0);
	}
	u64 tables = pgtable_nr_table_pages(vm.pt);
	cr_assert_eq(b.st.allocs[0] - b.st.frees[0], tables, "data pages leaked");
	char msg[200];
	cr_assert_eq(buddy_check(&b, msg, sizeof(msg)), 0, "%s", msg);
	o.st = vm.st;
	o.tlb = vm.tlb.st;
	o.pte_set = vm.pts.pte_set;
	vmalloc_fini(&vm);
	buddy_fini(&b);
	return o;
}

Test(tvcases, every_variant_passes_and_agrees)
{
	static const char *const tlbs[] = {"eager", "lazy"};
	for (int t = 0; t < 2; t++) {
		struct outcome first = {0};
		for (int v = 0; vmlist_variants[v]; v++) {
			struct outcome o = run_all(vmlist_variants[v], tlbs[t]);
			bool agrees = vmlist_variants[v]->lowest_fit; /* nodes pools: other addresses */
			int i = 0;
			for (const struct tv_case *tc = tv_cases; tc->name; tc++, i++)
				cr_assert_eq(o.ret[i], strcmp(tc->name, "align_shift_alloc_test") ? 0 : -1,
					     "%s on %s", tc->name, vmlist_variants[v]->name);
			/* align_shift: alignments 2^0..2^45 fit in the 32 TiB space, 2^46 does not */
			cr_assert_gt(o.st.space_failures, 0);
			if (v == 0) {
				first = o;
				continue;
			}
			if (!agrees)
				continue;
			cr_assert_eq(memcmp(&o.st, &first.st, sizeof(o.st)), 0, "%s",
				     vmlist_variants[v]->name);
			cr_assert_eq(memcmp(&o.tlb, &first.tlb, sizeof(o.tlb)), 0);
			cr_assert_eq(o.pte_set, first.pte_set);
		}
	}
}

Test(tvcases, long_busy_list_costs_the_list_linear_time)
{
	struct outcome l = run_all(vmlist_find("list"), "eager");
	struct outcome a = run_all(vmlist_find("augmented"), "eager");
	int lb = 2; /* long_busy_list_alloc_test */
	cr_assert_str_eq(tv_cases[lb].name, "long_busy_list_alloc_test");
	/* 50 loops x 2 allocations each scan past 2000 busy areas on the list; the tree's
	 * descent is logarithmic: at least 10x fewer visits */
	cr_assert_gt(l.visits[lb], 50 * 2 * 2000);
	cr_assert_lt(a.visits[lb] * 10, l.visits[lb]);
}

/* The suite command end to end (full_fit left out for time): one CSV row per variant and case,
 * align_shift counted as failed, the others as passed. */
Test(tvcases, suite_command_csv)
{
	char dir[] = "/tmp/mmreplay_tv_XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char out[256];
	snprintf(out, sizeof(out), "%s/tv.csv", dir);
	char *argv[] = {"test_vmalloc", "--loops", "5", "--busy", "200", "--mask",
			"125",		"--cpus",  "1", "--out",  out,	 NULL};
	cr_assert_eq(suite_test_vmalloc((int)MM_ARRAY_SIZE(argv) - 1, argv), MM_EXIT_OK);
	FILE *f = fopen(out, "r");
	cr_assert_not_null(f);
	char line[1024];
	cr_assert_not_null(fgets(line, sizeof(line), f));
	cr_assert(!strncmp(line, "vmlist,tlb,ncpus,case,passed,failed,", 36));
	int rows = 0;
	while (fgets(line, sizeof(line), f)) {
		rows++;
		bool shift = strstr(line, ",align_shift_alloc_test,") != NULL;
		cr_assert_not_null(strstr(line, shift ? "_test,0,1," : "_test,1,0,"), "%s", line);
		cr_assert_null(strstr(line, "full_fit"));
	}
	fclose(f);
	int nvariants = 0;
	while (vmlist_variants[nvariants])
		nvariants++;
	cr_assert_eq(rows, 6 * nvariants);
	char *bad[] = {"test_vmalloc", "--vmlist", "nope", NULL};
	cr_assert_eq(suite_test_vmalloc(3, bad), MM_EXIT_USAGE);
	remove(out);
	rmdir(dir);
}
