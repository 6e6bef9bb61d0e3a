/* The generators' parameters (struct gen_params, workloads/gen/gen.h) as one option table: the
 * options of `mmreplay gen` and the key=value pairs of a suite's `gen:NAME ...` traces. Each
 * entry's tag is the GEN_OPT_* bit of the generators that read it (0: every generator). */
#ifndef GEN_OPTS_H
#define GEN_OPTS_H

#include "bench/run/cli_opt.h"
#include "workloads/gen/gen.h"

extern const struct cli_opt gen_param_opts[]; /* offsets into struct gen_params */

/* Apply "key=value" (a flag takes 0 or 1; '-' and '_' alike) for generator g to p. 0, or -EINVAL
 * with a one-line reason in err. */
int gen_opts_pair(const struct gen_ops *g, const char *pair, struct gen_params *p, char *err, size_t len);
/* The options in tags that g does not read, as "--threads, --mask" (empty when none). */
void gen_opts_unread(const struct gen_ops *g, u32 tags, char *buf, size_t len);

#endif
