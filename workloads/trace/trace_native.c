/* The native binary trace (trace_native.h): reader and writer. Reading is a block copy:
 * records come in batches of NATIVE_BATCH straight from read(2) (or the zstd decoder) into a
 * reused buffer (so resident memory is flat), and each is checked only for a valid kind so
 * that no consumer ever sees an out-of-range one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_native.h"
#include "trace_priv.h"

#define NATIVE_BATCH 16384 /* records per read: 1 MiB */

struct native_state {
	struct mm_event *rec; /* rec[i..n) not yet delivered */
	size_t i, n;
	u64 index; /* records delivered so far */
	bool eof;
};

static int native_init(struct trace_reader *r)
{
	struct trace_native_hdr h;
	long got = tin_read(&r->in, &h, sizeof(h), &r->diag);
	if (got < 0)
		return (int)got;
	if ((size_t)got < sizeof(h) || memcmp(h.magic, TRACE_NATIVE_MAGIC, 8))
		return diag_set(&r->diag, r->name, 0, "not a native trace (bad header)");
	if (h.version != TRACE_NATIVE_VERSION)
		return diag_set(&r->diag, r->name, 0, "native trace version %u, this build reads %u",
				h.version, TRACE_NATIVE_VERSION);
	if (h.record_size != sizeof(struct mm_event))
		return diag_set(&r->diag, r->name, 0, "native record size %u, expected %zu", h.record_size,
				sizeof(struct mm_event));
	struct native_state *s = calloc(1, sizeof(*s));
	if (!s || !(s->rec = malloc(NATIVE_BATCH * sizeof(struct mm_event)))) {
		free(s);
		return diag_set(&r->diag, r->name, 0, "out of memory"), -ENOMEM;
	}
	r->priv = s;
	r->st.has_ts = true;
	return 0;
}

static void native_fini(struct trace_reader *r)
{
	struct native_state *s = r->priv;
	if (s)
		free(s->rec);
	free(s);
	r->priv = NULL;
}

static int native_refill(struct trace_reader *r, struct native_state *s)
{
	long got = tin_read(&r->in, s->rec, NATIVE_BATCH * sizeof(struct mm_event), &r->diag);
	if (got < 0)
		return (int)got;
	size_t whole = (size_t)got / sizeof(struct mm_event);
	if ((size_t)got % sizeof(struct mm_event))
		return diag_set(
			&r->diag, r->name, 0, "truncated native trace: %zu stray bytes after record %llu",
			(size_t)got % sizeof(struct mm_event), (unsigned long long)(s->index + whole));
	s->i = 0;
	s->n = whole;
	if (!whole)
		s->eof = true;
	return 0;
}

static int native_next(struct trace_reader *r, struct mm_event *ev)
{
	struct native_state *s = r->priv;
	if (MM_UNLIKELY(s->i == s->n)) {
		if (s->eof)
			return 0;
		int e = native_refill(r, s);
		if (e)
			return e;
		if (s->eof)
			return 0;
	}
	const struct mm_event *src = &s->rec[s->i++];
	if (MM_UNLIKELY(src->kind == MME_NONE || src->kind >= MME_NR_KINDS))
		return diag_set(&r->diag, r->name, 0, "record %llu: invalid event kind %u",
				(unsigned long long)s->index, src->kind);
	s->index++;
	*ev = *src;
	return 1;
}

static long native_read(struct trace_reader *r, struct mm_event *evs, size_t max)
{
	struct native_state *s = r->priv;
	size_t n = 0;
	while (n < max) {
		if (s->i == s->n) {
			if (s->eof)
				break;
			int e = native_refill(r, s);
			if (e)
				return e;
			if (s->eof)
				break;
		}
		size_t k = MM_MIN(s->n - s->i, max - n);
		const struct mm_event *src = &s->rec[s->i];
		/* kinds are checked by trace_read while it accounts the batch */
		memcpy(evs + n, src, k * sizeof(*src));
		s->i += k;
		s->index += k;
		n += k;
	}
	return (long)n;
}

const struct trace_fmt_ops trace_native_ops = {
	.name = "native",
	.fmt = TRACE_FMT_NATIVE,
	.init = native_init,
	.fini = native_fini,
	.next = native_next,
	.read = native_read,
};

struct trace_writer {
	FILE *f;
	char *path; /* final name; NULL for stdout */
	char *tmp;  /* temporary name while writing */
	bool err;
};

int trace_writer_open(const char *path, struct trace_writer **out, struct mm_diag *diag)
{
	struct trace_writer *w = calloc(1, sizeof(*w));
	*out = NULL;
	if (!w)
		return diag_set(diag, path, 0, "out of memory"), -ENOMEM;
	if (!strcmp(path, "-")) {
		w->f = stdout;
	} else {
		size_t n = strlen(path);
		w->path = strdup(path);
		w->tmp = malloc(n + 16);
		if (!w->path || !w->tmp) {
			trace_writer_abort(w);
			return diag_set(diag, path, 0, "out of memory"), -ENOMEM;
		}
		snprintf(w->tmp, n + 16, "%s.tmp.XXXXXX", path);
		int fd = mkstemp(w->tmp);
		if (fd < 0) {
			int e = errno;
			free(w->tmp);
			w->tmp = NULL;
			trace_writer_abort(w);
			diag_set(diag, path, 0, "cannot create a temporary file next to it: %s", strerror(e));
			return -e;
		}
		w->f = fdopen(fd, "wb");
		if (!w->f) {
			int e = errno;
			close(fd);
			trace_writer_abort(w);
			diag_set(diag, path, 0, "fdopen: %s", strerror(e));
			return -e;
		}
		setvbuf(w->f, NULL, _IOFBF, 1 << 20);
	}
	if (trace_native_write_hdr(w->f)) {
		trace_writer_abort(w);
		return diag_set(diag, path, 0, "write error"), -EIO;
	}
	*out = w;
	return 0;
}

int trace_writer_put(struct trace_writer *w, const struct mm_event *evs, size_t n)
{
	if (n && fwrite(evs, sizeof(*evs), n, w->f) != n)
		w->err = true;
	return w->err ? -EIO : 0;
}

int trace_writer_commit(struct trace_writer *w, struct mm_diag *diag)
{
	int e = 0;
	const char *name = w->path ? w->path : "<stdout>";
	if (fflush(w->f) || ferror(w->f) || w->err)
		e = -EIO;
	if (w->path) {
		if (fclose(w->f))
			e = -EIO;
		w->f = NULL;
		if (!e && rename(w->tmp, w->path)) {
			e = -errno;
			diag_set(diag, name, 0, "rename into place: %s", strerror(-e));
		} else if (e) {
			diag_set(diag, name, 0, "write error");
		}
		if (e)
			unlink(w->tmp);
	} else if (e) {
		diag_set(diag, name, 0, "write error");
	}
	free(w->path);
	free(w->tmp);
	free(w);
	return e;
}

void trace_writer_abort(struct trace_writer *w)
{
	if (!w)
		return;
	if (w->f && w->f != stdout)
		fclose(w->f);
	if (w->tmp && w->path)
		unlink(w->tmp);
	free(w->path);
	free(w->tmp);
	free(w);
}
