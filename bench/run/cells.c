#include "bench/run/cells.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench/run/lockstep.h"
#include "bench/run/workers.h"

enum { TR_CLOSED, TR_OPENING, TR_OPEN, TR_FAILED };

struct cells_trace {
	int state;
	struct feed *feed;
	int err;
	struct mm_diag diag;
	size_t cells, left;  /* cells of this trace in the run; not yet written */
	size_t first;	     /* the job of its first cell (a trace's cells are consecutive jobs) */
	struct lockstep *ls; /* its cells' results when they ran together, else NULL */
	u64 events;	     /* a pass's events once known (kept after the trace is closed) */
	bool announced;	     /* opened() was called */
	bool prepared;	     /* prepare() succeeded: unprepare() is owed */
};

/* Trace states are written under mu; a job's slot only by the worker that runs it, then by the
 * calling thread once workers.c hands its result over (its mutex orders the two). */
struct cells_eng {
	const struct cells_run *r;
	pthread_mutex_t mu;
	pthread_cond_t opened;
	struct cells_trace *tr;
	size_t window;
	struct cells_job *jobs; /* [job % window] */
	char *slots;		/* [job % window], slot_size each */
	u64 events;		/* replayed by every pass so far (atomic) */
	size_t taken;
	const char *reading; /* the spec being opened, for the progress line */
};

static size_t cells_cell(const struct cells_run *r, size_t j)
{
	return r->cells ? r->cells[j] : j;
}

static const char *cells_base(const char *spec)
{
	const char *s = strncmp(spec, "gen:", 4) ? strrchr(spec, '/') : NULL;
	return s ? s + 1 : spec;
}

/* Run every cell of trace ti together over f's one pass, read by this worker (lockstep.h). 0,
 * or -ENOMEM with d set. */
static int cells_lockstep(struct cells_eng *e, size_t ti, struct feed *f, unsigned worker, struct mm_diag *d)
{
	const struct cells_run *r = e->r;
	struct cells_trace *t = &e->tr[ti];
	struct cells_job *jobs = calloc(t->cells, sizeof(*jobs));
	struct lockstep *ls = calloc(1, sizeof(*ls));
	if (jobs && ls) {
		for (size_t i = 0; i < t->cells; i++) {
			size_t cell = cells_cell(r, t->first + i);
			jobs[i] = (struct cells_job){.cell = cell,
						     .trace = ti,
						     .config = cell % r->nconfigs,
						     .feed = f,
						     .worker = worker,
						     .progress = &e->events,
						     .label = cells_base(r->spec(r->ctx, ti))};
		}
		if (!lockstep_init(ls, r, jobs, t->cells)) {
			pthread_mutex_lock(&e->mu); /* the trace's waiting jobs come to help */
			t->ls = ls;
			pthread_cond_broadcast(&e->opened);
			pthread_mutex_unlock(&e->mu);
			lockstep_run(ls);
			return 0;
		}
		jobs = NULL; /* freed by lockstep_init */
	}
	free(jobs);
	free(ls);
	return diag_set(d, r->spec(r->ctx, ti), 0, "out of memory"), -ENOMEM;
}

/* Open trace ti once; the other cells of the trace wait, or help while its cells run together
 * (lockstep_help, once). Its state, after. */
