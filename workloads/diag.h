/* Where input went wrong: every error that comes from a file carries "FILE:LINE: reason". */
#ifndef DIAG_H
#define DIAG_H

#include "mm_types.h"

struct mm_diag {
	char msg[512];
};

/* Formats "file:line: reason" into d (line 0: "file: reason"), control bytes written as \xNN.
 * Returns -EINVAL for chaining. */
int diag_set(struct mm_diag *d, const char *file, u64 line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
