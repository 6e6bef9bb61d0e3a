/* perf script default text: "COMM PID [CPU] SECONDS.USEC: SYSTEM:EVENT: FIELDS". COMM may
 * hold spaces; PID is the token just before " [CPU]" ("-1" for some idle-context events,
 * "PID/TID" with -F pid,tid). Lines stay in file order (perf does not sort across CPUs).
 * Blank lines, '#' header comments and callchain lines (indented hex addresses, perf
 * script -G off) are ignored. */
#include <string.h>

#include "workloads/trace/trace_priv.h"

/* The PID token ending at e (exclusive), walking back from the " [CPU]" column; *tok: its start.
 * 0, -EINVAL (not a pid) or -ERANGE (a pid over TRACE_PID_MAX). */
static int perf_pid(const char *line, const char *e, u32 *pid, const char **tok)
{
	while (e > line && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	const char *t = e;
	while (t > line && t[-1] != ' ' && t[-1] != '\t')
		t--;
	if (t == e)
		return -EINVAL;
	*tok = t;
	if (e - t == 2 && t[0] == '-' && t[1] == '1') {
		*pid = TRACE_PID_NONE;
		return 0;
	}
	const char *s = t;
	int r = tp_pid(&s, pid);
	if (r == -EINVAL)
		return r;
	if (*s == '/') { /* pid/tid: keep the pid */
		u32 tid;
		s++;
		if (tp_pid(&s, &tid) == -EINVAL)
			return -EINVAL;
	}
	return s != e ? -EINVAL : r;
}

static bool perf_is_callchain(const char *line)
{
	if (*line != ' ' && *line != '\t')
		return false;
	const char *s = tp_skip_sp(line);
	u64 v;
	return !tp_hex(&s, &v) && (*s == ' ' || *s == '\0');
}

static int perf_line(struct trace_reader *r, char *line, size_t len, struct mm_event *ev)
{
	const char *after, *name, *fields;
	size_t nlen;
	u64 cpu;
	const char *b = trace_find_cpu(line, &cpu, &after);
	if (!b) {
		const char *t = tp_skip_sp(line);
		if (*t == '#') {
			int e = trace_task_header(r, t);
			if (e <= 0)
				return e;
		}
		if (!*t || *t == '#' || perf_is_callchain(line)) {
			r->st.ignored++;
			return 0;
		}
		return trace_bad(r, "expected 'COMM PID [CPU] TIME: EVENT: FIELDS' (perf script)");
	}
	trace_ev_init(ev);
	u32 pid;
	const char *tok;
	int pe = perf_pid(line, b, &pid, &tok);
	if (pe == -ERANGE) {
		size_t tl = strcspn(tok, " \t");
		return trace_bad(r, "pid %.*s out of range (a pid is at most %u)", (int)MM_MIN(tl, 40), tok,
				 TRACE_PID_MAX);
	}
	if (pe)
		return trace_bad(r, "bad pid before the [CPU] column");
	ev->pid = pid;
	ev->cpu = (u16)cpu;
	const char *comm = tp_skip_sp(line), *ce = tok;
	while (ce > comm && (ce[-1] == ' ' || ce[-1] == '\t'))
		ce--;
	const char *rec = strstr(after, ": PERF_RECORD_");
	if (MM_UNLIKELY(rec != NULL)) { /* perf's own records (--show-lost-events) */
		const char *p = tp_skip_sp(after), *n = TP_LIT(rec + 2, "PERF_RECORD_LOST lost ");
		u64 lost;
		if (!n) { /* another side-band record */
			r->st.ignored++;
			return 0;
		}
		if (decnum_secs(&p, &ev->ts_ns) || p != rec || decnum_u64(&n, &lost) || n != r->line_end)
			return trace_bad(r, "expected 'TIME: PERF_RECORD_LOST lost N'");
		ev->kind = MME_LOST;
		ev->len = lost;
		return trace_task_line(r, pid, comm, (size_t)(ce - comm), ev);
	}
	int e = trace_ts_event(r, after, ev, &name, &nlen, &fields);
	if (e)
		return e;
	e = trace_kevent(r, name, nlen, fields, ev);
	if (e <= 0)
		return e;
	return trace_task_line(r, pid, comm, (size_t)(ce - comm), ev);
}

static int perf_finish(struct trace_reader *r)
{
	return trace_task_finish(r);
}

static bool perf_probe(const char *line, size_t len)
{
	const char *after, *p;
	u64 cpu, ts;
	u32 pid;
	const char *b = trace_find_cpu(line, &cpu, &after);
	const char *tok;
	if (!b || perf_pid(line, b, &pid, &tok) == -EINVAL) /* out of range: refused when read */
		return false;
	p = tp_skip_sp(after);
	if (decnum_secs(&p, &ts) || *p != ':')
		return false;
	p = tp_skip_sp(p + 1);
	const char *colon = strchr(p, ':'), *sp = strchr(p, ' ');
	/* "system:event:" */
	return colon && (!sp || colon < sp) && colon[1] != ' ' && colon[1] != '\0';
}

const struct trace_fmt_ops trace_perf_ops = {
	.name = "perf",
	.fmt = TRACE_FMT_PERF,
	.checks_nul = true,
	.probe = perf_probe,
	.line = perf_line,
	.finish = perf_finish,
};
