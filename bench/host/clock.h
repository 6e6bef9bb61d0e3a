/* Host measurement clocks, kept apart from the model's counters. A hardware cycle counter
 * through libpfm4 + perf_event_open where the machine allows it; otherwise the software
 * clock CLOCK_MONOTONIC, and the reason the hardware counter was refused. */
#ifndef CLOCK_H
#define CLOCK_H

#include "core/mm_types.h"

struct hwcounter {
	int fd;		  /* perf event fd, -1 when using the software clock */
	bool hardware;	  /* true when fd counts hardware events */
	char source[160]; /* "hardware: cycles via libpfm4" or "software: ... (why)" */
};

/* Open a counter for `event` (a libpfm4 name such as "cycles"); never fails: on refusal it
 * records the software fallback and why. */
void hwcounter_open(struct hwcounter *c, const char *event);
void hwcounter_close(struct hwcounter *c);
/* Current value: the event count (hardware) or 0 (software). */
u64 hwcounter_read(const struct hwcounter *c);

/* Monotonic nanoseconds. */
u64 clock_ns(void);

#endif
