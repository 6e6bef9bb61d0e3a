/* A trace read once into native form, for consumers that need several passes (several
 * configurations, worker threads): text is parsed once, every later pass is a mapped native
 * read. The spill is an unlinked file (O_TMPFILE), so nothing is left behind by a crash; each
 * pass opens it anew through /proc/self/fd, which gives it its own file offset. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/trace/trace_native.h"
#include "workloads/trace/spillfile.h"
#include "workloads/trace/trace_priv.h"

struct trace_spill {
	int fd;			  /* the native file, read-only use from here on */
	char *name;		  /* the source's diagnostic name */
	enum trace_format format; /* the source's format */
	struct trace_stats st;	  /* the source pass */
};

/* Is r a plain native file that can serve as the spill itself? */
static bool spill_in_place(const struct trace_reader *r)
{
	struct stat sb;
	return r->ops->fmt == TRACE_FMT_NATIVE && !r->in.compressed && r->in.own_fd &&
	       !fstat(r->in.fd, &sb) && S_ISREG(sb.st_mode);
}

/* Copy every event of r into fd as a native file; 0 or -errno with diag. */
static int spill_copy(struct trace_reader *r, int fd, struct mm_diag *diag)
{
	char why[160];
	FILE *f = spillfile_writer(fd);
	if (!f)
		return diag_set(diag, r->name, 0, "spill file: %s", strerror(errno)), -EIO;
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	int e = trace_native_write_hdr(f);
	const struct mm_event *evs;
	long k = 0;
	while (!e && (k = trace_batch(r, &evs, TRACE_BATCH)) > 0)
		if (fwrite(evs, sizeof(*evs), (size_t)k, f) != (size_t)k)
			e = -EIO;
	if (!e && k < 0) {
		if (diag)
			*diag = r->diag;
		fclose(f);
		return (int)k;
	}
	int we = errno;
	if (fclose(f) || e)
		return diag_set(diag, r->name, 0, "writing the spill file: %s",
				spillfile_why(e ? we : errno, why, sizeof(why))),
		       -EIO;
	return 0;
}

int trace_spill_create(const char *path, const struct trace_opts *opts, const char *dir,
		       struct trace_spill **out, struct mm_diag *diag)
{
	struct trace_reader *r;
	*out = NULL;
	int e = trace_open(path, opts, &r, diag);
	if (e)
		return e;
	struct trace_spill *s = calloc(1, sizeof(*s));
	if (!s || !(s->name = strdup(r->name))) {
		free(s);
		trace_close(r);
		return diag_set(diag, path, 0, "out of memory"), -ENOMEM;
	}
	s->fd = -1;
	s->format = r->ops->fmt;
	if (spill_in_place(r)) {
		s->fd = dup(r->in.fd);
		s->st.events =
			(u64)(lseek(r->in.fd, 0, SEEK_END) - TRACE_NATIVE_HDR_SIZE) / sizeof(struct mm_event);
		s->st.has_ts = true;
		if (s->fd < 0) {
			diag_set(diag, r->name, 0, "dup: %s", strerror(errno));
			e = -EMFILE;
		}
	} else {
		s->fd = spillfile_create(dir, diag);
		if (s->fd < 0) {
			e = -EIO;
		} else {
			e = spill_copy(r, s->fd, diag);
		}
		s->st = r->st;
	}
	trace_close(r);
	if (e) {
		trace_spill_free(s);
		return e;
	}
	*out = s;
	return 0;
}

int trace_spill_open(const struct trace_spill *s, struct trace_reader **out, struct mm_diag *diag)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", s->fd);
	struct trace_opts o = {.format = TRACE_FMT_NATIVE, .name = s->name, .no_map = true};
	return trace_open(path, &o, out, diag);
}

const struct trace_stats *trace_spill_stats(const struct trace_spill *s)
{
	return &s->st;
}

enum trace_format trace_spill_format(const struct trace_spill *s)
{
	return s->format;
}

void trace_spill_free(struct trace_spill *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->name);
	free(s);
}
