/* trace-cmd's binary trace.dat, read through libtracecmd and libtraceevent (optional: built
 * when HAVE_LIBTRACECMD; otherwise opening one says how to get the text instead). The
 * per-CPU buffers are merged by timestamp, the lowest CPU first on a tie, which is the order
 * `trace-cmd report` prints, so a trace.dat and its report text give the same events. The six
 * common tracepoints are read field by field from the file's own event formats, with the
 * meaning trace_kevent.c gives their text (kernel-facts.md); every other event is printed by
 * libtraceevent, as trace-cmd report prints it, and handed to trace_kevent, which parses the
 * ones it knows (values computed in TP_printk, like extfrag's pageblock_order, come along)
 * and counts the rest by name. A compressed or piped trace.dat is first
 * copied to an unlinked temporary file: libtracecmd needs to seek. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workloads/trace/spillfile.h"
#include "workloads/trace/trace_priv.h"

#if HAVE_LIBTRACECMD
#include <fcntl.h>
#include <sys/stat.h>
#include <trace-cmd/trace-cmd.h>
#include <traceevent/trace-seq.h>

enum td_kind { TD_OTHER = 0, TD_PAGE_ALLOC, TD_PAGE_FREE, TD_TLB, TD_VA_ALLOC, TD_VA_FREE, TD_VA_PURGE };

#define TD_NFIELDS 6

/* One tracepoint of the file: what it is for us and its fields in our order. */
struct td_event {
	enum td_kind kind;
	const char *name; /* tep's own string */
	struct tep_format_field *f[TD_NFIELDS];
};

static const struct td_spec {
	const char *sys, *name;
	enum td_kind kind;
	const char *fields[TD_NFIELDS];
} td_specs[] = {
	{"kmem", "mm_page_alloc", TD_PAGE_ALLOC, {"pfn", "order", "gfp_flags", "migratetype"}},
	{"kmem", "mm_page_free", TD_PAGE_FREE, {"pfn", "order"}},
	{"tlb", "tlb_flush", TD_TLB, {"pages", "reason"}},
	{"vmalloc", "alloc_vmap_area", TD_VA_ALLOC, {"addr", "size", "align", "vstart", "vend", "failed"}},
	{"vmalloc", "free_vmap_area_noflush", TD_VA_FREE, {"va_start", "nr_lazy", "nr_lazy_max"}},
	{"vmalloc", "purge_vmap_area_lazy", TD_VA_PURGE, {"start", "end", "npurged"}},
};

struct td_state {
	struct tracecmd_input *h;
	struct tep_handle *tep;
	int ncpu;
	struct tep_record **peek; /* peek[cpu]: the next record of that CPU, NULL when drained */
	struct hmap ids;	  /* event id -> index + 1 into ev[] */
	struct td_event *ev;
	size_t nev, ev_cap;
	u64 index;	      /* records read so far, for diagnostics */
	struct trace_seq seq; /* text of an event read through trace_kevent */
};

/* The input as a seekable fd positioned anywhere: the file itself when it is a plain regular
 * file, else an unlinked temporary copy of the decoded bytes. -errno with diag. */
static int td_fd(struct trace_reader *r)
{
	struct trace_input *in = &r->in;
	struct stat sb;
	if (!in->compressed && fstat(in->fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		int fd = dup(in->fd);
		if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0) {
			if (fd >= 0)
				close(fd);
			return diag_set(&r->diag, r->name, 0, "cannot reopen: %s", strerror(errno)), -EIO;
		}
		return fd;
	}
	int fd = spillfile_create(NULL, &r->diag);
	u64 used = 0;
	char why[160];
	if (fd < 0)
		return -EIO;
	for (;;) {
		long n = tin_peek(in, 1 << 20, &r->diag);
		if (n < 0) {
			close(fd);
			return (int)n;
		}
		if (n == 0)
			break;
		int e = spillfile_reserve(fd, &used, (size_t)n);
		if (e || write(fd, in->buf + in->pos, (size_t)n) != n) {
			close(fd);
			return diag_set(&r->diag, r->name, 0, "writing a temporary copy: %s",
					spillfile_why(e ? -e : errno, why, sizeof(why))),
			       -EIO;
		}
		in->pos += (size_t)n;
		in->bytes += (u64)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return diag_set(&r->diag, r->name, 0, "temporary copy: %s", strerror(errno)), -EIO;
	}
	return fd;
}

static void td_fini(struct trace_reader *r);

