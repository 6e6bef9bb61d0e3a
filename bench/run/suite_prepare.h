/* The prepare step of a suite run as jobs: each trace (a recording directory's trace too, and
 * a gen: workload) converted once to the native format in DIR/prepared/trace-NNN.mmr, which
 * every job then reads in place instead of parsing the text again. A trace that is a plain
 * native file already is read in place as it is. */
#ifndef SUITE_PREPARE_H
#define SUITE_PREPARE_H

#include <stddef.h>

#include "bench/run/suite.h"

/* Where trace ti's native copy goes. */
void suite_prepared_path(const char *dir, size_t ti, char *buf, size_t len);
/* Convert every trace of s that needs it. 0, or -errno after a message on stderr. */
int suite_prepare_traces(const struct suite *s, const char *dir);

#endif
