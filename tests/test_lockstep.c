/* Several configurations over one pass of a trace (bench/run/lockstep.h): a trace piped in (a
 * source read only once) that outgrows a tiny memory window runs every configuration together
 * over its one pass (the cells' begin/step/end, never run), and every model column of every
 * configuration equals that configuration replayed alone from the trace loaded whole (the
 * reference), with one worker or two, two piped traces in one run. A trace that fits the window,
 * or whose configurations take facts from it, keeps its own passes (run, never begin). A
 * malformed line past the window fails every configuration of the trace with the reader's
 * FILE:LINE message (trace_load's for the same bytes) and stops the run; ASan finds no leak. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>

#include "bench/run/cells.h"
#include "bench/output/csvread.h"
#include "bench/run/lockstep.h"
#include "bench/output/metrics.h"
#include "bench/run/replay.h"
#include "core/machine/sim_mem.h"
#include "tests/trace_testutil.h"
#include "tests/zst_slurp.h"

#define TRACES 2

/* One run of cells over the traces. */
struct lt {
	struct matrix *m;
	const char *spec[TRACES];
	FILE *csv;
	unsigned begins, runs, failed_ends; /* atomic: workers */
	u64 events[TRACES];		    /* a trace's statistics when its first row is written */
	char msg[700];			    /* the first error written */
};

struct lt_cell {
	struct replay_step step;
	struct replay_row row;
	struct sim_cfg cfg;
	char err[700];
};

static const char *lt_spec(void *ctx, size_t trace)
{
	return ((struct lt *)ctx)->spec[trace];
}

