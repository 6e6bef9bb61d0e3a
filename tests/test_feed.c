/* Feeds (bench/run/feed.h), the run engine's way to read a trace without holding it: on every
 * bundled trace and in every mode (spilled, native in place, gen:, streamed by its one pass,
 * scanned only) a feed's passes give trace_load's events, its statistics are trace_load's and
 * its facts are sim_trace_facts' (the reference: the whole array at once). The streaming facts
 * scan (core/machine/sim_trace_facts.h) is also checked against the reference on random events cut into
 * random batches. */
#include <dirent.h>
#include <errno.h>

#include "bench/run/feed.h"
#include "bench/run/progress.h"
#include "core/lib/rng.h"
#include "core/machine/sim_trace_facts.h"
#include "bench/run/trace_spec.h"
#include "tests/trace_testutil.h"

/* Every bundled trace this build reads: data/traces/<*.zst> (trace.dat only with libtracecmd). */
static size_t bundled(char paths[][512], size_t max)
{
	DIR *d = opendir(MMREPLAY_DATA_DIR "/traces");
	size_t n = 0;
	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d)) && n < max;) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 4, ".zst"))
			continue;
		if (strstr(e->d_name, ".trace.dat") && !trace_tracedat_supported())
			continue;
		snprintf(paths[n++], 512, "%s/traces/%s", MMREPLAY_DATA_DIR, e->d_name);
	}
	closedir(d);
	cr_assert_geq(n, 6, "the bundled traces");
	return n;
}

static void same_facts(const struct sim_trace_facts *a, const struct sim_trace_facts *b, const char *what)
{
	cr_assert_eq(a->ncpus, b->ncpus, "%s: ncpus %u vs %u", what, a->ncpus, b->ncpus);
	cr_assert_eq(a->vmap_nodes, b->vmap_nodes, "%s: vmap_nodes %u vs %u", what, a->vmap_nodes,
		     b->vmap_nodes);
	cr_assert_eq(a->purge, b->purge, "%s: purge", what);
}

/* The scan over ev[0..n) cut at random points; with known, from the reference statistics. */
static void scan_split(const struct mm_event *ev, size_t n, const struct trace_stats *known, struct rng *r,
		       struct sim_trace_facts *out)
{
	struct sim_trace_facts_scan sc;
	memset(&sc, 0, sizeof(sc));
	if (known)
		sim_trace_facts_scan_known(&sc, known->nr_cpus > 0, known->max_cpu,
					   known->kind[MME_VMAP_PURGE] > 0);
	for (size_t i = 0; i < n && !(known && sim_trace_facts_scan_complete(&sc));) {
		size_t cut = 1 + (size_t)rng_below(r, 5000); /* once: MM_MIN evaluates twice */
		size_t k = MM_MIN(n - i, cut);
		sim_trace_facts_scan_add(&sc, ev + i, k);
		i += k;
	}
	sim_trace_facts_scan_done(&sc, out);
}

Test(feed, facts_scan_equals_reference_on_bundled_traces)
{
	static char paths[16][512];
	size_t n = bundled(paths, 16);
	struct rng r;
	rng_seed(&r, 7);
	for (size_t i = 0; i < n; i++) {
		struct mm_trace t;
		struct mm_diag d;
		struct sim_trace_facts ref, got;
		cr_assert_eq(trace_load(paths[i], NULL, &t, &d), 0, "%s", d.msg);
		sim_trace_facts(t.ev, t.n, &ref);
		scan_split(t.ev, t.n, NULL, &r, &got);
		same_facts(&got, &ref, paths[i]);
		scan_split(t.ev, t.n, &t.stats, &r, &got);
		same_facts(&got, &ref, paths[i]);
		trace_free(&t);
	}
}

