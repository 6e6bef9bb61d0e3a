/* Host measurements (bench/host, bench/run/run.h): the replay's event loop, and a suite cell's
 * timed repeats, per-operation latencies, heap and hardware counters. Not deterministic. */
#include <stdlib.h>
#include <string.h>

#include "metric_fmt.h"

static void m_f2(char *b, size_t n, double v)
{
	snprintf(b, n, "%.2f", v);
}

static void m_ns(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->host->ns);
}
static void m_ns_per_event(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	m_f2(b, n, s->host->events ? (double)s->host->ns / (double)s->host->events : 0.0);
}
static void m_cpu_ns(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->host->cpu_ns);
}
static void m_cpu_mevents(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	const struct run_host *h = s->host;
	m_f2(b, n, h->cpu_ns ? (double)h->events * 1e3 / (double)h->cpu_ns : 0.0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The timed repeats' ns per event, sorted: which = 0 min, 1 median, 2 max. */
static double repeats_stat(const struct run_host *h, int which)
{
	double sorted[RUN_MAX_REPEATS];
	unsigned r = h->repeats;
	if (!r)
		return 0;
	memcpy(sorted, h->ns_per_event, r * sizeof(double));
	qsort(sorted, r, sizeof(double), cmp_double);
	if (which == 0)
		return sorted[0];
	if (which == 2)
		return sorted[r - 1];
	return r % 2 ? sorted[r / 2] : (sorted[r / 2 - 1] + sorted[r / 2]) / 2;
}
static void m_npe_min(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	m_f2(b, n, repeats_stat(s->host, 0));
}
static void m_npe_median(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	m_f2(b, n, repeats_stat(s->host, 1));
}
static void m_npe_max(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	m_f2(b, n, repeats_stat(s->host, 2));
}
static void m_npe_all(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	size_t off = 0;
	for (unsigned r = 0; r < s->host->repeats && off < n; r++)
		off += (size_t)snprintf(b + off, n - off, "%s%.2f", r ? ";" : "", s->host->ns_per_event[r]);
}
static void m_mevents(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	double med = repeats_stat(s->host, 1);
	snprintf(b, n, "%.3f", med > 0 ? 1e3 / med : 0.0);
}

/* Latency percentiles of one operation class: i = class * 3 + (p50, p90, p99). */
static void m_lat(const struct metric_src *s, unsigned k, double p, char *b, size_t n)
{
	const struct histo *h = s->host->lat ? &s->host->lat[k] : NULL;
	if (h && h->count)
		metric_u64(b, n, histo_percentile(h, p));
}
#define LAT_FNS(k)                                                                                           \
	static void m_lat50_##k(const struct metric_src *s, unsigned i, char *b, size_t n)                   \
	{                                                                                                    \
		m_lat(s, k, 0.50, b, n);                                                                     \
	}                                                                                                    \
	static void m_lat90_##k(const struct metric_src *s, unsigned i, char *b, size_t n)                   \
	{                                                                                                    \
		m_lat(s, k, 0.90, b, n);                                                                     \
	}                                                                                                    \
	static void m_lat99_##k(const struct metric_src *s, unsigned i, char *b, size_t n)                   \
	{                                                                                                    \
		m_lat(s, k, 0.99, b, n);                                                                     \
	}
LAT_FNS(RUN_LAT_VMALLOC)
LAT_FNS(RUN_LAT_VFREE)
LAT_FNS(RUN_LAT_PAGE_ALLOC)
LAT_FNS(RUN_LAT_PAGE_FREE)
LAT_FNS(RUN_LAT_MUNMAP)

static void m_heap_alloc(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	if (s->host->heap_known)
		metric_u64(b, n, s->host->heap_allocated);
}
static void m_heap_resident(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	if (s->host->heap_known)
		metric_u64(b, n, s->host->heap_resident);
}
static void m_rss(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_u64(b, n, s->host->peak_rss);
}
static void m_counters(const struct metric_src *s, unsigned i, char *b, size_t n)
{
	metric_text(b, n, s->host->hw_hardware ? "hardware" : "software");
}
static void m_hw(const struct metric_src *s, unsigned k, char *b, size_t n)
{
	if (s->host->hw_hardware && s->host->events)
		snprintf(b, n, "%.3f", (double)s->host->hw[k] / (double)s->host->events);
}
#define HW_FN(k)                                                                                             \
	static void m_hw##k(const struct metric_src *s, unsigned i, char *b, size_t n)                       \
	{                                                                                                    \
		m_hw(s, k, b, n);                                                                            \
	}
HW_FN(0)
HW_FN(1)
HW_FN(2)
HW_FN(3)

#define HOST(name, unit, flags, fn, desc) M_FN(name, unit, METRIC_HOST, flags, fn, desc)
#define R METRIC_IN_REPLAY
#define S METRIC_IN_SUMMARY
#define LAT(op, k)                                                                                           \
	HOST("host_" op "_p50_ns", "ns", S, m_lat50_##k,                                                     \
	     "median host time of one " op " event (sampled pass)"),                                         \
		HOST("host_" op "_p90_ns", "ns", S, m_lat90_##k, "90th percentile of the same"),             \
		HOST("host_" op "_p99_ns", "ns", S, m_lat99_##k, "99th percentile of the same")

const struct metric metrics_host[] = {
	HOST("host_ns", "ns", R, m_ns, "wall time of the event loop"),
	HOST("host_ns_per_event", "ns", R | METRIC_BRIEF, m_ns_per_event, "wall time per event"),
	HOST("host_ns_per_event_min", "ns", S, m_npe_min, "wall time per event, fastest timed repeat"),
	HOST("host_ns_per_event_median", "ns", S, m_npe_median,
	     "wall time per event, median of the timed repeats"),
	HOST("host_ns_per_event_max", "ns", S, m_npe_max, "wall time per event, slowest timed repeat"),
	HOST("host_ns_per_event_all", "ns", S | METRIC_TEXT, m_npe_all,
	     "wall time per event of each timed repeat, ';'-separated"),
	HOST("host_mevents_per_s", "Mevents/s", R | S, m_mevents,
	     "million events per second (median repeat)"),
	HOST("host_cpu_ns", "ns", R, m_cpu_ns, "CPU time of the event loop (this thread)"),
	HOST("host_cpu_mevents_per_s", "Mevents/s", R, m_cpu_mevents, "million events per CPU second"),
	LAT("vmalloc", RUN_LAT_VMALLOC),
	LAT("vfree", RUN_LAT_VFREE),
	LAT("page_alloc", RUN_LAT_PAGE_ALLOC),
	LAT("page_free", RUN_LAT_PAGE_FREE),
	LAT("munmap", RUN_LAT_MUNMAP),
	HOST("host_heap_allocated_bytes", "bytes", S, m_heap_alloc,
	     "heap the sampled pass's machine allocated (jemalloc; empty without)"),
	HOST("host_heap_resident_bytes", "bytes", S, m_heap_resident,
	     "heap resident for it (jemalloc; empty without)"),
	HOST("host_peak_rss_bytes", "bytes", R | S, m_rss, "peak resident set size of the process"),
	HOST("host_counters", "", S | METRIC_TEXT, m_counters,
	     "hardware when the counters below are hardware counts, else software"),
	HOST("host_cycles_per_event", "cycles", S, m_hw0,
	     "CPU cycles per event, first timed repeat (hardware only)"),
	HOST("host_instructions_per_event", "instructions", S, m_hw1,
	     "instructions per event (hardware only)"),
	HOST("host_cache_misses_per_event", "misses", S, m_hw2, "cache misses per event (hardware only)"),
	HOST("host_dtlb_load_misses_per_event", "misses", S, m_hw3,
	     "dTLB load misses per event (hardware only)"),
	M_END,
};
