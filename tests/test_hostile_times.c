/* Times and their order: one checked parser (core/lib/decnum.h) reads every time (traces,
 * times.txt, the buddyinfo series' headers, kpageflags chunk stamps, --from and the other
 * options in seconds), so a time of 2^64 ns or more is refused with FILE:LINE (it used to wrap
 * to about 0 and the series then failed with an unrelated message). hostile_box.h's rules
 * hold for every run. */
#include "core/lib/decnum.h"
#include "tests/hostile_files.h"

TestSuite(hostile_times, .init = hb_setup, .fini = hb_teardown, .timeout = 600);

#define REPLAY1 "replay", "--quiet", "--vmlist", "list", "--tlb", "lazy", "--buddy", "lifo"
#define TWO64 "18446744073.709551616" /* 2^64 ns */

/* In dir/name, the nth (1-based) occurrence of from becomes to. */
static void edit(const char *dir, const char *name, const char *from, int nth, const char *to)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *s = hb_slurp(path), *at = s;
	for (int i = 0; i < nth; i++, at += i < nth ? strlen(from) : 0)
		cr_assert_not_null(at = strstr(at, from), "%s: no %d-th '%s'", path, nth, from);
	char *t = malloc(strlen(s) + strlen(to) + 1);
	sprintf(t, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	hb_spit(path, t);
	free(s);
	free(t);
}

