/* strace [-f] text: line prefixes ("PID ", "[pid PID] " or none; then -t "HH:MM:SS",
 * -tt "HH:MM:SS.USEC" or -ttt "EPOCH.USEC" timestamps), the joining of "<unfinished ...>"
 * with "<... NAME resumed>" per pid, and the ordering rule of trace.h: lines of a pid first
 * seen while a fork-family call is still unfinished are held back until the fork returning
 * that pid is emitted (a vfork parent resumes only after its child's execve). Signal lines
 * ("--- SIG..."), exit lines ("+++ exited/killed ... +++") and "strace: ..." notes are
 * ignored lines, not errors. Lines without a pid prefix get pid 0. */
#include <stdlib.h>
#include <string.h>

#include "workloads/trace/trace_strace.h"

/* The hold window: at most this many events (4 MiB) wait for their fork. Beyond it they are
 * released in file order, and every event of those pids delivered before its fork is counted
 * in stats.unordered: memory stays flat, the lost ordering is visible. */
#define ST_HOLD_MAX (1u << 16)

struct st_pend {
	u32 pid;
	bool used;
	enum strace_sys sys;
	u64 ts;
	char *text; /* "NAME(ARGS so far" without " <unfinished ...>"; text[len] == 0 */
	size_t len, cap;
};

struct st_state {
	struct st_pend *pend; /* one slot per pid with an unfinished call (reused) */
	size_t npend, pend_cap;
	unsigned nfork_pending; /* unfinished fork-family calls */
	struct hmap seen;	/* pids whose lines are delivered as they come */
	struct mm_event *hold;	/* events of unborn pids, in file order */
	size_t nhold, hold_cap;
	u32 *unborn; /* pids whose lines are held (small) */
	size_t nunborn, unborn_cap;
	u32 *rel; /* scratch: pids being released */
	size_t rel_cap;
	char *join; /* scratch: pending text + resumed rest */
	size_t join_cap;
	struct hmap early; /* pids released by a full hold window whose fork has not come yet */
};

static int st_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	void *n = realloc(*p, ncap * elem);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = ncap;
	return 0;
}

static int st_oom(struct trace_reader *r)
{
	trace_bad(r, "out of memory");
	return -ENOMEM;
}

static bool st_in(const u32 *v, size_t n, u32 pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

static void st_remove_pid(u32 *v, size_t *n, u32 pid)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i] == pid) {
			v[i] = v[--*n];
			return;
		}
}

/* Deliver held events of the pids in s->rel[0..nrel), and of the children their forks name,
 * in file order; keep the others. nrel == SIZE_MAX releases everything. */
static int st_release(struct trace_reader *r, struct st_state *s, size_t nrel)
{
	bool all = nrel == SIZE_MAX;
	size_t keep = 0;
	if (all)
		nrel = 0;
	for (size_t i = 0; i < s->nhold; i++) {
		struct mm_event *ev = &s->hold[i];
		if (all || st_in(s->rel, nrel, ev->pid)) {
			if (all && s->nfork_pending) /* the window is full: before its fork */
				r->st.unordered++;
			if (trace_queue_push(r, ev))
				return -ENOMEM;
			if (ev->kind == MME_FORK && !(ev->flags & MME_F_FAILED) && !all &&
			    st_in(s->unborn, s->nunborn, (u32)ev->addr2)) {
				if (st_grow((void **)&s->rel, &s->rel_cap, nrel + 1, sizeof(u32)))
					return st_oom(r);
				s->rel[nrel++] = (u32)ev->addr2;
			}
		} else {
			s->hold[keep++] = *ev;
		}
	}
	s->nhold = keep;
	if (all) {
		for (size_t i = 0; i < s->nunborn; i++)
			if (hmap_put(&s->seen, s->unborn[i], 1) < 0 ||
			    (s->nfork_pending && hmap_put(&s->early, s->unborn[i], 1) < 0))
				return st_oom(r);
		s->nunborn = 0;
		return 0;
	}
	for (size_t i = 0; i < nrel; i++) {
		st_remove_pid(s->unborn, &s->nunborn, s->rel[i]);
		if (hmap_put(&s->seen, s->rel[i], 1) < 0)
			return st_oom(r);
	}
	return 0;
}

/* Hand one event on: held if its pid is unborn, queued otherwise; a fork then frees (or,
 * when itself held, re-orders) its child's held lines. */
