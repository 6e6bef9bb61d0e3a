/* The metrics registry: its tables in column order (metrics.h). Nothing else lives in this file,
 * so a test may link its own list in place of this one. */
#include "bench/output/metrics.h"

const struct metric *const metric_tables[] = {
	metrics_config, metrics_kva,	  metrics_proc, metrics_phys,	metrics_totals,
	metrics_events, metrics_workload, metrics_host, metrics_series, NULL,
};
