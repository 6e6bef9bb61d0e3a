/* The sections of the report page that are tables of the run's own files: the answer table, the
 * graphs, the comparison against the baseline, the commands (report.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/output/compare.h"
#include "bench/output/report.h"
#include "core/machine/settings.h"

/* The answer table's columns: a summary column, its heading, and the trace facts it needs. */
static const struct {
	const char *col, *head;
	int needs; /* 0 any, 1 vmap events, 2 pages from the buddy, 3 process calls */
} answer_cols[] = {
	{"vmlist_visits", "vmlist visits", 1},
	{"tlb_flushes", "TLB flushes", 1},
	{"vmap_alloc_failures", "vmap failures", 1},
	{"ufi9_end", "ufi(9), thousandths", 2},
	{"largest_free_order_end", "largest free order", 2},
	{"alloc_failures", "alloc failures", 2},
	{"find_vma_visits", "find_vma visits", 3},
	{"vma_splits", "VMA splits", 3},
	{"vma_merges", "VMA merges", 3},
	{"mm_tlb_flush_range", "process TLB flushes", 3},
	{"host_munmap_p50_ns", "munmap p50 ns", 3},
	{"host_ns_per_event_median", "host ns/event", 0},
};

static bool needs_met(const struct report_trace *t, int needs)
{
	return needs == 0 || (needs == 1 && t->vmap_events) ||
	       (needs == 2 && (t->page_events || t->vmap_events)) || (needs == 3 && t->process_calls);
}

