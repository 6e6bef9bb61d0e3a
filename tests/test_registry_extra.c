/* A throwaway vmlist variant, setting and column, added the way docs/architecture.md's recipes
 * say: this test links its own copies of the registry files (core/kva/vmlist_registry.c,
 * bench/output/metric_tables.c, each a list and nothing else, and core/machine/settings_registry.c, the
 * table the program reads) with one more line each, and sees the new entries in --help, in
 * 'all', in the CSV, in a suite's axes and labels and in `mmreplay columns` without any other
 * change. Lists it checks against are built from the registries, never spelled. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/cli/commands.h"
#include "bench/output/csvread.h"
#include "bench/output/metric_fmt.h"
#include "core/machine/settings.h"
#include "workloads/trace/trace.h"
#include "core/kva/vmlist_priv.h"

/* The throwaway variant: augmented's ops under another name (filled in by setup). */
static struct vmlist_ops throwaway;

/* --- the registry file, with one line more --- */
const struct vmlist_ops *const vmlist_variants[] = {
	&vmlist_list_ops,
	&vmlist_rbtree_ops,
	&vmlist_rbtree_cache_ops,
	&vmlist_augmented_ops,
	&vmlist_nodes_ops,
	&throwaway,
	NULL,
};

const struct vmlist_ops *vmlist_find(const char *name)
{
	for (const struct vmlist_ops *const *o = vmlist_variants; *o; o++)
		if (!strcmp((*o)->name, name))
			return *o;
	return NULL;
}

/* --- the settings registry, with one entry more --- */
/* The throwaway setting. A test cannot add a field to struct sim_cfg (recipe step 1), so it sets
 * the kmap pool's size, which has its field in the view (step 3's struct sim_stats_cfg) already;
 * it comes after pkmap-slots in the table, so its value is the one applied. */
static const struct setting throwaway_setting = {"throwaway",
						 "a test's setting: the kmap pool's size under another name",
						 "slots",
						 "1024",
						 SETTING_UINT,
						 true,
						 1,
						 1 << 20,
						 offsetof(struct sim_cfg, pkmap.nr_slots),
						 sizeof(((struct sim_cfg *)0)->pkmap.nr_slots),
						 NULL,
						 NULL,
						 0};
static struct setting settings_extra[128]; /* settings_table, the throwaway entry, the end */
const struct setting *const settings = settings_extra;

/* The throwaway metric: a derived figure. */
static void m_throwaway(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, 2 * s->st->vmlist.visits + 1);
}

static const struct metric metrics_throwaway[] = {
	M_FIELD("throwaway_slots", "slots", METRIC_CONFIG, METRIC_IN_ROWS, MF_UINT, cfg.pkmap_slots,
		"the throwaway setting's column (setting throwaway)"),
	M_FN("throwaway_metric", "nodes", METRIC_MODEL, METRIC_IN_ROWS, m_throwaway, 0,
	     "twice vmlist_visits, plus one"),
	M_END,
};

/* --- the metric registry file, with one line more --- */
const struct metric *const metric_tables[] = {
	metrics_config,	   metrics_kva,	 metrics_proc,	 metrics_phys, metrics_totals,
	metrics_throwaway, metrics_host, metrics_series, NULL,
};

static void setup(void)
{
	throwaway = vmlist_augmented_ops;
	throwaway.name = "throwaway";
	throwaway.desc = "a test's copy of augmented";
	size_t n = 0;
	while (settings_table[n].name)
		n++;
	cr_assert_lt(n + 2, MM_ARRAY_SIZE(settings_extra));
	memcpy(settings_extra, settings_table, n * sizeof(*settings_table));
	settings_extra[n] = throwaway_setting;
}

