/* The mmreplay subcommands: one file per command (cmd_NAME.c), one explicit registry
 * (commands.c). Each command parses its own options and returns a process exit code. */
#ifndef COMMANDS_H
#define COMMANDS_H

#include <stddef.h>

#include "bench/mm_exit.h"

struct mm_command {
	const char *name;
	const char *summary;		   /* one line for `mmreplay --help` */
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

extern const struct mm_command mm_commands[]; /* terminated by a NULL name */

int cmd_frag(int argc, char **argv);
int cmd_kmap(int argc, char **argv);
int cmd_zones(int argc, char **argv);
int cmd_machine(int argc, char **argv);
int cmd_maps(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_columns(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_suite(int argc, char **argv);
int cmd_vmalloc_fidelity(int argc, char **argv);

/* The summary columns the demo's table reads (cmd_demo.c): i-th, NULL past the last. */
const char *demo_column(size_t i);

#endif
