/* What a recording directory holds beside its trace: the machine's snapshots (start, end, the
 * series), when they were read, and whether perf lost events (lost.txt). The trace's own counts,
 * commands and share come from info's usual lines. */
#include "bench/cli/info_rec.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "workloads/state/bseries.h"

static void secs(FILE *o, u64 ns)
{
	fprintf(o, "%" PRIu64 ".%06" PRIu64 " s", ns / 1000000000, ns % 1000000000 / 1000);
}

int info_recording(const struct recording *rec, FILE *o, struct mm_diag *d)
{
	char lost[RECORDING_PATH_MAX];
	struct mm_diag ld;
	fprintf(o, "recording    %s: the trace, and the machine's state at its start%s\n", rec->dir,
		rec->have_end ? " and end" : "");
	fprintf(o, "  start      read ");
	secs(o, rec->start.text_start);
	fprintf(o, " .. ");
	secs(o, rec->start.kpf_end);
	fprintf(o, " (zoneinfo, pagetypeinfo, kpageflags%s)\n", rec->vmalloc_start[0] ? ", vmallocinfo" : "");
	if (rec->have_end) {
		fprintf(o, "  end        read ");
		secs(o, rec->end.text_start);
		fprintf(o, " .. ");
		secs(o, rec->end.kpf_end);
		fprintf(o, "%s\n", rec->vmalloc_end[0] ? " (with vmallocinfo)" : "");
	} else {
		fprintf(o, "  end        none (times.txt has no end line)\n");
	}
	if (rec->series[0]) {
		struct bseries s;
		struct snapshot sn;
		u64 n = 0, first = 0, last = 0;
		int e = bseries_open(&s, rec->series, d);
		if (e)
			return e;
		while ((e = bseries_next(&s, &sn, d)) > 0) {
			if (!n++)
				first = sn.t0_ns;
			last = sn.t1_ns;
		}
		bseries_close(&s);
		if (e < 0)
			return e;
		fprintf(o, "  series     %" PRIu64 " buddyinfo snapshots", n);
		if (n) {
			fprintf(o, " from ");
			secs(o, first);
			fprintf(o, " to ");
			secs(o, last);
		}
		fputc('\n', o);
	} else {
		fprintf(o, "  series     none (no buddyinfo-series.txt)\n");
	}
	if (!recording_path(rec->dir, "lost.txt", lost, sizeof(lost), &ld))
		fprintf(o, "  lost.txt   present: perf lost events (the lost line above counts them)\n");
	else
		fprintf(o, "  lost.txt   absent: the recorder saw perf lose nothing (a recording made before "
			   "the recorders kept perf's lost records cannot say)\n");
	return 0;
}
