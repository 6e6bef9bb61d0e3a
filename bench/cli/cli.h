/* Command-line parsing from tables: a command describes its options once (name, argument, help,
 * kind, range, the field of its options struct), and cli_parse() parses them, checks ranges,
 * prints --help and one-line errors that name the closest valid option. Commands that configure
 * a machine also take every setting of the settings registry (settings.h) as an option, into a
 * matrix of configurations (matrix.h). No getopt: each command's main is its table plus its
 * work. */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdio.h>

#include "bench/run/cli_opt.h"
#include "bench/run/matrix.h"

struct cli_cmd {
	const char *name;     /* "replay", "bench vmlist": messages say "mmreplay NAME" */
	const char *synopsis; /* the positional arguments: "TRACE..." ("" for none) */
	const char *about;    /* what the command does, printed after the usage line */
	const struct cli_opt *opts;
	const struct cli_opt *more; /* a second table on the same options struct, or NULL */
	/* With record_tags, the tags of the options given are or-ed into the u32 at tags_off of the
	 * options struct. */
	bool record_tags;
	size_t tags_off;
	unsigned min_args, max_args; /* positional arguments */
	/* Machine settings: NULL when the command takes none; else the command's own defaults as
	 * "name=value" strings (NULL-terminated; {NULL} for none), set before the options. */
	const char *const *settings;
	/* With settings: the first setting of the registry varies fastest (replay's row order) */
	bool first_fastest;
	/* With settings: the SETTING_ON_* facets the command replays; --help lists only the settings
	 * that affect one of them (and those that affect every trace). 0: every setting. */
	u32 facets;
	/* With settings: what --help shows as a variant setting's default ("%s": the registry's),
	 * where the command's own differs (a suite of traces runs every variant); NULL: the default */
	const char *variant_def;
	const char *epilog; /* printed after the options, or NULL */
};

enum { CLI_RUN = -1 }; /* cli_parse: go on; otherwise an exit code (MM_EXIT_*) */

/* Parse argv (argv[0] is the command's name) into opts (fields not given keep their values) and,
 * when the command takes settings, m. Positionals are moved to the end of argv, in order, from
 * *first. --help prints the help on stdout. Returns CLI_RUN, MM_EXIT_OK (help shown) or
 * MM_EXIT_USAGE (a one-line error on stderr). */
int cli_parse(const struct cli_cmd *c, int argc, char **argv, void *opts, struct matrix *m, int *first);
void cli_help(const struct cli_cmd *c, FILE *f);
/* A usage error: "mmreplay NAME: <message>" and a pointer to --help; returns MM_EXIT_USAGE. */
int cli_error(const struct cli_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* --cached-hole, kept for old command lines: rbtree in --vmlist means rbtree_cache. A command
 * lists CLI_OPT_CACHED_HOLE in its table and calls cli_cached_hole after cli_parse: CLI_RUN,
 * or MM_EXIT_USAGE (said on stderr) when the matrix has no room for the new value. */
#define CLI_OPT_CACHED_HOLE(T, f)                                                                            \
	CLI_OPT_FLAG("cached-hole", T, f,                                                                    \
		     "alias: rbtree in --vmlist means rbtree_cache (the free_vmap_cache shortcut)")
int cli_cached_hole(const struct cli_cmd *c, bool on, struct matrix *m);
#endif
