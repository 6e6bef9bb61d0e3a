#include "bench/run/workers.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "workloads/outfile.h"

enum { SLOT_FREE, SLOT_RUNNING, SLOT_RAN };

/* Everything below is read and written under mu only. */
struct workers {
	pthread_mutex_t mu;
	pthread_cond_t startable; /* a job may start, or the run stops */
	pthread_cond_t ran;	  /* a job has run */
	size_t njobs, window;
	size_t next_start; /* the next job to start */
	size_t next_take;  /* the next job whose result is taken */
	bool stop;
	unsigned char *state; /* [job % window] */
	int *err;	      /* [job % window]: the result of a job that ran */
	const struct workers_ops *ops;
};

struct worker {
	struct workers *w;
	unsigned id;
	pthread_t th;
};

static void *worker_main(void *arg)
{
	struct worker *me = arg;
	struct workers *w = me->w;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stop && w->next_start < w->njobs && w->next_start >= w->next_take + w->window)
			pthread_cond_wait(&w->startable, &w->mu);
		if (w->stop || w->next_start >= w->njobs)
			break;
		size_t j = w->next_start++;
		w->state[j % w->window] = SLOT_RUNNING;
		pthread_mutex_unlock(&w->mu);
		int e = w->ops->run(w->ops->ctx, j, me->id);
		pthread_mutex_lock(&w->mu);
		w->err[j % w->window] = e;
		w->state[j % w->window] = SLOT_RAN;
		pthread_cond_broadcast(&w->ran);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static struct timespec workers_later(struct timespec t, long ms)
{
	t.tv_nsec += ms * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	return t;
}

static bool workers_past(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

/* Take results in order until every job is taken or done() stops the run, ticking every
 * WORKERS_TICK_MS meanwhile. Called with mu held. */
static int workers_take(struct workers *w)
{
	struct timespec now, tick;
	clock_gettime(CLOCK_MONOTONIC, &now);
	tick = workers_later(now, WORKERS_TICK_MS);
	while (w->next_take < w->njobs) {
		size_t s = w->next_take % w->window;
		if (w->state[s] != SLOT_RAN) {
			pthread_cond_timedwait(&w->ran, &w->mu, &tick);
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (workers_past(&now, &tick)) {
				tick = workers_later(now, WORKERS_TICK_MS);
				if (w->ops->tick) {
					pthread_mutex_unlock(&w->mu);
					w->ops->tick(w->ops->ctx);
					pthread_mutex_lock(&w->mu);
				}
			}
			continue;
		}
		int e = w->err[s];
		size_t j = w->next_take;
		pthread_mutex_unlock(&w->mu);
		int r = w->ops->done(w->ops->ctx, j, e);
		pthread_mutex_lock(&w->mu);
		w->state[s] = SLOT_FREE;
		w->next_take++;
		pthread_cond_broadcast(&w->startable);
		if (r)
			return r;
	}
	return 0;
}

static int workers_init(struct workers *w, size_t njobs, size_t window, const struct workers_ops *ops)
{
	pthread_condattr_t ca;
	*w = (struct workers){.njobs = njobs, .window = window, .ops = ops};
	w->state = calloc(window, sizeof(*w->state));
	w->err = calloc(window, sizeof(*w->err));
	if (!w->state || !w->err || pthread_condattr_init(&ca)) {
		free(w->state);
		free(w->err);
		return -ENOMEM;
	}
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->startable, NULL);
	pthread_cond_init(&w->ran, &ca);
	pthread_condattr_destroy(&ca);
	return 0;
}

int workers_run(size_t njobs, unsigned nworkers, size_t window, const struct workers_ops *ops)
{
	struct workers w;
	if (!njobs)
		return 0;
	nworkers = (unsigned)MM_MAX(1u, MM_MIN((size_t)MM_MIN(nworkers, WORKERS_MAX), njobs));
	window = MM_MAX(window, 1);
	struct worker *ws = calloc(nworkers, sizeof(*ws));
	if (!ws || workers_init(&w, njobs, window, ops)) {
		free(ws);
		return -ENOMEM;
	}
	unsigned started = 0;
	sigset_t sigs;
	outfile_signals_hold(&sigs); /* the workers never take Ctrl-C: the taking thread does */
	for (; started < nworkers; started++) {
		ws[started] = (struct worker){.w = &w, .id = started};
		if (pthread_create(&ws[started].th, NULL, worker_main, &ws[started]))
			break;
	}
	outfile_signals_release(&sigs);
	pthread_mutex_lock(&w.mu);
	int rc = started ? workers_take(&w) : -EAGAIN;
	w.stop = true;
	pthread_cond_broadcast(&w.startable);
	pthread_mutex_unlock(&w.mu);
	for (unsigned i = 0; i < started; i++)
		pthread_join(ws[i].th, NULL);
	/* the run stopped: jobs that ran after the one that stopped it are not taken */
	for (size_t j = w.next_take; j < w.next_start; j++)
		if (ops->drop && w.state[j % window] == SLOT_RAN)
			ops->drop(ops->ctx, j);
	pthread_cond_destroy(&w.startable);
	pthread_cond_destroy(&w.ran);
	pthread_mutex_destroy(&w.mu);
	free(w.state);
	free(w.err);
	free(ws);
	return rc;
}

unsigned workers_online(void)
{
	cpu_set_t set;
	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}
