/* Input files: every file mmreplay reads (traces, recording directories' snapshots, the files
 * settings name, CSVs, a results directory's own files) is opened here and nowhere else, and
 * each is registered as an input of the run the moment it is open, so no output of the run can
 * replace it (outfile.h refuses a target with an input's device and inode). The guarantees
 * (docs/hardening.md):
 * - INFILE_REGULAR inputs (machine snapshots, recording files, files a setting names: read more
 *   than once or judged by their size) must be regular files: a FIFO, a device, a socket or a
 *   directory is refused with its kind named, and a FIFO never blocks the open (O_NONBLOCK);
 * - INFILE_STREAM inputs (traces, CSVs) may be pipes or devices, read as they come; what bounds
 *   them is their reader's line limit;
 * - a file that is absent is told apart from one that is there but cannot be read (a symbolic
 *   link loop, a dangling link, EACCES): only the first may count as "not in the recording".
 * Errors are "PATH: reason" in a struct mm_diag, 0 or a negative errno returned. */
#ifndef INFILE_H
#define INFILE_H

#include <stdio.h>

#include "workloads/diag.h"

enum infile_kind {
	INFILE_STREAM,	/* a trace or a CSV: pipes and character devices are read as they come */
	INFILE_REGULAR, /* a machine-state or settings file: regular files only */
	INFILE_OWN,	/* a results directory's own bookkeeping (a plan, a status) that the command
			 * reads in order to replace it: not registered as an input */
};

/* Open PATH for reading ("-" is not a path here: callers take standard input themselves) and
 * register it as an input. A descriptor (O_CLOEXEC), or -errno with d set. */
int infile_open(const char *path, enum infile_kind kind, struct mm_diag *d);
/* The same as a stdio stream ("r"); NULL with errno and d set. */
FILE *infile_fopen(const char *path, enum infile_kind kind, struct mm_diag *d);
/* Whether PATH is there to be read as kind: 0 (readable, and registered as an input), -ENOENT
 * when nothing is at PATH (not even a dangling link; d says "no such file"), or another -errno
 * with d saying why the file that is there cannot be read. */
int infile_check(const char *path, enum infile_kind kind, struct mm_diag *d);
/* Register standard input (or any descriptor already open) as an input. */
void infile_note(int fd);

#endif
