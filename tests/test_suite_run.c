/* mmreplay suite end to end on a small suite file: the summary's shape, model columns identical
 * across runs, --job cells merged equal to the whole run, graphs drawn, bad suites refused. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glob.h>

#include "bench/output/csvread.h"
#include "tests/spawn_cmd.h"

static char dir[256];

/* mmreplay ARGS... must exit with want */
#define run(want, ...)                                                                                       \
	do {                                                                                                 \
		struct spawn_res r_ = MMR(NULL, __VA_ARGS__);                                                \
		cr_assert_eq(r_.status, want, "exit %d, wanted %d: %s", r_.status, want, r_.err);            \
		spawn_res_free(&r_);                                                                         \
	} while (0)

static const char *suite_file(const char *name, const char *text)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mmreplay-suite-test-%d", (int)getpid());
	mkdir(dir, 0777);
}

static void teardown(void)
{
	if (SPAWN_STATUS(NULL, "rm", "-rf", dir))
		fprintf(stderr, "could not remove %s\n", dir);
}

static const char *const small = "[suite]\nname = small\nrepeats = 2\n"
				 "[traces]\ntrace = ${data}/traces/k_fork.perf.txt.zst\n"
				 "trace = gen:long_busy_list loops=200\n"
				 "[axes]\nvmlist = list,augmented\ntlb = eager,lazy\nzone_pages = 65536\n";

/* The summary with every host_ column blanked: what must not change between runs. */
static char *model_only(const char *path)
{
	struct csvtab t;
	struct mm_diag d;
	cr_assert_eq(csvtab_read(path, &t, &d), 0, "%s", d.msg);
	size_t cap = 1 << 20, n = 0;
	char *out = malloc(cap);
	for (size_t r = 0; r < t.nrows; r++)
		for (size_t c = 0; c < t.ncols; c++)
			if (strncmp(t.head[c], "host_", 5))
				n += (size_t)snprintf(out + n, cap - n, "%s%c", t.rows[r][c],
						      c + 1 == t.ncols ? '\n' : ',');
	csvtab_free(&t);
	return out;
}

