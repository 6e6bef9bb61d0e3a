#include "bench/output/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
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

static int spawn_gnuplot(const struct plot_req *r, int data, int png, int svg, int log)
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
	int fds[4] = {high_fd(data), high_fd(png), high_fd(svg), log >= 0 ? high_fd(log) : -1};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	for (int i = 0; i < 3; i++)
		if (fds[i] < 0)
			err = fds[i];
		else
			posix_spawn_file_actions_adddup2(&fa, fds[i], 3 + i);
	if (fds[3] >= 0) {
		posix_spawn_file_actions_adddup2(&fa, fds[3], 1);
		posix_spawn_file_actions_adddup2(&fa, fds[3], 2);
	}
	pid_t pid;
	if (!err)
		err = -posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (err)
		return err == -ENOENT ? -ECHILD : err;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

/* gnuplot can exit 0 having drawn nothing (an empty plot is only a warning) */
static bool drawn(FILE *f)
{
	struct stat st;
	return !fstat(fileno(f), &st) && st.st_size > 0;
}

int plot_draw(const char *dir, const char *name, const struct plot_req *r, int log_fd, char *why,
	      size_t why_len)
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
	err = spawn_gnuplot(r, r->data_fd, fileno(png.f), fileno(svg.f), log_fd);
	if (!err && (!drawn(png.f) || !drawn(svg.f)))
		err = -ECHILD;
	if (err) {
		snprintf(why, why ? why_len : 0, "%s", err == -ECHILD ? "gnuplot failed" : strerror(-err));
		outfile_abort(&png);
		outfile_abort(&svg);
		return err;
	}
	if ((err = outfile_commit(&png))) {
		snprintf(why, why ? why_len : 0, "%s: %s", png.path, outfile_error(&png, err));
		outfile_abort(&svg);
	} else if ((err = outfile_commit(&svg))) {
		snprintf(why, why ? why_len : 0, "%s: %s", svg.path, outfile_error(&svg, err));
	}
	return err;
}