static int cells_open(struct cells_eng *e, size_t ti, unsigned worker)
{
	const struct cells_run *r = e->r;
	struct cells_trace *t = &e->tr[ti];
	bool helped = false;
	pthread_mutex_lock(&e->mu);
	while (t->state == TR_OPENING) {
		struct lockstep *ls = helped ? NULL : t->ls;
		if (ls) {
			helped = true;
			pthread_mutex_unlock(&e->mu);
			lockstep_help(ls); /* t->ls stays until the trace's last cell, after this job's */
			pthread_mutex_lock(&e->mu);
		} else {
			pthread_cond_wait(&e->opened, &e->mu);
		}
	}
	if (t->state == TR_CLOSED) {
		t->state = TR_OPENING;
		e->reading = r->spec(r->ctx, ti);
		pthread_mutex_unlock(&e->mu);
		struct feed_opts fo = {.topts = r->topts,
				       .passes = (unsigned)MM_MIN(t->cells * r->passes, 1u << 30),
				       .need_facts = r->need_facts,
				       .mem_bytes =
					       (r->mem_bytes ? r->mem_bytes : CELLS_MEM_BYTES) / e->window,
				       .lockstep = r->begin && r->passes == 1};
		struct feed *f = NULL;
		struct mm_diag d = {{0}};
		const char *src = r->prepare ? r->prepare(r->ctx, ti, &d) : r->spec(r->ctx, ti);
		int err = src ? feed_open(src, &fo, &f, &d) : -EIO;
		if (!err && feed_lockstep(f) && (err = cells_lockstep(e, ti, f, worker, &d))) {
			feed_close(f);
			f = NULL;
		}
		pthread_mutex_lock(&e->mu);
		t->prepared = r->prepare && src;
		t->feed = f;
		t->err = err;
		t->diag = d;
		t->state = err ? TR_FAILED : TR_OPEN;
		e->reading = NULL;
		pthread_cond_broadcast(&e->opened);
	}
	int st = t->state;
	pthread_mutex_unlock(&e->mu);
	return st;
}

static int cells_job_run(void *ctx, size_t j, unsigned worker)
{
	struct cells_eng *e = ctx;
	const struct cells_run *r = e->r;
	size_t cell = cells_cell(r, j), ti = cell / r->nconfigs;
	struct cells_job *job = &e->jobs[j % e->window];
	void *slot = e->slots + (j % e->window) * r->slot_size;
	memset(slot, 0, r->slot_size);
	*job = (struct cells_job){.cell = cell,
				  .trace = ti,
				  .config = cell % r->nconfigs,
				  .slot = slot,
				  .worker = worker,
				  .progress = &e->events,
				  .label = cells_base(r->spec(r->ctx, ti))};
	if (cells_open(e, ti, worker) != TR_OPEN)
		return e->tr[ti].err; /* written once, before the broadcast that let us through */
	job->feed = e->tr[ti].feed;
	if (e->tr[ti].ls) /* ran with the trace's other cells: its result, already there */
		return lockstep_take(e->tr[ti].ls, j - e->tr[ti].first, slot);
	return r->run(r->ctx, job);
}

/* The figures of the progress line: expected events from the traces opened so far, the cells
 * of traces not opened yet counted at the mean of those. Called with mu held. */
static void cells_figures(struct cells_eng *e, struct progress_figures *fig, char *what, size_t len)
{
	const struct cells_run *r = e->r;
	u64 known = 0;
	size_t cells_known = 0;
	for (size_t ti = 0; ti < r->ntraces; ti++) {
		const struct cells_trace *t = &e->tr[ti];
		u64 n = t->events ? t->events : t->feed ? feed_events(t->feed) : 0;
		if (n && t->cells) {
			known += n * r->passes * t->cells;
			cells_known += t->cells;
		}
	}
	*fig = (struct progress_figures){.done = e->taken, .total = r->ncells};
	fig->events = __atomic_load_n(&e->events, __ATOMIC_RELAXED);
	if (cells_known)
		fig->expected = known + (u64)((double)known / (double)cells_known *
					      (double)(r->ncells - MM_MIN(cells_known, r->ncells)));
	if (e->reading) {
		snprintf(what, len, "reading %s", cells_base(e->reading));
		fig->what = what;
	}
}

static void cells_draw(struct cells_eng *e, bool force)
{
	struct progress_figures fig;
	char what[160];
	if (!e->r->progress || !e->r->progress->on)
		return;
	pthread_mutex_lock(&e->mu);
	cells_figures(e, &fig, what, sizeof(what));
	pthread_mutex_unlock(&e->mu);
	progress_draw(e->r->progress, &fig, force);
}

static void cells_tick(void *ctx)
{
	cells_draw(ctx, false);
}

