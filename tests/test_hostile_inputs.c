/* Inputs, opened in one place (workloads/infile.h): every file a command reads is an input of
 * the run, so no output replaces it (the files settings name, a recording's vmallocinfo and
 * buddyinfo files, machine's reads); a FIFO in place of a recording file is refused without
 * blocking; a file that is there but cannot be read (a symbolic link loop, a dangling link, a
 * directory) is an error, never "absent"; every text input is read through the bounded line
 * reader (merge /dev/zero). hostile_box.h's rules hold for every run. */
#include "tests/hostile_files.h"

TestSuite(hostile_inputs, .init = hb_setup, .fini = hb_teardown, .timeout = 900);

#define REPLAY1 "replay", "--quiet", "--vmlist", "nodes", "--tlb", "lazy", "--buddy", "lifo"

/* in/rec: a copy of a bundled recording */
static const char *rec(void)
{
	return hb_rec_copy("d_mixed5", "rec");
}

/* An output naming any file the run reads is refused, the file left as it was (hb_run checks
 * every file outside out/ before and after). */
Test(hostile_inputs, no_output_replaces_an_input)
{
	const char *dir = rec();
	char v[700], s[700], e[700], bi[700], ba[700], series[700], z[700], zc[700];
	snprintf(v, sizeof(v), "%s/vmallocinfo.start.txt", dir);
	snprintf(e, sizeof(e), "%s/vmallocinfo.end.txt", dir);
	snprintf(bi, sizeof(bi), "%s/buddyinfo.start.txt", dir);
	snprintf(ba, sizeof(ba), "%s/buddyinfo.start-after-kpageflags.txt", dir);
	snprintf(series, sizeof(series), "%s/buddyinfo-series.txt", dir);
	snprintf(z, sizeof(z), "%s/zoneinfo.end.txt", dir);
	snprintf(s, sizeof(s), "%s", in("v.txt"));
	snprintf(zc, sizeof(zc), "%s", in("z.txt"));
	hb_copy(v, s);
	hb_copy(z, zc);
	const char *t = in("t.perf.txt"), *inp = "is an input of this run";
	/* the files settings name */
	hb_refused(HB_RUN(HB_1, REPLAY1, "--vmalloc-state", s, "--out", s, t), inp);
	hb_refused(HB_RUN(HB_1, REPLAY1, "--vmalloc-end", s, "--out", s, t), inp);
	hb_refused(HB_RUN(HB_1, REPLAY1, "--zoneinfo-end", zc, "--out", zc, t), inp);
	hb_refused(HB_RUN(HB_1, "vmalloc-fidelity", "--vmalloc-state", s, "--out", s, t), inp);
	/* a recording's files */
	hb_refused(HB_RUN(HB_1, REPLAY1, "--out", v, dir), inp);
	hb_refused(HB_RUN(HB_1, REPLAY1, "--out", out("r.csv"), "--snapshots-out", e, dir), inp);
	hb_refused(HB_RUN(HB_1, "vmalloc-fidelity", "--out", e, dir), inp);
	hb_refused(HB_RUN(HB_1, REPLAY1, "--out", z, dir), inp);
	/* machine's buddyinfo reads */
	hb_refused(HB_RUN(HB_1, "machine", "--csv", bi, dir), inp);
	hb_refused(HB_RUN(HB_1, "machine", "--csv", ba, dir), inp);
	hb_refused(HB_RUN(HB_1, "machine", "--snap-csv", series, dir), inp);
}

/* Every file of a recording, in turn a FIFO with no writer: each command that reads recordings
 * refuses it at once, naming it (it used to block in open() for ever). */
Test(hostile_inputs, fifo_in_a_recording)
{
	static const char *const files[] = {
		"trace.perf.txt.zst",	 "zoneinfo.start.txt",	"pagetypeinfo.start.txt",
		"kpageflags.start.zst",	 "times.txt",		"buddyinfo-series.txt",
		"vmallocinfo.start.txt", "vmallocinfo.end.txt", "buddyinfo.start.txt",
		"zoneinfo.end.txt"};
	const char *dir = rec();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char p[700], aside[700];
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		snprintf(aside, sizeof(aside), "%s", in("aside"));
		cr_assert_eq(rename(p, aside), 0, "%s", p);
		cr_assert_eq(mkfifo(p, 0644), 0);
		bool machine_only = !strcmp(files[i], "buddyinfo.start.txt");
		if (!machine_only) {
			hb_refused(HB_RUN(HB_1, REPLAY1, "--out", out("r.csv"), dir), "is a FIFO");
			hb_refused(HB_RUN(HB_1, "vmalloc-fidelity", dir), "is a FIFO");
		}
		hb_refused(HB_RUN(HB_1, "machine", "--seed-check", dir), "is a FIFO");
		cr_assert_eq(unlink(p), 0);
		cr_assert_eq(rename(aside, p), 0);
	}
	/* a FIFO named by a setting: refused with the option (exit 2) */
	cr_assert_eq(mkfifo(in("fifo.txt"), 0644), 0);
	hb_refused(HB_RUN(HB_1 | HB_2, REPLAY1, "--vmalloc-state", in("fifo.txt"), in("t.perf.txt")),
		   "is a FIFO");
	hb_refused(HB_RUN(HB_1 | HB_2, REPLAY1, "--pagetypeinfo", in("fifo.txt"), in("t.perf.txt")),
		   "is a FIFO");
}

