/* Inputs, opened in one place (workloads/infile.h): every file a command reads is an input of
 * the run, so no output replaces it (the files settings name, a recording's vmallocinfo and
 * buddyinfo files, machine's reads); a FIFO in place of a recording file is refused without
 * blocking; a file that is there but cannot be read (a symbolic link loop, a dangling link, a
 * directory) is an error, never "absent"; every text input is read through the bounded line
 * reader (merge /dev/zero). hostile_box.h's rules hold for every run. */
#include "tests/hostile_box.h"

TestSuite(hostile_inputs, .init = hb_setup, .fini = hb_teardown, .timeout = 900);

#define REC MMREPLAY_DATA_DIR "/recordings/d_mixed5"
#define REPLAY1 "replay", "--quiet", "--vmlist", "nodes", "--tlb", "lazy", "--buddy", "lifo"

static const char *in(const char *name)
{
	static char buf[8][600];
	static int k;
	k = (k + 1) % 8;
	return hb_path(buf[k], sizeof(buf[k]), "in", name);
}

static const char *out(const char *name)
{
	static char buf[8][600];
	static int k;
	k = (k + 1) % 8;
	return hb_path(buf[k], sizeof(buf[k]), "out", name);
}

/* in/rec: a copy of a bundled recording */
static const char *rec(void)
{
	static char dir[600];
	snprintf(dir, sizeof(dir), "%s", in("rec"));
	cr_assert_eq(SPAWN_STATUS(NULL, "cp", "-r", "--", REC, dir), 0);
	return dir;
}

static void expect_refused(struct spawn_res r, const char *why)
{
	cr_assert(strstr(r.err, why), "expected '%s':\n%s", why, r.err);
	spawn_res_free(&r);
}

/* An output naming any file the run reads is refused, the file left as it was (hb_run checks
 * every file outside out/ before and after). */
Test(hostile_inputs, no_output_replaces_an_input)
{
	const char *dir = rec();
	char v[700], s[700], e[700], bi[700], ba[700], series[700];
	snprintf(v, sizeof(v), "%s/vmallocinfo.start.txt", dir);
	snprintf(e, sizeof(e), "%s/vmallocinfo.end.txt", dir);
	snprintf(bi, sizeof(bi), "%s/buddyinfo.start.txt", dir);
	snprintf(ba, sizeof(ba), "%s/buddyinfo.start-after-kpageflags.txt", dir);
	snprintf(series, sizeof(series), "%s/buddyinfo-series.txt", dir);
	snprintf(s, sizeof(s), "%s", in("v.txt"));
	hb_copy(v, s);
	const char *t = in("t.perf.txt"), *inp = "is an input of this run";
	/* the files settings name */
	expect_refused(HB_RUN(HB_1, REPLAY1, "--vmalloc-state", s, "--out", s, t), inp);
	expect_refused(HB_RUN(HB_1, REPLAY1, "--vmalloc-end", s, "--out", s, t), inp);
	expect_refused(HB_RUN(HB_1, "vmalloc-fidelity", "--vmalloc-state", s, "--out", s, t), inp);
	/* a recording's files */
	expect_refused(HB_RUN(HB_1, REPLAY1, "--out", v, dir), inp);
	expect_refused(HB_RUN(HB_1, REPLAY1, "--out", out("r.csv"), "--snapshots-out", e, dir), inp);
	expect_refused(HB_RUN(HB_1, "vmalloc-fidelity", "--out", e, dir), inp);
	/* machine's buddyinfo reads */
	expect_refused(HB_RUN(HB_1, "machine", "--csv", bi, dir), inp);
	expect_refused(HB_RUN(HB_1, "machine", "--csv", ba, dir), inp);
	expect_refused(HB_RUN(HB_1, "machine", "--snap-csv", series, dir), inp);
}

/* Every file of a recording, in turn a FIFO with no writer: each command that reads recordings
 * refuses it at once, naming it (it used to block in open() for ever). */
Test(hostile_inputs, fifo_in_a_recording)
{
	static const char *const files[] = {
		"trace.perf.txt.zst",	 "zoneinfo.start.txt",	"pagetypeinfo.start.txt",
		"kpageflags.start.zst",	 "times.txt",		"buddyinfo-series.txt",
		"vmallocinfo.start.txt", "vmallocinfo.end.txt", "buddyinfo.start.txt"};
	const char *dir = rec();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char p[700], aside[700];
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		snprintf(aside, sizeof(aside), "%s", in("aside"));
		cr_assert_eq(rename(p, aside), 0, "%s", p);
		cr_assert_eq(mkfifo(p, 0644), 0);
		bool machine_only = !strcmp(files[i], "buddyinfo.start.txt");
		if (!machine_only) {
			expect_refused(HB_RUN(HB_1, REPLAY1, "--out", out("r.csv"), dir), "is a FIFO");
			expect_refused(HB_RUN(HB_1, "vmalloc-fidelity", dir), "is a FIFO");
		}
		expect_refused(HB_RUN(HB_1, "machine", "--seed-check", dir), "is a FIFO");
		cr_assert_eq(unlink(p), 0);
		cr_assert_eq(rename(aside, p), 0);
	}
	/* a FIFO named by a setting: refused with the option (exit 2) */
	cr_assert_eq(mkfifo(in("fifo.txt"), 0644), 0);
	expect_refused(HB_RUN(HB_1 | HB_2, REPLAY1, "--vmalloc-state", in("fifo.txt"), in("t.perf.txt")),
		       "is a FIFO");
	expect_refused(HB_RUN(HB_1 | HB_2, REPLAY1, "--pagetypeinfo", in("fifo.txt"), in("t.perf.txt")),
		       "is a FIFO");
}

/* An optional recording file that is there but cannot be read is an error saying why, not an
 * absent file (a looped buddyinfo-series.txt used to give snaps_compared 0 and exit 0; a looped
 * vmallocinfo.start.txt seeded no areas); a required one says why too, not "no FILE". */
Test(hostile_inputs, unreadable_is_not_absent)
{
	static const char *const files[] = {"buddyinfo-series.txt", "vmallocinfo.start.txt",
					    "vmallocinfo.end.txt", "zoneinfo.start.txt", "times.txt"};
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
		expect_refused(HB_RUN(HB_1, REPLAY1, "--out", out("r.csv"), dir), "Permission denied");
		cr_assert_eq(chmod(p, 0644), 0);
	}
}

/* Every text input goes through the bounded line reader: endless or binary input fails with
 * FILE:LINE, at once. */
Test(hostile_inputs, endless_text_inputs)
{
	expect_refused(HB_RUN(HB_1, "merge", "--out", out("m.csv"), "/dev/zero"),
		       "/dev/zero:1: line longer than");
	expect_refused(HB_RUN(HB_1, "compare", "/dev/zero"), "/dev/zero:1: line longer than");
	/* a NUL byte in the middle of a CSV */
	FILE *f = fopen(in("nul.csv"), "w");
	cr_assert_not_null(f);
	fputs("trace,config,x\nt,c,1\nt,c", f);
	fputc(0, f);
	fputs("2\n", f);
	fclose(f);
	expect_refused(HB_RUN(HB_1, "compare", in("nul.csv")), "nul.csv:3: NUL byte");
}
