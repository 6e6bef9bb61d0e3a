/* Output files written safely: every file mmreplay writes (CSV, time series, graph data, graphs,
 * native traces) goes through here. The guarantees (docs/hardening.md):
 * - a regular file is written to an unpredictable temporary (".NAME.tmp.RANDOM", created with
 *   O_EXCL, so a planted file or symlink is never opened) in the target's directory and renamed
 *   over the target on commit: readers see the old file or the whole new one, never half;
 *   the temporary is removed on error, on abort and on every signal that would end the process
 *   (SIGINT, SIGTERM, SIGQUIT, SIGXFSZ, SIGALRM, SIGUSR1, ... all but SIGKILL); SIGPIPE is
 *   ignored from the first temporary on, so a closed stdout never loses a file output;
 * - the new file keeps the permission bits (and, where allowed, the owner) of the file it
 *   replaces; a new file gets 0666 less the umask, as any program's;
 * - a target that is a symbolic link, a directory, a block device or a socket is refused and
 *   left as it is; a character device or a FIFO (/dev/null, /dev/full, a pipe, a terminal) is
 *   written into directly (no temporary: nothing there to replace); "-" is standard output;
 *   below a root (outfile_open_in: names mmreplay makes in a results directory) only regular
 *   files are written, a device or FIFO there is refused too;
 * - a target that is an input of the same run (same device and inode as a file given to
 *   outfile_note_input) is refused, and so is one that another output of the run claimed
 *   (same directory and name, or same device and inode): two outputs never share a file;
 * - directories: the directory part a user names is resolved as usual and created when
 *   missing; every directory created here, and every directory below a root (outfile_open_in),
 *   is opened without following symbolic links, so a planted link never redirects a write.
 * Functions return 0 or a negative errno; outfile_error() says why in words. */
#ifndef OUTFILE_H
#define OUTFILE_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

struct outfile {
	FILE *f;		  /* write here; NULL when not open */
	int dirfd;		  /* the target's directory, held until commit; -1 when streaming */
	int slot;		  /* signal-cleanup slot of the temporary; -1 when none */
	char name[NAME_MAX + 1];  /* the target's name in dirfd */
	char tmp[NAME_MAX + 1];	  /* the temporary's name in dirfd */
	char path[PATH_MAX + 16]; /* the target for messages (control bytes escaped, diag.h) */
	char why[192];		  /* why the last call failed, when errno alone does not say */
};

/* Open PATH for writing; missing directories of its directory part are created. */
int outfile_open(struct outfile *o, const char *path);
/* Open ROOT/REL: ROOT resolved as usual (created when missing), REL's directories created
 * and opened without following symlinks; REL must be plain names ("a/b.csv", no "." or ".."). */
int outfile_open_in(struct outfile *o, const char *root, const char *rel);
/* Flush and publish: rename the temporary over the target (or finish streaming). */
int outfile_commit(struct outfile *o);
/* Close and remove the temporary; the target is left as it was. Safe on a closed outfile. */
void outfile_abort(struct outfile *o);
/* The reason for err (a return value of the calls above) in words, without the path. */
const char *outfile_error(const struct outfile *o, int err);

/* mkdir -p ROOT/REL with the rules above (REL may be NULL). */
int outfile_mkdirs(const char *root, const char *rel);
/* Install the temporaries' cleanup on the terminating signals now (it is installed
 * with the first output otherwise), so a handler installed later can hand the signal on to it. */
void outfile_signals_install(void);
/* Hold the terminating signals on the calling thread, and let them go: a thread started
 * meanwhile inherits the mask, so the signals reach only the thread that started it; and a
 * signal that arrives while held waits for the release (a step done whole, then told). */
void outfile_signals_hold(sigset_t *old);
void outfile_signals_release(const sigset_t *old);
/* Remember an input of this run (by device and inode) so no output replaces it. */
void outfile_note_input(int fd);
/* Forget the outputs claimed so far: the next output to one of their files is a new run's
 * (a test that writes a file twice). */
void outfile_new_run(void);
/* Whether output paths a and b name one file: "-" twice (standard output), the same device and
 * inode where both exist, or the same directory (resolved) and last component. /dev/null is
 * never the same as anything: nothing written there is kept, so nothing is lost. */
bool outfile_same_target(const char *a, const char *b);

#endif
