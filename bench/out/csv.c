#include "csv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mkdir_p(const char *dir)
{
	char buf[4096];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0777) && errno != EEXIST)
		return -errno;
	return 0;
}

int csv_open(struct csv *c, const char *path)
{
	if (strlen(path) >= sizeof(c->path))
		return -ENAMETOOLONG;
	strcpy(c->path, path);
	char dir[4096];
	strcpy(dir, path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		int err = mkdir_p(dir);
		if (err)
			return err;
	}
	snprintf(c->tmp, sizeof(c->tmp), "%s.tmp.%ld", path, (long)getpid());
	c->f = fopen(c->tmp, "w");
	return c->f ? 0 : -errno;
}

int csv_commit(struct csv *c)
{
	int err = 0;
	if (fflush(c->f) || ferror(c->f))
		err = -EIO;
	if (fclose(c->f) && !err)
		err = -errno;
	c->f = NULL;
	if (!err && rename(c->tmp, c->path))
		err = -errno;
	if (err)
		unlink(c->tmp);
	return err;
}

void csv_abort(struct csv *c)
{
	if (c->f)
		fclose(c->f);
	c->f = NULL;
	unlink(c->tmp);
}
