/* Attribution and recordings that lose nothing silently: the perf reader turns the recorder's
 * header, sched process events, COMM-column renames and perf's lost marks into events;
 * `info --by comm` gives, on a real recording of `tar` beside a build, the per-command counts a
 * plain count of the trace's lines gives; `--by tree` puts in the recorded command's tree what
 * a slow walk of the fork lines does; a replay keeps every event in one column and says what
 * perf lost. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/output/csvread.h"
#include "core/lib/hmap.h"
#include "tests/spawn_cmd.h"
#include "workloads/task_table.h"
#include "workloads/trace/trace.h"
#include "tests/zst_slurp.h"

#define TAR_MAKE MMREPLAY_DATA_DIR "/attribution/k_tar_make.perf.txt.zst"

static const char *const mm_kinds[][2] = {
	{"kmem:mm_page_alloc", "page_alloc"},		{"kmem:mm_page_free", "page_free"},
	{"vmalloc:alloc_vmap_area", "vmap_alloc"},	{"vmalloc:free_vmap_area_noflush", "vmap_free"},
	{"vmalloc:purge_vmap_area_lazy", "vmap_purge"}, {"tlb:tlb_flush", "tlb_flush"},
};

/* One perf script line split the slow way: COMM, PID, and the event name, or false. */
static bool split_line(const char *line, char *comm, size_t clen, unsigned *pid, char *ev, size_t elen)
{
	const char *br = strstr(line, " [");
	if (!br || *line == '#')
		return false;
	const char *p = br;
	while (p > line && p[-1] == ' ')
		p--;
	const char *t = p;
	while (t > line && t[-1] != ' ')
		t--;
	*pid = (unsigned)strtoul(t, NULL, 10);
	const char *c = line;
	while (*c == ' ')
		c++;
	const char *ce = t;
	while (ce > c && ce[-1] == ' ')
		ce--;
	snprintf(comm, clen, "%.*s", (int)(ce - c), c);
	const char *colon = strstr(br, ": ");
	if (!colon)
		return false;
	const char *e = colon + 2;
	while (*e == ' ')
		e++;
	const char *ee = strchr(e, ' ');
	if (!ee || ee[-1] != ':')
		return false;
	snprintf(ev, elen, "%.*s", (int)(ee - e - 1), e);
	return true;
}

static const char *kind_of(const char *ev)
{
	for (size_t k = 0; k < sizeof(mm_kinds) / sizeof(mm_kinds[0]); k++)
		if (!strcmp(ev, mm_kinds[k][0]))
			return mm_kinds[k][1];
	return NULL;
}

/* "GROUP,kind" -> count, in a small open list (a few hundred rows). */
struct row {
	char key[96];
	long long n;
};

static void add(struct row *rows, size_t *n, const char *key, long long v)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(rows[i].key, key)) {
			rows[i].n += v;
			return;
		}
	cr_assert_lt(*n, 4096);
	snprintf(rows[*n].key, sizeof(rows[*n].key), "%s", key);
	rows[(*n)++].n = v;
}

static long long get(const struct row *rows, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].key, key))
			return rows[i].n;
	return -1;
}

