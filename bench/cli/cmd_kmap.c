/* mmreplay kmap: a synthetic kmap workload (workloads/gen/gen_kmap.h) through the persistent kmap
 * pool (core/kva/pkmap.h) at one or more pool sizes, printing the pool's counters: how LAST_PKMAP
 * changes wraps and TLB flushes. Model counters only: deterministic for a seed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "gen_kmap.h"
#include "pkmap.h"

#define KMAP_MAX_SIZES 32

static void kmap_usage(FILE *f)
{
	fprintf(f,
		"usage: mmreplay kmap [--slots N[,N...]] [--workload copy|hot] [--pages P] [--seed S]\n"
		"                     [--highmem PFN] [--span PAGES] [--lowmem-pct X]\n"
		"                     [--hot-pages H] [--hot-pct X] [--hold D] [--csv]\n\n"
		"Runs a kmap/kunmap workload through the highmem persistent kmap pool (mm/highmem.c) with\n"
		"N slots (LAST_PKMAP, default 1024; a comma list runs each size) and prints its counters.\n"
		"  copy  a file copy: kmap(src) kmap(dst) kunmap(dst) kunmap(src) per page (P pages)\n"
		"  hot   P kmaps, X %% (--hot-pct, default 90) on a working set of H pages (default 64),\n"
		"        at most D (--hold, default 8) mapped at once, kunmapped oldest first\n"
		"Pages at or above --highmem (default 0x38000 = 896 MiB) are highmem, drawn from --span\n"
		"pages (default 1048576); --lowmem-pct of the pages are low memory (no slot needed).\n"
		"Columns: kmaps, of which hits (the page kept its slot), new (took a free slot), waits\n"
		"(every slot busy: the kernel would sleep; the model fails the kmap and counts it) and\n"
		"lowmem; kunmaps; wraps (the scan passed slot 0: flush_all_zero_pkmaps calls); tlb_flushes\n"
		"(wraps that freed slots: one kernel-range flush each); slots_flushed; scan_steps.\n");
}

struct kmap_feed {
	struct pkmap *pk;
	int host_err;
};

static int kmap_feed_event(void *ctx, const struct mm_event *ev)
{
	struct kmap_feed *f = ctx;
	u32 slot;
	int err = 0;
	if (ev->kind == MME_KMAP)
		err = pkmap_kmap(f->pk, ev->addr, &slot);
	else if (ev->kind == MME_KUNMAP)
		err = pkmap_kunmap(f->pk, ev->addr);
	if (err == -ENOMEM) {
		f->host_err = err;
		return err;
	}
	return 0; /* waits and bad kunmaps are counted by the pool */
}

static bool parse_num(const char *s, u64 *v)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return false;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

static int parse_sizes(const char *s, u32 *sizes, unsigned *n)
{
	char buf[512];
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	*n = 0;
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		u64 v;
		if (*n == KMAP_MAX_SIZES || !parse_num(tok, &v) || v < 1 || v > PKMAP_MAX_SLOTS)
			return -EINVAL;
		sizes[(*n)++] = (u32)v;
	}
	return *n ? 0 : -EINVAL;
}

