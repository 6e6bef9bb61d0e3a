/* mmreplay zones: show a machine's zone layout (from --zones: a spec, zoneinfo:PATH or
 * buddyinfo:PATH) and, with --allocs, drive it with random zone-limited page requests to show
 * the zonelist fallback, per-zone counters and the resulting /proc/buddyinfo lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "core/lib/rng.h"
#include "workloads/state/zonelayout.h"
#include "core/phys/zones.h"

struct zones_opts {
	const char *layout;
	u64 allocs, seed, dma_pct, dma32_pct;
	bool buddyinfo;
};

static const struct cli_opt zones_opts[] = {
	CLI_OPT_STR("zones", "LAYOUT", struct zones_opts, layout,
		    "the layout (default: one 4 GiB Normal zone)"),
	CLI_OPT_U64("allocs", "N", struct zones_opts, allocs, 0, 1ULL << 32,
		    "random requests to drive it with (0)"),
	CLI_OPT_U64("seed", "S", struct zones_opts, seed, 0, UINT64_MAX, "random seed (1)"),
	CLI_OPT_U64("dma-pct", "X", struct zones_opts, dma_pct, 0, 100,
		    "percent of requests limited to DMA (0)"),
	CLI_OPT_U64("dma32-pct", "X", struct zones_opts, dma32_pct, 0, 100, "percent limited to DMA32 (0)"),
	CLI_OPT_FLAG("buddyinfo", struct zones_opts, buddyinfo,
		     "print only the zones' /proc/buddyinfo lines (pipe them to `mmreplay frag`)"),
	CLI_OPT_END,
};

static const struct cli_cmd zones_cmd = {
	.name = "zones",
	.synopsis = "",
	.about = "Prints the zones of LAYOUT (default: one 4 GiB Normal zone at pfn 0x100000):\n"
		 "  NAME:START-END or NAME:START+SIZE, comma-separated; NAME is DMA, DMA32 or Normal, START\n"
		 "  and END pfns (END exclusive, decimal or 0x-hex), SIZE pages or bytes with K/M/G/T, e.g.\n"
		 "  DMA:0x1-0x1000,DMA32:0x1000-0x100000,Normal:0x100000+20G\n"
		 "  zoneinfo:PATH   each zone's start_pfn and present pages from a /proc/zoneinfo snapshot\n"
		 "  buddyinfo:PATH  each zone sized to its free pages (buddyinfo has no spans), at its\n"
		 "                  x86-64 boundary (DMA 0x1, DMA32 0x1000, Normal 0x100000)\n"
		 "With --allocs N: N random requests (order 0-3; 3 in 4 allocate, 1 in 4 frees a live\n"
		 "block), X % limited to DMA (GFP_DMA) and X % to DMA32 (GFP_DMA32), the rest Normal with\n"
		 "fallback Normal -> DMA32 -> DMA; then the per-zone counters.",
	.opts = zones_opts,
};

struct blk {
	u64 pfn;
	unsigned order;
};

static int zones_drive(struct zones *zs, u64 allocs, u64 seed, u64 dma_pct, u64 dma32_pct)
{
	struct blk *live = malloc(sizeof(*live) * (allocs ? allocs : 1));
	u64 nlive = 0;
	if (!live)
		return -ENOMEM;
	struct rng g;
	rng_seed(&g, seed);
	for (u64 i = 0; i < allocs; i++) {
		if (nlive && rng_below(&g, 4) == 0) {
			u64 k = rng_below(&g, nlive);
			zones_free(zs, live[k].pfn, live[k].order);
			live[k] = live[--nlive];
			continue;
		}
		u64 r = rng_below(&g, 100);
		enum zone_type lim = r < dma_pct	       ? ZONE_DMA
				     : r < dma_pct + dma32_pct ? ZONE_DMA32
							       : ZONE_NORMAL;
		unsigned o = (unsigned)rng_below(&g, 4);
		u64 pfn;
		if (!zones_alloc(zs, lim, o, MT_MOVABLE, &pfn, NULL))
			live[nlive++] = (struct blk){pfn, o};
	}
	free(live);
	return 0;
}

int cmd_zones(int argc, char **argv)
{
	struct zones_opts o = {.layout = "default", .seed = 1};
	int first = 0, rc = cli_parse(&zones_cmd, argc, argv, &o, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	if (o.dma_pct + o.dma32_pct > 100)
		return cli_error(&zones_cmd, "--dma-pct plus --dma32-pct exceeds 100");
	const char *layout = o.layout;
	u64 allocs = o.allocs, seed = o.seed, dma_pct = o.dma_pct, dma32_pct = o.dma32_pct;
	bool buddyinfo = o.buddyinfo;
	struct zones_cfg cfg;
	struct mm_diag d;
	unsigned skipped = 0;
	zones_cfg_default(&cfg);
	if (zonelayout_load(layout, &cfg, &skipped, &d)) {
		fprintf(stderr, "mmreplay zones: %s\n", d.msg);
		return strncmp(layout, "zoneinfo:", 9) && strncmp(layout, "buddyinfo:", 10) ? MM_EXIT_USAGE
											    : MM_EXIT_FAIL;
	}
	struct zones zs;
	int err = zones_init(&zs, &cfg);
	if (!err)
		err = zones_drive(&zs, allocs, seed, dma_pct, dma32_pct);
	if (err) {
		fprintf(stderr, "mmreplay zones: %s\n", strerror(-err));
		zones_fini(&zs);
		return MM_EXIT_FAIL;
	}
	if (buddyinfo) {
		zones_print_buddyinfo(&zs, stdout);
	} else {
		printf("%-7s %12s %12s %12s %12s %10s %10s %10s %8s\n", "zone", "start_pfn", "end_pfn",
		       "pages", "free_pages", "allocs", "fallback", "passed", "frees");
		for (unsigned i = 0; i < zs.nr_zones; i++) {
			const struct zone *z = &zs.zone[i];
			printf("%-7s %#12llx %#12llx %12llu %12llu %10llu %10llu %10llu %8llu\n",
			       zone_type_name(z->type), (unsigned long long)z->buddy.base_pfn,
			       (unsigned long long)(z->buddy.base_pfn + z->buddy.nr_pages),
			       (unsigned long long)z->buddy.nr_pages, (unsigned long long)z->buddy.free_pages,
			       (unsigned long long)z->st.allocs, (unsigned long long)z->st.fallback_allocs,
			       (unsigned long long)z->st.passed, (unsigned long long)z->st.frees);
		}
		printf("requests: dma %llu, dma32 %llu, normal %llu; failures %llu; empty zones skipped %u\n",
		       (unsigned long long)zs.st.requests[ZONE_DMA],
		       (unsigned long long)zs.st.requests[ZONE_DMA32],
		       (unsigned long long)zs.st.requests[ZONE_NORMAL], (unsigned long long)zs.st.failures,
		       skipped);
	}
	zones_fini(&zs);
	return fflush(stdout) ? MM_EXIT_FAIL : MM_EXIT_OK;
}
