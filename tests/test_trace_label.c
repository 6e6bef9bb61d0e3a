/* Traces of one run that share a file name: labels tell them apart in
 * replay (CSV rows), suite (rows, time series) and compare (rows of different trace_ids never
 * averaged), and the labels follow the rules of trace_label.h. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/output/compare.h"
#include "bench/output/csvread.h"
#include "tests/spawn_cmd.h"
#include "bench/run/trace_label.h"

#define SRC_A MMREPLAY_DATA_DIR "/traces/k_fork.perf.txt.zst"
#define SRC_B MMREPLAY_DATA_DIR "/traces/u_churn1.strace.txt.zst"

static char dir[256];

static void mk(const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	cr_assert_eq(mkdir(p, 0755), 0, "%s", p);
}

static void cp(const char *from, const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	cr_assert_eq(SH(NULL, "cp \"$1\" \"$2\"", from, p), 0);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mmr_label_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	mk("d1");
	mk("d2");
	mk("a");
	mk("b");
	mk("a/x");
	mk("b/x");
	cp(SRC_A, "d1/t.perf.txt.zst");
	cp(SRC_B, "d2/t.perf.txt.zst");
	cp(SRC_A, "a/x/t.perf.txt.zst");
	cp(SRC_B, "b/x/t.perf.txt.zst");
}

static void teardown(void)
{
	SH(NULL, "rm -rf \"$1\"", dir);
}

TestSuite(trace_label, .init = setup, .fini = teardown);

static void labels(const char *const *rel, size_t n, enum trace_label_style st, char (*out)[TRACE_LABEL_MAX])
{
	char paths[8][512];
	const char *p[8];
	for (size_t i = 0; i < n; i++) {
		if (rel[i][0] == '/' || !strncmp(rel[i], "gen:", 4))
			snprintf(paths[i], sizeof(paths[i]), "%s", rel[i]);
		else
			snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, rel[i]);
		p[i] = paths[i];
	}
	cr_assert_eq(trace_labels(p, n, st, out), 0);
}

Test(trace_label, rules)
{
	char l[8][TRACE_LABEL_MAX];
	const char *distinct[] = {"d1/t.perf.txt.zst", "a/x/t.perf.txt.zst"};
	labels(distinct, 1, TRACE_LABEL_FILE, l);
	cr_assert_str_eq(l[0], "t.perf.txt.zst"); /* alone: the file name */
	const char *two[] = {"d1/t.perf.txt.zst", "d2/t.perf.txt.zst"};
	labels(two, 2, TRACE_LABEL_FILE, l);
	cr_assert_str_eq(l[0], "t.perf.txt.zst~d1");
	cr_assert_str_eq(l[1], "t.perf.txt.zst~d2");
	const char *deep[] = {"a/x/t.perf.txt.zst", "b/x/t.perf.txt.zst"};
	labels(deep, 2, TRACE_LABEL_FILE, l);
	cr_assert_str_eq(l[0], "t.perf.txt.zst~a~x");
	cr_assert_str_eq(l[1], "t.perf.txt.zst~b~x");
	const char *same[] = {"d1/t.perf.txt.zst", "d1/../d1/t.perf.txt.zst", "d2/t.perf.txt.zst"};
	labels(same, 3, TRACE_LABEL_FILE, l);
	cr_assert_str_eq(l[0], l[1]); /* one file named twice keeps one label */
	cr_assert_str_neq(l[0], l[2]);
	const char *spec[] = {"d1/t.perf.txt.zst", "d2/t.perf.txt.zst", "gen:fix_size loops=10"};
	labels(spec, 3, TRACE_LABEL_SPEC, l);
	cr_assert_str_eq(l[0], "t.perf~d1");
	cr_assert_str_eq(l[1], "t.perf~d2");
	cr_assert_null(strchr(l[2], '~'));
	/* labels differ whatever the list */
	const char *mix[] = {"d1/t.perf.txt.zst", "d2/t.perf.txt.zst", "a/x/t.perf.txt.zst",
			     "b/x/t.perf.txt.zst"};
	labels(mix, 4, TRACE_LABEL_FILE, l);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(l[i], l[j], "%d %d: %s", i, j, l[i]);
}