static int lt_cfg(struct lt *t, const struct cells_job *job, struct sim_cfg *cfg)
{
	char err[512];
	cr_assert_eq(replay_cfg(t->m, job->config, feed_facts(job->feed), cfg, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_not(feed_cfg_needs_facts(cfg), "the configurations take nothing from the trace");
	return 0;
}

static int lt_run(void *ctx, const struct cells_job *job)
{
	struct lt *t = ctx;
	struct lt_cell *c = job->slot;
	struct feed_pass p;
	struct run_source src;
	struct mm_diag d = {{0}};
	__atomic_fetch_add(&t->runs, 1, __ATOMIC_RELAXED);
	lt_cfg(t, job, &c->cfg);
	int e = feed_pass_open(job->feed, &p, job->progress, &src, &d);
	cr_assert_eq(e, 0, "%s", d.msg);
	e = replay_run_src("t", &src, &c->cfg, NULL, &c->row);
	if (e)
		snprintf(c->err, sizeof(c->err), "%s", feed_pass_diag(&p)->msg);
	feed_pass_close(&p);
	replay_row_drop_machine(&c->row);
	return e;
}

static int lt_begin(void *ctx, const struct cells_job *job)
{
	struct lt *t = ctx;
	struct lt_cell *c = job->slot;
	__atomic_fetch_add(&t->begins, 1, __ATOMIC_RELAXED);
	lt_cfg(t, job, &c->cfg);
	return replay_begin(&c->step, &c->cfg, NULL);
}

static int lt_step(void *ctx, const struct cells_job *job, const struct mm_event *ev, size_t n)
{
	return replay_step(&((struct lt_cell *)job->slot)->step, ev, n);
}

static int lt_end(void *ctx, const struct cells_job *job, int err, const struct mm_diag *d)
{
	struct lt *t = ctx;
	struct lt_cell *c = job->slot;
	int e = replay_end(&c->step, err, "t", &c->row);
	if (e) {
		__atomic_fetch_add(&t->failed_ends, 1, __ATOMIC_RELAXED);
		snprintf(c->err, sizeof(c->err), "%s", d ? d->msg : "no diagnostic");
	}
	replay_row_drop_machine(&c->row);
	return e;
}

static int lt_emit(void *ctx, const struct cells_job *job, int err)
{
	struct lt *t = ctx;
	struct lt_cell *c = job->slot;
	if (err) {
		snprintf(t->msg, sizeof(t->msg), "%s", c->err);
		return 1;
	}
	char label[512];
	matrix_label(t->m, job->config, label, sizeof(label));
	struct metric_src src = {.trace = "t", .config = label, .st = &c->row.st, .host = &c->row.host};
	metrics_csv_row(t->csv, METRIC_IN_REPLAY, &src);
	return 0;
}

static void lt_release(void *ctx, const struct cells_job *job)
{
	replay_row_fini(&((struct lt_cell *)job->slot)->row);
}

static void lt_opened(void *ctx, size_t trace, const struct feed *f)
{
	((struct lt *)ctx)->events[trace] = feed_stats(f)->events;
}

/* The configurations: two vmlists, two flush policies, the CPUs and purge timing given. */
static struct matrix *lt_matrix(void)
{
	struct matrix *m = malloc(sizeof(*m));
	char err[512];
	matrix_init(m);
	cr_assert_eq(matrix_set(m, settings_find("vmlist"), "list,rbtree", true, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(matrix_set(m, settings_find("tlb"), "lazy,eager", true, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(matrix_set(m, settings_find("buddy"), "lifo", true, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(matrix_set(m, settings_find("cpus"), "8", true, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(matrix_set(m, settings_find("purge"), "model", true, err, sizeof(err)), 0, "%s", err);
	matrix_order(m, true);
	return m;
}

/* A pipe fed from a thread: spec names its read end. */
struct lt_pipe {
	int rd, wr;
	const char *buf;
	size_t len;
	pthread_t th;
	char spec[64];
};

static void *lt_writer(void *arg)
{
	struct lt_pipe *p = arg;
	for (size_t at = 0; at < p->len;) {
		ssize_t k = write(p->wr, p->buf + at, p->len - at);
		if (k <= 0)
			break; /* the reader stopped (EPIPE): a failed run */
		at += (size_t)k;
	}
	close(p->wr);
	return NULL;
}

static void lt_pipe_open(struct lt_pipe *p, const char *buf, size_t len)
{
	int fds[2];
	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(pipe(fds), 0);
	*p = (struct lt_pipe){.rd = fds[0], .wr = fds[1], .buf = buf, .len = len};
	snprintf(p->spec, sizeof(p->spec), "/proc/self/fd/%d", p->rd);
	cr_assert_eq(pthread_create(&p->th, NULL, lt_writer, p), 0);
}

static void lt_pipe_close(struct lt_pipe *p)
{
	close(p->rd); /* first: a writer blocked on a reader that stopped gets EPIPE */
	pthread_join(p->th, NULL);
}

static char *lt_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	char *b = malloc(*len + 1);
	cr_assert_eq(fread(b, 1, *len, f), *len);
	fclose(f);
	return b;
}

/* A new CSV with the replay header, at path (a template). */
static FILE *lt_csv(char *path)
{
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	FILE *f = fdopen(fd, "w");
	metrics_csv_header(f, METRIC_IN_REPLAY, NULL);
	return f;
}

/* The rows of the CSV at path without their host_ columns (malloc'd text); path is removed. */
static char *lt_model(const char *path)
{
	struct csvtab tab;
	struct mm_diag d;
	cr_assert_eq(csvtab_read(path, &tab, &d), 0, "%s", d.msg);
	unlink(path);
	size_t cap = 1 << 22, len = 0;
	char *out = malloc(cap);
	out[0] = 0;
	for (size_t i = 0; i < tab.nrows; i++)
		for (size_t c = 0; c < tab.ncols && len + 1024 < cap; c++)
			if (strncmp(tab.head[c], "host_", 5))
				len += (size_t)snprintf(out + len, cap - len, "%s%c", tab.rows[i][c],
							c + 1 == tab.ncols ? '\n' : ',');
	csvtab_free(&tab);
	return out;
}

/* cells_run over t's n traces: want its result; the rows' model columns. */
static char *lt_cells(struct lt *t, size_t n, unsigned workers, size_t mem_bytes, bool need_facts, int want)
{
	char path[] = "/tmp/mmreplay-lockstep-XXXXXX";
	t->csv = lt_csv(path);
	struct cells_run r = {.cmd = "test",
			      .ntraces = n,
			      .nconfigs = matrix_size(t->m),
			      .spec = lt_spec,
			      .ncells = n * matrix_size(t->m),
			      .passes = 1,
			      .need_facts = need_facts,
			      .mem_bytes = mem_bytes,
			      .workers = workers,
			      .slot_size = sizeof(struct lt_cell),
			      .run = lt_run,
			      .begin = lt_begin,
			      .step = lt_step,
			      .end = lt_end,
			      .emit = lt_emit,
			      .release = lt_release,
			      .opened = lt_opened,
			      .ctx = t};
	cr_assert_eq(cells_run(&r), want, "cells_run");
	fclose(t->csv);
	return lt_model(path);
}

/* The reference: each trace loaded whole, each configuration replayed alone from the array. */
static char *lt_reference(struct matrix *m, const char *const *paths, size_t n, u64 *events)
{
	char path[] = "/tmp/mmreplay-lockstep-XXXXXX";
	FILE *csv = lt_csv(path);
	for (size_t i = 0; i < n; i++) {
		struct mm_trace tr;
		struct mm_diag d;
		struct sim_trace_facts tf;
		cr_assert_eq(trace_load(paths[i], NULL, &tr, &d), 0, "%s", d.msg);
		sim_trace_facts(tr.ev, tr.n, &tf);
		events[i] = tr.n;
		for (size_t k = 0; k < matrix_size(m); k++) {
			struct sim_cfg cfg;
			struct replay_row *row = malloc(sizeof(*row));
			char err[512], label[512];
			cr_assert_eq(replay_cfg(m, k, &tf, &cfg, err, sizeof(err)), 0, "%s", err);
			cr_assert_eq(replay_run("t", tr.ev, tr.n, &cfg, row), 0);
			matrix_label(m, k, label, sizeof(label));
			struct metric_src src = {
				.trace = "t", .config = label, .st = &row->st, .host = &row->host};
			metrics_csv_row(csv, METRIC_IN_REPLAY, &src);
			replay_row_fini(row);
			free(row);
		}
		trace_free(&tr);
	}
	fclose(csv);
	return lt_model(path);
}

/* The trace at path in the native format (as `gen --out -` writes it): malloc'd bytes. */
static char *lt_native(const char *path, size_t *len)
{
	struct mm_trace t;
	struct trace_writer *w;
	struct mm_diag d;
	char tmp[] = "/tmp/mmreplay-native-XXXXXX"; /* not a name an input of this run had */
	int fd = mkstemp(tmp);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(trace_load(path, NULL, &t, &d), 0, "%s", d.msg);
	cr_assert_eq(trace_writer_open(tmp, &w, &d), 0, "%s", d.msg);
	cr_assert_eq(trace_writer_put(w, t.ev, t.n), 0);
	cr_assert_eq(trace_writer_commit(w, &d), 0, "%s", d.msg);
	trace_free(&t);
	char *b = lt_file(tmp, len);
	unlink(tmp);
	return b;
}

static const char *const lt_paths[TRACES] = {DATA("k_threads2.perf.txt.zst"), DATA("k_fork.perf.txt.zst")};

/* Two bundled traces piped in (zstd perf text, and native) through a window of a few thousand
 * events: lockstep, with one worker and two, equal to the reference; the statistics complete
 * when the rows are written. */
Test(lockstep, piped_traces_equal_each_configuration_alone, .timeout = 600)
{
	struct matrix *m = lt_matrix();
	u64 events[TRACES];
	size_t len[TRACES];
	char *buf[TRACES];
	buf[0] = lt_file(lt_paths[0], &len[0]);
	buf[1] = lt_native(lt_paths[1], &len[1]);
	char *ref = lt_reference(m, lt_paths, TRACES, events);
	for (unsigned w = 1; w <= 2; w++) {
		struct lt t = {.m = m};
		struct lt_pipe p[TRACES];
		for (size_t i = 0; i < TRACES; i++) {
			lt_pipe_open(&p[i], buf[i], len[i]);
			t.spec[i] = p[i].spec;
			cr_assert_gt(events[i], 4 * 4096, "the trace outgrows the window");
		}
		char *got = lt_cells(&t, TRACES, w, (size_t)4096 * sizeof(struct mm_event) * 4 * w, false, 0);
		for (size_t i = 0; i < TRACES; i++)
			lt_pipe_close(&p[i]);
		cr_assert_eq(t.runs, 0, "-j%u: no pass of its own", w);
		cr_assert_eq(t.begins, TRACES * matrix_size(m), "-j%u: every configuration in lockstep", w);
		for (size_t i = 0; i < TRACES; i++)
			cr_assert_eq(t.events[i], events[i], "-j%u: the statistics of trace %zu", w, i);
		cr_assert_str_eq(got, ref, "-j%u: lockstep differs from each configuration alone", w);
		free(got);
	}
	for (size_t i = 0; i < TRACES; i++)
		free(buf[i]);
	free(ref);
	free(m);
}

/* Today's ways where lockstep does not apply: a trace that fits the window (passes over
 * memory), configurations that take facts from the trace (spilled), a regular file. */
Test(lockstep, not_when_it_fits_or_takes_facts_or_is_a_file, .timeout = 600)
{
	struct matrix *m = lt_matrix();
	u64 events[1];
	char *ref = lt_reference(m, lt_paths, 1, events);
	size_t len;
	char *buf = lt_file(lt_paths[0], &len);
	static const struct {
		bool pipe, facts;
		size_t mem;
	} cases[] = {{true, false, 0}, {true, true, 4096 * 64 * 8}, {false, false, 4096 * 64 * 8}};
	for (size_t c = 0; c < MM_ARRAY_SIZE(cases); c++) {
		struct lt t = {.m = m, .spec = {lt_paths[0]}};
		struct lt_pipe p;
		if (cases[c].pipe) {
			lt_pipe_open(&p, buf, len);
			t.spec[0] = p.spec;
		}
		char *got = lt_cells(&t, 1, 2, cases[c].mem, cases[c].facts, 0);
		if (cases[c].pipe)
			lt_pipe_close(&p);
		cr_assert_eq(t.begins, 0, "case %zu: no lockstep", c);
		cr_assert_eq(t.runs, matrix_size(m), "case %zu: a pass each", c);
		cr_assert_str_eq(got, ref, "case %zu", c);
		free(got);
	}
	free(buf);
	free(ref);
	free(m);
}

/* A malformed line past the window: every configuration fails with trace_load's FILE:LINE
 * message for the same bytes, the run stops, nothing is written. */
Test(lockstep, malformed_line_mid_pass_fails_every_configuration, .timeout = 600)
{
	struct matrix *m = lt_matrix();
	size_t len;
	char *text = zst_slurp(lt_paths[0], &len);
	size_t at = 0;
	for (unsigned line = 0; line < 60000 && at < len; line++) /* well past 4 * 4096 events */
		at = (size_t)(strchr(text + at, '\n') - text) + 1;
	cr_assert_lt(at, len, "the trace has more lines");
	static const char bad[] = "this is not an event\n";
	char *buf = malloc(len + sizeof(bad));
	memcpy(buf, text, at);
	memcpy(buf + at, bad, sizeof(bad) - 1);
	memcpy(buf + at + sizeof(bad) - 1, text + at, len - at);
	for (unsigned w = 1; w <= 2; w++) {
		struct lt t = {.m = m};
		struct lt_pipe p;
		lt_pipe_open(&p, buf, len + sizeof(bad) - 1);
		t.spec[0] = p.spec;
		char *got = lt_cells(&t, 1, w, (size_t)4096 * sizeof(struct mm_event) * 4 * w, false, 1);
		char *file = tu_write(buf, len + sizeof(bad) - 1);
		struct trace_opts o = {.name = p.spec};
		struct mm_trace tr;
		struct mm_diag d;
		cr_assert_lt(trace_load(file, &o, &tr, &d), 0);
		lt_pipe_close(&p);
		unlink(file);
		free(file);
		cr_assert_eq(t.begins, matrix_size(m), "-j%u: lockstep", w);
		cr_assert_eq(t.failed_ends, matrix_size(m), "-j%u: every configuration fails", w);
		cr_assert_str_eq(t.msg, d.msg, "-j%u: the reader's message", w);
		cr_assert_str_eq(got, "", "-j%u: no row", w);
		free(got);
	}
	free(buf);
	free(text);
	free(m);
}

/* lockstep_fits against the sum of each configuration's sim_mem_fixed, on default machines
 * (15 configurations of about 9.5 MiB: they fit) and on 64 GiB zones (over the limit). */
Test(lockstep, fits_is_the_sum_of_fixed_memory)
{
	const char *pages[] = {"1048576", "16777216", "4096,67108863", "67108863,67108862"};
	for (size_t t = 0; t < sizeof(pages) / sizeof(pages[0]); t++) {
		struct matrix *m = malloc(sizeof(*m));
		char err[512];
		matrix_init(m);
		cr_assert_eq(matrix_set(m, settings_find("vmlist"), "all", true, err, sizeof(err)), 0, "%s",
			     err);
		cr_assert_eq(matrix_set(m, settings_find("tlb"), "all", true, err, sizeof(err)), 0, "%s",
			     err);
		cr_assert_eq(matrix_set(m, settings_find("zone-pages"), pages[t], true, err, sizeof(err)), 0,
			     "%s", err);
		u64 sum = 0;
		for (size_t k = 0; k < matrix_size(m); k++) {
			struct sim_cfg cfg;
			cr_assert_eq(matrix_cfg(m, k, &cfg, err, sizeof(err)), 0, "%s", err);
			sum += sim_mem_fixed(&cfg);
		}
		cr_assert_eq(lockstep_fits(m), sum <= LOCKSTEP_FIXED_MAX, "zone-pages %s: %llu bytes",
			     pages[t], (unsigned long long)sum);
		if (t == 0)
			cr_assert(lockstep_fits(m), "the default machines of every vmlist fit");
		if (t == 1)
			cr_assert_not(lockstep_fits(m), "fifteen 64 GiB machines do not");
		free(m);
	}
}
