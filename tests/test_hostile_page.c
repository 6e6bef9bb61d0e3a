/* The report page holds no markup from data: a results directory whose every file the page reads
 * (summary.csv's headers and cells, traces.csv, plots/graphs.csv, command.txt) carries HTML is
 * given to `mmreplay plot`, and the page's tags are checked one by one: only the elements and
 * attributes the page itself writes, no script, and a Content-Security-Policy that forbids
 * scripts. hostile_box.h's rules hold for every run. */
#include <ctype.h>

#include "tests/hostile_box.h"

TestSuite(hostile_page, .init = hb_setup, .fini = hb_teardown, .timeout = 600);

/* Markup a page would run or load if written raw, and ones that close what they are in. */
static const char *const payloads[] = {
	"<img src=x onerror=alert(1)>",
	"\"><script>alert(2)</script>",
	"'><svg onload=alert(3)>",
	"</td></tr></table><iframe src=javascript:alert(4)>",
	"<!--",
	"&lt;b&gt;",
};
#define NPAY (sizeof(payloads) / sizeof(payloads[0]))

static const char *const tags_ok[] = {"html", "head",	"meta",	 "title", "style",	"body",	  "h1",
				      "h2",   "h3",	"p",	 "code",  "ul",		"li",	  "a",
				      "b",    "span",	"table", "thead", "tbody",	"tr",	  "th",
				      "td",   "figure", "img",	 "pre",	  "figcaption", "section"};
static const char *const attrs_ok[] = {"lang", "charset", "http-equiv", "content", "class",  "id",
				       "href", "src",	  "alt",	"width",   "height", "title"};

static bool in(const char *const *list, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && !strncasecmp(list[i], s, len))
			return true;
	return false;
}

/* Every tag of the page is one the page writes, with attributes the page writes (data-* too):
 * no element, attribute or comment came from the data. */
static void check_tags(const char *html, const char *what)
{
	size_t ntags = sizeof(tags_ok) / sizeof(tags_ok[0]), nattrs = sizeof(attrs_ok) / sizeof(attrs_ok[0]);
	for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
		if (!strncmp(p, "<!DOCTYPE html>", 15))
			continue;
		const char *n = p + 1 + (p[1] == '/');
		size_t len = strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789");
		cr_assert(len && in(tags_ok, ntags, n, len), "%s: a tag the page does not write: %.60s", what,
			  p);
		const char *end = strchr(n, '>');
		cr_assert_not_null(end, "%s: unterminated tag %.60s", what, p);
		for (const char *a = n + len; a < end;) { /* name="value" pairs only */
			a += strspn(a, " \n");
			if (a >= end)
				break;
			size_t al = strspn(a, "abcdefghijklmnopqrstuvwxyz-");
			cr_assert(al && (in(attrs_ok, nattrs, a, al) || !strncmp(a, "data-", 5)),
				  "%s: an attribute the page does not write: %.60s", what, a);
			cr_assert(a[al] == '=' && a[al + 1] == '"', "%s: unquoted attribute %.60s", what, a);
			const char *q = strchr(a + al + 2, '"');
			cr_assert(q && q < end, "%s: attribute value runs past its tag: %.60s", what, a);
			a = q + 1;
		}
		cr_assert(strncasecmp(n, "script", 6), "%s: a script", what);
	}
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* A CSV field holding s (quoted, '"' doubled). */
static void field(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		fputs(*s == '"' ? "\"\"" : (char[]){*s, 0}, f);
	fputc('"', f);
}

/* One results directory per payload: the payload as an extra column's header (which compare
 * lists in "Against the baseline"), as the values of the answers' metrics, as a configuration,
 * a trace label, traces.csv's facts, a graph's note and the run's command. */
static void crafted(const char *dir, const char *pay)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/plots", dir);
	cr_assert_eq(SPAWN_STATUS(NULL, "mkdir", "-p", "--", path), 0);
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("trace,config,vmlist,tlb,buddy,vma,vmap_allocs,vmap_frees,page_allocs,munmap_calls,"
	      "vmlist_visits,tlb_flushes,ufi9_end,find_vma_visits,vma_splits,vmap_addr_exact,",
	      f);
	field(f, pay);
	fputc('\n', f);
	static const char *const vl[] = {"list", "augmented"}, *const tl[] = {"eager", "lazy"};
	for (int t = 0; t < 2; t++)
		for (int v = 0; v < 2; v++)
			for (int k = 0; k < 2; k++) {
				field(f, t ? pay : "ok.perf");
				fputc(',', f);
				field(f, k && v ? pay : "cfg");
				fprintf(f, ",%s,%s,lifo,maple,10,10,10,5,", vl[v], tl[k]);
				for (int c = 0; c < 6; c++) { /* every metric: the payload, or a number */
					if ((t + c) % 2)
						field(f, pay);
					else
						fprintf(f, "%d", 100 * (c + 1) + v + 10 * k);
					fputc(',', f);
				}
				fprintf(f, "%d\n", 1000 + 300 * v + 70 * k);
			}
	fclose(f);
	snprintf(path, sizeof(path), "%s/traces.csv", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("trace,spec,events,vmap_events,page_events,process_calls,kmap_events,cells,cells_run,"
	      "axes_apply\nok.perf,",
	      f);
	field(f, pay);
	fputs(",40,20,10,5,0,4,4,", f);
	field(f, pay);
	fputc('\n', f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/plots/graphs.csv", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("trace,file,note\nok.perf,", f);
	field(f, pay);
	fputc(',', f);
	field(f, pay);
	fputc('\n', f);
	fclose(f);
	write_file(dir, "command.txt", pay);
}

Test(hostile_page, data_never_becomes_markup)
{
	for (size_t i = 0; i < NPAY; i++) {
		char dir[600], page[700];
		snprintf(dir, sizeof(dir), "%s/res%zu", hb_out, i);
		crafted(dir, payloads[i]);
		/* the graphs lack their columns (exit 1); the page is written all the same */
		HB_CHECK(HB_0 | HB_1, "plot", dir);
		snprintf(page, sizeof(page), "%s/index.html", dir);
		FILE *f = fopen(page, "r");
		cr_assert_not_null(f, "%s: no page", page);
		static char html[1 << 20];
		size_t n = fread(html, 1, sizeof(html) - 1, f);
		html[n] = 0;
		fclose(f);
		check_tags(html, payloads[i]);
		cr_assert(strstr(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
				       "'none';"),
			  "no Content-Security-Policy");
		cr_assert(strstr(html, "script-src 'none'"), "the policy allows scripts");
		/* the data is on the page, as text */
		cr_assert(strstr(html, "&lt;") || !strchr(payloads[i], '<'), "%s: the payload vanished",
			  payloads[i]);
	}
}

/* A FIFO planted as one of the files the page reads is refused, not waited on for ever. */
Test(hostile_page, fifo_in_a_results_directory)
{
	static const char *const files[] = {"traces.csv", "plots/graphs.csv", "command.txt"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char dir[600], p[700];
		snprintf(dir, sizeof(dir), "%s/fifo%zu", hb_out, i);
		crafted(dir, "ok");
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		cr_assert_eq(unlink(p), 0);
		cr_assert_eq(mkfifo(p, 0644), 0);
		HB_CHECK(HB_0 | HB_1, "plot", dir);
		snprintf(p, sizeof(p), "%s/index.html", dir);
		cr_assert_eq(access(p, F_OK), 0, "no page beside a FIFO %s", files[i]);
	}
}
