/* Task records: who each event's task is, as MME_TASK events (mm_event.h), from three sources:
 *   - the recorder's header (workloads/record/rec_lib.sh), comment lines before the first event:
 *       # mmreplay-workload: pid=PID command=CMD...
 *       # mmreplay-task: pid=TID tgid=PID ppid=PPID cgroup=PATH comm=COMM
 *     held back and released, stamped with the first event's time, just before it;
 *   - sched:sched_process_fork/exec/exit lines (trace_kevent calls trace_task_sched);
 *   - the COMM column of perf's lines: once a trace carries the header, a task whose line shows
 *     another command than the last one known for it gets a COMM record before that line's
 *     event, so every event's command is known exactly (prctl renames have no tracepoint).
 * A thread alive at the start has its thread group leader as parent; a leader its ppid. */
#include <stdlib.h>
#include <string.h>

#include "workloads/trace/trace_priv.h"

struct trace_tasks {
	bool on;		     /* the header was seen: track commands per task */
	bool released;		     /* held records went out (the first event came) */
	struct hmap comm;	     /* pid -> index into names, for tasks with a known command */
	char (*names)[MME_COMM_LEN]; /* commands, NUL-padded */
	size_t nnames, capnames;
	char **cgroups; /* cgroup paths; id = index + 1 */
	u32 ncg;
	struct mm_event *held; /* header records awaiting the first timestamp */
	size_t nheld, capheld;
};

static struct trace_tasks *tasks_get(struct trace_reader *r)
{
	if (!r->tasks) {
		r->tasks = calloc(1, sizeof(*r->tasks));
		if (r->tasks && hmap_init(&r->tasks->comm, 1024)) {
			free(r->tasks);
			r->tasks = NULL;
		}
	}
	return r->tasks;
}

void trace_tasks_free(struct trace_tasks *t)
{
	if (!t)
		return;
	hmap_fini(&t->comm);
	free(t->names);
	for (u32 i = 0; i < t->ncg; i++)
		free(t->cgroups[i]);
	free(t->cgroups);
	free(t->held);
	free(t);
}

static int oom(struct trace_reader *r)
{
	return diag_set(&r->diag, r->name, r->in.line, "out of memory"), -ENOMEM;
}

static int hold(struct trace_reader *r, struct trace_tasks *t, const struct mm_event *ev)
{
	if (t->nheld == t->capheld) {
		size_t nc = t->capheld ? 2 * t->capheld : 256;
		struct mm_event *n = realloc(t->held, nc * sizeof(*n));
		if (!n)
			return oom(r);
		t->held = n;
		t->capheld = nc;
	}
	t->held[t->nheld++] = *ev;
	return 0;
}

/* Remember pid's command; true when it differs from the one known (or none was). */
static int set_comm(struct trace_reader *r, struct trace_tasks *t, u32 pid, const char *c, size_t n,
		    bool *changed)
{
	char b[MME_COMM_LEN] = {0};
	memcpy(b, c, MM_MIN(n, (size_t)MME_COMM_LEN - 1));
	u64 i;
	if (hmap_get(&t->comm, pid, &i)) {
		*changed = memcmp(t->names[i], b, MME_COMM_LEN) != 0;
		memcpy(t->names[i], b, MME_COMM_LEN);
		return 0;
	}
	if (t->nnames == t->capnames) {
		size_t nc = t->capnames ? 2 * t->capnames : 1024;
		char(*nn)[MME_COMM_LEN] = realloc(t->names, nc * MME_COMM_LEN);
		if (!nn)
			return oom(r);
		t->names = nn;
		t->capnames = nc;
	}
	memcpy(t->names[t->nnames], b, MME_COMM_LEN);
	if (hmap_put(&t->comm, pid, t->nnames) < 0)
		return oom(r);
	t->nnames++;
	*changed = true;
	return 0;
}

/* The text after "key=" up to the next " " (or the end): [*v, *e). */
static bool field(const char *line, const char *key, const char **v, const char **e)
{
	const char *p = strstr(line, key);
	if (!p)
		return false;
	*v = p + strlen(key);
	*e = strchr(*v, ' ');
	if (!*e)
		*e = *v + strlen(*v);
	return true;
}

static bool field_num(const char *line, const char *key, u64 *v)
{
	const char *s, *e;
	return field(line, key, &s, &e) && !decnum_u64(&s, v) && s == e;
}

