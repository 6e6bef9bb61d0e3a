#include "lockstep.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* The one pass: each batch to every cell still going, in cell order. A cell whose step fails
 * stops there; a source error stops them all with the reader's diagnostic (*d). 0 or the
 * source's -errno. */
static int lockstep_pass(struct lockstep *ls, size_t live, struct mm_diag *d)
{
	const struct cells_run *r = ls->r;
	struct feed_pass p;
	struct run_source src;
	int e = feed_pass_open(ls->jobs[0].feed, &p, NULL, &src, d);
	if (e)
		return e;
	while (live) {
		const struct mm_event *ev;
		size_t n;
		if ((e = src.next(src.ctx, &ev, &n)) || !n)
			break;
		u64 fed = 0;
		for (size_t i = 0; i < ls->n; i++) {
			if (!ls->begun[i] || ls->err[i])
				continue;
			fed += n;
			if ((ls->err[i] = r->step(r->ctx, &ls->jobs[i], ev, n)))
				live--;
		}
		if (ls->jobs[0].progress) /* what the passes of their own would have counted */
			__atomic_fetch_add(ls->jobs[0].progress, fed, __ATOMIC_RELAXED);
	}
	if (e)
		*d = *feed_pass_diag(&p);
	feed_pass_close(&p);
	return e;
}

int lockstep_run(struct lockstep *ls, const struct cells_run *r, struct cells_job *jobs, size_t n)
{
	memset(ls, 0, sizeof(*ls));
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
	struct mm_diag d = {{0}};
	size_t live = lockstep_begin(ls);
	int e = live ? lockstep_pass(ls, live, &d) : 0;
	for (size_t i = 0; i < n; i++) /* a cell's own error first, else the source's */
		if (ls->begun[i])
			ls->err[i] = r->end(r->ctx, &jobs[i], ls->err[i] ? ls->err[i] : e,
					    ls->err[i] || !e ? NULL : &d);
	return 0;
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
	memset(ls, 0, sizeof(*ls));
}
