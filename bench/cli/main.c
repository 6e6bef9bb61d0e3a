/* mmreplay: trace-driven benchmark harness for Linux memory-management models. */
#include <stdio.h>
#include <string.h>

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
	fprintf(stderr, "mmreplay: unknown command '%s' (see mmreplay --help)\n", argv[1]);
	return MM_EXIT_USAGE;
}
