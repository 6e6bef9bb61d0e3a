/* mmreplay demo: what a new user runs first. Replays the bundled real kernel traces through
 * the buddy model under every placement policy and writes CSVs and graphs of how physical
 * memory fragments. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "csv.h"
#include "fragrun.h"
#include "plot.h"

static const char *const demo_traces[] = {"k_fork.perf.txt.zst", "k_threads2.perf.txt.zst", NULL};

static void demo_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay demo [--out DIR] [--zone-pages N] [--data DIR]\n\n"
		   "Replays the page events of the bundled real kernel traces (data/traces: k_fork and\n"
		   "k_threads2, recorded with perf on Linux 6.18) through the buddy allocator under each\n"
		   "placement policy (lifo, addr, mobility), on a zone of --zone-pages frames (default\n"
		   "24576 = 96 MiB, so the traces' live pages fill it enough to fragment it), and writes\n"
		   "into DIR (default results/demo):\n"
		   "  buddy_summary.csv          one row per (trace, policy): final state and counters\n"
		   "  timeseries/TRACE_POLICY.csv fragmentation sampled about 1000 times per replay\n"
		   "  free_blocks_TRACE.csv      free blocks per order at the end, a column per policy\n"
		   "  frag_TRACE.png             unusable free space index (order 9) over the replay\n"
		   "  free_blocks_TRACE.png      the final free blocks per order\n");
}

static void trace_label(const char *file, char *out, size_t cap)
{
	snprintf(out, cap, "%s", file);
	char *dot = strstr(out, ".txt");
	if (dot)
		*dot = 0;
}

struct demo_row {
	char trace[64];
	const char *policy;
	struct fragrun_result r;
};

static int demo_write_summary(const char *dir, const struct demo_row *rows, size_t n)
{
	char path[4096];
	struct csv c;
	snprintf(path, sizeof(path), "%s/buddy_summary.csv", dir);
	int err = csv_open(&c, path);
	if (err)
		return err;
	fprintf(c.f, "trace,buddy,page_mode,events,page_allocs,page_frees,alloc_failures,unmatched_frees,"
		     "splits,merges,steals,claims,mixed_pageblocks,free_pages,largest_free_order,"
		     "unusable_o3,unusable_o9,extfrag_o9,host_ns_per_event\n");
	for (size_t i = 0; i < n; i++) {
		const struct fragrun_result *r = &rows[i].r;
		fprintf(c.f,
			"%s,%s,placement,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%d,%d,%d,%d,%"
			".1f\n",
			rows[i].trace, rows[i].policy, (unsigned long long)r->events,
			(unsigned long long)r->pages.allocs, (unsigned long long)r->pages.frees,
			(unsigned long long)r->pages.alloc_failures,
			(unsigned long long)r->pages.unmatched_frees, (unsigned long long)r->buddy.splits,
			(unsigned long long)r->buddy.merges, (unsigned long long)r->buddy.steals,
			(unsigned long long)r->buddy.claims, (unsigned long long)r->mixed_pageblocks,
			(unsigned long long)r->free_pages,
			r->largest_free_order == -1u ? -1 : (int)r->largest_free_order, r->unusable_o3,
			r->unusable_o9, r->extfrag_o9,
			r->events ? (double)r->host_ns / (double)r->events : 0.0);
	}
	return csv_commit(&c);
}

static int demo_write_free_blocks(const char *path, const struct demo_row *rows, size_t n)
{
	struct csv c;
	int err = csv_open(&c, path);
	if (err)
		return err;
	fprintf(c.f, "order");
	for (size_t i = 0; i < n; i++)
		fprintf(c.f, ",%s", rows[i].policy);
	fprintf(c.f, "\n");
	for (unsigned o = 0; o <= BUDDY_DEFAULT_MAX_ORDER; o++) {
		fprintf(c.f, "%u", o);
		for (size_t i = 0; i < n; i++)
			fprintf(c.f, ",%llu", (unsigned long long)rows[i].r.nr_free[o]);
		fprintf(c.f, "\n");
	}
	return csv_commit(&c);
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, NULL, 'o'},
		{"zone-pages", required_argument, NULL, 'z'},
		{"data", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = "results/demo", *data = getenv("MMREPLAY_DATA");
	u64 zone_pages = 24576;
	int c;
	if (!data || !*data)
		data = MMREPLAY_DATA_DIR;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:z:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'd':
			data = optarg;
			break;
		case 'z': {
			char *end;
			errno = 0;
			zone_pages = strtoull(optarg, &end, 0);
			if (errno || *end || zone_pages == 0 || zone_pages > BUDDY_MAX_FRAMES) {
				fprintf(stderr, "mmreplay demo: --zone-pages takes 1..%u\n",
					BUDDY_MAX_FRAMES);
				return MM_EXIT_USAGE;
			}
			break;
		}
		case 'h':
			demo_usage(stdout);
			return MM_EXIT_OK;
		default:
			demo_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		demo_usage(stderr);
		return MM_EXIT_USAGE;
	}
	bool tty = isatty(STDERR_FILENO);
	struct demo_row rows[16];
	size_t nrows = 0;
	int rc = MM_EXIT_OK;
	printf("%-16s %-9s %9s %9s %9s %8s %8s %7s %7s %9s\n", "trace", "buddy", "events", "allocs",
	       "unmatched", "steals", "mixedpb", "ufi(3)", "ufi(9)", "ns/event");
	for (const char *const *tf = demo_traces; *tf; tf++) {
		char path[4096], label[64];
		snprintf(path, sizeof(path), "%s/traces/%s", data, *tf);
		trace_label(*tf, label, sizeof(label));
		if (tty)
			fprintf(stderr, "\rloading %s...", label);
		struct mm_trace t;
		struct mm_diag d;
		int err = trace_load(path, NULL, &t, &d);
		if (err) {
			fprintf(stderr, "\nmmreplay demo: %s\n", d.msg);
			return MM_EXIT_FAIL;
		}
		size_t first = nrows;
		for (const struct buddy_policy_ops *const *p = buddy_policies; *p && nrows < 16; p++) {
			struct sim_cfg cfg;
			sim_cfg_default(&cfg);
			cfg.zones.zone[0].nr_pages = zone_pages; /* the default layout's one Normal zone */
			cfg.buddy = *p;
			char tspath[4096];
			struct csv ts;
			snprintf(tspath, sizeof(tspath), "%s/timeseries/%s_%s.csv", out, label, (*p)->name);
			if ((err = csv_open(&ts, tspath))) {
				fprintf(stderr, "mmreplay demo: %s: %s\n", tspath, strerror(-err));
				trace_free(&t);
				return MM_EXIT_FAIL;
			}
			if (tty)
				fprintf(stderr, "\rreplaying %s with %s...   ", label, (*p)->name);
			fragrun_ts_header(ts.f);
			struct demo_row *row = &rows[nrows++];
			snprintf(row->trace, sizeof(row->trace), "%s", label);
			row->policy = (*p)->name;
			err = fragrun(&t, &cfg, t.n / 1000 + 1, ts.f, &row->r);
			if (!err)
				err = csv_commit(&ts);
			else
				csv_abort(&ts);
			if (err) {
				fprintf(stderr, "mmreplay demo: %s: %s\n", label, strerror(-err));
				trace_free(&t);
				return MM_EXIT_FAIL;
			}
		}
		trace_free(&t);
		if (tty)
			fprintf(stderr, "\r%60s\r", "");
		for (size_t i = first; i < nrows; i++) {
			const struct fragrun_result *r = &rows[i].r;
			printf("%-16s %-9s %9llu %9llu %9llu %8llu %8llu %7.3f %7.3f %9.1f\n", rows[i].trace,
			       rows[i].policy, (unsigned long long)r->events,
			       (unsigned long long)r->pages.allocs,
			       (unsigned long long)r->pages.unmatched_frees,
			       (unsigned long long)r->buddy.steals, (unsigned long long)r->mixed_pageblocks,
			       r->unusable_o3 / 1000.0, r->unusable_o9 / 1000.0,
			       r->events ? (double)r->host_ns / (double)r->events : 0.0);
		}
		/* graphs for this trace */
		char files[8192] = "", titles[256] = "", png[4096], fb[4096], extra[9000];
		for (size_t i = first; i < nrows; i++) {
			char one[4200];
			snprintf(one, sizeof(one), "%s%s/timeseries/%s_%s.csv", i > first ? " " : "", out,
				 label, rows[i].policy);
			strncat(files, one, sizeof(files) - strlen(files) - 1);
			strncat(titles, i > first ? " " : "", sizeof(titles) - strlen(titles) - 1);
			strncat(titles, rows[i].policy, sizeof(titles) - strlen(titles) - 1);
		}
		snprintf(fb, sizeof(fb), "%s/free_blocks_%s.csv", out, label);
		if ((err = demo_write_free_blocks(fb, rows + first, nrows - first))) {
			fprintf(stderr, "mmreplay demo: %s: %s\n", fb, strerror(-err));
			return MM_EXIT_FAIL;
		}
		snprintf(png, sizeof(png), "%s/frag_%s.png", out, label);
		snprintf(extra, sizeof(extra),
			 "files='%s'; titles='%s'; col=4; title='%s: unusable free space index at order 9 (2 "
			 "MiB), %llu-page zone'",
			 files, titles, label, (unsigned long long)zone_pages);
		if (plot_run("frag_timeseries.gp", "", png, extra)) {
			fprintf(stderr, "mmreplay demo: gnuplot failed for %s (is gnuplot installed?)\n",
				png);
			rc = MM_EXIT_FAIL;
		}
		snprintf(png, sizeof(png), "%s/free_blocks_%s.png", out, label);
		snprintf(extra, sizeof(extra), "title='%s: free blocks per order at the end, %llu-page zone'",
			 label, (unsigned long long)zone_pages);
		if (plot_run("free_blocks.gp", fb, png, extra)) {
			fprintf(stderr, "mmreplay demo: gnuplot failed for %s\n", png);
			rc = MM_EXIT_FAIL;
		}
	}
	int err = demo_write_summary(out, rows, nrows);
	if (err) {
		fprintf(stderr, "mmreplay demo: %s/buddy_summary.csv: %s\n", out, strerror(-err));
		return MM_EXIT_FAIL;
	}
	printf("\nufi(k): the kernel's unusable free space index at order k (0 = all free memory usable,\n"
	       "1 = none); mixedpb: pageblocks holding pages of a foreign migratetype.\n"
	       "Results in %s/: buddy_summary.csv, timeseries/*.csv, free_blocks_*.csv, frag_*.png,\n"
	       "free_blocks_*.png\n",
	       out);
	return rc;
}
