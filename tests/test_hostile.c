/* Hostile names through every command that takes or writes a file:
 * trace files named with quotes, semicolons, backquotes, pipes, spaces, newlines and terminal
 * escapes; an output directory named to break out of a gnuplot string; a crafted summary.csv
 * given to `mmreplay plot`; suite --list-jobs lines run by sh. hostile_box.h's rules hold for
 * every run: allowed exit status, one-line messages, no control bytes, nothing changed outside
 * out/, nothing created in the working directory (where an injected `touch` would land). */
#include "tests/hostile_box.h"

TestSuite(hostile, .init = hb_setup, .fini = hb_teardown, .timeout = 600);

/* Each breaks a different quoting: gnuplot strings and macros, sh, CSV, terminals, getopt. */
static const char *const names[] = {
	"x'; z=system('touch pwned'); y='.perf.txt",
	"sp ace.perf.txt",
	"semi;colon$(touch p1).perf.txt",
	"`touch p2`.perf.txt",
	"|touch p3.perf.txt",
	"<touch p4.perf.txt",
	"-dash.perf.txt",
	"new\nline.perf.txt",
	"esc\x1b[31m\x1b]0;title\x07.perf.txt",
	"dq\"uote.perf.txt",
	"back\\slash.perf.txt",
	"@ARG1 $0 %s%n.perf.txt",
	"caf\xc3\xa9.perf.txt",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static const char *hostile_trace(size_t i, char *buf, size_t len)
{
	hb_copy(HOSTILE_DIR "/t.perf.txt", hb_path(buf, len, "in", names[i]));
	return buf;
}

Test(hostile, names_info_convert_replay)
{
	for (size_t i = 0; i < NNAMES; i++) {
		char tr[600], mmr[600], csv[600];
		hostile_trace(i, tr, sizeof(tr));
		snprintf(mmr, sizeof(mmr), "%s/%s.mmr", hb_out, names[i]);
		snprintf(csv, sizeof(csv), "%s/r.csv", hb_out);
		HB_CHECK(HB_0, "info", tr);
		HB_CHECK(HB_0, "convert", tr, mmr);
		HB_CHECK(HB_0, "info", mmr);
		HB_CHECK(HB_0, "replay", "--quiet", "--vmlist", "list", "--tlb", "lazy", "--buddy", "lifo",
			 "--out", csv, tr);
		struct stat st;
		cr_assert_eq(stat(mmr, &st), 0);
		cr_assert_eq(st.st_mode & 0777, 0644 & ~0022u, "convert writes 0666 less the umask");
	}
}

static const char *suite_of(const char *trace, char *buf, size_t len)
{
	hb_path(buf, len, "in", "s.ini");
	FILE *f = fopen(buf, "w");
	cr_assert_not_null(f);
	fprintf(f,
		"[suite]\nname = h\nrepeats = 1\n[traces]\ntrace = %s\n[axes]\nvmlist = list,augmented\n"
		"tlb = eager,lazy\n",
		trace);
	fclose(f);
	return buf;
}

/* Graphs through gnuplot with hostile trace names and output directories: drawn, nothing run. */
Test(hostile, suite_graphs_with_hostile_names)
{
	bool plots = hb_have_gnuplot();
	static const char *const outs[] = {"r'; z=system('touch p'); y='", "|touch p5", "<touch p6",
					   "a`touch p7`b", "sp ace; $(touch p8)"};
	/* the names aimed at gnuplot and sh (an ini value cannot hold a newline anyway) */
	static const size_t pick[] = {0, 2, 3, 4, 5, 8, 11};
	for (size_t k = 0; k < sizeof(pick) / sizeof(pick[0]); k++) {
		size_t i = pick[k];
		char tr[600], ini[600], dir[800], png[1200];
		hostile_trace(i, tr, sizeof(tr));
		suite_of(tr, ini, sizeof(ini));
		snprintf(dir, sizeof(dir), "%s/%s", hb_out, outs[k % (sizeof(outs) / sizeof(outs[0]))]);
		/* a label with control bytes draws no graph (a clear refusal); the results are written */
		bool ctl = strpbrk(names[i], "\x1b\x07") != NULL;
		struct spawn_res r = HB_RUN(plots && !ctl ? HB_0 : HB_0 | HB_1, "suite", "--out", dir, ini);
		if (ctl)
			cr_assert(strstr(r.err, "not usable in a file name"), "%s", r.err);
		spawn_res_free(&r);
		char sum[1000];
		snprintf(sum, sizeof(sum), "%s/summary.csv", dir);
		cr_assert_eq(access(sum, F_OK), 0, "%s", sum);
		if (!plots || ctl)
			continue;
		size_t l = strlen(names[i]) - strlen(".txt"); /* the label: the name less its last suffix */
		snprintf(png, sizeof(png), "%s/frag_%.*s.png", dir, (int)l, names[i]);
		struct stat st;
		cr_assert_eq(stat(png, &st), 0, "%s was not drawn", png);
		cr_assert_gt(st.st_size, 1000);
	}
}

/* Header of the crafted summary, then one row per hostile trace label. */
static void crafted_results(const char *dir)
{
	static const char *const labels[] = {"x'; z=system('touch pwned'); y='",
					     "|touch q1",
					     "<touch q2",
					     "`touch q3`",
					     "@ARG1",
					     "../../escape",
					     "ok.perf"};
	char path[1200];
	snprintf(path, sizeof(path), "%s/timeseries", dir);
	cr_assert_eq(SPAWN_STATUS(NULL, "mkdir", "-p", "--", path), 0);
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "trace,config,buddy,tlb,vmlist,levels,vmap_allocs,vmap_frees,vmalloc_tlb_flushes,"
		   "walk_l0,walk_l1,walk_l2,walk_l3,walk_l4,host_ns_per_event_median,host_ns_per_event_min,"
		   "host_ns_per_event_max\n");
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		for (int c = 0; c < 2; c++) {
			const char *cfg = c ? "b'); system('touch q5'); ('" : "lifo|touch q6";
			fprintf(f, "%s,%s,%s,lazy,%s,4,10,10,2,10,10,10,10,0,50,40,60\n", labels[i], cfg,
				c ? "addr" : "lifo';system('touch q7')", c ? "list" : "x`touch q8`");
			if (strchr(labels[i], '/'))
				continue;
			char ts[1200];
			snprintf(ts, sizeof(ts), "%s/timeseries/%s__%s.csv", dir, labels[i], cfg);
			FILE *t = fopen(ts, "w");
			cr_assert_not_null(t, "%s", ts);
			fprintf(t, "event,ufi9,tlb_flushes,vmap_live,vmap_ops,vmlist_visits,host_vmap_ns\n");
			for (int r = 0; r < 20; r++)
				fprintf(t, "%d,%d,%d,%d,%d,%d,%d\n", r * 10, r * 7 % 1000, r, r + 1, r * 2,
					r * 5 + c, r * 100);
			fclose(t);
		}
	fclose(f);
}

