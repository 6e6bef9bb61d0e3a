/* The hostile-input runner's sandbox (tests/test_hostile*.c): a fresh directory holding in/
 * (the corpus of tests/hostile/ and hostile names made at run time), out/ (the one place a
 * command may write) and cwd/ (where commands run, which must stay empty). hb_run() runs one
 * mmreplay command there and asserts what every run must keep:
 * - an exit status the case allows, and no timeout;
 * - on failure (exit 1), messages on stderr of one line each, "mmreplay CMD: reason" (the reason
 *   holding FILE:LINE where an input is at fault); on any exit, no sanitizer report and no control
 *   byte on stderr;
 * - no file outside out/ created, removed or changed (size, mode, mtime, inode), and cwd/
 *   empty (a command injected through gnuplot or a shell would leave a file there). */
#ifndef HOSTILE_BOX_H
#define HOSTILE_BOX_H

#include <criterion/criterion.h>
#include <ftw.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/spawn_cmd.h"

#define HOSTILE_DIR MMREPLAY_SOURCE_DIR "/tests/hostile"
#define HB_0 (1u << 0)
#define HB_1 (1u << 1)
#define HB_2 (1u << 2)

static char hb_root[128], hb_in[160], hb_out[160], hb_cwd[160];

/* hb_path(buf, "in", name): hb_root/in/name */
static inline const char *hb_path(char *buf, size_t len, const char *sub, const char *name)
{
	snprintf(buf, len, "%s/%s/%s", hb_root, sub, name);
	return buf;
}

static inline void hb_copy(const char *from, const char *to)
{
	cr_assert_eq(SPAWN_STATUS(NULL, "cp", "--", from, to), 0, "cp %s %s", from, to);
}

static inline void hb_setup(void)
{
	strcpy(hb_root, "/tmp/mmreplay-hostile-XXXXXX");
	cr_assert(mkdtemp(hb_root));
	snprintf(hb_in, sizeof(hb_in), "%s/in", hb_root);
	snprintf(hb_out, sizeof(hb_out), "%s/out", hb_root);
	snprintf(hb_cwd, sizeof(hb_cwd), "%s/cwd", hb_root);
	cr_assert(!mkdir(hb_in, 0755) && !mkdir(hb_out, 0755) && !mkdir(hb_cwd, 0755));
	cr_assert_eq(SPAWN_STATUS(NULL, "cp", "-r", "--", HOSTILE_DIR "/.", hb_in), 0);
}

static inline void hb_teardown(void)
{
	if (hb_root[0])
		SPAWN_STATUS(NULL, "rm", "-rf", "--", hb_root);
}

/* --- snapshot of everything under hb_root but out/ --- */
static char *hb_snap_buf;
static size_t hb_snap_len, hb_snap_cap;

static int hb_snap_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	size_t ol = strlen(hb_out);
	if (!strncmp(path, hb_out, ol) && (path[ol] == '/' || !path[ol]))
		return 0;
	char line[4400];
	int n = snprintf(line, sizeof(line), "%s|%o|%lld|%lld.%09ld|%llu\n", path, st->st_mode,
			 (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
			 (unsigned long long)st->st_ino);
	if (S_ISDIR(st->st_mode)) /* a directory's mtime moves when out/ gains files: ignore it */
		n = snprintf(line, sizeof(line), "%s|%o|dir\n", path, st->st_mode);
	if (hb_snap_len + (size_t)n + 1 > hb_snap_cap) {
		hb_snap_cap = (hb_snap_cap + (size_t)n + 1) * 2;
		hb_snap_buf = realloc(hb_snap_buf, hb_snap_cap);
	}
	memcpy(hb_snap_buf + hb_snap_len, line, (size_t)n + 1);
	hb_snap_len += (size_t)n;
	return 0;
}

/* malloc'd text, one line per file, in walk order (the same order for the same tree) */
static inline char *hb_snapshot(void)
{
	hb_snap_buf = NULL;
	hb_snap_len = hb_snap_cap = 0;
	cr_assert_eq(nftw(hb_root, hb_snap_one, 16, FTW_PHYS), 0);
	return hb_snap_buf ? hb_snap_buf : calloc(1, 1);
}

