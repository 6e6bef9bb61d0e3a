/* The traced processes of one machine: one address space (struct mm) per pid. Threads created
 * with CLONE_VM share their creator's mm, fork copies it, execve replaces it, exit_group drops
 * the pid and tears the mm down when no task uses it any more. Routes the MMAP..EXIT events. */
#ifndef PROCS_H
#define PROCS_H

#include "core/lib/hmap.h"
#include "core/proc/mm.h"
#include "core/mm_event.h"

struct procs_stats {
	u64 applied[MME_NR_KINDS];	  /* events replayed, per kind */
	u64 failed_skipped[MME_NR_KINDS]; /* calls that failed in the trace: not applied */
	u64 model_errors[MME_NR_KINDS];	  /* calls that succeeded in the trace but not in the model */
	/* ...of which the range held no VMA of the model at all: memory mapped before the trace
	 * saw it (execve's image: the executable, ld.so, stack, vdso), so explained */
	u64 untraced_range[MME_NR_KINDS];
	u64 forks, clone_vm, execs, exits; /* clone_vm: threads and vfork children */
	u64 unknown_pids;		   /* first event from a pid never forked: a fresh mm */
	u64 pid_reused;			   /* fork named a child pid still in use (its exit was not traced) */
	u64 bad_events; /* impossible events (a fork naming its own pid): counted, skipped */
	u64 mm_created, mm_destroyed, mm_live_peak;
};

struct procs {
	struct mm_cfg cfg;  /* shared by every mm */
	struct mm_stats st; /* every mm adds to it */
	struct procs_stats ps;
	struct hmap pids;    /* pid -> struct mm *; an mm's users == pids mapping to it */
	struct objpool vmas; /* every mm\'s VMAs */
	u64 live;	     /* mms alive */
	/* Optional: called with a pid's mm just before exit_group or execve drops it. */
	void (*on_release)(void *arg, u32 pid, struct mm *mm, bool exiting);
	void *on_release_arg;
};

int procs_init(struct procs *p, const struct mm_cfg *cfg);
void procs_fini(struct procs *p);
/* Route one MMAP..EXIT event. 0, or -ENOMEM on host failure; model errors are counted. */
int procs_event(struct procs *p, const struct mm_event *ev);
/* The pid's mm, or NULL. */
struct mm *procs_mm(const struct procs *p, u32 pid);
/* Call fn for every live pid, in increasing pid order. */
int procs_for_each(struct procs *p, void (*fn)(void *arg, u32 pid, struct mm *mm), void *arg);

/* "list" -> &vma_index_list ...; the default mm configuration (maple, 65530, populate none). */
void procs_cfg_default(struct mm_cfg *cfg);

#endif
