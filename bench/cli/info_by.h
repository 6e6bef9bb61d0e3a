/* mmreplay info's attribution: events per kind per command, process tree or cgroup, and the
 * share of them that is the workload's (info_by.c). */
#ifndef INFO_BY_H
#define INFO_BY_H

#include <stdio.h>

#include "workloads/task_table.h"
#include "workloads/trace/trace.h"

enum info_by { INFO_BY_NONE, INFO_BY_COMM, INFO_BY_TREE, INFO_BY_CGROUP };

/* Read the rest of r and print the workload's share (and with by, the table; csv: rows
 * "GROUP,kind,count") to o. 0, or -errno after a message on stderr. */
int info_by(const char *path, struct trace_reader *r, enum info_by by, const struct task_spec *spec, bool csv,
	    FILE *o);

#endif
