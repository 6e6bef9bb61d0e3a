/* mmreplay columns: the metrics registry as a table (name, unit, class, outputs, description),
 * or as the Markdown reference the README carries (a test keeps the two in step). */
#include <stdio.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/output/metrics.h"

struct columns_opts {
	bool markdown;
};

static const struct cli_opt columns_opts[] = {
	CLI_OPT_FLAG("markdown", struct columns_opts, markdown, "print the README's Markdown table"),
	CLI_OPT_END,
};

static const struct cli_cmd columns_cmd = {
	.name = "columns",
	.synopsis = "",
	.about = "Lists every column mmreplay writes: its name ({order}: one column per buddy order), unit,\n"
		 "class (config: names the configuration or input; model: deterministic; host: a\n"
		 "measurement; series: a time-series sample), the outputs it is in (replay: `mmreplay\n"
		 "replay`'s and test_vmalloc's CSV; summary: a suite's summary.csv; series: its time\n"
		 "series) and what it counts.",
	.opts = columns_opts,
};

int cmd_columns(int argc, char **argv)
{
	struct columns_opts o = {false};
	int first = 0, rc = cli_parse(&columns_cmd, argc, argv, &o, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	metrics_print(stdout, o.markdown);
	return fflush(stdout) ? MM_EXIT_FAIL : MM_EXIT_OK;
}
