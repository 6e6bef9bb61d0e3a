/* Hardening habits that keep the hostile-input fixes fixed:
 * - no system()/popen() anywhere, nor a shell outside tests/spawn_cmd.h (the source is read);
 * - diag.c escapes what an input puts in a message; errout.c filters stderr;
 * - nr_lazy = 2^64-1 in a trace saturates the model's lazy counter instead of wrapping;
 * - suite --list-jobs quotes for a POSIX shell;
 * - every file read is opened by workloads/infile.c (the source is read). */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/diag.h"
#include "bench/output/errout.h"
#include "bench/run/feed.h"
#include "bench/run/replay.h"
#include "bench/output/shell.h"
#include "workloads/trace/spillfile.h"
#include "tests/spawn_cmd.h"
#include "workloads/trace/trace.h"

/* --- the source has no shell command built from strings --- */

/* The one allowed place: the helper that runs sh for tests. */
static const char *const allowed[] = {"tests/spawn_cmd.h"};
static char offenders[8192];

/* text with comments and string/char literals blanked, so only code is searched */
static void strip(char *s)
{
	enum { CODE, LINE, BLOCK, STR, CHR } st = CODE;
	for (char *p = s; *p; p++) {
		char c = *p, n = p[1];
		switch (st) {
		case CODE:
			if (c == '/' && n == '/')
				st = LINE;
			else if (c == '/' && n == '*')
				st = BLOCK;
			else if (c == '"')
				st = STR;
			else if (c == '\'')
				st = CHR;
			continue;
		case LINE:
			if (c == '\n')
				st = CODE;
			break;
		case BLOCK:
			if (c == '*' && n == '/')
				*p++ = ' ', st = CODE;
			break;
		case STR:
		case CHR:
			if (c == '\\' && n)
				*p++ = ' ';
			else if (c == (st == STR ? '"' : '\''))
				st = CODE;
			break;
		}
		if (*p != '\n')
			*p = ' ';
	}
}

static bool word_call(const char *text, const char *name)
{
	size_t l = strlen(name);
	for (const char *p = text; (p = strstr(p, name)); p += l) {
		char before = p == text ? ' ' : p[-1];
		const char *q = p + l;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '(' && !(before == '_' || (before >= 'a' && before <= 'z') ||
				   (before >= 'A' && before <= 'Z') || (before >= '0' && before <= '9')))
			return true;
	}
	return false;
}

/* --- inputs are opened in one place (workloads/infile.c) --- */

/* Files that open what they read themselves: infile.c, and the recorder's snapshot helper,
 * which reads the live /proc of the machine being recorded (not an input of a run). */
static const char *const input_openers[] = {"workloads/infile.c", "workloads/record/machine_snap.c"};
static char input_offenders[8192];

/* A call in code (stripped) that opens a file for reading, judged by its arguments in the
 * original text (strip keeps offsets): fopen with an "r" mode, open/openat with O_RDONLY or
 * O_RDWR but not a directory or an O_TMPFILE, access(R_OK), ini_parse() (libinih would open the path itself).
 */
static bool opens_input(const char *orig, const char *code)
{
	static const char *const names[] = {"fopen", "open", "openat", "access", "faccessat", "ini_parse"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t l = strlen(names[i]);
		for (const char *p = code; (p = strstr(p, names[i])); p += l) {
			if (!word_call(p, names[i]) ||
			    (p > code && (p[-1] == '_' || p[-1] == '.' || p[-1] == '>' ||
					  (p[-1] >= 'a' && p[-1] <= 'z'))))
				continue;
			const char *a = orig + (p - code), *end = strchr(a, ')');
			char args[512];
			snprintf(args, sizeof(args), "%.*s", (int)(end ? end - a : 0), a);
			if (i >= 3) /* access(F_OK) asks whether a name exists, not to read it */
				return i == 5 || strstr(args, "R_OK");
			if (i == 0 ? strstr(args, "\"r") != NULL
				   : (strstr(args, "O_RDONLY") || strstr(args, "O_RDWR")) &&
					     !strstr(args, "O_DIRECTORY") && !strstr(args, "O_TMPFILE") &&
					     !strstr(args, "O_PATH"))
				return true;
		}
	}
	return false;
}

static int scan_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	size_t l = strlen(path);
	if (flag != FTW_F || l < 2 || path[l - 2] != '.' || (path[l - 1] != 'c' && path[l - 1] != 'h'))
		return 0;
	const char *rel = path + strlen(MMREPLAY_SOURCE_DIR) + 1;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (!strcmp(rel, allowed[i]))
			return 0;
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	char *text = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&text, &cap, 0, f);
	fclose(f);
	if (n <= 0) {
		free(text);
		return 0;
	}
	bool sh = strstr(text, "\"/bin/sh\"") != NULL; /* a shell spawned by hand */
	char *orig = strdup(text);
	cr_assert_not_null(orig);
	strip(text);
	bool opener = false;
	for (size_t i = 0; i < sizeof(input_openers) / sizeof(input_openers[0]); i++)
		opener |= !strcmp(rel, input_openers[i]);
	if (strncmp(rel, "tests/", 6) && !opener && opens_input(orig, text)) {
		size_t o = strlen(input_offenders);
		snprintf(input_offenders + o, sizeof(input_offenders) - o, " %s", rel);
	}
	free(orig);
	if (word_call(text, "system") || word_call(text, "popen") || sh) {
		size_t o = strlen(offenders);
		snprintf(offenders + o, sizeof(offenders) - o, " %s", rel);
	}
	free(text);
	return 0;
}

