/* Who each event's task is: a table built from a trace's own task records (MME_TASK: the
 * tasks alive at the start, fork, exec, renames, exit, cgroup names, the recorded command) and
 * strace's fork events, read in stream order beside the events. It answers, per event, the
 * task's command, its top-level process tree, its cgroup, and whether it belongs to a workload
 * given as a spec:
 *   all          every event
 *   comm:NAME    tasks whose command is NAME when the event happened
 *   pid:N        the task N
 *   tree:PID     PID and every task its tree forked (threads too)
 *   cgroup:/PATH  tasks in cgroup PATH or below it (forks inherit their parent's)
 *   (default)    tree:PID of the recorded command when the trace names it, else all.
 * Parent links are who forked whom (a re-parented orphan stays in its tree). */
#ifndef TASK_TABLE_H
#define TASK_TABLE_H

#include "workloads/diag.h"
#include "core/lib/hmap.h"
#include "core/mm_event.h"

enum task_spec_kind {
	TASK_SPEC_DEFAULT,
	TASK_SPEC_ALL,
	TASK_SPEC_COMM,
	TASK_SPEC_PID,
	TASK_SPEC_TREE,
	TASK_SPEC_CGROUP
};

struct task_spec {
	enum task_spec_kind kind;
	u32 pid;	/* PID, TREE */
	char text[256]; /* COMM (at most 15 characters), CGROUP */
};

/* Parse s ("all", "comm:NAME", ...; NULL or "" is the default): 0, or -EINVAL with a message in
 * err naming the accepted forms. */
int task_spec_parse(const char *s, struct task_spec *out, char *err, size_t errlen);
/* "tree:1234", "comm:tar", ... (the default as resolved when the trace named its command). */
void task_spec_label(const struct task_spec *sp, u32 workload_pid, char *buf, size_t len);

struct task_ent {
	char comm[MME_COMM_LEN]; /* "" while unknown */
	u32 pid, parent;	 /* parent 0: none known */
	u32 cgroup;		 /* id into the table's cgroups, 0 unknown */
	u32 top;		 /* the top-level tree's root: the ancestor just below pid 0, 1 or 2 */
	i8 in_tree;		 /* membership of the spec's tree, -1 not computed yet */
	bool exited;
};

struct task_table {
	struct task_spec spec;
	struct hmap idx; /* pid -> index into t[] */
	struct task_ent *t;
	size_t n, cap;
	char **cgroups; /* paths by id - 1 (assembled from MME_TASK_CGROUP chunks) */
	u32 ncg;
	u32 workload_pid;	   /* the recorded command's root, 0 when the trace names none */
	bool has_records;	   /* the trace carries task records (MME_TASK) */
	u64 purge_mine, purge_all; /* lazily freed vmap pages waiting: the workload's, everyone's */
	struct hmap vmap;	   /* va_start -> size << 1 | allocated by the workload, areas alive */
	u64 last_freed;		   /* the size of the area the last vfree asked about released */
	bool last_on_behalf;	   /* that vfree was a kernel thread's, of an area the workload
				    * allocated: done on the workload's behalf */
};

int task_table_init(struct task_table *tt, const struct task_spec *spec);
void task_table_fini(struct task_table *tt);
/* Take one event in stream order. Returns the event's task (NULL for a record of no task or
 * when memory ran out: *err = -ENOMEM then). */
const struct task_ent *task_table_event(struct task_table *tt, const struct mm_event *ev, int *err);
/* Whether the event's task belongs to the workload (the spec). Purges (kernel work done in a
 * kworker on behalf of whoever freed the areas) are the workload's in the share of the waiting
 * pages it freed: *share_ppm (parts per million) for MME_VMAP_PURGE, 1e6 or 0 otherwise. A
 * vfree by a kernel thread (a kworker freeing an exited thread's stack) of an area the workload
 * allocated is freed on its behalf: the return and share stay the task's, last_on_behalf says
 * so, and the pages count as the workload's among those waiting for a purge. */
bool task_table_mine(struct task_table *tt, const struct task_ent *te, const struct mm_event *ev,
		     u32 *share_ppm);
const char *task_table_cgroup(const struct task_table *tt, u32 id); /* "" if unknown */

#endif
