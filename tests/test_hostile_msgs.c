/* Messages that say what really happened, and options that do what the help says: a failure
 * is named for its cause (not "is gnuplot installed?", not "corrupt zstd data", not
 * "unrecognised trace format"), printed once with the command's name, and turns into the exit
 * status. hostile_box.h's rules hold for every run. */
#include <fcntl.h>

#include "tests/hostile_box.h"
#include "bench/output/plot.h"

TestSuite(hostile_msgs, .init = hb_setup, .fini = hb_teardown, .timeout = 600);

#define TRIPLE "--vmlist", "list", "--tlb", "lazy", "--buddy", "lifo"

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

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[65536];
	for (size_t n; (n = fread(chunk, 1, sizeof(chunk), f));)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static inline void expect(struct spawn_res r, const char *why)
{
	cr_assert(strstr(r.err, why), "expected '%s':\n%s", why, r.err);
	spawn_res_free(&r);
}

/* The help says 'all' in a LIST names every value: --page-mode all is the three page modes
 * (it was refused), the choice settings likewise; --populate all stays the value 'all'. */
Test(hostile_msgs, all_names_every_value)
{
	HB_CHECK(HB_0, "replay", "--quiet", TRIPLE, "--page-mode", "all", "--out", out("pm.csv"),
		 in("t.perf.txt"));
	char *csv = slurp(out("pm.csv"));
	cr_assert_eq(count(csv, "page_mode=placement"), 1, "%s", csv);
	cr_assert_eq(count(csv, "page_mode=faithful"), 1, "%s", csv);
	cr_assert_eq(count(csv, "page_mode=buddy"), 1, "%s", csv);
	free(csv);
	HB_CHECK(HB_0, "replay", "--quiet", TRIPLE, "--pcp", "all", "--out", out("pcp.csv"),
		 in("t.perf.txt"));
	csv = slurp(out("pcp.csv"));
	cr_assert_eq(count(csv, "\n"), 4, "header and pcp auto, on, off:\n%s", csv);
	free(csv);
	HB_CHECK(HB_0, "replay", "--quiet", TRIPLE, "--populate", "all", "--out", out("pop.csv"),
		 in("t.perf.txt"));
	csv = slurp(out("pop.csv"));
	cr_assert_eq(count(csv, "\n"), 2, "one configuration, populate=all:\n%s", csv);
	free(csv);
	struct spawn_res r = HB_RUN(HB_0, "replay", "--help");
	cr_assert(strstr(r.out, "in a LIST 'all' names every value"), "%s", r.out);
	spawn_res_free(&r);
}

/* `plot` on a directory that is not a suite's results: one message, with the command's name
 * (the summary's error was printed twice, as "mmreplay: ..."). */
Test(hostile_msgs, plot_unusable_directory_once)
{
	struct spawn_res r = HB_RUN(HB_1, "plot", out("missing"));
	cr_assert_eq(count(r.err, "\n"), 1, "%s", r.err);
	cr_assert(strstr(r.err, "mmreplay plot: "), "%s", r.err);
	spawn_res_free(&r);
	cr_assert_eq(mkdir(out("notsuite"), 0755), 0);
	hb_copy(in("dup_header.csv"), out("notsuite/summary.csv"));
	r = HB_RUN(HB_1, "plot", out("notsuite"));
	cr_assert_eq(count(r.err, "\n"), 1, "%s", r.err);
	cr_assert(strstr(r.err, "mmreplay plot: ") && strstr(r.err, "summary.csv"), "%s", r.err);
	spawn_res_free(&r);
}

/* A suite's results in out/NAME (one trace, the default plan). */
static void results(const char *name)
{
	HB_CHECK(HB_0, "suite", "--out", out(name), in("t.perf.txt"));
}

/* Every number of summary.csv but the axes made "nan". */
static void nan_summary(const char *dir)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	char *s = slurp(path), *nl = strchr(s, '\n');
	cr_assert_not_null(nl);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fwrite(s, 1, (size_t)(nl - s + 1), f);
	for (char *line = nl + 1, *end; *line; line = end + 1) {
		end = strchr(line, '\n');
		cr_assert_not_null(end);
		int col = 0;
		for (char *c = line, *ce; c <= end; c = ce + 1, col++) {
			ce = c;
			while (ce < end && *ce != ',')
				ce++;
			bool num = ce > c && (*c >= '0' && *c <= '9');
			fprintf(f, "%s%.*s", col ? "," : "", num && col > 8 ? 3 : (int)(ce - c),
				num && col > 8 ? "nan" : c);
		}
		fputc('\n', f);
	}
	cr_assert_eq(fclose(f), 0);
	free(s);
}

