#include "suite_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "config.h"
#include "csv.h"
#include "fragindex.h"
#include "histo.h"
#include "hostinfo.h"
#include "replay.h"
#include "series.h"
#include "shell.h"
#include "suite_cfg.h"
#include "suite_plots.h"
#include "vma_csv.h"

/* Operation classes with their own latency percentiles. */
enum { LC_VMALLOC, LC_VFREE, LC_PAGE_ALLOC, LC_PAGE_FREE, LC_MUNMAP, LC_NR };
static const char *const lc_names[LC_NR] = {"vmalloc", "vfree", "page_alloc", "page_free", "munmap"};

static int lc_of(unsigned kind)
{
	switch (kind) {
	case MME_VMAP_ALLOC:
		return LC_VMALLOC;
	case MME_VMAP_FREE:
		return LC_VFREE;
	case MME_PAGE_ALLOC:
		return LC_PAGE_ALLOC;
	case MME_PAGE_FREE:
		return LC_PAGE_FREE;
	case MME_MUNMAP:
		return LC_MUNMAP;
	default:
		return -1;
	}
}

struct cell_result {
	struct histo lat[LC_NR];
	double *ns_per_event; /* per repeat */
	u64 heap_allocated, heap_resident;
	bool heap_known;
	u64 hwval[4]; /* hardware counts of the first timed pass (hw_events), when hw[i].hardware */
	struct hwcounter hw[4];
};

/* libpfm4 names of the hardware events counted around the first timed pass, and their columns */
static const char *const hw_events[4] = {"cycles", "instructions", "cache-misses", "dTLB-load-misses"};
static const char *const hw_columns[4] = {"host_cycles_per_event", "host_instructions_per_event",
					  "host_cache_misses_per_event", "host_dtlb_load_misses_per_event"};

static bool replay_has_column(const char *name)
{
	for (const struct replay_column *c = replay_columns; c->name; c++)
		if (!strcmp(c->name, name))
			return true;
	return false;
}