int cmd_kmap(int argc, char **argv)
{
	static const struct option opts[] = {
		{"slots", required_argument, NULL, 'n'},
		{"workload", required_argument, NULL, 'w'},
		{"pages", required_argument, NULL, 'p'},
		{"seed", required_argument, NULL, 's'},
		{"highmem", required_argument, NULL, 'H'},
		{"span", required_argument, NULL, 'S'},
		{"lowmem-pct", required_argument, NULL, 'l'},
		{"hot-pages", required_argument, NULL, 'k'},
		{"hot-pct", required_argument, NULL, 'K'},
		{"hold", required_argument, NULL, 'd'},
		{"csv", no_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct gen_kmap_params gp;
	gen_kmap_params_default(&gp);
	u32 sizes[KMAP_MAX_SIZES] = {PKMAP_DEFAULT_SLOTS};
	unsigned nsizes = 1;
	bool hot = false, csv = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		u64 v = 0;
		if (c != 'h' && c != 'c' && c != 'w' && c != 'n' && c != '?' && !parse_num(optarg, &v)) {
			fprintf(stderr, "mmreplay kmap: '%s' is not a non-negative number\n", optarg);
			return MM_EXIT_USAGE;
		}
		switch (c) {
		case 'n':
			if (parse_sizes(optarg, sizes, &nsizes)) {
				fprintf(stderr,
					"mmreplay kmap: --slots takes up to %d sizes of 1..%u, "
					"comma-separated\n",
					KMAP_MAX_SIZES, PKMAP_MAX_SLOTS);
				return MM_EXIT_USAGE;
			}
			break;
		case 'w':
			if (strcmp(optarg, "copy") && strcmp(optarg, "hot")) {
				fprintf(stderr, "mmreplay kmap: --workload takes copy or hot, not '%s'\n",
					optarg);
				return MM_EXIT_USAGE;
			}
			hot = !strcmp(optarg, "hot");
			break;
		case 'p':
			gp.loops = v;
			break;
		case 's':
			gp.seed = v;
			break;
		case 'H':
			gp.highmem_pfn = v;
			break;
		case 'S':
			gp.span_pages = v;
			break;
		case 'l':
		case 'K':
			if (v > 100) {
				fprintf(stderr, "mmreplay kmap: percentages go from 0 to 100\n");
				return MM_EXIT_USAGE;
			}
			*(c == 'l' ? &gp.lowmem_pct : &gp.hot_pct) = (u32)v;
			break;
		case 'k':
		case 'd':
			if (v < 1 || v > (1u << 24)) {
				fprintf(stderr, "mmreplay kmap: --hot-pages and --hold take 1..%u\n",
					1u << 24);
				return MM_EXIT_USAGE;
			}
			*(c == 'k' ? &gp.hot_pages : &gp.hold) = (u32)v;
			break;
		case 'c':
			csv = true;
			break;
		case 'h':
			kmap_usage(stdout);
			return MM_EXIT_OK;
		default:
			kmap_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		kmap_usage(stderr);
		return MM_EXIT_USAGE;
	}
	if (!gp.loops || (gp.lowmem_pct && !gp.highmem_pfn)) {
		fprintf(stderr,
			"mmreplay kmap: --pages must be >= 1, and --lowmem-pct needs --highmem > 0\n");
		return MM_EXIT_USAGE;
	}
	const char *wl = hot ? "hot" : "copy";
	if (csv)
		printf("workload,slots,kmaps,kmap_hits,new_maps,waits,kmap_lowmem,kunmaps,wraps,tlb_flushes,"
		       "slots_flushed,scan_steps\n");
	else
		printf("%-8s %7s %10s %10s %10s %8s %8s %10s %8s %11s %13s %12s\n", "workload", "slots",
		       "kmaps", "hits", "new", "waits", "lowmem", "kunmaps", "wraps", "tlb_flushes",
		       "slots_flushed", "scan_steps");
	for (unsigned i = 0; i < nsizes; i++) {
		struct pkmap pk;
		struct pkmap_cfg pc = {.nr_slots = sizes[i], .highmem_start_pfn = gp.highmem_pfn};
		int err = pkmap_init(&pk, &pc);
		struct kmap_feed feed = {.pk = &pk};
		if (!err)
			err = hot ? gen_kmap_hot(&gp, kmap_feed_event, &feed)
				  : gen_kmap_copy(&gp, kmap_feed_event, &feed);
		if (err) {
			fprintf(stderr, "mmreplay kmap: %s\n", strerror(-err));
			pkmap_fini(&pk);
			return MM_EXIT_FAIL;
		}
		const struct pkmap_stats *st = &pk.st;
		printf(csv ? "%s,%u,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n"
			   : "%-8s %7u %10llu %10llu %10llu %8llu %8llu %10llu %8llu %11llu %13llu %12llu\n",
		       wl, sizes[i], (unsigned long long)st->kmaps, (unsigned long long)st->kmap_hits,
		       (unsigned long long)st->new_maps, (unsigned long long)st->waits,
		       (unsigned long long)st->kmap_lowmem, (unsigned long long)st->kunmaps,
		       (unsigned long long)st->wraps, (unsigned long long)st->tlb_flushes,
		       (unsigned long long)st->slots_flushed, (unsigned long long)st->scan_steps);
		pkmap_fini(&pk);
	}
	return fflush(stdout) ? MM_EXIT_FAIL : MM_EXIT_OK;
}
