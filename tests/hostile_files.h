/* Paths in the hostile-input sandbox (hostile_box.h) and the checks the hostile tests share:
 * in("x") and out("x") name files of in/ and out/ (eight buffers in turn, so a call may hold
 * several), hb_rec_copy() copies a bundled recording into in/, hb_refused() asserts a failure
 * says why, hb_slurp()/hb_spit() read and write a whole file. */
#ifndef HOSTILE_FILES_H
#define HOSTILE_FILES_H

#include "tests/hostile_box.h"

static inline const char *in(const char *name)
{
	static char buf[8][600];
	static int k;
	k = (k + 1) % 8;
	return hb_path(buf[k], sizeof(buf[k]), "in", name);
}

static inline const char *out(const char *name)
{
	static char buf[8][600];
	static int k;
	k = (k + 1) % 8;
	return hb_path(buf[k], sizeof(buf[k]), "out", name);
}

/* in/NAME: a copy of the bundled recording data/recordings/REC */
static inline const char *hb_rec_copy(const char *rec, const char *name)
{
	static char dir[600], from[600];
	snprintf(dir, sizeof(dir), "%s", in(name));
	snprintf(from, sizeof(from), "%s/recordings/%s", MMREPLAY_DATA_DIR, rec);
	cr_assert_eq(SPAWN_STATUS(NULL, "cp", "-r", "--", from, dir), 0);
	return dir;
}

/* The run's stderr says why (and hb_run checked its exit status and the sandbox). */
static inline void hb_refused(struct spawn_res r, const char *why)
{
	cr_assert(strstr(r.err, why), "expected '%s':\n%s", why, r.err);
	spawn_res_free(&r);
}

/* A whole file, NUL-terminated (free it). */
static inline char *hb_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[65536];
	for (size_t n; (n = fread(chunk, 1, sizeof(chunk), f));)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

static inline void hb_spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

#endif