static inline bool hb_dir_empty(const char *dir)
{
	struct spawn_res r = SPAWN(NULL, "ls", "-A", "--", dir);
	bool empty = r.status == 0 && r.out_len == 0;
	spawn_res_free(&r);
	return empty;
}

/* Valid UTF-8 with no control character (C0 but tab and newline, DEL, C1): what a terminal
 * shows as text and nothing else. */
static inline bool hb_printable(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p, n = c < 0x80		      ? 1
				     : c >= 0xc2 && c <= 0xdf ? 2
				     : c >= 0xe0 && c <= 0xef ? 3
				     : c >= 0xf0 && c <= 0xf4 ? 4
							      : 0;
		if (!n)
			return false;
		unsigned cp = n == 1 ? c : c & (0x3f >> (n - 1));
		for (unsigned i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp < 0xa0))
			return false;
		p += n;
	}
	return true;
}

/* A failure's messages: at least one, each one line "mmreplay CMD: reason"; the only other
 * lines allowed are the graph listing a suite writes to stderr ("graphs:", "  NAME.png ..."). */
static inline void hb_check_message(const char *err, const char *what)
{
	regex_t re;
	cr_assert_eq(regcomp(&re, "^(mmreplay( [a-z_-]+)*: .+|graphs:|  [^ ].*)$", REG_EXTENDED | REG_NOSUB),
		     0);
	char *copy = strdup(err);
	int msgs = 0;
	for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cr_assert_eq(regexec(&re, l, 0, NULL, 0), 0, "%s: message shape: '%s'", what, l);
		msgs += !strncmp(l, "mmreplay", 8);
	}
	cr_assert_geq(msgs, 1, "%s: no message on stderr:\n%s", what, err);
	free(copy);
	regfree(&re);
}

/* Run mmreplay argv[1..] in cwd/ and check the rules above; allowed: HB_0 | HB_1 | HB_2.
 * Returns the result (the caller frees it). */
static inline struct spawn_res hb_run_v(unsigned allowed, const char *out_path, const char *const *argv)
{
	char what[512];
	size_t n = 0;
	for (int i = 1; argv[i] && n < sizeof(what) - 1; i++)
		n += (size_t)snprintf(what + n, sizeof(what) - n, "%s%s", i > 1 ? " " : "", argv[i]);
	char *before = hb_snapshot();
	struct spawn_opts o = {.cwd = hb_cwd, .out_path = out_path, .timeout_s = 300};
	struct spawn_res r = spawn_v(argv, &o);
	cr_assert(!r.timed_out, "%s: timed out", what);
	cr_assert(r.status >= 0 && r.status < 3 && (allowed & (1u << r.status)), "%s: exit %d\n%s", what,
		  r.status, r.err);
	cr_assert(!strstr(r.err, "Sanitizer") && !strstr(r.err, "runtime error"), "%s:\n%s", what, r.err);
	cr_assert(hb_printable(r.err), "%s: control bytes on stderr: %s", what, r.err);
	if (r.status == 1)
		hb_check_message(r.err, what);
	char *after = hb_snapshot();
	cr_assert_str_eq(after, before, "%s: files outside out/ changed", what);
	cr_assert(hb_dir_empty(hb_cwd), "%s: files appeared in the working directory", what);
	free(before);
	free(after);
	return r;
}

#define HB_RUN(allowed, ...) hb_run_v(allowed, NULL, SPAWN_ARGV(spawn_mmreplay(), __VA_ARGS__))
#define HB_RUN_TO(allowed, out_path, ...)                                                                    \
	hb_run_v(allowed, out_path, SPAWN_ARGV(spawn_mmreplay(), __VA_ARGS__))
/* Run and free. */
#define HB_CHECK(allowed, ...)                                                                               \
	do {                                                                                                 \
		struct spawn_res r_ = HB_RUN(allowed, __VA_ARGS__);                                          \
		spawn_res_free(&r_);                                                                         \
	} while (0)

static inline bool hb_have_gnuplot(void)
{
	return SPAWN_STATUS(NULL, "gnuplot", "--version") == 0;
}

#endif
