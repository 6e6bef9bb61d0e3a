/* Messages that say what really happened, and options that do what the help says: a failure
 * is named for its cause (not "is gnuplot installed?", not "corrupt zstd data", not
 * "unrecognised trace format"), printed once with the command's name, and turns into the exit
 * status. hostile_box.h's rules hold for every run. */
#include "hostile_box.h"

TestSuite(hostile_msgs, .init = hb_setup, .fini = hb_teardown, .timeout = 600);

#define TRIPLE "--vmlist", "list", "--tlb", "lazy", "--buddy", "lifo"

static const char *in(const char *name)
{
	static char buf[8][600];
	static int k;
	k = (k + 1) % 8;
	return hb_path(buf[k], sizeof(buf[k]), "in", name);
}

static const char *out(const char *name)
{
	static char buf[8][600];
	static int k;
	k = (k + 1) % 8;
	return hb_path(buf[k], sizeof(buf[k]), "out", name);
}

static char *slurp(const char *path)
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

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static inline void expect(struct spawn_res r, const char *why)
{
	cr_assert(strstr(r.err, why), "expected '%s':\n%s", why, r.err);
	spawn_res_free(&r);
}

/* The help says 'all' in a LIST names every value: --page-mode all is the three page modes
 * (it was refused), the choice settings likewise; --populate all stays the value 'all'. */
Test(hostile_msgs, all_names_every_value)
{
	HB_CHECK(HB_0, "replay", "--quiet", TRIPLE, "--page-mode", "all", "--out", out("pm.csv"),
		 in("t.perf.txt"));
	char *csv = slurp(out("pm.csv"));
	cr_assert_eq(count(csv, "page_mode=placement"), 1, "%s", csv);
	cr_assert_eq(count(csv, "page_mode=faithful"), 1, "%s", csv);
	cr_assert_eq(count(csv, "page_mode=buddy"), 1, "%s", csv);
	free(csv);
	HB_CHECK(HB_0, "replay", "--quiet", TRIPLE, "--pcp", "all", "--out", out("pcp.csv"),
		 in("t.perf.txt"));
	csv = slurp(out("pcp.csv"));
	cr_assert_eq(count(csv, "\n"), 4, "header and pcp auto, on, off:\n%s", csv);
	free(csv);
	HB_CHECK(HB_0, "replay", "--quiet", TRIPLE, "--populate", "all", "--out", out("pop.csv"),
		 in("t.perf.txt"));
	csv = slurp(out("pop.csv"));
	cr_assert_eq(count(csv, "\n"), 2, "one configuration, populate=all:\n%s", csv);
	free(csv);
	struct spawn_res r = HB_RUN(HB_0, "replay", "--help");
	cr_assert(strstr(r.out, "in a LIST 'all' names every value"), "%s", r.out);
	spawn_res_free(&r);
}
