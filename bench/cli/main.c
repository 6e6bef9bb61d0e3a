/* mmreplay: trace-driven benchmark harness for Linux memory-management models. */
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/output/errout.h"
#include "bench/host/hostinfo.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: mmreplay COMMAND [OPTIONS] [ARGS]\n"
		   "       mmreplay --version | --help\n\n"
		   "commands:\n");
	int w = 0;
	for (const struct mm_command *c = mm_commands; c->name; c++)
		w = MM_MAX(w, (int)strlen(c->name));
	for (const struct mm_command *c = mm_commands; c->name; c++)
		fprintf(f, "  %-*s %s\n", w, c->name, c->summary);
	fprintf(f, "\n`mmreplay COMMAND --help` describes a command's options.\n");
}

static int run(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return MM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return MM_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		hostinfo_print_version(stdout);
		return MM_EXIT_OK;
	}
	for (const struct mm_command *c = mm_commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	const char *names[64];
	size_t n = 0;
	for (const struct mm_command *c = mm_commands; c->name && n < 64; c++)
		names[n++] = c->name;
	const char *near = cli_closest(argv[1], names, n);
	if (near)
		fprintf(stderr, "mmreplay: unknown command '%s'; did you mean '%s'? (see mmreplay --help)\n",
			argv[1], near);
	else
		fprintf(stderr, "mmreplay: unknown command '%s' (see mmreplay --help)\n", argv[1]);
	return MM_EXIT_USAGE;
}

/* Every command's output reaches stdout or the run fails: a full disk, a closed pipe or
 * /dev/full is an error, reported once here (as coreutils' close_stdout does: a stdout that
 * was closed before we started is fine when nothing was written to it). */
static int stdout_close(int rc, const char *cmd)
{
	bool pending = __fpending(stdout) != 0, failed = ferror(stdout) != 0;
	errno = 0;
	int fl = fflush(stdout), fe = errno;
	int cl = fclose(stdout), ce = errno;
	if (!failed && !fl && (!cl || (ce == EBADF && !pending)))
		return rc;
	int e = fl ? fe : cl && ce != EBADF ? ce : failed ? 0 : ce;
	fprintf(stderr, "mmreplay%s%s: standard output: %s%s\n", cmd ? " " : "", cmd ? cmd : "",
		e ? "write error: " : "write error (output lost)", e ? strerror(e) : "");
	return rc == MM_EXIT_OK ? MM_EXIT_FAIL : rc;
}

int main(int argc, char **argv)
{
	errout_install(); /* stderr shows input bytes as text, never as terminal controls */
	const char *cmd = NULL;
	for (const struct mm_command *c = mm_commands; argc > 1 && c->name; c++)
		if (!strcmp(argv[1], c->name))
			cmd = c->name;
	return stdout_close(run(argc, argv), cmd);
}
