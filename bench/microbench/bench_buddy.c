/* bench buddy: random alloc/free pairs of orders 0..3 on one zone, operations per second per
 * placement policy, and the peak memory the model needed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/microbench/microbench.h"
#include "core/phys/buddy.h"
#include "bench/host/clock.h"
#include "bench/cli/cli.h"
#include "bench/mm_exit.h"
#include "bench/run/run.h"
#include "core/lib/rng.h"

struct bb_opts {
	const char *policy;
	u64 ops, pages, live, seed;
};

static const struct cli_opt bb_opts[] = {
	CLI_OPT_STR("policy", "LIST", struct bb_opts, policy, "buddy policies, or all (all)"),
	CLI_OPT_U64("ops", "N", struct bb_opts, ops, 1, 1ULL << 40, "operations per policy (50000000)"),
	CLI_OPT_U64("pages", "N", struct bb_opts, pages, 1, BUDDY_MAX_FRAMES,
		    "zone size in frames (1048576 = 4 GiB)"),
	CLI_OPT_U64("live", "N", struct bb_opts, live, 1, 1ULL << 30, "slots of the pool (65536)"),
	CLI_OPT_U64("seed", "S", struct bb_opts, seed, 0, UINT64_MAX, "random seed (1)"),
	CLI_OPT_END,
};

static const struct cli_cmd bb_cmd = {
	.name = "bench buddy",
	.synopsis = "",
	.about = "Random alloc/free pairs (orders 0..3, uniform) on a zone of --pages frames: a pool of\n"
		 "--live slots; each step picks a slot and frees it if live, else allocates into it. Prints\n"
		 "operations per second per policy (allocations + frees; one core) and the peak RSS of the\n"
		 "process.",
	.opts = bb_opts,
};

struct slot {
	u64 pfn;
	i32 order; /* -1: empty */
};

static int bench_one(const struct buddy_policy_ops *pol, u64 pages, u64 ops, u64 nslots, u64 seed)
{
	struct buddy b;
	struct buddy_cfg cfg = {0x100000, pages, BUDDY_DEFAULT_MAX_ORDER, pol};
	int err = buddy_init(&b, &cfg);
	if (err) {
		fprintf(stderr, "mmreplay bench buddy: zone of %llu pages: %s\n", (unsigned long long)pages,
			strerror(-err));
		return MM_EXIT_FAIL;
	}
	struct slot *slots = malloc(sizeof(*slots) * nslots);
	if (!slots) {
		buddy_fini(&b);
		return MM_EXIT_FAIL;
	}
	for (u64 i = 0; i < nslots; i++)
		slots[i].order = -1;
	struct rng g;
	rng_seed(&g, seed);
	u64 done = 0, fails = 0;
	u64 t0 = clock_ns();
	while (done < ops) {
		u64 r = rng_next(&g);
		struct slot *s = &slots[(r >> 8) % nslots];
		if (s->order >= 0) {
			buddy_free(&b, s->pfn, (unsigned)s->order);
			s->order = -1;
		} else if (!buddy_alloc(&b, (unsigned)(r & 3), (int)((r >> 2) & 1), &s->pfn)) {
			s->order = (i32)(r & 3);
		} else {
			fails++;
		}
		done++;
	}
	u64 ns = clock_ns() - t0;
	char msg[200];
	int bad = buddy_check(&b, msg, sizeof(msg));
	printf("%-9s %10.2f Mops/s  %6.1f ns/op  ops=%llu splits=%llu merges=%llu failures=%llu%s%s\n",
	       pol->name, (double)done * 1e3 / (double)ns, (double)ns / (double)done,
	       (unsigned long long)done, (unsigned long long)b.st.splits, (unsigned long long)b.st.merges,
	       (unsigned long long)fails, bad ? "  CHECK FAILED: " : "", bad ? msg : "");
	free(slots);
	buddy_fini(&b);
	return bad ? MM_EXIT_FAIL : MM_EXIT_OK;
}

int bench_buddy(int argc, char **argv)
{
	struct bb_opts o = {.policy = "all", .ops = 50000000, .pages = 1ULL << 20, .live = 65536, .seed = 1};
	struct matrix *m = malloc(sizeof(*m));
	char err[512];
	int first = 0, rc = m ? cli_parse(&bb_cmd, argc, argv, &o, NULL, &first) : MM_EXIT_FAIL;
	if (rc == CLI_RUN) {
		matrix_init(m);
		if (matrix_set(m, settings_find("buddy"), o.policy, true, err, sizeof(err)))
			rc = cli_error(&bb_cmd, "--policy %s", err);
	}
	if (rc == CLI_RUN) {
		printf("# bench buddy: %llu ops, zone %llu pages (%.1f GiB), %llu slots, seed %llu\n",
		       (unsigned long long)o.ops, (unsigned long long)o.pages, (double)o.pages / 262144.0,
		       (unsigned long long)o.live, (unsigned long long)o.seed);
		rc = MM_EXIT_OK;
		for (size_t c = 0; c < matrix_size(m); c++)
			if (bench_one(buddy_policy_find(matrix_value(m, c, 0)), o.pages, o.ops, o.live,
				      o.seed))
				rc = MM_EXIT_FAIL;
		printf("# peak RSS %.1f MiB (%.2f bytes per simulated frame)\n",
		       (double)run_peak_rss() / 1048576.0, (double)run_peak_rss() / (double)o.pages);
	}
	free(m);
	return rc;
}
