/* Hostile files around the commands (and the corpus's other rooms):
 * outputs that are devices, symlinks, directories or inputs of the same run; stdout on a full
 * device; inputs with huge numbers, control bytes, truncated or odd compression, duplicate keys
 * and special files. hostile_box.h's rules hold for every run. */
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "tests/hostile_files.h"

TestSuite(hostile_io, .init = hb_setup, .fini = hb_teardown, .timeout = 600);

#define REPLAY1 "replay", "--quiet", "--vmlist", "list", "--tlb", "lazy", "--buddy", "lifo"

/* A write error is reported, once, with the device's reason; nothing is replaced. */
Test(hostile_io, full_device_outputs)
{
	struct spawn_res r = HB_RUN(HB_1, "convert", in("t.perf.txt"), "/dev/full");
	cr_assert(strstr(r.err, "No space left on device"), "%s", r.err);
	spawn_res_free(&r);
	r = HB_RUN(HB_1, REPLAY1, "--out", "/dev/full", in("t.perf.txt"));
	cr_assert(strstr(r.err, "No space left on device"), "%s", r.err);
	spawn_res_free(&r);
	HB_CHECK(HB_1, "gen", "fix_size", "--loops", "100000", "--out", "/dev/full");
	HB_CHECK(HB_1, "merge", "--out", "/dev/full", in("a.csv"));
	HB_CHECK(HB_0, "convert", in("t.perf.txt"), "/dev/null"); /* a device is written into */
	struct stat st;
	cr_assert_eq(stat("/dev/full", &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "/dev/full is still a device");
}

/* stdout on a full device: every command exits 1 with one message (main.c checks it once). */
Test(hostile_io, stdout_write_errors)
{
	struct spawn_res r = HB_RUN_TO(HB_1, "/dev/full", "info", in("t.perf.txt"));
	cr_assert(strstr(r.err, "mmreplay info: standard output: "), "%s", r.err);
	spawn_res_free(&r);
	r = HB_RUN_TO(HB_1, "/dev/full", "--help");
	spawn_res_free(&r);
	r = HB_RUN_TO(HB_1, "/dev/full", "compare", in("a.csv"));
	spawn_res_free(&r);
	r = HB_RUN_TO(HB_1, "/dev/full", "zones");
	spawn_res_free(&r);
	r = HB_RUN_TO(HB_1, "/dev/full", "convert", in("t.perf.txt"), "-");
	spawn_res_free(&r);
	r = HB_RUN_TO(HB_1, "/dev/full", "replay", "--vmlist", "list", "--tlb", "lazy", "--buddy", "lifo",
		      in("t.perf.txt"));
	spawn_res_free(&r);
}

/* Symlinks, directories and inputs at the output path are refused, and left as they were
 * (the snapshot covers in/, where the links point). */
Test(hostile_io, refused_outputs)
{
	cr_assert_eq(symlink(in("victim.csv"), out("link.csv")), 0);
	struct spawn_res r = HB_RUN(HB_1, REPLAY1, "--out", out("link.csv"), in("t.perf.txt"));
	cr_assert(strstr(r.err, "symbolic link"), "%s", r.err);
	spawn_res_free(&r);
	HB_CHECK(HB_1, "convert", in("t.perf.txt"), out("link.csv"));
	HB_CHECK(HB_1, "merge", "--out", out("link.csv"), in("a.csv"));
	cr_assert_eq(mkdir(out("dir.csv"), 0755), 0);
	HB_CHECK(HB_1, REPLAY1, "--out", out("dir.csv"), in("t.perf.txt"));
	/* an input of the same run, by name or through a hard link */
	r = HB_RUN(HB_1, "merge", "--out", in("a.csv"), in("a.csv"));
	cr_assert(strstr(r.err, "input of this run"), "%s", r.err);
	spawn_res_free(&r);
	cr_assert_eq(link(in("t.perf.txt"), out("hard.perf.txt")), 0);
	HB_CHECK(HB_1, "convert", in("t.perf.txt"), out("hard.perf.txt"));
	HB_CHECK(HB_1, REPLAY1, "--out", out("hard.perf.txt"), in("t.perf.txt"));
	struct stat st;
	cr_assert_eq(lstat(out("link.csv"), &st), 0);
	cr_assert(S_ISLNK(st.st_mode));
	/* a planted directory symlink below a results directory is not followed */
	cr_assert_eq(mkdir(in("victim.d"), 0755), 0);
	cr_assert_eq(mkdir(out("res"), 0755), 0);
	cr_assert_eq(symlink(in("victim.d"), out("res/timeseries")), 0);
	hb_copy(HOSTILE_DIR "/t.perf.txt", in("s.perf.txt"));
	FILE *f = fopen(in("s.ini"), "w");
	fprintf(f, "[suite]\nname = s\nrepeats = 1\n[traces]\ntrace = %s\n[axes]\nvmlist = list\n",
		in("s.perf.txt"));
	fclose(f);
	r = HB_RUN(HB_1, "suite", "--no-plots", "--out", out("res"), in("s.ini"));
	cr_assert(strstr(r.err, "timeseries: is a symbolic link"), "%s", r.err);
	spawn_res_free(&r);
}

/* Device nodes at the output path (as root only: mknod): a character device is written into,
 * a block device refused; neither is replaced by a regular file. */
Test(hostile_io, device_nodes)
{
	if (mknod(out("full"), S_IFCHR | 0666, makedev(1, 7)))
		cr_skip_test("mknod is not permitted here");
	/* an unassigned block device number: opening it could only fail, never write a disk */
	cr_assert_eq(mknod(out("blk"), S_IFBLK | 0600, makedev(259, 1048575)), 0);
	HB_CHECK(HB_1, "convert", in("t.perf.txt"), out("full"));
	struct spawn_res r = HB_RUN(HB_1, "convert", in("t.perf.txt"), out("blk"));
	cr_assert(strstr(r.err, "block device"), "%s", r.err);
	spawn_res_free(&r);
	struct stat st;
	cr_assert(!stat(out("full"), &st) && S_ISCHR(st.st_mode));
	cr_assert(!stat(out("blk"), &st) && S_ISBLK(st.st_mode));
}

/* Modes: a new file gets 0666 less the umask, a replaced one keeps its bits. */
Test(hostile_io, output_modes)
{
	HB_CHECK(HB_0, "convert", in("t.perf.txt"), out("a.mmr"));
	struct stat st;
	cr_assert_eq(stat(out("a.mmr"), &st), 0);
	mode_t um = umask(0);
	umask(um);
	cr_assert_eq(st.st_mode & 0777, 0666 & ~um);
	cr_assert_eq(chmod(out("a.mmr"), 0640), 0);
	HB_CHECK(HB_0, "convert", in("t.perf.txt"), out("a.mmr"));
	cr_assert_eq(stat(out("a.mmr"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0640);
	HB_CHECK(HB_0, REPLAY1, "--out", out("r.csv"), in("t.perf.txt"));
	cr_assert_eq(stat(out("r.csv"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0666 & ~um);
	cr_assert(hb_dir_empty(hb_cwd));
}

static const char *z_spec(const char *kind, const char *path)
{
	static char buf[1200];
	snprintf(buf, sizeof(buf), "%s%s", kind, path);
	return buf;
}

/* The corpus's odd inputs: a clear failure or a success, never a crash or a raw byte, through
 * every command that reads a trace or a machine file. */
Test(hostile_io, odd_inputs)
{
	static const char *const files[] = {"huge_numbers.perf.txt",
					    "ctrl_bytes.perf.txt",
					    "truncated.perf.txt.zst",
					    "skippable.perf.txt.zst",
					    "empty.txt",
					    "spaces_no_newline.txt",
					    "nr_lazy_max.perf.txt",
					    "a.csv",
					    "zoneinfo_dup.txt"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		HB_CHECK(HB_0 | HB_1, "info", in(files[i]));
		HB_CHECK(HB_0 | HB_1, "info", "--skip-bad", in(files[i]));
		HB_CHECK(HB_0 | HB_1, REPLAY1, in(files[i]));
		HB_CHECK(HB_0 | HB_1, "convert", in(files[i]), out("o.mmr"));
		/* every other command that reads a trace or a machine file */
		HB_CHECK(HB_0 | HB_1, "maps", in(files[i]));
		HB_CHECK(HB_0 | HB_1, REPLAY1, "--populate", "all", "--model-mem-max", "64M", in(files[i]));
		HB_CHECK(HB_0 | HB_1 | HB_2, "machine", in(files[i]));
		HB_CHECK(HB_0 | HB_1 | HB_2, "vmalloc-fidelity", in(files[i]));
		HB_CHECK(HB_0 | HB_1, "vmalloc-fidelity", "--vmalloc-state", in(files[i]), in("t.perf.txt"));
		HB_CHECK(HB_0 | HB_1, "frag", in(files[i]));
		HB_CHECK(HB_0 | HB_1 | HB_2, "zones", "--zones", z_spec("zoneinfo:", in(files[i])));
		HB_CHECK(HB_0 | HB_1 | HB_2, "zones", "--zones", z_spec("buddyinfo:", in(files[i])));
		HB_CHECK(HB_0 | HB_1 | HB_2, REPLAY1, "--pagetypeinfo", in(files[i]), in("t.perf.txt"));
		HB_CHECK(HB_0 | HB_1 | HB_2, REPLAY1, "--snapshots", in(files[i]), in("t.perf.txt"));
		HB_CHECK(HB_0 | HB_1, "bench", "vma", "--repeat", "1", in(files[i]));
	}
	/* a skippable frame first (pzstd) is read past */
	HB_CHECK(HB_0, "info", in("skippable.perf.txt.zst"));
	/* the input's terminal escapes reach stderr escaped (checked by hb_run for every run) */
	struct spawn_res r = HB_RUN(HB_1, "info", in("ctrl_bytes.perf.txt"));
	cr_assert(strstr(r.err, "\\x1b]0;pwned\\x07"), "%s", r.err);
	cr_assert(strstr(r.err, "ctrl_bytes.perf.txt:1: "), "FILE:LINE: %s", r.err);
	spawn_res_free(&r);
	/* special files as inputs */
	HB_CHECK(HB_1, "info", hb_in);
	HB_CHECK(HB_0 | HB_1, "info", "/dev/null");
	HB_CHECK(HB_1, "compare", hb_in);
	HB_CHECK(HB_1, "merge", "--out", out("m.csv"), "/dev/null");
}

/* CSV and machine-state inputs with duplicate keys, quotes, ragged rows and huge numbers. */
Test(hostile_io, csv_and_state_inputs)
{
	static const char *const csvs[] = {"a.csv", "dup_header.csv", "quoted.csv", "ragged.csv", "huge.csv"};
	for (size_t i = 0; i < sizeof(csvs) / sizeof(csvs[0]); i++) {
		HB_CHECK(HB_0 | HB_1, "compare", in(csvs[i]));
		HB_CHECK(HB_0 | HB_1, "merge", "--out", out("m.csv"), in(csvs[i]), in(csvs[i]));
	}
	HB_CHECK(HB_1, "plot", hb_in); /* in/summary.csv is missing: refused */
	char zi[700], bi[700];
	snprintf(zi, sizeof(zi), "zoneinfo:%s", in("zoneinfo_dup.txt"));
	snprintf(bi, sizeof(bi), "buddyinfo:%s", in("buddyinfo_huge.txt"));
	HB_CHECK(HB_0 | HB_1 | HB_2, "zones", "--zones", zi);
	HB_CHECK(HB_0 | HB_1 | HB_2, "zones", "--zones", bi);
	HB_CHECK(HB_0 | HB_1, "frag", in("buddyinfo_huge.txt"));
	/* endless input: the state readers cap a line */
	HB_CHECK(HB_1, "frag", "/dev/zero");
	HB_CHECK(HB_1 | HB_2, "zones", "--zones", "zoneinfo:/dev/zero");
	HB_CHECK(HB_0 | HB_1 | HB_2, "suite", "--no-plots", "--out", out("d"), in("dup_keys.ini"));
}

/* Entries of out/ that are temporaries (".NAME.tmp.RANDOM"). */
static int out_temporaries(void)
{
	DIR *d = opendir(hb_out);
	int n = 0;
	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d));)
		n += strstr(e->d_name, ".tmp.") != NULL;
	closedir(d);
	return n;
}

/* A replay killed by any terminating signal while its --out temporary is open (it waits on a
 * trace arriving on stdin) leaves no temporary and dies of that signal: SIGQUIT, SIGXFSZ,
 * SIGALRM and SIGUSR1 used to leave `.x.csv.tmp.*` behind. */
Test(hostile_io, signals_leave_no_temporaries)
{
	const int sigs[] = {SIGQUIT, SIGXFSZ, SIGALRM,	SIGUSR1, SIGUSR2, SIGVTALRM,
			    SIGPROF, SIGXCPU, SIGRTMIN, SIGTERM, SIGHUP,  SIGINT};
	char first[4096];
	FILE *t = fopen(in("t.perf.txt"), "r");
	cr_assert_not_null(t);
	size_t n = fread(first, 1, 600, t); /* a few whole lines */
	fclose(t);
	while (n && first[n - 1] != '\n')
		n--;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int fds[2];
		cr_assert_eq(pipe(fds), 0);
		pid_t pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			struct rlimit no_core = {0, 0};
			setrlimit(RLIMIT_CORE, &no_core);
			sigset_t none;
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			for (int s = 1; s < NSIG; s++)
				signal(s, SIG_DFL);
			dup2(fds[0], 0);
			close(fds[0]);
			close(fds[1]);
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 1);
			dup2(null, 2);
			if (chdir(hb_cwd))
				_exit(126);
			execl(spawn_mmreplay(), "mmreplay", REPLAY1, "--out", out("x.csv"), "-",
			      (char *)NULL);
			_exit(127);
		}
		close(fds[0]);
		cr_assert_eq(write(fds[1], first, n), (ssize_t)n);
		/* up to 60 s: under a loaded sanitizer build the start can take seconds */
		for (int w = 0; w < 6000 && !out_temporaries(); w++)
			poll(NULL, 0, 10);
		cr_assert_eq(out_temporaries(), 1, "signal %d: no temporary to begin with", sigs[i]);
		kill(pid, sigs[i]);
		int st;
		cr_assert_eq(waitpid(pid, &st, 0), pid);
		close(fds[1]);
		cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == sigs[i], "signal %d (%s): status %#x", sigs[i],
			  strsignal(sigs[i]), st);
		cr_assert_eq(out_temporaries(), 0, "%s left a temporary", strsignal(sigs[i]));
		cr_assert_neq(access(out("x.csv"), F_OK), 0);
	}
}

