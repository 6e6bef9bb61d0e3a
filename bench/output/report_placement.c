/* The report page's placement-error table (report.h): for each recording, every placement-mode
 * configuration's error against the kernel's buddyinfo snapshots, with the time of the largest
 * one, so a reader sees how far each policy's what-if numbers can be trusted. Only summary
 * columns; every cell is escaped and carries its CSV text (data-col, data-value). */
#include <stdlib.h>
#include <string.h>

#include "bench/output/report.h"
#include "core/machine/settings.h"

/* The table's columns: a summary column and its heading (pct: the free-pages error as a share
 * of the kernel's free pages then, computed here). */
static const struct {
	const char *col, *head;
} place_cols[] = {
	{"buddy", "buddy policy"},
	{"pcp", "per-CPU lists"},
	{"compaction", "compaction"},
	{"snap_ufi9_err_max", "ufi(9) error max, thousandths"},
	{"snap_ufi9_err_mean", "ufi(9) error mean"},
	{"snap_ufi9_err_max_at", "largest ufi(9) error at, s"},
	{"snap_free_pages_err_max", "free-pages error max, pages"},
	{NULL, "of the kernel's free pages then"},
	{"snaps_compared", "snapshots compared"},
	{"snaps_untraced", "snapshots left out (untraced evidence)"},
};

/* A setting that can change where pages go (a placement configuration's identity). */
static bool phys_setting(const struct setting *st)
{
	return !st->affects || (st->affects & (SETTING_ON_PAGE_EVENTS | SETTING_ON_BUDDY));
}

/* Rows r and q differ in a setting that can change where pages go. */
static bool phys_differ(const struct report *rp, size_t r, size_t q)
{
	char col[64];
	for (const struct setting *st = settings; st->name; st++) {
		setting_axis_name(st, col, sizeof(col));
		if (phys_setting(st) && strcmp(report_field(rp, r, col), report_field(rp, q, col)))
			return true;
	}
	return false;
}

/* Rows of trace t in placement mode with snapshots compared, one per placement configuration
 * (rows differing only in settings that place no page, vmlist or tlb, give the same figures). */
static size_t place_rows(const struct report *rp, const struct report_trace *t, size_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		size_t r = t->rows[i];
		bool dup = false;
		if (strcmp(report_field(rp, r, "page_mode"), "placement") ||
		    report_number(rp, r, "snaps_compared") <= 0)
			continue;
		for (size_t k = 0; k < n && !dup; k++)
			dup = !phys_differ(rp, out[k], r);
		if (!dup)
			out[n++] = r;
	}
	return n;
}

/* The other settings that vary among a trace's placement rows, as name=value of row r. */
static void others(const struct report *rp, const size_t *rows, size_t n, size_t r)
{
	FILE *f = rp->f;
	char col[64];
	bool first = true;
	for (const struct setting *st = settings; st->name; st++) {
		setting_axis_name(st, col, sizeof(col));
		if (!phys_setting(st) || !strcmp(col, "buddy") || !strcmp(col, "pcp") ||
		    !strcmp(col, "compaction"))
			continue;
		bool varies = false;
		for (size_t k = 0; k < n && !varies; k++)
			varies = strcmp(report_field(rp, rows[k], col), report_field(rp, r, col)) != 0;
		if (!varies)
			continue;
		fprintf(f, "%s", first ? "" : " ");
		report_esc(f, col);
		fprintf(f, "=");
		report_esc(f, report_field(rp, r, col));
		first = false;
	}
}

static void cell(FILE *f, const char *col, const char *v)
{
	char num[64];
	report_num(v, num, sizeof(num));
	fprintf(f, "<td class=\"num\" data-col=\"");
	report_esc(f, col);
	fprintf(f, "\" data-value=\"");
	report_esc(f, v);
	fprintf(f, "\">");
	report_esc(f, num);
	fprintf(f, "</td>");
}

static void place_row(const struct report *rp, const struct report_trace *t, const size_t *rows, size_t n,
		      size_t r)
{
	FILE *f = rp->f;
	fprintf(f, "<tr class=\"placement-row\" data-trace=\"");
	report_esc(f, t->label);
	fprintf(f, "\" data-config=\"");
	report_esc(f, report_field(rp, r, "config"));
	fprintf(f, "\"><td>");
	report_esc(f, t->label);
	fprintf(f, "</td>");
	for (size_t c = 0; c < MM_ARRAY_SIZE(place_cols); c++) {
		if (place_cols[c].col) {
			cell(f, place_cols[c].col, report_field(rp, r, place_cols[c].col));
			continue;
		}
		double err = report_number(rp, r, "snap_free_pages_err_max"),
		       kernel = report_number(rp, r, "snap_free_pages_kernel");
		char pct[32] = "";
		if (kernel > 0)
			snprintf(pct, sizeof(pct), "%.2f %%", 100.0 * err / kernel);
		fprintf(f, "<td class=\"num\" data-col=\"free_pages_err_pct\" data-value=\"");
		report_esc(f, pct);
		fprintf(f, "\">");
		report_esc(f, pct);
		fprintf(f, "</td>");
	}
	fprintf(f, "<td class=\"other-settings\">");
	others(rp, rows, n, r);
	fprintf(f, "</td></tr>\n");
}

void report_placement(const struct report *rp)
{
	FILE *f = rp->f;
	size_t any = 0, *rows = calloc(rp->sum.nrows + 1, sizeof(*rows));
	if (!rows)
		return;
	for (size_t i = 0; i < rp->ntr; i++)
		if (rp->tr[i].source == REPORT_RECORDING)
			any += place_rows(rp, &rp->tr[i], rows);
	if (!any) {
		free(rows);
		return;
	}
	fprintf(f, "<section id=\"placement-error\"><h2>How far a what-if number can be trusted</h2>\n"
		   "<p>Placement mode chooses every block itself, so its error against the kernel's "
		   "buddyinfo snapshots is the error of every policy comparison made with it. Per recording "
		   "and placement configuration: the largest and mean difference of ufi(9) (thousandths of "
		   "free memory unusable for an order-9 block), the trace time of the snapshot where it was "
		   "largest, the largest difference of a zone's free pages and its share of the kernel's "
		   "free pages then, and the snapshots left out because pages moved without a traced event "
		   "(docs/physical-fidelity.md).</p>\n");
	fprintf(f, "<table class=\"placement-error\"><thead><tr><th>recording</th>");
	for (size_t c = 0; c < MM_ARRAY_SIZE(place_cols); c++) {
		fprintf(f, "<th title=\"");
		report_esc(f, place_cols[c].col ? place_cols[c].col : "free_pages_err_pct");
		fprintf(f, "\">");
		report_esc(f, place_cols[c].head);
		fprintf(f, "</th>");
	}
	fprintf(f, "<th>other settings that vary</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < rp->ntr; i++) {
		if (rp->tr[i].source != REPORT_RECORDING)
			continue;
		size_t n = place_rows(rp, &rp->tr[i], rows);
		for (size_t k = 0; k < n; k++)
			place_row(rp, &rp->tr[i], rows, n, rows[k]);
	}
	fprintf(f, "</tbody></table></section>\n");
	free(rows);
}
