/* tracefs `trace` / `trace_pipe` text and `trace-cmd report` text:
 *   "TASK-PID [(TGID)] [CPU] [FLAGS] SECONDS.USEC: EVENT: FIELDS"
 * TASK may hold spaces and dashes: the pid follows the LAST '-' before the [CPU] column (and
 * before the optional "(TGID)" of the record-tgid option). FLAGS ("d.h1.", "....") is printed
 * by tracefs and trace-cmd -l, absent in plain trace-cmd report. Header comments ('#'),
 * "CPU:N [LOST N EVENTS]", and the trace-cmd preamble ("version = 6", "cpus=2", "CPU 0 is
 * empty") are ignored. */
#include <string.h>

#include "workloads/trace/trace_priv.h"

/* 0, -EINVAL (no TASK-PID) or -ERANGE (a pid over TRACE_PID_MAX). */
static int ftrace_pid(const char *line, const char *e, u32 *pid)
{
	while (e > line && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e > line && e[-1] == ')') { /* "(TGID)" or "(-------)" */
		const char *o = e - 1;
		while (o > line && *o != '(')
			o--;
		if (*o != '(')
			return -EINVAL;
		e = o;
		while (e > line && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
	}
	const char *d = e;
	while (d > line && (unsigned)(d[-1] - '0') <= 9)
		d--;
	if (d == e || d == line || d[-1] != '-')
		return -EINVAL;
	const char *s = d;
	int r = tp_pid(&s, pid);
	return s != e ? -EINVAL : r;
}

/* Skip the FLAGS column if present: the timestamp is the token made of digits and '.'
 * ending in ':'. */
static const char *ftrace_skip_flags(const char *p)
{
	p = tp_skip_sp(p);
	const char *t = p;
	while ((unsigned)(*t - '0') <= 9 || *t == '.')
		t++;
	if (t > p && *t == ':')
		return p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	return p;
}

static bool ftrace_ignorable(const char *t)
{
	return !*t || *t == '#' || TP_LIT(t, "CPU:") || TP_LIT(t, "CPU ") || TP_LIT(t, "cpus=") ||
	       TP_LIT(t, "version = ");
}

static int ftrace_line(struct trace_reader *r, char *line, size_t len, struct mm_event *ev)
{
	const char *after, *name, *fields;
	size_t nlen;
	u64 cpu;
	u32 pid;
	const char *b = trace_find_cpu(line, &cpu, &after);
	int pe = b ? ftrace_pid(line, b, &pid) : -EINVAL;
	if (pe == -ERANGE)
		return trace_bad(
			r, "pid out of range in the TASK-PID before the [CPU] column (a pid is at most %u)",
			TRACE_PID_MAX);
	if (pe) {
		if (ftrace_ignorable(tp_skip_sp(line))) {
			r->st.ignored++;
			return 0;
		}
		return trace_bad(r, b ? "bad TASK-PID before the [CPU] column"
				      : "expected 'TASK-PID [CPU] FLAGS TIME: EVENT: FIELDS' (tracefs)");
	}
	trace_ev_init(ev);
	ev->pid = pid;
	ev->cpu = (u16)cpu;
	int e = trace_ts_event(r, ftrace_skip_flags(after), ev, &name, &nlen, &fields);
	if (e)
		return e;
	return trace_kevent(r, name, nlen, fields, ev);
}

static bool ftrace_probe(const char *line, size_t len)
{
	const char *after, *p;
	u64 cpu, ts;
	u32 pid;
	const char *b = trace_find_cpu(line, &cpu, &after);
	if (!b || ftrace_pid(line, b, &pid) == -EINVAL) /* out of range: refused when read */
		return false;
	p = ftrace_skip_flags(after);
	p = tp_skip_sp(p);
	if (decnum_secs(&p, &ts) || *p != ':')
		return false;
	p = tp_skip_sp(p + 1);
	const char *t = p;
	while (*t && *t != ' ' && *t != ':')
		t++;
	return t > p && *t == ':';
}

const struct trace_fmt_ops trace_ftrace_ops = {
	.name = "ftrace",
	.fmt = TRACE_FMT_FTRACE,
	.checks_nul = true,
	.probe = ftrace_probe,
	.line = ftrace_line,
};
