/* Suite files: parsing, ${data} expansion, the configuration matrix, errors with line numbers. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "bench/run/iniread.h"
#include "bench/run/suite.h"
#include "core/kva/vmlist.h"

Test(suite, parses_matrix)
{
	const char *text =
		"; a comment\n"
		"[suite]\nname = demo\nrepeats = 3\n\n"
		"[traces]\ntrace = ${data}/traces/k_fork.perf.txt.zst\ntrace = gen:long_busy_list loops=100\n"
		"[axes]\nbuddy = lifo, addr ,mobility\nvmlist = list,augmented\nlevels = 4\n";
	struct suite s;
	struct mm_diag d;
	cr_assert_eq(suite_load_string(text, "t.ini", "/DATA", &s, &d), 0, "%s", d.msg);
	cr_assert_str_eq(s.name, "demo");
	cr_assert_eq(s.repeats, 3);
	cr_assert_eq(s.ntraces, 2);
	cr_assert_str_eq(s.traces[0], "/DATA/traces/k_fork.perf.txt.zst");
	cr_assert_str_eq(s.traces[1], "gen:long_busy_list loops=100");
	cr_assert_eq(s.axes.naxes, 3);
	cr_assert_eq(suite_nconfigs(&s), 6);
	cr_assert_eq(suite_ncells(&s), 12);
	/* the last axis varies fastest; every combination appears exactly once */
	int seen[3][2] = {{0}};
	const char *b[] = {"lifo", "addr", "mobility"}, *v[] = {"list", "augmented"};
	for (size_t c = 0; c < 6; c++) {
		const char *bv = matrix_lookup(&s.axes, c, "buddy"), *vv = matrix_value(&s.axes, c, 1);
		cr_assert_str_eq(matrix_lookup(&s.axes, c, "levels"), "4");
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 2; j++)
				seen[i][j] += !strcmp(bv, b[i]) && !strcmp(vv, v[j]);
	}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			cr_assert_eq(seen[i][j], 1);
	cr_assert_str_eq(matrix_value(&s.axes, 1, 1), "augmented");
	cr_assert_str_eq(matrix_value(&s.axes, 2, 0), "addr");
	cr_assert_null(matrix_lookup(&s.axes, 0, "tlb"));
}

