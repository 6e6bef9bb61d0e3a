/* The run engine on several threads: the worker pool (bench/run/workers.h) takes results in job
 * order with at most `window` waiting, and stops cleanly; `replay -j4` on every bundled trace
 * writes the model columns of a replay of the trace loaded whole (the reference: the engine
 * before streaming); replaying a long trace keeps the process's memory far below the trace's
 * size. -j1 against -jN, for replay and suite, is tests/parallel/check.py (Criterion cannot run
 * under ThreadSanitizer, that script can). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/cli/commands.h"
#include "bench/output/csvread.h"
#include "bench/output/metrics.h"
#include "bench/run/replay.h"
#include "core/lib/rng.h"
#include "workloads/trace/trace.h"
#include "bench/run/workers.h"

/* --- the pool --- */

struct pool_test {
	size_t njobs, window, next_done, stop_at;
	u64 started, ran_after_stop, dropped;
	u64 delay_seed;
	int order_errors, window_errors;
};

static int pt_run(void *ctx, size_t job, unsigned worker)
{
	struct pool_test *t = ctx;
	__atomic_fetch_add(&t->started, 1, __ATOMIC_RELAXED);
	u64 x = t->delay_seed ^ (job * 0x9e3779b97f4a7c15ULL);
	usleep((useconds_t)(rng_splitmix(&x) % 400));
	return job % 7 == 3 ? -(int)(job % 100 + 1) : 0; /* a result to carry */
}

static int pt_done(void *ctx, size_t job, int err)
{
	struct pool_test *t = ctx;
	if (job != t->next_done++ || err != (job % 7 == 3 ? -(int)(job % 100 + 1) : 0))
		t->order_errors++;
	/* job + 1 taken after this; job j starts only once j - window is taken */
	if (__atomic_load_n(&t->started, __ATOMIC_RELAXED) > job + t->window)
		t->window_errors++;
	return job == t->stop_at ? 42 : 0;
}

static void pt_drop(void *ctx, size_t job)
{
	struct pool_test *t = ctx;
	if (job <= t->stop_at)
		t->order_errors++;
	t->dropped++;
}

Test(workers, results_in_order_within_the_window)
{
	for (unsigned nw = 1; nw <= 6; nw++)
		for (size_t window = 1; window <= 9; window += 4) {
			struct pool_test t = {
				.njobs = 120, .window = window, .stop_at = SIZE_MAX, .delay_seed = nw};
			struct workers_ops ops = {.run = pt_run, .done = pt_done, .drop = pt_drop, .ctx = &t};
			cr_assert_eq(workers_run(t.njobs, nw, window, &ops), 0);
			cr_assert_eq(t.next_done, t.njobs, "every job taken");
			cr_assert_eq(t.started, t.njobs);
			cr_assert_eq(t.order_errors, 0, "%u workers, window %zu: out of order", nw, window);
			cr_assert_eq(t.window_errors, 0, "%u workers, window %zu: too many waiting", nw,
				     window);
			cr_assert_eq(t.dropped, 0);
		}
}

Test(workers, a_stop_takes_nothing_after_it)
{
	for (unsigned nw = 1; nw <= 5; nw += 2) {
		struct pool_test t = {.njobs = 200, .window = 8, .stop_at = 37, .delay_seed = 99};
		struct workers_ops ops = {.run = pt_run, .done = pt_done, .drop = pt_drop, .ctx = &t};
		cr_assert_eq(workers_run(t.njobs, nw, t.window, &ops), 42, "done()'s value is returned");
		cr_assert_eq(t.next_done, 38, "nothing taken after the stop");
		cr_assert_eq(t.order_errors, 0);
		cr_assert_eq(t.started, 38 + t.dropped, "every job that ran is taken or dropped");
		cr_assert_leq(t.started, 38 + t.window);
	}
	struct pool_test t = {.njobs = 0};
	struct workers_ops ops = {.run = pt_run, .done = pt_done, .ctx = &t};
	cr_assert_eq(workers_run(0, 4, 4, &ops), 0, "no jobs, nothing to do");
	cr_assert_geq(workers_online(), 1);
}

/* --- replay: streamed on workers, and loaded whole --- */

static char dir[256];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mmreplay-workers-test-%d", (int)getpid());
	mkdir(dir, 0777);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS))
		fprintf(stderr, "could not remove %s\n", dir);
}

/* The non-host columns of a CSV, one line per row. */
static char *model_only(const char *path)
{
	struct csvtab t;
	struct mm_diag d;
	cr_assert_eq(csvtab_read(path, &t, &d), 0, "%s", d.msg);
	size_t cap = 1 << 22, n = 0;
	char *out = malloc(cap);
	out[0] = 0;
	for (size_t r = 0; r < t.nrows; r++)
		for (size_t c = 0; c < t.ncols && n + 1024 < cap; c++)
			if (strncmp(t.head[c], "host_", 5))
				n += (size_t)snprintf(out + n, cap - n, "%s%c", t.rows[r][c],
						      c + 1 == t.ncols ? '\n' : ',');
	cr_assert_gt(t.nrows, 0, "%s has rows", path);
	csvtab_free(&t);
	return out;
}

