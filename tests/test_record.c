/* The recorder scripts (workloads/record/record-user.sh, record-kernel.sh) run for real: record a tiny
 * command and check that every line of the compressed output is a strace / perf script line of
 * the kind the readers take. Parts that need strace, ptrace or perf permission skip (with the
 * reason) where the machine does not allow them; usage errors and a missing tool are checked
 * everywhere. */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/info_csv.h"
#include "tests/spawn_cmd.h"
#include "tests/zst_slurp.h"

#define SCRIPTS MMREPLAY_DATA_DIR "/../workloads/record"

/* sh("script using \"$1\"...", values...): the values are positional parameters (spawn_cmd.h) */
#define sh(...) SH(NULL, __VA_ARGS__)

static char *zst_text(const char *path)
{
	size_t n;
	return zst_slurp(path, &n);
}

/* Every line matches re; returns the number of lines. */
static unsigned all_lines_match(char *text, const char *pattern)
{
	regex_t re;
	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	unsigned n = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), n++)
		cr_assert_eq(regexec(&re, line, 0, NULL, 0), 0, "line %u is not a trace line: %s", n + 1,
			     line);
	regfree(&re);
	return n;
}

static char tmpdir[64];

static void mktmp(void)
{
	strcpy(tmpdir, "/tmp/mmreplay_rec_XXXXXX");
	cr_assert(mkdtemp(tmpdir));
}

static void rmtmp(void)
{
	sh("rm -rf \"$1\"", tmpdir);
}

/* strace -f line: "PID name(args) = result", a split call's halves, or a signal notice. */
#define STRACE_LINE                                                                                          \
	"^[0-9]+ +([a-z_0-9]+\\(.*\\) += [-?0-9]|[a-z_0-9]+\\(.*<unfinished \\.\\.\\.>$|<\\.\\.\\. "         \
	"[a-z_0-9]+ resumed>|--- SIG[A-Z0-9]+ )"

