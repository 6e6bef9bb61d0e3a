/* The reader front end: open, the line loop with strict/skip-bad handling,
 * statistics, the event queue, and load-all. The formats live in trace_{native,perf,ftrace,
 * strace}.c behind struct trace_fmt_ops. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "workloads/trace/trace_native.h"
#include "workloads/trace/trace_priv.h"

int trace_bad(struct trace_reader *r, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_set(&r->diag, r->name, r->in.line, "%s", msg);
}

int trace_unknown(struct trace_reader *r, const char *name, size_t len)
{
	struct trace_stats *st = &r->st;
	st->unknown++;
	if (len >= sizeof(st->unknown_names[0].name))
		len = sizeof(st->unknown_names[0].name) - 1;
	for (u32 i = 0; i < st->nr_unknown_names; i++) {
		struct trace_unknown *u = &st->unknown_names[i];
		if (!strncmp(u->name, name, len) && u->name[len] == '\0') {
			u->count++;
			return 0;
		}
	}
	if (st->nr_unknown_names == TRACE_UNKNOWN_NAMES) {
		st->unknown_other++;
		return 0;
	}
	struct trace_unknown *u = &st->unknown_names[st->nr_unknown_names++];
	memcpy(u->name, name, len);
	u->name[len] = '\0';
	u->count = 1;
	return 0;
}

int trace_queue_push(struct trace_reader *r, const struct mm_event *ev)
{
	struct trace_queue *q = &r->q;
	if (q->n == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 64;
		struct mm_event *nev = malloc(ncap * sizeof(*nev));
		if (!nev)
			return diag_set(&r->diag, r->name, r->in.line, "out of memory"), -ENOMEM;
		for (size_t i = 0; i < q->n; i++)
			nev[i] = q->ev[(q->head + i) & (q->cap - 1)];
		free(q->ev);
		q->ev = nev;
		q->cap = ncap;
		q->head = 0;
	}
	q->ev[(q->head + q->n) & (q->cap - 1)] = *ev;
	q->n++;
	return 0;
}

static void trace_queue_pop(struct trace_queue *q, struct mm_event *ev)
{
	*ev = q->ev[q->head];
	q->head = (q->head + 1) & (q->cap - 1);
	q->n--;
}

/* Widen the pid bitmap to cover pid (< TRACE_PID_BITS); on failure the map takes over. */
static void trace_pid_grow(struct trace_reader *r, u32 pid)
{
	size_t words = r->pid_words ? r->pid_words : 64;
	while (words <= (size_t)(pid >> 6))
		words *= 2;
	u64 *nb = realloc(r->pid_bits, words * sizeof(u64));
	if (!nb)
		return;
	memset(nb + r->pid_words, 0, (words - r->pid_words) * sizeof(u64));
	r->pid_bits = nb;
	r->pid_words = words;
}

/* Statistics for one delivered event. */
static void trace_account(struct trace_reader *r, const struct mm_event *ev)
{
	struct trace_stats *st = &r->st;
	st->events++;
	st->kind[ev->kind < MME_NR_KINDS ? ev->kind : MME_NONE]++;
	if (ev->flags & MME_F_FAILED)
		st->failed++;
	if (MM_UNLIKELY(ev->kind == MME_LOST))
		st->lost += ev->len;
	if (MM_UNLIKELY(ev->kind == MME_TASK) && ev->aux != MME_TASK_FORK && ev->aux != MME_TASK_EXEC &&
	    ev->aux != MME_TASK_COMM && ev->aux != MME_TASK_EXIT)
		goto times; /* a header record: no task of the trace ran it */
	if (ev->cpu != TRACE_CPU_NONE) {
		u64 bit = 1ull << (ev->cpu & 63);
		if (!(r->cpu_seen[ev->cpu >> 6] & bit)) {
			r->cpu_seen[ev->cpu >> 6] |= bit;
			st->nr_cpus++;
			if (ev->cpu > st->max_cpu)
				st->max_cpu = ev->cpu;
		}
	}
	if (MM_UNLIKELY((size_t)(ev->pid >> 6) >= r->pid_words) && ev->pid < TRACE_PID_BITS)
		trace_pid_grow(r, ev->pid);
	if (MM_LIKELY((size_t)(ev->pid >> 6) < r->pid_words)) {
		u64 bit = 1ull << (ev->pid & 63);
		if (!(r->pid_bits[ev->pid >> 6] & bit)) {
			r->pid_bits[ev->pid >> 6] |= bit;
			st->nr_pids++;
		}
	} else if (hmap_put(&r->pids, ev->pid, 1) == 0) {
		st->nr_pids++;
	}
times:
	if (st->events == 1) {
		st->first_ts = st->min_ts = st->max_ts = ev->ts_ns;
	} else {
		if (ev->ts_ns < st->min_ts)
			st->min_ts = ev->ts_ns;
		if (ev->ts_ns > st->max_ts)
			st->max_ts = ev->ts_ns;
	}
	st->last_ts = ev->ts_ns;
}

