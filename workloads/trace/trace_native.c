/* The native binary trace (trace_native.h): reader and writer. A plain native file is
 * mapped and handed out in slices (no copy); pages behind the cursor are dropped from the
 * mapping every TRACE_NATIVE_WINDOW bytes, so resident memory stays flat however long the
 * file is. Compressed or piped input is read in batches of NATIVE_BATCH records into a
 * reused buffer. Each record is checked only for a valid kind (by the front end), so no
 * consumer ever sees an out-of-range one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/outfile.h"
#include "workloads/trace/trace_native.h"
#include "workloads/trace/trace_priv.h"

#define NATIVE_BATCH 16384 /* records per read: 1 MiB */

struct native_state {
	/* mapped input */
	const u8 *map; /* the whole file, NULL when read through the buffer */
	size_t map_len;
	size_t released; /* map[0..released) dropped from our page tables; page-aligned */
	u64 nrec;	 /* whole records in the file */
	size_t stray;	 /* bytes after the last whole record (a truncated file) */
	/* buffered input */
	struct mm_event *rec; /* rec[i..n) not yet delivered */
	size_t i, n;
	bool eof;
	u64 index; /* records delivered so far */
};

/* Map a plain regular file; false (and buffered reading) when it cannot be. */
static bool native_map(struct trace_reader *r, struct native_state *s)
{
	struct stat sb;
	if (r->opts.no_map || r->in.compressed || fstat(r->in.fd, &sb) || !S_ISREG(sb.st_mode) ||
	    (u64)sb.st_size < TRACE_NATIVE_HDR_SIZE || (u64)sb.st_size > SIZE_MAX)
		return false;
	void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, r->in.fd, 0);
	if (m == MAP_FAILED)
		return false;
	madvise(m, (size_t)sb.st_size, MADV_SEQUENTIAL);
	s->map = m;
	s->map_len = (size_t)sb.st_size;
	s->nrec = (s->map_len - TRACE_NATIVE_HDR_SIZE) / sizeof(struct mm_event);
	s->stray = (s->map_len - TRACE_NATIVE_HDR_SIZE) % sizeof(struct mm_event);
	return true;
}

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
	if (!s)
		return diag_set(&r->diag, r->name, 0, "out of memory"), -ENOMEM;
	if (!native_map(r, s) && !(s->rec = malloc(NATIVE_BATCH * sizeof(struct mm_event)))) {
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
	if (s) {
		if (s->map)
			munmap((void *)s->map, s->map_len);
		free(s->rec);
	}
	free(s);
	r->priv = NULL;
}

static int native_truncated(struct trace_reader *r, size_t stray, u64 at)
{
	return diag_set(&r->diag, r->name, 0, "truncated native trace: %zu stray bytes after record %llu",
			stray, (unsigned long long)at);
}

static int native_refill(struct trace_reader *r, struct native_state *s)
{
	long got = tin_read(&r->in, s->rec, NATIVE_BATCH * sizeof(struct mm_event), &r->diag);
	if (got < 0)
		return (int)got;
	size_t whole = (size_t)got / sizeof(struct mm_event);
	if ((size_t)got % sizeof(struct mm_event))
		return native_truncated(r, (size_t)got % sizeof(struct mm_event), s->index + whole);
	s->i = 0;
	s->n = whole;
	if (!whole)
		s->eof = true;
	return 0;
}

/* Up to max records in place: count, 0 at the end, or -errno. */
static long native_view(struct trace_reader *r, const struct mm_event **evs, size_t max)
{
	struct native_state *s = r->priv;
	if (s->map) {
		size_t cur = TRACE_NATIVE_HDR_SIZE + s->index * sizeof(struct mm_event);
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		size_t upto = cur & ~(page - 1); /* everything before cur was handed out earlier */
		if (upto - s->released >= TRACE_NATIVE_WINDOW) {
			madvise((void *)(s->map + s->released), upto - s->released, MADV_DONTNEED);
			s->released = upto;
		}
		if (s->index == s->nrec)
			return s->stray ? native_truncated(r, s->stray, s->nrec) : 0;
		size_t k = (size_t)MM_MIN((u64)max, s->nrec - s->index);
		*evs = (const struct mm_event *)(s->map + cur);
		s->index += k;
		r->in.bytes = cur + k * sizeof(struct mm_event);
		return (long)k;
	}
	if (s->i == s->n) {
		if (s->eof)
			return 0;
		int e = native_refill(r, s);
		if (e)
			return e;
		if (s->eof)
			return 0;
	}
	size_t k = MM_MIN(s->n - s->i, max);
	*evs = &s->rec[s->i];
	s->i += k;
	s->index += k;
	return (long)k;
}

static long native_read(struct trace_reader *r, struct mm_event *evs, size_t max)
{
	size_t n = 0;
	while (n < max) {
		const struct mm_event *src = NULL;
		long k = native_view(r, &src, max - n);
		if (k < 0)
			return k;
		if (k == 0)
			break;
		memcpy(evs + n, src, (size_t)k * sizeof(*src)); /* kinds checked by trace_read */
		n += (size_t)k;
	}
	return (long)n;
}

static int native_next(struct trace_reader *r, struct mm_event *ev)
{
	struct native_state *s = r->priv;
	u64 at = s->index;
	long k = native_read(r, ev, 1);
	if (k <= 0)
		return (int)k;
	if (MM_UNLIKELY(ev->kind == MME_NONE || ev->kind >= MME_NR_KINDS))
		return diag_set(&r->diag, r->name, 0, "record %llu: invalid event kind %u",
				(unsigned long long)at, ev->kind);
	return 1;
}

const struct trace_fmt_ops trace_native_ops = {
	.name = "native",
	.fmt = TRACE_FMT_NATIVE,
	.init = native_init,
	.fini = native_fini,
	.next = native_next,
	.read = native_read,
	.view = native_view,
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
