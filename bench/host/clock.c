#include "bench/host/clock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

#if HAVE_LIBPFM
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>
#include <pthread.h>
#include <sys/syscall.h>

/* libpfm4 keeps global tables that pfm_initialize builds: two threads opening counters at once
 * (suite cells on workers) corrupt them. Opening is rare (a few per cell), so one lock. */
static pthread_mutex_t pfm_lock = PTHREAD_MUTEX_INITIALIZER;
static void hwcounter_open_locked(struct hwcounter *c, const char *event);
#endif

u64 clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

void hwcounter_open(struct hwcounter *c, const char *event)
{
	c->fd = -1;
	c->hardware = false;
#if HAVE_LIBPFM
	pthread_mutex_lock(&pfm_lock);
	hwcounter_open_locked(c, event);
	pthread_mutex_unlock(&pfm_lock);
#else
	snprintf(c->source, sizeof(c->source), "software: CLOCK_MONOTONIC (built without libpfm4)");
	(void)event;
#endif
}

#if HAVE_LIBPFM
static void hwcounter_open_locked(struct hwcounter *c, const char *event)
{
	if (pfm_initialize() != PFM_SUCCESS) {
		snprintf(c->source, sizeof(c->source),
			 "software: CLOCK_MONOTONIC (libpfm4 failed to initialise)");
		return;
	}
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	int ret = pfm_get_os_event_encoding(event, PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
	if (ret != PFM_SUCCESS) {
		snprintf(c->source, sizeof(c->source), "software: CLOCK_MONOTONIC (libpfm4: %s: %s)", event,
			 pfm_strerror(ret));
		return;
	}
	attr.size = sizeof(attr);
	attr.disabled = 0;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0) {
		snprintf(c->source, sizeof(c->source),
			 "software: CLOCK_MONOTONIC (perf_event_open(%s) refused: %s)", event,
			 strerror(errno));
		return;
	}
	c->fd = fd;
	c->hardware = true;
	snprintf(c->source, sizeof(c->source), "hardware: %s via libpfm4", event);
}
#endif

void hwcounter_close(struct hwcounter *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

u64 hwcounter_read(const struct hwcounter *c)
{
	u64 v = 0;
	if (c->fd >= 0 && read(c->fd, &v, sizeof(v)) != sizeof(v))
		v = 0;
	return v;
}
