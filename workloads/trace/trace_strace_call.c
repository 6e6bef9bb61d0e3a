/* Decoding one complete strace call line into an mm_event: the argument list (quotes,
 * brackets, braces and comments respected), symbolic flags (PROT_*, MAP_*, CLONE_*,
 * MREMAP_*, MADV_*) and the result ("= 0x...", "= -1 ENOMEM (...)", "= ?"). */
#include <string.h>

#include "workloads/trace/trace_strace.h"

#define ST_MAXARGS 8

struct st_args {
	const char *a[ST_MAXARGS]; /* trimmed argument text, a[i][0..n[i]) */
	size_t n[ST_MAXARGS];
	int count;
	const char *after; /* just past the closing ')' */
};

/* Split "ARG, ARG, ...)" (p just past the '('). 0 or -EINVAL after trace_bad. */
static int st_split(struct trace_reader *r, const char *p, struct st_args *out)
{
	int depth = 0;
	const char *start = p;
	out->count = 0;
	for (;;) {
		char c = *p;
		if (!c)
			return trace_bad(r, "unterminated argument list");
		if (c == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return trace_bad(r, "unterminated string argument");
		} else if (c == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			if (!e)
				return trace_bad(r, "unterminated comment");
			p = e + 1;
		} else if (c == '(' || c == '[' || c == '{') {
			if (++depth > 64)
				return trace_bad(r, "arguments nested too deeply");
		} else if (c == ')' || c == ']' || c == '}') {
			if (depth == 0 && c != ')')
				return trace_bad(r, "unbalanced '%c' in the arguments", c);
			if (depth == 0)
				goto arg_end;
			depth--;
		} else if (c == ',' && depth == 0) {
			goto arg_end;
		}
		p++;
		continue;
	arg_end : {
		const char *s = tp_skip_sp(start), *e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (c == ')' && out->count == 0 && e == s) { /* "()" */
			out->after = p + 1;
			return 0;
		}
		if (out->count == ST_MAXARGS)
			return trace_bad(r, "too many arguments");
		out->a[out->count] = s;
		out->n[out->count] = (size_t)(e - s);
		out->count++;
		if (c == ')') {
			out->after = p + 1;
			return 0;
		}
		start = ++p;
	}
	}
}

/* A numeric argument ("NULL" = 0), optionally followed by a "<path>" (-y) or a comment. */
static int st_num(struct trace_reader *r, const struct st_args *a, int i, const char *what, u64 *v)
{
	const char *s = a->a[i], *e = s + a->n[i];
	if (a->n[i] == 4 && !memcmp(s, "NULL", 4)) {
		*v = 0;
		return 0;
	}
	int err = tp_num(&s, v);
	if (err)
		return trace_bad(r, "%s in the %s argument", tp_errstr(err), what);
	if (s != e && *s != '<' && *s != ' ')
		return trace_bad(r, "bad %s argument '%.*s'", what, (int)MM_MIN(a->n[i], 40), a->a[i]);
	return 0;
}

static int st_snum(struct trace_reader *r, const struct st_args *a, int i, const char *what, i64 *v)
{
	const char *s = a->a[i], *e = s + a->n[i];
	int err = tp_sdec(&s, v);
	if (err)
		return trace_bad(r, "%s in the %s argument", tp_errstr(err), what);
	if (s != e && *s != '<' && *s != ' ')
		return trace_bad(r, "bad %s argument", what);
	return 0;
}

/* "SYM|SYM|0x10" (a trailing comment is ignored). Unknown names are an error unless
 * ignore_unknown; numbers are taken as raw bits. */
static int st_flags(struct trace_reader *r, const char *s, size_t n, const struct sym *t, size_t nt,
		    bool ignore_unknown, const char *what, u64 *bits)
{
	const char *e = s + n;
	*bits = 0;
	if (s == e)
		return trace_bad(r, "empty %s argument", what);
	while (s < e) {
		if (*s == ' ' || *s == '\t')
			break; /* a comment after the value */
		const char *t0 = s;
		while (s < e && *s != '|' && *s != ' ')
			s++;
		size_t len = (size_t)(s - t0);
		u64 v;
		if (len && (unsigned)(*t0 - '0') <= 9) {
			const char *q = t0;
			int err = tp_num(&q, &v);
			if (err || q != s)
				return trace_bad(r, "bad number in the %s argument", what);
			*bits |= v;
		} else if (len && strace_sym_find(t, nt, t0, len, &v)) {
			*bits |= v;
		} else if (!ignore_unknown) {
			return trace_bad(r, "unknown %s '%.*s'", what, (int)MM_MIN(len, 40), t0);
		}
		if (s < e && *s == '|')
			s++;
	}
	return 0;
}

