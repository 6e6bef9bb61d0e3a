/* CSV and other output files, written through outfile.h: to an unpredictable temporary beside
 * the target, renamed over it by csv_commit(), so an interrupted run never leaves a half file
 * that looks whole; symlinks and special files at the target are refused or streamed into
 * (see outfile.h and docs/hardening.md). */
#ifndef CSV_H
#define CSV_H

#include <stdio.h>

#include "workloads/outfile.h"

struct csv {
	FILE *f; /* write rows here */
	struct outfile out;
};

/* Open PATH; missing parent directories are created. 0 or -errno (csv_error says why). */
int csv_open(struct csv *c, const char *path);
/* Open DIR/REL: REL's directories ("timeseries/x.csv") are created below DIR and never
 * followed when they are symlinks. 0 or -errno. */
int csv_open_in(struct csv *c, const char *dir, const char *rel);
/* Flush, close and rename into place. 0 or -errno (the temporary is removed on error). */
int csv_commit(struct csv *c);
/* Close and remove the temporary without publishing. */
void csv_abort(struct csv *c);
/* Why err (from csv_open/csv_commit) happened, in words, for "PATH: reason" messages. */
const char *csv_error(const struct csv *c, int err);
/* One field, RFC 4180: in quotes (a quote doubled) when it holds a comma, a quote or a line
 * break, as csvread.h reads it back. */
void csv_write_field(FILE *f, const char *s);
/* mkdir -p, creating directories as outfile.h does. */
int mkdir_p(const char *dir);

#endif
