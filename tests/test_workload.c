/* Whose work a replay counts (--workload): the machine replays every event and its columns stay
 * the machine's; the workload_ columns count the workload's events and the kernel work done on
 * its behalf (a kworker's vfree of an area it allocated, a purge in the share of the waiting
 * pages it freed). Two workloads that split the events between them add up to the machine;
 * `all` is the machine; the default is the recorded command's tree, as `info` states it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/output/csvread.h"
#include "tests/spawn_cmd.h"

#define TAR_MAKE MMREPLAY_DATA_DIR "/attribution/k_tar_make.perf.txt.zst"

static char tmpdir[64];
static void mktmp(void)
{
	strcpy(tmpdir, "/tmp/mmreplay_wl_XXXXXX");
	cr_assert(mkdtemp(tmpdir));
}
static void rmtmp(void)
{
	SH(NULL, "rm -rf \"$1\"", tmpdir);
}

#define VA(n)                                                                                                \
	"18446683600570" n                                                                                   \
	" size=20480 align=16384 vstart=0xffffc90000000000 vend=0xffffe8ffffffffff failed=0\n"

/* tar (the recorded command) allocates three stacks, make two; tar frees one, a kworker frees
 * tar's other two and one of make's, then purges the four. */
static const char trace[] = "# mmreplay-workload: pid=100 command=tar czf x /d\n"
			    "# mmreplay-task: pid=1 tgid=1 ppid=0 cgroup=/ comm=init\n"
			    "# mmreplay-task: pid=2 tgid=2 ppid=0 cgroup=/ comm=kthreadd\n"
			    "# mmreplay-task: pid=11 tgid=11 ppid=2 cgroup=/ comm=kworker/0:1\n"
			    "# mmreplay-task: pid=100 tgid=100 ppid=1 cgroup=/w comm=tar\n"
			    "# mmreplay-task: pid=200 tgid=200 ppid=1 cgroup=/other comm=make\n"
			    "  tar   100 [000]    10.000100: vmalloc:alloc_vmap_area: va_start: " VA("040320") "  tar   100 [000]    10.000200: vmalloc:alloc_vmap_area: va_start: " VA("081280") "  tar   100 [000]    10.000300: vmalloc:alloc_vmap_area: va_start: " VA(
				    "122240") "  make   200 [001]    10.000400: vmalloc:alloc_vmap_area: "
					      "va_start: " VA("163200") "  make   200 [001]    10.000500: "
									"vmalloc:alloc_vmap_area: "
									"va_start: " VA("204160") "  tar   "
												  "100 [000] "
												  "   "
												  "10.000600:"
												  " vmalloc:"
												  "free_vmap_"
												  "area_"
												  "noflush: "
												  "va_start="
												  "0xffffc900"
												  "00004000 "
												  "nr_lazy=5 "
												  "nr_lazy_"
												  "max="
												  "16384\n"
												  "  "
												  "kworker/"
												  "0:1-eve   "
												  " 11 [000] "
												  "   "
												  "10.000700:"
												  " vmalloc:"
												  "free_vmap_"
												  "area_"
												  "noflush: "
												  "va_start="
												  "0xffffc900"
												  "0000e000 "
												  "nr_lazy="
												  "10 "
												  "nr_lazy_"
												  "max="
												  "16384\n"
												  "  "
												  "kworker/"
												  "0:1-eve   "
												  " 11 [000] "
												  "   "
												  "10.000800:"
												  " vmalloc:"
												  "free_vmap_"
												  "area_"
												  "noflush: "
												  "va_start="
												  "0xffffc900"
												  "00018000 "
												  "nr_lazy="
												  "15 "
												  "nr_lazy_"
												  "max="
												  "16384\n"
												  "  "
												  "kworker/"
												  "0:1-eve   "
												  " 11 [000] "
												  "   "
												  "10.000900:"
												  " vmalloc:"
												  "free_vmap_"
												  "area_"
												  "noflush: "
												  "va_start="
												  "0xffffc900"
												  "00022000 "
												  "nr_lazy="
												  "20 "
												  "nr_lazy_"
												  "max="
												  "16384\n"
												  "  "
												  "kworker/"
												  "0:1-eve   "
												  " 11 [000] "
												  "   "
												  "10.001000:"
												  " vmalloc:"
												  "purge_"
												  "vmap_area_"
												  "lazy: "
												  "start="
												  "0xffffc900"
												  "00000000 "
												  "end="
												  "0xffffc900"
												  "00023000 "
												  "num_"
												  "purged="
												  "4\n";

