/* Helpers for the metrics tables (metrics_*.c): entry macros and value writers. Not for users of
 * the registry (metrics.h). */
#ifndef METRIC_FMT_H
#define METRIC_FMT_H

#include <stddef.h>
#include <stdio.h>

#include "bench/output/metrics.h"

#define M_OFF(field) offsetof(struct sim_stats, field)
/* A field of struct sim_stats shown as it is. */
#define M_FIELD(name, unit, cls, flags, type, field, desc)                                                   \
	{                                                                                                    \
		name, unit, cls, flags, desc, M_OFF(field), type, 0, NULL                                    \
	}
/* A model counter (a u64 of struct sim_stats) in the replay CSV and the summary. */
#define M_COUNT(name, unit, flags, field, desc)                                                              \
	M_FIELD(name, unit, METRIC_MODEL, METRIC_IN_ROWS | (flags), MF_U64, field, desc)
/* A u64 of zone z's view, empty when the layout has no such zone. */
#define M_ZONE(name, unit, cls, flags, z, field, desc)                                                       \
	{                                                                                                    \
		name, unit, cls, METRIC_ZONE | (flags), desc, M_OFF(zone[z].field), MF_U64, z, NULL          \
	}
/* Anything else: fn writes it, arg its parameter. */
#define M_FN(name, unit, cls, flags, fn, arg, desc)                                                          \
	{                                                                                                    \
		name, unit, cls, flags, desc, 0, MF_U64, arg, fn                                             \
	}
#define M_END                                                                                                \
	{                                                                                                    \
		NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL                                                        \
	}

static inline void metric_u64(char *buf, size_t len, u64 v)
{
	snprintf(buf, len, "%llu", (unsigned long long)v);
}

static inline void metric_int(char *buf, size_t len, long long v)
{
	snprintf(buf, len, "%lld", v);
}

/* The kernel's indices at order 9 of zone type m->arg (metrics_phys.c; the summary and the
 * series share them). */
void metric_zone_ufi9(const struct metric *m, const struct metric_src *src, unsigned i, char *buf,
		      size_t len);
void metric_zone_efi9(const struct metric *m, const struct metric_src *src, unsigned i, char *buf,
		      size_t len);

#endif