/* Rows of `mmreplay info --by BY --csv TRACE` ("GROUP,kind,count"). */
static size_t info_rows(const char *by, struct row *rows)
{
	struct spawn_res r = MMR(NULL, "info", "--by", by, "--csv", TAR_MAKE);
	cr_assert_eq(r.status, 0, "%s", r.err);
	size_t n = 0;
	for (char *save = NULL, *line = strtok_r(r.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c = strrchr(line, ',');
		cr_assert(c);
		*c = '\0';
		if (strcmp(line, "comm,kind") && strcmp(line, "tree,kind"))
			add(rows, &n, line, strtoll(c + 1, NULL, 10));
	}
	spawn_res_free(&r);
	return n;
}

Test(attrib, info_by_comm_counts_the_lines_of_each_command, .timeout = 300)
{
	size_t len;
	char *text = zst_slurp(TAR_MAKE, &len);
	static struct row want[4096], got[4096];
	size_t nw = 0;
	long long tar = 0, all = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char comm[64], ev[64], key[96];
		unsigned pid;
		if (!split_line(line, comm, sizeof(comm), &pid, ev, sizeof(ev)) || !kind_of(ev))
			continue;
		snprintf(key, sizeof(key), "%s,%s", comm, kind_of(ev));
		add(want, &nw, key, 1);
		all++;
		tar += !strcmp(comm, "tar") || !strcmp(comm, "gzip");
	}
	free(text);
	cr_assert_gt(tar, 0, "tar and gzip ran");
	cr_assert_lt(tar, all, "another job ran beside them");
	size_t ng = info_rows("comm", got);
	size_t mm = 0;
	for (size_t i = 0; i < ng; i++) {
		const char *k = strrchr(got[i].key, ',') + 1;
		if (!strcmp(k, "task") || !strcmp(k, "lost"))
			continue;
		mm++;
		cr_assert_eq(got[i].n, get(want, nw, got[i].key), "%s: info %lld, lines %lld", got[i].key,
			     got[i].n, get(want, nw, got[i].key));
	}
	cr_assert_eq(mm, nw, "every command and kind of the lines is in info's rows");
}

/* The slow reference of the recorded command's tree: parents from the header's task table and
 * the sched_process_fork lines, membership by walking up to the recorded pid. */
Test(attrib, the_workload_tree_is_the_forks_of_the_recorded_command, .timeout = 300)
{
	size_t len;
	char *text = zst_slurp(TAR_MAKE, &len);
	struct hmap parent;
	cr_assert_eq(hmap_init(&parent, 1024), 0);
	unsigned root = 0;
	static struct row want[64], got[4096];
	size_t nw = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned a, b, c;
		char comm[64], ev[64];
		if (sscanf(line, "# mmreplay-workload: pid=%u", &a) == 1) {
			root = a;
			continue;
		}
		if (sscanf(line, "# mmreplay-task: pid=%u tgid=%u ppid=%u", &a, &b, &c) == 3) {
			hmap_put(&parent, a, a != b ? b : c);
			continue;
		}
		if (!split_line(line, comm, sizeof(comm), &a, ev, sizeof(ev)))
			continue;
		if (!strcmp(ev, "sched:sched_process_fork")) {
			const char *cp = strstr(line, " child_pid=");
			cr_assert(cp);
			hmap_put(&parent, strtoul(cp + 11, NULL, 10), a);
			continue;
		}
		const char *k = kind_of(ev);
		if (!k || !strcmp(k, "vmap_purge"))
			continue;
		bool in = false;
		u64 p = a;
		for (int depth = 0; depth < 64 && !in; depth++) {
			in = p == root;
			if (!hmap_get(&parent, p, &p) || p == 0)
				break;
		}
		if (in)
			add(want, &nw, k, 1);
	}
	free(text);
	hmap_fini(&parent);
	cr_assert_gt(root, 0, "the recording names its command");
	size_t ng = info_rows("tree", got);
	char key[96];
	for (size_t i = 0; i < nw; i++) {
		snprintf(key, sizeof(key), "tree:%u (the workload),%.40s", root, want[i].key);
		cr_assert_eq(get(got, ng, key), want[i].n, "%s", key);
	}
	cr_assert_gt(nw, 0);
}

static char tmpdir[64];
static void mktmp(void)
{
	strcpy(tmpdir, "/tmp/mmreplay_attr_XXXXXX");
	cr_assert(mkdtemp(tmpdir));
}
static void rmtmp(void)
{
	SH(NULL, "rm -rf \"$1\"", tmpdir);
}

