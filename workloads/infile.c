#include "workloads/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/outfile.h"

static const char *kind_name(mode_t m)
{
	return S_ISFIFO(m)   ? "a FIFO"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISDIR(m)  ? "a directory"
			     : "not a regular file";
}

/* Why open() failed, in words that say what is at the path. */
static int open_error(const char *path, int e, struct mm_diag *d)
{
	struct stat st;
	if (e == ELOOP)
		return diag_set(d, path, 0, "cannot open: a symbolic link loop"), -e;
	if (e == ENOENT && !lstat(path, &st) && S_ISLNK(st.st_mode))
		return diag_set(d, path, 0, "cannot open: a dangling symbolic link"), -e;
	diag_set(d, path, 0, "cannot open: %s", strerror(e));
	return -e;
}

int infile_open(const char *path, enum infile_kind kind, struct mm_diag *d)
{
	/* a regular-only input never waits for a FIFO's writer: opened non-blocking, then checked */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (kind == INFILE_REGULAR ? O_NONBLOCK : 0));
	if (fd < 0)
		return open_error(path, errno, d);
	struct stat st;
	if (fstat(fd, &st)) {
		int e = errno;
		close(fd);
		diag_set(d, path, 0, "cannot stat: %s", strerror(e));
		return -e;
	}
	if (S_ISDIR(st.st_mode) || (kind == INFILE_REGULAR && !S_ISREG(st.st_mode))) {
		close(fd);
		diag_set(d, path, 0, "is %s, not a regular file", kind_name(st.st_mode));
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (kind == INFILE_REGULAR && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		int e = errno;
		close(fd);
		diag_set(d, path, 0, "cannot open: %s", strerror(e));
		return -e;
	}
	if (kind != INFILE_OWN)
		outfile_note_input(fd); /* no output of this run may replace it */
	return fd;
}

FILE *infile_fopen(const char *path, enum infile_kind kind, struct mm_diag *d)
{
	int fd = infile_open(path, kind, d);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		int e = errno;
		close(fd);
		diag_set(d, path, 0, "cannot open: %s", strerror(e));
		errno = e;
	}
	return f;
}

int infile_check(const char *path, enum infile_kind kind, struct mm_diag *d)
{
	struct stat st;
	if (lstat(path, &st) && errno == ENOENT) {
		diag_set(d, path, 0, "no such file");
		return -ENOENT;
	}
	int fd = infile_open(path, kind, d);
	if (fd < 0)
		return fd == -ENOENT ? -EIO : fd; /* there, but not to be read: never "absent" */
	close(fd);
	return 0;
}

void infile_note(int fd)
{
	outfile_note_input(fd);
}
