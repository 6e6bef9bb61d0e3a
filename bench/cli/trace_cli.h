/* The trace-reading options shared by the commands that read traces (info, convert, replay,
 * maps): --skip-bad and --format. A command's options struct begins with struct trace_cli and
 * names trace_cli_opts as its second table (cli_cmd.more). */
#ifndef TRACE_CLI_H
#define TRACE_CLI_H

#include "bench/cli/cli.h"
#include "workloads/trace/trace.h"

struct trace_cli {
	bool skip_bad;
	const char *format; /* NULL: detect */
};

extern const struct cli_opt trace_cli_opts[];

/* The reader options the command line asked for. 0, or MM_EXIT_USAGE after a message. */
int trace_cli_get(const struct cli_cmd *c, const struct trace_cli *t, struct trace_opts *out);
/* --spill-max SIZE (replay, suite): the spill budget (spillfile.h) from its text. 0, or -EINVAL
 * when it is not a size in 1M..1P. */
int spill_cli_set(const char *text);

#endif