static void answer_table(const struct report *rp, const struct report_trace *t)
{
	FILE *f = rp->f;
	fprintf(f, "<h3>Answer table</h3>\n<table class=\"answer-table\"><thead><tr><th>configuration</th>");
	for (size_t c = 0; c < MM_ARRAY_SIZE(answer_cols); c++)
		if (needs_met(t, answer_cols[c].needs) && csvtab_col(&rp->sum, answer_cols[c].col) >= 0) {
			fprintf(f, "<th title=\"%s\">", answer_cols[c].col);
			report_esc(f, answer_cols[c].head);
			fprintf(f, "</th>");
		}
	fprintf(f, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < t->nrows; i++) {
		size_t r = t->rows[i];
		fprintf(f, "<tr%s><td class=\"config\">", r == t->ref ? " class=\"reference\"" : "");
		report_esc(f, report_field(rp, r, "config"));
		fprintf(f, "</td>");
		for (size_t c = 0; c < MM_ARRAY_SIZE(answer_cols); c++) {
			char num[64];
			const char *v = report_field(rp, r, answer_cols[c].col);
			if (!needs_met(t, answer_cols[c].needs) ||
			    csvtab_col(&rp->sum, answer_cols[c].col) < 0)
				continue;
			report_num(v, num, sizeof(num));
			fprintf(f, "<td class=\"num\" data-col=\"%s\" data-value=\"", answer_cols[c].col);
			report_esc(f, v);
			fprintf(f, "\">");
			report_esc(f, num);
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody></table>\n<p class=\"note\">The highlighted row is the reference "
		   "configuration (the settings' defaults where the trace ran them); the answers above "
		   "hold every other axis at its values.</p>\n");
}

static void graphs(const struct report *rp, const struct report_trace *t)
{
	FILE *f = rp->f;
	int ct = rp->have_graphs ? csvtab_col(&rp->graphs, "trace") : -1,
	    cf = rp->have_graphs ? csvtab_col(&rp->graphs, "file") : -1,
	    cn = rp->have_graphs ? csvtab_col(&rp->graphs, "note") : -1;
	size_t n = 0;
	fprintf(f, "<h3>Graphs</h3>\n");
	for (size_t r = 0; ct >= 0 && cf >= 0 && r < rp->graphs.nrows; r++) {
		if (strcmp(rp->graphs.rows[r][ct], t->label))
			continue;
		const char *file = rp->graphs.rows[r][cf];
		fprintf(f, "<figure><img src=\"");
		report_url(f, file);
		fprintf(f, "\" alt=\"");
		report_esc(f, file);
		fprintf(f, "\" width=\"900\" height=\"540\"><figcaption>");
		report_esc(f, file);
		if (cn >= 0 && rp->graphs.rows[r][cn][0]) {
			fprintf(f, ": ");
			report_esc(f, rp->graphs.rows[r][cn]);
		}
		fprintf(f, "</figcaption></figure>\n");
		n++;
	}
	if (!n)
		fprintf(f, "<p>No graphs (the run was made with --no-plots, or gnuplot is missing: "
			   "<code>mmreplay plot DIR</code> draws them).</p>\n");
}

static void baseline(const struct report *rp, const struct report_trace *t, const struct compare *c)
{
	FILE *f = rp->f;
	size_t i;
	for (i = 0; c && i < c->ntraces && strcmp(c->tr[i].trace, t->label); i++)
		;
	fprintf(f, "<h3>Against the baseline</h3>\n");
	if (!c || i == c->ntraces) {
		fprintf(f, "<p>Only one configuration ran: nothing to compare.</p>\n");
		return;
	}
	const struct compare_line **sel = malloc((c->tr[i].nlines + 1) * sizeof(*sel));
	size_t n = sel ? compare_short(c, i, sel) : 0, shown = 0, few = 0;
	for (size_t k = 0; k < c->tr[i].nlines; k++)
		few += c->tr[i].lines[k].host && c->tr[i].lines[k].verdict < 0;
	fprintf(f, "<p>Baseline <code>");
	report_esc(f, c->tr[i].baseline);
	fprintf(f,
		"</code>: %zu of %zu differences are beyond noise. Model metrics are deterministic. A host "
		"metric needs at least %u repeats on each side and Welch's p &lt; 0.05 after "
		"<span class=\"correction\">%s's correction for the %zu host tests on this page</span>; its "
		"change is the difference of the means with a 95 %% interval (the effect size), and no "
		"direction is claimed where that interval includes 0.",
		n, c->tr[i].nlines, REPORT_MIN_REPEATS, compare_correction_name(COMPARE_HOLM), c->ntests);
	if (!c->ntests)
		fprintf(f, " No host difference on this page has the repeats to be tested.");
	if (few)
		fprintf(f,
			" <span class=\"few-repeats\">%zu host differences have fewer than %u repeats: shown "
			"in the table, never tested (run the suite with --repeats %u or more).</span>",
			few, REPORT_MIN_REPEATS, REPORT_MIN_REPEATS);
	fprintf(f, " The largest effects:</p>\n");
	fprintf(f, "<table class=\"compare\"><thead><tr><th>metric</th><th>configuration</th><th>value</th>"
		   "<th>baseline</th><th>change</th><th>significance</th></tr></thead><tbody>\n");
	for (size_t k = 0; k < n && shown < 12; k++) {
		const struct compare_line *l = sel[k];
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = !strcmp(sel[j]->metric, l->metric) && sel[j]->value == l->value && !l->host;
		if (dup)
			continue;
		char v[48], b[48], rel[160];
		compare_fmt(l->value, v, sizeof(v));
		compare_fmt(l->base, b, sizeof(b));
		if (l->host && !isnan(l->ci_lo) && isfinite(l->ci_lo))
			snprintf(rel, sizeof(rel), "%+.4g (95 %% interval %+.4g to %+.4g)",
				 (l->ci_lo + l->ci_hi) / 2, l->ci_lo, l->ci_hi);
		else if (isnan(l->pct))
			snprintf(rel, sizeof(rel), "%+g", l->value - l->base);
		else
			snprintf(rel, sizeof(rel), "%+.1f%%", l->pct);
		fprintf(f, "<tr><td>");
		report_esc(f, l->metric);
		fprintf(f, "</td><td>");
		report_esc(f, l->config);
		fprintf(f,
			"</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td "
			"class=\"num\">%s</td><td>",
			v, b, rel);
		if (l->host && l->verdict < 0)
			fprintf(f, "not tested: %zu repeats", l->nrep);
		else if (l->host)
			fprintf(f, "p = %.2g, %s-corrected %.2g%s", l->p,
				compare_correction_name(COMPARE_HOLM), l->p_adj,
				l->verdict > 0 ? " (significant)" : "");
		else
			fprintf(f, "deterministic");
		fprintf(f, "</td></tr>\n");
		shown++;
	}
	fprintf(f, "</tbody></table>\n");
	free(sel);
}

/* `mmreplay replay` of the trace's reference configuration (a file), or its generator first. */
static void reproduce(const struct report *rp, const struct report_trace *t)
{
	FILE *f = rp->f;
	fprintf(f, "<h3>Reproduce</h3>\n<pre>");
	if (rp->command[0]) {
		report_esc(f, rp->command);
		fprintf(f, "    # the whole run\n");
	}
	const char *spec = t->spec && t->spec[0] ? t->spec : NULL, *file = spec;
	if (spec && !strncmp(spec, "gen:", 4)) {
		char cmd[1024];
		size_t n = (size_t)snprintf(cmd, sizeof(cmd), "mmreplay gen %.*s",
					    (int)strcspn(spec + 4, " "), spec + 4);
		for (const char *p = spec + 4 + strcspn(spec + 4, " "); *p && n < sizeof(cmd);) {
			p += strspn(p, " ");
			size_t w = strcspn(p, " "), k = strcspn(p, "=");
			if (!w)
				break;
			n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " --%.*s%s%.*s", (int)(k < w ? k : w),
					      p, k < w ? " " : "", (int)(k < w ? w - k - 1 : 0), p + k + 1);
			p += w;
		}
		report_esc(f, cmd);
		fprintf(f, " --out trace.mmr\n");
		file = "trace.mmr";
	}
	if (file) {
		fprintf(f, "mmreplay replay");
		for (size_t c = 0; c < rp->sum.ncols; c++) {
			const struct setting *s = settings_find(rp->sum.head[c]);
			const char *v = rp->sum.rows[t->ref][c];
			bool variant = s && s->kind == SETTING_VARIANT;
			if (s && s->axis && (variant || strcmp(v, s->def)) &&
			    strcmp(s->def, "from the trace")) {
				fprintf(f, " --%s ", s->name);
				report_esc(f, v);
			}
		}
		fprintf(f, " ");
		report_esc(f, file);
		fprintf(f, "    # its reference configuration\n");
	}
	fprintf(f, "</pre>\n");
}

