/* workloads/outfile.c: the rules every output file follows (outfile.h), one by one, on the
 * module itself; the commands' side is in test_hostile_io.c. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/output/csv.h"
#include "workloads/outfile.h"
#include "tests/spawn_cmd.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/mmreplay-outfile-XXXXXX");
	cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
	SPAWN_STATUS(NULL, "rm", "-rf", "--", dir);
}

TestSuite(outfile, .init = setup, .fini = teardown);

static const char *p(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Entries of d whose name holds ".tmp." (temporaries), counted. */
static int temporaries(const char *d)
{
	DIR *dp = opendir(d);
	int n = 0;
	cr_assert_not_null(dp);
	for (struct dirent *e; (e = readdir(dp));)
		n += strstr(e->d_name, ".tmp.") != NULL;
	closedir(dp);
	return n;
}

Test(outfile, temporary_is_hidden_random_and_published_whole)
{
	struct outfile a, b;
	cr_assert_eq(outfile_open(&a, p("x.csv")), 0);
	cr_assert_eq(outfile_open(&b, p("x.csv")), -EEXIST, "a second output of one run to one file");
	outfile_new_run();
	cr_assert_eq(outfile_open(&b, p("x.csv")), 0, "another run's output");
	cr_assert_str_neq(a.tmp, b.tmp, "two writers, two temporaries");
	cr_assert_eq(a.tmp[0], '.', "hidden from *.csv globs");
	cr_assert_eq(strlen(a.tmp), strlen(".x.csv.tmp.") + 12);
	fputs("a\n", a.f);
	fputs("b\n", b.f);
	cr_assert_neq(access(p("x.csv"), F_OK), 0, "nothing is visible before commit");
	cr_assert_eq(outfile_commit(&a), 0);
	cr_assert_str_eq(slurp(p("x.csv")), "a\n");
	outfile_abort(&b);
	cr_assert_str_eq(slurp(p("x.csv")), "a\n", "abort leaves the target as it was");
	cr_assert_eq(temporaries(dir), 0);
}