int trace_open(const char *path, const struct trace_opts *opts, struct trace_reader **out,
	       struct mm_diag *diag)
{
	static const struct trace_opts defaults;
	struct trace_reader *r = calloc(1, sizeof(*r));
	int e;
	*out = NULL;
	if (!r)
		return diag_set(diag, path, 0, "out of memory"), -ENOMEM;
	r->opts = opts ? *opts : defaults;
	const char *nm = r->opts.name ? r->opts.name : strcmp(path, "-") ? path : "<stdin>";
	r->name = strdup(nm);
	if (!r->name || hmap_init(&r->pids, 64)) {
		free(r->name);
		free(r);
		return diag_set(diag, nm, 0, "out of memory"), -ENOMEM;
	}
	e = tin_open(&r->in, path, r->name, INFILE_STREAM, diag);
	if (e)
		goto fail_nodiag;
	enum trace_format fmt = r->opts.format;
	if (fmt == TRACE_FMT_AUTO) {
		e = trace_detect(r, &fmt);
		if (e)
			goto fail;
	}
	r->ops = trace_fmt_find(fmt);
	if (!r->ops) {
		e = diag_set(&r->diag, r->name, 0, "unknown trace format %d", (int)fmt);
		goto fail;
	}
	e = r->ops->init ? r->ops->init(r) : 0;
	if (e)
		goto fail;
	if (r->ops->line)
		tin_ra_start(&r->in);
	*out = r;
	return 0;
fail:
	if (diag)
		*diag = r->diag;
fail_nodiag:
	r->ops = NULL;
	trace_close(r);
	return e;
}

void trace_close(struct trace_reader *r)
{
	if (!r)
		return;
	if (r->ops && r->ops->fini)
		r->ops->fini(r);
	tin_close(&r->in);
	hmap_fini(&r->pids);
	free(r->pid_bits);
	free(r->q.ev);
	free(r->batch);
	trace_tasks_free(r->tasks);
	free(r->name);
	free(r);
}

/* A malformed line: strict mode stops, skip_bad counts it. 0 to continue, or the error. */
static int trace_on_bad(struct trace_reader *r, int e)
{
	if (e == -EINVAL && r->opts.skip_bad) {
		if (!r->st.skipped) {
			size_t n = strnlen(r->diag.msg, sizeof(r->st.first_skip) - 1);
			memcpy(r->st.first_skip, r->diag.msg, n);
			r->st.first_skip[n] = '\0';
		}
		r->st.skipped++;
		r->diag.msg[0] = '\0';
		return 0;
	}
	r->err = e;
	return e;
}

int trace_next(struct trace_reader *r, struct mm_event *ev)
{
	if (r->err)
		return r->err;
	for (;;) {
		if (r->q.n) {
			trace_queue_pop(&r->q, ev);
			trace_account(r, ev);
			return 1;
		}
		if (r->ops->next) {
			int e = r->ops->next(r, ev);
			if (e > 0) {
				trace_account(r, ev);
				return 1;
			}
			if (e < 0)
				r->err = e;
			r->st.bytes = r->in.bytes;
			return e;
		}
		if (r->finished)
			return 0;
		char *line;
		size_t len;
		int e = tin_getline(&r->in, &line, &len, &r->diag);
		r->st.bytes = r->in.bytes;
		if (e == -E2BIG) {
			r->st.lines++;
			e = trace_on_bad(r, trace_bad(r, "line longer than %u bytes", TRACE_LINE_MAX));
			if (e)
				return e;
			continue;
		}
		if (e < 0)
			return r->err = e;
		if (e == 0) {
			r->finished = true;
			e = r->ops->finish ? r->ops->finish(r) : 0;
			if (e < 0)
				return r->err = e;
			continue;
		}
		r->st.lines++;
		r->line_end = line + len;
		if (!r->ops->checks_nul && MM_UNLIKELY(memchr(line, '\0', len))) {
			e = trace_on_bad(r, trace_bad(r, "NUL byte in a text line (binary data?)"));
			if (e)
				return e;
			continue;
		}
		e = r->ops->line(r, line, len, ev);
		if (e > 0) {
			trace_account(r, ev);
			return 1;
		}
		if (e < 0) {
			e = trace_on_bad(r, e);
			if (e)
				return e;
		}
	}
}

