#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "config.h"

extern char **environ;

const char *plot_dir(void)
{
	const char *env = getenv("MMREPLAY_PLOTS");
	return env && *env ? env : MMREPLAY_PLOTS_DIR;
}

/* gnuplot string literal: single quotes, with embedded ones doubled */
static int quote(char *dst, size_t cap, const char *s)
{
	size_t n = 0;
	if (cap < 3)
		return -ENAMETOOLONG;
	dst[n++] = '\'';
	for (; *s; s++) {
		if (n + 3 >= cap)
			return -ENAMETOOLONG;
		if (*s == '\'')
			dst[n++] = '\'';
		dst[n++] = *s;
	}
	dst[n++] = '\'';
	dst[n] = 0;
	return 0;
}

int plot_run(const char *script, const char *csv, const char *out, const char *extra, const char *errlog)
{
	char qcsv[4200], qout[4200], expr[9000], path[4200];
	if (quote(qcsv, sizeof(qcsv), csv) || quote(qout, sizeof(qout), out))
		return -ENAMETOOLONG;
	snprintf(expr, sizeof(expr), "datafile=%s; outfile=%s; %s", qcsv, qout, extra ? extra : "");
	snprintf(path, sizeof(path), "%s/%s", plot_dir(), script);
	char *argv[] = {"gnuplot", "-e", expr, path, NULL};
	pid_t pid;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (errlog)
		posix_spawn_file_actions_addopen(&fa, 2, errlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
	int err = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		return -err;
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}
