/* mmreplay suite NAME: run a built-in suite (a program that drives the models directly, such
 * as the kernel's test_vmalloc cases). One line per suite in the registry below. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "suites_builtin.h"

static const struct {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
} suites_builtin[] = {
	{"test_vmalloc", "lib/test_vmalloc.c's seven cases on each vmlist variant", suite_test_vmalloc},
	{NULL, NULL, NULL},
};

static void suite_usage(FILE *f)
{
	fprintf(f,
		"usage: mmreplay suite NAME [OPTIONS]   (mmreplay suite NAME --help)\n\nbuilt-in suites:\n");
	for (int i = 0; suites_builtin[i].name; i++)
		fprintf(f, "  %-14s %s\n", suites_builtin[i].name, suites_builtin[i].summary);
}

int cmd_suite(int argc, char **argv)
{
	if (argc < 2) {
		suite_usage(stderr);
		return MM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		suite_usage(stdout);
		return MM_EXIT_OK;
	}
	for (int i = 0; suites_builtin[i].name; i++)
		if (!strcmp(argv[1], suites_builtin[i].name))
			return suites_builtin[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mmreplay suite: unknown suite '%s'\n", argv[1]);
	suite_usage(stderr);
	return MM_EXIT_USAGE;
}
