#include "bench/host/run_host.h"

#include <sys/resource.h>

const char *const run_lat_names[RUN_LAT_NR] = {"vmalloc", "vfree", "page_alloc", "page_free", "munmap"};
const char *const run_hw_events[RUN_HW_EVENTS] = {"cycles", "instructions", "cache-misses",
						  "dTLB-load-misses"};

u64 run_peak_rss(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (u64)ru.ru_maxrss * 1024;
}