/* What perf lost while recording: in no column but events_lost, since the trace does not hold it. */
static void lost(const struct report *rp, const struct report_trace *t)
{
	if (csvtab_col(&rp->sum, "events_lost") < 0)
		return;
	double n = report_number(rp, t->ref, "events_lost"), ev = report_number(rp, t->ref, "events");
	fprintf(rp->f, "<p class=\"lost\" data-lost=\"");
	report_esc(rp->f, report_field(rp, t->ref, "events_lost"));
	fprintf(rp->f, "\">");
	if (n > 0) {
		fprintf(rp->f, "<b>perf lost ");
		report_esc_num(rp->f, report_field(rp, t->ref, "events_lost"));
		fprintf(rp->f,
			" events while recording</b> (%.3g %% of all; events_lost): the trace does not hold "
			"them, so every figure below misses their work.</p>\n",
			100 * n / (n + ev));
	} else if (t->source == REPORT_GENERATED) {
		fprintf(rp->f, "Nothing was recorded, so nothing was lost: a generated workload.</p>\n");
	} else if (report_number(rp, t->ref, "events_noted") > 0) { /* a recorder that keeps perf's marks */
		fprintf(rp->f, "No events were lost while recording (events_lost 0).</p>\n");
	} else {
		fprintf(rp->f, "The trace shows no lost events (events_lost 0); a perf trace recorded "
			       "before the recorders kept perf's lost records would not show them.</p>\n");
	}
}

/* Whose work the answers count, and its share of the events. */
static void workload(const struct report *rp, const struct report_trace *t)
{
	FILE *f = rp->f;
	if (!t->workload[0]) /* a summary from before the workload columns */
		return;
	double ev = report_number(rp, t->ref, "events") - report_number(rp, t->ref, "events_noted"),
	       mine = report_number(rp, t->ref, "workload_events");
	fprintf(f, "<p class=\"workload\" data-workload=\"");
	report_esc(f, t->workload);
	char nm[32], nev[32];
	snprintf(nm, sizeof(nm), "%.0f", mine);
	snprintf(nev, sizeof(nev), "%.0f", ev);
	fprintf(f, "\" data-events=\"%s\" data-of=\"%s\">", nm, nev);
	report_num(nm, nm, sizeof(nm));
	report_num(nev, nev, sizeof(nev));
	if (!report_workload(rp, t)) {
		fprintf(f,
			"Workload: every event (<code>all</code>)%s; the answers count the whole "
			"machine's work.</p>\n",
			t->source == REPORT_GENERATED
				? ""
				: ": the trace names no recorded command, or --workload "
				  "all was given");
		return;
	}
	fprintf(f, "Workload <code>");
	report_esc(f, t->workload);
	fprintf(f,
		"</code>%s: <b>%s of %s events (%.1f %%)</b>. The answers count its work and the "
		"kernel work done on its behalf (the workload_ columns: a kworker's vfree of its areas, a "
		"purge in the share of the waiting pages it freed); the machine replays every event, "
		"so the other tasks' events still shape the state it meets (<code>--workload all</code> "
		"counts everyone's).</p>\n",
		!strncmp(t->workload, "tree:", 5) ? " (a process tree: the recorded command's by default)"
						  : "",
		nm, nev, ev > 0 ? 100 * mine / ev : 0.0);
}

