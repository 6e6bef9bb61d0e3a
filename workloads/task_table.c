/* The task table (task_table.h). Membership of a tree is computed once per task from its
 * parent's (parents are known before their children in stream order: the header lists them
 * with their parents, forks follow their parent's events); a task first seen without a record
 * has no parent and is in a tree only as its root. */
#include "workloads/task_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int task_spec_parse(const char *s, struct task_spec *out, char *err, size_t errlen)
{
	*out = (struct task_spec){.kind = TASK_SPEC_DEFAULT};
	if (!s || !*s)
		return 0;
	const char *colon = strchr(s, ':');
	size_t kl = colon ? (size_t)(colon - s) : strlen(s);
	const char *v = colon ? colon + 1 : "";
	if (!colon && !strcmp(s, "all")) {
		out->kind = TASK_SPEC_ALL;
		return 0;
	}
	if (colon && ((kl == 3 && !memcmp(s, "pid", 3)) || (kl == 4 && !memcmp(s, "tree", 4)))) {
		char *e;
		unsigned long n = strtoul(v, &e, 10);
		if (*v >= '0' && *v <= '9' && !*e && n > 0 && n <= 0x7fffffff) {
			out->kind = kl == 3 ? TASK_SPEC_PID : TASK_SPEC_TREE;
			out->pid = (u32)n;
			return 0;
		}
	} else if (colon && kl == 4 && !memcmp(s, "comm", 4) && *v && strlen(v) < MME_COMM_LEN) {
		out->kind = TASK_SPEC_COMM;
		strcpy(out->text, v);
		return 0;
	} else if (colon && kl == 6 && !memcmp(s, "cgroup", 6) && *v == '/' &&
		   strlen(v) < sizeof(out->text)) {
		out->kind = TASK_SPEC_CGROUP;
		strcpy(out->text, v);
		size_t n = strlen(out->text);
		while (n > 1 && out->text[n - 1] == '/')
			out->text[--n] = '\0';
		return 0;
	}
	snprintf(err, errlen,
		 "workload '%s': expected all, comm:NAME (at most 15 characters), pid:N, tree:PID or "
		 "cgroup:/PATH",
		 s);
	return -EINVAL;
}

void task_spec_label(const struct task_spec *sp, u32 workload_pid, char *buf, size_t len)
{
	switch (sp->kind) {
	case TASK_SPEC_DEFAULT:
		if (workload_pid)
			snprintf(buf, len, "tree:%u", workload_pid);
		else
			snprintf(buf, len, "all");
		break;
	case TASK_SPEC_ALL:
		snprintf(buf, len, "all");
		break;
	case TASK_SPEC_COMM:
		snprintf(buf, len, "comm:%s", sp->text);
		break;
	case TASK_SPEC_PID:
		snprintf(buf, len, "pid:%u", sp->pid);
		break;
	case TASK_SPEC_TREE:
		snprintf(buf, len, "tree:%u", sp->pid);
		break;
	case TASK_SPEC_CGROUP:
		snprintf(buf, len, "cgroup:%s", sp->text);
		break;
	}
}

int task_table_init(struct task_table *tt, const struct task_spec *spec)
{
	*tt = (struct task_table){0};
	tt->spec = *spec;
	if (hmap_init(&tt->idx, 1024))
		return -ENOMEM;
	if (hmap_init(&tt->vmap, 1024)) {
		hmap_fini(&tt->idx);
		return -ENOMEM;
	}
	return 0;
}

void task_table_fini(struct task_table *tt)
{
	hmap_fini(&tt->idx);
	hmap_fini(&tt->vmap);
	free(tt->t);
	for (u32 i = 0; i < tt->ncg; i++)
		free(tt->cgroups[i]);
	free(tt->cgroups);
	*tt = (struct task_table){0};
}

const char *task_table_cgroup(const struct task_table *tt, u32 id)
{
	return id && id <= tt->ncg ? tt->cgroups[id - 1] : "";
}

