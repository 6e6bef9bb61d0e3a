/* The report page's answers, known limits and fidelity figures, as tables (report.h). */
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/output/metrics.h"
#include "bench/output/report.h"

#define MAX_VALUES 16

/* One figure of an answer: a metric's value for each value of the axis, the other axes at the
 * trace's reference configuration. */
struct figure {
	const char *metric;
	size_t n;
	const char *value[MAX_VALUES]; /* the axis's values, in summary order */
	const char *text[MAX_VALUES];  /* the metric's CSV text */
	double x[MAX_VALUES];
};

static void figure_read(const struct report *rp, const struct report_trace *t, const char *axis,
			const char *metric, struct figure *g)
{
	g->metric = metric;
	g->n = 0;
	for (size_t i = 0; i < t->nrows && g->n < MAX_VALUES; i++) {
		const char *v = report_field(rp, t->rows[i], axis);
		bool seen = false;
		for (size_t k = 0; k < g->n && !seen; k++)
			seen = !strcmp(g->value[k], v);
		size_t r = seen ? (size_t)-1 : report_row(rp, t, axis, v);
		if (r == (size_t)-1)
			continue;
		g->value[g->n] = v;
		g->text[g->n] = report_field(rp, r, metric);
		g->x[g->n] = report_number(rp, r, metric);
		g->n++;
	}
}

static int figure_find(const struct figure *g, const char *value)
{
	for (size_t k = 0; k < g->n; k++)
		if (!strcmp(g->value[k], value))
			return (int)k;
	return -1;
}

/* <span class="fig" data-metric=... data-values="v=text;...">TEXT</span>, TEXT from fmt. */
static void fig_open(FILE *f, const struct figure *g)
{
	fprintf(f, "<span class=\"fig\" data-metric=\"%s\" data-values=\"", g->metric);
	for (size_t k = 0; k < g->n; k++) {
		fprintf(f, "%s", k ? ";" : "");
		report_esc(f, g->value[k]);
		fputc('=', f);
		report_esc(f, g->text[k]);
	}
	fprintf(f, "\">");
}

/* "list 17,016,862, rbtree 15,114,898, augmented 308,929" (scale: thousandths as 0.635) */
static void fig_list(FILE *f, const struct figure *g, double scale)
{
	for (size_t k = 0; k < g->n; k++) {
		char num[64];
		if (scale != 1)
			snprintf(num, sizeof(num), "%.3f", g->x[k] / scale);
		else
			report_num(g->text[k], num, sizeof(num));
		fprintf(f, "%s", k ? ", " : "");
		report_esc(f, g->value[k]);
		fputc(' ', f);
		report_esc(f, num);
	}
}

/* "55x fewer" / "1.2x more" / "as many" of a against b; a ratio that rounds to 1.00 claims no
 * direction (it is within the figure's printed resolution) */
static void factor(FILE *f, double a, double b, const char *noun)
{
	if (a == b || (a > 0 && b > 0 && fabs(a / b - 1) < 0.005))
		fprintf(f, "%s %s as", a == b ? "as many" : "about as many (within 0.5 %)", noun);
	else if (a > 0 && b > 0)
		fprintf(f, "%.3gx %s %s than", a < b ? b / a : a / b, a < b ? "fewer" : "more", noun);
	else
		fprintf(f, "%s %s than", a < b ? "fewer" : "more", noun);
}

/* Which machine an answer is about, as a sentence part: the recorded machine where a recording is
 * replayed, else the modelled one and its size. what: 2 pages (the zones), 1 the vmalloc space. */
static void machine_of(FILE *f, const struct report *rp, const struct report_trace *t, int what)
{
	char pages[64];
	const char *zones = report_field(rp, t->ref, "zones");
	double zp = report_number(rp, t->ref, "zone_pages");
	report_num(report_field(rp, t->ref, "zone_pages"), pages, sizeof(pages));
	fprintf(f, " <span class=\"machine\" data-source=\"%s\">(",
		t->source == REPORT_RECORDING	? "recording"
		: t->source == REPORT_GENERATED ? "generated"
						: "trace");
	if (t->source == REPORT_RECORDING && what == 2) {
		fprintf(f, "on the recorded machine: its zones ");
		report_esc(f, zones);
		fprintf(f, ", the highest of ");
		report_esc(f, pages);
		fprintf(f, " pages, seeded with its free pages at the start");
	} else if (t->source == REPORT_RECORDING) {
		fprintf(f,
			"on the recorded machine: its vmalloc space as vmallocinfo showed it at the start");
	} else if (what == 2) {
		double mib = zp * 4096 / (1 << 20);
		fprintf(f, "on a modelled ");
		report_esc(f, zones);
		fprintf(f, " zone of ");
		report_esc(f, pages);
		if (mib >= 1024)
			fprintf(f, " pages (%.3g GiB) that starts all free", mib / 1024);
		else
			fprintf(f, " pages (%.3g MiB) that starts all free", mib);
		fprintf(f, t->source == REPORT_GENERATED ? "" : ", not the recorded machine");
	} else {
		fprintf(f, "on a modelled x86-64 vmalloc space that starts empty%s",
			t->source == REPORT_GENERATED ? "" : ", not the recorded machine's");
	}
	fprintf(f, ")</span>");
}

