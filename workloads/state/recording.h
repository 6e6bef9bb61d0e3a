/* A recording directory (data/recordings/README.md): the trace with the machine it ran on.
 * recording_load reads the start snapshot's zoneinfo, pagetypeinfo and times.txt, and builds
 * the seed (core/phys/seed.h) from kpageflags.start(.zst). */
#ifndef RECORDING_H
#define RECORDING_H

#include "diag.h"
#include "kpageflags.h"
#include "pagetypeinfo.h"
#include "seed.h"
#include "zoneinfo.h"

#define RECORDING_PATH_MAX 4096

struct recording {
	char dir[RECORDING_PATH_MAX];
	char trace[RECORDING_PATH_MAX];	 /* trace.perf.txt(.zst) */
	char series[RECORDING_PATH_MAX]; /* buddyinfo-series.txt, "" when absent */
	char kpageflags[RECORDING_PATH_MAX];
	u64 kpf_start_ns, kpf_end_ns; /* when kpageflags.start was read (times.txt) */
	struct zoneinfo zi;
	struct pagetypeinfo pti;
	struct zones_cfg layout; /* the zones' spans */
	struct seed seed;
	struct kpf_zone_report rep[ZONE_NR_TYPES];
};

/* Fill rec (large: allocate it) from dir. 0 or -errno with d. */
int recording_load(struct recording *rec, const char *dir, struct mm_diag *d);
void recording_fini(struct recording *rec);
/* "start: ... kpageflags A..B, ..." of times.txt: A and B in ns. 0 or -EINVAL with d. */
int recording_times(const char *path, const char *which, u64 *kpf_start, u64 *kpf_end, struct mm_diag *d);
/* dir/name if it exists, else dir/name.zst if that exists: 0, else -ENOENT. */
int recording_path(const char *dir, const char *name, char *out, size_t len);

#endif
