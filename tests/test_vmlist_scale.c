/* The shape of the search cost on test_vmalloc's long_busy_list (model visits, not time):
 * linear in the number of live areas for the 2.4 list and for 2.6.28's descend-then-walk,
 * logarithmic for the 5.2 augmented tree and for rbtree with the cached hole. From 1k to 10k live
 * areas a linear cost grows about 10x (asserted >= 5x), a logarithmic one about
 * log(10k)/log(1k) = 1.33x (asserted <= 2x). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/spawn_cmd.h"
#include "bench/microbench/vmlist_feed.h"

#define SPACE_START 0xffffc90000000000ULL
#define SPACE_END 0xffffe90000000000ULL

struct per_op {
	double alloc, free;
};

/* long_busy_list with nr_live areas filled in place, 20 measured rounds after a warm one */
static struct per_op run(const char *name, u64 nr_live, bool holes)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = SPACE_START, .vend = SPACE_END};
	struct gen_params p;
	gen_params_default(&p);
	p.loops = 21;
	p.busy = (u32)nr_live;
	p.window = true;
	p.holes = holes;
	struct vmlist_feed_result r;
	memset(&r, 0, sizeof(r));
	cr_assert_eq(vmlist_init(&v, vmlist_find(name), &cfg), 0);
	cr_assert_eq(vmlist_feed(&v, gen_find("long_busy_list"), &p, 1 + nr_live + 4, 4 * 20, &r), 0, "%s",
		     name);
	cr_assert_eq(r.failures, 0, "%s: every area in its slot", name);
	cr_assert_eq(r.allocs, 2 * 20);
	cr_assert_eq(r.frees, 2 * 20);
	cr_assert_eq(v.st.live, nr_live + 1, "the live areas and the pointer array");
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
	return (struct per_op){(double)r.alloc_visits / (double)r.allocs,
			       (double)r.free_visits / (double)r.frees};
}

static void expect_linear(const char *name, bool holes, bool alloc_only)
{
	struct per_op a = run(name, 1000, holes), b = run(name, 10000, holes);
	double x = alloc_only ? a.alloc : a.alloc + a.free, y = alloc_only ? b.alloc : b.alloc + b.free;
	cr_assert_geq(x, 1000.0 / 2, "%s: %.1f visits at 1k live, expected linear", name, x);
	cr_assert_geq(y, 5 * x, "%s: %.1f visits at 10k vs %.1f at 1k, expected linear growth", name, y, x);
}

static void expect_log(const char *name, bool holes)
{
	struct per_op a = run(name, 1000, holes), b = run(name, 10000, holes);
	double x = a.alloc + a.free, y = b.alloc + b.free;
	cr_assert_leq(y, 2 * x, "%s: %.1f visits at 10k vs %.1f at 1k, expected logarithmic growth", name, y,
		      x);
	/* the busy-tree lookup on free still deepens as the tree grows */
	cr_assert_gt(b.free, a.free, "%s: free visits %.1f at 10k vs %.1f at 1k", name, b.free, a.free);
	cr_assert_leq(y, 100, "%s: %.1f visits per op at 10k live is not logarithmic", name, y);
}

Test(vmlist_scale, list_is_linear)
{
	expect_linear("list", false, false);
	expect_linear("list", true, true);
}

Test(vmlist_scale, rbtree_walk_is_linear)
{
	/* 2.6.28 descends to the first area above vstart, then walks every busy area */
	expect_linear("rbtree", false, true);
}

Test(vmlist_scale, rbtree_cached_hole_is_logarithmic)
{
	expect_log("rbtree_cache", false);
}

Test(vmlist_scale, augmented_is_logarithmic)
{
	expect_log("augmented", false);
	expect_log("augmented", true);
}

/* `mmreplay bench vmlist` end to end: its CSV carries the model's visits, which for the 2.4
 * list follow from the scans by hand: the 100-page request passes the test's pointer array and
 * the N live areas (N + 1 visits), the 1-page one those and the 100-page area (N + 2); vfree finds
 * the 100-page area at position N + 2 and the 1-page one, freed second, at N + 2 again. */
Test(vmlist_scale, bench_csv_matches_the_list_scans)
{
	char csv[] = "/tmp/mmreplay_bench_vmlist_XXXXXX", line[512];
	int fd = mkstemp(csv);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(MMR_STATUS(NULL, "bench", "vmlist", "--live", "300", "--loops", "7", "--out", csv), 0);
	FILE *f = fopen(csv, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(line, sizeof(line), f));
	const char *head = "pattern,vmlist,live,loops,allocs,frees,alloc_visits,free_visits,";
	cr_assert(!strncmp(line, head, strlen(head)), "%s", line);
	int rows = 0;
	bool saw_list = false;
	while (fgets(line, sizeof(line), f)) {
		char pattern[64], name[64];
		unsigned long long live, loops, allocs, frees, av, fv;
		cr_assert_eq(sscanf(line, "%63[^,],%63[^,],%llu,%llu,%llu,%llu,%llu,%llu", pattern, name,
				    &live, &loops, &allocs, &frees, &av, &fv),
			     8, "%s", line);
		cr_assert_str_eq(pattern, "long_busy_list");
		cr_assert_eq(live, 300);
		cr_assert_eq(allocs, 14);
		cr_assert_eq(frees, 14);
		if (!strcmp(name, "list")) {
			saw_list = true;
			cr_assert_eq(av, 7 * (301 + 302));
			cr_assert_eq(fv, 7 * (302 + 302));
		}
		rows++;
	}
	fclose(f);
	unlink(csv);
	int nvariants = 0;
	while (vmlist_variants[nvariants])
		nvariants++;
	cr_assert_eq(rows, nvariants);
	cr_assert(saw_list);
}
