/* The old behaviour stays reproducible: with the issue-11 settings set back (--flush-ceiling 0,
 * --purge inline, predict mode, no seeding, no start time), every column pinned in tests/golden
 * is byte-identical on every bundled trace, for the configurations tests/golden/make.sh ran (its
 * "--vmlist all" meant list,rbtree,augmented then). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "csvread.h"
#include "replay.h"
#include "trace.h"

#define TRACES MMREPLAY_DATA_DIR "/traces/"
#define GOLDEN MMREPLAY_DATA_DIR "/../tests/golden/"

static void old_settings(struct replay_matrix *m)
{
	m->base.flush_ceiling = 0;
	m->base.purge = VMALLOC_PURGE_INLINE;
	m->base.vmap_follow = false;
	m->base.vmalloc_state = m->base.vmalloc_end = NULL;
	m->base.from_ns = 0;
}

static void set(struct replay_matrix *m, const char *key, const char *val)
{
	char err[256];
	cr_assert_eq(replay_matrix_set(m, key, val, err, sizeof(err)), 0, "%s", err);
}

/* Every golden row against the replay of the same configuration, column by column by name. */
static void compare(const struct mm_trace *t, const char *name, struct replay_matrix *m, const char *golden)
{
	struct csvtab g;
	struct mm_diag d = {{0}};
	cr_assert_eq(csvtab_read(golden, &g, &d), 0, "%s", d.msg);
	cr_assert_eq(g.nrows, replay_matrix_size(m), "%s", golden);
	int idx[256];
	cr_assert_lt(g.ncols, MM_ARRAY_SIZE(idx));
	for (size_t c = 0; c < g.ncols; c++) {
		idx[c] = -1;
		for (int k = 0; replay_columns[k].name; k++)
			if (!strcmp(replay_columns[k].name, g.head[c]))
				idx[c] = k;
		cr_assert_geq(idx[c], 0, "column %s is gone", g.head[c]);
	}
	for (size_t i = 0; i < g.nrows; i++) {
		struct sim_cfg cfg;
		struct replay_row row;
		replay_matrix_cfg(m, i, t->ev, t->n, &cfg);
		cr_assert_eq(replay_run(name, t->ev, t->n, &cfg, &row), 0);
		for (size_t c = 0; c < g.ncols; c++) {
			char buf[256];
			replay_columns[idx[c]].fmt(&row, buf, sizeof(buf));
			cr_assert_str_eq(buf, g.rows[i][c], "%s row %zu column %s", golden, i + 1, g.head[c]);
		}
		replay_row_fini(&row);
	}
	csvtab_free(&g);
}

static void golden_trace(const char *name)
{
	char path[512], golden[512];
	struct mm_trace t;
	struct mm_diag d = {{0}};
	snprintf(path, sizeof(path), TRACES "%s.txt.zst", name);
	cr_assert_eq(trace_load(path, NULL, &t, &d), 0, "%s", d.msg);
	char label[128];
	snprintf(label, sizeof(label), "%s.txt.zst", name);
	for (int faithful = 0; faithful < 2; faithful++) {
		struct replay_matrix m;
		replay_matrix_default(&m);
		set(&m, "vmlist", "list,rbtree,augmented");
		set(&m, "tlb", "all");
		set(&m, "buddy", "all");
		set(&m, "vma", "all");
		m.base.page_mode = faithful ? PAGEREPLAY_FAITHFUL : PAGEREPLAY_PLACEMENT;
		old_settings(&m);
		snprintf(golden, sizeof(golden), GOLDEN "replay-%s-%s.csv", name,
			 faithful ? "faithful" : "placement");
		compare(&t, label, &m, golden);
	}
	struct replay_matrix m;
	replay_matrix_default(&m);
	set(&m, "vmlist", "rbtree");
	set(&m, "tlb", "all");
	m.base.cached_hole = true;
	m.base.populate = true;
	old_settings(&m);
	snprintf(golden, sizeof(golden), GOLDEN "replay-%s-cachedhole-populate.csv", name);
	compare(&t, label, &m, golden);
	trace_free(&t);
}

Test(vmap_golden, k_threads2_perf, .timeout = 600)
{
	golden_trace("k_threads2.perf");
}

Test(vmap_golden, k_fork_perf, .timeout = 600)
{
	golden_trace("k_fork.perf");
}

Test(vmap_golden, k_fork_ftrace, .timeout = 600)
{
	golden_trace("k_fork.ftrace");
}

Test(vmap_golden, u_build_strace, .timeout = 600)
{
	golden_trace("u_build.strace");
}

Test(vmap_golden, u_churn1_strace, .timeout = 600)
{
	golden_trace("u_churn1.strace");
}
