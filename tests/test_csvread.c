/* The CSV reader behind compare and merge, and the compare command end to end. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/output/csvread.h"
#include "tests/spawn_cmd.h"

static const char *write_tmp(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof(path), "/tmp/mmreplay-test-%d-%s", (int)getpid(), name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

Test(csvread, parses_and_rejects)
{
	struct csvtab t;
	struct mm_diag d;
	cr_assert_eq(csvtab_read(write_tmp("ok.csv", "a,b,c\n1,x,3\n4,y,6\n\n"), &t, &d), 0, "%s", d.msg);
	cr_assert_eq(t.ncols, 3);
	cr_assert_eq(t.nrows, 2);
	cr_assert_str_eq(t.rows[1][1], "y");
	cr_assert_eq(csvtab_col(&t, "c"), 2);
	cr_assert_eq(csvtab_col(&t, "zz"), -1);
	csvtab_free(&t);

	cr_assert_neq(csvtab_read(write_tmp("ragged.csv", "a,b\n1,2\n3\n"), &t, &d), 0);
	cr_assert(strstr(d.msg, ":3: 1 fields, the header has 2"), "%s", d.msg);
	/* RFC 4180: quoted fields hold commas, quotes ("") and line breaks; CRLF line ends; a quote
	 * inside a plain field is text; an unclosed quote or text after one is an error */
	cr_assert_eq(csvtab_read(write_tmp("quoted.csv", "a,b\r\n\"1,x\",2\r\n\"q\"\"uote\",\"multi\nline\"\n"
							 "pl\"ain,\"\"\n"),
				 &t, &d),
		     0, "%s", d.msg);
	cr_assert_eq(t.nrows, 3);
	cr_assert_str_eq(t.head[1], "b");
	cr_assert_str_eq(t.rows[0][0], "1,x");
	cr_assert_str_eq(t.rows[0][1], "2");
	cr_assert_str_eq(t.rows[1][0], "q\"uote");
	cr_assert_str_eq(t.rows[1][1], "multi\nline");
	cr_assert_str_eq(t.rows[2][0], "pl\"ain");
	cr_assert_str_eq(t.rows[2][1], "");
	csvtab_free(&t);
	cr_assert_neq(csvtab_read(write_tmp("open.csv", "a,b\n1,2\n\"x,\n\n"), &t, &d), 0);
	cr_assert(strstr(d.msg, "open.csv:5: a quoted field is not closed"), "%s", d.msg);
	cr_assert_neq(csvtab_read(write_tmp("after.csv", "a,b\n\"x\"y,2\n"), &t, &d), 0);
	cr_assert(strstr(d.msg, "after.csv:2: text after a closing quote"), "%s", d.msg);
	cr_assert_neq(csvtab_read(write_tmp("ragged2.csv", "a,b\n\"1\n2\",2\n3\n"), &t, &d), 0);
	cr_assert(strstr(d.msg, ":4: 1 fields, the header has 2"), "row 3 starts on line 4: %s", d.msg);
	cr_assert_neq(csvtab_read(write_tmp("blank.csv", "a,b\n1,2\n\n3,4\n"), &t, &d), 0);
	cr_assert(strstr(d.msg, ":3: blank line inside the table"), "%s", d.msg);
	cr_assert_neq(csvtab_read(write_tmp("empty.csv", ""), &t, &d), 0);
	cr_assert_neq(csvtab_read("/nonexistent/x.csv", &t, &d), 0);

	double v;
	cr_assert(csv_number("12.5", &v) && v == 12.5);
	cr_assert(!csv_number("12x", &v));
	cr_assert(!csv_number("", &v));
}

/* csvtab_firsts (a hash map) against the slow reference: each row against every row before it. */
Test(csvread, firsts_match_the_reference)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	fputs("trace,x\n", f);
	for (int r = 0; r < 3000; r++)
		fprintf(f, "t%d,%d\n", (r * 7919) % 557, r);
	fclose(f);
	struct csvtab t;
	struct mm_diag d;
	cr_assert_eq(csvtab_read(write_tmp("firsts.csv", text), &t, &d), 0, "%s", d.msg);
	bool *first = csvtab_firsts(&t, 0);
	cr_assert_not_null(first);
	size_t n = 0;
	for (size_t r = 0; r < t.nrows; r++) {
		bool slow = true;
		for (size_t k = 0; k < r && slow; k++)
			slow = strcmp(t.rows[k][0], t.rows[r][0]) != 0;
		cr_assert_eq(first[r], slow, "row %zu", r);
		n += first[r];
	}
	cr_assert_eq(n, 557);
	free(first);
	free(text);
	csvtab_free(&t);
}

