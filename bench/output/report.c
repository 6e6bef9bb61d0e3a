#include "bench/output/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "workloads/infile.h"
#include "bench/output/compare.h"
#include "bench/output/csv.h"
#include "bench/output/metrics.h"
#include "core/machine/settings.h"

void report_esc(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
		}
}

void report_url(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~", c))
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

void report_num(const char *text, char *buf, size_t len)
{
	double v;
	if (!csv_number(text, &v) || fabs(v) >= 1e18 || v != floor(v) || strchr(text, '.')) {
		snprintf(buf, len, "%s", text);
		return;
	}
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%lld", (long long)fabs(v)), k = 0;
	size_t o = 0;
	if (v < 0 && o + 1 < len)
		buf[o++] = '-';
	for (int i = 0; i < n && o + 2 < len; i++) {
		buf[o++] = digits[i];
		k = n - i - 1;
		if (k && k % 3 == 0)
			buf[o++] = ',';
	}
	buf[o] = 0;
}

void report_esc_num(FILE *f, const char *text)
{
	char num[64];
	report_num(text, num, sizeof(num));
	report_esc(f, num);
}

const char *report_field(const struct report *rp, size_t r, const char *col)
{
	int c = csvtab_col(&rp->sum, col);
	return c >= 0 && r < rp->sum.nrows ? rp->sum.rows[r][c] : "";
}

double report_number(const struct report *rp, size_t r, const char *col)
{
	double v = 0;
	csv_number(report_field(rp, r, col), &v);
	return v;
}

/* Configuration columns of the summary that name a setting (the axes a row can differ in). */
static bool setting_col(const char *name)
{
	const struct metric *m = metric_find(name, METRIC_IN_SUMMARY);
	return m && m->cls == METRIC_CONFIG && settings_find(name);
}

size_t report_row(const struct report *rp, const struct report_trace *t, const char *axis, const char *value)
{
	for (size_t i = 0; i < t->nrows; i++) {
		size_t r = t->rows[i];
		bool ok = !strcmp(report_field(rp, r, axis), value);
		for (size_t c = 0; ok && c < rp->sum.ncols; c++)
			if (strcmp(rp->sum.head[c], axis) && setting_col(rp->sum.head[c]))
				ok = !strcmp(rp->sum.rows[r][c], rp->sum.rows[t->ref][c]);
		if (ok)
			return r;
	}
	return (size_t)-1;
}

/* The row that runs the most settings at their defaults. */
static size_t reference_row(const struct report *rp, const struct report_trace *t)
{
	size_t best = t->rows[0];
	int best_score = -1;
	for (size_t i = 0; i < t->nrows; i++) {
		int score = 0;
		for (size_t c = 0; c < rp->sum.ncols; c++) {
			const struct setting *s =
				setting_col(rp->sum.head[c]) ? settings_find(rp->sum.head[c]) : NULL;
			score += s && !strcmp(s->def, rp->sum.rows[t->rows[i]][c]);
		}
		if (score > best_score)
			best_score = score, best = t->rows[i];
	}
	return best;
}

static u64 tnum(const struct csvtab *t, size_t r, const char *col)
{
	int c = csvtab_col(t, col);
	double v = 0;
	if (c >= 0)
		csv_number(t->rows[r][c], &v);
	return (u64)v;
}

/* The trace's facts from traces.csv, or inferred from its reference row. */
static void trace_facts(struct report *rp, struct report_trace *t)
{
	int c = rp->have_traces ? csvtab_col(&rp->traces, "trace") : -1;
	for (size_t r = 0; c >= 0 && r < rp->traces.nrows; r++)
		if (!strcmp(rp->traces.rows[r][c], t->label)) {
			t->known = true;
			t->events = tnum(&rp->traces, r, "events");
			t->vmap_events = tnum(&rp->traces, r, "vmap_events");
			t->page_events = tnum(&rp->traces, r, "page_events");
			t->process_calls = tnum(&rp->traces, r, "process_calls");
			t->kmap_events = tnum(&rp->traces, r, "kmap_events");
			t->cells = tnum(&rp->traces, r, "cells");
			t->cells_run = tnum(&rp->traces, r, "cells_run");
			t->spec = rp->traces.rows[r][csvtab_col(&rp->traces, "spec")];
			t->axes_apply = rp->traces.rows[r][csvtab_col(&rp->traces, "axes_apply")];
			return;
		}
	size_t r = t->ref;
	t->events = (u64)report_number(rp, r, "events");
	t->vmap_events = (u64)(report_number(rp, r, "vmap_allocs") + report_number(rp, r, "vmap_frees"));
	t->page_events = (u64)(report_number(rp, r, "page_allocs") + report_number(rp, r, "page_frees"));
	t->process_calls = (u64)(report_number(rp, r, "munmap_calls") + report_number(rp, r, "vmas_peak"));
	t->kmap_events = (u64)(report_number(rp, r, "kmaps") + report_number(rp, r, "kunmaps"));
	t->cells = t->cells_run = t->nrows;
	t->spec = t->axes_apply = "";
}

/* A recording's replay seeds the recorded machine (page state, vmalloc space) and is checked
 * against its snapshots; its spec is a directory. */
static enum report_source trace_source(const struct report *rp, const struct report_trace *t)
{
	struct stat st;
	size_t r = t->ref;
	if (t->spec && !strncmp(t->spec, "gen:", 4))
		return REPORT_GENERATED;
	if ((t->spec && t->spec[0] && !stat(t->spec, &st) && S_ISDIR(st.st_mode)) ||
	    report_number(rp, r, "vmap_seeded_areas") > 0 || report_number(rp, r, "snaps_compared") > 0 ||
	    !strcmp(report_field(rp, r, "model_pages"), "none"))
		return REPORT_RECORDING;
	return REPORT_TRACE_FILE;
}

static int group_traces(struct report *rp)
{
	int ct = csvtab_col(&rp->sum, "trace");
	if (ct < 0 || csvtab_col(&rp->sum, "config") < 0)
		return -EINVAL;
	rp->tr = calloc(rp->sum.nrows + 1, sizeof(*rp->tr));
	if (!rp->tr)
		return -ENOMEM;
	for (size_t r = 0; r < rp->sum.nrows; r++) {
		size_t i;
		for (i = 0; i < rp->ntr && strcmp(rp->tr[i].label, rp->sum.rows[r][ct]); i++)
			;
		if (i == rp->ntr) {
			rp->tr[i].label = rp->sum.rows[r][ct];
			rp->tr[i].rows = calloc(rp->sum.nrows, sizeof(size_t));
			if (!rp->tr[i].rows)
				return -ENOMEM;
			rp->ntr++;
		}
		rp->tr[i].rows[rp->tr[i].nrows++] = r;
	}
	for (size_t i = 0; i < rp->ntr; i++) {
		rp->tr[i].ref = reference_row(rp, &rp->tr[i]);
		trace_facts(rp, &rp->tr[i]);
		rp->tr[i].source = trace_source(rp, &rp->tr[i]);
		rp->tr[i].workload = report_field(rp, rp->tr[i].ref, "workload");
	}
	return 0;
}

bool report_workload(const struct report *rp, const struct report_trace *t)
{
	return t->workload[0] && strcmp(t->workload, "all") && csvtab_col(&rp->sum, "workload_events") >= 0;
}

/* Optional inputs: a missing file leaves its part out. */
static bool read_opt(const char *dir, const char *name, struct csvtab *t)
{
	char path[4096];
	struct mm_diag d;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !csvtab_read_regular(path, t, &d);
}

static void read_command(struct report *rp)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/command.txt", rp->dir);
	struct mm_diag d;
	FILE *f = infile_fopen(path, INFILE_REGULAR, &d);
	rp->command[0] = 0;
	if (!f)
		return;
	if (!fgets(rp->command, sizeof(rp->command), f))
		rp->command[0] = 0;
	rp->command[strcspn(rp->command, "\r\n")] = 0;
	fclose(f);
}

