/* A recording directory (data/recordings/README.md): a trace together with snapshots of the
 * machine it ran on. recording_open finds its files and when they were read (times.txt); the
 * files themselves are read by their own readers (zoneinfo.h, pagetypeinfo.h, kpageflags.h,
 * bseries.h, vmallocinfo.h) when a replay asks for them. */
#ifndef RECORDING_H
#define RECORDING_H

#include <stdbool.h>

#include "workloads/diag.h"

#define RECORDING_PATH_MAX 4096

/* The reads of one snapshot (times.txt's "start:" or "end:" line), ns on the trace's clock. */
struct recording_times {
	u64 text_start, text_end;	  /* procfs text read A..B (zoneinfo, vmallocinfo, ...) */
	u64 kpf_start, kpf_end;		  /* kpageflags B..C */
	u64 bi_again_start, bi_again_end; /* buddyinfo again (0, 0: not in the line) */
	u64 line;			  /* of the line in times.txt */
};

struct recording {
	char dir[RECORDING_PATH_MAX];
	char trace[RECORDING_PATH_MAX];	       /* trace.perf.txt(.zst) */
	char zoneinfo[RECORDING_PATH_MAX];     /* zoneinfo.start.txt */
	char pagetypeinfo[RECORDING_PATH_MAX]; /* pagetypeinfo.start.txt */
	char kpageflags[RECORDING_PATH_MAX];   /* kpageflags.start(.zst) */
	/* "" when absent */
	char series[RECORDING_PATH_MAX];	/* buddyinfo-series.txt */
	char vmalloc_start[RECORDING_PATH_MAX]; /* vmallocinfo.start.txt */
	char vmalloc_end[RECORDING_PATH_MAX];	/* vmallocinfo.end.txt */
	char zoneinfo_end[RECORDING_PATH_MAX];	/* zoneinfo.end.txt */
	char times[RECORDING_PATH_MAX];		/* times.txt */
	struct recording_times start, end;
	bool have_end; /* times.txt has an "end:" line */
};

/* Whether path is a directory (a recording, for the commands that take traces). */
bool recording_is_dir(const char *path);
/* Fill rec (large: allocate it) from dir: the trace, zoneinfo, pagetypeinfo, kpageflags and
 * times.txt's start line must be there; an end line must begin after the start line's last
 * read. 0 or -errno with d. */
int recording_open(struct recording *rec, const char *dir, struct mm_diag *d);
/* times.txt's "which:" line ("start" or "end"). 0, -ENOENT when there is none (d set), or
 * -EINVAL with "FILE:LINE: reason": a time out of range, a range read backwards (A..B with
 * A after B), or a second "which:" line. */
int recording_times(const char *path, const char *which, struct recording_times *t, struct mm_diag *d);
/* dir/name if it is there, else dir/name.zst if that is there: 0, -ENOENT when neither is
 * (nothing at either path, not even a link), or -errno with d saying why the file that is there
 * cannot be read (a symbolic link loop, a dangling link, EACCES, a FIFO: infile.h). */
int recording_path(const char *dir, const char *name, char *out, size_t len, struct mm_diag *d);

#endif