/* An optional recording file that is there but cannot be read is an error saying why, not an
 * absent file (a looped buddyinfo-series.txt used to give snaps_compared 0 and exit 0; a looped
 * vmallocinfo.start.txt seeded no areas); a required one says why too, not "no FILE". */
Test(hostile_inputs, unreadable_is_not_absent)
{
	static const char *const files[] = {"buddyinfo-series.txt",
					    "vmallocinfo.start.txt",
					    "vmallocinfo.end.txt",
					    "zoneinfo.start.txt",
					    "times.txt",
					    "zoneinfo.end.txt"};
	static const struct {
		const char *what, *why;
	} kinds[] = {{"loop", "symbolic link loop"},
		     {"dangling", "dangling symbolic link"},
		     {"dir", "is a directory"}};
	const char *dir = rec();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			char p[700], aside[700];
			snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
			snprintf(aside, sizeof(aside), "%s", in("aside"));
			cr_assert_eq(rename(p, aside), 0, "%s", p);
			if (k == 0)
				cr_assert_eq(symlink(files[i], p), 0);
			else if (k == 1)
				cr_assert_eq(symlink("nothing-here", p), 0);
			else
				cr_assert_eq(mkdir(p, 0755), 0);
			struct spawn_res r = HB_RUN(HB_1, REPLAY1, "--out", out("r.csv"), dir);
			cr_assert(strstr(r.err, kinds[k].why) && strstr(r.err, files[i]), "%s as a %s:\n%s",
				  files[i], kinds[k].what, r.err);
			cr_assert(!strstr(r.err, "no "), "%s as a %s is not absent:\n%s", files[i],
				  kinds[k].what, r.err);
			spawn_res_free(&r);
			cr_assert_eq(k == 2 ? rmdir(p) : unlink(p), 0);
			cr_assert_eq(rename(aside, p), 0);
		}
	/* EACCES where the test is not root (root reads anything) */
	if (geteuid()) {
		char p[700];
		snprintf(p, sizeof(p), "%s/vmallocinfo.start.txt", dir);
		cr_assert_eq(chmod(p, 0), 0);
		hb_refused(HB_RUN(HB_1, REPLAY1, "--out", out("r.csv"), dir), "Permission denied");
		cr_assert_eq(chmod(p, 0644), 0);
	}
}

/* Every text input goes through the bounded line reader: endless or binary input fails with
 * FILE:LINE, at once. */
Test(hostile_inputs, endless_text_inputs)
{
	hb_refused(HB_RUN(HB_1, "merge", "--out", out("m.csv"), "/dev/zero"),
		   "/dev/zero:1: line longer than");
	hb_refused(HB_RUN(HB_1, "compare", "/dev/zero"), "/dev/zero:1: line longer than");
	/* a NUL byte in the middle of a CSV */
	FILE *f = fopen(in("nul.csv"), "w");
	cr_assert_not_null(f);
	fputs("trace,config,x\nt,c,1\nt,c", f);
	fputc(0, f);
	fputs("2\n", f);
	fclose(f);
	hb_refused(HB_RUN(HB_1, "compare", in("nul.csv")), "nul.csv:3: NUL byte");
}

/* path with its line n (1-based) replaced by text (NULL: removed) */
static void set_line(const char *path, unsigned n, const char *text)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	char *all = NULL, *l = NULL;
	size_t len = 0, cap = 0;
	FILE *m = open_memstream(&all, &len);
	for (unsigned i = 1; getline(&l, &cap, f) > 0; i++)
		if (i != n)
			fputs(l, m);
		else if (text)
			fprintf(m, "%s\n", text);
	fclose(m);
	fclose(f);
	free(l);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fwrite(all, 1, len, f);
	fclose(f);
	free(all);
}