long trace_read(struct trace_reader *r, struct mm_event *evs, size_t max)
{
	size_t n = 0;
	if (r->ops->read && !r->q.n && !r->err) {
		long k = r->ops->read(r, evs, max);
		if (k < 0)
			return r->err = (int)k;
		for (long i = 0; i < k; i++) {
			if (MM_UNLIKELY(evs[i].kind == MME_NONE || evs[i].kind >= MME_NR_KINDS)) {
				diag_set(&r->diag, r->name, 0, "record %llu: invalid event kind %u",
					 (unsigned long long)r->st.events, evs[i].kind);
				return r->err = -EINVAL;
			}
			trace_account(r, &evs[i]);
		}
		r->st.bytes = r->in.bytes;
		return k;
	}
	while (n < max) {
		int e = trace_next(r, &evs[n]);
		if (e < 0)
			return e;
		if (e == 0)
			break;
		n++;
	}
	return (long)n;
}

long trace_batch(struct trace_reader *r, const struct mm_event **evs, size_t max)
{
	if (r->ops->view && !r->q.n && !r->err) {
		long k = r->ops->view(r, evs, max);
		if (k < 0)
			return r->err = (int)k;
		for (long i = 0; i < k; i++) {
			if (MM_UNLIKELY((*evs)[i].kind == MME_NONE || (*evs)[i].kind >= MME_NR_KINDS)) {
				diag_set(&r->diag, r->name, 0, "record %llu: invalid event kind %u",
					 (unsigned long long)r->st.events, (*evs)[i].kind);
				return r->err = -EINVAL;
			}
			trace_account(r, &(*evs)[i]);
		}
		r->st.bytes = r->in.bytes;
		return k;
	}
	if (!r->batch && !(r->batch = malloc(TRACE_BATCH * sizeof(*r->batch)))) {
		diag_set(&r->diag, r->name, 0, "out of memory");
		return r->err = -ENOMEM;
	}
	long k = trace_read(r, r->batch, MM_MIN(max, (size_t)TRACE_BATCH));
	*evs = r->batch;
	return k;
}

const struct trace_stats *trace_stats(const struct trace_reader *r)
{
	return &r->st;
}

const struct mm_diag *trace_diag(const struct trace_reader *r)
{
	return &r->diag;
}

enum trace_format trace_reader_format(const struct trace_reader *r)
{
	return r->ops->fmt;
}

/* Capacity growth: malloc below TRACE_MAP_MIN bytes, then an anonymous mapping that mremap
 * grows without copying (realloc copies once the allocator keeps large blocks on its heap:
 * 19 % of a 1 M-event load went to memmove), advised to use huge pages. */
#define TRACE_MAP_MIN ((size_t)1 << 21)

static int trace_reserve(struct mm_trace *t, size_t need)
{
	if (need <= t->cap)
		return 0;
	size_t ncap = t->cap ? t->cap : 1024;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / sizeof(struct mm_event))
			return -ENOMEM;
		ncap *= 2;
	}
	size_t bytes = ncap * sizeof(struct mm_event), old = t->cap * sizeof(struct mm_event);
	struct mm_event *nev;
	if (bytes < TRACE_MAP_MIN) {
		nev = realloc(t->ev, bytes);
		if (!nev)
			return -ENOMEM;
	} else if (t->mapped) {
		nev = mremap(t->ev, old, bytes, MREMAP_MAYMOVE);
		if (nev == MAP_FAILED)
			return -ENOMEM;
	} else {
		nev = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (nev == MAP_FAILED)
			return -ENOMEM;
		if (t->n)
			memcpy(nev, t->ev, t->n * sizeof(*nev));
		free(t->ev);
		t->mapped = true;
	}
	if (t->mapped)
		madvise(nev, bytes, MADV_HUGEPAGE);
	t->ev = nev;
	t->cap = ncap;
	return 0;
}

int trace_push(struct mm_trace *t, const struct mm_event *ev)
{
	if (t->n == t->cap && trace_reserve(t, t->n + 1))
		return -ENOMEM;
	t->ev[t->n++] = *ev;
	return 0;
}

void trace_free(struct mm_trace *t)
{
	if (t->mapped)
		munmap(t->ev, t->cap * sizeof(*t->ev));
	else
		free(t->ev);
	memset(t, 0, sizeof(*t));
}

int trace_load(const char *path, const struct trace_opts *opts, struct mm_trace *out, struct mm_diag *diag)
{
	struct trace_reader *r;
	memset(out, 0, sizeof(*out));
	int e = trace_open(path, opts, &r, diag);
	if (e)
		return e;
	for (;;) {
		if (trace_reserve(out, out->n + TRACE_BATCH)) {
			diag_set(diag, r->name, 0, "out of memory");
			e = -ENOMEM;
			break;
		}
		long k = trace_read(r, out->ev + out->n, out->cap - out->n);
		if (k < 0) {
			e = (int)k;
			if (diag)
				*diag = r->diag;
			break;
		}
		if (k == 0)
			break;
		out->n += (size_t)k;
	}
	out->format = r->ops->fmt;
	out->stats = r->st;
	trace_close(r);
	if (e)
		trace_free(out);
	return e;
}