Test(hardening, no_shell_commands_in_the_source)
{
	static const char *const rooms[] = {"core", "workloads", "bench", "tests"};
	for (size_t i = 0; i < sizeof(rooms) / sizeof(rooms[0]); i++) {
		char root[512];
		snprintf(root, sizeof(root), "%s/%s", MMREPLAY_SOURCE_DIR, rooms[i]);
		cr_assert_eq(nftw(root, scan_one, 16, FTW_PHYS), 0);
	}
	cr_assert_str_eq(offenders, "", "system()/popen()/sh outside spawn_cmd.h in:%s", offenders);
	/* every input is opened by workloads/infile.c, which registers it (no output replaces it) */
	cr_assert_str_eq(input_offenders, "", "files opened for reading outside infile.c in:%s",
			 input_offenders);
	/* the scanner finds what it must, and not in comments or strings */
	char bad[] = "x = popen (cmd, \"r\"); /* system(x) */ s = \"system(y)\"; my_system(z);";
	strip(bad);
	cr_assert(word_call(bad, "popen"));
	cr_assert(!word_call(bad, "system"));
	/* the input scanner: reads found, writes, directories and spills not */
	static const char *const reads[] = {"f = fopen(p, \"r\");", "fd = open(p, O_RDONLY);",
					    "access(p, R_OK)", "ini_parse(path, h, u)",
					    "openat(d, n, O_RDWR | O_CLOEXEC)"};
	static const char *const others[] = {"f = fopen(p, \"w\");", "infile_open(p, k, d)",
					     "open(d, O_TMPFILE | O_RDWR, 0600)",
					     "openat(fd, c, O_RDONLY | O_DIRECTORY)", "x.open(y)"};
	for (size_t i = 0; i < 5; i++) {
		char o[128], c[128];
		snprintf(o, sizeof(o), "%s", reads[i]);
		snprintf(c, sizeof(c), "%s", reads[i]);
		strip(c);
		cr_assert(opens_input(o, c), "%s", reads[i]);
		snprintf(o, sizeof(o), "%s", others[i]);
		snprintf(c, sizeof(c), "%s", others[i]);
		strip(c);
		cr_assert(!opens_input(o, c), "%s", others[i]);
	}
}

/* --- messages --- */

Test(hardening, diag_escapes_control_bytes)
{
	struct mm_diag d;
	diag_set(&d, "f\nile", 3, "bad '%s'", "a\x1b]0;t\x07\tb\r\x7f\xc2\x9b\xff\xc3\xa9");
	cr_assert_str_eq(d.msg, "f\\nile:3: bad 'a\\x1b]0;t\\x07\\tb\\r\\x7f\\xc2\\x9b\\xff\xc3\xa9'");
	/* truncation never cuts an escape or a character */
	char small[8];
	diag_escape(small, sizeof(small), "ab\x01\x02");
	cr_assert_str_eq(small, "ab\\x01");
	diag_escape(small, sizeof(small), "abcdef\xc3\xa9");
	cr_assert_str_eq(small, "abcdef");
}

static char *filter_all(const char *const *chunks, size_t n)
{
	static char out[512];
	unsigned char carry[4];
	size_t nc = 0, len = 0;
	for (size_t i = 0; i < n; i++)
		len += errout_filter((const unsigned char *)chunks[i], strlen(chunks[i]), carry, &nc, false,
				     out + len);
	len += errout_filter(NULL, 0, carry, &nc, true, out + len);
	out[len] = 0;
	return out;
}

Test(hardening, stderr_filter_keeps_text_and_escapes_controls)
{
	const char *one[] = {
		"ok caf\xc3\xa9 \xe2\x82\xac\n\t\x1b[2J\x9b\xc2\x9b\xed\xa0\x80\xf4\x90\x80\x80"};
	cr_assert_str_eq(filter_all(one, 1), "ok caf\xc3\xa9 \xe2\x82\xac\n\t\\x1b[2J\\x9b\\xc2\\x9b"
					     "\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80");
	/* a character split across two writes passes whole; a cut one at the end is escaped */
	const char *split[] = {"a\xe2\x82", "\xac"
					    "b\xc3"};
	cr_assert_str_eq(filter_all(split, 2), "a\xe2\x82\xac"
					       "b\\xc3");
}

/* --- the lazy counter saturates --- */

