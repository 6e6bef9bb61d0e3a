#include "bench/run/suite_cell.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/host/clock.h"
#include "bench/mm_exit.h"
#include "bench/output/csv.h"
#include "bench/host/hostinfo.h"
#include "bench/output/series.h"

/* The two kinds of pass (suite_cell.h). */
int suite_cell_sampled(struct feed *f, u64 *progress, const struct sim_cfg *cfg, u64 every, const char *dir,
		       const char *rel, struct run_host *h, struct histo *lat, char *why, size_t len)
{
	struct sim *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	u64 a0 = 0, r0 = 0, a1, r1;
	bool heap = hostinfo_heap(&a0, &r0);
	int err = sim_init(s, cfg);
	if (err) {
		free(s);
		return err;
	}
	struct csv ts;
	if ((err = csv_open_in(&ts, dir, rel))) { /* no symlink below dir is followed */
		snprintf(why, len, "%s: %s", ts.out.path, csv_error(&ts, err));
		sim_fini(s);
		free(s);
		return 1;
	}
	struct series_writer w = {.f = ts.f};
	struct run_sampler smp = {.every = every, .sample = series_sample, .ctx = &w, .lat = lat};
	struct feed_pass pass;
	struct run_source src;
	struct mm_diag d;
	struct run_result r = {0, 0, 0};
	err = feed_pass_open(f, &pass, progress, &src, &d);
	if (!err) {
		err = run_events(s, &src, &smp, &r);
		feed_pass_close(&pass);
	}
	if (heap && hostinfo_heap(&a1, &r1)) {
		h->heap_known = true;
		h->heap_allocated = (i64)(a1 - a0) > 0 ? a1 - a0 : 0; /* this thread's: may wrap */
		h->heap_resident = r1 > r0 ? r1 - r0 : 0;
	}
	sim_fini(s);
	free(s);
	if (err) {
		csv_abort(&ts);
		return err;
	}
	if ((err = csv_commit(&ts)))
		snprintf(why, len, "%s: %s", ts.out.path, csv_error(&ts, err));
	return err ? 1 : 0;
}

/* The timed passes; the row keeps the last one's machine view. */
int suite_cell_timed(const char *label, struct feed *f, u64 *progress, const struct sim_cfg *cfg,
		     const struct task_spec *wl, unsigned repeats, struct replay_row *row, struct run_host *h)
{
	struct hwcounter hw[RUN_HW_EVENTS];
	int err = 0;
	for (int i = 0; i < RUN_HW_EVENTS; i++)
		hwcounter_open(&hw[i], run_hw_events[i]);
	memset(row, 0, sizeof(*row));
	for (unsigned r = 0; r < repeats && !err; r++) {
		u64 c0[RUN_HW_EVENTS];
		replay_row_fini(row);
		for (int i = 0; i < RUN_HW_EVENTS; i++)
			c0[i] = hwcounter_read(&hw[i]);
		struct feed_pass pass;
		struct run_source src;
		struct mm_diag d;
		if ((err = feed_pass_open(f, &pass, progress, &src, &d)))
			break;
		err = replay_run_src(label, &src, cfg, wl, row);
		feed_pass_close(&pass);
		for (int i = 0; r == 0 && i < RUN_HW_EVENTS; i++)
			h->hw[i] = hwcounter_read(&hw[i]) - c0[i];
		h->ns_per_event[r] = row->host.ns_per_event[0];
	}
	h->hw_hardware = hw[0].hardware;
	for (int i = 0; i < RUN_HW_EVENTS; i++)
		hwcounter_close(&hw[i]);
	h->events = row->host.events;
	h->ns = row->host.ns;
	h->cpu_ns = row->host.cpu_ns;
	h->peak_rss = row->host.peak_rss;
	h->repeats = repeats;
	return err;
}
