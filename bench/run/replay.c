#include "bench/run/replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void replay_wl_free(struct replay_step *rs)
{
	if (rs->wl) {
		run_wl_fini(rs->wl);
		free(rs->wl);
	}
	rs->wl = NULL;
}

int replay_begin(struct replay_step *rs, const struct sim_cfg *cfg, const struct task_spec *wl)
{
	memset(rs, 0, sizeof(*rs));
	if (wl && wl->kind != TASK_SPEC_ALL) {
		rs->wl = malloc(sizeof(*rs->wl));
		if (!rs->wl || run_wl_init(rs->wl, wl)) {
			free(rs->wl);
			rs->wl = NULL;
			return -ENOMEM;
		}
	}
	struct sim *s = calloc(1, sizeof(*s));
	int err = s ? sim_init(s, cfg) : -ENOMEM;
	if (err) {
		free(s);
		replay_wl_free(rs);
		return err;
	}
	sim_prefault(s);
	rs->s = s;
	run_begin(&rs->run, s, snapcheck_hook_init(&rs->hook, s, &rs->smp));
	rs->run.wl = rs->wl;
	return 0;
}

int replay_step(struct replay_step *rs, const struct mm_event *ev, size_t n)
{
	return run_step(&rs->run, ev, n);
}

int replay_end(struct replay_step *rs, int err, const char *trace, struct replay_row *row)
{
	struct sim *s = rs->s;
	struct run_result r = {0, 0, 0};
	memset(row, 0, sizeof(*row));
	err = run_end(&rs->run, err, &r);
	if (!err)
		err = snapcheck_hook_finish(&rs->hook);
	if (!err)
		err = sim_finish(s); /* the end-snapshot comparison */
	rs->s = NULL;
	if (err) {
		snapcheck_hook_fini(&rs->hook);
		sim_fini(s);
		free(s);
		replay_wl_free(rs);
		return err;
	}
	row->snap_rows = rs->hook.rows; /* the row owns them now */
	row->nsnap_rows = rs->hook.nrows;
	rs->hook.rows = NULL;
	snapcheck_hook_fini(&rs->hook); /* the read tracker's per-CPU state */
	row->trace = trace;
	row->sim = s;
	sim_stats_read(s, SIM_STATS_FULL, &row->st);
	run_wl_figs(rs->wl, &row->st, &row->wl);
	replay_wl_free(rs);
	row->host.events = r.events;
	row->host.ns = r.ns;
	row->host.cpu_ns = r.cpu_ns;
	row->host.peak_rss = run_peak_rss();
	row->host.repeats = 1;
	row->host.ns_per_event[0] = r.events ? (double)r.ns / (double)r.events : 0.0;
	return 0;
}

int replay_run_src(const char *trace, const struct run_source *src, const struct sim_cfg *cfg,
		   const struct task_spec *wl, struct replay_row *row)
{
	struct replay_step rs;
	int err = replay_begin(&rs, cfg, wl);
	if (err) {
		memset(row, 0, sizeof(*row));
		return err;
	}
	return replay_end(&rs, run_steps(&rs.run, src), trace, row);
}

int replay_run(const char *trace, const struct mm_event *ev, size_t n, const struct sim_cfg *cfg,
	       struct replay_row *row)
{
	struct run_array a;
	struct run_source src = run_source_array(&a, ev, n);
	return replay_run_src(trace, &src, cfg, NULL, row);
}

void replay_row_fini(struct replay_row *row)
{
	free(row->snap_rows);
	row->snap_rows = NULL;
	row->nsnap_rows = 0;
	if (row->sim) {
		sim_fini(row->sim);
		free(row->sim);
	}
	row->sim = NULL;
}

int replay_cfg(const struct matrix *m, size_t c, const struct sim_trace_facts *tf, struct sim_cfg *cfg,
	       char *err, size_t len)
{
	for (size_t a = 0; a < m->naxes; a++) /* those files are read per trace */
		if (setting_is_file(m->axis[a].set) && strcmp(matrix_value(m, c, a), "none")) {
			snprintf(err, len,
				 "--%s is read with each trace: replay, suite, machine and vmalloc-fidelity "
				 "take it",
				 m->axis[a].set->name);
			return -EINVAL;
		}
	int e = matrix_cfg(m, c, cfg, err, len);
	if (!e)
		sim_cfg_for_trace(cfg, tf);
	return e;
}

void replay_row_drop_machine(struct replay_row *row)
{
	if (row->sim) {
		sim_fini(row->sim);
		free(row->sim);
	}
	row->sim = NULL;
}