/* A recorder's header, a rename on the COMM column, a fork, perf's lost marks. */
static const char small_trace[] =
	"# mmreplay-workload: pid=100 command=tar czf x /d\n"
	"# mmreplay-task: pid=1 tgid=1 ppid=0 cgroup=/ comm=init\n"
	"# mmreplay-task: pid=50 tgid=50 ppid=1 cgroup=/jobs/make comm=make\n"
	"# mmreplay-task: pid=51 tgid=50 ppid=1 cgroup=/jobs/make comm=make worker\n"
	"# mmreplay-task: pid=100 tgid=100 ppid=1 cgroup=/a/very/long/cgroup/path/beyond/one/chunk comm=tar\n"
	"             tar   100 [000]    10.000100: kmem:mm_page_alloc: page=0x1 pfn=0x1000 order=0 "
	"migratetype=1 gfp_flags=GFP_KERNEL\n"
	"             tar   100 [000]    10.000200: sched:sched_process_fork: comm=tar pid=100 "
	"child_comm=tar "
	"child_pid=101\n"
	"            gzip   101 [001]    10.000300: sched:sched_process_exec: filename=/bin/gzip pid=101 "
	"old_pid=101\n"
	"            gzip   101 [001]    10.000400: kmem:mm_page_free: page=0x1 pfn=0x1000 order=0\n"
	"     make worker    51 [000]    10.000500: PERF_RECORD_LOST lost 7\n"
	"         renamed    51 [000]    10.000600: kmem:mm_page_alloc: page=0x2 pfn=0x2000 order=0 "
	"migratetype=1 gfp_flags=GFP_KERNEL\n"
	"         renamed    51 [000]    10.000700: sched:sched_process_exit: comm=renamed pid=51 prio=120 "
	"group_dead=false\n";

Test(attrib, perf_reader_task_records_and_lost_marks, .init = mktmp, .fini = rmtmp)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/t.perf.txt", tmpdir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(small_trace, f);
	fclose(f);
	struct mm_trace t;
	struct mm_diag d = {{0}};
	cr_assert_eq(trace_load(path, NULL, &t, &d), 0, "%s", d.msg);
	/* held header records come first, stamped with the first event's time */
	size_t i = 0, ncg = 0;
	u32 workload = 0;
	for (; i < t.n && t.ev[i].kind == MME_TASK && t.ev[i].ts_ns == 10000100000ULL; i++) {
		ncg += t.ev[i].aux == MME_TASK_CGROUP;
		if (t.ev[i].aux == MME_TASK_WORKLOAD)
			workload = t.ev[i].pid;
	}
	cr_assert_eq(workload, 100);
	cr_assert_eq(ncg, 1 + 1 + 2, "one chunk for / and for /jobs/make, two for the 41-byte path");
	cr_assert_eq(t.stats.min_ts, 10000100000ULL, "no record at time 0");
	cr_assert_eq(t.stats.lost, 7);
	cr_assert_eq(t.stats.kind[MME_LOST], 1);
	int comm_records = 0;
	for (size_t j = i; j < t.n; j++)
		if (t.ev[j].kind == MME_TASK && t.ev[j].aux == MME_TASK_COMM) {
			char c[MME_COMM_LEN];
			mm_event_comm(&t.ev[j], c);
			cr_assert_str_eq(c, "renamed");
			cr_assert_eq(t.ev[j + 1].kind, MME_PAGE_ALLOC, "the rename comes before the event");
			comm_records++;
		}
	cr_assert_eq(comm_records, 1, "only the rename (an exec names its command itself)");
	/* the table: the fork's child is in the workload's tree with its exec'd command */
	struct task_spec sp;
	char err[200];
	cr_assert_eq(task_spec_parse(NULL, &sp, err, sizeof(err)), 0);
	struct task_table tt;
	cr_assert_eq(task_table_init(&tt, &sp), 0);
	int mine = 0, pages = 0;
	for (size_t j = 0; j < t.n; j++) {
		int e;
		const struct task_ent *te = task_table_event(&tt, &t.ev[j], &e);
		cr_assert_eq(e, 0);
		u32 ppm;
		if (t.ev[j].kind == MME_PAGE_ALLOC || t.ev[j].kind == MME_PAGE_FREE) {
			pages++;
			mine += task_table_mine(&tt, te, &t.ev[j], &ppm);
			if (t.ev[j].kind == MME_PAGE_FREE)
				cr_assert_str_eq(te->comm, "gzip");
		}
	}
	cr_assert_eq(pages, 3);
	cr_assert_eq(mine, 2, "tar and its child gzip; not make's renamed worker");
	cr_assert_str_eq(task_table_cgroup(&tt, 3), "/a/very/long/cgroup/path/beyond/one/chunk");
	task_table_fini(&tt);
	trace_free(&t);

	/* replay: every event in one column, the loss in its own */
	char csv[160];
	snprintf(csv, sizeof(csv), "%s/r.csv", tmpdir);
	cr_assert_eq(MMR_STATUS(NULL, "replay", "--quiet", "--out", csv, path), 0);
	struct csvtab tab;
	cr_assert_eq(csvtab_read(csv, &tab, &d), 0, "%s", d.msg);
	cr_assert_gt(tab.nrows, 0);
	int lost = csvtab_col(&tab, "events_lost"), noted = csvtab_col(&tab, "events_noted");
	cr_assert(lost >= 0 && noted >= 0);
	for (size_t row = 0; row < tab.nrows; row++) { /* every configuration */
		cr_assert_str_eq(tab.rows[row][lost], "7");
		/* 5 header records, 4 cgroup chunks, fork, exec, rename, exit, the lost mark */
		cr_assert_str_eq(tab.rows[row][noted], "14");
	}
	csvtab_free(&tab);
}

