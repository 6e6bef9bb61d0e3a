/* mmreplay demo: what a new user runs first. Runs the demo suite (bench/suites/demo.ini: the
 * bundled real traces and test_vmalloc cases under every buddy policy, vmlist design and TLB
 * policy), then prints one line per trace comparing the variants, and where the files are. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "csvread.h"
#include "suite.h"
#include "suite_run.h"

static void demo_usage(FILE *f)
{
	fprintf(f,
		"usage: mmreplay demo [--out DIR] [--suite FILE]\n\n"
		"Runs the demo suite (default %s/demo.ini): the bundled\n"
		"real traces (data/traces: perf and strace recordings from Linux 6.18) and the kernel's\n"
		"test_vmalloc cases, each under every buddy policy x vmlist design x TLB policy, three\n"
		"timed repeats each. Writes DIR (default results/demo): summary.csv, timeseries/*.csv,\n"
		"plots/*.csv and graphs (*.png, *.svg), then prints a short comparison per trace.\n",
		MMREPLAY_SUITES_DIR);
}

/* Value of column col in the row of trace tr whose config is cfg, or NULL. */
static const char *cell(const struct csvtab *t, const char *tr, const char *cfg, const char *col)
{
	int ct = csvtab_col(t, "trace"), cc = csvtab_col(t, "config"), cv = csvtab_col(t, col);
	if (ct < 0 || cc < 0 || cv < 0)
		return NULL;
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(t->rows[r][ct], tr) && !strcmp(t->rows[r][cc], cfg))
			return t->rows[r][cv];
	return NULL;
}

static double num(const char *s)
{
	double v = 0;
	if (s)
		csv_number(s, &v);
	return v;
}

static void demo_table(const char *dir)
{
	char path[4096];
	struct csvtab t;
	struct mm_diag d;
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	if (csvtab_read(path, &t, &d)) {
		fprintf(stderr, "mmreplay demo: %s\n", d.msg);
		return;
	}
	static const char *const vl[] = {"list", "rbtree", "augmented"},
				 *const tl[] = {"eager", "range", "lazy"},
				 *const bl[] = {"lifo", "addr", "mobility"};
	printf("\n%-28s %-29s %-23s %-20s\n", "", "vmlist visits (lifo, lazy)", "TLB flushes (augmented)",
	       "ufi(9) (augm., lazy)");
	printf("%-28s %9s %9s %9s %7s %7s %7s %6s %6s %6s\n", "trace", "list", "rbtree", "augm.", "eager",
	       "range", "lazy", "lifo", "addr", "mobil.");
	int ct = csvtab_col(&t, "trace");
	for (size_t r = 0; ct >= 0 && r < t.nrows; r++) {
		const char *tr = t.rows[r][ct];
		bool first = true;
		for (size_t k = 0; k < r && first; k++)
			first = strcmp(t.rows[k][ct], tr) != 0;
		if (!first)
			continue;
		char cfg[128];
		printf("%-28.28s", tr);
		for (int i = 0; i < 3; i++) {
			snprintf(cfg, sizeof(cfg), "lifo/%s/lazy", vl[i]);
			printf(" %9.0f", num(cell(&t, tr, cfg, "vmlist_visits")));
		}
		for (int i = 0; i < 3; i++) {
			snprintf(cfg, sizeof(cfg), "lifo/augmented/%s", tl[i]);
			printf(" %7.0f", num(cell(&t, tr, cfg, "vmalloc_tlb_flushes")));
		}
		for (int i = 0; i < 3; i++) {
			snprintf(cfg, sizeof(cfg), "%s/augmented/lazy", bl[i]);
			printf(" %6.3f", num(cell(&t, tr, cfg, "ufi9_end")) / 1000.0);
		}
		putchar('\n');
	}
	printf("\nvmlist visits: nodes the vmalloc address-space allocator examined; TLB flushes: full +\n"
	       "ranged flushes for vfree; ufi(9): the kernel's unusable free space index at order 9 at the\n"
	       "end (0 = every free page in 2 MiB blocks, 1 = none). `mmreplay compare %s/summary.csv`\n"
	       "sets every configuration against a baseline.\n",
	       dir);
	csvtab_free(&t);
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, NULL, 'o'},
		{"suite", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = "results/demo", *data = getenv("MMREPLAY_DATA");
	char suite_path[4096];
	snprintf(suite_path, sizeof(suite_path), "%s/demo.ini", MMREPLAY_SUITES_DIR);
	if (!data || !*data)
		data = MMREPLAY_DATA_DIR;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 's':
			snprintf(suite_path, sizeof(suite_path), "%s", optarg);
			break;
		case 'h':
			demo_usage(stdout);
			return MM_EXIT_OK;
		default:
			demo_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		demo_usage(stderr);
		return MM_EXIT_USAGE;
	}
	struct suite *s = malloc(sizeof(*s));
	struct mm_diag d;
	if (!s)
		return MM_EXIT_FAIL;
	if (suite_load(suite_path, data, s, &d)) {
		fprintf(stderr, "mmreplay demo: %s\n", d.msg);
		free(s);
		return MM_EXIT_FAIL;
	}
	printf("mmreplay demo: %zu traces x %zu configurations, %u timed repeats each\n", s->ntraces,
	       suite_nconfigs(s), s->repeats);
	fflush(stdout);
	struct suite_run_opts o = {out, -1, true, false};
	int rc = suite_run(s, &o);
	free(s);
	if (rc == MM_EXIT_OK) {
		demo_table(out);
		printf("\nresults in %s/: summary.csv (one row per trace x configuration), "
		       "timeseries/*.csv,\n"
		       "plots/*.csv, and the graphs *.png / *.svg listed above\n",
		       out);
	}
	return rc;
}