/* Open the trace.dat and peek at each CPU's first record. On failure the caller frees. */
static int td_setup(struct trace_reader *r)
{
	struct td_state *s = calloc(1, sizeof(*s));
	if (!s || hmap_init(&s->ids, 16)) {
		free(s);
		return diag_set(&r->diag, r->name, 0, "out of memory"), -ENOMEM;
	}
	r->priv = s;
	trace_seq_init(&s->seq);
	tracecmd_set_loglevel(TEP_LOG_NONE);
	tep_set_loglevel(TEP_LOG_NONE);
	int fd = td_fd(r);
	if (fd < 0)
		return fd;
	s->h = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!s->h) {
		close(fd);
		return diag_set(&r->diag, r->name, 0,
				"not a trace.dat libtracecmd can read (corrupt or truncated)");
	}
	s->tep = tracecmd_get_tep(s->h);
	s->ncpu = s->tep ? tep_get_cpus(s->tep) : 0;
	if (s->ncpu < 0 || s->ncpu > 65535)
		return diag_set(&r->diag, r->name, 0, "trace.dat names %d CPUs", s->ncpu);
	s->peek = calloc((size_t)s->ncpu + 1, sizeof(*s->peek));
	if (!s->peek)
		return diag_set(&r->diag, r->name, 0, "out of memory"), -ENOMEM;
	for (int c = 0; c < s->ncpu; c++)
		s->peek[c] = tracecmd_read_data(s->h, c);
	r->st.has_ts = true;
	return 0;
}

/* trace_open does not call fini after a failed init: clean up here. */
static int td_init(struct trace_reader *r)
{
	int e = td_setup(r);
	if (e)
		td_fini(r);
	return e;
}

static void td_fini(struct trace_reader *r)
{
	struct td_state *s = r->priv;
	if (!s)
		return;
	if (s->peek)
		for (int c = 0; c < s->ncpu; c++)
			tracecmd_free_record(s->peek[c]);
	free(s->peek);
	if (s->h)
		tracecmd_close(s->h);
	hmap_fini(&s->ids);
	trace_seq_destroy(&s->seq);
	free(s->ev);
	free(s);
	r->priv = NULL;
}

/* The resolved description of a record's event (added on first sight), or NULL (-ENOMEM). */
static const struct td_event *td_event(struct td_state *s, struct tep_record *rec)
{
	struct tep_event *te = tep_find_event_by_record(s->tep, rec);
	static const struct td_event unknown = {TD_OTHER, "(unknown id)", {0}};
	if (!te)
		return &unknown;
	u64 slot;
	if (hmap_get(&s->ids, (u64)(unsigned)te->id, &slot))
		return &s->ev[slot - 1];
	if (s->nev == s->ev_cap) {
		size_t ncap = s->ev_cap ? 2 * s->ev_cap : 16;
		struct td_event *n = realloc(s->ev, ncap * sizeof(*n));
		if (!n)
			return NULL;
		s->ev = n;
		s->ev_cap = ncap;
	}
	struct td_event *e = &s->ev[s->nev];
	*e = (struct td_event){TD_OTHER, te->name ? te->name : "?", {0}};
	for (size_t i = 0; i < MM_ARRAY_SIZE(td_specs); i++) {
		const struct td_spec *sp = &td_specs[i];
		if (!te->name || !te->system || strcmp(te->name, sp->name) || strcmp(te->system, sp->sys))
			continue;
		e->kind = sp->kind;
		for (int k = 0; k < TD_NFIELDS && sp->fields[k]; k++)
			if (!(e->f[k] = tep_find_field(te, sp->fields[k])))
				e->kind = TD_OTHER; /* a layout we do not know: counted as unknown */
	}
	if (hmap_put(&s->ids, (u64)(unsigned)te->id, s->nev + 1) < 0)
		return NULL;
	return &s->ev[s->nev++];
}

static u64 td_num(const struct td_event *e, int k, struct tep_record *rec)
{
	unsigned long long v = 0;
	if (e->f[k]->offset >= 0 && e->f[k]->size >= 0 && e->f[k]->offset + e->f[k]->size <= rec->size)
		tep_read_number_field(e->f[k], rec->data, &v);
	return v;
}

static i64 td_snum(const struct td_event *e, int k, struct tep_record *rec)
{
	u64 v = td_num(e, k, rec);
	unsigned sz = (unsigned)e->f[k]->size;
	if (sz < 8 && (v >> (sz * 8 - 1)) & 1) /* sign-extend a narrower signed field */
		v |= ~0ull << (sz * 8);
	return (i64)v;
}

/* Fill ev from one record of a replayed kind: 1, or -EINVAL where the text reader would
 * reject the same event's text. */