static size_t bundled(char paths[][512], size_t max)
{
	DIR *d = opendir(MMREPLAY_DATA_DIR "/traces");
	size_t n = 0;
	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d)) && n < max;) {
		size_t len = strlen(e->d_name);
		if (len > 4 && !strcmp(e->d_name + len - 4, ".zst") &&
		    (!strstr(e->d_name, ".trace.dat") || trace_tracedat_supported()))
			snprintf(paths[n++], 512, "%s/traces/%s", MMREPLAY_DATA_DIR, e->d_name);
	}
	closedir(d);
	cr_assert_geq(n, 6);
	return n;
}

/* Under AddressSanitizer (several times slower) one flush policy is enough to overlap workers. */
#if defined(__SANITIZE_ADDRESS__)
#define TLBS "lazy"
#else
#define TLBS "lazy,eager"
#endif
#define SETTINGS "--vmlist", "all", "--tlb", TLBS, "--buddy", "lifo,addr"

static void replay_to(const char *out, const char *workers, char paths[][512], size_t n)
{
	char *argv[64] = {"replay", "-j", (char *)workers, "--quiet", "--out", (char *)out, SETTINGS};
	int argc = 12;
	for (size_t i = 0; i < n; i++)
		argv[argc++] = paths[i];
	cr_assert_eq(cmd_replay(argc, argv), 0, "replay -j %s", workers);
}

/* The reference: each trace loaded whole, each configuration replayed from the array. */
static void replay_reference(const char *out, char paths[][512], size_t n)
{
	struct matrix *m = malloc(sizeof(*m));
	char err[512];
	matrix_init(m);
	cr_assert_eq(matrix_set(m, settings_find("vmlist"), "all", true, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(matrix_set(m, settings_find("tlb"), TLBS, true, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(matrix_set(m, settings_find("buddy"), "lifo,addr", true, err, sizeof(err)), 0, "%s",
		     err);
	matrix_order(m, true);
	FILE *f = fopen(out, "w");
	metrics_csv_header(f, METRIC_IN_REPLAY, NULL);
	for (size_t i = 0; i < n; i++) {
		struct mm_trace t;
		struct mm_diag d;
		struct sim_trace_facts tf;
		cr_assert_eq(trace_load(paths[i], NULL, &t, &d), 0, "%s", d.msg);
		sim_trace_facts(t.ev, t.n, &tf);
		for (size_t k = 0; k < matrix_size(m); k++) {
			struct sim_cfg cfg;
			struct replay_row *row = malloc(sizeof(*row));
			cr_assert_eq(replay_cfg(m, k, &tf, &cfg, err, sizeof(err)), 0, "%s", err);
			cr_assert_eq(replay_run(strrchr(paths[i], '/') + 1, t.ev, t.n, &cfg, row), 0);
			char label[512];
			matrix_label(m, k, label, sizeof(label));
			struct metric_src src = {
				.trace = row->trace, .config = label, .st = &row->st, .host = &row->host};
			metrics_csv_row(f, METRIC_IN_REPLAY, &src);
			replay_row_fini(row);
			free(row);
		}
		trace_free(&t);
	}
	fclose(f);
	free(m);
}

Test(workers, streamed_replay_equals_the_trace_loaded_whole, .init = setup, .fini = teardown, .timeout = 1200)
{
	static char paths[16][512];
	size_t n = bundled(paths, 16);
	char b[512], ref[512];
	snprintf(b, sizeof(b), "%s/j4.csv", dir);
	snprintf(ref, sizeof(ref), "%s/ref.csv", dir);
	replay_to(b, "4", paths, n);
	replay_reference(ref, paths, n);
	char *mb = model_only(b), *mr = model_only(ref);
	cr_assert_str_eq(mb, mr, "model columns differ from the trace replayed whole");
	free(mb);
	free(mr);
}

/* --- memory --- */

/* Run argv (no shell); its peak RSS in bytes. */
static u64 spawn_rss(char *const argv[])
{
	pid_t pid;
	int st;
	struct rusage ru;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, argv, NULL), 0, "%s", argv[0]);
	posix_spawn_file_actions_destroy(&fa);
	cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s %s exited %d", argv[0], argv[1], st);
	return (u64)ru.ru_maxrss * 1024;
}

Test(workers, replay_memory_stays_below_the_trace, .init = setup, .fini = teardown, .timeout = 1200)
{
	char trace[512];
	snprintf(trace, sizeof(trace), "%s/long.mmr", dir);
	char *gen[] = {MMREPLAY_BUILD_DIR "/bench/mmreplay",
		       "gen",
		       "fix_size",
		       "--loops",
		       "1500000",
		       "--out",
		       trace,
		       NULL};
	spawn_rss(gen);
	struct stat sb;
	cr_assert_eq(stat(trace, &sb), 0);
	cr_assert_gt(sb.st_size, 180 << 20, "3 M events, 64 bytes each");
	char *rep[] = {MMREPLAY_BUILD_DIR "/bench/mmreplay",
		       "replay",
		       "-j2",
		       "--vmlist",
		       "augmented,rbtree",
		       "--tlb",
		       "lazy",
		       "--buddy",
		       "lifo",
		       "--quiet",
		       trace,
		       NULL};
	u64 rss = spawn_rss(rep);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	u64 limit = (u64)sb.st_size; /* shadow memory and quarantines: only "not the whole trace" */
#else
	u64 limit = (u64)sb.st_size / 3;
#endif
	cr_assert_lt(rss, limit, "peak RSS %llu MB replaying a %lld MB trace",
		     (unsigned long long)(rss >> 20), (long long)(sb.st_size >> 20));
}