/* Run a command in this process with stdout sent to path. */
static int capture(int (*cmd)(int, char **), int argc, char **argv, const char *path)
{
	fflush(stdout);
	int saved = dup(1), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(saved >= 0 && fd >= 0);
	dup2(fd, 1);
	close(fd);
	int rc = cmd(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return rc;
}

static bool file_has(const char *path, const char *text)
{
	char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = 0;
	if (f)
		fclose(f);
	return strstr(buf, text) != NULL;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

/* "list, rbtree, ..., throwaway": the registry's names as --help and errors list them. */
static void variant_names(char *buf, size_t len)
{
	buf[0] = 0;
	for (const struct vmlist_ops *const *o = vmlist_variants; *o; o++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", o == vmlist_variants ? "" : ", ",
			 (*o)->name);
}

/* Every row of csv: the throwaway metric is twice vmlist_visits plus one, the throwaway column
 * the value of throwaway in the row's label; returns the rows and counts the throwaway variant's. */
static size_t check_rows(const char *csv, size_t *variant_rows)
{
	struct csvtab t;
	struct mm_diag d;
	cr_assert_eq(csvtab_read(csv, &t, &d), 0, "%s", d.msg);
	int cv = csvtab_col(&t, "vmlist"), cm = csvtab_col(&t, "throwaway_metric"),
	    cx = csvtab_col(&t, "vmlist_visits"), cs = csvtab_col(&t, "throwaway_slots"),
	    cc = csvtab_col(&t, "config");
	cr_assert(cv >= 0 && cm >= 0 && cx >= 0 && cs >= 0 && cc >= 0);
	*variant_rows = 0;
	for (size_t r = 0; r < t.nrows; r++) {
		*variant_rows += !strcmp(t.rows[r][cv], "throwaway");
		cr_assert_eq(strtoull(t.rows[r][cm], NULL, 10), 2 * strtoull(t.rows[r][cx], NULL, 10) + 1);
		char want[64];
		snprintf(want, sizeof(want), "throwaway=%s", t.rows[r][cs]);
		cr_assert_not_null(strstr(t.rows[r][cc], want), "label %s lacks %s", t.rows[r][cc], want);
	}
	size_t n = t.nrows;
	csvtab_free(&t);
	return n;
}

Test(registry_extra, throwaway_variant_setting_and_metric_everywhere, .init = setup)
{
	char dir[] = "/tmp/mmreplay_extra_XXXXXX", out[256], csv[256], trace[256], ini[256], res[256],
	     sum[300];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(csv, sizeof(csv), "%s/r.csv", dir);
	snprintf(trace, sizeof(trace), "%s/t.mmr", dir);
	snprintf(ini, sizeof(ini), "%s/s.ini", dir);
	snprintf(res, sizeof(res), "%s/res", dir);
	snprintf(sum, sizeof(sum), "%s/summary.csv", res);
	size_t nvariants = 0;
	while (vmlist_variants[nvariants])
		nvariants++;
	char names[512];
	variant_names(names, sizeof(names));
	cr_assert_not_null(strstr(names, ", throwaway"));
	/* --help of replay and suite lists the variant among the vmlist values, and the setting */
	char *help[] = {"replay", "--help", NULL}, *shelp[] = {"suite", "--help", NULL};
	cr_assert_eq(capture(cmd_replay, 2, help, out), MM_EXIT_OK);
	cr_assert(file_has(out, names), "replay --help lacks %s", names);
	cr_assert(file_has(out, "--throwaway N[,N...]"));
	cr_assert_eq(capture(cmd_suite, 2, shelp, out), MM_EXIT_OK);
	cr_assert(file_has(out, names) && file_has(out, "--throwaway N[,N...]"));
	/* mmreplay columns lists the metric and the setting's column */
	char *cols[] = {"columns", NULL};
	cr_assert_eq(capture(cmd_columns, 1, cols, out), MM_EXIT_OK);
	cr_assert(file_has(out, "throwaway_metric") && file_has(out, "throwaway_slots"));
	/* 'all' replays the variant, a list of the setting's values makes an axis, and the CSV
	 * carries the column and the metric */
	char *gen[] = {"gen", "long_busy_list", "--loops", "20", "--busy", "50", "--out", trace, NULL};
	cr_assert_eq(cmd_gen(8, gen), MM_EXIT_OK);
	char *rep[] = {"replay",      "--vmlist", "all",     "--tlb", "lazy", "--buddy", "lifo",
		       "--throwaway", "64,128",	  "--quiet", "--out", csv,    trace,	 NULL};
	cr_assert_eq(cmd_replay(13, rep), MM_EXIT_OK);
	size_t vrows;
	cr_assert_eq(check_rows(csv, &vrows), 2 * nvariants);
	cr_assert_eq(vrows, 2, "'all' includes the throwaway variant");
	/* a suite file takes the setting and the variant as axes */
	FILE *f = fopen(ini, "w");
	cr_assert_not_null(f);
	fprintf(f,
		"[suite]\nrepeats = 1\n[traces]\ntrace = %s\n[axes]\nvmlist = list,throwaway\ntlb = lazy\n"
		"buddy = lifo\nthrowaway = 64,128\n",
		trace);
	fclose(f);
	char *suite[] = {"suite", "--no-plots", "-j", "1", "--out", res, ini, NULL};
	cr_assert_eq(capture(cmd_suite, 7, suite, out), MM_EXIT_OK);
	cr_assert_eq(check_rows(sum, &vrows), 4);
	cr_assert_eq(vrows, 2);
	/* a value out of the setting's range is refused like any other's */
	char *bad[] = {"replay", "--throwaway", "0", trace, NULL};
	cr_assert_eq(capture(cmd_replay, 4, bad, out), MM_EXIT_USAGE);
	cr_assert_eq(nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}
