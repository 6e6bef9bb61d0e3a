/* Reads CSV (RFC 4180: a header row, then rows of comma-separated fields, "quoted" where a field
 * holds a comma, a quote or a line break) into memory, for `compare`, `merge` and `plot`. */
#ifndef CSVREAD_H
#define CSVREAD_H

#include "workloads/diag.h"
#include "core/mm_types.h"

#define CSVREAD_LINE_MAX (1 << 20) /* bytes in one line of a CSV (a summary row is a few KiB) */
#define CSVREAD_MAX (1 << 30)	   /* bytes in a whole CSV */

struct csvtab {
	size_t ncols, nrows;
	char **head;  /* ncols column names */
	char ***rows; /* nrows rows of ncols fields each */
	char *buf;    /* the file's text; every field points into it */
};

/* 0, or -errno / -EINVAL with "FILE:LINE: reason" (ragged rows, an unclosed quote, a blank line
 * inside the table, an empty file, a line or a file over the limits above, a NUL byte). */
int csvtab_read(const char *path, struct csvtab *t, struct mm_diag *d);
/* The same for a results directory's own files (summary.csv, traces.csv, plots/graphs.csv):
 * regular files only, so a FIFO planted there is refused rather than waited on. */
int csvtab_read_regular(const char *path, struct csvtab *t, struct mm_diag *d);
void csvtab_free(struct csvtab *t);
/* Column index by name, or -1. */
int csvtab_col(const struct csvtab *t, const char *name);
/* Per row, whether it is the first whose value in column col is its own (a new trace, a new
 * group), in time linear in the rows (a hash map, strmap.h); malloc'ed, nrows + 1 entries, NULL
 * when out of memory. */
bool *csvtab_firsts(const struct csvtab *t, int col);
/* true when the field parses completely as a number (into *v). */
bool csv_number(const char *s, double *v);

#endif