/* replay --workload wl (NULL: the default) into tab, rows per --tlb value. */
static void replay(const char *path, const char *wl, const char *tlb, struct csvtab *tab)
{
	char csv[160];
	struct mm_diag d = {{0}};
	snprintf(csv, sizeof(csv), "%s/r-%s-%s.csv", tmpdir, wl ? wl : "default", tlb);
	for (char *p = csv + strlen(tmpdir) + 1; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	struct spawn_res r = wl ? MMR(NULL, "replay", "--quiet", "--vmlist", "list", "--buddy", "lifo",
				      "--tlb", tlb, "--workload", wl, "--out", csv, path)
				: MMR(NULL, "replay", "--quiet", "--vmlist", "list", "--buddy", "lifo",
				      "--tlb", tlb, "--out", csv, path);
	cr_assert_eq(r.status, 0, "%s", r.err);
	/* a narrower workload is said once per trace; every event says nothing */
	bool said = strstr(r.err, "the workload_ columns count ") != NULL;
	cr_assert_eq(said, !wl || strcmp(wl, "all"), "%s: %s", wl ? wl : "default", r.err);
	spawn_res_free(&r);
	cr_assert_eq(csvtab_read(csv, tab, &d), 0, "%s", d.msg);
	cr_assert_gt(tab->nrows, 0);
}

static long long num(const struct csvtab *t, size_t row, const char *col)
{
	int c = csvtab_col(t, col);
	cr_assert(c >= 0, "no column %s", col);
	return strtoll(t->rows[row][c], NULL, 10);
}

static const char *const figs[][2] = {
	{"workload_events", NULL}, /* the machine's: events - events_noted */
	{"workload_vmlist_visits", "vmlist_visits"},
	{"workload_tlb_flushes", "tlb_flushes"},
	{"workload_find_vma_visits", "find_vma_visits"},
};

static long long machine(const struct csvtab *t, size_t row, int f)
{
	return figs[f][1] ? num(t, row, figs[f][1]) : num(t, row, "events") - num(t, row, "events_noted");
}

Test(workload, two_workloads_that_split_the_events_add_up_to_the_machine, .init = mktmp, .fini = rmtmp)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/w.perf.txt", tmpdir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(trace, f);
	fclose(f);
	static const char *const tlbs[] = {"eager", "lazy"};
	for (size_t k = 0; k < 2; k++) {
		struct csvtab tar, make, all, dflt;
		replay(path, "tree:100", tlbs[k], &tar);
		replay(path, "comm:make", tlbs[k], &make);
		replay(path, "all", tlbs[k], &all);
		replay(path, NULL, tlbs[k], &dflt);
		cr_assert_str_eq(dflt.rows[0][csvtab_col(&dflt, "workload")], "tree:100");
		cr_assert_str_eq(all.rows[0][csvtab_col(&all, "workload")], "all");
		for (int g = 0; g < 4; g++) {
			long long m = machine(&all, 0, g), t = num(&tar, 0, figs[g][0]);
			cr_assert_eq(num(&all, 0, figs[g][0]), m, "%s: all is the machine", figs[g][0]);
			cr_assert_eq(num(&dflt, 0, figs[g][0]), t, "%s: the default is tree:100", figs[g][0]);
			cr_assert_eq(t + num(&make, 0, figs[g][0]), m, "%s/%s: tar + make = the machine",
				     tlbs[k], figs[g][0]);
			cr_assert_eq(machine(&tar, 0, g), m, "%s: the machine's columns stay", figs[g][0]);
		}
		/* 3 allocations, its own vfree, two vfrees a kworker did on its behalf, 3/4 of the purge */
		cr_assert_eq(num(&tar, 0, "workload_events"), 7);
		cr_assert_eq(num(&make, 0, "workload_events"), 3);
		if (!strcmp(tlbs[k], "eager")) /* a flush per vfree: tar's three, make's one */
			cr_assert_eq(num(&tar, 0, "workload_tlb_flushes"), 3);
		else /* one purge of 20 pages, 15 of them tar's */
			cr_assert_eq(num(&tar, 0, "workload_tlb_flushes"), 1);
		csvtab_free(&tar);
		csvtab_free(&make);
		csvtab_free(&all);
		csvtab_free(&dflt);
	}
}

/* The recorded tar beside a -j2 build: the default counts tar's tree, as many events as `info`
 * says are the workload's; the machine's columns are those of `all`. */
Test(workload, the_default_is_the_recorded_commands_tree, .init = mktmp, .fini = rmtmp, .timeout = 300)
{
	struct spawn_res r = MMR(NULL, "info", TAR_MAKE);
	cr_assert_eq(r.status, 0, "%s", r.err);
	const char *w = strstr(r.out, "\nworkload     tree:");
	cr_assert(w, "%s", r.out);
	unsigned pid;
	long long mine, of;
	cr_assert_eq(sscanf(w, "\nworkload     tree:%u: %lld of %lld events", &pid, &mine, &of), 3, "%s", w);
	cr_assert(!strstr(r.out, "(null)"), "info without --by prints no table: %s", r.out);
	spawn_res_free(&r);
	struct csvtab d, a;
	replay(TAR_MAKE, NULL, "lazy", &d);
	replay(TAR_MAKE, "all", "lazy", &a);
	char label[32];
	snprintf(label, sizeof(label), "tree:%u", pid);
	cr_assert_str_eq(d.rows[0][csvtab_col(&d, "workload")], label);
	cr_assert_eq(num(&d, 0, "workload_events"), mine);
	cr_assert_eq(num(&a, 0, "workload_events"), of);
	cr_assert_lt(mine * 10, of, "tar is a small part of this recording");
	for (size_t c = 0; c < d.ncols; c++) /* counting the workload changes no other column */
		if (strncmp(d.head[c], "workload", 8) && strncmp(d.head[c], "host_", 5))
			cr_assert_str_eq(d.rows[0][c], a.rows[0][csvtab_col(&a, d.head[c])], "%s", d.head[c]);
	for (int g = 1; g < 4; g++)
		cr_assert_leq(num(&d, 0, figs[g][0]), num(&a, 0, figs[g][0]), "%s", figs[g][0]);
	csvtab_free(&d);
	csvtab_free(&a);
}
