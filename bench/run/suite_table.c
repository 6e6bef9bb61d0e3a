#include "bench/run/suite_table.h"

#include <stdio.h>
#include <string.h>

#include "bench/output/metrics.h"
#include "core/machine/settings.h"

/* The short table on stdout: metric, header, width, scale (1: as written), and the facets a
 * trace needs for the figure to mean something (settings.h; 0: every trace): '-' otherwise. */
static const struct {
	const char *metric, *head;
	int width;
	double scale;
	u32 facets;
} suite_table[] = {
	{"events", "events", 9, 1, 0},
	{"vmlist_visits", "vmlist_vis", 11, 1, SETTING_ON_VMAP},
	{"tlb_flushes", "flushes", 9, 1, SETTING_ON_VMAP | SETTING_ON_PGTABLE},
	{"ufi9_end", "ufi(9)", 7, 1000, SETTING_ON_BUDDY},
	{"find_vma_visits", "find_vma", 9, 1, SETTING_ON_PROC},
	{"vma_splits", "splits", 7, 1, SETTING_ON_PROC},
	{"host_ns_per_event_median", "ns/event", 9, 1, 0},
};

const char *suite_table_column(size_t i)
{
	return i < MM_ARRAY_SIZE(suite_table) ? suite_table[i].metric : NULL;
}

void suite_table_header(int width, int cwidth)
{
	printf("%-*s %-*s", width, "trace", cwidth, "config");
	for (size_t i = 0; i < MM_ARRAY_SIZE(suite_table); i++)
		printf(" %*s", suite_table[i].width, suite_table[i].head);
	putchar('\n');
	fflush(stdout);
}

void suite_table_row(const struct metric_src *src, int width, int cwidth, u32 facets)
{
	printf("%-*s %-*s", width, src->trace, cwidth, src->config);
	for (size_t i = 0; i < MM_ARRAY_SIZE(suite_table); i++) {
		char v[64];
		double x = 0;
		const struct metric *m = metric_find(suite_table[i].metric, METRIC_IN_SUMMARY);
		metric_value(m, src, 0, v, sizeof(v));
		if (suite_table[i].facets && !(suite_table[i].facets & facets))
			printf(" %*s", suite_table[i].width, "-");
		else if (suite_table[i].scale != 1 && sscanf(v, "%lf", &x) == 1)
			printf(" %*.3f", suite_table[i].width, x / suite_table[i].scale);
		else
			printf(" %*s", suite_table[i].width, v);
	}
	putchar('\n');
	fflush(stdout);
}

/* The longest configuration label. */
int suite_table_config_width(const struct suite *s)
{
	size_t w = 6;
	for (size_t c = 0; c < suite_nconfigs(s); c++) {
		char label[512];
		matrix_label(&s->axes, c, label, sizeof(label));
		w = MM_MAX(w, strlen(label));
	}
	return (int)w;
}

/* The table's trace column: the longest label, at least 5. */
int suite_table_label_width(char (*labels)[128], size_t n)
{
	size_t w = 5;
	for (size_t ti = 0; ti < n; ti++)
		w = MM_MAX(w, strlen(labels[ti]));
	return (int)w;
}