/* A job's cell is written or dropped: the trace is closed after its last cell. */
static void cells_finish(struct cells_eng *e, struct cells_job *job, bool written)
{
	const struct cells_run *r = e->r;
	struct cells_trace *t = &e->tr[job->trace];
	if (job->feed && r->release)
		r->release(r->ctx, job);
	pthread_mutex_lock(&e->mu);
	bool last = !--t->left, unprep = last && t->prepared;
	struct feed *f = last ? t->feed : NULL;
	struct lockstep *ls = last ? t->ls : NULL;
	if (f) {
		t->events = feed_events(f);
		t->feed = NULL;
	}
	if (last)
		t->ls = NULL;
	if (unprep)
		t->prepared = false;
	e->taken += written;
	pthread_mutex_unlock(&e->mu);
	lockstep_free(ls); /* before the feed: the results not taken are released with it open */
	free(ls);
	feed_close(f);
	if (unprep && r->unprepare)
		r->unprepare(r->ctx, job->trace);
}

static int cells_job_done(void *ctx, size_t j, int err)
{
	struct cells_eng *e = ctx;
	const struct cells_run *r = e->r;
	struct cells_job *job = &e->jobs[j % e->window];
	struct cells_trace *t = &e->tr[job->trace];
	int rc;
	if (r->progress)
		progress_clear(r->progress);
	if (!job->feed) { /* the trace could not be read */
		const char *msg = t->diag.msg[0] ? t->diag.msg : strerror(-err);
		fprintf(stderr, "mmreplay %s: %s\n", r->cmd, msg);
		if (r->unread)
			r->unread(r->ctx, job, msg);
		rc = err ? err : -EIO;
	} else {
		if (!t->announced && r->opened)
			r->opened(r->ctx, job->trace, job->feed);
		t->announced = true;
		rc = r->emit(r->ctx, job, err);
	}
	cells_finish(e, job, true);
	cells_draw(e, true);
	return rc;
}

static void cells_job_drop(void *ctx, size_t j)
{
	struct cells_eng *e = ctx;
	cells_finish(e, &e->jobs[j % e->window], false);
}

static int cells_go(struct cells_eng *e, unsigned nw)
{
	const struct cells_run *r = e->r;
	struct workers_ops ops = {.run = cells_job_run,
				  .done = cells_job_done,
				  .drop = cells_job_drop,
				  .tick = cells_tick,
				  .ctx = e};
	for (size_t j = 0; j < r->ncells; j++) {
		struct cells_trace *t = &e->tr[cells_cell(r, j) / r->nconfigs];
		if (!t->cells)
			t->first = j;
		t->cells++;
		t->left++;
	}
	cells_draw(e, true);
	int rc = workers_run(r->ncells, nw, e->window, &ops);
	for (size_t ti = 0; ti < r->ntraces; ti++) { /* a stopped run leaves traces open */
		lockstep_free(e->tr[ti].ls);
		free(e->tr[ti].ls);
		feed_close(e->tr[ti].feed);
		if (e->tr[ti].prepared && r->unprepare)
			r->unprepare(r->ctx, ti);
	}
	if (r->progress)
		progress_end(r->progress);
	return rc;
}

int cells_run(const struct cells_run *r)
{
	struct cells_eng e = {.r = r};
	unsigned nw = r->workers ? r->workers : workers_online();
	if (!r->ncells)
		return 0;
	nw = (unsigned)MM_MIN((size_t)MM_MIN(nw, WORKERS_MAX), r->ncells);
	e.window = 4 * (size_t)nw;
	e.tr = calloc(r->ntraces, sizeof(*e.tr));
	e.jobs = calloc(e.window, sizeof(*e.jobs));
	e.slots = calloc(e.window, MM_MAX(r->slot_size, 1));
	int rc = -ENOMEM;
	if (e.tr && e.jobs && e.slots) {
		pthread_mutex_init(&e.mu, NULL);
		pthread_cond_init(&e.opened, NULL);
		rc = cells_go(&e, nw);
		pthread_cond_destroy(&e.opened);
		pthread_mutex_destroy(&e.mu);
	}
	free(e.tr);
	free(e.jobs);
	free(e.slots);
	return rc;
}