Test(record_user, records_a_command, .init = mktmp, .fini = rmtmp)
{
	if (sh("command -v strace >/dev/null"))
		cr_skip_test("strace is not installed");
	int rc = sh("\"$1\"/record-user.sh -o \"$2\"/u.strace.txt.zst sh -c '/bin/true; exit 0' 2>\"$2\"/err",
		    SCRIPTS, tmpdir);
	if (rc == 3 && !sh("grep -q 'not permitted' \"$1\"/err", tmpdir))
		cr_skip_test("ptrace is not permitted here");
	cr_assert_eq(rc, 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/u.strace.txt.zst", tmpdir);
	char *text = zst_text(path);
	cr_assert(strstr(text, "execve(\"/bin/true\""), "the child's execve is traced (-f)");
	cr_assert(strstr(text, " mmap("), "memory calls are traced");
	cr_assert(strstr(text, "exit_group(0)"));
	cr_assert(!strstr(text, "+++ exited"), "-qq hides exit notices");
	cr_assert_gt(all_lines_match(text, STRACE_LINE), 10);
	free(text);
	if (info_available()) { /* the strace reader takes it: sh, its child true, both exit */
		cr_assert_eq(info_count(path, "exec"), 2);
		cr_assert_eq(info_count(path, "exit"), 2);
		cr_assert_geq(info_count(path, "fork"), 1);
		cr_assert_gt(info_count(path, "mmap"), 0);
	}
	cr_assert_neq(sh("ls \"$1\" | grep -q tmp", tmpdir), 0, "no temporary left behind");
}

Test(record_user, keeps_the_command_status, .init = mktmp, .fini = rmtmp)
{
	if (sh("command -v strace >/dev/null"))
		cr_skip_test("strace is not installed");
	int rc = sh("\"$1\"/record-user.sh -o \"$2\"/u.zst sh -c 'exit 5' 2>/dev/null", SCRIPTS, tmpdir);
	if (rc == 3)
		cr_skip_test("strace cannot trace here");
	cr_assert_eq(rc, 5);
	cr_assert_eq(sh("test -s \"$1\"/u.zst", tmpdir), 0, "the trace of a failing command is kept");
}

Test(record_scripts, usage_errors_and_missing_tools, .init = mktmp, .fini = rmtmp)
{
	cr_assert_eq(sh("\"$1\"/record-user.sh 2>/dev/null", SCRIPTS), 2);
	cr_assert_eq(sh("\"$1\"/record-user.sh --bogus true 2>/dev/null", SCRIPTS), 2);
	cr_assert_eq(sh("\"$1\"/record-kernel.sh 2>/dev/null", SCRIPTS), 2);
	cr_assert_eq(sh("\"$1\"/record-kernel.sh -o 2>/dev/null", SCRIPTS), 2);
	/* a PATH with the shell tools the scripts use but no perf and no strace */
	cr_assert_eq(sh("mkdir \"$1\"/bin && for t in sh cat id dirname basename mktemp rm mkdir mv wc sed "
			"grep zstd "
			"uname; do ln -s \"$(command -v $t)\" \"$1\"/bin/$t || exit 1; done",
			tmpdir),
		     0);
	cr_assert_eq(sh("PATH=\"$1\"/bin \"$2\"/record-kernel.sh -o \"$1\"/k.zst true 2>\"$1\"/err", tmpdir,
			SCRIPTS),
		     3);
	cr_assert_eq(sh("grep -q \"'perf' not found\" \"$1\"/err", tmpdir), 0);
	cr_assert_eq(sh("PATH=\"$1\"/bin \"$2\"/record-user.sh -o \"$1\"/u.zst true 2>\"$1\"/err", tmpdir,
			SCRIPTS),
		     3);
	cr_assert_eq(sh("grep -q \"'strace' not found\" \"$1\"/err", tmpdir), 0);
	cr_assert_neq(sh("test -e \"$1\"/k.zst || test -e \"$1\"/u.zst", tmpdir), 0, "no output on failure");
}

/* The corpus recorder's plan: every kind of workload, paths kept as one word each (a folder
 * with a space), names checked before anything is recorded. */
Test(record_scripts, corpus_plan, .init = mktmp, .fini = rmtmp)
{
	cr_assert_eq(sh("\"$1\"/record-corpus.sh -n 2>/dev/null", SCRIPTS), 2, "-o is required");
	cr_assert_eq(sh("\"$1\"/record-corpus.sh -n -o \"$2\"/c --only nope 2>/dev/null", SCRIPTS, tmpdir),
		     2);
	cr_assert_eq(sh("\"$1\"/record-corpus.sh -n -o \"$2/my c\" >\"$2\"/plan", SCRIPTS, tmpdir), 0);
	static const char *const kinds[] = {"wl_forkwaves.sh", "wl_seccomp_storm.py",
					    "wl_forkexec.sh",  "wl_pagecache.py",
					    "wl_thp_hog.py",   "wl_pressure.py pagecache"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		cr_assert_eq(sh("grep -q -- \"$2\" \"$1\"/plan", tmpdir, kinds[i]), 0, "%s", kinds[i]);
	cr_assert_eq(sh("test \"$(wc -l <\"$1\"/plan)\" -ge 8", tmpdir), 0, "at least eight recordings");
	cr_assert_eq(sh("grep -q 'my\\\\ c/thp-hog ' \"$1\"/plan", tmpdir), 0,
		     "the folder quoted as one word");
	cr_assert_eq(sh("grep -c ' fill ' \"$1\"/plan | grep -qx 3", tmpdir), 0,
		     "three under memory pressure");
	cr_assert_eq(sh("\"$1\"/record-corpus.sh -n -o \"$2\"/c --only seccomp,forkexec | wc -l | grep -qx 2",
			SCRIPTS, tmpdir),
		     0);
	cr_assert_neq(sh("test -e \"$1\"/c || test -e \"$1/my c\"", tmpdir), 0, "a dry run records nothing");
	/* a planted link where the log goes: refused before anything runs, its target untouched */
	cr_assert_eq(sh("mkdir \"$1\"/p && ln -s \"$1\"/victim \"$1\"/p/log.txt", tmpdir), 0);
	cr_assert_eq(sh("\"$1\"/record-corpus.sh -o \"$2\"/p --only seccomp 2>/dev/null", SCRIPTS, tmpdir),
		     2);
	cr_assert_neq(sh("test -e \"$1\"/victim", tmpdir), 0, "the link's target was written");
}

/* The pressure workloads' scratch folder: the fill stops, saying why, when the disk runs short
 * (never by ENOSPC with the files left behind), and clean deletes only the files the workloads
 * write, never a user's file or a link's target in a shared folder. */
Test(record_scripts, pressure_fill_and_clean, .init = mktmp, .fini = rmtmp)
{
	cr_assert_eq(sh("python3 \"$1\"/wl_pressure.py fill --dir \"$2\"/f --free-mib 0 "
			"--keep-disk-gib 1000000 >\"$2\"/out",
			SCRIPTS, tmpdir),
		     0);
	cr_assert_eq(sh("grep -q 'fill: 0 GiB written.*stopped:.*disk left' \"$1\"/out", tmpdir), 0);
	/* a scratch folder that is a link (planted in /var/tmp) is refused, nothing written there */
	cr_assert_eq(sh("mkdir \"$1\"/vd && ln -s vd \"$1\"/lf", tmpdir), 0);
	cr_assert_neq(sh("python3 \"$1\"/wl_pressure.py fill --dir \"$2\"/lf --free-mib 0 2>/dev/null",
			 SCRIPTS, tmpdir),
		      0);
	cr_assert_eq(sh("test -z \"$(ls -A \"$1\"/vd)\"", tmpdir), 0, "written through the link");
	cr_assert_eq(sh("cd \"$1\"/f && mkdir small3 && : >small3/0 && : >fill0000 && : >w1 && "
			": >mine && : >../victim && ln -s ../victim w2",
			tmpdir),
		     0);
	cr_assert_eq(sh("python3 \"$1\"/wl_pressure.py clean --dir \"$2\"/f", SCRIPTS, tmpdir), 0);
	cr_assert_eq(sh("cd \"$1\"/f && test -f mine && test -L w2 && test -f ../victim", tmpdir), 0,
		     "clean removed a file it did not write");
	cr_assert_neq(sh("cd \"$1\"/f && test -e small3 || test -e fill0000 || test -e w1", tmpdir), 0,
		      "clean left the workloads' files");
}

/* The corpus's figure table: the five views of a bundled recording, one row with every bound
 * checked (d_bpf3 keeps all of them: no cross), the outputs kept, never written over. */
Test(record_scripts, corpus_figures_table, .init = mktmp, .fini = rmtmp)
{
	cr_assert_eq(sh("python3 \"$1\"/corpus-figures.py 2>/dev/null", SCRIPTS), 2,
		     "a recording is required");
	cr_assert_eq(sh("python3 \"$1\"/corpus-figures.py --mmreplay \"$2\" --out \"$3\"/o \"$4\" >\"$3\"/t",
			SCRIPTS, spawn_mmreplay(), tmpdir, MMREPLAY_DATA_DIR "/recordings/d_bpf3"),
		     0);
	cr_assert_eq(
		sh("grep -c '^| d_bpf3 | 99\\.[0-9] % (100\\.0 %) | 13 / 13 | 100\\.0 % | in range | 0 / ' "
		   "\"$1\"/t | grep -qx 1",
		   tmpdir),
		0, "the row of d_bpf3");
	cr_assert_neq(sh("grep -q '✗' \"$1\"/t", tmpdir), 0, "d_bpf3 is within every bound");
	cr_assert_eq(sh("test \"$(ls \"$1\"/o | wc -l)\" = 5", tmpdir), 0, "five views kept");
	cr_assert_eq(sh("python3 \"$1\"/corpus-figures.py --mmreplay \"$2\" --out \"$3\"/o \"$4\" >/dev/null "
			"2>&1",
			SCRIPTS, spawn_mmreplay(), tmpdir, MMREPLAY_DATA_DIR "/recordings/d_bpf3"),
		     1, "an earlier output is not written over");
}

/* perf script default output: "COMM PID [CPU] SECS.USECS: subsystem:event: fields"; a task perf
 * could not name shows as ":-1    -1". The recorder's header lines (rec_lib.sh) come first. */
#define PERF_LINE "^ *.+ +-?[0-9]+ +\\[[0-9]{3,}\\] +[0-9]+\\.[0-9]+: +(vmalloc|kmem|tlb|sched):[a-z_]+: "
#define PERF_MM_LINE "^ *.+ +-?[0-9]+ +\\[[0-9]{3,}\\] +[0-9]+\\.[0-9]+: +(vmalloc|kmem|tlb):[a-z_]+: "
#define HEADER_LINE                                                                                          \
	"^# mmreplay-(workload: pid=[1-9][0-9]* command=.+|task: pid=[0-9]+ tgid=[0-9]+ ppid=[0-9]+ "        \
	"cgroup=.* comm=.*)$"

/* Lines of text matching pattern. */
static unsigned count_lines(const char *text, const char *pattern)
{
	regex_t re;
	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	unsigned n = 0;
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *line = strndup(p, len);
		n += !regexec(&re, line, 0, NULL, 0);
		free(line);
		p += len + (e != NULL);
	}
	regfree(&re);
	return n;
}

Test(record_kernel, records_when_permitted, .init = mktmp, .fini = rmtmp, .timeout = 120)
{
	if (sh("command -v perf >/dev/null"))
		cr_skip_test("perf is not installed");
	int rc = sh("\"$1\"/record-kernel.sh -o \"$2\"/k.perf.txt.zst /bin/true 2>\"$2\"/err", SCRIPTS,
		    tmpdir);
	if (rc == 3)
		cr_skip_test(
			"perf may not record system-wide tracepoints here (see record-kernel.sh's message)");
	cr_assert_eq(rc, 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/k.perf.txt.zst", tmpdir);
	char *text = zst_text(path);
	cr_assert(strstr(text, " kmem:mm_page_alloc: "), "exec allocates pages");
	cr_assert(!strncmp(text, "# mmreplay-workload: pid=", 25), "the trace names the command first");
	cr_assert(strstr(text, " command=/bin/true\n"));
	cr_assert(strstr(text, " sched:sched_process_exec: filename=/bin/true "), "the command's exec");
	unsigned headers = count_lines(text, HEADER_LINE);
	unsigned mm = count_lines(text, PERF_MM_LINE);
	cr_assert_gt(headers, 2, "the task table of the machine (%u header lines)", headers);
	char *body = text;
	for (unsigned i = 0; i < headers; i++)
		body = strchr(body, '\n') + 1;
	unsigned lines = all_lines_match(body, PERF_LINE);
	cr_assert_gt(mm, 0);
	cr_assert_gt(lines, mm, "process events beside the memory events");
	free(text);
	if (info_available()) { /* the perf reader takes every memory-event line */
		long long sum = 0;
		const char *kinds[] = {"page_alloc", "page_free",  "vmap_alloc",
				       "vmap_free",  "vmap_purge", "tlb_flush"};
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			long long n = info_count(path, kinds[i]);
			cr_assert_geq(n, 0, "%s", kinds[i]);
			sum += n;
		}
		cr_assert_eq(sum, mm);
	}
}

/* A buffer far too small for a busy command: perf loses events, and the recorder refuses to
 * write the trace unless told to keep it. */
Test(record_kernel, refuses_lost_events, .init = mktmp, .fini = rmtmp, .timeout = 240)
{
	if (sh("command -v perf >/dev/null"))
		cr_skip_test("perf is not installed");
	const char *cmd = "tar cf - /usr/share/doc 2>/dev/null | gzip -1 >/dev/null";
	int rc = sh("\"$1\"/record-kernel.sh -m 1 -o \"$2\"/k.zst -- sh -c \"$3\" 2>\"$2\"/err", SCRIPTS,
		    tmpdir, cmd);
	if (rc == 3)
		cr_skip_test("perf may not record system-wide tracepoints here");
	cr_assert_eq(rc, 4, "a 1-page buffer loses events");
	cr_assert_eq(sh("grep -q 'perf lost .* no trace written' \"$1\"/err", tmpdir), 0);
	cr_assert_neq(sh("ls \"$1\"/k.zst* 2>/dev/null | grep -q .", tmpdir), 0, "nothing under any name");
	rc = sh("\"$1\"/record-kernel.sh -m 1 --allow-lost -o \"$2\"/k.zst -- sh -c \"$3\" 2>\"$2\"/err",
		SCRIPTS, tmpdir, cmd);
	cr_assert_eq(rc, 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/k.zst", tmpdir);
	char *text = zst_text(path);
	cr_assert(count_lines(text, ": PERF_RECORD_LOST lost [1-9][0-9]*$") > 0,
		  "the losses are in the trace");
	free(text);
}