static int st_emit(struct trace_reader *r, struct st_state *s, struct mm_event *ev)
{
	bool held = st_in(s->unborn, s->nunborn, ev->pid);
	if (MM_UNLIKELY(s->early.count) && !held && hmap_get(&s->early, ev->pid, &(u64){0}))
		r->st.unordered++; /* its fork is still to come */
	if (held) {
		if (st_grow((void **)&s->hold, &s->hold_cap, s->nhold + 1, sizeof(*ev)))
			return st_oom(r);
		s->hold[s->nhold++] = *ev;
	} else if (trace_queue_push(r, ev)) {
		return -ENOMEM;
	}
	if (ev->kind == MME_FORK && !(ev->flags & MME_F_FAILED)) {
		u32 child = (u32)ev->addr2;
		if (MM_UNLIKELY(s->early.count))
			hmap_del(&s->early, child, NULL);
		bool unborn = st_in(s->unborn, s->nunborn, child);
		if (!held) {
			if (unborn) {
				if (st_grow((void **)&s->rel, &s->rel_cap, 1, sizeof(u32)))
					return st_oom(r);
				s->rel[0] = child;
				int e = st_release(r, s, 1);
				if (e)
					return e;
			} else if (hmap_put(&s->seen, child, 1) < 0) {
				return st_oom(r);
			}
		} else {
			/* move the child's held events after its (held) fork */
			size_t k = 0, m = 0;
			struct mm_event *tmp = NULL;
			for (size_t i = 0; i + 1 < s->nhold; i++)
				if (s->hold[i].pid == child)
					m++;
			if (m) {
				tmp = malloc(m * sizeof(*tmp));
				if (!tmp)
					return st_oom(r);
				size_t keep = 0;
				for (size_t i = 0; i < s->nhold; i++) {
					if (i + 1 < s->nhold && s->hold[i].pid == child)
						tmp[k++] = s->hold[i];
					else
						s->hold[keep++] = s->hold[i];
				}
				memcpy(&s->hold[keep], tmp, m * sizeof(*tmp));
				free(tmp);
			}
			if (!unborn) {
				if (st_grow((void **)&s->unborn, &s->unborn_cap, s->nunborn + 1, sizeof(u32)))
					return st_oom(r);
				s->unborn[s->nunborn++] = child;
			}
		}
	}
	if (s->nhold && (s->nfork_pending == 0 || s->nhold > ST_HOLD_MAX))
		return st_release(r, s, SIZE_MAX);
	return 0;
}

static struct st_pend *st_pend_find(struct st_state *s, u32 pid)
{
	for (size_t i = 0; i < s->npend; i++)
		if (s->pend[i].used && s->pend[i].pid == pid)
			return &s->pend[i];
	return NULL;
}

/* Emit a pending call that will never resume (exit_group is an exit; others failed). */
static int st_pend_drop(struct trace_reader *r, struct st_state *s, struct st_pend *pd)
{
	pd->used = false;
	if (strace_sys_is_fork(pd->sys))
		s->nfork_pending--;
	if (pd->sys == STS_OTHER)
		return 0;
	struct mm_event ev;
	trace_ev_init(&ev);
	ev.pid = pd->pid;
	ev.cpu = TRACE_CPU_NONE;
	ev.ts_ns = pd->ts;
	strace_unresumed(pd->sys, &ev);
	if (pd->sys != STS_EXIT_GROUP)
		r->st.unresumed++;
	return st_emit(r, s, &ev);
}

/* "HH:MM:SS[.FRAC]" or "EPOCH.FRAC" to ns. */
static int st_ts(const char **pp, u64 *ns)
{
	const char *p = *pp;
	u64 h, m, sec;
	const char *q = p;
	if (decnum_u64(&q, &h))
		return -EINVAL;
	if (*q != ':')
		return decnum_secs(pp, ns);
	q++;
	if (decnum_u64(&q, &m) || *q != ':' || m > 59 || h > 1000000)
		return -EINVAL;
	q++;
	if (decnum_secs(&q, &sec))
		return -EINVAL;
	if (sec >= 61000000000ull)
		return -EINVAL;
	*ns = (h * 3600 + m * 60) * 1000000000ull + sec;
	*pp = q;
	return 0;
}

/* Prefix: pid (or 0) and timestamp; returns the text after them or NULL if malformed;
 * *pid_range: the pid is over TRACE_PID_MAX (*pid is then 0). */
static const char *st_prefix(const char *p, u32 *pid, bool *has_ts, u64 *ts, bool *pid_range)
{
	*pid = 0;
	*has_ts = false;
	*pid_range = false;
	if (TP_LIT(p, "[pid ")) {
		p = tp_skip_sp(p + 5);
		int e = tp_pid(&p, pid);
		if (e == -EINVAL || *p != ']')
			return NULL;
		*pid_range = e == -ERANGE;
		p++;
	} else if ((unsigned)(*p - '0') <= 9) {
		const char *q = p;
		u32 v;
		int e = tp_pid(&q, &v);
		if (e != -EINVAL && (*q == ' ' || *q == '\t')) {
			*pid = e ? 0 : v;
			*pid_range = e == -ERANGE;
			p = q;
		}
	}
	p = tp_skip_sp(p);
	if ((unsigned)(*p - '0') <= 9) {
		if (st_ts(&p, ts) || (*p != ' ' && *p != '\t'))
			return NULL;
		*has_ts = true;
		p = tp_skip_sp(p);
	}
	return p;
}

