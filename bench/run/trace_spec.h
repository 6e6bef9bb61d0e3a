/* Trace specs: what a suite's `trace =` lines name. A file in any readable format, or
 * "gen:NAME key=value ..." for a synthetic workload built in memory (the keys of `mmreplay gen`'s
 * options, gen_opts.h). */
#ifndef TRACE_SPEC_H
#define TRACE_SPEC_H

#include "workloads/gen/gen.h"
#include "workloads/trace/trace.h"

/* Load spec into t. 0, or -errno with d set. */
int trace_spec_load(const char *spec, struct mm_trace *t, struct mm_diag *d);
/* The statistics of spec (events per kind...), read as a stream: memory stays bounded whatever
 * the trace's length (a gen: workload is built in memory). 0, or -errno with d set. */
int trace_spec_stats(const char *spec, struct trace_stats *st, struct mm_diag *d);
/* The generator and parameters of "gen:NAME key=value ...". 0, or -EINVAL with d set. */
int trace_spec_gen_parse(const char *spec, const struct gen_ops **g, struct gen_params *p, struct mm_diag *d);
/* Run generator g with p into t (events in memory, stats filled). 0 or -errno. */
int trace_spec_gen(const struct gen_ops *g, const struct gen_params *p, struct mm_trace *t);
/* Short file-name-safe label: a file's base name without .txt/.zst/.dat, or the generator
 * name with its parameters ("long_busy_list-loops=2000"). */
void trace_spec_label(const char *spec, char *buf, size_t len);

#endif