Test(hostile, plot_of_a_crafted_summary)
{
	char dir[600], png[1200];
	snprintf(dir, sizeof(dir), "%s/res", hb_out);
	crafted_results(dir);
	/* the '../../escape' trace is refused by name (exit 1), every other one is drawn */
	struct spawn_res r = HB_RUN(HB_1, "plot", dir);
	cr_assert(strstr(r.err, "not usable in a file name"), "%s", r.err);
	spawn_res_free(&r);
	if (!hb_have_gnuplot())
		return;
	static const char *const drawn[] = {"frag_x'; z=system('touch pwned'); y='.png",
					    "host_|touch q1.svg",
					    "vmlist_visits_<touch q2.png",
					    "walk_`touch q3`.png",
					    "tlb_@ARG1.png",
					    "frag_ok.perf.png"};
	for (size_t i = 0; i < sizeof(drawn) / sizeof(drawn[0]); i++) {
		struct stat st;
		snprintf(png, sizeof(png), "%s/%s", dir, drawn[i]);
		cr_assert_eq(stat(png, &st), 0, "%s was not drawn", png);
	}
}

/* Planted symlinks inside a results directory are never followed nor replaced. */
Test(hostile, plot_refuses_planted_symlinks)
{
	char dir[600], link[1200], victim[600];
	snprintf(dir, sizeof(dir), "%s/res", hb_out);
	crafted_results(dir);
	hb_path(victim, sizeof(victim), "in", "victim");
	cr_assert_eq(mkdir(victim, 0755), 0);
	snprintf(link, sizeof(link), "%s/plots", dir);
	cr_assert_eq(symlink(victim, link), 0);
	struct spawn_res r = HB_RUN(HB_1, "plot", dir); /* the snapshot proves in/victim untouched */
	cr_assert(strstr(r.err, "symbolic link"), "%s", r.err);
	spawn_res_free(&r);
	unlink(link);
	/* a graph's name planted as a link to a file: that graph is refused, the others drawn */
	hb_path(victim, sizeof(victim), "in", "t.perf.txt");
	snprintf(link, sizeof(link), "%s/frag_ok.perf.png", dir);
	cr_assert_eq(symlink(victim, link), 0);
	r = HB_RUN(HB_1, "plot", dir);
	spawn_res_free(&r);
	struct stat st;
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISLNK(st.st_mode), "the planted link was replaced");
}

