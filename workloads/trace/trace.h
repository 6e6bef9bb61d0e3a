/* Trace readers: perf script, tracefs/trace-cmd, strace -f and the native binary format, all
 * turned into one stream of struct mm_event (core/mm_event.h). Input is a path or "-" (stdin),
 * zstd-compressed or not; the format is detected from the content unless forced.
 *
 * Ways to consume a trace, all built on one stream:
 *   - streaming: trace_open, then trace_batch (no copy), trace_read (into your array) or
 *     trace_next (one event) until 0, then trace_close. Memory is bounded by a fixed window
 *     whatever the trace length: a plain native file is mapped and released behind the
 *     cursor (TRACE_NATIVE_WINDOW), any other input goes through one reused buffer of at
 *     most 2 * TRACE_LINE_MAX bytes and TRACE_BATCH events; the strace reader holds at most
 *     a fixed number of events back (stats.unordered counts what that bound cost).
 *   - several passes: trace_spill_create reads any trace once into a native file (or uses
 *     a plain native file in place); each trace_spill_open gives an independent reader
 *     over it (several threads may each hold one).
 *   - load-all ("parse once, replay many"): trace_load fills a struct mm_trace, streaming
 *     into an array that grows without copying.
 *
 * Errors are 0-or-negative-errno; an error that comes from the input carries "FILE:LINE:
 * reason" (struct mm_diag). Strict by default: the first malformed line is an error. With
 * opts.skip_bad it is counted in stats.skipped instead. Events of other tracepoints or other
 * syscalls are never errors: they are counted per name (stats.unknown_names) and skipped.
 *
 * Event order is file order (perf script is not time-sorted across CPUs; we keep it). For
 * strace, a call split into "<unfinished ...>" and "<... resumed>" becomes one event, placed
 * where its result is known (the resumed line) and stamped with the time the call started;
 * the one exception is fork/clone/vfork: the child's own lines that strace printed before the
 * parent's call returned are held back and delivered right after the MME_FORK event, so a
 * consumer always sees a child's fork before anything the child does. */
#ifndef TRACE_H
#define TRACE_H

#include <stdio.h>

#include "workloads/diag.h"
#include "core/mm_event.h"

enum trace_format {
	TRACE_FMT_AUTO = 0, /* detect from the first bytes / lines */
	TRACE_FMT_NATIVE,   /* workloads/trace/trace_native.h */
	TRACE_FMT_PERF,	    /* perf script default text */
	TRACE_FMT_FTRACE,   /* tracefs trace / trace_pipe, and trace-cmd report */
	TRACE_FMT_STRACE,   /* strace [-f] [-t|-tt|-ttt] */
	TRACE_FMT_TRACEDAT, /* trace-cmd record's trace.dat (needs HAVE_LIBTRACECMD) */
	TRACE_FMT_NR
};

/* The first bytes of a trace-cmd trace.dat: 0x17 0x08 'D' "tracing". */
#define TRACE_TRACEDAT_MAGIC "\x17\x08\x44tracing"
#define TRACE_TRACEDAT_MAGIC_LEN 10u

/* Whether this build reads trace.dat (libtracecmd was found). */
bool trace_tracedat_supported(void);

/* Values of mm_event fields a source cannot provide. */
#define TRACE_CPU_NONE 0xffffu	   /* strace: no CPU column */
#define TRACE_PID_NONE 0xffffffffu /* perf prints pid -1 for some idle-context events */

/* The longest text line accepted; a longer one is an error (or a skip under skip_bad). */
#define TRACE_LINE_MAX (1u << 20)

struct trace_opts {
	bool skip_bad;		  /* count and skip malformed lines instead of failing */
	enum trace_format format; /* TRACE_FMT_AUTO (0) detects */
	const char *name;	  /* name in diagnostics; NULL: the path ("<stdin>" for "-") */
	bool no_map;		  /* read a plain native file through the reused buffer, not mapped */
};

#define TRACE_UNKNOWN_NAMES 64 /* distinct unknown names tracked; the rest are lumped */

struct trace_unknown {
	char name[48]; /* "kmem:kmalloc", "mlock", ... (truncated if longer) */
	u64 count;
};

struct trace_stats {
	u64 lines;		/* text lines read (0 for native input) */
	u64 bytes;		/* decompressed bytes consumed */
	u64 events;		/* events delivered; == sum of kind[] */
	u64 kind[MME_NR_KINDS]; /* events per enum mm_event_kind */
	u64 failed;		/* events carrying MME_F_FAILED (the kernel's call failed) */
	u64 lost;		/* events the recorder lost: the sum of MME_LOST records' len */
	u64 ignored;		/* comments, headers, blank lines, strace signal/exit lines */
	u64 skipped;		/* malformed lines skipped under opts.skip_bad */
	u64 unknown;		/* events/syscalls of other kinds, counted and skipped */
	u64 joined;		/* strace unfinished/resumed pairs joined into one event */
	u64 unresumed;		/* strace calls whose result never came (emitted as failed) */
	u64 unordered;		/* strace: events of a child delivered before its fork because the
				   bounded hold window was full (see trace.h's ordering rule) */
	u32 nr_unknown_names;	/* entries used in unknown_names[] */
	u64 unknown_other;	/* unknown events whose name did not fit in unknown_names[] */
	struct trace_unknown unknown_names[TRACE_UNKNOWN_NAMES];
	u64 nr_pids;	       /* distinct pids seen in events */
	u64 nr_cpus;	       /* distinct cpus seen (TRACE_CPU_NONE not counted) */
	u32 max_cpu;	       /* highest cpu seen, valid when nr_cpus > 0 */
	bool has_ts;	       /* the source carries timestamps */
	u64 first_ts, last_ts; /* ns of the first and last event in file order */
	u64 min_ts, max_ts;    /* ns extremes (perf is not time-sorted across CPUs) */
	char first_skip[160];  /* diagnostic of the first skipped line, "" if none */
};

