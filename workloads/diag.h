/* Where input went wrong: every error that comes from a file carries "FILE:LINE: reason". */
#ifndef DIAG_H
#define DIAG_H

#include "core/mm_types.h"

struct mm_diag {
	char msg[512];
};

/* Formats "file:line: reason" into d (line 0: "file: reason"), with diag_escape: one line of
 * printable text whatever the input held. Returns -EINVAL for chaining. */
int diag_set(struct mm_diag *d, const char *file, u64 line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Copy src into dst (cap bytes, NUL-terminated) with control bytes, C1 controls and invalid
 * UTF-8 escaped (\n, \t, \r, \xHH); valid UTF-8 is kept. Stops before an escape would be cut.
 * Returns the length written. */
size_t diag_escape(char *dst, size_t cap, const char *src);

#endif
