/* strace internals shared by the line reader (trace_strace.c: prefixes, unfinished/resumed
 * joins, fork ordering) and the call decoder (trace_strace_call.c: arguments, symbolic flags,
 * return values). */
#ifndef TRACE_STRACE_H
#define TRACE_STRACE_H

#include "workloads/trace/trace_priv.h"

/* What a syscall name means for us. */
enum strace_sys {
	STS_OTHER = 0, /* not replayed: counted as unknown */
	STS_MMAP,
	STS_MUNMAP,
	STS_MPROTECT,
	STS_PKEY_MPROTECT,
	STS_BRK,
	STS_MREMAP,
	STS_MADVISE,
	STS_EXECVE,
	STS_CLONE,
	STS_CLONE3,
	STS_FORK,
	STS_VFORK,
	STS_EXIT_GROUP,
};

enum strace_sys strace_sys_lookup(const char *name, size_t len);

/* A symbolic constant strace prints, and its value. */
struct sym {
	const char *name;
	u64 val;
};
extern const struct sym strace_prot_syms[], strace_map_syms[], strace_mremap_syms[], strace_madv_syms[],
	strace_errno_syms[];
extern const size_t strace_prot_syms_n, strace_map_syms_n, strace_mremap_syms_n, strace_madv_syms_n,
	strace_errno_syms_n;
/* true and *v if s[0..len) is one of t[0..n)'s names. */
bool strace_sym_find(const struct sym *t, size_t n, const char *s, size_t len, u64 *v);

static inline bool strace_sys_is_fork(enum strace_sys s)
{
	return s == STS_CLONE || s == STS_CLONE3 || s == STS_FORK || s == STS_VFORK;
}

/* Decode a complete call "NAME(ARGS) = RESULT [ERRNO (text)] [<secs>]" of kind sys into ev
 * (pid, ts and cpu are already set). 1, or -EINVAL after trace_bad(). */
int strace_call(struct trace_reader *r, enum strace_sys sys, const char *text, struct mm_event *ev);

/* The event for a call whose result never arrived (process gone, or trace ended). */
void strace_unresumed(enum strace_sys sys, struct mm_event *ev);

#endif
