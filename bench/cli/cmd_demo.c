/* mmreplay demo: what a new user runs first. Runs the demo suite (bench/suites/demo.ini: the
 * bundled real traces and test_vmalloc cases under every buddy policy, vmlist design and TLB
 * policy), then prints one line per trace comparing the variants, and where the files are. */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "config.h"
#include "bench/output/csvread.h"
#include "bench/run/suite.h"
#include "bench/run/suite_run.h"

struct demo_opts {
	const char *out, *suite;
};

static const struct cli_opt demo_opts[] = {
	CLI_OPT_OUT("out", "DIR", struct demo_opts, out, "results directory (results/demo)"),
	CLI_OPT_STR("suite", "FILE", struct demo_opts, suite, "another suite file (bench/suites/demo.ini)"),
	CLI_OPT_END,
};

static const struct cli_cmd demo_cmd = {
	.name = "demo",
	.synopsis = "",
	.about =
		"Runs the demo suite: the bundled real traces (data/traces: perf and strace recordings from\n"
		"Linux 6.18) and the kernel's test_vmalloc cases, each under every buddy policy x vmlist\n"
		"design x TLB policy x VMA index that can change it, five timed repeats each. Writes DIR:\n"
		"the report page index.html, summary.csv, timeseries/*.csv and graphs (*.svg, *.png), then\n"
		"prints one line per trace. --suite runs another suite file and prints the same table.",
	.opts = demo_opts,
};

/* The table printed at the end: per figure (a summary column), one value per variant of one
 * axis, the other axes at the values named in `fixed` (summary columns). A cell the suite
 * skipped because the axis cannot change the trace's replay prints '-'. */
static const struct demo_group {
	const char *metric, *head, *axis;
	const char *fixed[2][2]; /* column, value */
	const char *variant[3], *label[3];
	int width, prec;
	double scale;
} demo_groups[] = {
	{"vmlist_visits",
	 "vmlist visits (lifo, lazy)",
	 "vmlist",
	 {{"buddy", "lifo"}, {"tlb", "lazy"}},
	 {"list", "rbtree", "augmented"},
	 {"list", "rbtree", "augm."},
	 9,
	 0,
	 1},
	{"vmalloc_tlb_flushes",
	 "TLB flushes (augmented)",
	 "tlb",
	 {{"buddy", "lifo"}, {"vmlist", "augmented"}},
	 {"eager", "range", "lazy"},
	 {"eager", "range", "lazy"},
	 7,
	 0,
	 1},
	{"ufi9_end",
	 "ufi(9) (augm., lazy)",
	 "buddy",
	 {{"vmlist", "augmented"}, {"tlb", "lazy"}},
	 {"lifo", "addr", "mobility"},
	 {"lifo", "addr", "mobil."},
	 6,
	 3,
	 1000},
	{"find_vma_visits",
	 "find_vma visits (lifo)",
	 "vma",
	 {{"buddy", "lifo"}, {"tlb", "lazy"}},
	 {"list", "rbtree", "maple"},
	 {"list", "rbtree", "maple"},
	 7,
	 0,
	 1},
};

const char *demo_column(size_t i)
{
	return i < MM_ARRAY_SIZE(demo_groups) ? demo_groups[i].metric : NULL;
}

/* Value of column col in the row of trace tr with axis = v and the group's fixed values, or
 * NULL when the suite did not run that cell. */
static const char *cell(const struct csvtab *t, const char *tr, const struct demo_group *g, const char *v)
{
	int ct = csvtab_col(t, "trace"), ca = csvtab_col(t, g->axis), cv = csvtab_col(t, g->metric),
	    c0 = csvtab_col(t, g->fixed[0][0]), c1 = csvtab_col(t, g->fixed[1][0]);
	if (ct < 0 || ca < 0 || cv < 0 || c0 < 0 || c1 < 0)
		return NULL;
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(t->rows[r][ct], tr) && !strcmp(t->rows[r][ca], v) &&
		    !strcmp(t->rows[r][c0], g->fixed[0][1]) && !strcmp(t->rows[r][c1], g->fixed[1][1]))
			return t->rows[r][cv];
	return NULL;
}

