/* bench buddy: random alloc/free pairs of orders 0..3 on one zone, operations per second per
 * placement policy, and the peak memory the model needed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "benches.h"
#include "buddy.h"
#include "clock.h"
#include "commands.h"
#include "rng.h"

unsigned long long bench_peak_rss(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (unsigned long long)ru.ru_maxrss * 1024ULL;
}

static void bench_buddy_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay bench buddy [--policy lifo,addr,mobility] [--ops N] [--pages N]\n"
		   "                            [--live N] [--seed S]\n\n"
		   "Random alloc/free pairs (orders 0..3, uniform) on a zone of --pages frames (default\n"
		   "1048576 = 4 GiB): a pool of --live slots (default 65536); each step picks a slot and\n"
		   "frees it if live, else allocates into it. Prints operations per second per policy\n"
		   "(allocations + frees; one core) and the peak RSS of the process.\n");
}

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
	static const struct option opts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"ops", required_argument, NULL, 'n'},
		{"pages", required_argument, NULL, 'P'},
		{"live", required_argument, NULL, 'l'},
		{"seed", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char policies[256] = "lifo,addr,mobility";
	u64 ops = 50000000, pages = 1ULL << 20, nslots = 65536, seed = 1;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:n:P:l:s:h", opts, NULL)) != -1) {
		char *end = NULL;
		u64 v = 0;
		if (c != 'p' && c != 'h' && c != '?') {
			errno = 0;
			v = strtoull(optarg, &end, 0);
			if (errno || *end || !v) {
				fprintf(stderr, "mmreplay bench buddy: bad number '%s'\n", optarg);
				return MM_EXIT_USAGE;
			}
		}
		switch (c) {
		case 'p':
			snprintf(policies, sizeof(policies), "%s", optarg);
			break;
		case 'n':
			ops = v;
			break;
		case 'P':
			pages = v;
			break;
		case 'l':
			nslots = v;
			break;
		case 's':
			seed = v;
			break;
		case 'h':
			bench_buddy_usage(stdout);
			return MM_EXIT_OK;
		default:
			bench_buddy_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	printf("# bench buddy: %llu ops, zone %llu pages (%.1f GiB), %llu slots, seed %llu\n",
	       (unsigned long long)ops, (unsigned long long)pages, (double)pages / 262144.0,
	       (unsigned long long)nslots, (unsigned long long)seed);
	if (pages > BUDDY_MAX_FRAMES) {
		fprintf(stderr,
			"mmreplay bench buddy: --pages %llu exceeds the model's limit of %u frames (256 "
			"GiB)\n",
			(unsigned long long)pages, BUDDY_MAX_FRAMES);
		return MM_EXIT_USAGE;
	}
	int rc = MM_EXIT_OK;
	for (char *save = NULL, *name = strtok_r(policies, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		const struct buddy_policy_ops *pol = buddy_policy_find(name);
		if (!pol) {
			fprintf(stderr, "mmreplay bench buddy: unknown policy '%s' (lifo, addr, mobility)\n",
				name);
			return MM_EXIT_USAGE;
		}
		if (bench_one(pol, pages, ops, nslots, seed))
			rc = MM_EXIT_FAIL;
	}
	printf("# peak RSS %.1f MiB (%.2f bytes per simulated frame)\n", (double)bench_peak_rss() / 1048576.0,
	       (double)bench_peak_rss() / (double)pages);
	return rc;
}
