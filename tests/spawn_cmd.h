/* Running programs from tests without a shell: argv arrays through posix_spawn, so a path with
 * a quote, a space or a semicolon is one argument and runs nothing (no system/popen
 * with interpolated strings; tests/test_hardening.c greps for them). A command that needs a
 * shell (a pipe, a glob) goes through SH, which takes a string literal only and the values as
 * positional parameters. */
#ifndef SPAWN_CMD_H
#define SPAWN_CMD_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The mmreplay under test: $MMREPLAY_BIN (to run a test against another build), else this
 * build's. */
static inline const char *spawn_mmreplay(void)
{
	const char *b = getenv("MMREPLAY_BIN");
	return b && *b ? b : MMREPLAY_BUILD_DIR "/bench/mmreplay";
}

struct spawn_opts {
	const char *cwd;      /* run there (NULL: here) */
	const char *in;	      /* stdin from this file (NULL: /dev/null) */
	const char *out_path; /* stdout to this file (truncated), instead of capturing it */
	unsigned timeout_s;   /* kill after this long (0: 600 s) */
};

struct spawn_res {
	int status;	 /* exit code; 128 + signal when killed; -1 when it did not run */
	bool timed_out;	 /* killed by the timeout */
	char *out, *err; /* stdout and stderr, NUL-terminated (malloc'd; spawn_res_free) */
	size_t out_len, err_len;
};

static inline char *spawn_slurp_fd(int fd, size_t *len)
{
	off_t n = lseek(fd, 0, SEEK_END);
	char *buf = malloc(n > 0 ? (size_t)n + 1 : 1);
	size_t got = 0;
	if (!buf)
		return NULL;
	if (n > 0 && pread(fd, buf, (size_t)n, 0) == n)
		got = (size_t)n;
	buf[got] = 0;
	*len = got;
	return buf;
}

/* Run argv[0] (a path, or a name looked up in PATH) with argv; never through a shell. */
static inline struct spawn_res spawn_v(const char *const *argv, const struct spawn_opts *o)
{
	struct spawn_opts def = {0};
	struct spawn_res r = {.status = -1};
	if (!o)
		o = &def;
	int fo = o->out_path ? open(o->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
			     : memfd_create("spawn-out", MFD_CLOEXEC);
	int fe = memfd_create("spawn-err", MFD_CLOEXEC);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, o->in ? o->in : "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fo, 1);
	posix_spawn_file_actions_adddup2(&fa, fe, 2);
	if (o->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	/* our child is ours to reap: a test runner's SIGCHLD handler or SIG_IGN must not take it;
	 * the child starts with this process's mask and default SIGCHLD */
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old_sa;
	sigset_t chld, old_mask;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigaction(SIGCHLD, &dfl, &old_sa);
	sigprocmask(SIG_BLOCK, &chld, &old_mask);
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &old_mask);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	pid_t pid;
	int e = fo < 0 || fe < 0 ? EBADF
				 : posix_spawnp(&pid, argv[0], &fa, &at, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (!e) {
		int st = -1;
		time_t end = time(NULL) + (o->timeout_s ? o->timeout_s : 600);
		for (;;) {
			pid_t w = waitpid(pid, &st, WNOHANG);
			if (w == pid)
				break;
			if (w < 0 && errno != EINTR)
				break;
			if (time(NULL) > end && !r.timed_out) {
				r.timed_out = true;
				kill(pid, SIGKILL);
			}
			usleep(2000);
		}
		r.status = st == -1	     ? -1
			   : WIFEXITED(st)   ? WEXITSTATUS(st)
			   : WIFSIGNALED(st) ? 128 + WTERMSIG(st)
					     : -1;
	}
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGCHLD, &old_sa, NULL);
	r.out = o->out_path || fo < 0 ? calloc(1, 1) : spawn_slurp_fd(fo, &r.out_len);
	r.err = fe < 0 ? calloc(1, 1) : spawn_slurp_fd(fe, &r.err_len);
	if (fo >= 0)
		close(fo);
	if (fe >= 0)
		close(fe);
	return r;
}

static inline void spawn_res_free(struct spawn_res *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* Exit status of argv (output discarded). */
static inline int spawn_status_v(const char *const *argv, const struct spawn_opts *o)
{
	struct spawn_res r = spawn_v(argv, o);
	spawn_res_free(&r);
	return r.status;
}

/* Run one command line mmreplay printed for a POSIX shell (suite --list-jobs) or a test's
 * quoting check: the line is the thing under test, so it goes to sh as it stands. */
static inline struct spawn_res spawn_sh(const char *line, const struct spawn_opts *o)
{
	return spawn_v((const char *const[]){"/bin/sh", "-c", line, NULL}, o);
}

static inline int spawn_sh_line(const char *line)
{
	struct spawn_res r = spawn_sh(line, NULL);
	spawn_res_free(&r);
	return r.status;
}

#define SPAWN_ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})
/* spawn_v / spawn_status_v with the arguments listed inline. */
#define SPAWN(opts, ...) spawn_v(SPAWN_ARGV(__VA_ARGS__), opts)
#define SPAWN_STATUS(opts, ...) spawn_status_v(SPAWN_ARGV(__VA_ARGS__), opts)
/* mmreplay ARGS... */
#define MMR(opts, ...) SPAWN(opts, spawn_mmreplay(), __VA_ARGS__)
#define MMR_STATUS(opts, ...) SPAWN_STATUS(opts, spawn_mmreplay(), __VA_ARGS__)
/* A shell command that must be a string literal (the "" "" accept nothing else); values reach
 * it as positional parameters, quoted where used ("$1", "$2"...), never pasted into the text:
 *   SH(NULL, "test -s \"$1\"/u.zst", dir) */
#define SH(opts, lit, ...) SPAWN_STATUS(opts, "/bin/sh", "-c", "" lit "", "sh", ##__VA_ARGS__)

#endif
