/* mmreplay merge: joins CSVs with identical headers into one, header once, rows in argument
 * order; a suite's cells (run as jobs: suite_merge.h) are checked against their plan first and
 * come out in job order; `merge DIR` joins a suite directory's cells into DIR/summary.csv. */
#include <stdio.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/output/csv.h"
#include "bench/output/csvread.h"
#include "workloads/state/recording.h"
#include "bench/run/suite_merge.h"

struct merge_opts {
	const char *out;
};

static const struct cli_opt merge_opts[] = {
	CLI_OPT_OUT("out", "FILE", struct merge_opts, out, "write FILE atomically (default: stdout)"),
	CLI_OPT_END,
};

static const struct cli_cmd merge_cmd = {
	.name = "merge",
	.synopsis = "DIR | CSV...",
	.about = "DIR: joins the cells of a suite run as jobs (`mmreplay suite --job`, DIR/cells/) into\n"
		 "DIR/summary.csv and DIR/snapshots.csv; every cell of DIR's plan must be there, and none\n"
		 "of another plan: what is missing or failed is named and nothing is written.\n"
		 "CSV...: concatenates CSV files that share the same header into one, header once, rows\n"
		 "in argument order; a suite's cell files (DIR/cells/cell-J.csv) are checked the same way\n"
		 "and come out in job order without their plan and job columns.",
	.opts = merge_opts,
	.min_args = 1,
	.max_args = 1u << 30,
};

int cmd_merge(int argc, char **argv)
{
	struct merge_opts o = {0};
	int args = 0, rc = cli_parse(&merge_cmd, argc, argv, &o, NULL, &args);
	if (rc != CLI_RUN)
		return rc;
	const char *out = o.out;
	if (argc - args == 1 && !out && recording_is_dir(argv[args]))
		return suite_merge_dir(argv[args], "merge") ? MM_EXIT_FAIL : MM_EXIT_OK;
	struct csv w;
	FILE *f = stdout;
	if (out) {
		int err = csv_open(&w, out);
		if (err) {
			fprintf(stderr, "mmreplay merge: %s: %s\n", out, csv_error(&w, err));
			return MM_EXIT_FAIL;
		}
		f = w.f;
	}
	struct csvtab first = {0};
	rc = MM_EXIT_OK;
	if (suite_merge_is_cell(argv[args])) {
		rc = suite_merge_cells(argv + args, (size_t)(argc - args), f, "merge") ? MM_EXIT_FAIL
										       : MM_EXIT_OK;
		args = argc; /* done */
	}
	for (int i = args; i < argc && rc == MM_EXIT_OK; i++) {
		struct csvtab t;
		struct mm_diag d;
		if (csvtab_read(argv[i], &t, &d)) {
			fprintf(stderr, "mmreplay merge: %s\n", d.msg);
			rc = MM_EXIT_FAIL;
			break;
		}
		if (i == args) {
			first = t;
			for (size_t k = 0; k < t.ncols; k++) {
				fputs(k ? "," : "", f);
				csv_write_field(f, t.head[k]);
			}
			fputc('\n', f);
		} else {
			bool same = t.ncols == first.ncols;
			for (size_t k = 0; same && k < t.ncols; k++)
				same = !strcmp(t.head[k], first.head[k]);
			if (!same) {
				fprintf(stderr, "mmreplay merge: %s: header differs from %s's\n", argv[i],
					argv[args]);
				rc = MM_EXIT_FAIL;
			}
		}
		for (size_t r = 0; r < t.nrows && rc == MM_EXIT_OK; r++) {
			for (size_t k = 0; k < t.ncols; k++) {
				fputs(k ? "," : "", f);
				csv_write_field(f, t.rows[r][k]);
			}
			fputc('\n', f);
		}
		if (i != args)
			csvtab_free(&t);
	}
	csvtab_free(&first);
	if (out) {
		if (rc == MM_EXIT_OK) {
			int err = csv_commit(&w);
			if (err) {
				fprintf(stderr, "mmreplay merge: %s: %s\n", out, csv_error(&w, err));
				rc = MM_EXIT_FAIL;
			}
		} else {
			csv_abort(&w);
		}
	}
	return rc;
}
