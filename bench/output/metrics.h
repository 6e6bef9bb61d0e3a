/* The metrics registry: one entry per output figure, with its name, unit, class and description,
 * and how it is read from a run (the machine's flat stats view, sim_stats.h, and the host
 * measurements, run.h). The replay CSV, a suite's summary and time series, test_vmalloc's CSV,
 * the stdout tables, `mmreplay columns` and the README's column reference are all generated from
 * it; compare, the demo table and the graphs look their columns up here and fail when one is
 * missing. A derived figure (a total, an index) is defined once, in its entry's function.
 *
 * The registry is a list of tables, one per subsystem (metrics_config.c, metrics_kva.c,
 * metrics_proc.c, metrics_phys.c, metrics_host.c, metrics_series.c), listed in metric_tables.c;
 * column order is table order, then entry order. Adding a column: one entry in its subsystem's
 * table (docs/architecture.md). */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "bench/host/run_host.h"
#include "bench/output/run_wl_figs.h"
#include "core/machine/sim_stats.h"

enum metric_class {
	METRIC_CONFIG, /* names the configuration or the input: the same in every repeat */
	METRIC_MODEL,  /* a deterministic model result */
	METRIC_HOST,   /* a host measurement (prefixed host_): varies from run to run */
	METRIC_SERIES, /* a sample of a time series */
};

/* Where an entry appears (flags). */
#define METRIC_IN_REPLAY (1u << 0)  /* `mmreplay replay`'s CSV, and test_vmalloc's */
#define METRIC_IN_SUMMARY (1u << 1) /* a suite's summary.csv (one row per cell) */
#define METRIC_IN_SERIES (1u << 2)  /* a suite's time series (timeseries/ files) */
#define METRIC_BRIEF (1u << 3)	    /* also in replay's table on stdout */
#define METRIC_PER_ORDER                                                                                     \
	(1u << 4)	      /* a family: one column per buddy order 0..max_order of the                    \
			       * highest zone, the name a pattern with one %u (series only) */
#define METRIC_TEXT (1u << 5) /* a word, not a number (left-aligned in tables) */
#define METRIC_ZONE (1u << 6) /* empty when the layout has no zone of type arg */
#define METRIC_IN_ROWS (METRIC_IN_REPLAY | METRIC_IN_SUMMARY)

/* What a metric is read from: one run's results. Unused parts may be NULL/0. */
struct metric_src {
	const char *trace;	       /* the trace's display name */
	const char *config;	       /* the configuration's label */
	const struct sim_stats *st;    /* the machine's view */
	const struct run_host *host;   /* host measurements of the run */
	const struct run_wl_figs *wl;  /* the workload's share; NULL: every event (the machine's) */
	u64 event;		       /* series: events replayed before this sample */
	const struct run_clock *clock; /* series: host time inside sim_event so far */
	unsigned exhausted;	       /* series: zone types (1 << type) that failed an allocation since
					* the previous sample: their index cells are left empty */
};

/* The C type of a field of struct sim_stats that a metric shows as it is. */
enum metric_field { MF_U64, MF_UINT, MF_STR, MF_CHARS };

struct metric {
	const char *name; /* a CSV column name, unique among the columns of each output */
	const char *unit; /* "pages", "ns", "thousandths", ... or "" */
	enum metric_class cls;
	unsigned flags; /* METRIC_* */
	const char *desc;
	/* A field of struct sim_stats shown as it is (fmt NULL): its offset and type. */
	size_t off;
	enum metric_field type;
	int arg; /* fmt's parameter (a zone type, an index), and METRIC_ZONE's zone type */
	/* Anything else: write the value of family member i (0 for a single column) as text; an
	 * empty string for "not applicable". */
	void (*fmt)(const struct metric *m, const struct metric_src *src, unsigned i, char *buf, size_t len);
};

/* The registry: NULL-terminated list of tables, each ending with a NULL name (metric_tables.c). */
extern const struct metric *const metric_tables[];
extern const struct metric metrics_config[], metrics_kva[], metrics_proc[], metrics_phys[], metrics_totals[],
	metrics_events[], metrics_workload[], metrics_host[], metrics_series[];

/* Every entry in column order: for (m = metric_first(&it); m; m = metric_next(&it)). */
struct metric_iter {
	size_t t, i; /* table, entry */
};
const struct metric *metric_first(struct metric_iter *it);
const struct metric *metric_next(struct metric_iter *it);
/* The entry that writes column name in output out (METRIC_IN_REPLAY, METRIC_IN_SUMMARY or
 * METRIC_IN_SERIES); a family matches its members ("fo3"). NULL when none does. */
const struct metric *metric_find(const char *name, unsigned out);
/* Columns of a family member or a single entry for src (series: max_order + 1 per family). */
unsigned metric_count(const struct metric *m, const struct metric_src *src);
void metric_name(const struct metric *m, unsigned i, char *buf, size_t len);
void metric_value(const struct metric *m, const struct metric_src *src, unsigned i, char *buf, size_t len);

/* The text of column name in output out for src: 0, or -ENOENT when no entry writes it. */
int metric_get(const char *name, unsigned out, const struct metric_src *src, char *buf, size_t len);

/* A CSV header and rows of output out (src only matters for series families). Text is quoted
 * when it holds a comma, a quote or a newline. */
void metrics_csv_header(FILE *f, unsigned out, const struct metric_src *src);
void metrics_csv_row(FILE *f, unsigned out, const struct metric_src *src);

/* `mmreplay columns`: name, unit, class, outputs and description of every entry, as a table or
 * as the README's Markdown reference. */
void metrics_print(FILE *f, bool markdown);
const char *metric_class_name(enum metric_class c);

#endif
