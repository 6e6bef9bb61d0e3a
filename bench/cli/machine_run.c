#include "machine_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bseries.h"
#include "run.h"
#include "trace.h"

struct mrun {
	const struct machine_opts *o;
	struct machine_result *res;
	struct trace_reader *tr;
	const char *trace_name;
	bool exhausted[ZONE_NR_TYPES]; /* by zone position, since the last snapshot */
	struct sim *sim;
	/* the loop (run_events): the event read, the series and its next snapshot */
	struct mm_event ev;
	u64 last_ts;
	bool read_err;
	struct bseries *bs;
	struct snapshot k;
	int have; /* 1: k is the next snapshot; 0: none left; < 0: a read error */
	struct mm_diag *d;
};

static void mrun_fail(void *ctx, const struct mm_event *ev, unsigned zone_type)
{
	struct mrun *m = ctx;
	int z = m->sim->zones.index[zone_type];
	if (z >= 0)
		m->exhausted[z] = true;
	m->res->zone_failures[zone_type]++;
	if (m->res->first_fail_line)
		return;
	m->res->first_fail_line = trace_stats(m->tr)->lines;
	if (m->o->warn)
		fprintf(stderr,
			"%s:%llu: warning: the model's %s zone (and those below) could not serve this "
			"order-%u "
			"allocation the kernel served: the model ran out of memory (exhaustion, not "
			"fragmentation); its index cells are left empty\n",
			m->trace_name, (unsigned long long)m->res->first_fail_line, zone_type_name(zone_type),
			ev->order);
}

static void mrun_compare(struct mrun *m, const struct snapshot *k)
{
	struct snapcheck_row rows[ZONE_NR_TYPES];
	unsigned n = snapcheck_compare(&m->res->sc, &m->sim->zones, k, m->exhausted, rows);
	for (unsigned i = 0; m->o->snap_csv && i < n; i++) {
		const struct snapcheck_row *r = &rows[i];
		fprintf(m->o->snap_csv, "%s,%.6f,%s,%llu,%llu,", m->o->label ? m->o->label : "",
			(double)r->t_ns / 1e9, zone_type_name(r->type), (unsigned long long)r->free_kernel,
			(unsigned long long)r->free_model);
		if (r->ufi9_kernel >= 0)
			fprintf(m->o->snap_csv, "%d", r->ufi9_kernel);
		fputc(',', m->o->snap_csv);
		if (r->ufi9_model >= 0 && !r->exhausted)
			fprintf(m->o->snap_csv, "%d", r->ufi9_model);
		fprintf(m->o->snap_csv, ",%d\n", r->exhausted);
	}
	memset(m->exhausted, 0, sizeof(m->exhausted));
}

void machine_csv_header(FILE *f)
{
	fprintf(f, "config,t_s,zone,free_pages_kernel,free_pages_model,ufi9_kernel,ufi9_model,exhausted\n");
}

static bool is_page_event(unsigned k)
{
	return k == MME_PAGE_ALLOC || k == MME_PAGE_FREE || k == MME_PAGE_ZONE_LOCKED ||
	       k == MME_PAGE_PCPU_DRAIN;
}

/* The next snapshot at or after from (mid-read time), or 0 at the end. */
static int mrun_next_snap(struct bseries *bs, u64 from, struct snapshot *k, struct mm_diag *d)
{
	int r;
	while ((r = bseries_next(bs, k, d)) > 0)
		if (k->t0_ns >= from)
			return 1;
	return r;
}

/* The source: the trace's page events from --from on, one at a time (so that a warning's trace
 * line is the event's). */
static int mrun_source(void *ctx, const struct mm_event **ev, size_t *n)
{
	struct mrun *m = ctx;
	int r;
	while ((r = trace_next(m->tr, &m->ev)) > 0)
		if (m->ev.ts_ns >= m->res->from_ns && is_page_event(m->ev.kind))
			break;
	*ev = &m->ev;
	*n = r > 0;
	if (r > 0)
		m->last_ts = m->ev.ts_ns;
	return r < 0 ? (m->read_err = true, -EINVAL) : 0;
}

/* Before each event: compare every snapshot whose mid-read time it passed. */
static int mrun_before(void *ctx, const struct sim *s, const struct mm_event *ev)
{
	struct mrun *m = ctx;
	while (m->have > 0 && ev->ts_ns > m->k.t0_ns / 2 + m->k.t1_ns / 2) {
		mrun_compare(m, &m->k);
		if ((m->have = bseries_next(m->bs, &m->k, m->d)) < 0)
			return m->have;
	}
	return 0;
}

static int mrun_loop(struct mrun *m, struct bseries *bs, struct mm_diag *d)
{
	struct run_source src = {.next = mrun_source, .ctx = m};
	struct run_sampler smp = {.before = mrun_before, .ctx = m};
	struct run_result r = {0, 0, 0};
	m->bs = bs;
	m->d = d;
	m->have = bs ? mrun_next_snap(bs, m->res->from_ns, &m->k, d) : 0;
	if (m->have < 0)
		return m->have;
	int err = run_events(m->sim, &src, &smp, &r);
	m->res->events_replayed = r.events;
	if (m->read_err) {
		*d = *trace_diag(m->tr);
		return err;
	}
	if (err)
		return m->have < 0
			       ? m->have
			       : diag_set(d, m->trace_name, trace_stats(m->tr)->lines, "host out of memory");
	while (m->have > 0 && m->k.t1_ns <= m->last_ts) { /* the trace covers it: compare */
		mrun_compare(m, &m->k);
		if ((m->have = bseries_next(bs, &m->k, d)) < 0)
			return m->have;
	}
	return 0;
}

int machine_run(const struct recording *rec, const struct machine_opts *o, struct machine_result *res,
		struct mm_diag *d)
{
	struct sim *sim = calloc(1, sizeof(*sim));
	struct sim_cfg cfg;
	struct mrun m = {.o = o, .res = res, .sim = sim, .trace_name = rec->trace};
	struct bseries bs;
	struct timespec t0, t1;
	memset(res, 0, sizeof(*res));
	if (!sim)
		return -ENOMEM;
	res->from_ns = o->from_set ? o->from_ns : rec->kpf_end_ns;
	sim_cfg_default(&cfg);
	cfg.zones = rec->layout;
	cfg.buddy = o->policy ? o->policy : buddy_policy_find("lifo");
	cfg.page_mode = o->mode;
	cfg.seed = &rec->seed;
	cfg.pcp = o->pcp;
	zoneinfo_pcp_cfg(&rec->zi, &rec->layout, &cfg.pcp_cfg);
	cfg.pcp_cfg.high_set = o->pcp_high;
	cfg.pcp_cfg.batch_set = o->pcp_batch;
	cfg.page_fail = mrun_fail;
	cfg.page_fail_ctx = &m;
	int err = sim_init(sim, &cfg);
	if (err) {
		free(sim);
		return diag_set(d, rec->dir, 0, "cannot build the machine: %s", strerror(-err));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((err = trace_open(rec->trace, NULL, &m.tr, d)))
		goto out;
	if (rec->series[0] && (err = bseries_open(&bs, rec->series, d))) {
		trace_close(m.tr);
		goto out;
	}
	err = mrun_loop(&m, rec->series[0] ? &bs : NULL, d);
	if (rec->series[0])
		bseries_close(&bs);
	trace_close(m.tr);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	res->pr = sim->pages.st;
	res->pcp = sim->pcp.st;
out:
	sim_fini(sim);
	free(sim);
	return err;
}
