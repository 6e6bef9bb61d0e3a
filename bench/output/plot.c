#include "bench/output/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "workloads/diag.h"
#include "workloads/outfile.h"

extern char **environ;

const char *plot_dir(void)
{
	const char *env = getenv("MMREPLAY_PLOTS");
	return env && *env ? env : MMREPLAY_PLOTS_DIR;
}

/* The -e text: numbers and fixed words only, from typed fields. */
static int plot_vars(const struct plot_req *r, char *buf, size_t len)
{
	double ys = r->yscale > 0 && isfinite(r->yscale) ? r->yscale : 1.0;
	int n = snprintf(buf, len,
			 "datafile='/dev/fd/3'; pngfile='/dev/fd/4'; svgfile='/dev/fd/5'; nseries=%d; "
			 "yscale=%.17g; logx=%d; logy=%d; points=%d; keypos=%d",
			 r->nseries > 0 ? r->nseries : 1, ys, r->logx, r->logy, r->points, (int)r->key);
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/* A descriptor >= 10 (so the dup2s to 2..5 never clobber one another), or -errno. */
static int high_fd(int fd)
{
	int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	return h < 0 ? -errno : h;
}

/* gnuplot's output as it arrives: copied to out (the log), the last line kept for messages. */
struct gp_out {
	int out;	/* the log, or 2 */
	int write_err;	/* the first error writing it (-errno), or 0 */
	char tail[512]; /* the last bytes read, NUL-terminated */
	size_t ntail;
};

static void gp_out_add(struct gp_out *g, const char *buf, size_t n)
{
	for (size_t done = 0; done < n && !g->write_err;) {
		ssize_t w = write(g->out, buf + done, n - done);
		if (w < 0 && errno != EINTR)
			g->write_err = -errno;
		done += w > 0 ? (size_t)w : 0;
	}
	size_t keep = sizeof(g->tail) - 1;
	if (n >= keep) {
		memcpy(g->tail, buf + n - keep, keep);
		g->ntail = keep;
	} else {
		size_t drop = g->ntail + n > keep ? g->ntail + n - keep : 0;
		memmove(g->tail, g->tail + drop, g->ntail - drop);
		memcpy(g->tail + g->ntail - drop, buf, n);
		g->ntail += n - drop;
	}
	g->tail[g->ntail] = 0;
}

/* The last non-empty line of what gnuplot printed (its error, usually: `"lines.gp" line 40:
 * all points y value undefined!`), one printable line, or "". */
static void gp_out_last(struct gp_out *g, char *buf, size_t len)
{
	size_t n = g->ntail;
	while (n && (g->tail[n - 1] == '\n' || g->tail[n - 1] == '\r' || g->tail[n - 1] == ' '))
		n--;
	g->tail[n] = 0;
	char *line = g->tail + n;
	while (line > g->tail && line[-1] != '\n')
		line--;
	diag_escape(buf, len, line);
}

static int spawn_gnuplot(const struct plot_req *r, int data, int png, int svg, struct gp_out *g, int *wstatus)
{
	char vars[512], script[4200];
	int err = plot_vars(r, vars, sizeof(vars));
	if (err)
		return err;
	snprintf(script, sizeof(script), "%s/%s", plot_dir(), r->script);
	char *argv[] = {"gnuplot",
			"-d",
			"-e",
			vars,
			"-c",
			script,
			(char *)(r->title ? r->title : ""),
			(char *)(r->xlabel ? r->xlabel : ""),
			(char *)(r->ylabel ? r->ylabel : ""),
			(char *)(r->note ? r->note : ""),
			NULL};
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	int fds[4] = {high_fd(data), high_fd(png), high_fd(svg), high_fd(pipefd[1])};
	close(pipefd[1]);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	for (int i = 0; i < 4; i++)
		if (fds[i] < 0)
			err = fds[i];
		else if (i < 3)
			posix_spawn_file_actions_adddup2(&fa, fds[i], 3 + i);
	if (fds[3] >= 0) { /* its messages into the pipe, read below */
		posix_spawn_file_actions_adddup2(&fa, fds[3], 1);
		posix_spawn_file_actions_adddup2(&fa, fds[3], 2);
	}
	posix_spawnattr_t at; /* SIGPIPE as gnuplot expects it (outfile.h ignores it here) */
	sigset_t dfl;
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
	pid_t pid;
	if (!err)
		err = -posix_spawnp(&pid, "gnuplot", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (!err) { /* until gnuplot's end of the pipe closes (it exits) */
		char buf[4096];
		for (ssize_t n; (n = read(pipefd[0], buf, sizeof(buf))) != 0;)
			if (n > 0)
				gp_out_add(g, buf, (size_t)n);
			else if (errno != EINTR)
				break;
	}
	close(pipefd[0]);
	if (err)
		return err;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*wstatus = status;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

/* Why a draw failed, in words: gnuplot missing, gnuplot's status and its last message, or a
 * full file system (gnuplot may end well having written nothing). */
static void plot_why(char *why, size_t len, int err, int status, bool empty, const char *last, int fd)
{
	struct statvfs sv;
	bool full = fd >= 0 && !fstatvfs(fd, &sv) && sv.f_bavail == 0;
	const char *sep = last[0] ? ": " : "";
	if (err == -ENOENT)
		snprintf(why, len, "gnuplot is not installed (not found on PATH): no graphs drawn");
	else if (err != -ECHILD)
		snprintf(why, len, "cannot run gnuplot: %s", strerror(-err));
	else if (full) /* what gnuplot said last is beside the point */
		snprintf(why, len, "no space left on the output's file system: gnuplot wrote %s",
			 empty ? "no graph" : "part of a graph");
	else if (WIFSIGNALED(status))
		snprintf(why, len, "gnuplot was killed by signal %d (%s)%s%s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)), sep, last);
	else if (!empty)
		snprintf(why, len, "gnuplot failed (exit %d)%s%s", WEXITSTATUS(status), sep, last);
	else
		snprintf(why, len, "gnuplot wrote no graph%s%s", sep, last);
}

/* gnuplot can exit 0 having drawn nothing (an empty plot is only a warning) */
static bool drawn(FILE *f)
{
	struct stat st;
	return !fstat(fileno(f), &st) && st.st_size > 0;
}

int plot_draw(const char *dir, const char *name, const struct plot_req *r, int log_fd, int *log_err,
	      char *why, size_t why_len)
{
	char png_name[NAME_MAX + 8], svg_name[NAME_MAX + 8];
	struct outfile png, svg;
	int err = 0;
	if (snprintf(png_name, sizeof(png_name), "%s.png", name) >= (int)sizeof(png_name) ||
	    snprintf(svg_name, sizeof(svg_name), "%s.svg", name) >= (int)sizeof(svg_name))
		err = -ENAMETOOLONG;
	if (!err && strchr(name, '/'))
		err = -EINVAL;
	if (err) {
		snprintf(why, why ? why_len : 0, "'%s' is not a file name", name);
		return err;
	}
	if ((err = outfile_open_in(&png, dir, png_name))) {
		snprintf(why, why ? why_len : 0, "%s: %s", png.path, outfile_error(&png, err));
		return err;
	}
	if ((err = outfile_open_in(&svg, dir, svg_name))) {
		snprintf(why, why ? why_len : 0, "%s: %s", svg.path, outfile_error(&svg, err));
		outfile_abort(&png);
		return err;
	}
	int status = 0;
	struct gp_out g = {.out = log_fd >= 0 ? log_fd : 2};
	err = spawn_gnuplot(r, r->data_fd, fileno(png.f), fileno(svg.f), &g, &status);
	bool empty = !err && (!drawn(png.f) || !drawn(svg.f));
	if (g.write_err && log_fd >= 0 && log_err)
		*log_err = g.write_err;
	if (err || empty) {
		char last[400], text[900];
		gp_out_last(&g, last, sizeof(last));
		plot_why(text, sizeof(text), err ? err : -ECHILD, status, empty, last, fileno(png.f));
		if (err == -ENOENT)
			snprintf(why, why ? why_len : 0, "%s", text);
		else
			snprintf(why, why ? why_len : 0, "%s: %s", png.path, text);
		outfile_abort(&png);
		outfile_abort(&svg);
		return err == -ENOENT ? -ENOENT : err ? err : -ECHILD;
	}
	if ((err = outfile_commit(&png))) {
		snprintf(why, why ? why_len : 0, "%s: %s", png.path, outfile_error(&png, err));
		outfile_abort(&svg);
	} else if ((err = outfile_commit(&svg))) {
		snprintf(why, why ? why_len : 0, "%s: %s", svg.path, outfile_error(&svg, err));
	}
	return err;
}