/* gnuplot failing on the data is gnuplot failing, with its own last message; not "is gnuplot
 * installed?". gnuplot missing is said once, as such. */
Test(hostile_msgs, gnuplot_failures_named)
{
	if (!hb_have_gnuplot())
		cr_skip_test("no gnuplot");
	results("s");
	nan_summary(out("s"));
	struct spawn_res r = HB_RUN(HB_1, "plot", out("s"));
	cr_assert(strstr(r.err, "mmreplay plot: ") && strstr(r.err, ": gnuplot failed (exit "), "%s", r.err);
	cr_assert(strstr(r.err, "\" line "), "gnuplot's own message quoted:\n%s", r.err);
	cr_assert(!strstr(r.err, "installed"), "%s", r.err);
	spawn_res_free(&r);
	r = hb_run_v(HB_1, NULL,
		     SPAWN_ARGV("/usr/bin/env", "PATH=/nonexistent", spawn_mmreplay(), "plot", out("s")));
	cr_assert(strstr(r.err, "mmreplay plot: gnuplot is not installed (not found on PATH)"), "%s", r.err);
	cr_assert_eq(count(r.err, "not installed"), 1, "%s", r.err);
	spawn_res_free(&r);
}

/* A full file system is named as such (it was "is gnuplot installed?"), and gnuplot.log that
 * cannot be written is a failure (it was printed, exit 0). Root only: a small tmpfs in out/. */
Test(hostile_msgs, full_disk_named)
{
	if (geteuid() != 0 || !hb_have_gnuplot())
		cr_skip_test("needs root (mount) and gnuplot");
	results("s");
	cr_assert_eq(mkdir(out("mnt"), 0755), 0);
	if (SPAWN_STATUS(NULL, "mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", out("mnt")))
		cr_skip_test("cannot mount a tmpfs");
	cr_assert_eq(SPAWN_STATUS(NULL, "cp", "-r", out("s"), out("mnt/s")), 0);
	cr_assert_eq(SPAWN_STATUS(NULL, "rm", "-rf", out("mnt/s/plots")), 0);
	/* fill all but a few KiB */
	char fill[700];
	snprintf(fill, sizeof(fill), "of=%s", out("mnt/fill"));
	SPAWN_STATUS(NULL, "dd", "if=/dev/zero", fill, "bs=1k", "count=100000");
	struct stat st; /* room for the graphs' data files, not for the graphs */
	cr_assert_eq(stat(out("mnt/fill"), &st), 0);
	cr_assert_eq(truncate(out("mnt/fill"), st.st_size - 48 * 1024), 0);
	struct spawn_res r = HB_RUN(HB_1, "plot", out("mnt/s"));
	SPAWN_STATUS(NULL, "umount", out("mnt"));
	cr_assert(strstr(r.err, "no space left on the output's file system: gnuplot wrote no graph"), "%s",
		  r.err);
	cr_assert(!strstr(r.err, "installed"), "%s", r.err);
	spawn_res_free(&r);
}

/* gnuplot's messages that cannot be written to its log are reported to the caller (suite_plots
 * counts it a failure: the run exits 1; the log's write error was printed, exit 0). */
Test(hostile_msgs, gnuplot_log_write_error_reported)
{
	if (!hb_have_gnuplot())
		cr_skip_test("no gnuplot");
	FILE *d = fopen(out("data.csv"), "w");
	cr_assert_not_null(d);
	fputs("x,a\nnan,nan\nnan,nan\n", d); /* gnuplot complains about it */
	cr_assert_eq(fclose(d), 0);
	int data = open(out("data.csv"), O_RDONLY), full = open("/dev/full", O_WRONLY);
	cr_assert(data >= 0 && full >= 0);
	struct plot_req req = {.script = "lines.gp", .data_fd = data, .nseries = 1, .title = "t"};
	int log_err = 0;
	char why[1024] = "";
	plot_draw(hb_out, "g", &req, full, &log_err, why, sizeof(why));
	cr_assert_eq(log_err, -ENOSPC, "log_err %d (%s)", log_err, why);
	cr_assert(!strstr(why, "installed"), "%s", why);
	close(data);
	close(full);
}