static void summary_header(FILE *f)
{
	fprintf(f, "trace,config");
	for (const struct replay_column *c = replay_columns; c->name; c++)
		if (strcmp(c->name, "trace") && strncmp(c->name, "host_", 5))
			fprintf(f, ",%s", c->name);
	if (!replay_has_column("vma")) {
		fputc(',', f);
		vma_csv_header(f);
	}
	fprintf(f,
		",zone_pages,max_order,mixed_pageblocks,largest_free_order_end,ufi3_end,ufi9_end,efi9_end");
	fprintf(f,
		",host_ns_per_event_min,host_ns_per_event_median,host_ns_per_event_max,host_ns_per_event_all"
		",host_mevents_per_s");
	for (int k = 0; k < LC_NR; k++)
		fprintf(f, ",host_%s_p50_ns,host_%s_p90_ns,host_%s_p99_ns", lc_names[k], lc_names[k],
			lc_names[k]);
	fprintf(f, ",host_heap_allocated_bytes,host_heap_resident_bytes,host_peak_rss_bytes,host_counters");
	for (int i = 0; i < 4; i++)
		fprintf(f, ",%s", hw_columns[i]);
	fputc('\n', f);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void summary_row(FILE *f, const char *label, const char *cfg_label, const struct replay_row *row,
			const struct cell_result *cr, unsigned repeats)
{
	char buf[256];
	const struct sim *s = row->sim;
	const struct buddy *b = sim_top_buddy(s);
	unsigned n = b->max_order + 1;
	fprintf(f, "%s,%s", label, cfg_label);
	for (const struct replay_column *c = replay_columns; c->name; c++)
		if (strcmp(c->name, "trace") && strncmp(c->name, "host_", 5)) {
			c->fmt(row, buf, sizeof(buf));
			fprintf(f, ",%s", buf);
		}
	if (!replay_has_column("vma")) {
		fputc(',', f);
		vma_csv_row(f, s);
	}
	unsigned largest = buddy_largest_free_order(b);
	fprintf(f, ",%llu,%u,%llu,%d,%d,%d,%d", (unsigned long long)b->nr_pages, b->max_order,
		(unsigned long long)buddy_mixed_pageblocks(b), largest == -1u ? -1 : (int)largest,
		fragindex_unusable(b->nr_free, n, MM_MIN(3u, b->max_order)),
		fragindex_unusable(b->nr_free, n, MM_MIN(9u, b->max_order)),
		fragindex_extfrag(b->nr_free, n, MM_MIN(9u, b->max_order)));
	double sorted[1000];
	for (unsigned r = 0; r < repeats; r++)
		sorted[r] = cr->ns_per_event[r];
	qsort(sorted, repeats, sizeof(double), cmp_double);
	double med = repeats % 2 ? sorted[repeats / 2] : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
	fprintf(f, ",%.2f,%.2f,%.2f,", sorted[0], med, sorted[repeats - 1]);
	for (unsigned r = 0; r < repeats; r++)
		fprintf(f, "%s%.2f", r ? ";" : "", cr->ns_per_event[r]);
	fprintf(f, ",%.3f", med > 0 ? 1e3 / med : 0.0);
	for (int k = 0; k < LC_NR; k++) {
		if (cr->lat[k].count)
			fprintf(f, ",%llu,%llu,%llu", (unsigned long long)histo_percentile(&cr->lat[k], 0.50),
				(unsigned long long)histo_percentile(&cr->lat[k], 0.90),
				(unsigned long long)histo_percentile(&cr->lat[k], 0.99));
		else
			fprintf(f, ",,,");
	}
	if (cr->heap_known)
		fprintf(f, ",%llu,%llu", (unsigned long long)cr->heap_allocated,
			(unsigned long long)cr->heap_resident);
	else
		fprintf(f, ",,");
	fprintf(f, ",%llu,%s", (unsigned long long)row->host_rss,
		cr->hw[0].hardware ? "hardware" : "software");
	for (int i = 0; i < 4; i++) {
		fputc(',', f);
		if (cr->hw[i].hardware && row->events)
			fprintf(f, "%.3f", (double)cr->hwval[i] / (double)row->events);
	}
	fputc('\n', f);
}

/* The sampled pass: time series and per-operation latencies. */
static int cell_sampled(const struct mm_trace *t, const struct sim_cfg *cfg, u64 every, const char *dir,
			const char *rel, struct cell_result *cr)
{
	struct sim *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	u64 a0 = 0, r0 = 0, a1, r1;
	bool heap = hostinfo_heap(&a0, &r0);
	int err = sim_init(s, cfg);
	if (err) {
		free(s);
		return err;
	}
	struct csv ts;
	if ((err = csv_open_in(&ts, dir, rel))) {
		fprintf(stderr, "\nmmreplay suite: %s: %s\n", ts.out.path, csv_error(&ts, err));
		sim_fini(s);
		free(s);
		return 1; /* reported */
	}
	series_header(ts.f, sim_top_buddy(s)->max_order);
	struct series_host h = {0, 0};
	for (size_t i = 0; i < t->n && !err; i++) {
		if (i % every == 0)
			series_row(ts.f, i, s, &h);
		u64 t0 = clock_ns();
		err = sim_event(s, &t->ev[i]);
		u64 d = clock_ns() - t0;
		h.ns += d;
		int k = lc_of(t->ev[i].kind);
		if (k >= 0)
			histo_record(&cr->lat[k], d);
		if (k == LC_VMALLOC || k == LC_VFREE)
			h.vmap_ns += d;
	}
	if (!err)
		series_row(ts.f, t->n, s, &h);
	if (heap && hostinfo_heap(&a1, &r1)) {
		cr->heap_known = true;
		cr->heap_allocated = a1 > a0 ? a1 - a0 : 0;
		cr->heap_resident = r1 > r0 ? r1 - r0 : 0;
	}
	sim_fini(s);
	free(s);
	if (err) {
		csv_abort(&ts);
		return err;
	}
	if ((err = csv_commit(&ts)))
		fprintf(stderr, "\nmmreplay suite: %s: %s\n", ts.out.path, csv_error(&ts, err));
	return err ? 1 : 0;
}

struct trace_slot {
	char label[128];
	struct mm_trace t;
	bool loaded;
};

static int run_cell(const struct suite *s, const struct suite_run_opts *o, struct trace_slot *ts, size_t ci,
		    FILE *summary, bool tty, size_t k, size_t total)
{
	struct sim_cfg cfg;
	char err_s[256], cfg_label[512], path[4096];
	if (suite_cfg_build(s, ci, &cfg, err_s, sizeof(err_s))) {
		fprintf(stderr, "mmreplay suite: %s\n", err_s);
		return -EINVAL;
	}
	if (!cfg.ncpus)
		cfg.ncpus = sim_trace_ncpus(ts->t.ev, ts->t.n);
	suite_cfg_label(s, ci, cfg_label, sizeof(cfg_label));
	if (tty)
		fprintf(stderr, "\r[%zu/%zu] %s %s ...%20s", k + 1, total, ts->label, cfg_label, "");
	struct cell_result cr;
	memset(&cr, 0, sizeof(cr));
	double ns[1000];
	cr.ns_per_event = ns;
	char slug[512];
	snprintf(slug, sizeof(slug), "%s", cfg_label);
	for (char *p = slug; *p; p++)
		if (*p == '/')
			*p = '_';
	snprintf(path, sizeof(path), "timeseries/%s__%s.csv", ts->label, slug);
	u64 every = s->sample_every ? s->sample_every : series_every(ts->t.n, 1000);
	int err = cell_sampled(&ts->t, &cfg, every, o->out_dir, path, &cr);
	if (err > 0)
		return -EIO;
	if (err) {
		fprintf(stderr, "\nmmreplay suite: %s %s: %s\n", ts->label, cfg_label, strerror(-err));
		return err;
	}
	for (int i = 0; i < 4; i++)
		hwcounter_open(&cr.hw[i], hw_events[i]);
	struct replay_row row;
	memset(&row, 0, sizeof(row));
	for (unsigned r = 0; r < s->repeats; r++) {
		if (r)
			replay_row_fini(&row);
		u64 c0[4];
		for (int i = 0; i < 4; i++)
			c0[i] = hwcounter_read(&cr.hw[i]);
		err = replay_run(ts->label, ts->t.ev, ts->t.n, &cfg, &row);
		for (int i = 0; r == 0 && i < 4; i++)
			cr.hwval[i] = hwcounter_read(&cr.hw[i]) - c0[i];
		if (err) {
			for (int i = 0; i < 4; i++)
				hwcounter_close(&cr.hw[i]);
			fprintf(stderr, "\nmmreplay suite: %s %s: %s\n", ts->label, cfg_label,
				strerror(-err));
			return err;
		}
		ns[r] = row.events ? (double)row.host_ns / (double)row.events : 0.0;
	}
	for (int i = 0; i < 4; i++)
		hwcounter_close(&cr.hw[i]);
	summary_row(summary, ts->label, cfg_label, &row, &cr, s->repeats);
	if (o->table) {
		const struct sim *m = row.sim;
		if (k == 0)
			printf("%-26s %-32s %9s %11s %9s %7s %9s\n", "trace", "config", "events",
			       "vmlist_vis", "flushes", "ufi(9)", "ns/event");
		u64 flushes = m->vm.tlb.st.flush_all + m->vm.tlb.st.flush_range + m->procs.st.tlb_flush_range;
		const struct buddy *mb = sim_top_buddy(m);
		unsigned n = mb->max_order + 1;
		if (tty)
			fprintf(stderr, "\r%100s\r", "");
		printf("%-26.26s %-32.32s %9llu %11llu %9llu %7.3f %9.1f\n", ts->label, cfg_label,
		       (unsigned long long)row.events, (unsigned long long)m->vm.vl.st.visits,
		       (unsigned long long)flushes,
		       fragindex_unusable(mb->nr_free, n, MM_MIN(9u, mb->max_order)) / 1000.0,
		       ns[s->repeats / 2]);
		fflush(stdout);
	}
	replay_row_fini(&row);
	return 0;
}

int suite_list_jobs(const struct suite *s, const char *path, const char *out_dir, FILE *f)
{
	char file[4200]; /* "-x.ini" would read as an option: "./-x.ini" */
	snprintf(file, sizeof(file), "%s%s", path[0] == '-' ? "./" : "", path);
	if (!shell_one_line(path) || !shell_one_line(out_dir))
		return -EINVAL; /* one command per line */
	for (size_t k = 0; k < suite_ncells(s); k++) {
		shell_quote(f, shell_self());
		fprintf(f, " suite --job %zu --out ", k);
		shell_quote(f, out_dir);
		fputc(' ', f);
		shell_quote(f, file);
		fputc('\n', f);
	}
	return 0;
}

int suite_run(const struct suite *s, const struct suite_run_opts *o)
{
	size_t nconf = suite_nconfigs(s), ncells = suite_ncells(s);
	char err_s[256];
	for (size_t c = 0; c < nconf; c++) {
		struct sim_cfg cfg;
		if (suite_cfg_build(s, c, &cfg, err_s, sizeof(err_s))) {
			fprintf(stderr, "mmreplay suite: %s: %s\n", s->name, err_s);
			return MM_EXIT_USAGE;
		}
	}
	if (o->job >= 0 && (size_t)o->job >= ncells) {
		fprintf(stderr, "mmreplay suite: --job %ld: the suite has %zu cells (0..%zu)\n", o->job,
			ncells, ncells - 1);
		return MM_EXIT_USAGE;
	}
	char rel[64];
	if (o->job >= 0)
		snprintf(rel, sizeof(rel), "cells/cell-%05ld.csv", o->job);
	else
		snprintf(rel, sizeof(rel), "summary.csv");
	struct csv sum;
	int err = csv_open_in(&sum, o->out_dir, rel);
	const char *path = sum.out.path;
	if (err) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", path, csv_error(&sum, err));
		return MM_EXIT_FAIL;
	}
	summary_header(sum.f);
	bool tty = isatty(STDERR_FILENO);
	if (o->table)
		printf("%-26s %-32s %9s %11s %9s %7s %9s\n", "trace", "config", "events", "vmlist_vis",
		       "flushes", "ufi(9)", "ns/event");
	size_t first = o->job >= 0 ? (size_t)o->job : 0, last = o->job >= 0 ? (size_t)o->job + 1 : ncells;
	int rc = MM_EXIT_OK;
	for (size_t ti = first / nconf; ti <= (last - 1) / nconf && rc == MM_EXIT_OK; ti++) {
		struct trace_slot slot;
		struct mm_diag d;
		memset(&slot, 0, sizeof(slot));
		suite_trace_label(s->traces[ti], slot.label, sizeof(slot.label));
		if (tty)
			fprintf(stderr, "\rloading %s ...%40s", slot.label, "");
		if (suite_trace_load(s->traces[ti], &slot.t, &d)) {
			fprintf(stderr, "\nmmreplay suite: %s\n", d.msg);
			rc = MM_EXIT_FAIL;
			break;
		}
		for (size_t k = MM_MAX(first, ti * nconf); k < MM_MIN(last, (ti + 1) * nconf); k++)
			if (run_cell(s, o, &slot, k % nconf, sum.f, tty, k - first, last - first)) {
				rc = MM_EXIT_FAIL;
				break;
			}
		trace_free(&slot.t);
	}
	if (tty)
		fprintf(stderr, "\r%100s\r", "");
	if (rc != MM_EXIT_OK) {
		csv_abort(&sum);
		return rc;
	}
	if ((err = csv_commit(&sum))) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", path, csv_error(&sum, err));
		return MM_EXIT_FAIL;
	}
	if (o->plots && suite_plots(o->out_dir, stderr))
		rc = MM_EXIT_FAIL;
	return rc;
}
