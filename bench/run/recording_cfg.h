/* A trace as replay, suite and the fidelity commands take it: a trace file, or a recording
 * directory (data/recordings/README.md) whose files give the per-trace settings the command
 * line or the suite file leaves unset: zones=zoneinfo:zoneinfo.start.txt, pagetypeinfo,
 * page-state=kpageflags.start with page-state-at (when it was read), snapshots
 * (buddyinfo-series.txt), vmalloc-state and vmalloc-end with vmalloc-end-at, and from (when the
 * start snapshot's text was read). An explicit zones drops the recording's page state; an
 * explicit from drops its page-state-at. The files any configuration names are read once for
 * the trace (recfiles.h) and lent to each configuration. */
#ifndef RECORDING_CFG_H
#define RECORDING_CFG_H

#include "bench/run/matrix.h"
#include "bench/run/recfiles.h"
#include "workloads/state/recording.h"
#include "core/machine/sim_stats.h"

struct recording_cfg {
	char trace[RECORDING_PATH_MAX];	     /* the trace file to read */
	char label[256];		     /* the directory's or the file's base name */
	struct recording *rec;		     /* the directory, or NULL for a trace file */
	struct setting_vals vals;	     /* the recording's values (none for a trace file) */
	char zones[RECORDING_PATH_MAX + 16]; /* "zoneinfo:PATH" */
	char text[4][64];		     /* the times among them, as seconds */
	struct recfiles *files;
	bool warned;	   /* exhaustion was reported for this trace */
	bool warned_state; /* a page state after the trace's end was reported */
	bool warned_free;  /* the page state's free pages against the zoneinfo's were reported */
	const struct recfiles_page_state *free_ps; /* a page state with free_note (atomic) */
};

/* arg: a trace file or a recording directory. With use_recording false a directory gives only
 * its trace. 0 or -errno with d. */
int recording_cfg_open(struct recording_cfg *rc, const char *arg, bool use_recording, struct mm_diag *d);
void recording_cfg_close(struct recording_cfg *rc);
/* Configuration c of m for this trace: m's values, the recording's for settings m leaves
 * unset, files read through rc's cache, then what the trace decides (tf). 0, or -EINVAL with
 * the reason in err ("FILE:LINE: reason" for a bad file). */
int recording_cfg_build(struct recording_cfg *rc, const struct matrix *m, size_t c,
			const struct sim_trace_facts *tf, struct sim_cfg *cfg, char *err, size_t len);
/* After a replay on this trace: the first time the model ran out of memory (st->exh), say so
 * on stderr, once per trace, naming the trace line of the first allocation no zone could serve.
 * Exhaustion, not fragmentation: the index cells of exhausted samples are empty. And a page
 * state read after the trace's last event (every page event skipped_in_state: times.txt and
 * the trace disagree), once per trace, naming times.txt's line. And a page state whose free
 * pages disagree with the zoneinfo's nr_free_pages (recfiles.h), once per trace. */
void recording_cfg_warn(struct recording_cfg *rc, const char *cmd, const struct sim_stats *st);

#endif
