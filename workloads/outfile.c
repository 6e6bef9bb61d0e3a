#include "workloads/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "workloads/diag.h"
#include "workloads/outfile_priv.h"

/* Temporaries alive now, for the signal handler: a slot is filled before `used` is set, and
 * `used` is cleared before the slot is reused; both happen with the signals blocked. */
#define OUTFILE_SLOTS 64
static struct {
	volatile sig_atomic_t used;
	int dirfd;
	char name[NAME_MAX + 1];
} slots[OUTFILE_SLOTS];
/* Every catchable signal whose default action ends the process (signal(7): "Term" and "Core"),
 * the faults included: whatever kills the run, its temporaries go with it (SIGPIPE is ignored
 * rather than caught, below; it stays here for a process that handles it itself). The real-time
 * signals (also "Term") are added at installation, SIGRTMIN being a function. */
static const int cleanup_sigs[] = {
	SIGHUP,	 SIGINT,  SIGQUIT, SIGILL,    SIGTRAP, SIGABRT, SIGBUS,	   SIGFPE,  SIGUSR1, SIGSEGV, SIGUSR2,
	SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,   SIGPWR,  SIGSYS,
};
#define NCLEANUP_SIGS (sizeof(cleanup_sigs) / sizeof(cleanup_sigs[0]))
static bool handlers_installed;

/* The set of signals the handler serves (those above and SIGRTMIN..SIGRTMAX). */
static void cleanup_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < NCLEANUP_SIGS; i++)
		sigaddset(set, cleanup_sigs[i]);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(set, s);
}

/* Threads (replay's and suite's workers) open inputs and outputs at once: the slots, the
 * handlers' installation and the inputs are changed under this lock (the signal handler reads
 * the slots without it, as before). */
static pthread_mutex_t outfile_mu = PTHREAD_MUTEX_INITIALIZER;

/* Inputs of this run, by device and inode (grows; lives as long as the process). */
static struct input_id {
	dev_t dev;
	ino_t ino;
} * inputs;
static size_t ninputs, inputs_cap;