/* `replay --out X TRACE | head -1`: stdout's reader gone before anything is written. The run
 * used to die of SIGPIPE with X unwritten; now X is complete (every configuration's row, as
 * without the pipe) and the run says stdout failed (exit 1). */
Test(hostile_io, closed_stdout_keeps_file_outputs)
{
	HB_CHECK(HB_0, "replay", "--quiet", "--out", out("ref.csv"), in("t.perf.txt"));
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		if (chdir(hb_cwd))
			_exit(126);
		execl(spawn_mmreplay(), "mmreplay", "replay", "--out", out("x.csv"), in("t.perf.txt"),
		      (char *)NULL);
		_exit(127);
	}
	close(fds[0]); /* the reader is gone before the first write */
	close(fds[1]);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %#x (SIGPIPE is %d)", st, SIGPIPE);
	int lines[2] = {0, 0};
	const char *files[2] = {out("ref.csv"), out("x.csv")};
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");
		cr_assert_not_null(f, "%s", files[i]);
		for (int c; (c = fgetc(f)) != EOF;)
			lines[i] += c == '\n';
		fclose(f);
	}
	cr_assert_gt(lines[0], 2);
	cr_assert_eq(lines[1], lines[0], "rows: %d, without the pipe %d", lines[1], lines[0]);
	cr_assert_eq(out_temporaries(), 0);
}

