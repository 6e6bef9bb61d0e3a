#include "bench/run/gen_opts.h"

#include <errno.h>
#include <string.h>

#define GP(kind, name, arg, f, lo, hi, tag, help)                                                            \
	{                                                                                                    \
		name, arg, help, kind, CLI_FIELD(struct gen_params, f), lo, hi, 0, 0, NULL, tag, 0           \
	}

const struct cli_opt gen_param_opts[] = {
	GP(CLI_U64, "seed", "S", seed, 0, UINT64_MAX, 0, "random seed (1)"),
	GP(CLI_U64, "loops", "N", loops, 0, GEN_MAX_LOOPS, GEN_OPT_LOOPS,
	   "the generator's main count (0: its default; at most 2^36)"),
	GP(CLI_FLAG, "guard", NULL, guard, 0, 0, GEN_OPT_GUARD,
	   "vmap sizes include the guard page, as the tracepoint prints them (default)"),
	GP(CLI_UNSET, "no-guard", NULL, guard, 0, 0, GEN_OPT_GUARD, "vmap sizes without the guard page"),
	GP(CLI_U64, "threads", "N", threads, 1, 65535, GEN_OPT_THREADS,
	   "test_vmalloc nr_threads: workers interleaved event by event (1)"),
	GP(CLI_U64, "repeat", "N", repeat, 1, 1u << 20, GEN_OPT_REPEAT, "test_vmalloc test_repeat_count (1)"),
	GP(CLI_U64, "nr-pages", "N", nr_pages, 1, 1u << 24, GEN_OPT_NR_PAGES,
	   "test_vmalloc nr_pages for fix_size (1)"),
	GP(CLI_U64, "mask", "M", mask, 1, 127, GEN_OPT_MASK, "test_vmalloc run_test_mask (127)"),
	GP(CLI_FLAG, "sequential", NULL, sequential, 0, 0, GEN_OPT_SEQUENTIAL,
	   "test_vmalloc sequential_test_order: no per-worker shuffle"),
	GP(CLI_U64, "cpus", "N", cpus, 1, 8192, GEN_OPT_CPUS,
	   "online CPUs: full_fit's fls(N)*32 MiB, worker i runs on cpu i%N (2)"),
	GP(CLI_FLAG, "drain", NULL, drain, 0, 0, GEN_OPT_DRAIN,
	   "buddy_aging: free every block still live at the end"),
	GP(CLI_U64, "regions", "N", regions, 1, 1u << 20, GEN_OPT_REGIONS,
	   "mmap_churn: most regions the process keeps (400)"),
	GP(CLI_U64, "busy", "N", busy, 1, 10000000, GEN_OPT_BUSY,
	   "long_busy_list: live 1-page areas (15000)"),
	GP(CLI_FLAG, "window", NULL, window, 0, 0, GEN_OPT_BUSY,
	   "long_busy_list: fill top-down in exact slots (the same layout, fast on any vmlist)"),
	GP(CLI_FLAG, "holes", NULL, holes, 0, 0, GEN_OPT_BUSY,
	   "long_busy_list: a free 1-page slot below every live area (implies --window)"),
	CLI_OPT_END,
};

int gen_opts_pair(const struct gen_ops *g, const char *pair, struct gen_params *p, char *err, size_t len)
{
	char key[64];
	const char *eq = strchr(pair, '=');
	if (!eq || (size_t)(eq - pair) >= sizeof(key)) {
		snprintf(err, len, "expected key=value, not '%s'", pair);
		return -EINVAL;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(eq - pair), pair);
	const struct cli_opt *o = cli_opt_find(gen_param_opts, key);
	if (!o || (o->tag && !(g->opts & o->tag))) {
		snprintf(err, len, "%s does not take '%s' (it reads: %s)", g->name, key, g->params);
		return -EINVAL;
	}
	if (o->kind == CLI_FLAG || o->kind == CLI_UNSET) {
		if (strcmp(eq + 1, "0") && strcmp(eq + 1, "1")) {
			snprintf(err, len, "%s takes 0 or 1, not '%s'", key, eq + 1);
			return -EINVAL;
		}
		*(bool *)((char *)p + o->off) = (eq[1] == '1') == (o->kind == CLI_FLAG);
		return 0;
	}
	char why[256];
	if (cli_opt_set(o, eq + 1, p, why, sizeof(why))) {
		snprintf(err, len, "%s %s", key, why);
		return -EINVAL;
	}
	return 0;
}

void gen_opts_unread(const struct gen_ops *g, u32 tags, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (const struct cli_opt *o = gen_param_opts; o->name && n < len; o++)
		if (o->tag & tags & ~g->opts)
			n += (size_t)snprintf(buf + n, len - n, "%s--%s", n ? ", " : "", o->name);
}