int outfile_why(struct outfile *o, int err, const char *fmt, ...)
{
	char raw[sizeof(o->why)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	diag_escape(o->why, sizeof(o->why), raw); /* names in it: one printable line */
	return err;
}

const char *outfile_error(const struct outfile *o, int err)
{
	return o->why[0] ? o->why : strerror(err < 0 ? -err : err);
}

/* Async-signal-safe: unlinkat, signal and raise only. */
static void outfile_on_signal(int sig)
{
	int saved = errno;
	for (int i = 0; i < OUTFILE_SLOTS; i++)
		if (slots[i].used)
			unlinkat(slots[i].dirfd, slots[i].name, 0);
	signal(sig, SIG_DFL);
	raise(sig); /* blocked while we run: delivered, with the default action, on return */
	errno = saved;
}

static void sigs_block(sigset_t *old)
{
	sigset_t set;
	cleanup_set(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

void outfile_signals_hold(sigset_t *old)
{
	sigset_t set;
	cleanup_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void outfile_signals_release(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Install the handler where the signal has its default action (an ignored one stays so).
 * SIGPIPE is ignored instead: a run writing files must not die of a reader that closed
 * stdout (`replay --out X ... | head -1` lost X); the write fails with EPIPE, the files are
 * completed, and main's check of stdout at exit reports it (exit 1). */
void outfile_signals_install(void)
{
	pthread_mutex_lock(&outfile_mu);
	bool done = handlers_installed;
	handlers_installed = true;
	if (done) {
		pthread_mutex_unlock(&outfile_mu);
		return;
	}
	struct sigaction sa, old, ign = {.sa_handler = SIG_IGN};
	if (!sigaction(SIGPIPE, NULL, &old) && !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL)
		sigaction(SIGPIPE, &ign, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = outfile_on_signal;
	cleanup_set(&sa.sa_mask);
	for (int s = 1; s <= SIGRTMAX; s++)
		if (sigismember(&sa.sa_mask, s) == 1 && !sigaction(s, NULL, &old) &&
		    !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL)
			sigaction(s, &sa, NULL);
	pthread_mutex_unlock(&outfile_mu);
}

/* With outfile_mu held. */
static bool input_has_locked(dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < ninputs; i++)
		if (inputs[i].dev == dev && inputs[i].ino == ino)
			return true;
	return false;
}

static bool input_has(dev_t dev, ino_t ino)
{
	pthread_mutex_lock(&outfile_mu);
	bool has = input_has_locked(dev, ino);
	pthread_mutex_unlock(&outfile_mu);
	return has;
}

static void input_add(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return;
	pthread_mutex_lock(&outfile_mu);
	if (!input_has_locked(st->st_dev, st->st_ino) && ninputs == inputs_cap) {
		size_t cap = inputs_cap ? inputs_cap * 2 : 16;
		struct input_id *n = realloc(inputs, cap * sizeof(*n));
		if (n) { /* else best effort: the check is a safety net, not a function */
			inputs = n;
			inputs_cap = cap;
		}
	}
	if (!input_has_locked(st->st_dev, st->st_ino) && ninputs < inputs_cap)
		inputs[ninputs++] = (struct input_id){st->st_dev, st->st_ino};
	pthread_mutex_unlock(&outfile_mu);
}

void outfile_note_input(int fd)
{
	struct stat st;
	if (fd >= 0 && !fstat(fd, &st))
		input_add(&st);
}

static void tmp_name(char *dst, size_t cap, const char *name)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static unsigned long long counter;
	unsigned char r[12];
	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		unsigned long long x = (unsigned long long)ts.tv_nsec ^ (unsigned long long)ts.tv_sec << 30 ^
				       (unsigned long long)getpid() << 44 ^ ++counter * 0x9e3779b97f4a7c15ULL;
		for (size_t i = 0; i < sizeof(r); i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			r[i] = (unsigned char)x;
		}
	}
	char suf[sizeof(r) + 1];
	for (size_t i = 0; i < sizeof(r); i++)
		suf[i] = al[r[i] % (sizeof(al) - 1)];
	suf[sizeof(r)] = 0;
	snprintf(dst, cap, ".%.200s.tmp.%s", name, suf);
}

static const char *kind_name(mode_t m)
{
	return S_ISBLK(m)    ? "block device"
	       : S_ISCHR(m)  ? "character device"
	       : S_ISFIFO(m) ? "FIFO"
	       : S_ISSOCK(m) ? "socket"
	       : S_ISDIR(m)  ? "directory"
			     : "special file";
}

/* Write straight into the character device or FIFO at name (no temporary). */
static int open_stream(struct outfile *o, int follow)
{
	int fd = openat(o->dirfd, o->name, O_WRONLY | O_NOCTTY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	struct stat st;
	if (fd < 0)
		return outfile_why(o, -errno, "%s", strerror(errno));
	if (fstat(fd, &st) || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
		close(fd);
		return outfile_why(o, -EAGAIN, "changed while being opened: refusing to write to it");
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		return -ENOMEM;
	}
	close(o->dirfd);
	o->dirfd = -1;
	return 0;
}

static int slot_take(struct outfile *o)
{
	int e = -EMFILE;
	pthread_mutex_lock(&outfile_mu);
	for (int i = 0; i < OUTFILE_SLOTS && e; i++)
		if (!slots[i].used) {
			slots[i].dirfd = o->dirfd;
			strcpy(slots[i].name, o->tmp);
			atomic_signal_fence(memory_order_seq_cst);
			slots[i].used = 1;
			o->slot = i;
			e = 0;
		}
	pthread_mutex_unlock(&outfile_mu);
	return e;
}

static void slot_release(struct outfile *o)
{
	pthread_mutex_lock(&outfile_mu);
	if (o->slot >= 0)
		slots[o->slot].used = 0;
	pthread_mutex_unlock(&outfile_mu);
	o->slot = -1;
}

/* The temporary beside name, with the mode (and owner) of st when the target exists. */
static int open_tmp(struct outfile *o, const struct stat *st)
{
	outfile_signals_install();
	int fd = -1, e = -EEXIST;
	for (int tries = 0; tries < 100 && e == -EEXIST; tries++) {
		sigset_t old;
		tmp_name(o->tmp, sizeof(o->tmp), o->name);
		sigs_block(&old);
		fd = openat(o->dirfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		e = fd < 0 ? -errno : slot_take(o);
		if (fd >= 0 && e) {
			close(fd);
			unlinkat(o->dirfd, o->tmp, 0);
			fd = -1;
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (fd < 0) {
		o->tmp[0] = 0;
		return outfile_why(o, e, "cannot create a temporary file beside it: %s", strerror(-e));
	}
	if (st) { /* keep the replaced file's owner (where allowed) and permission bits */
		if (st->st_uid != geteuid() || st->st_gid != getegid()) {
			int ignored = fchown(fd, st->st_uid, st->st_gid); /* EPERM: ours, same bits */
			(void)ignored;
		}
		fchmod(fd, st->st_mode & 07777);
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		outfile_abort(o);
		return -ENOMEM;
	}
	return 0;
}

/* o->dirfd and o->name are set: decide what the target is and open accordingly. may_stream:
 * a character device or FIFO is written into (a name the user gave); else it is refused (a
 * name mmreplay made inside a results directory is always a regular file). */
static int open_target(struct outfile *o, bool may_stream)
{
	struct stat st, t;
	if (fstatat(o->dirfd, o->name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno != ENOENT)
			return outfile_why(o, -errno, "%s", strerror(errno));
		int e = outfile_claim(o, NULL);
		if (e)
			return e;
		if ((e = open_tmp(o, NULL)))
			outfile_claim_update(o, NULL, true);
		return e;
	}
	if (S_ISLNK(st.st_mode)) {
		if (may_stream && !fstatat(o->dirfd, o->name, &t, 0) &&
		    (S_ISCHR(t.st_mode) || S_ISFIFO(t.st_mode)))
			return open_stream(o, 1);
		return outfile_why(
			o, -ELOOP,
			"is a symbolic link: refusing to replace it or write through it (remove it, "
			"or name the file it points to)");
	}
	if (may_stream && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
		return open_stream(o, 0);
	if (S_ISDIR(st.st_mode))
		return outfile_why(o, -EISDIR, "is a directory");
	if (!S_ISREG(st.st_mode))
		return outfile_why(o, -EPERM, "is a %s: refusing to write to it", kind_name(st.st_mode));
	if (input_has(st.st_dev, st.st_ino))
		return outfile_why(o, -EEXIST, "is an input of this run: refusing to write over it");
	int e = outfile_claim(o, &st);
	if (e)
		return e;
	if ((e = open_tmp(o, &st)))
		outfile_claim_update(o, NULL, true);
	return e;
}

static void outfile_init(struct outfile *o)
{
	o->f = NULL;
	o->dirfd = -1;
	o->slot = -1;
	o->name[0] = o->tmp[0] = o->path[0] = o->why[0] = 0;
}

static int open_finish(struct outfile *o, int fd, bool may_stream)
{
	if (fd < 0)
		return fd;
	o->dirfd = fd;
	int e = open_target(o, may_stream);
	if (e && o->dirfd >= 0) {
		close(o->dirfd);
		o->dirfd = -1;
	}
	return e;
}

int outfile_open(struct outfile *o, const char *path)
{
	outfile_init(o);
	diag_escape(o->path, sizeof(o->path), path);
	if (strlen(path) >= PATH_MAX)
		return outfile_why(o, -ENAMETOOLONG, "file name too long");
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (!outfile_plain_name(base, strlen(base)))
		return outfile_why(o, -EISDIR, "names a directory, not a file");
	char dir[PATH_MAX];
	size_t dl = slash ? (size_t)(slash - path) : 0;
	if (slash == path)
		dl = 1; /* "/name" */
	memcpy(dir, path, dl);
	dir[dl] = 0;
	int fd = outfile_dir_root(o, dir);
	if (fd >= 0)
		fd = outfile_dir_walk(o, fd, base, o->name);
	return open_finish(o, fd, true);
}

int outfile_open_in(struct outfile *o, const char *root, const char *rel)
{
	char full[PATH_MAX + NAME_MAX + 2];
	outfile_init(o);
	snprintf(full, sizeof(full), "%s/%s", root, rel);
	diag_escape(o->path, sizeof(o->path), full);
	if (strlen(root) + strlen(rel) + 1 >= PATH_MAX)
		return outfile_why(o, -ENAMETOOLONG, "file name too long");
	int fd = outfile_dir_root(o, root);
	if (fd >= 0)
		fd = outfile_dir_walk(o, fd, rel, o->name);
	return open_finish(o, fd, false);
}

int outfile_mkdirs(const char *root, const char *rel)
{
	struct outfile o;
	outfile_init(&o);
	int fd = outfile_dir_root(&o, root);
	if (fd >= 0 && rel && *rel) {
		char path[PATH_MAX + 2];
		snprintf(path, sizeof(path), "%s/x", rel); /* every component of rel is a directory */
		fd = outfile_dir_walk(&o, fd, path, o.name);
	}
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int outfile_commit(struct outfile *o)
{
	if (!o->f)
		return -EBADF;
	int e = fflush(o->f) ? -errno : ferror(o->f) ? -EIO : 0;
	if (o->f == stdout) {
		clearerr(stdout); /* reported here, through the caller: not again at exit */
		o->f = NULL;
		return e ? outfile_why(o, e, "write error: %s", strerror(-e)) : 0;
	}
	if (fclose(o->f) && !e)
		e = -errno;
	o->f = NULL;
	if (e)
		outfile_why(o, e, "write error: %s", strerror(-e));
	if (!o->tmp[0]) /* streamed */
		return e;
	struct stat st; /* what is at the target now (an input may have been read since open) */
	if (!e && !fstatat(o->dirfd, o->name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (!S_ISREG(st.st_mode))
			e = outfile_why(o, -EEXIST, "became a %s while being written: not replaced",
					S_ISLNK(st.st_mode) ? "symbolic link" : kind_name(st.st_mode));
		else if (input_has(st.st_dev, st.st_ino))
			e = outfile_why(o, -EEXIST, "is an input of this run: refusing to write over it");
	}
	sigset_t old;
	sigs_block(&old);
	if (!e && renameat(o->dirfd, o->tmp, o->dirfd, o->name))
		e = outfile_why(o, -errno, "rename into place: %s", strerror(errno));
	if (e)
		unlinkat(o->dirfd, o->tmp, 0);
	slot_release(o);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (e)
		outfile_claim_update(o, NULL, true);
	else if (!fstatat(o->dirfd, o->name, &st, AT_SYMLINK_NOFOLLOW))
		outfile_claim_update(o, &st, false);
	close(o->dirfd);
	o->dirfd = -1;
	o->tmp[0] = 0;
	return e;
}

void outfile_abort(struct outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	else if (o->f) {
		fflush(o->f);
		clearerr(o->f); /* the caller reports the failure that made it abort */
	}
	o->f = NULL;
	if (o->dirfd >= 0) {
		sigset_t old;
		if (o->tmp[0])
			outfile_claim_update(o, NULL, true);
		sigs_block(&old);
		if (o->tmp[0])
			unlinkat(o->dirfd, o->tmp, 0);
		slot_release(o);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(o->dirfd);
	}
	o->dirfd = -1;
	o->tmp[0] = 0;
}