/* Two outputs of one command naming one file (however spelled: the same name, "./", "d/..", a
 * hard link, "-" twice) are refused before anything runs, naming both options: one output
 * used to be lost (`replay --out X --snapshots-out X` kept only the snapshot rows). */
Test(hostile_io, two_outputs_one_file)
{
	const char *dir = hb_rec_copy("d_mixed5", "rec");
	char x[700], dotx[700], updown[700], hard[700];
	snprintf(x, sizeof(x), "%s", out("x.csv"));
	snprintf(dotx, sizeof(dotx), "%s/./x.csv", hb_out);
	cr_assert_eq(mkdir(out("d"), 0755), 0);
	snprintf(updown, sizeof(updown), "%s/d/../x.csv", hb_out);
	snprintf(hard, sizeof(hard), "%s", out("hard.csv"));
	const char *const spell[] = {x, dotx, updown};
	for (size_t i = 0; i < sizeof(spell) / sizeof(spell[0]); i++) {
		struct spawn_res r = HB_RUN(HB_2, REPLAY1, "--out", x, "--snapshots-out", spell[i], dir);
		cr_assert(strstr(r.err, "--out") && strstr(r.err, "--snapshots-out") &&
				  strstr(r.err, "name the same file: one output would be lost"),
			  "%s", r.err);
		spawn_res_free(&r);
		hb_refused(HB_RUN(HB_2, "machine", "--csv", spell[i], "--snap-csv", x, dir), "--snap-csv");
		cr_assert(hb_dir_empty(hb_out) || access(x, F_OK), "nothing was written");
	}
	/* an existing file through a hard link */
	FILE *f = fopen(x, "w");
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(link(x, hard), 0);
	hb_refused(HB_RUN(HB_2, "machine", "--csv", x, "--snap-csv", hard, dir), "name the same file");
	struct stat st;
	cr_assert_eq(stat(x, &st), 0);
	cr_assert_eq(st.st_size, 0, "left as it was");
	hb_refused(HB_RUN(HB_2, "machine", "--csv", "-", "--snap-csv", "-", dir), "name the same file");
	/* /dev/null keeps nothing, so nothing is lost */
	HB_CHECK(HB_0, "machine", "--csv", "/dev/null", "--snap-csv", "/dev/null", dir);
}