struct question;
typedef void (*say_fn)(FILE *f, const struct question *q, const struct figure *g, const struct report *rp,
		       const struct report_trace *t);

/* A question a trace's events can answer: an axis, its figure, the two values compared. */
struct question {
	const char *id, *title, *axis, *metric, *subject, *reference;
	const char *wl_metric; /* the workload's share of metric; NULL: a state of the whole machine */
	int needs;	       /* 1 vmap events, 2 pages from the buddy, 3 process calls */
	say_fn say;
};

static void say_ratio(FILE *f, const struct question *q, const struct figure *g, const struct report *rp,
		      const struct report_trace *t, const char *noun)
{
	int s = figure_find(g, q->subject), r = figure_find(g, q->reference);
	(void)rp, (void)t;
	fig_open(f, g);
	report_esc(f, q->subject);
	fprintf(f, " visits ");
	factor(f, g->x[s], g->x[r], noun);
	fprintf(f, " ");
	report_esc(f, q->reference);
	fprintf(f, "</span> (");
	fig_list(f, g, 1);
	fprintf(f, "; lower is better)");
}

static void say_vmlist(FILE *f, const struct question *q, const struct figure *g, const struct report *rp,
		       const struct report_trace *t)
{
	say_ratio(f, q, g, rp, t, "nodes");
	machine_of(f, rp, t, 1);
}

static void say_tlb(FILE *f, const struct question *q, const struct figure *g, const struct report *rp,
		    const struct report_trace *t)
{
	int s = figure_find(g, q->subject), r = figure_find(g, q->reference);
	size_t lr = report_row(rp, t, q->axis, q->subject);
	double pend = report_number(rp, lr, "vmap_lazy_pending");
	const char *areas = report_field(rp, lr, "vmap_lazy_pending"),
		   *pages = report_field(rp, lr, "vmap_lazy_pending_pages");
	bool from_trace = !strcmp(report_field(rp, lr, "purge"), "trace");
	fig_open(f, g);
	fprintf(f, "lazy purging: ");
	report_esc_num(f, g->text[r]);
	fprintf(f, " TLB flushes &rarr; ");
	report_esc_num(f, g->text[s]);
	fprintf(f, "</span> (");
	fig_list(f, g, 1);
	fprintf(f, "; full and ranged flushes, lower is better)");
	if (pend > 0) {
		fprintf(f, "; <span class=\"pending\" data-areas=\"%.0f\">%s", pend,
			g->x[s] == 0 ? "no purge ran before the trace ended: " : "");
		report_esc_num(f, areas);
		fprintf(f, " areas (");
		report_esc_num(f, pages);
		fprintf(f, report_workload(rp, t) ? " pages, every task's" : "");
		fprintf(f, g->x[s] == 0
				   ? " pages) still wait for one, and for its flush (vmap_lazy_pending), so "
				     "the 0 "
				     "defers flushes rather than saves them</span>"
				   : " pages) still wait for a purge at the end (vmap_lazy_pending)</span>");
	}
	if (from_trace)
		fprintf(f, "; <span class=\"purge-source\">the lazy purges are the trace's own purge events "
			   "(purge=trace), not the model's decision</span>");
	machine_of(f, rp, t, 1);
}