/* The snapshot check compares every zone on both sides or says why not: a series line that does
 * not parse is FILE:LINE (17 orders or a negative count in the middle of a snapshot used to end
 * its buddyinfo, so the zones after it vanished and snap_*_err_max was 0), and a zone on one
 * side only (a zoneinfo's empty Normal zone against snapshots that have one) is an error. */
Test(hostile_inputs, snapshot_zones_never_vanish)
{
	const char *dir = rec();
	char series[700], keep[700], zi[700], zkeep[700];
	snprintf(series, sizeof(series), "%s/buddyinfo-series.txt", dir);
	snprintf(zi, sizeof(zi), "%s/zoneinfo.start.txt", dir);
	snprintf(keep, sizeof(keep), "%s", in("series.keep"));
	snprintf(zkeep, sizeof(zkeep), "%s", in("zoneinfo.keep"));
	hb_copy(series, keep);
	hb_copy(zi, zkeep);
	static const struct {
		unsigned line;
		const char *text, *why;
	} bad[] = {
		{3, "Node 0, zone    DMA32 2 3 0 2 3 2 1 4 4 2 752 1 2 3 4 5 6", ":3: more than 16 orders"},
		{3, "Node 0, zone    DMA32 2 3 0 2 3 2 1 4 4 2 752 1", ":3: 12 orders, but zone DMA has 11"},
		{4, "Node 0, zone   Normal -18 2 3 132 358 598 1599 1649 955 304 1635",
		 ":4: free block counts"},
		{4, "Node 0, zone   DMA32 18 2 3 132 358 598 1599 1649 955 304 1635", ":4: zone DMA32 twice"},
		{4, "Node 1, zone   Normal 18 2 3 132 358 598 1599 1649 955 304 1635",
		 ":4: node 1 has memory"},
		{4, "Node 0, zone  Movable 18 2 3 132 358 598 1599 1649 955 304 1635",
		 ":4: zone Movable has"},
		{4, "garbage", ":4: expected 'Node N, zone NAME"},
		{4, "", ":4: expected 'Node N, zone NAME"},
		{4, NULL, ":1: the snapshot at 2560.008296 s lacks zone Normal"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set_line(series, bad[i].line, bad[i].text);
		struct spawn_res r = HB_RUN(HB_1, "machine", dir);
		cr_assert(strstr(r.err, "buddyinfo-series.txt") && strstr(r.err, bad[i].why),
			  "case %zu: expected '%s':\n%s", i, bad[i].why, r.err);
		spawn_res_free(&r);
		hb_copy(keep, series);
	}
	/* the recording's zoneinfo with an empty Normal zone: its snapshots have one */
	set_line(zi, 152, "        spanned  0");
	set_line(zi, 153, "        present  0");
	set_line(zi, 154, "        managed  0");
	char zspec[720];
	snprintf(zspec, sizeof(zspec), "zoneinfo:%s", zi);
	hb_refused(HB_RUN(HB_1, REPLAY1, "--zones", zspec, "--snapshots", series, "--out", out("r.csv"),
			  in("t.perf.txt")),
		   "buddyinfo-series.txt:1: the snapshot at 2560.008296 s has zone Normal, which the "
		   "model's zone layout (--zones) has no pages in");
	/* and the default layout (one Normal zone) against snapshots of three zones */
	hb_refused(HB_RUN(HB_1, REPLAY1, "--snapshots", series, "--out", out("r.csv"), in("t.perf.txt")),
		   "has zone DMA, which the model's zone layout (--zones) has no pages in");
	hb_copy(zkeep, zi);
	/* the seed check: a zone of the kernel's buddyinfo the model lacks is out of range, not
	 * left out */
	char ba[700];
	snprintf(ba, sizeof(ba), "%s/buddyinfo.start-after-kpageflags.txt", dir);
	FILE *f = fopen(ba, "a");
	cr_assert_not_null(f);
	fputs("Node 0, zone  Movable      1      0      0      0      0      0      0      0      0      0   "
	      "   0\n",
	      f);
	fclose(f);
	struct spawn_res r = HB_RUN(HB_0 | HB_1, "machine", "--seed-check", dir);
	cr_assert(strstr(r.out, "zone Movable: in the kernel's buddyinfo, not in the model: OUT OF RANGE") &&
			  strstr(r.out, "is OUT OF RANGE"),
		  "%s", r.out);
	spawn_res_free(&r);
}

/* Suite files take lines of any length up to the reader's bound: a trace path of 190 and of 1000
 * bytes through `suite TRACE...` (libinih cut DIR/suite.ini's line at 200 bytes: "syntax
 * error" in the file mmreplay wrote); a longer line in a user's suite file says its length. */
Test(hostile_inputs, long_suite_lines)
{
	static const size_t lens[] = {190, 1000};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char dir[1200], tr[1300], o[700];
		snprintf(dir, sizeof(dir), "%s", in(""));
		while (strlen(dir) + 61 + 12 < lens[i]) {
			strcat(dir, "/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
			cr_assert(!mkdir(dir, 0755) || errno == EEXIST);
		}
		snprintf(tr, sizeof(tr), "%s/t.perf.txt", dir);
		hb_copy(in("t.perf.txt"), tr);
		snprintf(o, sizeof(o), "%s", out(i ? "s1" : "s0"));
		struct spawn_res r =
			HB_RUN(HB_0, "suite", "--out", o, "--repeats", "1", "--vmlist", "list", "--tlb",
			       "lazy", "--buddy", "lifo", "--vma", "maple", "--no-plots", tr);
		spawn_res_free(&r);
	}
	FILE *f = fopen(in("long.ini"), "w");
	cr_assert_not_null(f);
	fprintf(f, "[traces]\ntrace = %s\ntrace = ", in("t.perf.txt"));
	for (int k = 0; k < 20000; k++)
		fputc('x', f);
	fputs("\n", f);
	fclose(f);
	hb_refused(HB_RUN(HB_1, "suite", "--out", out("s2"), in("long.ini")),
		   "long.ini:3: line too long (20008 bytes, the limit is 16384)");
	/* a path that cannot be read back from a suite file is refused before anything is written */
	char odd[700];
	snprintf(odd, sizeof(odd), "%s", in("x ;y.perf.txt"));
	hb_copy(in("t.perf.txt"), odd);
	hb_refused(HB_RUN(HB_2, "suite", "--out", out("s3"), odd), "a ';' after a blank");
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* compare joins rows on their trace and configuration in linear time: 50,000 configurations
 * (the old join scanned every group for every row and reserved a row list per group: 20,000
 * took 42 s and 3.2 GB of address space), and 300,000 differing lines in the default view
 * (its folding of equal lines compared every line with every later one: a million took over
 * five minutes). Each within 60 s, under the sanitizers and a loaded machine too. */
Test(hostile_inputs, compare_is_near_linear)
{
	static const struct {
		const char *name;
		unsigned rows, metrics;
		const char *want;
	} cases[] = {{"rows.csv", 50000, 2, "99998 of 99998 differences beyond noise"},
		     {"lines.csv", 501, 600, "300000 of 300000 differences beyond noise"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fopen(in(cases[i].name), "w");
		cr_assert_not_null(f);
		fputs("trace,config", f);
		fputs(",vmlist_visits,tlb_flushes", f);
		for (unsigned m = 2; m < cases[i].metrics; m++)
			fprintf(f, ",m%u", m);
		for (unsigned r = 0; r < cases[i].rows; r++) {
			fprintf(f, "\nt,c%u", r);
			for (unsigned m = 0; m < cases[i].metrics; m++)
				fprintf(f, ",%u", 1000 + r * 100 + m);
		}
		fputc('\n', f);
		fclose(f);
		double t0 = now_s();
		struct spawn_res r = HB_RUN(HB_0, "compare", in(cases[i].name));
		double dt = now_s() - t0;
		cr_assert(strstr(r.out, cases[i].want), "%s: expected '%s':\n%.400s", cases[i].name,
			  cases[i].want, r.out);
		cr_assert_lt(dt, 60.0, "%s took %.1f s", cases[i].name, dt);
		spawn_res_free(&r);
	}
}

/* A later zoneinfo whose pageset count is no zoneinfo's (above its zone's pages; it could wrap
 * the sum of the lists' pages) stops the run with the file and the zone's line. */
Test(hostile_inputs, zoneinfo_end_with_an_impossible_pageset_count)
{
	const char *dir = rec();
	char z[700], zc[700], line[512];
	snprintf(z, sizeof(z), "%s/zoneinfo.end.txt", dir);
	snprintf(zc, sizeof(zc), "%s", in("z.txt"));
	FILE *from = fopen(z, "r"), *to = fopen(zc, "w");
	cr_assert(from && to);
	bool done = false;
	while (fgets(line, sizeof(line), from)) {
		unsigned long long c;
		if (!done && sscanf(line, " count: %llu", &c) == 1 && c) {
			fputs("              count:    18446744073709551615\n", to);
			done = true;
		} else {
			fputs(line, to);
		}
	}
	fclose(from);
	fclose(to);
	cr_assert(done);
	struct spawn_res r =
		HB_RUN(HB_1, "machine", "--page-mode", "placement", "--pcp", "on", "--zoneinfo-end", zc, dir);
	cr_assert(strstr(r.err, "z.txt:") && strstr(r.err, "is above the zone's"), "%s", r.err);
	spawn_res_free(&r);
}