static size_t st_ident(const char *p)
{
	size_t n = 0;
	while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '_')
		n++;
	return n;
}

static const char st_unfinished[] = " <unfinished ...>";

/* "<... NAME resumed> REST": join it to pid's unfinished call pd. *text (NULL on entry) is set
 * when there is an event to emit (with *sys, *call_ts); returns what st_line returns. */
static int st_resume(struct trace_reader *r, struct st_state *s, const char *p, u32 pid, struct st_pend *pd,
		     enum strace_sys *sys, u64 *call_ts, const char **text)
{
	const char *nm = p + 5;
	size_t n = st_ident(nm);
	const char *rest = TP_LIT(nm + n, " resumed>");
	if (!n || !rest)
		return trace_bad(r, "expected '<... NAME resumed>'");
	if (!pd && n == 6 && !memcmp(nm, "execve", 6)) {
		/* a non-leader thread's execve resumes under the leader's pid */
		for (size_t i = 0; i < s->npend && !pd; i++)
			if (s->pend[i].used && s->pend[i].sys == STS_EXECVE)
				pd = &s->pend[i];
	}
	if (!pd)
		return trace_bad(r, "'<... %.*s resumed>' without an unfinished call of pid %u", (int)n, nm,
				 pid);
	if (strncmp(pd->text, nm, n) || pd->text[n] != '(')
		return trace_bad(r, "'<... %.*s resumed>' but pid %u's unfinished call is '%.*s'", (int)n, nm,
				 pid, (int)st_ident(pd->text), pd->text);
	pd->used = false;
	if (strace_sys_is_fork(pd->sys))
		s->nfork_pending--;
	r->st.joined++;
	*sys = pd->sys;
	*call_ts = pd->ts;
	if (*sys == STS_OTHER)
		return 0; /* counted as unknown when it started */
	size_t rl = strlen(rest);
	if (st_grow((void **)&s->join, &s->join_cap, pd->len + rl + 1, 1))
		return st_oom(r);
	memcpy(s->join, pd->text, pd->len);
	memcpy(s->join + pd->len, rest, rl + 1);
	*text = s->join;
	return 0;
}

/* Keep "NAME(ARGS <unfinished ...>" (tl bytes at p) as pid's pending call until it resumes. */
static int st_keep(struct trace_reader *r, struct st_state *s, const char *p, size_t n, size_t tl, u32 pid,
		   u64 ts, enum strace_sys sys)
{
	size_t ul = sizeof(st_unfinished) - 1;
	if (sys == STS_OTHER)
		trace_unknown(r, p, n);
	struct st_pend *pd = NULL;
	for (size_t i = 0; i < s->npend && !pd; i++)
		if (!s->pend[i].used)
			pd = &s->pend[i];
	if (!pd) {
		if (st_grow((void **)&s->pend, &s->pend_cap, s->npend + 1, sizeof(*pd)))
			return st_oom(r);
		pd = &s->pend[s->npend++];
		memset(pd, 0, sizeof(*pd));
	}
	size_t keep = sys == STS_OTHER ? n + 1 : tl - ul;
	if (st_grow((void **)&pd->text, &pd->cap, keep + 1, 1))
		return st_oom(r);
	memcpy(pd->text, p, keep);
	pd->text[keep] = '\0';
	pd->len = keep;
	pd->used = true;
	pd->pid = pid;
	pd->sys = sys;
	pd->ts = ts;
	if (strace_sys_is_fork(sys))
		s->nfork_pending++;
	return 0;
}

/* "NAME(ARGS) = RESULT" or the start of an unfinished call at p. *text (NULL on entry) is set
 * when there is an event to emit (with *sys); returns what st_line returns. */
static int st_call(struct trace_reader *r, struct st_state *s, const char *p, size_t tl, u32 pid, u64 ts,
		   struct st_pend *pd, enum strace_sys *sys, const char **text)
{
	size_t n = st_ident(p);
	if (!n || p[n] != '(')
		return trace_bad(r, "expected 'NAME(ARGS) = RESULT' (strace)");
	*sys = strace_sys_lookup(p, n);
	if (pd) { /* its earlier call was cut short without a resume */
		int e = st_pend_drop(r, s, pd);
		if (e)
			return e;
	}
	size_t ul = sizeof(st_unfinished) - 1;
	if (tl >= ul && !memcmp(p + tl - ul, st_unfinished, ul))
		return st_keep(r, s, p, n, tl, pid, ts, *sys);
	if (*sys == STS_OTHER)
		return trace_unknown(r, p, n);
	*text = p;
	return 0;
}

