/* mmreplay replay: every configuration (vmlist x tlb x buddy) over every trace, each trace
 * parsed once; one CSV row per (trace, configuration), and a readable table on stdout. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "csv.h"
#include "replay.h"
#include "vma_csv.h"
#include "trace.h"
#include "zonelayout.h"

static void replay_usage(FILE *f)
{
	fprintf(f,
		"usage: mmreplay replay [--vmlist list,rbtree,augmented] [--tlb eager,range,lazy]\n"
		"                       [--buddy lifo,addr,mobility] [--levels N] [--cpus N]\n"
		"                       [--page-mode placement|faithful] [--cached-hole]\n"
		"                       [--vma list,rbtree,maple] [--populate none|all]\n"
		"                       [--zones LAYOUT] [--pkmap-slots N]\n"
		"                       [--out FILE] [--quiet] [--skip-bad] TRACE...\n\n"
		"Replays each TRACE (perf script, tracefs, strace or native; zstd or plain; parsed once)\n"
		"on a fresh machine per configuration: every combination of the listed variants (default\n"
		"all of each; 'all' names them all). vmap_alloc events go through vmalloc on the vmlist\n"
		"variant, vmap_free events are paired with their traced allocation, page events drive\n"
		"the same buddy. The TLB policy decides flushes; --cpus (default: from the trace's\n"
		"nr_lazy_max, else the CPUs seen) sets IPIs per flush and lazy_max_pages. --levels sets\n"
		"the kernel page-table depth (2..5, default 4).\n"
		"Process calls (strace: mmap, munmap, mprotect, brk, mremap, madvise, fork, execve,\n"
		"exit_group) go to one address space per pid with the --vma index (default maple only;\n"
		"'all' adds list and rbtree); --populate all makes every mapped page present (default\n"
		"none). Their columns: vma, munmap_calls, find_vma_visits, vma_splits, vma_merges,\n"
		"vmas_detached, vmas_peak, mm_tlb_flush_range, mm_tlb_flush_pages, mm_pgtable_pages_free.\n\n"
		"--zones LAYOUT sets the machine's zones (default: one 4 GiB Normal zone at pfn\n"
		"0x100000): 'default', a spec such as "
		"DMA:0x1-0x1000,DMA32:0x1000-0x100000,Normal:0x100000+4G,\n"
		"zoneinfo:PATH or buddyinfo:PATH (a /proc snapshot; see `mmreplay zones --help`). Page\n"
		"events take the highest zone their gfp flags allow and fall back Normal -> DMA32 -> DMA;\n"
		"vmalloc_32 events take pages below 4 GiB only; ioremap maps device memory and takes no\n"
		"page; vunmap frees none. --pkmap-slots N sets LAST_PKMAP for kmap/kunmap events\n"
		"(1..1048576, default 1024).\n\n"
		"--out FILE writes the CSV (one row per trace and configuration, header first; written\n"
		"atomically; '-' for stdout). The table of the main columns goes to stdout unless\n"
		"--quiet or --out -. Columns prefixed host_ are measurements; the rest are deterministic.\n");
}

#define REPLAY_TABLE_MAX_COLS 128

struct table {
	int width[REPLAY_TABLE_MAX_COLS];
	bool header_done;
};

static void table_init(struct table *t, int trace_width)
{
	int i = 0;
	for (const struct replay_column *c = replay_columns; c->name && i < REPLAY_TABLE_MAX_COLS; c++, i++) {
		int w = (int)strlen(c->name);
		t->width[i] = i == 0 ? (trace_width > w ? trace_width : w) : (w < 9 ? 9 : w);
	}
	t->header_done = false;
}

static void table_row(struct table *t, FILE *f, const struct replay_row *r)
{
	char buf[256];
	int i = 0;
	if (!t->header_done) {
		for (const struct replay_column *c = replay_columns; c->name && i < REPLAY_TABLE_MAX_COLS;
		     c++, i++)
			if (c->brief)
				fprintf(f, i < 4 ? "%-*s " : "%*s ", t->width[i], c->name);
		fputc('\n', f);
		t->header_done = true;
	}
	i = 0;
	for (const struct replay_column *c = replay_columns; c->name && i < REPLAY_TABLE_MAX_COLS; c++, i++) {
		if (!c->brief)
			continue;
		c->fmt(r, buf, sizeof(buf));
		fprintf(f, i < 4 ? "%-*s " : "%*s ", t->width[i], buf);
	}
	fputc('\n', f);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{"vmlist", required_argument, NULL, 'v'}, {"tlb", required_argument, NULL, 't'},
		{"buddy", required_argument, NULL, 'b'},  {"levels", required_argument, NULL, 'l'},
		{"cpus", required_argument, NULL, 'c'},	  {"page-mode", required_argument, NULL, 'p'},
		{"out", required_argument, NULL, 'o'},	  {"quiet", no_argument, NULL, 'q'},
		{"skip-bad", no_argument, NULL, 's'},	  {"cached-hole", no_argument, NULL, 'H'},
		{"vma", required_argument, NULL, 'V'},	  {"populate", required_argument, NULL, 'P'},
		{"zones", required_argument, NULL, 'z'},  {"pkmap-slots", required_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
	};
	struct replay_matrix m;
	replay_matrix_default(&m);
	const char *out = NULL;
	bool quiet = false;
	struct trace_opts topts = {0};
	char err[256];
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "v:t:b:l:c:p:o:qsHV:P:z:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'V': /* vma (issue 5) */
			if (replay_matrix_set(&m, "vma", optarg, err, sizeof(err))) {
				fprintf(stderr, "mmreplay replay: %s\n", err);
				return MM_EXIT_USAGE;
			}
			break;
		case 'P':
			if (vma_populate_parse(optarg, &m.base.populate)) {
				fprintf(stderr, "mmreplay replay: --populate takes none or all, not '%s'\n",
					optarg);
				return MM_EXIT_USAGE;
			}
			break;
		case 'v':
		case 't':
		case 'b':
			if (replay_matrix_set(&m,
					      c == 'v'	 ? "vmlist"
					      : c == 't' ? "tlb"
							 : "buddy",
					      optarg, err, sizeof(err))) {
				fprintf(stderr, "mmreplay replay: %s\n", err);
				return MM_EXIT_USAGE;
			}
			break;
		case 'l':
		case 'c': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			bool bad = *end || !*optarg || (c == 'l' ? (v < 2 || v > 5) : (v < 1 || v > 4096));
			if (bad) {
				fprintf(stderr, "mmreplay replay: --%s takes %s, not '%s'\n",
					c == 'l' ? "levels" : "cpus", c == 'l' ? "2..5" : "1..4096", optarg);
				return MM_EXIT_USAGE;
			}
			if (c == 'l')
				m.base.levels = (unsigned)v;
			else
				m.base.ncpus = (unsigned)v;
			break;
		}
		case 'p':
			if (!strcmp(optarg, "placement"))
				m.base.page_mode = PAGEREPLAY_PLACEMENT;
			else if (!strcmp(optarg, "faithful"))
				m.base.page_mode = PAGEREPLAY_FAITHFUL;
			else {
				fprintf(stderr, "mmreplay replay: --page-mode takes placement or faithful\n");
				return MM_EXIT_USAGE;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 's':
			topts.skip_bad = true;
			break;
		case 'H':
			m.base.cached_hole = true;
			break;
		case 'z': {
			struct mm_diag d = {{0}};
			unsigned skipped = 0;
			if (zonelayout_load(optarg, &m.base.zones, &skipped, &d)) {
				fprintf(stderr, "mmreplay replay: --zones: %s\n", d.msg);
				return MM_EXIT_USAGE;
			}
			if (skipped)
				fprintf(stderr, "mmreplay replay: --zones %s: %u empty zones left out\n",
					optarg, skipped);
			if (m.base.zones.max_order) /* a buddyinfo snapshot's order count */
				m.base.max_order = m.base.zones.max_order;
			break;
		}
		case 'k': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || !*optarg || v < 1 || v > PKMAP_MAX_SLOTS) {
				fprintf(stderr, "mmreplay replay: --pkmap-slots takes 1..%u, not '%s'\n",
					PKMAP_MAX_SLOTS, optarg);
				return MM_EXIT_USAGE;
			}
			m.base.pkmap.nr_slots = (u32)v;
			break;
		}
		case 'h':
			replay_usage(stdout);
			return MM_EXIT_OK;
		default:
			replay_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		replay_usage(stderr);
		return MM_EXIT_USAGE;
	}
	bool csv_stdout = out && !strcmp(out, "-");
	bool table = !quiet && !csv_stdout;
	struct csv csv = {0};
	FILE *cf = NULL;
	if (out && !csv_stdout) {
		int e = csv_open(&csv, out);
		if (e) {
			fprintf(stderr, "mmreplay replay: %s: %s\n", out, csv_error(&csv, e));
			return MM_EXIT_FAIL;
		}
		cf = csv.f;
	} else if (csv_stdout) {
		cf = stdout;
	}
	if (cf)
		replay_csv_header(cf);
	int trace_width = 5;
	for (int i = optind; i < argc; i++)
		trace_width = MM_MAX(trace_width, (int)strlen(base_name(argv[i])));
	struct table tab;
	table_init(&tab, trace_width);
	size_t nconf = replay_matrix_size(&m);
	bool progress = isatty(STDERR_FILENO) && (!table || !isatty(STDOUT_FILENO));
	int rc = MM_EXIT_OK;
	for (int i = optind; i < argc && rc == MM_EXIT_OK; i++) {
		struct mm_trace t;
		struct mm_diag d = {{0}};
		int e = trace_load(argv[i], &topts, &t, &d);
		if (e) {
			fprintf(stderr, "mmreplay replay: %s\n", d.msg[0] ? d.msg : strerror(-e));
			rc = MM_EXIT_FAIL;
			break;
		}
		if (t.stats.skipped)
			fprintf(stderr, "mmreplay replay: %s: %llu malformed lines skipped (first: %s)\n",
				argv[i], (unsigned long long)t.stats.skipped, t.stats.first_skip);
		for (size_t k = 0; k < nconf; k++) {
			struct sim_cfg cfg;
			struct replay_row row;
			replay_matrix_cfg(&m, k, t.ev, t.n, &cfg);
			if (progress)
				fprintf(stderr, "\r%s: %zu/%zu", base_name(argv[i]), k + 1, nconf);
			e = replay_run(base_name(argv[i]), t.ev, t.n, &cfg, &row);
			if (e) {
				fprintf(stderr, "mmreplay replay: %s: %s\n", argv[i], strerror(-e));
				rc = MM_EXIT_FAIL;
				break;
			}
			if (cf)
				replay_csv_row(cf, &row);
			if (table)
				table_row(&tab, stdout, &row);
			replay_row_fini(&row);
		}
		if (progress)
			fputc('\n', stderr);
		trace_free(&t);
	}
	if (out && !csv_stdout) {
		if (rc != MM_EXIT_OK) {
			csv_abort(&csv);
		} else if ((c = csv_commit(&csv))) {
			fprintf(stderr, "mmreplay replay: %s: %s\n", out, csv_error(&csv, c));
			rc = MM_EXIT_FAIL;
		}
	}
	return rc;
}
