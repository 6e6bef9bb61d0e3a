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

#include "matrix.h"

enum cli_kind {
	CLI_FLAG,   /* --name: bool field = true */
	CLI_UNSET,  /* --no-name: bool field = false */
	CLI_U64,    /* an integer in [min, max] into a u64, u32 or unsigned field */
	CLI_F64,    /* a number in [fmin, fmax] into a double field */
	CLI_STR,    /* text into a const char * field */
	CLI_OUT,    /* an output path into a const char * field: its directory must exist ('-' is
		     * standard output); mmreplay creates only the path's last component */
	CLI_CHOICE, /* one of choices[] into a const char * field */
	CLI_LIST,   /* a comma list of integers in [min, max] into a struct cli_list field */
};

#define CLI_LIST_MAX 32
struct cli_list {
	size_t n;
	u64 v[CLI_LIST_MAX];
};

struct cli_opt {
	const char *name; /* "out" for --out */
	const char *arg;  /* "FILE"; NULL for flags */
	const char *help; /* one line; the default, if any, in the text */
	enum cli_kind kind;
	size_t off, size; /* the field in the command's options struct */
	u64 min, max;
	double fmin, fmax;
	const char *const *choices; /* CLI_CHOICE: NULL-terminated */
	u32 tag;		    /* the command's own meaning (gen: the GEN_OPT_* bit it sets) */
	char letter;		    /* a short form -X (-X VALUE, -XVALUE), or 0 */
};

#define CLI_FIELD(T, f) offsetof(T, f), sizeof(((T *)0)->f)
#define CLI_OPT_FLAG(name, T, f, help)                                                                       \
	{                                                                                                    \
		name, NULL, help, CLI_FLAG, CLI_FIELD(T, f), 0, 0, 0, 0, NULL, 0, 0                          \
	}
#define CLI_OPT_UNSET(name, T, f, help)                                                                      \
	{                                                                                                    \
		name, NULL, help, CLI_UNSET, CLI_FIELD(T, f), 0, 0, 0, 0, NULL, 0, 0                         \
	}
#define CLI_OPT_U64(name, arg, T, f, lo, hi, help)                                                           \
	{                                                                                                    \
		name, arg, help, CLI_U64, CLI_FIELD(T, f), lo, hi, 0, 0, NULL, 0, 0                          \
	}
#define CLI_OPT_F64(name, arg, T, f, lo, hi, help)                                                           \
	{                                                                                                    \
		name, arg, help, CLI_F64, CLI_FIELD(T, f), 0, 0, lo, hi, NULL, 0, 0                          \
	}
#define CLI_OPT_STR(name, arg, T, f, help)                                                                   \
	{                                                                                                    \
		name, arg, help, CLI_STR, CLI_FIELD(T, f), 0, 0, 0, 0, NULL, 0, 0                            \
	}
#define CLI_OPT_OUT(name, arg, T, f, help)                                                                   \
	{                                                                                                    \
		name, arg, help, CLI_OUT, CLI_FIELD(T, f), 0, 0, 0, 0, NULL, 0, 0                            \
	}
#define CLI_OPT_CHOICE(name, arg, T, f, choices, help)                                                       \
	{                                                                                                    \
		name, arg, help, CLI_CHOICE, CLI_FIELD(T, f), 0, 0, 0, 0, choices, 0, 0                      \
	}
#define CLI_OPT_LIST(name, arg, T, f, lo, hi, help)                                                          \
	{                                                                                                    \
		name, arg, help, CLI_LIST, CLI_FIELD(T, f), lo, hi, 0, 0, NULL, 0, 0                         \
	}
/* -j N, --workers N: worker threads for the configurations or cells (bench/run/workers.h). */
#define CLI_OPT_WORKERS(T, f)                                                                                \
	{                                                                                                    \
		"workers", "N", "worker threads, each with its own machines (default: the CPUs online)",     \
			CLI_U64, CLI_FIELD(T, f), 1, 256, 0, 0, NULL, 0, 'j'                                 \
	}
#define CLI_OPT_END                                                                                          \
	{                                                                                                    \
		NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0                                            \
	}

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
/* Set option o from text v (NULL for flags) in opts: 0, or -EINVAL with "takes ..., not 'v'" in
 * err (for tables shared with other syntaxes, such as a suite's gen: key=value pairs). */
int cli_opt_set(const struct cli_opt *o, const char *v, void *opts, char *err, size_t len);
/* By name in a table, '-' and '_' alike. */
const struct cli_opt *cli_opt_find(const struct cli_opt *table, const char *name);
/* A usage error: "mmreplay NAME: <message>" and a pointer to --help; returns MM_EXIT_USAGE. */
int cli_error(const struct cli_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* --cached-hole, kept for old command lines: rbtree in --vmlist means rbtree_cache. A command
 * lists CLI_OPT_CACHED_HOLE in its table and calls cli_cached_hole after cli_parse: CLI_RUN,
 * or MM_EXIT_USAGE (said on stderr) when the matrix has no room for the new value. */
#define CLI_OPT_CACHED_HOLE(T, f)                                                                            \
	CLI_OPT_FLAG("cached-hole", T, f,                                                                    \
		     "alias: rbtree in --vmlist means rbtree_cache (the free_vmap_cache shortcut)")
int cli_cached_hole(const struct cli_cmd *c, bool on, struct matrix *m);
/* The closest of the candidates to word (edit distance), or NULL when none is close. */
const char *cli_closest(const char *word, const char *const *cands, size_t n);

#endif