/* The tree N's root is the task N; no task 0, 1 (init) or 2 (kthreadd) is in a tree's top. */
static bool top_level(u32 pid)
{
	return pid <= 2;
}

static struct task_ent *find(struct task_table *tt, u32 pid)
{
	u64 i;
	return hmap_get(&tt->idx, pid, &i) ? &tt->t[i] : NULL;
}

/* pid's entry, created (no parent known) if new; NULL when memory ran out. */
static struct task_ent *get(struct task_table *tt, u32 pid, bool *created)
{
	struct task_ent *e = find(tt, pid);
	*created = false;
	if (e)
		return e;
	if (tt->n == tt->cap) {
		size_t nc = tt->cap ? 2 * tt->cap : 1024;
		struct task_ent *nt = realloc(tt->t, nc * sizeof(*nt));
		if (!nt)
			return NULL;
		tt->t = nt;
		tt->cap = nc;
	}
	if (hmap_put(&tt->idx, pid, tt->n) < 0)
		return NULL;
	e = &tt->t[tt->n++];
	*e = (struct task_ent){.pid = pid, .in_tree = -1, .top = pid};
	*created = true;
	return e;
}

/* Link e under parent: its top-level tree, its cgroup (inherited unless given), its tree. */
static void link_parent(struct task_table *tt, struct task_ent *e, u32 parent)
{
	e->parent = parent;
	struct task_ent *p = parent ? find(tt, parent) : NULL;
	e->top = !p || top_level(parent) ? e->pid : p->top;
	if (!e->cgroup && p)
		e->cgroup = p->cgroup;
	if (p && p->in_tree == 1)
		e->in_tree = 1;
}

static int cgroup_chunk(struct task_table *tt, const struct mm_event *ev)
{
	u64 id = ev->len2;
	if (!id || id > 4096)
		return 0;
	if (id > tt->ncg) {
		char **nc = realloc(tt->cgroups, id * sizeof(*nc));
		if (!nc)
			return -ENOMEM;
		tt->cgroups = nc;
		while (tt->ncg < id)
			tt->cgroups[tt->ncg++] = NULL;
	}
	char b[MME_CGROUP_CHUNK + 1] = {0};
	memcpy(b, &ev->addr, 8);
	memcpy(b + 8, &ev->len, 8);
	memcpy(b + 16, &ev->addr2, 8);
	char *old = tt->cgroups[id - 1];
	size_t ol = old && ev->order ? strlen(old) : 0, bl = strlen(b);
	char *s = realloc(ev->order ? old : NULL, ol + bl + 1);
	if (!s)
		return -ENOMEM;
	if (!ev->order)
		free(old);
	memcpy(s + ol, b, bl + 1);
	tt->cgroups[id - 1] = s;
	return 0;
}

const struct task_ent *task_table_event(struct task_table *tt, const struct mm_event *ev, int *err)
{
	bool created;
	struct task_ent *e;
	*err = 0;
	if (ev->kind == MME_TASK) {
		tt->has_records = true;
		char comm[MME_COMM_LEN];
		switch (ev->aux) {
		case MME_TASK_CGROUP:
			*err = cgroup_chunk(tt, ev);
			return NULL;
		case MME_TASK_WORKLOAD:
			tt->workload_pid = ev->pid;
			return NULL;
		case MME_TASK_START:
		case MME_TASK_FORK:
			if (!(e = get(tt, ev->pid, &created)))
				break;
			/* a pid seen before is a new task now (a reused pid, or events the file put
			   before their fork) */
			*e = (struct task_ent){.pid = ev->pid,
					       .in_tree = -1,
					       .top = ev->pid,
					       .cgroup = ev->aux == MME_TASK_START ? (u32)ev->len2 : 0};
			mm_event_comm(ev, e->comm);
			link_parent(tt, e, (u32)ev->addr2);
			return ev->aux == MME_TASK_FORK ? find(tt, (u32)ev->addr2) : NULL;
		case MME_TASK_EXEC:
		case MME_TASK_COMM:
			if (!(e = get(tt, ev->pid, &created)))
				break;
			mm_event_comm(ev, comm);
			if (comm[0])
				memcpy(e->comm, comm, MME_COMM_LEN);
			return e;
		case MME_TASK_EXIT:
			if ((e = find(tt, ev->pid)))
				e->exited = true;
			return e;
		default:
			return NULL;
		}
		*err = -ENOMEM;
		return NULL;
	}
	if (!(e = get(tt, ev->pid, &created))) {
		*err = -ENOMEM;
		return NULL;
	}
	if (ev->kind == MME_FORK) { /* strace: the parent's event; the child joins its tree */
		char comm[MME_COMM_LEN];
		memcpy(comm, e->comm, MME_COMM_LEN);
		struct task_ent *c = get(tt, (u32)ev->addr2, &created); /* may move the array */
		if (!c) {
			*err = -ENOMEM;
			return NULL;
		}
		if (created) {
			memcpy(c->comm, comm, MME_COMM_LEN);
			link_parent(tt, c, ev->pid);
		}
		e = find(tt, ev->pid);
	}
	return e;
}

