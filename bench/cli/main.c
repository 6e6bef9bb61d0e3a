/* mmreplay: trace-driven benchmark harness for Linux memory-management models. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "hostinfo.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: mmreplay COMMAND [OPTIONS] [ARGS]\n"
		   "       mmreplay --version | --help\n\n"
		   "commands:\n");
	for (const struct mm_command *c = mm_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n`mmreplay COMMAND --help` describes a command's options.\n");
}

int main(int argc, char **argv)
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
