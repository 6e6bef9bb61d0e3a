/* Spill files: the unlinked temporaries mmreplay writes when a trace does not fit its memory
 * window (a parsed text trace's events, a gen: workload, a decoded trace.dat). All of them are
 * created and written here, under one budget: the setting spill-max (`--spill-max SIZE`,
 * default SPILLFILE_MAX_DEFAULT) bounds every spill file, and before each SPILLFILE_STEP bytes
 * the file system's free space is checked, so a spill never leaves less than SPILLFILE_KEEP_FREE
 * free there (a tmpfs /tmp is RAM); a spill file passing SPILLFILE_ANNOUNCE is announced on
 * stderr with its bound. A 2 MB compression bomb used to write a 10.5 GB spill unannounced. */
#ifndef SPILLFILE_H
#define SPILLFILE_H

#include <stdio.h>

#include "workloads/diag.h"
#include "core/mm_types.h"

#define SPILLFILE_MAX_DEFAULT (8ULL << 30)
#define SPILLFILE_ANNOUNCE (1ULL << 30) /* a spill file past this is announced on stderr */
#define SPILLFILE_STEP (64ULL << 20)
#define SPILLFILE_KEEP_FREE (256ULL << 20)

/* The budget of every spill file of this process (set once by the command, before any spill). */
void spillfile_set_max(u64 bytes);
u64 spillfile_max(void);

/* An unlinked file in dir (NULL or "": $TMPDIR, else /tmp): a descriptor, or -errno with d. */
int spillfile_create(const char *dir, struct mm_diag *d);
/* A buffered writer on a duplicate of fd, counting against the budget: a write past spill-max
 * fails with EFBIG, one that would leave the file system short of space with ENOSPC. NULL with
 * errno set. */
FILE *spillfile_writer(int fd);
/* Account n more bytes written to the spill file fd has written *used of: 0, -EFBIG or -ENOSPC. */
int spillfile_reserve(int fd, u64 *used, size_t n);
/* Why a spill write failed, in words ("over spill-max 16 GiB: raise it with --spill-max", ...). */
const char *spillfile_why(int err, char *buf, size_t len);

#endif
