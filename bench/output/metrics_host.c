/* Host measurements (bench/host, bench/run/run.h): the replay's event loop, and a suite cell's
 * timed repeats, per-operation latencies, heap and hardware counters. Not deterministic. */
#include <stdlib.h>
#include <string.h>

#include "bench/output/metric_fmt.h"

/* The loop: arg 0 wall ns, 1 wall ns per event, 2 CPU ns, 3 million events per CPU second. */
static void m_loop(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	const struct run_host *h = s->host;
	if (m->arg == 0 || m->arg == 2)
		metric_u64(b, n, m->arg ? h->cpu_ns : h->ns);
	else if (m->arg == 1)
		snprintf(b, n, "%.2f", h->events ? (double)h->ns / (double)h->events : 0.0);
	else
		snprintf(b, n, "%.2f", h->cpu_ns ? (double)h->events * 1e3 / (double)h->cpu_ns : 0.0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The timed repeats' ns per event: which = 0 min, 1 median, 2 max. */
static double repeats_stat(const struct run_host *h, int which)
{
	double sorted[RUN_MAX_REPEATS];
	unsigned r = h->repeats;
	if (!r)
		return 0;
	memcpy(sorted, h->ns_per_event, r * sizeof(double));
	qsort(sorted, r, sizeof(double), cmp_double);
	if (which != 1)
		return sorted[which ? r - 1 : 0];
	return r % 2 ? sorted[r / 2] : (sorted[r / 2 - 1] + sorted[r / 2]) / 2;
}

/* arg 0..2: min, median, max; 3: every repeat; 4: million events per second at the median. */
static void m_repeats(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	size_t off = 0;
	if (m->arg < 3) {
		snprintf(b, n, "%.2f", repeats_stat(s->host, m->arg));
	} else if (m->arg == 3) {
		for (unsigned r = 0; r < s->host->repeats && off < n; r++)
			off += (size_t)snprintf(b + off, n - off, "%s%.2f", r ? ";" : "",
						s->host->ns_per_event[r]);
	} else {
		double med = repeats_stat(s->host, 1);
		snprintf(b, n, "%.3f", med > 0 ? 1e3 / med : 0.0);
	}
}

/* Latency percentile of operation class arg / 3, the (arg % 3)-th of p50, p90, p99. */
static void m_lat(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	static const double p[3] = {0.50, 0.90, 0.99};
	const struct histo *h = s->host->lat ? &s->host->lat[m->arg / 3] : NULL;
	if (h && h->count)
		metric_u64(b, n, histo_percentile(h, p[m->arg % 3]));
}

/* arg 0 heap allocated, 1 heap resident, 2 peak RSS, 3 the counter source. */
static void m_mem(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	const struct run_host *h = s->host;
	if (m->arg == 2)
		metric_u64(b, n, h->peak_rss);
	else if (m->arg == 3)
		snprintf(b, n, "%s", h->hw_hardware ? "hardware" : "software");
	else if (h->heap_known)
		metric_u64(b, n, m->arg ? h->heap_resident : h->heap_allocated);
}

/* Hardware counter arg per event (run_hw_events). */
static void m_hw(const struct metric *m, const struct metric_src *s, unsigned i, char *b, size_t n)
{
	if (s->host->hw_hardware && s->host->events)
		snprintf(b, n, "%.3f", (double)s->host->hw[m->arg] / (double)s->host->events);
}

#define HOST(name, unit, flags, fn, arg, desc) M_FN(name, unit, METRIC_HOST, flags, fn, arg, desc)
#define R METRIC_IN_REPLAY
#define S METRIC_IN_SUMMARY
#define LAT(op, k)                                                                                           \
	HOST("host_" op "_p50_ns", "ns", S, m_lat, 3 * (k),                                                  \
	     "median host time of one " op                                                                   \
	     " event (sampled pass; log-bucket histogram, within 12.5%; empty "                              \
	     "without such events)"),                                                                        \
		HOST("host_" op "_p90_ns", "ns", S, m_lat, 3 * (k) + 1, "90th percentile of the same"),      \
		HOST("host_" op "_p99_ns", "ns", S, m_lat, 3 * (k) + 2, "99th percentile of the same")

const struct metric metrics_host[] = {
	HOST("host_ns", "ns", R, m_loop, 0, "wall time of the event loop"),
	HOST("host_ns_per_event", "ns", R | METRIC_BRIEF, m_loop, 1, "wall time per event"),
	HOST("host_ns_per_event_min", "ns", S, m_repeats, 0, "wall time per event, fastest timed repeat"),
	HOST("host_ns_per_event_median", "ns", S, m_repeats, 1,
	     "wall time per event, median of the timed repeats"),
	HOST("host_ns_per_event_max", "ns", S, m_repeats, 2, "wall time per event, slowest timed repeat"),
	HOST("host_ns_per_event_all", "ns", S | METRIC_TEXT, m_repeats, 3,
	     "wall time per event of each timed repeat, ';'-separated (compare runs Welch's t-test on "
	     "these)"),
	HOST("host_mevents_per_s", "Mevents/s", R | S, m_repeats, 4,
	     "million events per second (median repeat)"),
	HOST("host_cpu_ns", "ns", R, m_loop, 2, "CPU time of the event loop (this thread)"),
	HOST("host_cpu_mevents_per_s", "Mevents/s", R, m_loop, 3, "million events per CPU second"),
	LAT("vmalloc", RUN_LAT_VMALLOC),
	LAT("vfree", RUN_LAT_VFREE),
	LAT("page_alloc", RUN_LAT_PAGE_ALLOC),
	LAT("page_free", RUN_LAT_PAGE_FREE),
	LAT("munmap", RUN_LAT_MUNMAP),
	HOST("host_heap_allocated_bytes", "bytes", S, m_mem, 0,
	     "jemalloc's stats.allocated growth while the machine was built and replayed (empty without "
	     "jemalloc)"),
	HOST("host_heap_resident_bytes", "bytes", S, m_mem, 1,
	     "jemalloc's stats.resident growth over the same (empty without jemalloc)"),
	HOST("host_peak_rss_bytes", "bytes", R | S, m_mem, 2, "peak resident set size of the process"),
	HOST("host_counters", "", S | METRIC_TEXT, m_mem, 3,
	     "hardware when the counters below are hardware counts, else software"),
	HOST("host_cycles_per_event", "cycles", S, m_hw, 0,
	     "libpfm4 cycles per event over the first timed repeat (empty where the machine refuses them)"),
	HOST("host_instructions_per_event", "instructions", S, m_hw, 1,
	     "instructions per event (hardware only)"),
	HOST("host_cache_misses_per_event", "misses", S, m_hw, 2, "cache misses per event (hardware only)"),
	HOST("host_dtlb_load_misses_per_event", "misses", S, m_hw, 3,
	     "dTLB load misses per event (hardware only)"),
	M_END,
};