Test(attrib, workload_specs)
{
	struct task_spec sp;
	char err[200];
	cr_assert_eq(task_spec_parse("tree:12", &sp, err, sizeof(err)), 0);
	cr_assert_eq(sp.kind, TASK_SPEC_TREE);
	cr_assert_eq(sp.pid, 12);
	cr_assert_eq(task_spec_parse("cgroup:/a/b/", &sp, err, sizeof(err)), 0);
	cr_assert_str_eq(sp.text, "/a/b");
	cr_assert_eq(task_spec_parse("all", &sp, err, sizeof(err)), 0);
	cr_assert_eq(sp.kind, TASK_SPEC_ALL);
	const char *bad[] = {"tree:", "pid:x", "comm:0123456789abcdef", "cgroup:rel", "every", "tree:0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(task_spec_parse(bad[i], &sp, err, sizeof(err)), -EINVAL, "%s", bad[i]);
		cr_assert(strstr(err, "comm:NAME"), "%s", err);
	}
}

/* info on a recording directory: its trace's lines, and the snapshots the directory holds (as
 * many series snapshots as the file has headers); a directory that is no recording is refused
 * with the file it lacks. */
Test(attrib, info_on_a_recording_directory, .init = mktmp, .fini = rmtmp, .timeout = 300)
{
	const char *dir = MMREPLAY_DATA_DIR "/recordings/d_mixed5";
	struct spawn_res r = MMR(NULL, "info", dir),
			 t = MMR(NULL, "info", MMREPLAY_DATA_DIR "/recordings/d_mixed5/trace.perf.txt.zst");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(t.status, 0, "%s", t.err);
	char *ev = strstr(t.out, "\nevents "), *end = ev ? strstr(ev, "\nunknown ") : NULL;
	cr_assert(ev && end);
	*end = '\0'; /* its counts, pids, CPUs and time span */
	cr_assert(strstr(r.out, ev), "the trace's lines:\n%s", r.out);
	char series[256];
	snprintf(series, sizeof(series), "%s/buddyinfo-series.txt", dir);
	FILE *f = fopen(series, "r");
	cr_assert(f);
	char line[512];
	int n = 0;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "# snapshot ", 11);
	fclose(f);
	char want[64];
	snprintf(want, sizeof(want), "  series     %d buddyinfo snapshots from ", n);
	cr_assert(n > 0 && strstr(r.out, want), "%d snapshots:\n%s", n, r.out);
	cr_assert(strstr(r.out, "\nrecording    ") && strstr(r.out, "\n  start      read ") &&
			  strstr(r.out, "\n  end        read "),
		  "%s", r.out);
	spawn_res_free(&r);
	spawn_res_free(&t);
	r = MMR(NULL, "info", tmpdir); /* an empty directory */
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.err, tmpdir) && strstr(r.err, "trace"), "%s", r.err);
	spawn_res_free(&r);
}