Test(hardening, nr_lazy_max_saturates)
{
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(trace_load(MMREPLAY_SOURCE_DIR "/tests/hostile/nr_lazy_max.perf.txt", NULL, &t, &d), 0,
		     "%s", d.msg);
	cr_assert_eq(t.n, 3);
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.tlb = tlb_policy_find("lazy");
	cfg.purge = VMALLOC_PURGE_INLINE; /* the purge inside the vfree that crosses lazy_max */
	cfg.ncpus = sim_trace_ncpus(t.ev, t.n);
	struct replay_row row;
	cr_assert_eq(replay_run("nr_lazy_max", t.ev, t.n, &cfg, &row), 0);
	const struct tlb *tl = &row.sim->vm.tlb;
	/* the foreign 2^64-1 pages plus the area's 5: far past lazy_max_pages, so the area's vfree
	 * purges (a wrapped counter would read 4 and never purge) */
	cr_assert_eq(tl->st.vmap_purges, 1, "purges %llu, nr_lazy %llu",
		     (unsigned long long)tl->st.vmap_purges, (unsigned long long)tl->nr_lazy);
	cr_assert_eq(tl->nr_lazy, 0);
	replay_row_fini(&row);
	trace_free(&t);
	/* the counter itself */
	struct tlb x;
	cr_assert_eq(tlb_init(&x, tlb_policy_find("lazy"), 2), 0);
	tlb_add_foreign_lazy(&x, ~0ULL - 1);
	tlb_add_foreign_lazy(&x, 7);
	cr_assert_eq(x.nr_lazy, ~0ULL);
	cr_assert_eq(tlb_unmapped(&x, 0xffffc90000000000ULL, 1 << 20), 0);
	cr_assert_eq(x.nr_lazy, ~0ULL);
	cr_assert(tlb_purge_due(&x));
	tlb_fini(&x);
}

/* --- shell quoting: what sh reads back is what was quoted --- */

Test(hardening, shell_quote_round_trips)
{
	static const char *const words[] = {"plain/path-1.ini", "",	     "a b",    "x'; touch p; '",
					    "$(touch p)",	"`touch p`", "-dash",  "~home",
					    "tab\there",	"\\back",    "*.glob", "a\"b"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		char *buf;
		size_t len;
		FILE *f = open_memstream(&buf, &len);
		fputs("printf '%s' ", f);
		shell_quote(f, words[i]);
		fclose(f);
		struct spawn_res r = spawn_sh(buf, NULL);
		cr_assert_eq(r.status, 0, "%s", buf);
		cr_assert_str_eq(r.out, words[i], "%s", buf);
		spawn_res_free(&r);
		free(buf);
	}
}

/* --- one spill budget: every spill file is bounded by spill-max --- */

/* A text trace past its memory window, a gen: workload: each spill stops at the budget with a
 * message naming spill-max, and succeeds under the default; the CLI takes --spill-max. */
Test(hardening, spill_budget_bounds_every_spill)
{
	static const char *const specs[] = {MMREPLAY_SOURCE_DIR "/tests/hostile/t.perf.txt",
					    "gen:long_busy_list"};
	for (size_t i = 0; i < 2; i++) {
		struct feed_opts o = {
			.passes = 2, .need_facts = true, .mem_bytes = 8 * sizeof(struct mm_event)};
		struct feed *f = NULL;
		struct mm_diag d;
		spillfile_set_max(2048); /* 30 events */
		cr_assert_lt(feed_open(specs[i], &o, &f, &d), 0, "%s spilled past the budget", specs[i]);
		cr_assert(strstr(d.msg, "spill-max 0 MiB") || strstr(d.msg, "past spill-max"), "%s: %s",
			  specs[i], d.msg);
		spillfile_set_max(SPILLFILE_MAX_DEFAULT);
		cr_assert_eq(feed_open(specs[i], &o, &f, &d), 0, "%s: %s", specs[i], d.msg);
		cr_assert_gt(feed_events(f), 30);
		feed_close(f);
	}
	/* the reservation itself: a byte past the budget is refused, free space is checked */
	u64 used = 0;
	spillfile_set_max(100);
	int fd = spillfile_create(NULL, &(struct mm_diag){{0}});
	cr_assert_geq(fd, 0);
	cr_assert_eq(spillfile_reserve(fd, &used, 100), 0);
	cr_assert_eq(spillfile_reserve(fd, &used, 1), -EFBIG);
	cr_assert_eq(used, 100);
	close(fd);
	spillfile_set_max(SPILLFILE_MAX_DEFAULT);
	struct spawn_res r = MMR(NULL, "replay", "--quiet", "--vmlist", "list", "--tlb", "lazy", "--buddy",
				 "lifo", "--spill-max", "1M", "gen:long_busy_list");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "gen:long_busy_list: generated workload: the spill file would grow past "
				"spill-max 1 MiB"),
		  "%s", r.err);
	spawn_res_free(&r);
	r = MMR(NULL, "replay", "--spill-max", "1", "gen:long_busy_list");
	cr_assert_eq(r.status, 2, "%s", r.err);
	spawn_res_free(&r);
}
