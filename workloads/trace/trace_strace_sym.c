/* The symbol tables strace prints (PROT_*, MAP_*, MREMAP_*, MADV_*, errno names) with
 * their Linux x86-64 values, and the syscall names the strace reader replays. */
#include <string.h>

#include "workloads/trace/trace_strace.h"

const struct sym strace_prot_syms[] = {
	{"PROT_NONE", 0},
	{"PROT_READ", 1},
	{"PROT_WRITE", 2},
	{"PROT_EXEC", 4},
	{"PROT_SEM", 8},
	{"PROT_GROWSDOWN", 0x01000000},
	{"PROT_GROWSUP", 0x02000000},
};

const struct sym strace_map_syms[] = {
	{"MAP_FILE", 0},
	{"MAP_SHARED", 0x1},
	{"MAP_PRIVATE", 0x2},
	{"MAP_SHARED_VALIDATE", 0x3},
	{"MAP_DROPPABLE", 0x8},
	{"MAP_FIXED", 0x10},
	{"MAP_ANONYMOUS", 0x20},
	{"MAP_ANON", 0x20},
	{"MAP_32BIT", 0x40},
	{"MAP_ABOVE4G", 0x80},
	{"MAP_GROWSDOWN", 0x100},
	{"MAP_DENYWRITE", 0x800},
	{"MAP_EXECUTABLE", 0x1000},
	{"MAP_LOCKED", 0x2000},
	{"MAP_NORESERVE", 0x4000},
	{"MAP_POPULATE", 0x8000},
	{"MAP_NONBLOCK", 0x10000},
	{"MAP_STACK", 0x20000},
	{"MAP_HUGETLB", 0x40000},
	{"MAP_SYNC", 0x80000},
	{"MAP_FIXED_NOREPLACE", 0x100000},
	{"MAP_UNINITIALIZED", 0x4000000},
};

const struct sym strace_mremap_syms[] = {
	{"MREMAP_MAYMOVE", 1},
	{"MREMAP_FIXED", 2},
	{"MREMAP_DONTUNMAP", 4},
};

const struct sym strace_madv_syms[] = {
	{"MADV_NORMAL", 0},	      {"MADV_RANDOM", 1},	   {"MADV_SEQUENTIAL", 2},
	{"MADV_WILLNEED", 3},	      {"MADV_DONTNEED", 4},	   {"MADV_FREE", 8},
	{"MADV_REMOVE", 9},	      {"MADV_DONTFORK", 10},	   {"MADV_DOFORK", 11},
	{"MADV_MERGEABLE", 12},	      {"MADV_UNMERGEABLE", 13},	   {"MADV_HUGEPAGE", 14},
	{"MADV_NOHUGEPAGE", 15},      {"MADV_DONTDUMP", 16},	   {"MADV_DODUMP", 17},
	{"MADV_WIPEONFORK", 18},      {"MADV_KEEPONFORK", 19},	   {"MADV_COLD", 20},
	{"MADV_PAGEOUT", 21},	      {"MADV_POPULATE_READ", 22},  {"MADV_POPULATE_WRITE", 23},
	{"MADV_DONTNEED_LOCKED", 24}, {"MADV_COLLAPSE", 25},	   {"MADV_HWPOISON", 100},
	{"MADV_SOFT_OFFLINE", 101},   {"MADV_GUARD_INSTALL", 102}, {"MADV_GUARD_REMOVE", 103},
};

const struct sym strace_errno_syms[] = {
	{"EPERM", 1},
	{"ENOENT", 2},
	{"ESRCH", 3},
	{"EINTR", 4},
	{"EIO", 5},
	{"ENXIO", 6},
	{"E2BIG", 7},
	{"ENOEXEC", 8},
	{"EBADF", 9},
	{"ECHILD", 10},
	{"EAGAIN", 11},
	{"ENOMEM", 12},
	{"EACCES", 13},
	{"EFAULT", 14},
	{"EBUSY", 16},
	{"EEXIST", 17},
	{"ENODEV", 19},
	{"ENOTDIR", 20},
	{"EISDIR", 21},
	{"EINVAL", 22},
	{"ENFILE", 23},
	{"EMFILE", 24},
	{"ETXTBSY", 26},
	{"EFBIG", 27},
	{"ENOSPC", 28},
	{"ESPIPE", 29},
	{"EROFS", 30},
	{"ERANGE", 34},
	{"EDEADLK", 35},
	{"ENAMETOOLONG", 36},
	{"ENOSYS", 38},
	{"ELOOP", 40},
	{"EOVERFLOW", 75},
	{"ELIBBAD", 80},
	{"EOPNOTSUPP", 95},
	{"ENOTSUP", 95},
	{"EHWPOISON", 133},
	{"ERESTARTSYS", 512},
	{"ERESTARTNOINTR", 513},
	{"ERESTARTNOHAND", 514},
	{"ERESTART_RESTARTBLOCK", 516},
};

bool strace_sym_find(const struct sym *t, size_t n, const char *s, size_t len, u64 *v)
{
	for (size_t i = 0; i < n; i++)
		if (!strncmp(t[i].name, s, len) && t[i].name[len] == '\0') {
			*v = t[i].val;
			return true;
		}
	return false;
}

static const struct {
	const char *name;
	enum strace_sys sys;
} sys_names[] = {
	{"mmap", STS_MMAP},	    {"munmap", STS_MUNMAP},
	{"mprotect", STS_MPROTECT}, {"pkey_mprotect", STS_PKEY_MPROTECT},
	{"brk", STS_BRK},	    {"mremap", STS_MREMAP},
	{"madvise", STS_MADVISE},   {"execve", STS_EXECVE},
	{"execveat", STS_EXECVE},   {"clone", STS_CLONE},
	{"clone3", STS_CLONE3},	    {"fork", STS_FORK},
	{"vfork", STS_VFORK},	    {"exit_group", STS_EXIT_GROUP},
};

enum strace_sys strace_sys_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < MM_ARRAY_SIZE(sys_names); i++)
		if (!strncmp(sys_names[i].name, name, len) && sys_names[i].name[len] == '\0')
			return sys_names[i].sys;
	return STS_OTHER;
}

#define NSYMS(t) const size_t t##_n = MM_ARRAY_SIZE(t)
NSYMS(strace_prot_syms);
NSYMS(strace_map_syms);
NSYMS(strace_mremap_syms);
NSYMS(strace_madv_syms);
NSYMS(strace_errno_syms);
