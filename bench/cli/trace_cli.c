#include "bench/cli/trace_cli.h"

#include <errno.h>

#include "bench/cli/commands.h"
#include "core/machine/settings.h"
#include "workloads/trace/spillfile.h"

const struct cli_opt trace_cli_opts[] = {
	CLI_OPT_FLAG("skip-bad", struct trace_cli, skip_bad,
		     "count and skip malformed lines instead of stopping at the first"),
	CLI_OPT_STR("format", "FMT", struct trace_cli, format,
		    "force the input format: native, perf, ftrace, strace, tracedat (default: detect)"),
	CLI_OPT_END,
};

int trace_cli_get(const struct cli_cmd *c, const struct trace_cli *t, struct trace_opts *out)
{
	*out = (struct trace_opts){0};
	out->skip_bad = t->skip_bad;
	if (t->format && trace_format_parse(t->format, &out->format))
		return cli_error(c, "--format: unknown format '%s'", t->format);
	return 0;
}

int spill_cli_set(const char *text)
{
	u64 v;
	if (settings_parse_size(text, 1ULL << 20, 1ULL << 50, &v))
		return -EINVAL;
	spillfile_set_max(v);
	return 0;
}