Test(suite, errors_name_the_line)
{
	/* an unknown variant: the message lists the registry's names */
	char vmlist_want[512] = "x.ini:4: axis vmlist takes ";
	for (const struct vmlist_ops *const *o = vmlist_variants; *o; o++)
		snprintf(vmlist_want + strlen(vmlist_want), sizeof(vmlist_want) - strlen(vmlist_want), "%s, ",
			 (*o)->name);
	strncat(vmlist_want, "not 'splay'", sizeof(vmlist_want) - strlen(vmlist_want) - 1);
	struct {
		const char *text, *want;
	} cases[] = {
		{"[traces]\ntrace = a\n[axes]\ncolour = red\n", "x.ini:4: unknown axis 'colour'"},
		{"[traces]\ntrace = a\n[suite]\nrepeats = 0\n", "x.ini:4: repeats takes 1..1000"},
		{"[traces]\ntrace = a\n[axes]\nbuddy = lifo,lifo\n",
		 "x.ini:4: axis buddy lists 'lifo' twice"},
		{"[traces]\ntrace = a\n[axes]\nbuddy = ,\n", "x.ini:4: axis buddy has no values"},
		{"[traces]\ntrace = a\n[axes]\nlevels = 4,9\n",
		 "x.ini:4: axis levels takes 2..5 levels, not '9'"},
		{"[traces]\ntrace = a\n[axes]\nvmlist = list,splay\n", vmlist_want},
		{"[suite]\nname = a/b\n", "x.ini:2: name 'a/b' must be a short word"},
		/* a name results/NAME cannot be */
		{"[suite]\nname = ..\n", "x.ini:2: name '..' must be a short word"},
		{"[suite]\nname = .\n", "x.ini:2: name '.' must be a short word"},
		{"[suite]\nname = -rf\n", "x.ini:2: name '-rf' must be a short word"},
		{"[suite]\nname = a\tb\n", "must be a short word"},
		{"[other]\nx = 1\n", "x.ini:2: unknown section [other]"},
		{"[suite]\nrepeats = 2\n", "x.ini: no traces"},
		{"[traces]\nthis line has no equals sign\n", "x.ini:2: expected KEY = VALUE, [SECTION]"},
		{"[traces\ntrace = a\n", "x.ini:1: a section line must end with ']'"},
		{"[traces]\n = a\n", "x.ini:2: no key before '='"},
		{"[traces]\ntrace = a\n[axes]\nbuddy = lifo\nbuddy = addr\n",
		 "x.ini:5: axis 'buddy' given twice"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct suite s;
		struct mm_diag d;
		cr_assert_neq(suite_load_string(cases[i].text, "x.ini", "/D", &s, &d), 0, "case %zu parsed",
			      i);
		cr_assert(strstr(d.msg, cases[i].want), "case %zu: got '%s'", i, d.msg);
	}
}

Test(suite, default_name_and_relative_paths)
{
	struct suite s;
	struct mm_diag d;
	char path[256];
	snprintf(path, sizeof(path), "/tmp/mmreplay-suite-%d.ini", (int)getpid());
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("[traces]\ntrace = sub/t.txt\ntrace = /abs/t.txt\n", f);
	fclose(f);
	cr_assert_eq(suite_load(path, "/D", &s, &d), 0, "%s", d.msg);
	char want[300];
	snprintf(want, sizeof(want), "mmreplay-suite-%d", (int)getpid());
	cr_assert_str_eq(s.name, want);
	cr_assert_str_eq(s.traces[0], "/tmp/sub/t.txt");
	cr_assert_str_eq(s.traces[1], "/abs/t.txt");
	cr_assert_eq(suite_nconfigs(&s), 1);
	remove(path);
	cr_assert_neq(suite_load("/nonexistent/x.ini", "/D", &s, &d), 0);
}

/* Names for results/NAME; --name is checked with the same rule (test_hostile). */
Test(suite, name_rule)
{
	cr_assert(suite_name_ok("mine"));
	cr_assert(suite_name_ok("a.b-c_1"));
	cr_assert(suite_name_ok("...x"));
	const char *bad[] = {"", ".", "..", "-x", "a/b", "a b", "a,b", "a\nb", "a\x7f"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(suite_name_ok(bad[i]), "'%s' accepted", bad[i]);
	struct suite s;
	struct mm_diag d;
	/* a name from the file name is made usable */
	cr_assert_eq(suite_load_string("[traces]\ntrace = a\n", "/x/..ini", "/D", &s, &d), 0, "%s", d.msg);
	cr_assert_str_eq(s.name, "suite");
	cr_assert_eq(suite_load_string("[traces]\ntrace = a\n", "/x/-a b.ini", "/D", &s, &d), 0, "%s", d.msg);
	cr_assert_str_eq(s.name, "_a_b");
}

/* Lines of any length up to the reader's bound (libinih cut them at 200 bytes: a trace path of
 * about 190 bytes in DIR/suite.ini was "syntax error"); past it, the length and the limit. */
Test(suite, long_lines)
{
	static char text[INIREAD_LINE_MAX + 200], path[SUITE_TRACE_MAX + 100];
	struct suite s;
	struct mm_diag d;
	/* a 4000-byte path, then one of 4096 (one too many with its NUL) */
	memset(path, 'p', 4000);
	path[0] = '/';
	path[4000] = 0;
	snprintf(text, sizeof(text), "\xef\xbb\xbf[traces]\ntrace = %s   ; a comment\ntrace = a;b\n", path);
	cr_assert_eq(suite_load_string(text, "x.ini", "/D", &s, &d), 0, "%s", d.msg);
	cr_assert_str_eq(s.traces[0], path);
	cr_assert_str_eq(s.traces[1], "a;b", "a ';' after no blank is part of the value");
	memset(path, 'p', SUITE_TRACE_MAX);
	path[0] = '/';
	path[SUITE_TRACE_MAX] = 0;
	snprintf(text, sizeof(text), "[traces]\ntrace = %s\n", path);
	cr_assert_neq(suite_load_string(text, "x.ini", "/D", &s, &d), 0);
	cr_assert(strstr(d.msg, "x.ini:2: trace path too long (4096 bytes, the limit is 4095)"), "%s", d.msg);
	/* a line past the reader's bound: its length and the limit */
	memset(text, 0, sizeof(text));
	strcpy(text, "[traces]\n\ntrace = ");
	memset(text + strlen(text), 'x', INIREAD_LINE_MAX + 100 - strlen(text));
	strcat(text, "\ntrace = a\n");
	cr_assert_neq(suite_load_string(text, "x.ini", "/D", &s, &d), 0);
	char want[128];
	snprintf(want, sizeof(want), "x.ini:3: line too long (%d bytes, the limit is %d)",
		 INIREAD_LINE_MAX + 100 - 10, INIREAD_LINE_MAX);
	cr_assert(strstr(d.msg, want), "'%s' does not say '%s'", d.msg, want);
	/* a ';' right after '=' is part of the value (as libinih reads it), so the plan written
	 * from it reads back (the suite fuzzer found "trace =;x" written as "trace = ;x", a comment) */
	cr_assert_eq(suite_load_string("[traces]\ntrace =;x ;c\ntrace = a ;b\n", "x.ini", "", &s, &d), 0,
		     "%s", d.msg);
	cr_assert_str_eq(s.traces[0], ";x");
	cr_assert_str_eq(s.traces[1], "a");
	cr_assert_neq(suite_load_string("[traces]\ntrace ;c = a\n", "x.ini", "", &s, &d), 0);
	cr_assert_neq(suite_load_string("[traces]\ntrace = a\r\r\n", "x.ini", "", &s, &d), 0);
	cr_assert(strstr(d.msg, "x.ini:2: a carriage return inside a line"), "%s", d.msg);
	cr_assert_eq(suite_load_string("[traces]\r\ntrace = a\r\n", "x.ini", "", &s, &d), 0, "%s", d.msg);
	/* what a suite writes reads back as it is */
	cr_assert(iniread_value_ok("/a b/c;d"));
	cr_assert(iniread_value_ok(";x"));
	const char *bad[] = {" a", "a ", "a ;b", "a\t;b", "a\nb", "a\rb"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(iniread_value_ok(bad[i]), "case %zu", i);
}