Test(outfile, mode_new_and_replaced)
{
	mode_t um = umask(022);
	struct outfile o;
	struct stat st;
	cr_assert_eq(outfile_open(&o, p("m")), 0);
	cr_assert_eq(outfile_commit(&o), 0);
	cr_assert_eq(stat(p("m"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0644);
	cr_assert_eq(chmod(p("m"), 0604), 0);
	outfile_new_run();
	cr_assert_eq(outfile_open(&o, p("m")), 0);
	cr_assert_eq(outfile_commit(&o), 0);
	cr_assert_eq(stat(p("m"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0604, "the replaced file's bits are kept");
	umask(um);
}

Test(outfile, symlinks_refused_and_untouched)
{
	FILE *f = fopen(p("target"), "w");
	fputs("keep\n", f);
	fclose(f);
	cr_assert_eq(symlink(p("target"), p("link")), 0);
	struct outfile o;
	int e = outfile_open(&o, p("link"));
	cr_assert_eq(e, -ELOOP);
	cr_assert(strstr(outfile_error(&o, e), "symbolic link"), "%s", outfile_error(&o, e));
	cr_assert_str_eq(slurp(p("target")), "keep\n");
	/* a directory symlink below a root is not followed; the root itself may be one */
	cr_assert_eq(mkdir(p("real"), 0755), 0);
	cr_assert_eq(symlink(p("real"), p("sub")), 0);
	e = outfile_open_in(&o, dir, "sub/x.csv");
	cr_assert_eq(e, -ELOOP, "%s", outfile_error(&o, e));
	cr_assert_eq(outfile_open_in(&o, p("sub"), "y.csv"), 0, "%s", o.why);
	cr_assert_eq(outfile_commit(&o), 0);
	cr_assert_eq(access(p("real/y.csv"), F_OK), 0);
	/* plain names only below a root */
	cr_assert_eq(outfile_open_in(&o, dir, "../x.csv"), -EINVAL);
	cr_assert_eq(outfile_open_in(&o, dir, "a//x.csv"), -EINVAL);
	cr_assert_eq(outfile_open(&o, p("d/")), -EISDIR);
	cr_assert_eq(temporaries(dir), 0);
}

Test(outfile, directories_created_below)
{
	struct outfile o;
	cr_assert_eq(outfile_open(&o, p("a/b/c/x.csv")), 0, "%s", o.why);
	cr_assert_eq(outfile_commit(&o), 0);
	cr_assert_eq(outfile_open_in(&o, p("r/s"), "t/u/x.csv"), 0, "%s", o.why);
	cr_assert_eq(outfile_commit(&o), 0);
	cr_assert_eq(access(p("r/s/t/u/x.csv"), F_OK), 0);
	cr_assert_eq(mkdir_p(p("q/r")), 0);
	struct stat st;
	cr_assert(!stat(p("q/r"), &st) && S_ISDIR(st.st_mode));
	cr_assert_eq(outfile_mkdirs(dir, "plots/deep"), 0);
	cr_assert(!stat(p("plots/deep"), &st) && S_ISDIR(st.st_mode));
}

Test(outfile, fifo_streamed_by_name_refused_below_a_root)
{
	cr_assert_eq(mkfifo(p("fifo"), 0600), 0);
	int rd = open(p("fifo"), O_RDONLY | O_NONBLOCK);
	cr_assert_geq(rd, 0);
	struct outfile o;
	cr_assert_eq(outfile_open(&o, p("fifo")), 0, "%s", o.why);
	fputs("through\n", o.f);
	cr_assert_eq(outfile_commit(&o), 0);
	char buf[32] = {0};
	cr_assert_eq(read(rd, buf, sizeof(buf) - 1), 8);
	cr_assert_str_eq(buf, "through\n");
	close(rd);
	struct stat st;
	cr_assert(!lstat(p("fifo"), &st) && S_ISFIFO(st.st_mode), "the FIFO is still a FIFO");
	int e = outfile_open_in(&o, dir, "fifo");
	cr_assert_eq(e, -EPERM);
	cr_assert(strstr(outfile_error(&o, e), "FIFO"), "%s", outfile_error(&o, e));
}

Test(outfile, inputs_are_never_replaced)
{
	FILE *f = fopen(p("in.csv"), "w");
	fputs("input\n", f);
	fclose(f);
	int fd = open(p("in.csv"), O_RDONLY);
	outfile_note_input(fd);
	close(fd);
	cr_assert_eq(link(p("in.csv"), p("alias.csv")), 0);
	struct outfile o;
	cr_assert_eq(outfile_open(&o, p("alias.csv")), -EEXIST);
	/* an input noted after the output was opened is caught at commit */
	f = fopen(p("late.csv"), "w");
	fputs("late\n", f);
	fclose(f);
	cr_assert_eq(outfile_open(&o, p("late.csv")), 0);
	fd = open(p("late.csv"), O_RDONLY);
	outfile_note_input(fd);
	close(fd);
	fputs("overwrite\n", o.f);
	cr_assert_eq(outfile_commit(&o), -EEXIST);
	cr_assert_str_eq(slurp(p("late.csv")), "late\n");
	cr_assert_eq(temporaries(dir), 0);
}

/* SIGTERM while a temporary is open: the handler removes it, then the process dies of the
 * signal as it would have. */
Test(outfile, signal_removes_temporaries)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct csv a, b;
		if (csv_open(&a, p("s1.csv")) || csv_open_in(&b, dir, "sub/s2.csv"))
			_exit(3);
		fputs("partial", a.f);
		fflush(a.f);
		raise(SIGTERM);
		_exit(4);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %#x", st);
	cr_assert_eq(temporaries(dir), 0);
	cr_assert_eq(temporaries(p("sub")), 0);
	cr_assert_neq(access(p("s1.csv"), F_OK), 0);
}

/* Every signal whose default action ends the process removes the temporaries (SIGQUIT,
 * SIGALRM, SIGUSR1 ... used to leave them), and the process still dies of that signal. A
 * fault signal a sanitizer handles itself is not ours to take: the child says so (5).
 * SIGPIPE is ignored once a temporary is open (below). */
Test(outfile, every_terminating_signal_removes_temporaries)
{
	const int sigs[] = {SIGQUIT, SIGXFSZ, SIGALRM, SIGUSR1, SIGUSR2, SIGVTALRM, SIGPROF, SIGTERM,
			    SIGINT,  SIGHUP,  SIGXCPU, SIGIO,	SIGPWR,	 SIGSTKFLT, SIGTRAP, SIGSYS,
			    SIGABRT, SIGSEGV, SIGBUS,  SIGFPE,	SIGILL,	 SIGRTMIN,  SIGRTMAX};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		pid_t pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			struct rlimit no_core = {0, 0};
			setrlimit(RLIMIT_CORE, &no_core); /* SIGQUIT, SIGSEGV, ...: no core file */
			struct sigaction cur;
			sigaction(sigs[i], NULL, &cur);
			if (cur.sa_handler != SIG_DFL)
				_exit(5);
			struct csv a;
			if (csv_open(&a, p("sig.csv")))
				_exit(3);
			fputs("partial", a.f);
			fflush(a.f);
			raise(sigs[i]);
			_exit(4);
		}
		int st;
		cr_assert_eq(waitpid(pid, &st, 0), pid);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 5)
			continue;
		cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == sigs[i], "signal %d: status %#x", sigs[i], st);
		cr_assert_eq(temporaries(dir), 0, "signal %d (%s) left a temporary", sigs[i],
			     strsignal(sigs[i]));
	}
}

