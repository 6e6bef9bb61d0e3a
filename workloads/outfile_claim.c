/* The outputs of this run (outfile.h): every regular file a run writes is claimed when it is
 * opened, by its directory's device and inode and its name, and by its own device and inode
 * where it exists already; a second output on the same file is refused, so two outputs of one
 * run never end in one file with the other lost (`replay --out X --snapshots-out X` kept the
 * snapshot rows only). An aborted output gives its claim back; a committed one keeps it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "workloads/outfile_priv.h"

struct claim {
	dev_t ddev, dev;
	ino_t dino, ino;
	bool has_file; /* dev and ino are the file's (it existed, or was committed) */
	bool live;     /* not given back */
	char name[NAME_MAX + 1];
};

static pthread_mutex_t claim_mu = PTHREAD_MUTEX_INITIALIZER;
static struct claim *claims;
static size_t nclaims, claims_cap;

static bool claim_same(const struct claim *c, const struct claim *k)
{
	return c->live && ((c->ddev == k->ddev && c->dino == k->dino && !strcmp(c->name, k->name)) ||
			   (c->has_file && k->has_file && c->dev == k->dev && c->ino == k->ino));
}

/* The claim of o's target; false when its directory cannot be stat'ed. */
static bool claim_of(const struct outfile *o, const struct stat *st, struct claim *k)
{
	struct stat d;
	if (fstat(o->dirfd, &d))
		return false;
	memset(k, 0, sizeof(*k));
	k->ddev = d.st_dev;
	k->dino = d.st_ino;
	snprintf(k->name, sizeof(k->name), "%s", o->name);
	if (st) {
		k->has_file = true;
		k->dev = st->st_dev;
		k->ino = st->st_ino;
	}
	k->live = true;
	return true;
}

int outfile_claim(struct outfile *o, const struct stat *st)
{
	struct claim k;
	int e = 0;
	if (!claim_of(o, st, &k))
		return 0; /* best effort: the check is a safety net */
	pthread_mutex_lock(&claim_mu);
	for (size_t i = 0; i < nclaims && !e; i++)
		if (claim_same(&claims[i], &k))
			e = -EEXIST;
	if (!e && nclaims == claims_cap) {
		size_t cap = claims_cap ? claims_cap * 2 : 16;
		struct claim *n = realloc(claims, cap * sizeof(*n));
		if (n) {
			claims = n;
			claims_cap = cap;
		}
	}
	if (!e && nclaims < claims_cap)
		claims[nclaims++] = k;
	pthread_mutex_unlock(&claim_mu);
	if (e)
		return outfile_why(o, e,
				   "is already an output of this run: refusing a second output to it "
				   "(one of them would be lost)");
	return 0;
}

void outfile_claim_update(const struct outfile *o, const struct stat *st, bool give_back)
{
	struct claim k;
	if (!claim_of(o, NULL, &k))
		return;
	pthread_mutex_lock(&claim_mu);
	for (size_t i = 0; i < nclaims; i++)
		if (claim_same(&claims[i], &k)) {
			if (give_back) {
				claims[i].live = false;
			} else if (st) {
				claims[i].has_file = true;
				claims[i].dev = st->st_dev;
				claims[i].ino = st->st_ino;
			}
			break;
		}
	pthread_mutex_unlock(&claim_mu);
}

void outfile_new_run(void)
{
	pthread_mutex_lock(&claim_mu);
	nclaims = 0;
	pthread_mutex_unlock(&claim_mu);
}

/* path's directory part resolved and its last component, into buf: false when the directory
 * cannot be resolved (it does not exist yet). */
static bool normalised(const char *path, char *buf, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof(tmp))
		return false;
	memcpy(tmp, path, n + 1);
	while (n > 1 && tmp[n - 1] == '/')
		tmp[--n] = 0;
	char *slash = strrchr(tmp, '/');
	const char *base = slash ? slash + 1 : tmp;
	if (slash == tmp)
		snprintf(dir, sizeof(dir), "/");
	else if (slash && (*slash = 0, !realpath(tmp, dir)))
		return false;
	else if (!slash && !realpath(".", dir))
		return false;
	return (size_t)snprintf(buf, len, "%s/%s", dir, base) < len;
}

static bool is_null_device(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 3;
}

bool outfile_same_target(const char *a, const char *b)
{
	struct stat sa, sb;
	if (!strcmp(a, "-") || !strcmp(b, "-"))
		return !strcmp(a, b);
	bool ea = !stat(a, &sa), eb = !stat(b, &sb);
	if ((ea && is_null_device(&sa)) || (eb && is_null_device(&sb)))
		return false;
	if (ea && eb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
		return true;
	char na[PATH_MAX + NAME_MAX + 2], nb[PATH_MAX + NAME_MAX + 2];
	if (normalised(a, na, sizeof(na)) && normalised(b, nb, sizeof(nb)))
		return !strcmp(na, nb);
	return !strcmp(a, b);
}
