/* Internals shared by the trace readers: the reader state, the per-format ops table and the
 * registry, and the small hand-written number scanners every text parser uses (no sscanf on
 * the hot path). Not for use outside workloads/trace_*.c. */
#ifndef TRACE_PRIV_H
#define TRACE_PRIV_H

#include <errno.h>
#include <string.h>

#include "core/lib/decnum.h"
#include "core/lib/hmap.h"
#include "workloads/trace/trace.h"
#include "workloads/trace/trace_input.h"

struct trace_reader;

struct trace_fmt_ops {
	const char *name;
	enum trace_format fmt;
	bool checks_nul; /* line() itself rejects NUL bytes (by reaching r->line_end) */
	/* Does this line look like this format's event line? (format detection) */
	bool (*probe)(const char *line, size_t len);
	int (*init)(struct trace_reader *r);
	void (*fini)(struct trace_reader *r);
	/* Text formats: parse one line. 1 with *ev filled, 0 for no event (the parser counted
	 * it as ignored/unknown or queued events with trace_queue_push), or -EINVAL after
	 * trace_bad(). NULL for binary formats, which implement next instead. */
	int (*line)(struct trace_reader *r, char *line, size_t len, struct mm_event *ev);
	/* Text formats: the input ended; queue whatever is still pending. May be NULL. */
	int (*finish)(struct trace_reader *r);
	/* Binary formats: 1, 0 at the end, or -errno with r->diag set. */
	int (*next)(struct trace_reader *r, struct mm_event *ev);
	/* Binary formats, optional: up to max events (count, 0 at the end, or -errno). */
	long (*read)(struct trace_reader *r, struct mm_event *evs, size_t max);
	/* Binary formats, optional: like read, but *evs points into the reader (no copy),
	 * valid until the next call. Kinds are checked by the caller. */
	long (*view)(struct trace_reader *r, const struct mm_event **evs, size_t max);
};

extern const struct trace_fmt_ops trace_native_ops;
extern const struct trace_fmt_ops trace_perf_ops;
extern const struct trace_fmt_ops trace_ftrace_ops;
extern const struct trace_fmt_ops trace_strace_ops;
extern const struct trace_fmt_ops trace_tracedat_ops;

/* The ops of format f (NULL if none), and the format of r's input from its first bytes (0, or
 * -errno with r->diag); trace_detect.c. */
const struct trace_fmt_ops *trace_fmt_find(enum trace_format f);
int trace_detect(struct trace_reader *r, enum trace_format *fmt);

/* Bytes format detection may look at for the first event line. */
#define TRACE_DETECT_MAX ((size_t)TRACE_LINE_MAX)

/* Events produced ahead of their delivery (strace joins); a FIFO ring. */
struct trace_queue {
	struct mm_event *ev;
	size_t head, n, cap; /* live events ev[(head + i) % cap] for i < n; cap a power of 2 */
};

#define TRACE_PID_BITS (1u << 22) /* Linux pid_max is at most 2^22 */

struct trace_reader {
	const struct trace_fmt_ops *ops;
	struct trace_input in;
	struct trace_opts opts;
	char *name; /* diagnostic name, owned */
	struct trace_stats st;
	struct mm_diag diag;
	int err;	      /* sticky error, 0 while healthy */
	bool finished;	      /* ops->finish has run */
	const char *line_end; /* end of the line being parsed (parsers that check for NULs) */
	struct trace_queue q;
	struct hmap pids;	   /* pid -> 1 for pids >= TRACE_PID_BITS, for st.nr_pids */
	u64 *pid_bits;		   /* pids seen, as bits, for pids < 64 * pid_words; others in pids */
	size_t pid_words;	   /* grows (doubling) up to TRACE_PID_BITS / 64 */
	u64 cpu_seen[1024];	   /* bitmap over u16 cpus, for st.nr_cpus */
	struct mm_event *batch;	   /* trace_batch's window for formats without a view (lazy) */
	struct trace_tasks *tasks; /* task records (trace_task.c), NULL until a trace has some */
	void *priv;		   /* format state */
};