static int cgroup_id(struct trace_reader *r, struct trace_tasks *t, const char *p, size_t n, u64 *id)
{
	for (u32 i = 0; i < t->ncg; i++)
		if (strlen(t->cgroups[i]) == n && !memcmp(t->cgroups[i], p, n)) {
			*id = i + 1;
			return 0;
		}
	if (n > 255 * MME_CGROUP_CHUNK)
		return trace_bad(r, "cgroup path longer than %u bytes", 255 * MME_CGROUP_CHUNK);
	char **nc = realloc(t->cgroups, (t->ncg + 1) * sizeof(*nc));
	if (!nc)
		return oom(r);
	t->cgroups = nc;
	if (!(t->cgroups[t->ncg] = strndup(p, n)))
		return oom(r);
	*id = ++t->ncg;
	for (size_t off = 0, k = 0; off < n || k == 0; off += MME_CGROUP_CHUNK, k++) {
		char b[MME_CGROUP_CHUNK] = {0};
		memcpy(b, p + off, MM_MIN(n - off, (size_t)MME_CGROUP_CHUNK));
		struct mm_event ev;
		trace_ev_init(&ev);
		ev.kind = MME_TASK;
		ev.aux = MME_TASK_CGROUP;
		ev.cpu = TRACE_CPU_NONE;
		ev.len2 = *id;
		ev.order = (u8)k;
		memcpy(&ev.addr, b, 8);
		memcpy(&ev.len, b + 8, 8);
		memcpy(&ev.addr2, b + 16, 8);
		int e = hold(r, t, &ev);
		if (e)
			return e;
	}
	return 0;
}

int trace_task_header(struct trace_reader *r, const char *line)
{
	bool task = !strncmp(line, "# mmreplay-task: ", 17);
	if (!task && strncmp(line, "# mmreplay-workload: ", 21))
		return 1;
	struct trace_tasks *t = tasks_get(r);
	if (!t)
		return oom(r);
	if (t->released)
		return trace_bad(r, "a recorder's header line after the first event");
	t->on = true;
	struct mm_event ev;
	trace_ev_init(&ev);
	ev.kind = MME_TASK;
	ev.cpu = TRACE_CPU_NONE;
	u64 pid;
	if (!field_num(line, " pid=", &pid) || pid > 0x7fffffff)
		return trace_bad(r, "expected 'pid=N' in the recorder's header");
	ev.pid = (u32)pid;
	if (!task) {
		ev.aux = MME_TASK_WORKLOAD;
		return pid ? hold(r, t, &ev) : 0; /* 0: the recorder could not learn it */
	}
	u64 tgid, ppid, id = 0;
	const char *cg, *cge, *comm = strstr(line, " comm=");
	if (!field_num(line, " tgid=", &tgid) || !field_num(line, " ppid=", &ppid) ||
	    !field(line, " cgroup=", &cg, &cge) || !comm || comm < cge)
		return trace_bad(r, "expected 'pid=N tgid=N ppid=N cgroup=PATH comm=COMM'");
	comm += 6;
	size_t n = strlen(comm);
	int e = cge > cg ? cgroup_id(r, t, cg, (size_t)(cge - cg), &id) : (id = 0, 0);
	if (e)
		return e;
	ev.aux = MME_TASK_START;
	ev.addr2 = tgid != pid ? tgid : ppid;
	ev.len2 = id;
	mm_event_set_comm(&ev, comm, n);
	bool changed;
	if ((e = set_comm(r, t, ev.pid, comm, n, &changed)))
		return e;
	return hold(r, t, &ev);
}

/* The last occurrence of lit in [s, e). */
static const char *rfind(const char *s, const char *e, const char *lit)
{
	size_t n = strlen(lit);
	for (const char *p = e - n; p >= s; p--)
		if (!memcmp(p, lit, n))
			return p;
	return NULL;
}

static bool num_at(const char *p, const char *lit, u64 *v)
{
	p += strlen(lit);
	return !decnum_u64(&p, v) && (*p == ' ' || *p == '\0');
}

