/* The directories of output files (outfile.h): the part a user names is resolved as usual,
 * every directory created here or walked below a root is opened with O_NOFOLLOW. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/outfile_priv.h"

/* Create (when missing) and open directory comp in fd, never through a symlink. Consumes fd;
 * returns the new descriptor or -errno. */
static int subdir(struct outfile *o, int fd, const char *comp)
{
	struct stat st;
	if (mkdirat(fd, comp, 0777) && errno != EEXIST) {
		int e = -errno;
		close(fd);
		return outfile_why(o, e, "cannot create directory %s: %s", comp, strerror(-e));
	}
	int nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), e = -errno;
	if (nfd < 0 && !fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
		e = -ELOOP; /* O_DIRECTORY reports a symlink as ENOTDIR */
	close(fd);
	if (nfd < 0)
		return outfile_why(o, e, "%s: %s", comp,
				   e == -ELOOP ? "is a symbolic link: refusing to follow it" : strerror(-e));
	return nfd;
}

/* Open dir (created when missing): the parts that exist are followed as usual (the user named
 * them); the parts created here are opened with O_NOFOLLOW. A descriptor, or -errno. */
int outfile_dir_root(struct outfile *o, const char *dir)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir), cut[PATH_MAX / 2], ncut = 0; /* cut: components to create, last first */
	if (n >= sizeof(buf))
		return outfile_why(o, -ENAMETOOLONG, "directory name too long");
	memcpy(buf, dir, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = 0;
	int fd;
	for (;;) {
		fd = open(n ? buf : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno != ENOENT || !n)
			return outfile_why(o, -errno, "directory %s: %s", n ? buf : ".", strerror(errno));
		char *slash = strrchr(buf, '/');
		if (!slash) {
			cut[ncut++] = 0;
			n = 0; /* buf keeps the component; the next round opens "." */
			continue;
		}
		cut[ncut++] = (size_t)(slash - buf) + 1;
		if (slash == buf) {
			fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				return -errno;
			break;
		}
		for (n = (size_t)(slash - buf); n > 1 && buf[n - 1] == '/'; n--)
			;
		memset(buf + n, 0, (size_t)(slash - buf) - n + 1);
	}
	for (size_t i = ncut; i-- > 0;) {
		const char *comp = buf + cut[i];
		if (!*comp)
			continue;
		if ((fd = subdir(o, fd, comp)) < 0)
			return fd;
	}
	return fd;
}

/* A plain name: not empty, not "." or "..", no '/'. */
bool outfile_plain_name(const char *s, size_t n)
{
	return n && n <= NAME_MAX && memchr(s, '/', n) == NULL && !(n == 1 && s[0] == '.') &&
	       !(n == 2 && s[0] == '.' && s[1] == '.');
}

/* From directory fd, create and enter each directory of rel (all but its last component),
 * never following a symlink; the last component goes to name. Consumes fd. */
int outfile_dir_walk(struct outfile *o, int fd, const char *rel, char *name)
{
	const char *p = rel;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char comp[NAME_MAX + 1];
		if (!outfile_plain_name(p, n)) {
			close(fd);
			return outfile_why(o, -EINVAL,
					   "not a plain file name (an empty part, '.', '..' or too long)");
		}
		memcpy(comp, p, n);
		comp[n] = 0;
		if (!slash) {
			strcpy(name, comp);
			return fd;
		}
		if ((fd = subdir(o, fd, comp)) < 0)
			return fd;
		p = slash + 1;
	}
}