Test(feed, facts_scan_equals_reference_on_random_events)
{
	struct rng r;
	rng_seed(&r, 11);
	static const u64 lazy[] = {0, 8192, 16384, 24576, 12345, 8192 * 40};
	for (int it = 0; it < 2000; it++) {
		size_t n = rng_below(&r, 40);
		struct mm_event ev[40];
		struct mm_trace t = {0};
		memset(ev, 0, sizeof(ev));
		for (size_t i = 0; i < n; i++) {
			ev[i].kind = (u8)(1 + rng_below(&r, MME_NR_KINDS - 1));
			ev[i].cpu = rng_below(&r, 4) ? (u16)rng_below(&r, 200) : 0xffffu;
			ev[i].aux = lazy[rng_below(&r, MM_ARRAY_SIZE(lazy))];
			cr_assert_eq(trace_push(&t, &ev[i]), 0);
		}
		struct trace_stats st;
		memset(&st, 0, sizeof(st));
		for (size_t i = 0; i < n; i++) { /* what a reader's statistics would say */
			st.kind[ev[i].kind]++;
			if (ev[i].cpu != 0xffffu) {
				st.max_cpu = st.nr_cpus++ ? MM_MAX(st.max_cpu, ev[i].cpu) : ev[i].cpu;
			}
		}
		struct sim_trace_facts ref, got;
		sim_trace_facts(ev, n, &ref);
		scan_split(ev, n, NULL, &r, &got);
		same_facts(&got, &ref, "random");
		scan_split(ev, n, &st, &r, &got);
		same_facts(&got, &ref, "random, known statistics");
		trace_free(&t);
	}
}

/* Every pass of f gives ref's events; f's statistics (and facts, when f found them) are ref's. */
static void feed_check(struct feed *f, const struct mm_trace *ref, unsigned passes, bool facts_known,
		       const char *what)
{
	struct sim_trace_facts facts;
	sim_trace_facts(ref->ev, ref->n, &facts);
	for (unsigned p = 0; p < passes; p++) {
		struct feed_pass pass;
		struct run_source src;
		struct mm_diag d;
		u64 counted = 0;
		size_t at = 0;
		cr_assert_eq(feed_pass_open(f, &pass, &counted, &src, &d), 0, "%s: %s", what, d.msg);
		for (;;) {
			const struct mm_event *ev;
			size_t n;
			cr_assert_eq(src.next(src.ctx, &ev, &n), 0, "%s", what);
			if (!n)
				break;
			cr_assert_leq(at + n, ref->n, "%s: more events than trace_load", what);
			cr_assert(!memcmp(ev, ref->ev + at, n * sizeof(*ev)), "%s: events differ near %zu",
				  what, at);
			at += n;
		}
		cr_assert_eq(at, ref->n, "%s: %zu events, trace_load %zu", what, at, ref->n);
		cr_assert_eq(counted, ref->n, "%s: progress counted %llu", what, (unsigned long long)counted);
		feed_pass_close(&pass);
	}
	const struct trace_stats *st = feed_stats(f);
	cr_assert_eq(feed_events(f), ref->n, "%s", what);
	cr_assert_eq(st->events, ref->stats.events, "%s", what);
	cr_assert(!memcmp(st->kind, ref->stats.kind, sizeof(st->kind)), "%s: events per kind", what);
	cr_assert_eq(st->nr_cpus, ref->stats.nr_cpus, "%s", what);
	cr_assert_eq(st->max_cpu, ref->stats.max_cpu, "%s", what);
	cr_assert_eq(st->nr_pids, ref->stats.nr_pids, "%s", what);
	if (facts_known)
		same_facts(feed_facts(f), &facts, what);
}

static void feed_modes(const char *spec, const struct mm_trace *ref)
{
	/* mem: the memory window in halves of the trace (0: spilled at once, 1: spilled half-way,
	 * 3: all in memory). */
	static const struct {
		unsigned passes;
		bool facts;
		unsigned mem;
	} modes[] = {{3, true, 0}, {3, true, 1}, {2, true, 3}, {1, true, 3}, {1, false, 0}, {0, false, 0}};
	for (size_t m = 0; m < MM_ARRAY_SIZE(modes); m++) {
		struct feed *f;
		struct mm_diag d;
		char what[700];
		struct feed_opts o = {.passes = modes[m].passes,
				      .need_facts = modes[m].facts,
				      .mem_bytes = modes[m].mem * (ref->n / 2 + 1) * sizeof(struct mm_event)};
		snprintf(what, sizeof(what), "%s (passes %u, facts %d, memory %u/2)", spec, modes[m].passes,
			 modes[m].facts, modes[m].mem);
		cr_assert_eq(feed_open(spec, &o, &f, &d), 0, "%s: %s", what, d.msg);
		if (modes[m].passes == 1 && !modes[m].facts && strncmp(spec, "gen:", 4)) {
			cr_assert_eq(feed_events(f), 0, "%s: streamed, nothing read before its pass", what);
			feed_check(f, ref, 1, false, what);
			struct feed_pass p;
			struct run_source src;
			cr_assert_eq(feed_pass_open(f, &p, NULL, &src, &d), -EBUSY, "%s: one pass only",
				     what);
		} else {
			feed_check(f, ref, modes[m].passes, true, what);
		}
		feed_close(f);
	}
}

