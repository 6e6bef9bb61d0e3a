#include "workloads/trace/spillfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

static _Atomic u64 spill_max = SPILLFILE_MAX_DEFAULT;

void spillfile_set_max(u64 bytes)
{
	atomic_store(&spill_max, bytes);
}

u64 spillfile_max(void)
{
	return atomic_load(&spill_max);
}

int spillfile_create(const char *dir, struct mm_diag *d)
{
	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		diag_set(d, dir, 0, "cannot create a spill file: %s", strerror(e));
		return -e;
	}
	return fd;
}

int spillfile_reserve(int fd, u64 *used, size_t n)
{
	u64 before = *used, max = spillfile_max();
	if (n > max || before > max - n)
		return -EFBIG;
	/* the free space, checked as each step of SPILLFILE_STEP bytes starts */
	if (!before || before / SPILLFILE_STEP != (before + n) / SPILLFILE_STEP) {
		struct statvfs sv;
		if (!fstatvfs(fd, &sv) &&
		    (u64)sv.f_bavail * sv.f_frsize < SPILLFILE_STEP + SPILLFILE_KEEP_FREE)
			return -ENOSPC;
	}
	*used = before + n;
	if (before < SPILLFILE_ANNOUNCE && *used >= SPILLFILE_ANNOUNCE)
		fprintf(stderr,
			"mmreplay: a spill file has passed %llu GiB (bounded by spill-max %llu MiB: "
			"--spill-max)\n",
			(unsigned long long)(SPILLFILE_ANNOUNCE >> 30), (unsigned long long)(max >> 20));
	return 0;
}

struct spill_cookie {
	int fd;
	u64 used;
};

static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
	struct spill_cookie *s = c;
	int e = spillfile_reserve(s->fd, &s->used, n);
	if (e) {
		errno = -e;
		return -1;
	}
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(s->fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return done ? (ssize_t)done : -1;
		done += (size_t)w;
	}
	return (ssize_t)done;
}

static int cookie_close(void *c)
{
	struct spill_cookie *s = c;
	int r = close(s->fd);
	free(s);
	return r;
}

FILE *spillfile_writer(int fd)
{
	struct spill_cookie *s = malloc(sizeof(*s));
	if (!s)
		return NULL;
	s->fd = dup(fd);
	s->used = 0;
	FILE *f = s->fd >= 0
			  ? fopencookie(s, "wb",
					(cookie_io_functions_t){.write = cookie_write, .close = cookie_close})
			  : NULL;
	if (!f) {
		int e = errno;
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		errno = e;
	}
	return f;
}

const char *spillfile_why(int err, char *buf, size_t len)
{
	if (err == EFBIG)
		snprintf(buf, len,
			 "the spill file would grow past spill-max %llu MiB: raise it with --spill-max",
			 (unsigned long long)(spillfile_max() >> 20));
	else if (err == ENOSPC)
		snprintf(buf, len,
			 "its file system would have less than %llu MiB free (set TMPDIR elsewhere)",
			 (unsigned long long)((SPILLFILE_STEP + SPILLFILE_KEEP_FREE) >> 20));
	else
		snprintf(buf, len, "%s", strerror(err ? err : EIO));
	return buf;
}
