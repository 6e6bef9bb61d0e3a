/* stderr as text only: every byte mmreplay writes to stderr passes a filter that shows control
 * characters (C0 but newline and tab, DEL, C1) and invalid UTF-8 as \xHH, so a file name or an
 * input line holding terminal escapes is never interpreted by the terminal. Valid
 * UTF-8 passes unchanged. Children (gnuplot) write their own stderr and are not filtered. */
#ifndef ERROUT_H
#define ERROUT_H

#include <stdbool.h>
#include <stddef.h>

/* Replace stderr with the filtered stream (unbuffered, writing to descriptor 2). 0 or -errno. */
int errout_install(void);
/* The filter itself: escape src[0..len) into dst (4 * len + 16 bytes at least), carrying an
 * unfinished UTF-8 sequence over in *carry / *ncarry (3 bytes, 0 at the start); final: the
 * stream ends, so an unfinished sequence is escaped. Returns the bytes written to dst. */
size_t errout_filter(const unsigned char *src, size_t len, unsigned char *carry, size_t *ncarry, bool final,
		     char *dst);

#endif