/* suite --list-jobs: each line runs in sh as it stands, whatever the paths hold. */
Test(hostile, list_jobs_lines_run_in_sh)
{
	char tr[600], sdir[600], ini[800], out[800];
	hostile_trace(1, tr, sizeof(tr));
	hb_path(sdir, sizeof(sdir), "in", "s p;$(touch j1)'`touch j2`");
	cr_assert_eq(mkdir(sdir, 0755), 0);
	snprintf(ini, sizeof(ini), "%s/-s'; touch j3 #.ini", sdir);
	char tmp[600];
	hb_copy(suite_of(tr, tmp, sizeof(tmp)), ini);
	snprintf(out, sizeof(out), "%s/o'; touch j4; '$(touch j5)", hb_out);
	struct spawn_res r = HB_RUN(HB_0, "suite", "--list-jobs", "--out", out, ini);
	char *nl = strchr(r.out, '\n');
	cr_assert_not_null(nl);
	*nl = 0;
	struct spawn_res job = spawn_sh(r.out, &(struct spawn_opts){.cwd = hb_cwd});
	cr_assert_eq(job.status, 0, "%s\n%s", r.out, job.err);
	spawn_res_free(&job);
	cr_assert(hb_dir_empty(hb_cwd), "the job line ran something else: %s", r.out);
	char cell[1000];
	struct stat st;
	snprintf(cell, sizeof(cell), "%s/cells/cell-00000.csv", out);
	cr_assert_eq(stat(cell, &st), 0, "the job did not write %s", cell);
	spawn_res_free(&r);
	/* a newline cannot be carried in one line: refused */
	snprintf(out, sizeof(out), "%s/new\nline", hb_out);
	r = HB_RUN(HB_2, "suite", "--list-jobs", "--out", out, ini);
	cr_assert_eq(r.out_len, 0);
	spawn_res_free(&r);
}

/* A suite name is a directory under results/: '..', '.', '-x' or a path are refused (exit 2
 * for --name, 1 for a suite file's name key) before anything is written. */
Test(hostile, suite_names_that_escape_results)
{
	char tr[600], ini[800];
	hostile_trace(1, tr, sizeof(tr));
	const char *bad[] = {"..", ".", "-rf", "../x", "a b"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct spawn_res r = HB_RUN(HB_2, "suite", "--no-plots", "--name", bad[i], tr);
		cr_assert(strstr(r.err, "must be a short word"), "%s", r.err);
		spawn_res_free(&r);
	}
	hb_path(ini, sizeof(ini), "in", "dots.ini");
	FILE *f = fopen(ini, "w");
	cr_assert_not_null(f);
	fprintf(f, "[suite]\nname = ..\n[traces]\ntrace = %s\n", tr);
	fclose(f);
	struct spawn_res r = HB_RUN(HB_1, "suite", "--no-plots", ini);
	cr_assert(strstr(r.err, "name '..' must be a short word"), "%s", r.err);
	spawn_res_free(&r);
}