static void trace_section(const struct report *rp, const struct report_trace *t, const struct compare *c)
{
	FILE *f = rp->f;
	char n[5][32];
	snprintf(n[0], sizeof(n[0]), "%llu", (unsigned long long)t->events);
	snprintf(n[1], sizeof(n[1]), "%llu", (unsigned long long)t->vmap_events);
	snprintf(n[2], sizeof(n[2]), "%llu", (unsigned long long)t->page_events);
	snprintf(n[3], sizeof(n[3]), "%llu", (unsigned long long)t->process_calls);
	for (int i = 0; i < 4; i++)
		report_num(n[i], n[i], sizeof(n[i]));
	fprintf(f, "<section class=\"trace\" id=\"trace-%zu\" data-trace=\"", (size_t)(t - rp->tr));
	report_esc(f, t->label);
	fprintf(f, "\">\n<h2>");
	report_esc(f, t->label);
	fprintf(f, "</h2>\n<p class=\"facts\">%s events: %s vmap events, %s page events, %s process calls. ",
		n[0], n[1], n[2], n[3]);
	if (t->known && t->axes_apply[0]) {
		fprintf(f, "Axes that can change its replay: ");
		report_esc(f, t->axes_apply);
		fprintf(f, ". ");
	}
	fprintf(f, "%zu of %zu cells ran%s.</p>\n", t->cells_run, t->cells,
		t->cells_run < t->cells ? " (the others cannot differ: skipped.csv says why)" : "");
	lost(rp, t);
	workload(rp, t);
	report_answers(rp, t);
	answer_table(rp, t);
	graphs(rp, t);
	baseline(rp, t, c);
	report_limits(rp, t);
	reproduce(rp, t);
	fprintf(f, "</section>\n");
}

static const char report_style[] =
	"body{font-family:sans-serif;max-width:1200px;margin:1em auto;padding:0 1em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0;font-size:90%}"
	"td,th{border:1px solid #ccc;padding:2px "
	"6px}td.num{text-align:right;font-variant-numeric:tabular-nums}"
	"tr.reference{background:#eef5ff}li.answer{margin:.3em 0;font-size:105%}"
	"figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #ddd}"
	"section.trace{border-top:2px solid #4a7ab5;margin-top:2em}.note{color:#555;font-size:90%}"
	"pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap;overflow-wrap:anywhere}";

/* The page needs no script, no network, no form: only its own inline style and the graphs beside
 * it. A browser enforcing this runs nothing even if markup slipped past report_esc. */
static const char report_csp[] = "default-src 'none'; img-src 'self' file:; style-src 'unsafe-inline'; "
				 "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";

void report_page(const struct report *rp)
{
	FILE *f = rp->f;
	const char *name = strrchr(rp->dir, '/') ? strrchr(rp->dir, '/') + 1 : rp->dir;
	struct compare c;
	struct mm_diag d;
	char path[4096];
	struct compare_opts o = {.alpha = 0.05,
				 .min_effect = 0.01,
				 .correction = COMPARE_HOLM,
				 .min_repeats = REPORT_MIN_REPEATS};
	snprintf(path, sizeof(path), "%s/summary.csv", rp->dir);
	bool have_cmp = !compare_load(&c, path, &o, &d);
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n<title>mmreplay: ",
		report_csp);
	report_esc(f, name);
	fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n<h1>mmreplay results: ", report_style);
	report_esc(f, name);
	fprintf(f,
		"</h1>\n<p>%zu traces, %zu cells. Files beside this page: summary.csv (one row per cell), "
		"timeseries/, skipped.csv, the graphs (*.svg, *.png). Lower is better for every count and "
		"index below unless said otherwise.</p>\n",
		rp->ntr, rp->sum.nrows);
	if (rp->command[0]) {
		fprintf(f, "<p>Reproduce: <code>");
		report_esc(f, rp->command);
		fprintf(f, "</code></p>\n");
	}
	fprintf(f, "<ul class=\"toc\">");
	for (size_t i = 0; i < rp->ntr; i++) {
		fprintf(f, "<li><a href=\"#trace-%zu\">", i);
		report_esc(f, rp->tr[i].label);
		fprintf(f, "</a></li>");
	}
	fprintf(f, "</ul>\n");
	report_fidelity(rp);
	report_placement(rp);
	for (size_t i = 0; i < rp->ntr; i++)
		trace_section(rp, &rp->tr[i], have_cmp ? &c : NULL);
	fprintf(f, "</body></html>\n");
	if (have_cmp)
		compare_free(&c);
}
