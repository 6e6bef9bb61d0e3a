/* What the host measured of a run (the replay loop's clock, latency classes, one cell's timed
 * passes, heap and hardware counters): plain values, written by the run engine (bench/run/) and
 * read by the outputs (bench/output/) and statistics. */
#ifndef RUN_HOST_H
#define RUN_HOST_H

#include <stdbool.h>

#include "bench/host/histo.h"
#include "core/mm_types.h"

/* Operation classes with their own latency percentiles (the sampled pass). */
enum run_lat {
	RUN_LAT_VMALLOC,
	RUN_LAT_VFREE,
	RUN_LAT_PAGE_ALLOC,
	RUN_LAT_PAGE_FREE,
	RUN_LAT_MUNMAP,
	RUN_LAT_NR
};
extern const char *const run_lat_names[RUN_LAT_NR]; /* "vmalloc", "vfree", ... */

/* Host time inside sim_event() so far, when each event is timed. */
struct run_clock {
	u64 ns;	     /* every event */
	u64 vmap_ns; /* of which vmap alloc and free events */
};

/* Peak resident set size of this process, bytes. */
u64 run_peak_rss(void);

/* Host measurements of one cell (a trace on a configuration): the last timed pass, and what
 * the suite adds (repeats, latencies of the sampled pass, heap, hardware counters). */
#define RUN_MAX_REPEATS 1000
#define RUN_HW_EVENTS 4
struct run_host {
	u64 events, ns, cpu_ns; /* the last timed pass */
	u64 peak_rss;		/* bytes, after the last pass */
	unsigned repeats;	/* timed passes: ns_per_event[0..repeats) */
	double ns_per_event[RUN_MAX_REPEATS];
	const struct histo *lat; /* RUN_LAT_NR histograms of the sampled pass, or NULL */
	bool heap_known;
	u64 heap_allocated, heap_resident; /* bytes the sampled pass's machine took from the heap */
	bool hw_hardware;		   /* the counters below are hardware counts */
	u64 hw[RUN_HW_EVENTS];		   /* run_hw_events, over the first timed pass */
};
extern const char *const run_hw_events[RUN_HW_EVENTS]; /* libpfm4 names: "cycles", ... */

#endif