Test(compare, percent_change_and_noise_verdict)
{
	const char *csv =
		write_tmp("sum.csv", "trace,buddy,repeat,splits,host_ns\n"
				     "t,lifo,0,100,50\nt,lifo,1,100,52\nt,lifo,2,100,51\n"
				     "t,addr,0,150,50\nt,addr,1,150,53\nt,addr,2,150,50\n"
				     "t,mobility,0,80,90\nt,mobility,1,80,91\nt,mobility,2,80,92\n");
	struct spawn_res r = MMR(NULL, "compare", "--csv", csv);
	FILE *p = fmemopen(r.out, r.out_len, "r");
	char line[256];
	cr_assert_not_null(p);
	int seen = 0;
	while (fgets(line, sizeof(line), p)) {
		/* model metric: exact percentages against the lifo baseline */
		if (strstr(line, "t,addr,splits,"))
			seen += !!strstr(line, ",150,100,50.0000,,");
		if (strstr(line, "t,mobility,splits,"))
			seen += !!strstr(line, ",80,100,-20.0000,,");
		/* host metric: addr's 51 vs lifo's 51 is noise, mobility's 91 is not */
		if (strstr(line, "t,addr,host_ns,"))
			seen += !!strstr(line, ",no\n");
		if (strstr(line, "t,mobility,host_ns,"))
			seen += !!strstr(line, ",yes\n");
	}
	fclose(p);
	cr_assert_eq(r.status, 0, "%s", r.err);
	spawn_res_free(&r);
	cr_assert_eq(seen, 4);
}

/* Everything compare prints (stdout, then stderr) for its arguments, into buf. */
static void compare_out(const char *const *argv, char *buf, size_t len)
{
	struct spawn_res r = spawn_v(argv, NULL);
	snprintf(buf, len, "%s%s", r.out ? r.out : "", r.err ? r.err : "");
	spawn_res_free(&r);
}
#define COMPARE(buf, ...) compare_out(SPAWN_ARGV(spawn_mmreplay(), "compare", __VA_ARGS__), buf, sizeof(buf))

Test(compare, short_view_filters_partial_baseline)
{
	const char *csv = write_tmp("short.csv", "trace,config,vmlist,tlb,visits,flushes,ufi9_end\n"
						 "t,list/eager/lifo,list,eager,17016862,9648,7\n"
						 "t,augmented/eager/lifo,augmented,eager,308929,9648,13\n"
						 "t,list/lazy/lifo,list,lazy,17016862,3,7\n"
						 "t,augmented/lazy/lifo,augmented,lazy,308929,3,13\n");
	static char out[16384];
	/* a partial label names the baseline; integers stay integers; largest effect first */
	COMPARE(out, "--baseline", "list/eager", csv);
	cr_assert(strstr(out, "baseline list/eager/lifo"), "%s", out);
	cr_assert(strstr(out, "17016862"), "%s", out);
	cr_assert(!strstr(out, "e+0"), "no exponents: %s", out);
	const char *fl = strstr(out, "flushes "), *vi = strstr(out, "visits ");
	cr_assert(fl && vi && fl < vi, "9648 -> 3 (x3216) before 17 M -> 309 k (x55): %s", out);
	cr_assert(strstr(out, "/55.1"), "%s", out);
	/* 7 -> 13 thousandths: under the 100-thousandths floor, absolute change only */
	cr_assert(strstr(out, "tiny base"), "%s", out);
	cr_assert(!strstr(out, "85.71"), "%s", out);
	/* AXIS=VALUE and globs; filters */
	COMPARE(out, "--baseline", "tlb=lazy/vmlist=aug*", "--metric", "vis*", "--config", "*eager*", csv);
	cr_assert(strstr(out, "baseline augmented/lazy/lifo"), "%s", out);
	cr_assert(strstr(out, "list/eager/lifo"), "%s", out);
	cr_assert(!strstr(out, "flushes "), "--metric: %s", out);
	cr_assert(!strstr(out, "list/lazy/lifo "), "--config: %s", out);
	/* ambiguous or unknown baselines: one line naming the candidates */
	COMPARE(out, "--baseline", "lifo", csv);
	cr_assert(strstr(out, "matches several configurations"), "%s", out);
	COMPARE(out, "--baseline", "nodes", csv);
	cr_assert(strstr(out, "no configuration matches"), "%s", out);
}
