#include "bench/run/lockstep.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine/sim_mem.h"

/* Events each machine steps at a time: 4 MiB of events, a machine's switch amortised. */
#define LOCKSTEP_CHUNK ((size_t)1 << 16)

/* Build every machine: a cell whose begin fails keeps that result and takes no step. */
static size_t lockstep_begin(struct lockstep *ls)
{
	const struct cells_run *r = ls->r;
	size_t live = 0;
	for (size_t i = 0; i < ls->n; i++) {
		ls->err[i] = r->begin(r->ctx, &ls->jobs[i]);
		ls->begun[i] = !ls->err[i];
		live += ls->begun[i];
	}
	return live;
}

/* Step the current batch's machines not taken yet, one at a time; with mu held (released while
 * a machine steps). The reader takes them from the front, helpers from the back: with one
 * helper a machine mostly stays on one core from batch to batch (its caches warm there). */
static void lockstep_work(struct lockstep *ls, bool front)
{
	const struct cells_run *r = ls->r;
	while (ls->next < ls->end) {
		size_t i = front ? ls->next++ : --ls->end;
		if (!ls->begun[i] || ls->err[i])
			continue;
		const struct mm_event *ev = ls->ev;
		size_t n = ls->nev;
		pthread_mutex_unlock(&ls->mu);
		int e = r->step(r->ctx, &ls->jobs[i], ev, n);
		pthread_mutex_lock(&ls->mu);
		ls->err[i] = e; /* a machine that fails stops there */
		if (!--ls->pending)
			pthread_cond_broadcast(&ls->cv);
	}
}

/* The source's batches gathered into c (LOCKSTEP_CHUNK events): each machine then steps many
 * events at once, its state warm in the caches. *left: the rest of the source's last batch
 * (valid until its next call). The events gathered (0 at the end), or the source's -errno. */
static long lockstep_gather(const struct run_source *src, struct mm_event *c, const struct mm_event **left,
			    size_t *nleft)
{
	size_t got = 0;
	while (got < LOCKSTEP_CHUNK) {
		if (!*nleft) {
			int e = src->next(src->ctx, left, nleft);
			if (e)
				return e;
			if (!*nleft)
				break;
		}
		size_t k = MM_MIN(*nleft, LOCKSTEP_CHUNK - got);
		memcpy(c + got, *left, k * sizeof(*c));
		got += k;
		*left += k;
		*nleft -= k;
	}
	return (long)got;
}

/* The one pass: each batch to every machine still going, stepped here and by helpers; the
 * next batch is read once all have had this one (the reader's batch is valid until then). A
 * source error stops them all with the reader's diagnostic (*d). 0 or the source's -errno. */
static int lockstep_pass(struct lockstep *ls, struct mm_diag *d)
{
	struct feed_pass p;
	struct run_source src;
	u64 *progress = ls->jobs[0].progress;
	struct mm_event *chunk = malloc(LOCKSTEP_CHUNK * sizeof(*chunk));
	const struct mm_event *left = NULL;
	size_t nleft = 0;
	int e = chunk ? feed_pass_open(ls->jobs[0].feed, &p, NULL, &src, d) : -ENOMEM;
	if (e) {
		free(chunk);
		return e == -ENOMEM && !d->msg[0] ? (diag_set(d, ls->jobs[0].label, 0, "out of memory"), e)
						  : e;
	}
	pthread_mutex_lock(&ls->mu);
	for (;;) {
		size_t live = 0;
		for (size_t i = 0; i < ls->n; i++)
			live += ls->begun[i] && !ls->err[i];
		if (!live)
			break;
		pthread_mutex_unlock(&ls->mu);
		long n = lockstep_gather(&src, chunk, &left, &nleft);
		pthread_mutex_lock(&ls->mu);
		if (n <= 0) {
			e = (int)n;
			break;
		}
		ls->ev = chunk;
		ls->nev = (size_t)n;
		ls->next = 0;
		ls->end = ls->n;
		ls->pending = live;
		pthread_cond_broadcast(&ls->cv);
		lockstep_work(ls, true);
		while (ls->pending)
			pthread_cond_wait(&ls->cv, &ls->mu);
		if (progress) /* what the passes of their own would have counted */
			__atomic_fetch_add(progress, (u64)n * live, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&ls->mu);
	if (e)
		*d = *feed_pass_diag(&p);
	feed_pass_close(&p);
	free(chunk);
	return e;
}

void lockstep_help(struct lockstep *ls)
{
	pthread_mutex_lock(&ls->mu);
	while (!ls->over) {
		lockstep_work(ls, false);
		if (!ls->over)
			pthread_cond_wait(&ls->cv, &ls->mu);
	}
	pthread_mutex_unlock(&ls->mu);
}

bool lockstep_fits(const struct matrix *m)
{
	u64 sum = 0;
	for (size_t k = 0; k < matrix_size(m); k++) {
		struct sim_cfg cfg;
		char err[512];
		if (matrix_cfg(m, k, &cfg, err, sizeof(err)))
			continue;
		sum += sim_mem_fixed(&cfg);
		if (sum > LOCKSTEP_FIXED_MAX)
			return false;
	}
	return true;
}

int lockstep_init(struct lockstep *ls, const struct cells_run *r, struct cells_job *jobs, size_t n)
{
	memset(ls, 0, sizeof(*ls));
	pthread_mutex_init(&ls->mu, NULL);
	pthread_cond_init(&ls->cv, NULL);
	ls->r = r;
	ls->n = n;
	ls->jobs = jobs;
	ls->slots = calloc(n, MM_MAX(r->slot_size, 1));
	ls->err = calloc(n, sizeof(*ls->err));
	ls->begun = calloc(n, sizeof(*ls->begun));
	ls->taken = calloc(n, sizeof(*ls->taken));
	if (!ls->slots || !ls->err || !ls->begun || !ls->taken) {
		ls->n = 0; /* no result to release */
		lockstep_free(ls);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		jobs[i].slot = ls->slots + i * r->slot_size;
	ls->next = ls->end = n; /* no batch yet */
	return 0;
}

void lockstep_run(struct lockstep *ls)
{
	const struct cells_run *r = ls->r;
	struct mm_diag d = {{0}};
	int e = 0;
	if (lockstep_begin(ls))
		e = lockstep_pass(ls, &d);
	pthread_mutex_lock(&ls->mu); /* helpers leave */
	ls->over = true;
	pthread_cond_broadcast(&ls->cv);
	pthread_mutex_unlock(&ls->mu);
	for (size_t i = 0; i < ls->n; i++) /* a cell's own error first, else the source's */
		if (ls->begun[i])
			ls->err[i] = r->end(r->ctx, &ls->jobs[i], ls->err[i] ? ls->err[i] : e,
					    ls->err[i] || !e ? NULL : &d);
}

int lockstep_take(struct lockstep *ls, size_t i, void *slot)
{
	memcpy(slot, ls->slots + i * ls->r->slot_size, ls->r->slot_size);
	ls->taken[i] = true;
	return ls->err[i];
}

void lockstep_free(struct lockstep *ls)
{
	if (!ls)
		return;
	for (size_t i = 0; ls->slots && ls->taken && i < ls->n; i++)
		if (!ls->taken[i] && ls->r->release)
			ls->r->release(ls->r->ctx, &ls->jobs[i]);
	free(ls->jobs);
	free(ls->slots);
	free(ls->err);
	free(ls->begun);
	free(ls->taken);
	if (ls->r) { /* initialised */
		pthread_cond_destroy(&ls->cv);
		pthread_mutex_destroy(&ls->mu);
	}
	memset(ls, 0, sizeof(*ls));
}
