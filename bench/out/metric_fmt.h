/* Helpers for the metrics tables (metrics_*.c): entry macros and value writers. Not for users of
 * the registry (metrics.h). */
#ifndef METRIC_FMT_H
#define METRIC_FMT_H

#include <stddef.h>
#include <stdio.h>

#include "metrics.h"

/* A plain model counter: a u64 of struct sim_stats, in the replay CSV and the summary. */
#define M_COUNT(name, unit, flags, field, desc)                                                              \
	{                                                                                                    \
		name, unit, METRIC_MODEL, METRIC_IN_ROWS | (flags), desc, offsetof(struct sim_stats, field), \
			NULL                                                                                 \
	}
/* Any figure written by a function. */
#define M_FN(name, unit, cls, flags, fn, desc)                                                               \
	{                                                                                                    \
		name, unit, cls, flags, desc, 0, fn                                                          \
	}
#define M_END                                                                                                \
	{                                                                                                    \
		NULL, NULL, 0, 0, NULL, 0, NULL                                                              \
	}

static inline void metric_u64(char *buf, size_t len, u64 v)
{
	snprintf(buf, len, "%llu", (unsigned long long)v);
}

static inline void metric_int(char *buf, size_t len, long long v)
{
	snprintf(buf, len, "%lld", v);
}

static inline void metric_text(char *buf, size_t len, const char *s)
{
	snprintf(buf, len, "%s", s ? s : "");
}

/* A zone figure of the zone of type t, empty when the layout has none (metrics_phys.c). */
enum metric_zone_what { MZ_ALLOCS, MZ_FALLBACK, MZ_FREE_PAGES, MZ_UFI9, MZ_EFI9 };
void metric_zone(const struct sim_stats *st, enum zone_type t, enum metric_zone_what what, char *buf,
		 size_t len);

#endif