#define ST_FLAGS(r, args, i, tab, ign, what, bits)                                                           \
	st_flags((r), (args)->a[i], (args)->n[i], (tab), tab##_n, (ign), (what), (bits))

static int st_prot(struct trace_reader *r, const struct st_args *a, int i, struct mm_event *ev)
{
	u64 prot;
	int e = ST_FLAGS(r, a, i, strace_prot_syms, false, "prot", &prot);
	if (e)
		return e;
	if (prot & ~(u64)0x0300000f)
		return trace_bad(r, "prot bits 0x%llx out of range", (unsigned long long)prot);
	ev->prot = (u8)(prot & 0xf);
	if (prot & 0x01000000)
		ev->flags |= MME_F_PROT_GROWSDOWN;
	if (prot & 0x02000000)
		ev->flags |= MME_F_PROT_GROWSUP;
	return 0;
}

/* mmap flags: MAP_HUGE_<size> names encode a page size; they only matter with MAP_HUGETLB. */
static int st_mmap_flags(struct trace_reader *r, const struct st_args *a, int i, struct mm_event *ev)
{
	const char *s = a->a[i], *e = s + a->n[i];
	u64 bits = 0;
	while (s < e && *s != ' ') {
		const char *t0 = s;
		while (s < e && *s != '|' && *s != ' ')
			s++;
		size_t len = (size_t)(s - t0);
		u64 v = 0;
		if (len > 9 && !memcmp(t0, "MAP_HUGE_", 9))
			v = 0;
		else {
			int err = st_flags(r, t0, len, strace_map_syms, strace_map_syms_n, false, "mmap flag",
					   &v);
			if (err)
				return err;
		}
		bits |= v;
		if (s < e && *s == '|')
			s++;
	}
	if (s == a->a[i])
		return trace_bad(r, "empty mmap flags argument");
	if (bits & 0x10 || bits & 0x100000)
		ev->flags |= MME_F_FIXED;
	if (bits & 0x20)
		ev->flags |= MME_F_ANON;
	if ((bits & 3) == 1 || (bits & 3) == 3)
		ev->flags |= MME_F_SHARED;
	if (bits & 0x100)
		ev->flags |= MME_F_GROWSDOWN;
	if (bits & 0x20000)
		ev->flags |= MME_F_STACK;
	return 0;
}

/* clone flags=...: only CLONE_VM (0x100), CLONE_VFORK (0x4000), CLONE_THREAD (0x10000)
 * matter; the rest (and the exit signal) are skipped. */
static bool st_clone_vm(const char *s, const char *e)
{
	while (s < e && *s != ',' && *s != '}' && *s != ' ') {
		const char *t0 = s;
		while (s < e && *s != '|' && *s != ',' && *s != '}' && *s != ' ')
			s++;
		size_t len = (size_t)(s - t0);
		if ((len == 8 && !memcmp(t0, "CLONE_VM", 8)) ||
		    (len == 11 && !memcmp(t0, "CLONE_VFORK", 11)) ||
		    (len == 12 && !memcmp(t0, "CLONE_THREAD", 12)))
			return true;
		if (len && (unsigned)(*t0 - '0') <= 9) {
			const char *q = t0;
			u64 v;
			if (!tp_num(&q, &v) && (v & (0x100 | 0x4000 | 0x10000)))
				return true;
		}
		if (s < e && *s == '|')
			s++;
	}
	return false;
}

/* The result after ')': "= VALUE", "= -1 ENAME (text)", "= ?", then an optional "<secs>". */
static int st_result(struct trace_reader *r, const char *p, bool *failed, u64 *val, i32 *err)
{
	p = tp_skip_sp(p);
	if (*p != '=')
		return trace_bad(r, "expected '= RESULT' after the arguments");
	p = tp_skip_sp(p + 1);
	*failed = false;
	*val = 0;
	*err = 0;
	if (*p == '?') {
		*failed = true; /* no result: the call did not return (or was restarted) */
		p++;
	} else if (*p == '-') {
		i64 v;
		int e = tp_sdec(&p, &v);
		if (e)
			return trace_bad(r, "%s in the result", tp_errstr(e));
		*failed = true;
		*val = (u64)v;
	} else {
		int e = tp_num(&p, val);
		if (e)
			return trace_bad(r, "%s in the result", tp_errstr(e));
	}
	p = tp_skip_sp(p);
	if (*p == 'E') { /* ENOMEM (Cannot allocate memory) */
		const char *t0 = p;
		while ((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')
			p++;
		u64 code;
		if (strace_sym_find(strace_errno_syms, strace_errno_syms_n, t0, (size_t)(p - t0), &code))
			*err = -(i32)code;
		*failed = true;
	} else if (*failed && TP_LIT(p, "(errno ")) {
		const char *q = p + 7;
		u64 code;
		if (!decnum_u64(&q, &code) && code < 4096)
			*err = -(i32)code;
	}
	return 0;
}

void strace_unresumed(enum strace_sys sys, struct mm_event *ev)
{
	static const u8 kinds[] = {
		[STS_MMAP] = MME_MMAP,	       [STS_MUNMAP] = MME_MUNMAP,
		[STS_MPROTECT] = MME_MPROTECT, [STS_PKEY_MPROTECT] = MME_MPROTECT,
		[STS_BRK] = MME_BRK,	       [STS_MREMAP] = MME_MREMAP,
		[STS_MADVISE] = MME_MADVISE,   [STS_EXECVE] = MME_EXEC,
		[STS_CLONE] = MME_FORK,	       [STS_CLONE3] = MME_FORK,
		[STS_FORK] = MME_FORK,	       [STS_VFORK] = MME_FORK,
		[STS_EXIT_GROUP] = MME_EXIT,
	};
	ev->kind = kinds[sys];
	if (sys != STS_EXIT_GROUP)
		ev->flags |= MME_F_FAILED; /* result unknown: nothing a replay may apply */
}

static int st_need(struct trace_reader *r, const struct st_args *a, int min, int max, const char *nm)
{
	if (a->count < min || a->count > max)
		return trace_bad(r, "%s: %d arguments, expected %d%s", nm, a->count, min,
				 max > min ? " or more" : "");
	return 0;
}

/* The fork family: clone (CLONE_VM in its flags), clone3, vfork (the child borrows the
 * parent's mm until exec) and fork, as MME_FORK with the child's pid. */
static int st_fork(struct trace_reader *r, enum strace_sys sys, const struct st_args *a, bool failed, u64 res,
		   struct mm_event *ev)
{
	if (sys == STS_CLONE) {
		for (int i = 0; i < a->count; i++)
			if (a->n[i] > 6 && !memcmp(a->a[i], "flags=", 6) &&
			    st_clone_vm(a->a[i] + 6, a->a[i] + a->n[i]))
				ev->flags |= MME_F_CLONE_VM;
	} else if (sys == STS_CLONE3 && a->count >= 1 && a->a[0][0] == '{') {
		const char *s = a->a[0] + 1, *end = a->a[0] + a->n[0];
		if (!memcmp(s, "flags=", 6) && st_clone_vm(s + 6, end))
			ev->flags |= MME_F_CLONE_VM;
	} else if (sys == STS_VFORK) {
		ev->flags |= MME_F_CLONE_VM;
	}
	ev->kind = MME_FORK;
	if (!failed && (res == 0 || res > 0x7fffffff))
		return trace_bad(r, "child pid %llu out of range", (unsigned long long)res);
	ev->addr2 = failed ? 0 : res;
	return 1;
}

int strace_call(struct trace_reader *r, enum strace_sys sys, const char *text, struct mm_event *ev)
{
	const char *paren = strchr(text, '(');
	struct st_args a = {.count = 0};
	bool failed = false;
	u64 res, v, sv_u;
	i64 sv;
	i32 err = 0;
	int e;
	if (!paren)
		return trace_bad(r, "expected 'NAME(ARGS) = RESULT'");
	if ((e = st_split(r, paren + 1, &a)) || (e = st_result(r, a.after, &failed, &res, &err)))
		return e;
	if (failed) {
		ev->flags |= MME_F_FAILED;
		ev->ret = err;
	}
	switch (sys) {
	case STS_MMAP:
		if ((e = st_need(r, &a, 6, 6, "mmap")) || (e = st_num(r, &a, 0, "address", &ev->addr2)) ||
		    (e = st_num(r, &a, 1, "length", &ev->len)) || (e = st_prot(r, &a, 2, ev)) ||
		    (e = st_mmap_flags(r, &a, 3, ev)) || (e = st_snum(r, &a, 4, "fd", &sv)) ||
		    (e = st_num(r, &a, 5, "offset", &ev->aux)))
			return e;
		ev->kind = MME_MMAP;
		ev->addr = failed ? 0 : res;
		ev->len2 = (sv < 0 || (ev->flags & MME_F_ANON)) ? (u64)-1 : (u64)sv;
		return 1;
	case STS_MUNMAP:
		if ((e = st_need(r, &a, 2, 2, "munmap")) || (e = st_num(r, &a, 0, "address", &ev->addr)) ||
		    (e = st_num(r, &a, 1, "length", &ev->len)))
			return e;
		ev->kind = MME_MUNMAP;
		return 1;
	case STS_MPROTECT:
	case STS_PKEY_MPROTECT:
		if ((e = st_need(r, &a, sys == STS_MPROTECT ? 3 : 4, sys == STS_MPROTECT ? 3 : 4,
				 sys == STS_MPROTECT ? "mprotect" : "pkey_mprotect")) ||
		    (e = st_num(r, &a, 0, "address", &ev->addr)) ||
		    (e = st_num(r, &a, 1, "length", &ev->len)) || (e = st_prot(r, &a, 2, ev)))
			return e;
		ev->kind = MME_MPROTECT;
		return 1;
	case STS_BRK:
		if ((e = st_need(r, &a, 1, 1, "brk")) || (e = st_num(r, &a, 0, "address", &ev->addr2)))
			return e;
		ev->kind = MME_BRK;
		ev->addr = failed ? 0 : res;
		return 1;
	case STS_MREMAP:
		if ((e = st_need(r, &a, 4, 5, "mremap")) || (e = st_num(r, &a, 0, "address", &ev->addr)) ||
		    (e = st_num(r, &a, 1, "old length", &ev->len)) ||
		    (e = st_num(r, &a, 2, "new length", &ev->len2)) ||
		    (e = ST_FLAGS(r, &a, 3, strace_mremap_syms, false, "mremap flag", &v)))
			return e;
		if (a.count == 5 && (e = st_num(r, &a, 4, "new address", &sv_u)))
			return e; /* MREMAP_FIXED target: the result repeats it on success */
		ev->kind = MME_MREMAP;
		ev->addr2 = failed ? 0 : res;
		ev->aux = v;
		return 1;
	case STS_MADVISE:
		if ((e = st_need(r, &a, 3, 3, "madvise")) || (e = st_num(r, &a, 0, "address", &ev->addr)) ||
		    (e = st_num(r, &a, 1, "length", &ev->len)) ||
		    (e = ST_FLAGS(r, &a, 2, strace_madv_syms, false, "madvise advice", &ev->aux)))
			return e;
		ev->kind = MME_MADVISE;
		return 1;
	case STS_EXECVE:
		ev->kind = MME_EXEC;
		return 1;
	case STS_CLONE:
	case STS_CLONE3:
	case STS_VFORK:
	case STS_FORK:
		return st_fork(r, sys, &a, failed, res, ev);
	case STS_EXIT_GROUP:
		ev->kind = MME_EXIT;
		ev->flags &= (u16)~MME_F_FAILED; /* "= ?" is how exit_group always ends */
		ev->ret = 0;
		return 1;
	case STS_OTHER:
		break;
	}
	return trace_bad(r, "internal: syscall kind %d", (int)sys);
}