struct trace_reader;

/* Open path ("-" = stdin). opts may be NULL (strict, auto-detect). 0 or -errno with diag. */
int trace_open(const char *path, const struct trace_opts *opts, struct trace_reader **out,
	       struct mm_diag *diag);
/* 1 with *ev filled, 0 at the end, or -errno with trace_diag(r) set. After an error the
 * reader stays in error and returns the same code. */
int trace_next(struct trace_reader *r, struct mm_event *ev);
/* Up to max events into evs: the count (> 0), 0 at the end, or -errno. */
long trace_read(struct trace_reader *r, struct mm_event *evs, size_t max);
/* Up to max events without a copy: *evs points into the reader, valid until the next call
 * on r. The count (> 0), 0 at the end, or -errno. A plain native file yields slices of its
 * mapping; other inputs are parsed into a reused window of TRACE_BATCH events. */
long trace_batch(struct trace_reader *r, const struct mm_event **evs, size_t max);
#define TRACE_BATCH 4096
const struct trace_stats *trace_stats(const struct trace_reader *r);
const struct mm_diag *trace_diag(const struct trace_reader *r);
enum trace_format trace_reader_format(const struct trace_reader *r);
void trace_close(struct trace_reader *r);

const char *trace_format_name(enum trace_format f); /* "native", "perf", ... */
/* The format named s ("auto", "native", "perf", "ftrace", "strace"): 0, or -EINVAL. */
int trace_format_parse(const char *s, enum trace_format *f);

/* Copy the decompressed bytes of path ("-" = stdin; zstd or plain) to out. 0 or -errno. */
int trace_decompress(const char *path, FILE *out, struct mm_diag *diag);

/* A whole trace in memory: ev[0..n) in stream order. Release it with trace_free only (a
 * large ev is a mapping, not a malloc block). */
struct mm_trace {
	struct mm_event *ev;
	size_t n, cap; /* n <= cap; ev has room for cap events */
	bool mapped;   /* ev is an anonymous mapping of cap events (trace_reserve) */
	enum trace_format format;
	struct trace_stats stats;
};

/* Load the whole trace into out (which is initialised here; free with trace_free). */
int trace_load(const char *path, const struct trace_opts *opts, struct mm_trace *out, struct mm_diag *diag);
/* Append one event, growing geometrically; 0 or -ENOMEM. t may start zeroed. */
int trace_push(struct mm_trace *t, const struct mm_event *ev);
void trace_free(struct mm_trace *t);

/* A trace read once into native form for several passes. */
struct trace_spill;
/* Read path (any format, per opts) once into an unlinked native file in dir (NULL: $TMPDIR,
 * else /tmp); a plain (uncompressed, regular) native file is used in place, unread. 0 or
 * -errno with diag (the source's FILE:LINE for input errors). */
int trace_spill_create(const char *path, const struct trace_opts *opts, const char *dir,
		       struct trace_spill **out, struct mm_diag *diag);
/* A new reader over the spilled events, with its own cursor, reading through its own reused
 * buffer (read(2), not a mapping: on a VM whose page faults are dear, as the one measured in
 * docs/scale.md, a mapped pass costs 4 to 5 times the CPU of a buffered one). Safe to call from
 * several threads at once. */
int trace_spill_open(const struct trace_spill *s, struct trace_reader **out, struct mm_diag *diag);
/* The source pass: its format and statistics (lines, unknown names, skipped, ...); for a
 * native file used in place only format and events are known before a pass. */
const struct trace_stats *trace_spill_stats(const struct trace_spill *s);
enum trace_format trace_spill_format(const struct trace_spill *s);
void trace_spill_free(struct trace_spill *s);

/* Native writer: records go to a temporary file next to path, renamed over path by
 * trace_writer_commit, so an interrupted run never leaves a half file; "-" writes stdout. */
struct trace_writer;
int trace_writer_open(const char *path, struct trace_writer **out, struct mm_diag *diag);
int trace_writer_put(struct trace_writer *w, const struct mm_event *evs, size_t n);
/* Flush, close and rename into place; frees w. 0 or -errno with diag. */
int trace_writer_commit(struct trace_writer *w, struct mm_diag *diag);
/* Drop the temporary file; frees w. */
void trace_writer_abort(struct trace_writer *w);

#endif