/* With a file output open, SIGPIPE (a reader that closed stdout) no longer ends the run: it is
 * ignored, the write fails with EPIPE, and the file is still committed. */
Test(outfile, sigpipe_ignored_while_files_are_written)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		struct csv a;
		int fds[2];
		if (csv_open(&a, p("kept.csv")) || pipe(fds))
			_exit(3);
		close(fds[0]);
		raise(SIGPIPE);
		if (write(fds[1], "x", 1) != -1 || errno != EPIPE)
			_exit(4);
		fputs("whole\n", a.f);
		_exit(csv_commit(&a) ? 5 : 0);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	cr_assert_str_eq(slurp(p("kept.csv")), "whole\n");
	cr_assert_eq(temporaries(dir), 0);
}

/* A real SIGXFSZ: the file size limit reached while writing a temporary. */
Test(outfile, file_size_limit_removes_temporary)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct rlimit lim = {4096, 4096}, no_core = {0, 0};
		setrlimit(RLIMIT_CORE, &no_core);
		struct csv a;
		if (csv_open(&a, p("big.csv")))
			_exit(3);
		setrlimit(RLIMIT_FSIZE, &lim);
		for (int k = 0; k < 1000; k++)
			fputs("0123456789abcdef0123456789abcdef\n", a.f);
		fflush(a.f);
		_exit(4);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGXFSZ, "status %#x", st);
	cr_assert_eq(temporaries(dir), 0);
	cr_assert_neq(access(p("big.csv"), F_OK), 0);
}

Test(outfile, stdout_and_write_errors)
{
	struct outfile o;
	cr_assert_eq(outfile_open(&o, "-"), 0);
	cr_assert_eq(o.f, stdout);
	cr_assert_eq(outfile_commit(&o), 0);
	cr_assert_eq(outfile_open(&o, "/dev/full"), 0, "%s", o.why);
	for (int i = 0; i < 10000; i++)
		fputs("0123456789", o.f);
	int e = outfile_commit(&o);
	cr_assert_eq(e, -ENOSPC, "%d %s", e, outfile_error(&o, e));
	struct stat st;
	cr_assert(!stat("/dev/full", &st) && S_ISCHR(st.st_mode));
}