/* Record a malformed-line error for the current line: "name:LINE: reason". Returns -EINVAL. */
int trace_bad(struct trace_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Count an event of another kind (tracepoint or syscall name) and skip it. Returns 0. */
int trace_unknown(struct trace_reader *r, const char *name, size_t len);
int trace_queue_push(struct trace_reader *r, const struct mm_event *ev);

/* Kernel tracepoint text shared by perf and tracefs. trace_kevent parses the fields of one
 * of the six replayed events ("sys:name" or "name"): 1 with *ev filled, 0 if it is another
 * event (counted as unknown), or -EINVAL. */
int trace_kevent(struct trace_reader *r, const char *name, size_t nlen, const char *fields,
		 struct mm_event *ev);
/* The tracepoints of page movements no kmem event shows (trace_kmove.c; sys NULL: tracefs text,
 * any system): 1 with *ev filled, 0 if it is none of them, or -EINVAL. */
int trace_kmove(struct trace_reader *r, const char *sys, size_t slen, const char *name, size_t len,
		const char *fields, struct mm_event *ev);

/* Task records (trace_task.c). trace_task_header: a "# mmreplay-" header line held as records
 * (0), not one (1), or -errno. trace_task_sched: sched_process_{fork,exec,exit} (name without
 * the system) into *ev: 1, 0 for another sched event, or -EINVAL. trace_task_line: called with
 * each event of a perf line (its pid and COMM column): 1 to deliver *ev, 0 when it was queued
 * behind the records it needs first, or -errno. trace_task_finish: at the end of the input. */
struct trace_tasks;
int trace_task_header(struct trace_reader *r, const char *line);
int trace_task_sched(struct trace_reader *r, const char *name, size_t nlen, const char *fields,
		     struct mm_event *ev);
int trace_task_line(struct trace_reader *r, u32 pid, const char *comm, size_t n, struct mm_event *ev);
int trace_task_finish(struct trace_reader *r);
void trace_tasks_free(struct trace_tasks *t);

/* The " [CPU]" column: returns the '[' (NULL if none), *cpu and *after (past the ']'). */
const char *trace_find_cpu(const char *line, u64 *cpu, const char **after);
/* After the CPU column: "TIMESTAMP: EVENT: FIELDS"; fills ev->ts_ns. 0 or -EINVAL. */
int trace_ts_event(struct trace_reader *r, const char *p, struct mm_event *ev, const char **name,
		   size_t *nlen, const char **fields);
/* A fresh event: zeroed, mt = -1 (unknown). */
static inline void trace_ev_init(struct mm_event *ev)
{
	*ev = (struct mm_event){0};
	ev->mt = -1;
}

/* Number scanners. Each advances *p past what it read and returns 0, or -ERANGE (too big)
 * or -EINVAL (no digits). The two hot ones are inline. */
extern const signed char tp_hexval[256]; /* 0..15 for hex digits, -1 otherwise */

/* Decimal numbers and times: decnum.h (decnum_u64, decnum_secs), shared with the other readers. */
static inline int tp_hex(const char **p, u64 *v) /* hex digits, no prefix */
{
	const unsigned char *s = (const unsigned char *)*p;
	u64 x = 0;
	int d = tp_hexval[*s];
	if (d < 0)
		return -EINVAL;
	do {
		if (MM_UNLIKELY(x >> 60))
			return -ERANGE;
		x = (x << 4) | (u64)d;
		d = tp_hexval[*++s];
	} while (d >= 0);
	*p = (const char *)s;
	*v = x;
	return 0;
}

int tp_num(const char **p, u64 *v); /* "0x" hex or decimal */
int tp_sdec(const char **p, i64 *v);

/* The largest pid a trace may name: pids are C ints (the kernel's pid_max is at most 2^22). */
#define TRACE_PID_MAX 0x7fffffffu

/* A decimal pid at *p: 0, -EINVAL (no digit), or -ERANGE (over TRACE_PID_MAX: still a pid
 * token, so detection still knows the format and the line is refused as out of range); *p
 * moves past the digits unless -EINVAL. */
static inline int tp_pid(const char **p, u32 *pid)
{
	const char *s = *p;
	u64 v = 0;
	int e = decnum_u64(&s, &v);
	if (e == -EINVAL)
		return e;
	while ((unsigned)(*s - '0') <= 9) /* past 2^64 - 1: decnum_u64 stopped at the start */
		s++;
	*p = s;
	if (e || v > TRACE_PID_MAX)
		return -ERANGE;
	*pid = (u32)v;
	return 0;
}

static inline const char *tp_skip_sp(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* If p starts with the literal s, return the position after it, else NULL. */
static inline const char *tp_lit(const char *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) /* stops at p's NUL: s holds none in [0, n) */
		if (p[i] != s[i])
			return NULL;
	return p + n;
}
#define TP_LIT(p, s) tp_lit((p), (s), sizeof(s) - 1)

/* Human name of a scanner error, for diagnostics. */
static inline const char *tp_errstr(int e)
{
	return e == -ERANGE ? "number out of range" : "expected a number";
}

#endif
