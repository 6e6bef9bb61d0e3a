/* The format registry (name, lookup) and format detection: binary magics first, then the
 * first event line, offered to each text format's probe. */
#include <stdlib.h>
#include <string.h>

#include "workloads/trace/trace_native.h"
#include "workloads/trace/trace_priv.h"

static const struct trace_fmt_ops *const trace_formats[] = {
	&trace_native_ops, &trace_strace_ops, &trace_perf_ops, &trace_ftrace_ops, &trace_tracedat_ops,
};

const char *trace_format_name(enum trace_format f)
{
	if (f == TRACE_FMT_AUTO)
		return "auto";
	for (size_t i = 0; i < MM_ARRAY_SIZE(trace_formats); i++)
		if (trace_formats[i]->fmt == f)
			return trace_formats[i]->name;
	return "unknown";
}

int trace_format_parse(const char *s, enum trace_format *f)
{
	if (!strcmp(s, "auto")) {
		*f = TRACE_FMT_AUTO;
		return 0;
	}
	for (size_t i = 0; i < MM_ARRAY_SIZE(trace_formats); i++)
		if (!strcmp(s, trace_formats[i]->name)) {
			*f = trace_formats[i]->fmt;
			return 0;
		}
	return -EINVAL;
}

const struct trace_fmt_ops *trace_fmt_find(enum trace_format f)
{
	for (size_t i = 0; i < MM_ARRAY_SIZE(trace_formats); i++)
		if (trace_formats[i]->fmt == f)
			return trace_formats[i];
	return NULL;
}

/* The format the first event line names, or the ftrace header; 1 when decided, 0 to read on. */
static int trace_detect_line(struct trace_reader *r, char *line, size_t len, u64 lineno, bool *header,
			     enum trace_format *fmt)
{
	if (memchr(line, '\0', len))
		return diag_set(&r->diag, r->name, lineno,
				"binary data (NUL byte): not a trace this tool reads");
	line[len] = '\0';
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	const char *t = tp_skip_sp(line);
	if (!*t)
		return 0;
	if (TP_LIT(t, "# tracer:")) {
		*fmt = TRACE_FMT_FTRACE;
		return 1;
	}
	if (*t == '#')
		return 0;
	if (TP_LIT(t, "cpus=") || TP_LIT(t, "version = ")) {
		*header = true; /* trace-cmd report */
		return 0;
	}
	for (size_t i = 0; i < MM_ARRAY_SIZE(trace_formats); i++) {
		const struct trace_fmt_ops *o = trace_formats[i];
		if (o->probe && o->probe(line, len)) {
			*fmt = o->fmt;
			return 1;
		}
	}
	if (*header && TP_LIT(t, "CPU "))
		return 0;
	return diag_set(&r->diag, r->name, lineno,
			"unrecognised trace format (not perf script, tracefs, trace-cmd report, strace, "
			"trace.dat or native): '%.60s'",
			line);
}

/* Format detection: binary magics first, else the first line that is not a comment or a
 * header, read whole (up to TRACE_LINE_MAX) from up to TRACE_DETECT_MAX bytes. */
int trace_detect(struct trace_reader *r, enum trace_format *fmt)
{
	long n = tin_peek(&r->in, 64 * 1024, &r->diag);
	if (n < 0)
		return (int)n;
	const char *b = r->in.buf + r->in.pos;
	if (n >= 8 && !memcmp(b, TRACE_NATIVE_MAGIC, 8)) {
		*fmt = TRACE_FMT_NATIVE;
		return 0;
	}
	if (n >= TRACE_TRACEDAT_MAGIC_LEN && !memcmp(b, TRACE_TRACEDAT_MAGIC, TRACE_TRACEDAT_MAGIC_LEN)) {
		*fmt = TRACE_FMT_TRACEDAT;
		return 0;
	}
	if (n == 0)
		return diag_set(&r->diag, r->name, 0, "empty input: no trace data");
	bool header = false;
	u64 lineno = 0;
	size_t off = 0;
	for (;;) {
		b = r->in.buf + r->in.pos;
		/* off is n + 1 once a last line without a newline was read: nothing is left */
		const char *s = b + MM_MIN(off, (size_t)n);
		const char *nl = off < (size_t)n ? memchr(s, '\n', (size_t)n - off) : NULL;
		if (!nl && !r->in.eof && (size_t)n < TRACE_DETECT_MAX) {
			/* an incomplete line: look further (a first execve line can be long) */
			long m = tin_peek(&r->in, MM_MIN((size_t)n * 2, (size_t)TRACE_DETECT_MAX), &r->diag);
			if (m < 0)
				return (int)m;
			if (m > n) {
				n = m;
				continue;
			}
		}
		if (off >= (size_t)n)
			break;
		size_t len = nl ? (size_t)(nl - s) : (size_t)n - off;
		char *line = malloc(len + 1);
		if (!line)
			return diag_set(&r->diag, r->name, 0, "out of memory"), -ENOMEM;
		memcpy(line, s, len);
		off += len + 1;
		lineno++;
		int e = trace_detect_line(r, line, len, lineno, &header, fmt);
		free(line);
		if (e)
			return e < 0 ? e : 0;
	}
	if (header) {
		*fmt = TRACE_FMT_FTRACE;
		return 0;
	}
	return diag_set(&r->diag, r->name, lineno,
			"no event line in the first %ld bytes: format not recognised", n);
}