static void say_frag(FILE *f, const struct question *q, const struct figure *g, const struct report *rp,
		     const struct report_trace *t)
{
	int s = figure_find(g, q->subject), r = figure_find(g, q->reference);
	bool all_same = true;
	for (size_t k = 1; k < g->n; k++)
		all_same &= g->x[k] == g->x[0];
	fig_open(f, g);
	if (all_same)
		fprintf(f, "the buddy policy makes no difference: ufi(9) %.3f with %s", g->x[s] / 1000,
			g->n == 2 ? "both" : "every policy");
	else if (fabs(g->x[s] - g->x[r]) <= 1) /* the index's resolution: 1 thousandth */
		fprintf(f,
			"grouping by mobility makes no difference beyond the index's resolution (1 "
			"thousandth): ufi(9) %.3f against %.3f with %s",
			g->x[s] / 1000, g->x[r] / 1000, q->reference);
	else
		fprintf(f,
			"grouping by mobility leaves %s of the free memory unusable for a 2 MiB block: "
			"ufi(9) "
			"%.3f against %.3f with %s",
			g->x[s] < g->x[r] ? "less" : "more", g->x[s] / 1000, g->x[r] / 1000, q->reference);
	fprintf(f, "</span> (");
	fig_list(f, g, 1000);
	fprintf(f, "; 0 = every free page in 2 MiB blocks, lower is better)");
	machine_of(f, rp, t, 2);
}

static void say_vma(FILE *f, const struct question *q, const struct figure *g, const struct report *rp,
		    const struct report_trace *t)
{
	static const char *const more[] = {"vma_splits", "vma_merges", "host_munmap_p50_ns"};
	static const char *const what[] = {"VMA splits", "merges", "munmap p50 host ns"};
	say_ratio(f, q, g, rp, t, "find_vma nodes");
	for (size_t i = 0; i < MM_ARRAY_SIZE(more); i++) {
		struct figure h;
		if (csvtab_col(&rp->sum, more[i]) < 0)
			continue;
		figure_read(rp, t, q->axis, more[i], &h);
		bool same = true;
		for (size_t k = 1; k < h.n; k++)
			same &= h.x[k] == h.x[0];
		fprintf(f, "; ");
		fig_open(f, &h);
		if (same && h.n) {
			fprintf(f, "%s ", what[i]);
			report_esc_num(f, h.text[0]);
			fprintf(f, " on every index");
		} else {
			fprintf(f, "%s: ", what[i]);
			fig_list(f, &h, 1);
		}
		fprintf(f, "</span>");
	}
}

static const struct question questions[] = {
	{"fragmentation", "How badly does it fragment, with and without grouping by mobility?", "buddy",
	 "ufi9_end", "mobility", "lifo", NULL, 2, say_frag},
	{"vmlist", "What does the augmented tree save over the 2.4 list?", "vmlist", "vmlist_visits",
	 "augmented", "list", "workload_vmlist_visits", 1, say_vmlist},
	{"lazy", "How many TLB flushes does lazy purging save?", "tlb", "tlb_flushes", "lazy", "eager",
	 "workload_tlb_flushes", 1, say_tlb},
	{"vma", "How does munmap-heavy code fare per VMA index?", "vma", "find_vma_visits", "maple", "list",
	 "workload_find_vma_visits", 3, say_vma},
};

/* Whose work an answer counted: the workload's, or (a state) every task's. */
static void whose(FILE *f, const struct question *q, const struct report_trace *t)
{
	fprintf(f, " <span class=\"whose\" data-whose=\"%s\">", q->wl_metric ? "workload" : "machine");
	if (q->wl_metric) {
		fprintf(f, "[counting the work of <code>");
		report_esc(f, t->workload);
		fprintf(f, "</code> only: %s]", q->wl_metric);
	} else {
		fprintf(f, "[the zone's state after every task's events, not <code>");
		report_esc(f, t->workload);
		fprintf(f, "</code>'s alone: fragmentation has no per-workload figure]");
	}
	fprintf(f, "</span>");
}

static bool trace_has(const struct report_trace *t, int needs)
{
	return (needs == 1 && t->vmap_events) || (needs == 2 && (t->page_events || t->vmap_events)) ||
	       (needs == 3 && t->process_calls);
}