Test(feed, passes_equal_load_on_bundled_traces)
{
	static char paths[16][512];
	size_t n = bundled(paths, 16);
	for (size_t i = 0; i < n; i++) {
		struct mm_trace t;
		struct mm_diag d;
		cr_assert_eq(trace_load(paths[i], NULL, &t, &d), 0, "%s", d.msg);
		feed_modes(paths[i], &t);
		trace_free(&t);
	}
}

/* t written to a new native file at path (a template), and read back into out. */
static void native_copy(const struct mm_trace *t, char *path, struct mm_trace *out)
{
	struct trace_writer *w;
	struct mm_diag d;
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(trace_writer_open(path, &w, &d), 0, "%s", d.msg);
	cr_assert_eq(trace_writer_put(w, t->ev, t->n), 0);
	cr_assert_eq(trace_writer_commit(w, &d), 0, "%s", d.msg);
	cr_assert_eq(trace_load(path, NULL, out, &d), 0, "%s", d.msg);
}

/* A plain native file is read in place; a gen: workload is generated into a file once. */
Test(feed, native_in_place_and_gen)
{
	struct mm_trace t, native;
	struct mm_diag d;
	char path[] = "/tmp/mmreplay-feed-XXXXXX", path2[] = "/tmp/mmreplay-feed-XXXXXX";
	cr_assert_eq(trace_load(DATA("k_threads2.perf.txt.zst"), NULL, &t, &d), 0, "%s", d.msg);
	native_copy(&t, path, &native);
	feed_modes(path, &native);
	trace_free(&native);
	trace_free(&t);

	const char *spec = "gen:long_busy_list loops=300 busy=500";
	cr_assert_eq(trace_spec_load(spec, &t, &d), 0, "%s", d.msg);
	native_copy(&t, path2, &native); /* a reader's statistics of the same events */
	unlink(path); /* not before: the outfile guard remembers an input's name (mkstemp may reuse it) */
	unlink(path2);
	feed_modes(spec, &native);
	trace_free(&native);
	trace_free(&t);
}

Test(feed, bad_sources_fail_with_their_reason)
{
	struct feed *f;
	struct mm_diag d;
	struct feed_opts o = {.passes = 2, .need_facts = true};
	char *p = tu_write_str("this is not a trace\n");
	cr_assert_lt(feed_open(p, &o, &f, &d), 0);
	cr_assert_null(f);
	cr_assert(strstr(d.msg, p), "%s", d.msg);
	unlink(p);
	free(p);
	cr_assert_lt(feed_open("gen:no_such_generator", &o, &f, &d), 0);
	cr_assert(strstr(d.msg, "unknown generator"), "%s", d.msg);
	cr_assert_lt(feed_open("/nonexistent/trace.txt", &o, &f, &d), 0);
}

Test(feed, needs_facts_follows_sim_cfg_for_trace)
{
	struct sim_cfg c;
	sim_cfg_default(&c);
	cr_assert(feed_cfg_needs_facts(&c), "the default takes the CPUs from the trace");
	c.ncpus = 4;
	cr_assert(feed_cfg_needs_facts(&c), "purge AUTO still does");
	c.purge = VMALLOC_PURGE_MODEL;
	cr_assert_not(feed_cfg_needs_facts(&c), "CPUs and purge given: nothing from the trace");
}

Test(feed, progress_time_format)
{
	char b[32];
	progress_hms(0, b, sizeof(b));
	cr_assert_str_eq(b, "0:00");
	progress_hms(65.4, b, sizeof(b));
	cr_assert_str_eq(b, "1:05");
	progress_hms(3723, b, sizeof(b));
	cr_assert_str_eq(b, "1:02:03");
}
