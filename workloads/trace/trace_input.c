#include "workloads/trace/trace_input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd_errors.h>

#include "core/lib/bigmem.h"
#include "workloads/outfile.h"
#include "workloads/trace/trace.h"

#define TIN_CAP_MAX (2 * (size_t)TRACE_LINE_MAX) /* enough for the longest line + a chunk */
#define TIN_CAP_MIN ((size_t)256 * 1024)	 /* grows when a line needs it */
/* Bytes asked for per read: small enough that the live part of the buffer stays in cache
 * (unread bytes are moved to the front before each read), large enough to be cheap. */
#define TIN_CHUNK ((size_t)128 * 1024)
#define TIN_ZSTD_MAGIC 0xFD2FB528u
/* The largest zstd window decoded: 2 GiB, what `zstd --long=31` (its maximum) writes. The
 * window is allocated as the frame asks (bigmem: mapped, touched only as data is decoded). */
#define TIN_ZSTD_WINDOW_LOG_MAX 31
/* Skippable frames (pzstd writes one first): 0x184D2A50..0x184D2A5F. */
#define TIN_ZSTD_SKIP_MASK 0xFFFFFFF0u
#define TIN_ZSTD_SKIP_MAGIC 0x184D2A50u

static long tin_sysread(struct trace_input *in, void *dst, size_t n, struct mm_diag *d)
{
	for (;;) {
		ssize_t r = read(in->fd, dst, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		int e = errno;
		diag_set(d, in->name, 0, "read error: %s", strerror(e));
		return -e;
	}
}

/* zstd's allocations through bigmem: its window (up to 8 MiB for a -19 trace) is then faulted
 * in a huge page at a time, not 4 KiB at a time (a third of a short replay's start on a VM). The
 * size is kept in a header, as ZSTD_customMem's free is not told it. */
#define TIN_ZHDR 64
static void *tin_zalloc(void *opaque, size_t n)
{
	(void)opaque;
	if (n > SIZE_MAX - TIN_ZHDR)
		return NULL;
	char *p = bigmem_zalloc(n + TIN_ZHDR);
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + TIN_ZHDR;
}

static void tin_zfree(void *opaque, void *q)
{
	(void)opaque;
	if (!q)
		return;
	char *p = (char *)q - TIN_ZHDR;
	size_t n;
	memcpy(&n, p, sizeof(n));
	bigmem_free(p, n + TIN_ZHDR);
}

int tin_open(struct trace_input *in, const char *path, const char *name, enum infile_kind kind,
	     struct mm_diag *d)
{
	memset(in, 0, sizeof(*in));
	in->name = name;
	if (!strcmp(path, "-")) {
		in->fd = 0;
		infile_note(0);
	} else {
		in->fd = infile_open(path, kind, d);
		if (in->fd < 0)
			return in->fd;
		in->own_fd = true;
	}
	in->cap = TIN_CAP_MIN;
	in->buf = malloc(in->cap + 1);
	in->zin_cap = ZSTD_DStreamInSize();
	in->zin = malloc(in->zin_cap);
	if (!in->buf || !in->zin) {
		tin_close(in);
		diag_set(d, name, 0, "out of memory");
		return -ENOMEM;
	}
	/* Read the first raw block and look for the zstd frame magic. */
	while (in->zin_len < 4 && !in->zin_eof) {
		long r = tin_sysread(in, in->zin + in->zin_len, in->zin_cap - in->zin_len, d);
		if (r < 0) {
			tin_close(in);
			return (int)r;
		}
		if (r == 0)
			in->zin_eof = true;
		in->zin_len += (size_t)r;
	}
	u32 magic = 0;
	if (in->zin_len >= 4)
		memcpy(&magic, in->zin, 4);
	if (magic == TIN_ZSTD_MAGIC || (magic & TIN_ZSTD_SKIP_MASK) == TIN_ZSTD_SKIP_MAGIC) {
		in->compressed = true;
		in->zany = true;
		in->zd = ZSTD_createDCtx_advanced(
			(ZSTD_customMem){.customAlloc = tin_zalloc, .customFree = tin_zfree});
		if (in->zd) /* zstd's own default is 2^27 (--long=27): a --long=31 frame is valid */
			ZSTD_DCtx_setParameter(in->zd, ZSTD_d_windowLogMax, TIN_ZSTD_WINDOW_LOG_MAX);
		if (!in->zd) {
			tin_close(in);
			diag_set(d, name, 0, "out of memory");
			return -ENOMEM;
		}
	} else {
		memcpy(in->buf, in->zin, in->zin_len);
		in->end = in->zin_len;
		in->eof = in->zin_eof;
		in->zin_len = 0;
	}
	return 0;
}

void tin_close(struct trace_input *in)
{
	tin_ra_stop(in);
	if (in->own_fd && in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	in->own_fd = false;
	ZSTD_freeDCtx(in->zd);
	in->zd = NULL;
	free(in->buf);
	free(in->zin);
	in->buf = NULL;
	in->zin = NULL;
}

/* The window a zstd frame header at p[0..n) asks for (RFC 8878 3.1.1.1.2: the Window_Descriptor
 * after the magic and the descriptor byte, when the frame is not single-segment), or 0. */
static u64 tin_zwindow(const u8 *p, size_t n)
{
	u32 magic;
	if (n < 6)
		return 0;
	memcpy(&magic, p, 4);
	if (magic != TIN_ZSTD_MAGIC || (p[4] & 0x20))
		return 0;
	unsigned exp = p[5] >> 3, mant = p[5] & 7;
	u64 base = 1ULL << (10 + exp);
	return base + (base / 8) * mant;
}

/* A valid frame whose window is over TIN_ZSTD_WINDOW_LOG_MAX: say what it needs (from its
 * header at zin[at], when that is where the frame started). */
static void tin_zwindow_error(struct trace_input *in, size_t at, struct mm_diag *d)
{
	u64 max = 1ULL << TIN_ZSTD_WINDOW_LOG_MAX;
	u64 w = at < in->zin_len ? tin_zwindow(in->zin + at, in->zin_len - at) : 0;
	char need[96] = "a window";
	if (w > max) {
		unsigned log = 0;
		while ((1ULL << log) < w)
			log++;
		snprintf(need, sizeof(need), "a %llu GiB window (windowLog %u)",
			 (unsigned long long)(w >> 30), log);
	}
	diag_set(d, in->name, 0,
		 "this zstd frame needs %s, over the %llu GiB mmreplay decodes (what zstd --long=%u, its "
		 "largest, writes): recompress it with zstd --long=%u or less",
		 need, (unsigned long long)(max >> 30), TIN_ZSTD_WINDOW_LOG_MAX, TIN_ZSTD_WINDOW_LOG_MAX);
}

/* Decode more zstd output into dst[0..n); returns bytes produced, 0 at the end. */
static long tin_zfill(struct trace_input *in, char *dst, size_t n, struct mm_diag *d)
{
	for (;;) {
		if (in->zin_pos == in->zin_len && !in->zin_eof) {
			long r = tin_sysread(in, in->zin, in->zin_cap, d);
			if (r < 0)
				return r;
			in->zin_pos = 0;
			in->zin_len = (size_t)r;
			if (r == 0)
				in->zin_eof = true;
		}
		if (in->zin_pos == in->zin_len && in->zin_eof) {
			if (in->zframe_left) {
				diag_set(d, in->name, 0,
					 "truncated zstd stream (the file ends inside a frame)");
				return -EIO;
			}
			return 0;
		}
		ZSTD_inBuffer ib = {in->zin, in->zin_len, in->zin_pos};
		ZSTD_outBuffer ob = {dst, n, 0};
		size_t at = in->zin_pos;
		bool boundary = in->zframe_left == 0; /* a frame's header starts at zin[at] */
		size_t ret = ZSTD_decompressStream(in->zd, &ob, &ib);
		in->zin_pos = ib.pos;
		if (ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge) {
			tin_zwindow_error(in, boundary ? at : in->zin_len, d);
			return -EFBIG;
		}
		if (ZSTD_isError(ret)) {
			diag_set(d, in->name, 0, "corrupt zstd data: %s", ZSTD_getErrorName(ret));
			return -EIO;
		}
		in->zframe_left = ret;
		if (ob.pos)
			return (long)ob.pos;
	}
}

long tin_produce(struct trace_input *in, char *dst, size_t n, struct mm_diag *d)
{
	return in->compressed ? tin_zfill(in, dst, n, d) : tin_sysread(in, dst, n, d);
}

/* Append decoded bytes at buf[end..cap), compacting first; 0, or -errno. Sets eof. */
static int tin_fill(struct trace_input *in, struct mm_diag *d)
{
	if (in->ra)
		return tin_ra_fill(in, d);
	if (in->pos) {
		memmove(in->buf, in->buf + in->pos, in->end - in->pos);
		in->end -= in->pos;
		in->pos = 0;
	}
	if (in->end == in->cap && in->cap < TIN_CAP_MAX) {
		size_t ncap = MM_MIN(in->cap * 2, TIN_CAP_MAX);
		char *nb = realloc(in->buf, ncap + 1);
		if (!nb) {
			diag_set(d, in->name, 0, "out of memory");
			return -ENOMEM;
		}
		in->buf = nb;
		in->cap = ncap;
	}
	if (in->end == in->cap || in->eof)
		return 0;
	size_t want = MM_MIN(in->cap - in->end, TIN_CHUNK);
	long r = tin_produce(in, in->buf + in->end, want, d);
	if (r < 0)
		return (int)r;
	if (r == 0)
		in->eof = true;
	in->end += (size_t)r;
	return 0;
}

long tin_peek(struct trace_input *in, size_t n, struct mm_diag *d)
{
	n = MM_MIN(n, TIN_CAP_MAX / 2);
	if (n > in->cap / 2 && !in->ra) { /* grow so that n bytes fit after a compaction */
		char *nb = realloc(in->buf, 2 * n + 1);
		if (!nb) {
			diag_set(d, in->name, 0, "out of memory");
			return -ENOMEM;
		}
		in->buf = nb;
		in->cap = 2 * n;
	}
	while (in->end - in->pos < n && !in->eof) {
		int r = tin_fill(in, d);
		if (r < 0)
			return r;
	}
	return (long)(in->end - in->pos);
}

/* Drop the rest of an over-long line, up to and including its newline. */
static int tin_discard_line(struct trace_input *in, struct mm_diag *d)
{
	for (;;) {
		char *nl = memchr(in->buf + in->pos, '\n', in->end - in->pos);
		if (nl) {
			in->bytes += (size_t)(nl + 1 - (in->buf + in->pos));
			in->pos = (size_t)(nl + 1 - in->buf);
			return 0;
		}
		in->bytes += in->end - in->pos;
		in->pos = in->end;
		if (in->eof)
			return 0;
		int r = tin_fill(in, d);
		if (r < 0)
			return r;
	}
}

int tin_getline(struct trace_input *in, char **line, size_t *len, struct mm_diag *d)
{
	size_t scanned = 0; /* bytes of buf[pos..] known to hold no newline */
	for (;;) {
		char *s = in->buf + in->pos;
		size_t avail = in->end - in->pos;
		char *nl = memchr(s + scanned, '\n', avail - scanned);
		if (nl || (in->eof && avail)) {
			size_t n = nl ? (size_t)(nl - s) : avail;
			in->line++;
			if (n > TRACE_LINE_MAX) {
				in->pos += n + (nl ? 1 : 0);
				in->bytes += n + (nl ? 1 : 0);
				return -E2BIG;
			}
			in->pos += n + (nl ? 1 : 0);
			in->bytes += n + (nl ? 1 : 0);
			s[n] = '\0'; /* buf has cap + 1 bytes, so this is in bounds at the end */
			if (n && s[n - 1] == '\r')
				s[--n] = '\0';
			*line = s;
			*len = n;
			return 1;
		}
		if (in->eof)
			return 0;
		if (avail > TRACE_LINE_MAX) {
			in->line++;
			int r = tin_discard_line(in, d);
			return r < 0 ? r : -E2BIG;
		}
		size_t old_pos = in->pos;
		int r = tin_fill(in, d);
		if (r < 0)
			return r;
		(void)old_pos;
		scanned = avail; /* tin_fill keeps the unread bytes in order */
	}
}

long tin_read(struct trace_input *in, void *dst, size_t n, struct mm_diag *d)
{
	char *out = dst;
	size_t got = 0;
	while (got < n) {
		size_t avail = in->end - in->pos;
		if (avail) {
			size_t k = MM_MIN(avail, n - got);
			memcpy(out + got, in->buf + in->pos, k);
			in->pos += k;
			got += k;
			continue;
		}
		if (in->eof)
			break;
		/* Large plain reads go straight to the caller's memory. */
		if (!in->compressed && !in->ra && n - got >= TIN_CHUNK) {
			long r = tin_sysread(in, out + got, n - got, d);
			if (r < 0)
				return r;
			if (r == 0)
				in->eof = true;
			got += (size_t)r;
			continue;
		}
		int r = tin_fill(in, d);
		if (r < 0)
			return r;
	}
	in->bytes += got;
	return (long)got;
}

int trace_decompress(const char *path, FILE *out, struct mm_diag *d)
{
	struct trace_input in;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	int e = tin_open(&in, path, name, INFILE_STREAM, d);
	if (e)
		return e;
	for (;;) {
		long n = tin_peek(&in, in.cap / 2, d);
		if (n < 0) {
			e = (int)n;
			break;
		}
		if (n == 0)
			break;
		if (fwrite(in.buf + in.pos, 1, (size_t)n, out) != (size_t)n) {
			diag_set(d, name, 0, "write error");
			e = -EIO;
			break;
		}
		in.pos += (size_t)n;
	}
	tin_close(&in);
	return e;
}
