/* Byte input for the trace readers: a path or "-" (stdin), plain or zstd-compressed (detected
 * by the zstd frame magic or a skippable frame as pzstd writes first, decoded by libzstd
 * streaming), read in large blocks into one
 * buffer that is reused for the whole file. Text readers take NUL-terminated lines out of it
 * without copying; the native reader takes raw bytes. */
#ifndef TRACE_INPUT_H
#define TRACE_INPUT_H

/* ZSTD_createDCtx_advanced and ZSTD_customMem: "experimental" in zstd.h, unchanged since
 * zstd 1.0 and exported by the shared library */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "workloads/diag.h"
#include "workloads/infile.h"
#include "core/mm_types.h"

struct trace_input {
	int fd;
	bool own_fd;	 /* close fd at the end (false for stdin) */
	bool eof;	 /* no more bytes will come from fd / the decoder */
	bool compressed; /* the file is a zstd stream */
	ZSTD_DCtx *zd;
	u8 *zin;	/* compressed input block */
	size_t zin_pos; /* zin[zin_pos..zin_len) not yet decoded */
	size_t zin_len;
	size_t zin_cap;
	bool zin_eof;	    /* fd reached its end */
	size_t zframe_left; /* last ZSTD_decompressStream hint: 0 = at a frame boundary */
	bool zany;	    /* at least one byte of compressed input seen */
	char *buf;	    /* decoded bytes: buf[pos..end) unread, end <= cap */
	size_t pos, end, cap;
	u64 line;	   /* number of the line last returned (1-based) */
	u64 bytes;	   /* decoded bytes handed out */
	const char *name;  /* for diagnostics; not owned */
	struct tin_ra *ra; /* read-ahead thread (trace_input_ra.c), NULL when reading inline */
};

/* Open path ("-" = stdin) for reading, as an input of kind (infile.h); 0 or -errno with diag
 * "name: reason". */
int tin_open(struct trace_input *in, const char *path, const char *name, enum infile_kind kind,
	     struct mm_diag *d);
void tin_close(struct trace_input *in);

/* Make at least n bytes available in buf[pos..end) unless the input ends first (n is capped
 * at 2 * TRACE_LINE_MAX / 2; the buffer grows to 2n when needed).
 * Returns the number available (may be < n at the end) or -errno with diag. */
long tin_peek(struct trace_input *in, size_t n, struct mm_diag *d);

/* Next line, '\n' (and a '\r' before it) replaced by NUL, *len excluding it. The line lives
 * in the buffer until the next call. 1, 0 at the end, -E2BIG for a line longer than
 * TRACE_LINE_MAX (the line is consumed: reading can continue), or -errno with diag. */
int tin_getline(struct trace_input *in, char **line, size_t *len, struct mm_diag *d);

/* Text from a regular file (plain or zstd): read ahead on a helper thread from here on (a
 * no-op where that is not possible). tin_close stops it. */
void tin_ra_start(struct trace_input *in);
/* Internal: tin_fill's read-ahead form, and the raw producer the helper runs (decoded bytes
 * into dst[0..n): count, 0 at the end, or -errno with diag). */
int tin_ra_fill(struct trace_input *in, struct mm_diag *d);
void tin_ra_stop(struct trace_input *in);
long tin_produce(struct trace_input *in, char *dst, size_t n, struct mm_diag *d);

/* Copy up to n bytes to dst; returns the count (< n only at the end) or -errno with diag. */
long tin_read(struct trace_input *in, void *dst, size_t n, struct mm_diag *d);

#endif
