/* Helpers for the trace reader tests: write a text (optionally zstd-compressed) to a
 * temporary file, read a whole trace from a string, and check a diagnostic's FILE:LINE. */
#ifndef TRACE_TESTUTIL_H
#define TRACE_TESTUTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "core/lib/hmap.h"
#include "workloads/trace/trace.h"

#define DATA(f) MMREPLAY_DATA_DIR "/traces/" f

/* Writes len bytes to a new temporary file; returns its malloc'd path. */
static inline char *tu_write(const void *buf, size_t len)
{
	char *path = strdup("/tmp/mmreplay-test-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	return path;
}

static inline char *tu_write_str(const char *s)
{
	return tu_write(s, strlen(s));
}

/* zstd-compress s; *out_len gets the compressed size; malloc'd result. */
static inline void *tu_zstd(const char *s, size_t len, size_t *out_len)
{
	size_t cap = ZSTD_compressBound(len);
	void *z = malloc(cap);
	size_t n = ZSTD_compress(z, cap, s, len, 3);
	cr_assert(!ZSTD_isError(n));
	*out_len = n;
	return z;
}

/* Load text s (as file "name" in diagnostics) into t: the reader's return code. */
static inline int tu_load(const char *s, const struct trace_opts *o, struct mm_trace *t, struct mm_diag *d)
{
	char *p = tu_write_str(s);
	struct trace_opts oo = o ? *o : (struct trace_opts){0};
	if (!oo.name)
		oo.name = "t.txt";
	int e = trace_load(p, &oo, t, d);
	unlink(p);
	free(p);
	return e;
}

/* Expect loading buf to fail with a diagnostic starting "t.txt:LINE: " ("t.txt: " for line
 * 0) and containing what. */
static inline void tu_expect_error_buf(const void *buf, size_t len, unsigned line, const char *what)
{
	struct mm_trace t;
	struct mm_diag d = {{0}};
	char *p = tu_write(buf, len);
	struct trace_opts o = {.name = "t.txt"};
	int e = trace_load(p, &o, &t, &d);
	unlink(p);
	free(p);
	cr_assert_lt(e, 0, "expected an error for: %.*s", (int)MM_MIN(len, 200), (const char *)buf);
	char want[64];
	if (line)
		snprintf(want, sizeof(want), "t.txt:%u: ", line);
	else
		snprintf(want, sizeof(want), "t.txt: ");
	cr_assert(!strncmp(d.msg, want, strlen(want)), "diag '%s' does not start with '%s'", d.msg, want);
	cr_assert(strstr(d.msg, what), "diag '%s' does not mention '%s'", d.msg, what);
}

static inline void tu_expect_error(const char *s, unsigned line, const char *what)
{
	tu_expect_error_buf(s, strlen(s), line, what);
}

#endif
