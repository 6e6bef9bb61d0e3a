/* Ctrl-C (SIGINT) or SIGTERM during a suite run: before the process ends as it would have
 * (the temporaries removed, outfile.h), one line says how many cells are done, where they are
 * and how to finish: `mmreplay suite --resume DIR` (suite_dir.h). */
#ifndef SUITE_INTERRUPT_H
#define SUITE_INTERRUPT_H

#include <stddef.h>

/* From now on: done of total cells are done, in dir/cells/. */
void suite_interrupt_arm(const char *dir, size_t done, size_t total);
/* One more cell done (on the thread that writes the cells). */
void suite_interrupt_count(void);
/* Cells done so far. */
size_t suite_interrupt_done(void);
/* The handlers as they were before arm. */
void suite_interrupt_disarm(void);

#endif
