/* perf script default text: "COMM PID [CPU] SECONDS.USEC: SYSTEM:EVENT: FIELDS". COMM may
 * hold spaces; PID is the token just before " [CPU]" ("-1" for some idle-context events,
 * "PID/TID" with -F pid,tid). Lines stay in file order (perf does not sort across CPUs).
 * Blank lines, '#' header comments and callchain lines (indented hex addresses, perf
 * script -G off) are ignored. */
#include <string.h>

#include "trace_priv.h"

/* The PID token ending at e (exclusive), walking back from the " [CPU]" column. */
static bool perf_pid(const char *line, const char *e, u32 *pid)
{
	while (e > line && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	const char *t = e;
	while (t > line && t[-1] != ' ' && t[-1] != '\t')
		t--;
	if (t == e)
		return false;
	if (e - t == 2 && t[0] == '-' && t[1] == '1') {
		*pid = TRACE_PID_NONE;
		return true;
	}
	u64 v;
	const char *s = t;
	if (tp_dec(&s, &v) || v > 0x7fffffff)
		return false;
	if (*s == '/') { /* pid/tid: keep the pid */
		u64 tid;
		s++;
		if (tp_dec(&s, &tid))
			return false;
	}
	if (s != e)
		return false;
	*pid = (u32)v;
	return true;
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
		if (!*t || *t == '#' || perf_is_callchain(line)) {
			r->st.ignored++;
			return 0;
		}
		return trace_bad(r, "expected 'COMM PID [CPU] TIME: EVENT: FIELDS' (perf script)");
	}
	trace_ev_init(ev);
	u32 pid;
	if (!perf_pid(line, b, &pid))
		return trace_bad(r, "bad pid before the [CPU] column");
	ev->pid = pid;
	ev->cpu = (u16)cpu;
	if (strstr(after, ": PERF_RECORD_")) { /* perf's own records (--show-lost-events) */
		r->st.ignored++;
		return 0;
	}
	int e = trace_ts_event(r, after, ev, &name, &nlen, &fields);
	if (e)
		return e;
	return trace_kevent(r, name, nlen, fields, ev);
}

static bool perf_probe(const char *line, size_t len)
{
	const char *after, *p;
	u64 cpu, ts;
	u32 pid;
	const char *b = trace_find_cpu(line, &cpu, &after);
	if (!b || !perf_pid(line, b, &pid))
		return false;
	p = tp_skip_sp(after);
	if (tp_secs(&p, &ts) || *p != ':')
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
};
