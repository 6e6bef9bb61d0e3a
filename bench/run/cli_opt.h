/* Option tables: a command (or any other key=value syntax, such as a suite's gen: pairs)
 * describes its options once — name, argument, help, kind, range, the field of its options
 * struct — and cli_opt_set() checks and stores a value. The command line itself is parsed in
 * bench/cli/cli.c; the tables live here so the run engine can read gen: specs with them. */
#ifndef CLI_OPT_H
#define CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/mm_types.h"

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

/* Set option o from text v (NULL for flags) in opts: 0, or -EINVAL with "takes ..., not 'v'" in
 * err (for tables shared with other syntaxes, such as a suite's gen: key=value pairs). */
int cli_opt_set(const struct cli_opt *o, const char *v, void *opts, char *err, size_t len);
/* By name in a table, '-' and '_' alike. */
const struct cli_opt *cli_opt_find(const struct cli_opt *table, const char *name);
/* The closest of the candidates to word (edit distance), or NULL when none is close. */
const char *cli_closest(const char *word, const char *const *cands, size_t n);

#endif
