/* The native binary trace (trace_native.h): reader and writer. Reading is a block copy:
 * records come in batches of NATIVE_BATCH straight from read(2) (or the zstd decoder) into a
 * reused buffer (so resident memory is flat), and each is checked only for a valid kind so
 * that no consumer ever sees an out-of-range one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"
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
	struct outfile out; /* the file (outfile.h: temporary, renamed on commit), or stdout */
	int err;	    /* errno of the first failed write, or 0 */
};

int trace_writer_open(const char *path, struct trace_writer **out, struct mm_diag *diag)
{
	struct trace_writer *w = calloc(1, sizeof(*w));
	*out = NULL;
	if (!w)
		return diag_set(diag, path, 0, "out of memory"), -ENOMEM;
	int e = outfile_open(&w->out, path);
	if (e) {
		diag_set(diag, path, 0, "%s", outfile_error(&w->out, e));
		free(w);
		return e;
	}
	if (w->out.f != stdout)
		setvbuf(w->out.f, NULL, _IOFBF, 1 << 20);
	if (trace_native_write_hdr(w->out.f)) {
		trace_writer_abort(w);
		return diag_set(diag, path, 0, "write error"), -EIO;
	}
	*out = w;
	return 0;
}

int trace_writer_put(struct trace_writer *w, const struct mm_event *evs, size_t n)
{
	if (n && fwrite(evs, sizeof(*evs), n, w->out.f) != n && !w->err)
		w->err = errno ? errno : EIO;
	return w->err ? -w->err : 0;
}

int trace_writer_commit(struct trace_writer *w, struct mm_diag *diag)
{
	const char *name = w->out.f == stdout ? "<stdout>" : w->out.path;
	int e = 0;
	if (w->err) {
		e = -w->err;
		diag_set(diag, name, 0, "write error: %s", strerror(w->err));
		outfile_abort(&w->out);
	} else if ((e = outfile_commit(&w->out))) {
		diag_set(diag, name, 0, "%s", outfile_error(&w->out, e));
	}
	free(w);
	return e;
}

void trace_writer_abort(struct trace_writer *w)
{
	if (!w)
		return;
	outfile_abort(&w->out);
	free(w);
}