int report_write(const char *dir, const char *cmd)
{
	struct report rp = {.dir = dir};
	struct mm_diag d;
	char path[4096];
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	int err = csvtab_read_regular(path, &rp.sum, &d);
	if (err) {
		fprintf(stderr, "mmreplay %s: %s\n", cmd, d.msg);
		return err;
	}
	rp.have_traces = read_opt(dir, "traces.csv", &rp.traces);
	rp.have_graphs = read_opt(dir, "plots/graphs.csv", &rp.graphs);
	read_command(&rp);
	err = group_traces(&rp);
	if (err)
		fprintf(stderr, "mmreplay %s: %s: %s\n", cmd, path,
			err == -EINVAL ? "not a suite summary (no trace and config columns)"
				       : strerror(-err));
	struct csv out;
	if (!err && (err = csv_open_in(&out, dir, "index.html")))
		fprintf(stderr, "mmreplay %s: %s: %s\n", cmd, out.out.path, csv_error(&out, err));
	if (!err) {
		rp.f = out.f;
		report_page(&rp);
		if ((err = csv_commit(&out)))
			fprintf(stderr, "mmreplay %s: %s: %s\n", cmd, out.out.path, csv_error(&out, err));
	}
	for (size_t i = 0; rp.tr && i < rp.ntr; i++)
		free(rp.tr[i].rows);
	free(rp.tr);
	csvtab_free(&rp.sum);
	if (rp.have_traces)
		csvtab_free(&rp.traces);
	if (rp.have_graphs)
		csvtab_free(&rp.graphs);
	return err;
}
