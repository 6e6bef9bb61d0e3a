/* Replay a bundled recording (data/recordings) as `mmreplay replay DIR --NAME VALUE ...` does:
 * the options through the settings registry, the directory's files through recording_cfg.h. */
#ifndef REC_TESTUTIL_H
#define REC_TESTUTIL_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/run/recording_cfg.h"
#include "bench/run/replay.h"
#include "core/phys/hindsight.h"
#include "workloads/trace/trace.h"

#define REC_DIR MMREPLAY_DATA_DIR "/recordings/"

struct rec_run {
	struct recording_cfg *rc;
	struct mm_trace t;
	struct sim_trace_facts tf;
	struct hindsight_of_array hs; /* buddy mode's, as `mmreplay machine` builds it */
	struct matrix m;
};

static inline void rec_open(struct rec_run *r, const char *name)
{
	char dir[512];
	struct mm_diag d = {{0}};
	snprintf(dir, sizeof(dir), REC_DIR "%s", name);
	r->rc = malloc(sizeof(*r->rc));
	cr_assert_eq(recording_cfg_open(r->rc, dir, true, &d), 0, "%s", d.msg);
	cr_assert_eq(trace_load(r->rc->trace, NULL, &r->t, &d), 0, "%s", d.msg);
	sim_trace_facts(r->t.ev, r->t.n, &r->tf);
	hindsight_of_array_init(&r->hs, r->t.ev, r->t.n);
	r->tf.hindsight = &r->hs.src;
}

/* The configuration of the options set ("name=value" each, NULL-terminated): 0, or -EINVAL with
 * the reason in err. */
static inline int rec_cfg(struct rec_run *r, const char *const *set, struct sim_cfg *cfg, char *err,
			  size_t len)
{
	matrix_init(&r->m);
	for (; set && *set; set++) {
		char name[64];
		const char *eq = strchr(*set, '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *set), *set);
		const struct setting *s = settings_find(name);
		cr_assert(s, "%s", name);
		if (matrix_set(&r->m, s, eq + 1, s->axis, err, len))
			return -EINVAL;
	}
	return recording_cfg_build(r->rc, &r->m, 0, &r->tf, cfg, err, len);
}

static inline void rec_replay(struct rec_run *r, const char *const *set, struct replay_row *row)
{
	struct sim_cfg cfg;
	char err[512];
	cr_assert_eq(rec_cfg(r, set, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(replay_run(r->rc->label, r->t.ev, r->t.n, &cfg, row), 0);
}

static inline void rec_close(struct rec_run *r)
{
	hindsight_of_array_fini(&r->hs);
	trace_free(&r->t);
	recording_cfg_close(r->rc);
	free(r->rc);
}

#endif