void report_answers(const struct report *rp, const struct report_trace *t)
{
	FILE *f = rp->f;
	fprintf(f, "<h3>Answers</h3>\n<ul class=\"answers\">\n");
	for (size_t i = 0; i < MM_ARRAY_SIZE(questions); i++) {
		const struct question *q = &questions[i];
		struct figure g;
		if (!trace_has(t, q->needs) || csvtab_col(&rp->sum, q->metric) < 0)
			continue;
		bool wl = report_workload(rp, t);
		figure_read(rp, t, q->axis, wl && q->wl_metric ? q->wl_metric : q->metric, &g);
		bool ok = figure_find(&g, q->subject) >= 0 && figure_find(&g, q->reference) >= 0;
		fprintf(f, "<li class=\"%s\" data-question=\"%s\" data-axis=\"%s\" data-reference=\"",
			ok ? "answer" : "unanswered", q->id, q->axis);
		report_esc(f, report_field(rp, t->ref, "config"));
		fprintf(f, "\"><b>%s</b> ", q->title);
		if (ok)
			q->say(f, q, &g, rp, t);
		if (ok && wl)
			whose(f, q, t);
		else
			fprintf(f,
				"Not answered: the run has no %s %s and %s here (add both to the %s axis).",
				q->axis, q->subject, q->reference, q->axis);
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ul>\n<p class=\"note\">Other axes held at the reference configuration <code>");
	report_esc(f, report_field(rp, t->ref, "config"));
	fprintf(f, "</code>.</p>\n");
}

/* Known limits: a condition on the trace's rows and the sentence that applies then. */
static double max_of(const struct report *rp, const struct report_trace *t, const char *col)
{
	double m = 0;
	for (size_t i = 0; i < t->nrows; i++)
		m = fmax(m, report_number(rp, t->rows[i], col));
	return m;
}

static bool any_is(const struct report *rp, const struct report_trace *t, const char *col, const char *v)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (!strcmp(report_field(rp, t->rows[i], col), v))
			return true;
	return false;
}

void report_limits(const struct report *rp, const struct report_trace *t)
{
	FILE *f = rp->f;
	double fail = max_of(rp, t, "alloc_failures"), unmatched = max_of(rp, t, "unmatched_frees");
	fprintf(f, "<h3>Known limits that apply</h3>\n<ul class=\"limits\">\n");
	if (fail > 0)
		fprintf(f,
			"<li class=\"limit\" data-limit=\"exhaustion\">Model exhaustion: up to %.0f "
			"allocations "
			"failed (alloc_failures) because the modelled memory ran out; figures after the "
			"first "
			"failure are not what the kernel, which would reclaim or fail differently, saw. A "
			"larger zone_pages avoids it.</li>\n",
			fail);
	if (t->page_events || t->vmap_events)
		fprintf(f, "<li class=\"limit\" data-limit=\"compaction\">No compaction, reclaim or "
			   "migration: the "
			   "fragmentation indices are what placement alone leaves.</li>\n");
	if (t->process_calls && any_is(rp, t, "populate", "none"))
		fprintf(f,
			"<li class=\"limit\" data-limit=\"populate\">The trace records no page touches: with "
			"populate=none no page is present, so process TLB flushes and page tables are 0; "
			"populate=all maps every page (an upper bound).</li>\n");
	if (unmatched > 0)
		fprintf(f,
			"<li class=\"limit\" data-limit=\"unmatched\">%.0f frees of memory allocated before "
			"the "
			"recording began are counted (unmatched_frees), not replayed.</li>\n",
			unmatched);
	fprintf(f, "</ul>\n");
}

/* Fidelity figures: (numerator, denominator) pairs, then any column named like agreement. */
static const char *const fid_pairs[][2] = {
	{"vmap_addr_exact", "vmap_addr_checked"},
	{"vmap_addr_exact_warm", "vmap_addr_checked_warm"},
	{"vmalloc_end_matched", "vmalloc_end_areas"},
	{"vmap_purges_size_exact", "trace_vmap_purges"},
};
static const char *const fid_globs[] = {"snaps_*", "*_agree*", "*_exact*", "*_matched*",
					"page_alloc_failures"};

/* A column's figure is shown when it, or the other of its pair, is not 0. */
static const char *fid_partner(const char *name)
{
	for (size_t i = 0; i < MM_ARRAY_SIZE(fid_pairs); i++)
		for (int k = 0; k < 2; k++)
			if (!strcmp(name, fid_pairs[i][k]))
				return fid_pairs[i][!k];
	return NULL;
}

static bool fid_shown(const struct report *rp, size_t r, const char *col)
{
	const char *o = fid_partner(col);
	return report_number(rp, r, col) != 0 || (o && report_number(rp, r, o) != 0);
}

static bool fid_col(const char *name)
{
	for (size_t i = 0; i < MM_ARRAY_SIZE(fid_pairs); i++)
		if (!strcmp(name, fid_pairs[i][0]) || !strcmp(name, fid_pairs[i][1]))
			return true;
	for (size_t i = 0; i < MM_ARRAY_SIZE(fid_globs); i++)
		if (!fnmatch(fid_globs[i], name, 0))
			return true;
	return false;
}

