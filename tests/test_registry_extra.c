/* A throwaway vmlist variant and a throwaway metric, added through the registries alone: this
 * test links its own copies of the two registry files (core/kva/vmlist_registry.c and
 * bench/out/metric_tables.c, each a list and nothing else) with one more line each, and sees the
 * new entries in --help, in 'all', in the CSV and in `mmreplay columns` without any other change. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "csvread.h"
#include "metric_fmt.h"
#include "trace.h"
#include "vmlist_priv.h"

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

/* The throwaway metric: a derived figure. */
static void m_throwaway(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, 2 * s->st->vmlist.visits + 1);
}

static const struct metric metrics_throwaway[] = {
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

Test(registry_extra, throwaway_variant_and_metric_everywhere, .init = setup)
{
	char dir[] = "/tmp/mmreplay_extra_XXXXXX", out[256], csv[256], trace[256];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(csv, sizeof(csv), "%s/r.csv", dir);
	snprintf(trace, sizeof(trace), "%s/t.mmr", dir);
	/* --help lists it among the vmlist values */
	char *help[] = {"replay", "--help", NULL};
	cr_assert_eq(capture(cmd_replay, 2, help, out), MM_EXIT_OK);
	cr_assert(file_has(out, "list, rbtree, rbtree_cache, augmented, nodes, throwaway"));
	/* mmreplay columns lists the metric */
	char *cols[] = {"columns", NULL};
	cr_assert_eq(capture(cmd_columns, 1, cols, out), MM_EXIT_OK);
	cr_assert(file_has(out, "throwaway_metric"));
	/* 'all' replays it, and the CSV carries both */
	char *gen[] = {"gen", "long_busy_list", "--loops", "20", "--busy", "50", "--out", trace, NULL};
	cr_assert_eq(cmd_gen(8, gen), MM_EXIT_OK);
	char *rep[] = {"replay", "--vmlist", "all",   "--tlb", "lazy", "--buddy",
		       "lifo",	 "--quiet",  "--out", csv,     trace,  NULL};
	cr_assert_eq(cmd_replay(11, rep), MM_EXIT_OK);
	struct csvtab t;
	struct mm_diag d;
	cr_assert_eq(csvtab_read(csv, &t, &d), 0, "%s", d.msg);
	int cv = csvtab_col(&t, "vmlist"), cm = csvtab_col(&t, "throwaway_metric"),
	    cx = csvtab_col(&t, "vmlist_visits");
	cr_assert(cv >= 0 && cm >= 0 && cx >= 0);
	bool seen = false;
	for (size_t r = 0; r < t.nrows; r++) {
		seen |= !strcmp(t.rows[r][cv], "throwaway");
		cr_assert_eq(strtoull(t.rows[r][cm], NULL, 10), 2 * strtoull(t.rows[r][cx], NULL, 10) + 1);
	}
	cr_assert(seen, "'all' includes the throwaway variant");
	cr_assert_eq(t.nrows, 6);
	csvtab_free(&t);
	unlink(out);
	unlink(csv);
	unlink(trace);
	rmdir(dir);
}
