#include "bench/run/run.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "bench/host/clock.h"
#include "bench/run/run_workload.h"
#include "workloads/trace/trace.h"

static int run_array_next(void *ctx, const struct mm_event **ev, size_t *n)
{
	struct run_array *a = ctx;
	*ev = a->ev;
	*n = a->done ? 0 : a->n;
	a->done = true;
	return 0;
}

struct run_source run_source_array(struct run_array *a, const struct mm_event *ev, size_t n)
{
	*a = (struct run_array){.ev = ev, .n = n, .done = false};
	return (struct run_source){.next = run_array_next, .ctx = a};
}

static int run_stream_next(void *ctx, const struct mm_event **ev, size_t *n)
{
	struct run_stream *st = ctx;
	long got = trace_read(st->r, st->buf, RUN_BATCH);
	if (got < 0)
		return -EINVAL;
	*ev = st->buf;
	*n = (size_t)got;
	return 0;
}

struct run_source run_source_reader(struct run_stream *st, struct trace_reader *r)
{
	st->r = r;
	return (struct run_source){.next = run_stream_next, .ctx = st};
}

static u64 run_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static int run_lat_of(unsigned kind)
{
	switch (kind) {
	case MME_VMAP_ALLOC:
		return RUN_LAT_VMALLOC;
	case MME_VMAP_FREE:
		return RUN_LAT_VFREE;
	case MME_PAGE_ALLOC:
		return RUN_LAT_PAGE_ALLOC;
	case MME_PAGE_FREE:
		return RUN_LAT_PAGE_FREE;
	case MME_MUNMAP:
		return RUN_LAT_MUNMAP;
	default:
		return -1;
	}
}

/* The hot loop: nothing but the machine. */
static int run_bare(struct sim *s, const struct mm_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int err = sim_event(s, &ev[i]);
		if (MM_UNLIKELY(err))
			return err;
	}
	return 0;
}

static inline int run_before(struct sim *s, const struct mm_event *ev, const struct run_sampler *smp)
{
	if (!smp->before || (smp->due && ev->ts_ns < *smp->due))
		return 0;
	return smp->before(smp->ctx, s, ev);
}

/* The bare loop with a per-event hook (untimed). */
static int run_hooked(struct sim *s, const struct mm_event *ev, size_t n, const struct run_sampler *smp)
{
	for (size_t i = 0; i < n; i++) {
		int err = run_before(s, &ev[i], smp);
		if (!err)
			err = sim_event(s, &ev[i]);
		if (MM_UNLIKELY(err))
			return err;
	}
	return 0;
}

/* Every event timed: the clock, the latency histograms and the per-event hook when given. */
static int run_timed(struct sim *s, const struct mm_event *ev, size_t n, struct run_clock *c,
		     const struct run_sampler *smp)
{
	struct histo *lat = smp->lat;
	for (size_t i = 0; i < n; i++) {
		int e = run_before(s, &ev[i], smp);
		if (e)
			return e;
		u64 t0 = clock_ns();
		int err = sim_event(s, &ev[i]);
		u64 d = clock_ns() - t0;
		int k = run_lat_of(ev[i].kind);
		c->ns += d;
		if (k == RUN_LAT_VMALLOC || k == RUN_LAT_VFREE)
			c->vmap_ns += d;
		if (lat && k >= 0)
			histo_record(&lat[k], d);
		if (MM_UNLIKELY(err))
			return err;
	}
	return 0;
}

/* The bare or hooked loop, the workload's share of each event counted beside it: each chunk's
 * owners are told first, off the clock (their time is taken back from the step's). */
static int run_counted(struct run_step *st, const struct mm_event *ev, size_t n)
{
	struct run_wl *wl = st->wl;
	const struct run_sampler *smp = st->smp;
	struct sim *s = st->s;
	for (size_t i = 0; i < n;) {
		size_t k = MM_MIN(n - i, (size_t)RUN_WL_CHUNK);
		u64 t0 = clock_ns(), c0 = run_cpu_ns();
		int err = run_wl_mark(wl, ev + i, k);
		wl->mark_ns += clock_ns() - t0;
		wl->mark_cpu_ns += run_cpu_ns() - c0;
		if (err)
			return err;
		u64 b[RUN_WL_NR], a[RUN_WL_NR];
		if (wl->whole) {
			run_wl_read(s, b);
			err = st->hooked ? run_hooked(s, ev + i, k, smp) : run_bare(s, ev + i, k);
			run_wl_read(s, a);
			run_wl_add_whole(wl, b, a);
		} else { /* one read per event: the hook only reads the machine */
			run_wl_read(s, b);
			for (size_t j = 0; j < k && !err; j++) {
				const struct mm_event *e = &ev[i + j];
				err = st->hooked ? run_before(s, e, smp) : 0;
				if (!err)
					err = sim_event(s, e);
				run_wl_read(s, a);
				run_wl_add(wl, j, b, a);
				memcpy(b, a, sizeof(b));
			}
		}
		if (MM_UNLIKELY(err))
			return err;
		i += k;
	}
	return 0;
}

void run_begin(struct run_step *st, struct sim *s, const struct run_sampler *smp)
{
	memset(st, 0, sizeof(*st));
	st->s = s;
	st->smp = smp;
	st->sampled = smp && smp->sample;
	st->timed = smp && (smp->sample || smp->lat);
	st->hooked = smp && smp->before;
	st->every = st->sampled ? (smp->every ? smp->every : 1) : 0;
}

int run_step(struct run_step *st, const struct mm_event *ev, size_t n)
{
	const struct run_sampler *smp = st->smp;
	u64 c0 = run_cpu_ns(), t0 = clock_ns();
	int err = 0;
	for (size_t i = 0; i < n && !err;) {
		if (st->sampled && st->pos == st->next) {
			if ((err = smp->sample(smp->ctx, st->s, st->pos, &st->clock)))
				break;
			st->next += st->every;
		}
		size_t k = n - i;
		if (st->sampled && st->next - st->pos < k)
			k = (size_t)(st->next - st->pos);
		err = st->timed	   ? run_timed(st->s, ev + i, k, &st->clock, smp)
		      : st->wl	   ? run_counted(st, ev + i, k)
		      : st->hooked ? run_hooked(st->s, ev + i, k, smp)
				   : run_bare(st->s, ev + i, k);
		i += k;
		st->pos += k;
	}
	u64 mark_ns = st->wl ? st->wl->mark_ns : 0, mark_cpu = st->wl ? st->wl->mark_cpu_ns : 0;
	st->ns += clock_ns() - t0 - mark_ns;
	st->cpu_ns += run_cpu_ns() - c0 - mark_cpu;
	if (st->wl)
		st->wl->mark_ns = st->wl->mark_cpu_ns = 0;
	return err;
}

int run_steps(struct run_step *st, const struct run_source *src)
{
	int err = 0;
	while (!err) {
		const struct mm_event *ev;
		size_t n;
		err = src->next(src->ctx, &ev, &n);
		if (err || !n)
			break;
		err = run_step(st, ev, n);
	}
	return err;
}

int run_end(struct run_step *st, int err, struct run_result *r)
{
	if (!err && st->sampled) /* untimed, as the samples are the caller's time */
		err = st->smp->sample(st->smp->ctx, st->s, st->pos, &st->clock);
	r->events += st->pos;
	r->ns += st->ns;
	r->cpu_ns += st->cpu_ns;
	return err;
}

int run_events(struct sim *s, const struct run_source *src, const struct run_sampler *smp,
	       struct run_result *r)
{
	struct run_step st;
	run_begin(&st, s, smp);
	return run_end(&st, run_steps(&st, src), r);
}