/* Distinct trace labels in a CSV's rows. */
static size_t csv_traces(const char *path, char seen[][TRACE_LABEL_MAX], size_t max)
{
	struct csvtab t;
	struct mm_diag d = {{0}};
	cr_assert_eq(csvtab_read(path, &t, &d), 0, "%s", d.msg);
	int c = csvtab_col(&t, "trace");
	cr_assert_geq(c, 0);
	size_t n = 0;
	for (size_t r = 0; r < t.nrows; r++) {
		size_t k = 0;
		while (k < n && strcmp(seen[k], t.rows[r][c]))
			k++;
		if (k == n && n < max)
			snprintf(seen[n++], TRACE_LABEL_MAX, "%s", t.rows[r][c]);
	}
	csvtab_free(&t);
	return n;
}

Test(trace_label, replay_and_suite_keep_same_named_traces_apart)
{
	char a[512], b[512], out[700], suite[512], res[512], seen[4][TRACE_LABEL_MAX];
	snprintf(a, sizeof(a), "%s/d1/t.perf.txt.zst", dir);
	snprintf(b, sizeof(b), "%s/d2/t.perf.txt.zst", dir);
	snprintf(out, sizeof(out), "%s/r.csv", dir);
	cr_assert_eq(MMR_STATUS(NULL, "replay", "--quiet", "--vmlist", "augmented", "--tlb", "lazy",
				"--buddy", "lifo", "--out", out, a, b),
		     0);
	cr_assert_eq(csv_traces(out, seen, 4), 2);
	cr_assert_str_eq(seen[0], "t.perf.txt.zst~d1");
	cr_assert_str_eq(seen[1], "t.perf.txt.zst~d2");

	snprintf(suite, sizeof(suite), "%s/s.ini", dir);
	FILE *f = fopen(suite, "w");
	cr_assert_not_null(f);
	fprintf(f, "[suite]\nname = dup\n[traces]\ntrace = d1/t.perf.txt.zst\ntrace = d2/t.perf.txt.zst\n"
		   "[axes]\nvmlist = augmented\ntlb = lazy\nbuddy = lifo\n");
	fclose(f);
	snprintf(res, sizeof(res), "%s/res", dir);
	cr_assert_eq(MMR_STATUS(NULL, "suite", "--no-plots", "--out", res, suite), 0);
	snprintf(out, sizeof(out), "%s/summary.csv", res);
	cr_assert_eq(csv_traces(out, seen, 4), 2);
	cr_assert_str_eq(seen[0], "t.perf~d1");
	cr_assert_str_eq(seen[1], "t.perf~d2");
	/* one time series each: the second no longer overwrites the first */
	cr_assert_eq(SH(NULL, "test -s \"$1\"/timeseries/t.perf~d1__augmented_lazy_lifo.csv", res), 0);
	cr_assert_eq(SH(NULL, "test -s \"$1\"/timeseries/t.perf~d2__augmented_lazy_lifo.csv", res), 0);
}

/* Separate runs joined by merge: the same label, two trace_ids, compared apart. */
Test(trace_label, compare_keeps_trace_ids_apart)
{
	char a[512], b[512], ca[512], cb[512], ab[512];
	snprintf(a, sizeof(a), "%s/d1/t.perf.txt.zst", dir);
	snprintf(b, sizeof(b), "%s/d2/t.perf.txt.zst", dir);
	snprintf(ca, sizeof(ca), "%s/a.csv", dir);
	snprintf(cb, sizeof(cb), "%s/b.csv", dir);
	snprintf(ab, sizeof(ab), "%s/ab.csv", dir);
	cr_assert_eq(MMR_STATUS(NULL, "replay", "--quiet", "--vmlist", "augmented,list", "--tlb", "lazy",
				"--buddy", "lifo", "--out", ca, a),
		     0);
	cr_assert_eq(MMR_STATUS(NULL, "replay", "--quiet", "--vmlist", "augmented,list", "--tlb", "lazy",
				"--buddy", "lifo", "--out", cb, b),
		     0);
	cr_assert_eq(MMR_STATUS(NULL, "merge", "--out", ab, ca, cb), 0);
	struct compare c;
	struct compare_opts o = {.baseline = "list/lazy/lifo"};
	struct mm_diag d = {{0}};
	cr_assert_eq(compare_load(&c, ab, &o, &d), 0, "%s", d.msg);
	cr_assert_eq(c.ntraces, 2, "%zu traces: two traces were averaged as one", c.ntraces);
	cr_assert_str_neq(c.tr[0].trace, c.tr[1].trace);
	cr_assert_not_null(strstr(c.tr[0].trace, "t.perf.txt.zst#"));
	compare_free(&c);
}