/* A frame of window log `wlog` (raw block of the first bytes of t.perf.txt) appended to path. */
static void zstd_frame(const char *path, unsigned wlog, const char *mode)
{
	char data[1000];
	FILE *t = fopen(in("t.perf.txt"), "r");
	cr_assert_not_null(t);
	size_t n = fread(data, 1, sizeof(data), t);
	fclose(t);
	while (n && data[n - 1] != '\n')
		n--;
	unsigned char hdr[9] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, (unsigned char)((wlog - 10) << 3)};
	unsigned bh = (unsigned)(n << 3) | 1; /* the last block, raw, n bytes */
	hdr[6] = bh & 0xff, hdr[7] = (bh >> 8) & 0xff, hdr[8] = (bh >> 16) & 0xff;
	FILE *f = fopen(path, mode);
	cr_assert_not_null(f);
	fwrite(hdr, 1, sizeof(hdr), f);
	fwrite(data, 1, n, f);
	cr_assert_eq(fclose(f), 0);
}

/* A valid zstd frame with a large window decodes (--long=31, from a pipe: a 2 GiB window, was
 * "corrupt zstd data"); one past what zstd writes says which window it needs. */
Test(hostile_msgs, zstd_windows)
{
	cr_assert_eq(
		SH(NULL, "zstd -q --long=31 -c < \"$1\" > \"$2\"", in("t.perf.txt"), out("l31.perf.txt.zst")),
		0);
	HB_CHECK(HB_0, "info", out("l31.perf.txt.zst"));
	HB_CHECK(HB_0, "replay", "--quiet", TRIPLE, out("l31.perf.txt.zst"));
	zstd_frame(out("w27.perf.txt.zst"), 27, "w"); /* the crafted frame itself is fine */
	HB_CHECK(HB_0, "info", out("w27.perf.txt.zst"));
	zstd_frame(out("w32.perf.txt.zst"), 32, "w");
	expect(HB_RUN(HB_1, "info", out("w32.perf.txt.zst")),
	       "w32.perf.txt.zst: this zstd frame needs a 4 GiB window (windowLog 32), over the 2 GiB");
	zstd_frame(out("w2.perf.txt.zst"), 20, "w"); /* a second frame asks for 2^40 */
	zstd_frame(out("w2.perf.txt.zst"), 40, "a");
	expect(HB_RUN(HB_1, "replay", "--quiet", TRIPLE, out("w2.perf.txt.zst")),
	       "needs a 1024 GiB window (windowLog 40)");
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* A pid past 2^31 - 1 is a pid out of range at FILE:LINE in every text format, first line or
 * later (it was "unrecognised trace format" on the first line, "bad pid" later). */
Test(hostile_msgs, pid_out_of_range)
{
	static const char perf_ok[] =
		"            perf  7664 [001]   266.366722:             kmem:mm_page_alloc: "
		"page=0x108946 pfn=0x108946 order=0 migratetype=0 gfp_flags=GFP_KERNEL\n";
	static const struct {
		const char *name, *text, *why;
	} cases[] = {
		{"p1.perf.txt",
		 "            perf  2147483648 [001]   266.366722:             kmem:mm_page_alloc: page=0x1 "
		 "pfn=0x1 "
		 "order=0 migratetype=0 gfp_flags=GFP_KERNEL\n",
		 "p1.perf.txt:1: pid 2147483648 out of range (a pid is at most 2147483647)"},
		{"p2.perf.txt",
		 "            perf  99999999999999999999999/5 [001]   266.366722:             "
		 "kmem:mm_page_alloc: "
		 "page=0x1 pfn=0x1 order=0 migratetype=0 gfp_flags=GFP_KERNEL\n",
		 "p2.perf.txt:1: pid 99999999999999999999999/5 out of range"},
		{"p3.ftrace.txt",
		 "            bash-2147483648    [000] .....   445.456836: mm_page_alloc: "
		 "page=000000004fc9a747 "
		 "pfn=0x10a006 order=1 migratetype=0 gfp_flags=GFP_KERNEL\n",
		 "p3.ftrace.txt:1: pid out of range"},
		{"p4.strace.txt",
		 "2147483648 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
		 "0x7f4102a00000\n",
		 "p4.strace.txt:1: pid out of range"},
		{"p5.strace.txt",
		 "[pid 4294967296] mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) "
		 "= "
		 "0x7f4102a00000\n",
		 "p5.strace.txt:1: pid out of range"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spit(out(cases[i].name), cases[i].text);
		struct spawn_res r = HB_RUN(HB_1, "info", out(cases[i].name));
		cr_assert(strstr(r.err, cases[i].why), "%s: expected '%s':\n%s", cases[i].name, cases[i].why,
			  r.err);
		cr_assert(!strstr(r.err, "unrecognised"), "%s", r.err);
		spawn_res_free(&r);
	}
	/* after a valid line: the same reason, on its line */
	char two[1024];
	snprintf(two, sizeof(two), "%s%s", perf_ok, cases[0].text);
	spit(out("later.perf.txt"), two);
	expect(HB_RUN(HB_1, "info", out("later.perf.txt")), "later.perf.txt:2: pid 2147483648 out of range");
	/* 2^31 - 1 itself is a pid */
	spit(out("max.perf.txt"),
	     "            perf  2147483647 [001]   266.366722:             kmem:mm_page_alloc: "
	     "page=0x1 pfn=0x1 order=0 migratetype=0 gfp_flags=GFP_KERNEL\n");
	HB_CHECK(HB_0, "info", out("max.perf.txt"));
}

/* A recording whose zoneinfo's nr_free_pages disagrees with the free pages its kpageflags show
 * is warned about, with both numbers, once per trace (it was silent); a difference pages moving
 * during the read explain (within 1 % of the zone's managed pages) is not. */
Test(hostile_msgs, free_pages_disagree)
{
	char dir[600], zi[700];
	snprintf(dir, sizeof(dir), "%s", in("rec"));
	cr_assert_eq(SPAWN_STATUS(NULL, "cp", "-r", "--", MMREPLAY_DATA_DIR "/recordings/d_mixed5", dir), 0);
	snprintf(zi, sizeof(zi), "%s/zoneinfo.start.txt", dir);
	char *s = slurp(zi), *at = strstr(s, "nr_free_pages 2385746\n");
	cr_assert_not_null(at, "the bundled recording changed: pick its Normal zone's nr_free_pages");
	memcpy(at, "nr_free_pages 2380746\n", 22); /* 4990 pages fewer: moving pages explain it */
	spit(zi, s);
	struct spawn_res r = HB_RUN(HB_0, "replay", "--quiet", TRIPLE, dir);
	cr_assert(!strstr(r.err, "warning"), "%s", r.err);
	spawn_res_free(&r);
	memcpy(at, "nr_free_pages      10\n", 22);
	spit(zi, s);
	free(s);
	r = HB_RUN(HB_0, "replay", "--quiet", "--vmlist", "list,rbtree", "--tlb", "lazy", "--buddy", "lifo",
		   dir);
	cr_assert(strstr(r.err,
			 "kpageflags.start.zst: warning: zone Normal: 2385736 free pages in the kpageflags, "
			 "but nr_free_pages 10 in "),
		  "%s", r.err);
	cr_assert(strstr(r.err, "zoneinfo.start.txt:145: they differ by 2385726, over 1% of the zone's"),
		  "%s", r.err);
	cr_assert_eq(count(r.err, "warning"), 1, "once for the two configurations:\n%s", r.err);
	spawn_res_free(&r);
}

/* /proc/vmallocinfo numbers: a sign after 0x ("0x-1", which strtoull read as 2^64-1, refused
 * later as "the range is empty") is not an address, and one past 2^64-1 says so (it was
 * "expected 0xSTART-0xEND"). */
Test(hostile_msgs, vmallocinfo_numbers)
{
	static const struct {
		const char *line, *why;
	} cases[] = {
		{"0x-1-0xffffc90000005000   20480 f+0x1/0x2 vmap\n", "v0.txt:1: expected 0xSTART-0xEND"},
		{"0x 10-0xffffc90000005000   20480 f+0x1/0x2 vmap\n", "v1.txt:1: expected 0xSTART-0xEND"},
		{"0x1ffffffffffffffffff-0xffffc90000005000   20480 f+0x1/0x2 vmap\n",
		 "v2.txt:1: an address past 2^64-1"},
		{"0xffffc90000000000-0x1ffffffffffffffffff   20480 f+0x1/0x2 vmap\n",
		 "v3.txt:1: an address past 2^64-1"},
		{"0xffffc90000000000-0xffffc90000005000 99999999999999999999999 f+0x1/0x2 vmap\n",
		 "v4.txt:1: a size past 2^64-1"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[16];
		snprintf(name, sizeof(name), "v%zu.txt", i);
		spit(out(name), cases[i].line);
		expect(HB_RUN(HB_1, "replay", "--quiet", TRIPLE, "--vmalloc-state", out(name),
			      in("t.perf.txt")),
		       cases[i].why);
	}
}