int trace_task_sched(struct trace_reader *r, const char *name, size_t nlen, const char *f,
		     struct mm_event *ev)
{
	const char *end = r->line_end ? r->line_end : f + strlen(f);
	u64 pid, v;
	ev->kind = MME_TASK;
	if (nlen == 18 && !memcmp(name, "sched_process_fork", 18)) {
		/* comm=%s pid=%d child_comm=%s child_pid=%d (a comm may hold spaces) */
		const char *cp = rfind(f, end, " child_pid="), *cc = cp ? rfind(f, cp, " child_comm=") : NULL;
		const char *pp = cc ? rfind(f, cc, " pid=") : NULL;
		if (!pp || !num_at(cp, " child_pid=", &pid) || !num_at(pp, " pid=", &v) || pid > 0x7fffffff ||
		    v > 0x7fffffff)
			return trace_bad(r,
					 "expected 'comm= pid= child_comm= child_pid=' (sched_process_fork)");
		ev->aux = MME_TASK_FORK;
		ev->addr2 = v;
		ev->pid = (u32)pid;
		cc += 12;
		mm_event_set_comm(ev, cc, (size_t)(cp - cc));
		if (r->tasks && r->tasks->on) {
			bool changed;
			int e = set_comm(r, r->tasks, ev->pid, cc, (size_t)(cp - cc), &changed);
			return e ? e : 1;
		}
		return 1;
	}
	if (nlen == 18 && !memcmp(name, "sched_process_exec", 18)) {
		/* filename=%s pid=%d old_pid=%d; the new command is the line's (trace_task_line) */
		const char *op = rfind(f, end, " old_pid="), *pp = op ? rfind(f, op, " pid=") : NULL;
		if (!pp || !num_at(pp, " pid=", &pid) || pid > 0x7fffffff)
			return trace_bad(r, "expected 'filename= pid= old_pid=' (sched_process_exec)");
		ev->aux = MME_TASK_EXEC;
		ev->pid = (u32)pid;
		return 1;
	}
	if (nlen == 18 && !memcmp(name, "sched_process_exit", 18)) {
		/* comm=%s pid=%d prio=%d[ group_dead=%s] */
		const char *pr = rfind(f, end, " prio="), *pp = pr ? rfind(f, pr, " pid=") : NULL;
		if (!pp || !num_at(pp, " pid=", &pid) || pid > 0x7fffffff)
			return trace_bad(r, "expected 'comm= pid= prio=' (sched_process_exit)");
		ev->aux = MME_TASK_EXIT;
		ev->pid = (u32)pid;
		return 1;
	}
	ev->kind = MME_NONE;
	return 0;
}

/* Queue the held header records, stamped ts. */
static int release(struct trace_reader *r, struct trace_tasks *t, u64 ts)
{
	t->released = true;
	for (size_t i = 0; i < t->nheld; i++) {
		t->held[i].ts_ns = ts;
		int e = trace_queue_push(r, &t->held[i]);
		if (e)
			return e;
	}
	free(t->held);
	t->held = NULL;
	t->nheld = t->capheld = 0;
	return 0;
}

int trace_task_line(struct trace_reader *r, u32 pid, const char *comm, size_t n, struct mm_event *ev)
{
	struct trace_tasks *t = r->tasks;
	if (MM_LIKELY(!t || !t->on))
		return 1;
	int e;
	bool queued = false;
	if (!t->released) {
		if ((e = release(r, t, ev->ts_ns)))
			return e;
		queued = t->released && r->q.n;
	}
	if (ev->kind != MME_LOST) { /* ":-1  -1" lines too: their COMM column is ":-1" */
		bool changed;
		if ((e = set_comm(r, t, pid, comm, n, &changed)))
			return e;
		if (ev->kind == MME_TASK && ev->aux == MME_TASK_EXEC) {
			mm_event_set_comm(ev, comm, n);
		} else if (changed) {
			struct mm_event c;
			trace_ev_init(&c);
			c.kind = MME_TASK;
			c.aux = MME_TASK_COMM;
			c.pid = pid;
			c.cpu = ev->cpu;
			c.ts_ns = ev->ts_ns;
			mm_event_set_comm(&c, comm, n);
			if ((e = trace_queue_push(r, &c)))
				return e;
			queued = true;
		}
	}
	if (!queued)
		return 1;
	return (e = trace_queue_push(r, ev)) ? e : 0;
}

int trace_task_finish(struct trace_reader *r)
{
	struct trace_tasks *t = r->tasks;
	return t && !t->released ? release(r, t, 0) : 0;
}
