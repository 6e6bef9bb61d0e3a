/* The per-snapshot CSV beside a replay's or a suite's summary: one row per
 * configuration, snapshot and zone, the model's free pages and order-9 unusable index against
 * the kernel's, and THP availability: the order-9 allocations the free blocks would serve and
 * "free huge" (thousandths of the free pages in blocks of order 9 or more). A zone the model exhausted since
 * the previous snapshot has an empty model index (exhaustion is not fragmentation) and exhausted = 1. Opened
 * with its first rows, so runs without snapshots write no file; published atomically (csv.h). */
#ifndef SNAPCHECK_CSV_H
#define SNAPCHECK_CSV_H

#include <stdbool.h>

#include "bench/output/csv.h"
#include "core/phys/snapcheck.h"

#define SNAPCHECK_CSV_HEADER                                                                                 \
	"trace,config,t_s,zone,free_pages_kernel,free_pages_model,ufi9_kernel,ufi9_model,exhausted,"         \
	"untraced,"                                                                                          \
	"thp_kernel,thp_model,huge_kernel,huge_model"

struct snapcheck_csv {
	const char *root; /* NULL: path as given; else path below it (csv_open_in) */
	const char *path; /* NULL: rows are dropped */
	struct csv c;
	bool open;
};

/* Rows of one replay. 0 or -errno (the file could not be created). */
int snapcheck_csv_rows(struct snapcheck_csv *s, const char *trace, const char *config,
		       const struct snapcheck_row *rows, size_t n);
/* Publish (ok) or drop the file, if one was opened. 0 or -errno. */
int snapcheck_csv_close(struct snapcheck_csv *s, bool ok);
/* Why err happened, in words (csv_error). */
const char *snapcheck_csv_error(const struct snapcheck_csv *s, int err);

#endif
