/* Inside outfile.c and outfile_dir.c only. */
#ifndef OUTFILE_PRIV_H
#define OUTFILE_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "workloads/outfile.h"

/* Record why (escaped, one line) in o->why; returns err. */
int outfile_why(struct outfile *o, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A plain name: not empty, not "." or "..", no '/', at most NAME_MAX bytes. */
bool outfile_plain_name(const char *s, size_t n);
/* Open dir, creating what is missing: existing parts followed, created parts not. fd or -errno. */
int outfile_dir_root(struct outfile *o, const char *dir);
/* From directory fd (consumed), create and enter each directory of rel but its last component
 * (copied to name), never following a symlink. fd or -errno. */
int outfile_dir_walk(struct outfile *o, int fd, const char *rel, char *name);

struct stat;
/* Claim o's target (o->dirfd, o->name; st: the file there, or NULL) as an output of this run:
 * 0, or -EEXIST (o->why says so) when another output of the run has it. */
int outfile_claim(struct outfile *o, const struct stat *st);
/* After commit, the file now there (st); or, give_back, after abort: the claim is released. */
void outfile_claim_update(const struct outfile *o, const struct stat *st, bool give_back);

#endif
