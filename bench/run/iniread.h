/* The suite files' ini reader, on the bounded line reader (lineread.h): lines of any length up
 * to INIREAD_LINE_MAX (libinih, which read them before, cut lines at 200 bytes and reported the
 * rest of a long trace path as "syntax error"). The format:
 * - a UTF-8 byte order mark at the start is dropped; blanks (space, tab) around a line, a key
 *   and a value are dropped; empty lines and lines starting with ';' or '#' are comments;
 * - "[NAME]" starts a section (keys before any section have section "");
 * - a ';' after a blank starts a comment to the end of the line (as in libinih: in a value, a
 *   ';' right after the '=' and its blanks is part of the value);
 * - "KEY = VALUE": the first '=' separates them;
 * - anything else, a carriage return other than the line end's, and a line longer than the
 *   limit, stop the reader with FILE:LINE: reason. */
#ifndef INIREAD_H
#define INIREAD_H

#include <stdio.h>

#include "workloads/diag.h"
#include "core/mm_types.h"

#define INIREAD_LINE_MAX 16384

/* Whether v, written as "KEY = v", reads back as v: no line break, no blank at either end, no
 * ';' after a blank. */
bool iniread_value_ok(const char *v);

/* Called for each key in file order: 0 to go on, or non-zero with a reason in why (len bytes),
 * which stops the reader with "NAME:LINE: why". */
typedef int (*iniread_fn)(void *user, const char *section, const char *key, const char *value, char *why,
			  size_t len);

/* Read f (name for messages) to its end. 0, or -EINVAL / -errno with "NAME:LINE: reason". */
int iniread_file(FILE *f, const char *name, iniread_fn fn, void *user, struct mm_diag *d);
/* The same over text (a NUL-terminated string). */
int iniread_string(const char *text, const char *name, iniread_fn fn, void *user, struct mm_diag *d);

#endif