/* A pid seen first: unborn while a fork-family call is still unfinished, else seen. */
static int st_first_sight(struct trace_reader *r, struct st_state *s, u32 pid)
{
	u64 dummy;
	if (st_in(s->unborn, s->nunborn, pid) || hmap_get(&s->seen, pid, &dummy))
		return 0;
	if (s->nfork_pending) {
		if (st_grow((void **)&s->unborn, &s->unborn_cap, s->nunborn + 1, sizeof(u32)))
			return st_oom(r);
		s->unborn[s->nunborn++] = pid;
	} else if (hmap_put(&s->seen, pid, 1) < 0) {
		return st_oom(r);
	}
	return 0;
}

static int st_line(struct trace_reader *r, char *line, size_t len, struct mm_event *ev_unused)
{
	struct st_state *s = r->priv;
	u32 pid;
	bool has_ts;
	u64 ts = 0;
	bool pid_range;
	const char *p = st_prefix(line, &pid, &has_ts, &ts, &pid_range);
	if (!p)
		return trace_bad(r, "bad pid or timestamp prefix");
	if (pid_range)
		return trace_bad(r, "pid out of range (a pid is at most %u)", TRACE_PID_MAX);
	if (has_ts)
		r->st.has_ts = true;
	if (!*p || TP_LIT(p, "--- ") || TP_LIT(p, "strace: ")) {
		r->st.ignored++;
		return 0;
	}
	int e = st_first_sight(r, s, pid);
	if (e)
		return e;
	struct st_pend *pd = st_pend_find(s, pid);
	if (TP_LIT(p, "+++ ")) {
		r->st.ignored++;
		return pd ? st_pend_drop(r, s, pd) : 0;
	}
	const char *text = NULL;
	enum strace_sys sys;
	u64 call_ts = ts;
	e = TP_LIT(p, "<... ") ? st_resume(r, s, p, pid, pd, &sys, &call_ts, &text)
			       : st_call(r, s, p, len - (size_t)(p - line), pid, ts, pd, &sys, &text);
	if (e || !text)
		return e;
	struct mm_event ev;
	trace_ev_init(&ev);
	ev.pid = pid;
	ev.cpu = TRACE_CPU_NONE;
	ev.ts_ns = call_ts;
	e = strace_call(r, sys, text, &ev);
	if (e < 0)
		return e;
	e = st_emit(r, s, &ev);
	return e < 0 ? e : 0;
}

static int st_finish(struct trace_reader *r)
{
	struct st_state *s = r->priv;
	for (size_t i = 0; i < s->npend; i++)
		if (s->pend[i].used) {
			int e = st_pend_drop(r, s, &s->pend[i]);
			if (e)
				return e;
		}
	return s->nhold ? st_release(r, s, SIZE_MAX) : 0;
}

static int st_init(struct trace_reader *r)
{
	struct st_state *s = calloc(1, sizeof(*s));
	if (!s || hmap_init(&s->seen, 64) || hmap_init(&s->early, 16)) {
		if (s)
			hmap_fini(&s->seen);
		free(s);
		return diag_set(&r->diag, r->name, 0, "out of memory"), -ENOMEM;
	}
	r->priv = s;
	return 0;
}

static void st_fini(struct trace_reader *r)
{
	struct st_state *s = r->priv;
	if (!s)
		return;
	for (size_t i = 0; i < s->npend; i++)
		free(s->pend[i].text);
	free(s->pend);
	hmap_fini(&s->seen);
	hmap_fini(&s->early);
	free(s->hold);
	free(s->unborn);
	free(s->rel);
	free(s->join);
	free(s);
	r->priv = NULL;
}

static bool st_probe(const char *line, size_t len)
{
	u32 pid;
	bool has_ts;
	u64 ts;
	bool pid_range; /* out of range: refused when read */
	const char *p = st_prefix(line, &pid, &has_ts, &ts, &pid_range);
	if (!p)
		return false;
	if (TP_LIT(p, "--- SIG") || TP_LIT(p, "+++ ") || TP_LIT(p, "<... ") || TP_LIT(p, "strace: "))
		return true;
	size_t n = st_ident(p);
	return n && p[n] == '(' && (strstr(p, " = ") || strstr(p, st_unfinished));
}

const struct trace_fmt_ops trace_strace_ops = {
	.name = "strace",
	.fmt = TRACE_FMT_STRACE,
	.probe = st_probe,
	.init = st_init,
	.fini = st_fini,
	.line = st_line,
	.finish = st_finish,
};