static int td_fill(struct trace_reader *r, struct td_state *s, const struct td_event *e,
		   struct tep_record *rec, struct mm_event *ev)
{
	u64 order;
	i64 mt, pages;
	switch (e->kind) {
	case TD_PAGE_ALLOC:
		ev->kind = MME_PAGE_ALLOC;
		ev->addr = td_num(e, 0, rec);
		order = td_num(e, 1, rec);
		mt = td_snum(e, 3, rec);
		if (order > 63 || mt < -1 || mt > 127)
			break;
		ev->order = (u8)order;
		ev->mt = (i8)mt;
		if (ev->addr == (u64)-1 || (e->f[0]->size == 4 && ev->addr == 0xffffffffu)) {
			ev->flags |= MME_F_FAILED; /* pfn -1: no page */
			ev->addr = 0;
		}
		u64 gfp = td_num(e, 2, rec); /* ___GFP_DMA is bit 0, ___GFP_DMA32 bit 2 */
		if (gfp & 1)
			ev->flags |= MME_F_ZONE_DMA;
		if (gfp & 4)
			ev->flags |= MME_F_ZONE_DMA32;
		return 1;
	case TD_PAGE_FREE:
		ev->kind = MME_PAGE_FREE;
		ev->addr = td_num(e, 0, rec);
		order = td_num(e, 1, rec);
		if (order > 63)
			break;
		ev->order = (u8)order;
		return 1;
	case TD_TLB:
		ev->kind = MME_TLB_FLUSH;
		pages = td_snum(e, 0, rec);
		if (pages < -1)
			break;
		ev->len = pages < 0 ? (u64)-1 : (u64)pages;
		ev->aux = (u64)td_snum(e, 1, rec);
		return 1;
	case TD_VA_ALLOC:
		ev->kind = MME_VMAP_ALLOC;
		ev->addr = td_num(e, 0, rec);
		ev->len = td_num(e, 1, rec);
		ev->aux = td_num(e, 2, rec);
		ev->addr2 = td_num(e, 3, rec);
		ev->len2 = td_num(e, 4, rec);
		if (td_snum(e, 5, rec))
			ev->flags |= MME_F_FAILED;
		return 1;
	case TD_VA_FREE:
		ev->kind = MME_VMAP_FREE;
		ev->addr = td_num(e, 0, rec);
		ev->len2 = td_num(e, 1, rec);
		ev->aux = td_num(e, 2, rec);
		return 1;
	case TD_VA_PURGE:
		ev->kind = MME_VMAP_PURGE;
		ev->addr = td_num(e, 0, rec);
		ev->addr2 = td_num(e, 1, rec);
		ev->aux = td_num(e, 2, rec);
		return 1;
	case TD_OTHER:
		break;
	}
	return diag_set(&r->diag, r->name, 0, "record %llu (%s): field out of range",
			(unsigned long long)s->index, e->name);
}

/* Any other event: its libtraceevent text through trace_kevent (1, 0 when not replayed,
 * or -EINVAL after trace_bad). */
static int td_text(struct trace_reader *r, struct td_state *s, const struct td_event *e,
		   struct tep_record *rec, struct mm_event *ev)
{
	trace_seq_reset(&s->seq);
	tep_print_event(s->tep, &s->seq, rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&s->seq);
	if (s->seq.state != TRACE_SEQ__GOOD || !s->seq.buffer)
		return diag_set(&r->diag, r->name, 0, "out of memory"), -ENOMEM;
	r->line_end = s->seq.buffer + strlen(s->seq.buffer);
	return trace_kevent(r, e->name, strlen(e->name), s->seq.buffer, ev);
}

static int td_next(struct trace_reader *r, struct mm_event *ev)
{
	struct td_state *s = r->priv;
	for (;;) {
		int best = -1;
		for (int c = 0; c < s->ncpu; c++)
			if (s->peek[c] && (best < 0 || s->peek[c]->ts < s->peek[best]->ts))
				best = c;
		if (best < 0)
			return 0;
		struct tep_record *rec = s->peek[best];
		s->peek[best] = tracecmd_read_data(s->h, best);
		s->index++;
		const struct td_event *e = td_event(s, rec);
		int ret = 0;
		if (!e) {
			diag_set(&r->diag, r->name, 0, "out of memory");
			ret = -ENOMEM;
		} else {
			trace_ev_init(ev);
			ev->ts_ns = rec->ts;
			ev->cpu = (u16)best;
			int pid = tep_data_pid(s->tep, rec);
			ev->pid = pid < 0 ? TRACE_PID_NONE : (u32)pid;
			ret = e->kind == TD_OTHER ? td_text(r, s, e, rec, ev) : td_fill(r, s, e, rec, ev);
			if (ret < 0 && r->opts.skip_bad) { /* count it the way a bad text line is */
				if (!r->st.skipped) {
					size_t n = strnlen(r->diag.msg, sizeof(r->st.first_skip) - 1);
					memcpy(r->st.first_skip, r->diag.msg, n);
					r->st.first_skip[n] = '\0';
				}
				r->st.skipped++;
				r->diag.msg[0] = '\0';
				ret = 0;
			}
		}
		tracecmd_free_record(rec);
		if (ret)
			return ret;
	}
}

#else /* !HAVE_LIBTRACECMD */

static int td_init(struct trace_reader *r)
{
	return diag_set(&r->diag, r->name, 0,
			"a trace-cmd trace.dat, and this build has no libtracecmd: run `trace-cmd report -i "
			"FILE > FILE.txt` and read the text, or rebuild with libtracecmd-dev installed");
}

static void td_fini(struct trace_reader *r)
{
	(void)r;
}

static int td_next(struct trace_reader *r, struct mm_event *ev)
{
	(void)ev;
	return diag_set(&r->diag, r->name, 0, "trace.dat support is not built in");
}

#endif

bool trace_tracedat_supported(void)
{
	return HAVE_LIBTRACECMD;
}

const struct trace_fmt_ops trace_tracedat_ops = {
	.name = "tracedat",
	.fmt = TRACE_FMT_TRACEDAT,
	.init = td_init,
	.fini = td_fini,
	.next = td_next,
};
