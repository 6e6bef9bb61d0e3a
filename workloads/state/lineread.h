/* Capped line reading for the /proc snapshot readers: a line longer than LINEREAD_MAX bytes
 * or holding a NUL byte stops the reader with "FILE:LINE: reason", so no input (/dev/zero, a
 * binary file, a file of one endless line) makes a reader's memory grow. */
#ifndef LINEREAD_H
#define LINEREAD_H

#include <stdio.h>

#include "diag.h"
#include "mm_types.h"

#define LINEREAD_MAX 4096 /* /proc/zoneinfo, buddyinfo, pagetypeinfo lines are far shorter */

struct lineread {
	FILE *f;
	const char *name; /* for diagnostics; not owned */
	u64 line;	  /* number of the line in buf (1-based) */
	size_t len;	  /* bytes in buf, without the '\n' (and a '\r' before it) */
	char buf[LINEREAD_MAX + 1];
};

void lineread_init(struct lineread *lr, FILE *f, const char *name);
/* Next line into lr->buf (NUL-terminated). 1, 0 at the end, or -EINVAL with diag. */
int lineread_next(struct lineread *lr, struct mm_diag *d);

#endif