static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (!strcmp(prefix, "/"))
		return true;
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

static bool task_mine(struct task_table *tt, const struct task_ent *te)
{
	const struct task_spec *sp = &tt->spec;
	u32 root = sp->kind == TASK_SPEC_TREE ? sp->pid : tt->workload_pid;
	switch (sp->kind) {
	case TASK_SPEC_ALL:
		return true;
	case TASK_SPEC_COMM:
		return te && !strcmp(te->comm, sp->text);
	case TASK_SPEC_PID:
		return te && te->pid == sp->pid;
	case TASK_SPEC_CGROUP:
		return te && te->cgroup && under(task_table_cgroup(tt, te->cgroup), sp->text);
	case TASK_SPEC_DEFAULT:
		if (!root)
			return true;
		/* fall through */
	case TASK_SPEC_TREE:
		if (!te)
			return false;
		if (te->in_tree < 0) { /* first asked: from the parent chain (memoised) */
			struct task_ent *e = (struct task_ent *)te;
			bool in = false;
			for (const struct task_ent *a = te; a; a = a->parent ? find(tt, a->parent) : NULL) {
				if (a->pid == root || a->in_tree == 1) {
					in = true;
					break;
				}
				if (a->in_tree == 0 || a->parent == a->pid)
					break;
			}
			e->in_tree = in;
		}
		return te->in_tree == 1;
	}
	return false;
}

/* A kernel thread: kthreadd or one of its children, or a kworker seen without a record. */
static bool kernel_thread(const struct task_ent *te)
{
	return te && (te->pid == 2 || te->parent == 2 || !strncmp(te->comm, "kworker/", 8));
}

bool task_table_mine(struct task_table *tt, const struct task_ent *te, const struct mm_event *ev,
		     u32 *share_ppm)
{
	bool mine = task_mine(tt, te);
	*share_ppm = mine ? 1000000 : 0;
	u64 v;
	tt->last_freed = 0;
	tt->last_on_behalf = false;
	switch (ev->kind) {
	case MME_VMAP_ALLOC:
		if (!(ev->flags & MME_F_FAILED))
			hmap_put(&tt->vmap, ev->addr, ev->len << 1 | mine);
		break;
	case MME_VMAP_FREE: /* its pages wait for a purge on behalf of whoever freed the area */
		if (hmap_del(&tt->vmap, ev->addr, &v)) {
			tt->last_on_behalf = !mine && (v & 1) && kernel_thread(te);
			tt->last_freed = v >> 1;
			tt->purge_all += v >> 1;
			if (mine || tt->last_on_behalf)
				tt->purge_mine += v >> 1;
		}
		break;
	case MME_VMAP_PURGE: /* a purge takes every area waiting: the workload's share of them */
		*share_ppm = tt->purge_all ? (u32)(tt->purge_mine * 1000000 / tt->purge_all) : 0;
		tt->purge_mine = tt->purge_all = 0;
		return *share_ppm > 0;
	default:
		break;
	}
	return mine;
}