Test(hostile_times, decnum_bounds)
{
	const struct {
		const char *text;
		int err;
		u64 ns;
	} secs[] = {
		{"18446744073.709551615", 0, UINT64_MAX},
		{"18446744073.7095516159999", 0, UINT64_MAX}, /* below 1 ns: dropped */
		{TWO64, -ERANGE, 0},
		{"18446744074", -ERANGE, 0},
		{"99999999999999999999999", -ERANGE, 0},
		{"0", 0, 0},
		{"2519.35", 0, 2519350000000ull},
		{"1.", -EINVAL, 0},
		{".5", -EINVAL, 0},
		{"", -EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		const char *p = secs[i].text;
		u64 ns = 12345;
		int e = decnum_secs(&p, &ns);
		cr_assert_eq(e, secs[i].err, "'%s': %d", secs[i].text, e);
		cr_assert_eq(ns, e ? 12345 : secs[i].ns, "'%s'", secs[i].text);
		cr_assert_eq(p, e ? secs[i].text : secs[i].text + strlen(secs[i].text), "'%s'", secs[i].text);
	}
	const char *p = "18446744073709551615 ";
	u64 v;
	cr_assert_eq(decnum_u64(&p, &v), 0);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_eq(*p, ' ');
	p = "18446744073709551616";
	cr_assert_eq(decnum_u64(&p, &v), -ERANGE);
	p = "x";
	cr_assert_eq(decnum_u64(&p, &v), -EINVAL);
}

/* Options in seconds: 2^64 ns is out of range (usage, exit 2), 2^64-1 ns is a time. */
Test(hostile_times, options_past_2_64_ns)
{
	const char *t = in("t.perf.txt");
	const char *opts[] = {"--from", "--vmalloc-end-at", "--page-state-at"};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		hb_refused(HB_RUN(HB_2, REPLAY1, opts[i], TWO64, t), "out of range");
	hb_refused(HB_RUN(HB_2, REPLAY1, "--page-state-at", "1.5.." TWO64, t), "out of range");
	HB_CHECK(HB_0, REPLAY1, "--from", "18446744073.709551615", t);
}

/* times.txt, the series' headers and the chunk stamps: FILE:LINE, out of range. */
Test(hostile_times, recording_times_past_2_64_ns)
{
	const char *dir = hb_rec_copy("d_mixed5", "r1");
	edit(dir, "times.txt", "kpageflags 2560.967125..", 1, "kpageflags " TWO64 "..");
	hb_refused(HB_RUN(HB_1, REPLAY1, dir), "times.txt:1: a time out of range");
	dir = hb_rec_copy("d_mixed5", "r2");
	edit(dir, "times.txt", "procfs text read 2573.645413", 1, "procfs text read " TWO64);
	hb_refused(HB_RUN(HB_1, REPLAY1, dir), "times.txt:2: a time out of range");
	dir = hb_rec_copy("d_mixed5", "r3");
	edit(dir, "times.txt", "buddyinfo again 2561.511471..2561.511627", 1,
	     "buddyinfo again 2561.511471..18446744074");
	hb_refused(HB_RUN(HB_1, REPLAY1, dir), "times.txt:1: a time out of range");
	dir = hb_rec_copy("d_mixed5", "r4");
	edit(dir, "buddyinfo-series.txt", "# snapshot CLOCK_MONOTONIC ", 3,
	     "# snapshot CLOCK_MONOTONIC " TWO64 " " TWO64 " x");
	struct spawn_res r = HB_RUN(HB_1, REPLAY1, dir);
	cr_assert(strstr(r.err, "buddyinfo-series.txt:") && strstr(r.err, ": snapshot time out of range"),
		  "%s", r.err);
	cr_assert(!strstr(r.err, "earlier than the one before"), "%s", r.err);
	spawn_res_free(&r);
	dir = hb_rec_copy("d_mixed5", "r5");
	char chunks[700];
	snprintf(chunks, sizeof(chunks), "%s/kpageflags.start.chunks.txt", dir);
	hb_spit(chunks,
		"# pfn_start pfn_end t0 t1\n0 4096 2560.967125 2560.97\n4096 8192 2560.97 " TWO64 "\n");
	hb_refused(HB_RUN(HB_1, REPLAY1, dir), "kpageflags.start.chunks.txt:3: number out of range");
}

/* A contradictory times.txt is refused with FILE:LINE: a range read backwards, an end snapshot
 * that begins before the start snapshot ends, a second start line (all were accepted and
 * replayed, exit 0). */
Test(hostile_times, contradictory_times)
{
	const char *dir = hb_rec_copy("d_mixed5", "b1");
	edit(dir, "times.txt", "kpageflags 2560.967125..2561.250022", 1,
	     "kpageflags 2561.250022..2560.967125");
	hb_refused(HB_RUN(HB_1, REPLAY1, dir),
		   "times.txt:1: kpageflags 2561.250022000..2560.967125000 on the start "
		   "line is read backwards");
	dir = hb_rec_copy("d_mixed5", "b2");
	edit(dir, "times.txt", "procfs text read 2573.645413..2573.649630", 1,
	     "procfs text read 2573.649630..2573.645413");
	hb_refused(HB_RUN(HB_1, REPLAY1, dir), "times.txt:2: procfs text read");
	dir = hb_rec_copy("d_mixed5", "b3");
	edit(dir, "times.txt", "buddyinfo again 2561.511471..2561.511627", 1,
	     "buddyinfo again 2561.6..2561.5");
	hb_refused(HB_RUN(HB_1, REPLAY1, dir), "times.txt:1: buddyinfo again");
	dir = hb_rec_copy("d_mixed5", "b4"); /* the end line before the start line ends */
	edit(dir, "times.txt", "procfs text read 2573.645413..2573.649630, kpageflags 2573.649630", 1,
	     "procfs text read 2561.0..2561.1, kpageflags 2561.1");
	hb_refused(HB_RUN(HB_1, REPLAY1, dir),
		   "times.txt:2: the end snapshot begins at 2561.000000000, before the "
		   "start snapshot (line 1) ends");
	dir = hb_rec_copy("d_mixed5", "b5"); /* the end line wholly before the start line */
	edit(dir, "times.txt", "end: procfs text read 2573.645413", 1, "end: procfs text read 2500.0");
	edit(dir, "times.txt", "2573.649630, kpageflags 2573.649630..2573.822071", 1,
	     "2500.1, kpageflags 2500.1..2500.2");
	edit(dir, "times.txt", "buddyinfo again 2573.983107..2573.983275", 1,
	     "buddyinfo again 2500.3..2500.4");
	hb_refused(HB_RUN(HB_1, REPLAY1, dir), "times.txt:2: the end snapshot begins at 2500.000000000");
	dir = hb_rec_copy("d_mixed5", "b6"); /* a second start line (it was ignored: the first one won) */
	edit(dir, "times.txt", "end: ", 1,
	     "start: procfs text read 2560.9..2560.95, kpageflags 2560.95..2561.0 (CLOCK_MONOTONIC, "
	     "seconds)\nend: ");
	hb_refused(HB_RUN(HB_1, REPLAY1, dir), "times.txt:2: a second 'start:' line (the first is line 1)");
}

/* The value of column col in the first data row of a CSV (a plain one: no quotes). */
static unsigned long long csv_cell(const char *path, const char *col)
{
	char *s = hb_slurp(path), *nl = strchr(s, '\n');
	cr_assert_not_null(nl);
	*nl = 0;
	int idx = -1, i = 0;
	for (char *save = NULL, *c = strtok_r(s, ",", &save); c; c = strtok_r(NULL, ",", &save), i++)
		if (!strcmp(c, col))
			idx = i;
	cr_assert_geq(idx, 0, "%s: no column %s", path, col);
	char *v = nl + 1;
	for (i = 0; i < idx; i++)
		v = strchr(v, ',') + 1;
	unsigned long long x = strtoull(v, NULL, 10);
	free(s);
	return x;
}

/* A page state read after the trace's last event: every page event before it is skipped as in
 * the state. The recording is usable (its vmalloc part is), so it runs, but says so on stderr
 * with times.txt's line, and the count is the skipped_in_state column's. */
Test(hostile_times, page_state_after_the_last_event)
{
	char o[600], want[128];
	const char *dir = hb_rec_copy("d_mixed5", "k1");
	edit(dir, "times.txt", "kpageflags 2560.967125..2561.250022", 1, "kpageflags 2560.967125..9000");
	edit(dir, "times.txt", "end: ", 1, "ended: "); /* the end line would now begin too early */
	hb_path(o, sizeof(o), "out", "k1.csv");
	struct spawn_res r = HB_RUN(HB_0, REPLAY1, "--out", o, dir);
	unsigned long long n = csv_cell(o, "skipped_in_state");
	cr_assert_gt(n, 1000);
	snprintf(want, sizeof(want), "): %llu page events are skipped as already in it (skipped_in_state)",
		 n);
	cr_assert(strstr(r.err, "times.txt:1: warning: the page state (kpageflags read until 9000.000000000) "
				"is after the trace's last event ("),
		  "%s", r.err);
	cr_assert(strstr(r.err, want), "%s", r.err);
	spawn_res_free(&r);
	/* the same through the option, on a trace file */
	hb_path(o, sizeof(o), "out", "k2.csv");
	r = HB_RUN(HB_0, REPLAY1, "--page-state-at", "99999", "--out", o, in("t.perf.txt"));
	n = csv_cell(o, "skipped_in_state");
	cr_assert_gt(n, 0);
	snprintf(want, sizeof(want), "): %llu page events are skipped as already in it", n);
	cr_assert(strstr(r.err, "t.perf.txt: warning: the page state (page-state-at 99999.000000000)"), "%s",
		  r.err);
	cr_assert(strstr(r.err, want), "%s", r.err);
	spawn_res_free(&r);
	/* a page state inside the trace is the usual case: no warning */
	hb_path(o, sizeof(o), "out", "k3.csv");
	r = HB_RUN(HB_0, REPLAY1, "--out", o, hb_rec_copy("d_mixed5", "k3"));
	cr_assert(!strstr(r.err, "warning"), "%s", r.err);
	spawn_res_free(&r);
}
