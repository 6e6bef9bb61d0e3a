/* The per-snapshot CSV beside a replay's or a suite's summary: one row per
 * configuration, snapshot and zone, the model's free pages and order-9 unusable index against
 * the kernel's. A zone the model exhausted since the previous snapshot has an empty model
 * index (exhaustion is not fragmentation) and exhausted = 1. Opened with its first rows, so
 * runs without snapshots write no file; published atomically (csv.h). */
#ifndef SNAPCSV_H
#define SNAPCSV_H

#include <stdbool.h>

#include "bench/output/csv.h"
#include "core/phys/snapcheck.h"

#define SNAPCSV_HEADER                                                                                       \
	"trace,config,t_s,zone,free_pages_kernel,free_pages_model,ufi9_kernel,ufi9_model,exhausted,untraced"

struct snapcsv {
	const char *root; /* NULL: path as given; else path below it (csv_open_in) */
	const char *path; /* NULL: rows are dropped */
	struct csv c;
	bool open;
};

/* Rows of one replay. 0 or -errno (the file could not be created). */
int snapcsv_rows(struct snapcsv *s, const char *trace, const char *config, const struct snapcheck_row *rows,
		 size_t n);
/* Publish (ok) or drop the file, if one was opened. 0 or -errno. */
int snapcsv_close(struct snapcsv *s, bool ok);
/* Why err happened, in words (csv_error). */
const char *snapcsv_error(const struct snapcsv *s, int err);

#endif