Test(suite_run, summary_is_deterministic_and_jobs_merge, .init = setup, .fini = teardown, .timeout = 1200)
{
	const char *s = suite_file("small.ini", small);
	char out1[512], out2[512], out3[512], sum[600], sum2[600], merged[600];
	_Static_assert(sizeof(MMREPLAY_BUILD_DIR) < 400, "build path");
	snprintf(out1, sizeof(out1), "%s/r1", dir);
	snprintf(out2, sizeof(out2), "%s/r2", dir);
	snprintf(out3, sizeof(out3), "%s/r3", dir);
	run(0, "suite", "--out", out1, s);
	run(0, "suite", "--no-plots", "--out", out2, s);

	snprintf(sum, sizeof(sum), "%s/summary.csv", out1);
	struct csvtab t;
	struct mm_diag d;
	cr_assert_eq(csvtab_read(sum, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.nrows, 2 * 4, "2 traces x 4 configurations");
	int cc = csvtab_col(&t, "config"), cv = csvtab_col(&t, "vmlist_visits"),
	    cf = csvtab_col(&t, "tlb_flush_all"), ca = csvtab_col(&t, "host_ns_per_event_all"),
	    cvf = csvtab_col(&t, "vmap_frees");
	cr_assert(cc >= 0 && cv >= 0 && cf >= 0 && ca >= 0 && cvf >= 0);
	cr_assert_str_eq(t.rows[0][cc], "list/eager/zone_pages=65536"); /* every axis, registry order */
	for (size_t r = 0; r < t.nrows; r++) {
		/* eager: one full flush per vfree */
		if (strstr(t.rows[r][cc], "eager"))
			cr_assert_str_eq(t.rows[r][cf], t.rows[r][cvf]);
		/* two repeats, two timings */
		cr_assert(strchr(t.rows[r][ca], ';'), "repeats: %s", t.rows[r][ca]);
	}
	/* on long_busy_list the list visits far more than the augmented tree */
	double list_v = 0, aug_v = 0;
	csv_number(t.rows[4][cv], &list_v);
	csv_number(t.rows[6][cv], &aug_v);
	cr_assert_gt(list_v, 5 * aug_v, "list %g augmented %g", list_v, aug_v);
	csvtab_free(&t);

	snprintf(sum2, sizeof(sum2), "%s/summary.csv", out2);
	char *a = model_only(sum), *b = model_only(sum2);
	cr_assert_str_eq(a, b, "model columns differ between runs");

	/* the same matrix as 8 separate jobs, merged: each listed line runs as it stands in sh */
	struct spawn_res l = MMR(NULL, "suite", "--list-jobs", "--out", out3, s);
	cr_assert_eq(l.status, 0, "%s", l.err);
	int jobs = 0;
	for (char *save = NULL, *line = strtok_r(l.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		cr_assert(strstr(line, " suite --job "), "%s", line);
		cr_assert_eq(spawn_sh_line(line), 0, "%s", line);
		jobs++;
	}
	spawn_res_free(&l);
	cr_assert_eq(jobs, 8);
	snprintf(merged, sizeof(merged), "%s/summary.csv", out3);
	char pattern[700];
	glob_t g;
	snprintf(pattern, sizeof(pattern), "%s/cells/*.csv", out3);
	cr_assert_eq(glob(pattern, 0, NULL, &g), 0);
	const char *argv[16] = {spawn_mmreplay(), "merge", "--out", merged};
	cr_assert_eq(g.gl_pathc, 8);
	for (size_t i = 0; i < g.gl_pathc; i++)
		argv[4 + i] = g.gl_pathv[i];
	cr_assert_eq(spawn_status_v(argv, NULL), 0);
	globfree(&g);
	char *c = model_only(merged);
	cr_assert_str_eq(a, c, "merged jobs differ from the whole run");
	free(a);
	free(b);
	free(c);

	/* graphs: fragmentation, TLB flushes, vmlist work, page-table walk, host time */
	const char *pngs[] = {"frag_k_fork.perf.png", "tlb_k_fork.perf.png", "walk_k_fork.perf.png",
			      "host_k_fork.perf.png", "vmlist_visits_long_busy_list-loops=200.png"};
	for (size_t i = 0; i < sizeof(pngs) / sizeof(pngs[0]); i++) {
		char png[1200];
		struct stat st;
		snprintf(png, sizeof(png), "%s/%s", out1, pngs[i]);
		cr_assert_eq(stat(png, &st), 0, "%s missing", png);
		cr_assert_gt(st.st_size, 1000);
	}
	/* compare reads it */
	run(0, "compare", "--baseline", "list/eager", sum);
}

Test(suite_run, bad_suites_are_refused, .init = setup, .fini = teardown)
{
	const char *bad_axis = suite_file("bad.ini", "[traces]\ntrace = x\n[axes]\nvmlist = list,splay\n");
	/* a bad axis value is an error of the file, found when it is read (FILE:LINE) */
	char out[600];
	snprintf(out, sizeof(out), "%s/bad", dir);
	run(1, "suite", "--out", out, bad_axis);
	const char *missing = suite_file("missing.ini", "[traces]\ntrace = /nonexistent/trace.txt\n");
	snprintf(out, sizeof(out), "%s/missing", dir);
	run(1, "suite", "--out", out, missing);
	const char *badgen = suite_file("badgen.ini", "[traces]\ntrace = gen:long_busy_list regions=3\n");
	snprintf(out, sizeof(out), "%s/badgen", dir);
	run(1, "suite", "--out", out, badgen);
	char sum[1024];
	struct stat st;
	snprintf(sum, sizeof(sum), "%s/missing/summary.csv", dir);
	cr_assert_neq(stat(sum, &st), 0, "a failed run must not leave a summary");
	const char *s = suite_file("job.ini", small);
	snprintf(out, sizeof(out), "%s/job", dir);
	run(2, "suite", "--job", "99", "--out", out, s);
}

/* A zones axis: each zone's free pages and indices in the time series, empty for a zone the
 * layout lacks; a GFP_DMA32-heavy generated trace drains DMA32 below its start. */
Test(suite_run, zones_axis_and_per_zone_series, .init = setup, .fini = teardown, .timeout = 1200)
{
	const char *s =
		suite_file("zones.ini", "[suite]\nname = z\n[traces]\ntrace = gen:drivers loops=2000\n"
					"[axes]\nzones = default,DMA:0x1-0x1000;DMA32:0x1000-0x40000;"
					"Normal:0x100000+1G\n");
	char out[512], ts[1200];
	snprintf(out, sizeof(out), "%s/z", dir);
	run(0, "suite", "--no-plots", "--out", out, s);
	snprintf(ts, sizeof(ts),
		 "%s/timeseries/drivers-loops=2000__zones=DMA:0x1-0x1000;DMA32:0x1000-0x40000;"
		 "Normal:0x100000+1G.csv",
		 out);
	struct csvtab t;
	struct mm_diag d;
	cr_assert_eq(csvtab_read(ts, &t, &d), 0, "%s", d.msg);
	int c32 = csvtab_col(&t, "zone_dma32_free_pages"), cn = csvtab_col(&t, "zone_normal_free_pages");
	cr_assert(c32 >= 0 && cn >= 0);
	double first = 0, min = 1e18, v;
	cr_assert(csv_number(t.rows[0][c32], &first));
	cr_assert_eq(first, 0x40000 - 0x1000, "DMA32 starts all free");
	for (size_t r = 0; r < t.nrows; r++) {
		cr_assert(csv_number(t.rows[r][c32], &v));
		min = v < min ? v : min;
	}
	cr_assert_lt(min, first, "vmalloc_32 and GFP_DMA32 requests take DMA32 pages");
	csvtab_free(&t);
	snprintf(ts, sizeof(ts), "%s/timeseries/drivers-loops=2000__zones=default.csv", out);
	cr_assert_eq(csvtab_read(ts, &t, &d), 0, "%s", d.msg);
	c32 = csvtab_col(&t, "zone_dma32_free_pages");
	cr_assert_str_eq(t.rows[0][c32], "", "the default layout has no DMA32 zone");
	csvtab_free(&t);
}
