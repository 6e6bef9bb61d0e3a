#include "run.h"

#include <errno.h>
#include <sys/resource.h>
#include <time.h>

#include "clock.h"
#include "trace.h"

const char *const run_lat_names[RUN_LAT_NR] = {"vmalloc", "vfree", "page_alloc", "page_free", "munmap"};
const char *const run_hw_events[RUN_HW_EVENTS] = {"cycles", "instructions", "cache-misses",
						  "dTLB-load-misses"};

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

u64 run_peak_rss(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (u64)ru.ru_maxrss * 1024;
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

int run_events(struct sim *s, const struct run_source *src, const struct run_sampler *smp,
	       struct run_result *r)
{
	bool sampled = smp && smp->sample, timed = smp && (smp->sample || smp->lat);
	bool hooked = smp && smp->before;
	u64 every = sampled ? (smp->every ? smp->every : 1) : 0;
	struct run_clock clock = {0, 0};
	u64 pos = 0, next = 0;		/* events replayed by this call; the next sample point */
	u64 src_ns = 0, src_cpu_ns = 0; /* in src->next: reading the trace is not the machine's time */
	int err = 0;
	u64 c0 = run_cpu_ns(), t0 = clock_ns();
	while (!err) {
		const struct mm_event *ev;
		size_t n;
		u64 sc = run_cpu_ns(), st = clock_ns();
		err = src->next(src->ctx, &ev, &n);
		src_ns += clock_ns() - st;
		src_cpu_ns += run_cpu_ns() - sc;
		if (err || !n)
			break;
		for (size_t i = 0; i < n && !err;) {
			if (sampled && pos == next) {
				if ((err = smp->sample(smp->ctx, s, pos, &clock)))
					break;
				next += every;
			}
			size_t k = n - i;
			if (sampled && next - pos < k)
				k = (size_t)(next - pos);
			err = timed    ? run_timed(s, ev + i, k, &clock, smp)
			      : hooked ? run_hooked(s, ev + i, k, smp)
				       : run_bare(s, ev + i, k);
			i += k;
			pos += k;
		}
	}
	u64 t1 = clock_ns(), c1 = run_cpu_ns();
	if (!err && sampled)
		err = smp->sample(smp->ctx, s, pos, &clock);
	r->events += pos;
	r->ns += t1 - t0 - MM_MIN(src_ns, t1 - t0);
	r->cpu_ns += c1 - c0 - MM_MIN(src_cpu_ns, c1 - c0);
	return err;
}