/* Why nothing of a trace can be compared with a kernel: its source says. */
static const char *fid_not_applicable(const struct report_trace *t)
{
	if (t->source == REPORT_GENERATED)
		return "a generated workload: no kernel made its decisions, so there is nothing to compare";
	return "a trace without the machine's state: the model starts from an empty vmalloc space and "
	       "all-free zones, not from the kernel's state, so its addresses and free lists cannot be "
	       "compared with the kernel's (replay a recording directory for that)";
}

/* The row of a recording whose model came closest to the kernel: most addresses exact after the
 * first purge, then overall, then the most end areas matched; the reference row on a tie. */
static size_t fid_row(const struct report *rp, const struct report_trace *t)
{
	static const char *const by[] = {"vmap_addr_exact_warm", "vmap_addr_exact", "vmalloc_end_matched"};
	size_t best = t->ref;
	for (size_t i = 0; i < t->nrows; i++)
		for (size_t k = 0; k < MM_ARRAY_SIZE(by); k++) {
			double a = report_number(rp, t->rows[i], by[k]), b = report_number(rp, best, by[k]);
			if (a != b) {
				if (a > b)
					best = t->rows[i];
				break;
			}
		}
	return best;
}

void report_fidelity(const struct report *rp)
{
	FILE *f = rp->f;
	bool any = false;
	for (size_t i = 0; i < rp->ntr && !any; i++)
		any = rp->tr[i].source == REPORT_RECORDING;
	fprintf(f, "<section id=\"fidelity\"><h2>How close to the real kernel</h2>\n<p>Where a recording "
		   "carries the kernel's own decisions and the machine's state, the model's decisions are "
		   "checked "
		   "against them (docs/vmalloc-fidelity.md, "
		   "docs/physical-fidelity.md).</p>\n");
	fprintf(f, "<ul class=\"fidelity-na\">\n");
	for (size_t i = 0; i < rp->ntr; i++) {
		if (rp->tr[i].source == REPORT_RECORDING)
			continue;
		fprintf(f, "<li class=\"not-applicable\" data-trace=\"");
		report_esc(f, rp->tr[i].label);
		fprintf(f, "\">");
		report_esc(f, rp->tr[i].label);
		fprintf(f, ": not applicable: %s.</li>\n", fid_not_applicable(&rp->tr[i]));
	}
	fprintf(f, "</ul>\n");
	if (!any) {
		fprintf(f, "</section>\n");
		return;
	}
	fprintf(f, "<p class=\"note\">Per recording, the configuration of the run whose model came closest "
		   "(most vmap addresses exact after the first purge): the kernel's own design is the "
		   "<code>nodes</code> vmlist. These runs predict every placement (vmap-mode predict, as "
		   "what-if runs must), so one wrong address can shift the rest; the per-decision figure "
		   "is follow mode's, <code>mmreplay vmalloc-fidelity DIR</code> (physical memory: "
		   "<code>mmreplay machine DIR</code>).</p>\n");
	fprintf(f, "<table class=\"fidelity\"><thead><tr><th>trace</th><th>configuration</th><th>figure</th>"
		   "<th>value</th><th>what it is</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < rp->ntr; i++) {
		size_t r = rp->tr[i].source == REPORT_RECORDING ? fid_row(rp, &rp->tr[i]) : 0;
		for (size_t c = 0; rp->tr[i].source == REPORT_RECORDING && c < rp->sum.ncols; c++) {
			const char *col = rp->sum.head[c], *v = report_field(rp, r, col);
			const struct metric *m = metric_find(col, METRIC_IN_SUMMARY);
			char num[64];
			if (!fid_col(col) || !fid_shown(rp, r, col))
				continue;
			report_num(v, num, sizeof(num));
			fprintf(f, "<tr><td>");
			report_esc(f, rp->tr[i].label);
			fprintf(f, "</td><td class=\"fid-config\">");
			report_esc(f, report_field(rp, r, "config"));
			fprintf(f, "</td><td>");
			report_esc(f, col);
			fprintf(f, "</td><td class=\"num\" data-col=\"");
			report_esc(f, col);
			fprintf(f, "\" data-value=\"");
			report_esc(f, v);
			fprintf(f, "\">");
			report_esc(f, num);
			fprintf(f, "</td><td>");
			report_esc(f, m ? m->desc : "");
			fprintf(f, "</td></tr>\n");
		}
	}
	fprintf(f, "</tbody></table></section>\n");
}
