/* CSV files written atomically: rows go to "PATH.tmp.PID" and csv_commit() renames it to PATH,
 * so an interrupted run never leaves a half file that looks whole. */
#ifndef CSV_H
#define CSV_H

#include <stdio.h>

struct csv {
	FILE *f;
	char path[4096];
	char tmp[4200];
};

/* Creates missing parent directories. 0 or -errno. */
int csv_open(struct csv *c, const char *path);
/* Flush, close and rename into place. 0 or -errno (the temporary is removed on error). */
int csv_commit(struct csv *c);
/* Close and remove the temporary without publishing. */
void csv_abort(struct csv *c);
/* mkdir -p */
int mkdir_p(const char *dir);

#endif
