/* mmreplay merge: joins CSVs with identical headers (the cells of a suite run as separate
 * jobs) into one, header once, rows in argument order. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "csv.h"
#include "csvread.h"

static void merge_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay merge [--out FILE] CSV...\n\n"
		   "Concatenates CSV files that share the same header (e.g. the summary.csv of each\n"
		   "`mmreplay suite --job K` cell) into one; writes FILE atomically, or stdout.\n");
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'o') {
			out = optarg;
		} else if (c == 'h') {
			merge_usage(stdout);
			return MM_EXIT_OK;
		} else {
			merge_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		merge_usage(stderr);
		return MM_EXIT_USAGE;
	}
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
	int rc = MM_EXIT_OK;
	for (int i = optind; i < argc && rc == MM_EXIT_OK; i++) {
		struct csvtab t;
		struct mm_diag d;
		if (csvtab_read(argv[i], &t, &d)) {
			fprintf(stderr, "mmreplay merge: %s\n", d.msg);
			rc = MM_EXIT_FAIL;
			break;
		}
		if (i == optind) {
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
					argv[optind]);
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
		if (i != optind)
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