/* One trace's line; a value that is not a number is an error (the summary lacks a column). */
static int demo_line(const struct csvtab *t, const char *tr, int width)
{
	printf("%-*s", width, tr);
	for (size_t g = 0; g < MM_ARRAY_SIZE(demo_groups); g++) {
		const struct demo_group *dg = &demo_groups[g];
		int ran = 0; /* one value only: the axis cannot change this trace (suite_axes.h) */
		for (int i = 0; i < 3; i++)
			ran += cell(t, tr, dg, dg->variant[i]) != NULL;
		for (int i = 0; i < 3; i++) {
			double v = 0;
			const char *s = cell(t, tr, dg, dg->variant[i]);
			if (!s || ran < 2) {
				printf(" %*s", dg->width, "-");
				continue;
			}
			if (!csv_number(s, &v)) {
				fprintf(stderr, "\nmmreplay demo: the summary's %s for %s is '%s'\n",
					dg->metric, tr, s);
				return -1;
			}
			printf(" %*.*f", dg->width, dg->prec, v / dg->scale);
		}
	}
	putchar('\n');
	return 0;
}

static int demo_table(const char *dir)
{
	char path[4096];
	struct csvtab t;
	struct mm_diag d;
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	if (csvtab_read(path, &t, &d)) {
		fprintf(stderr, "mmreplay demo: %s\n", d.msg);
		return -1;
	}
	int ct = csvtab_col(&t, "trace"), err = 0, width = 5;
	for (size_t r = 0; ct >= 0 && r < t.nrows; r++)
		width = MM_MAX(width, (int)strlen(t.rows[r][ct]));
	printf("\n%-*s", width, "");
	for (size_t g = 0; g < MM_ARRAY_SIZE(demo_groups); g++)
		printf(" %-*s", 3 * (demo_groups[g].width + 1) - 1, demo_groups[g].head);
	printf("\n%-*s", width, "trace");
	for (size_t g = 0; g < MM_ARRAY_SIZE(demo_groups); g++)
		for (int i = 0; i < 3; i++)
			printf(" %*s", demo_groups[g].width, demo_groups[g].label[i]);
	putchar('\n');
	bool *first = ct >= 0 ? csvtab_firsts(&t, ct) : NULL;
	if (ct >= 0 && !first)
		err = -ENOMEM;
	for (size_t r = 0; first && r < t.nrows && !err; r++) {
		if (first[r])
			err = demo_line(&t, t.rows[r][ct], width);
	}
	free(first);
	printf("\nvmlist visits: nodes the vmalloc address-space allocator examined; TLB flushes: full +\n"
	       "ranged flushes for vfree; ufi(9): the kernel's unusable free space index at order 9 at the\n"
	       "end (0 = every free page in 2 MiB blocks, 1 = none); find_vma visits: VMA index entries\n"
	       "or nodes examined. Lower is better for all four. '-': the axis cannot change this trace\n"
	       "(no vmap, page or process events for it), so the suite ran one value.\n"
	       "`mmreplay compare %s/summary.csv` sets every configuration against a baseline.\n",
	       dir);
	csvtab_free(&t);
	return err;
}

int cmd_demo(int argc, char **argv)
{
	char suite_path[4096];
	struct demo_opts o = {.out = "results/demo", .suite = suite_path};
	const char *data = getenv("MMREPLAY_DATA");
	snprintf(suite_path, sizeof(suite_path), "%s/demo.ini", MMREPLAY_SUITES_DIR);
	if (!data || !*data)
		data = MMREPLAY_DATA_DIR;
	int first = 0, rc0 = cli_parse(&demo_cmd, argc, argv, &o, NULL, &first);
	if (rc0 != CLI_RUN)
		return rc0;
	const char *out = o.out;
	struct suite *s = malloc(sizeof(*s));
	struct mm_diag d;
	if (!s)
		return MM_EXIT_FAIL;
	if (suite_load(o.suite, data, s, &d)) {
		fprintf(stderr, "mmreplay demo: %s\n", d.msg);
		free(s);
		return MM_EXIT_FAIL;
	}
	printf("mmreplay demo: %zu traces x %zu configurations, %u timed repeats each\n", s->ntraces,
	       suite_nconfigs(s), s->repeats);
	fflush(stdout);
	char cmd[4096];
	suite_command_line(argc, argv, cmd, sizeof(cmd));
	struct suite_run_opts ro = {.out_dir = out,
				    .job_first = -1,
				    .job_last = -1,
				    .plots = true,
				    .table = false,
				    .command = cmd};
	int rc = suite_run(s, &ro);
	free(s);
	if (rc == MM_EXIT_OK && demo_table(out))
		rc = MM_EXIT_FAIL;
	if (rc == MM_EXIT_OK) {
		printf("\nthe report page: %s/index.html (open it in a browser); beside it summary.csv (one\n"
		       "row per trace x configuration), timeseries/*.csv and the graphs *.svg / *.png\n",
		       out);
	}
	return rc;
}
