/* mmreplay kmap: a synthetic kmap workload (workloads/gen/gen_kmap.h) replayed through a machine
 * (struct sim) whose persistent kmap pool (core/kva/pkmap.h) has each of the --slots sizes,
 * printing the pool's counters: how LAST_PKMAP changes wraps and TLB flushes. Model counters
 * only: deterministic for a seed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "workloads/gen/gen_kmap.h"
#include "bench/run/run.h"
#include "core/machine/sim_stats.h"
#include "workloads/trace/trace.h"

struct kmap_opts {
	struct gen_kmap_params gp;
	struct cli_list slots;
	const char *workload;
	u64 lowmem_pct, hot_pages, hot_pct, hold;
	bool csv;
};

static const char *const kmap_workloads[] = {"copy", "hot", NULL};

static const struct cli_opt kmap_opts[] = {
	CLI_OPT_LIST("slots", "N,...", struct kmap_opts, slots, 1, PKMAP_MAX_SLOTS,
		     "pool sizes (LAST_PKMAP), each a run (1024)"),
	CLI_OPT_CHOICE("workload", "NAME", struct kmap_opts, workload, kmap_workloads,
		       "copy (default) or hot"),
	CLI_OPT_U64("pages", "P", struct kmap_opts, gp.loops, 1, 1ULL << 32,
		    "pages copied / kmap calls (10000)"),
	CLI_OPT_U64("seed", "S", struct kmap_opts, gp.seed, 0, UINT64_MAX, "random seed (1)"),
	CLI_OPT_U64("highmem", "PFN", struct kmap_opts, gp.highmem_pfn, 0, 1ULL << 40,
		    "first highmem pfn (0x38000 = 896 MiB)"),
	CLI_OPT_U64("span", "PAGES", struct kmap_opts, gp.span_pages, 1, 1ULL << 32,
		    "highmem pages drawn from (1048576)"),
	CLI_OPT_U64("lowmem-pct", "X", struct kmap_opts, lowmem_pct, 0, 100,
		    "percent of low-memory pages (0)"),
	CLI_OPT_U64("hot-pages", "H", struct kmap_opts, hot_pages, 1, 1u << 24,
		    "hot: working-set pages (64)"),
	CLI_OPT_U64("hot-pct", "X", struct kmap_opts, hot_pct, 0, 100, "hot: percent of kmaps on it (90)"),
	CLI_OPT_U64("hold", "D", struct kmap_opts, hold, 1, 1u << 24, "hot: most mappings at once (8)"),
	CLI_OPT_FLAG("csv", struct kmap_opts, csv, "print CSV"),
	CLI_OPT_END,
};

static const struct cli_cmd kmap_cmd = {
	.name = "kmap",
	.synopsis = "",
	.about = "Runs a kmap/kunmap workload through the highmem persistent kmap pool (mm/highmem.c) of\n"
		 "a machine, at each pool size, and prints its counters.\n"
		 "  copy  a file copy: kmap(src) kmap(dst) kunmap(dst) kunmap(src) per page (P pages)\n"
		 "  hot   P kmaps, X % on a working set of H pages, at most D mapped at once, kunmapped\n"
		 "        oldest first\n"
		 "Pages at or above --highmem are highmem, drawn from --span pages; --lowmem-pct of the\n"
		 "pages are low memory (no slot needed). Columns: kmaps, of which hits (the page kept its\n"
		 "slot), new (took a free slot), waits (every slot busy: the kernel would sleep; the model\n"
		 "fails the kmap and counts it) and lowmem; kunmaps; wraps (the scan passed slot 0:\n"
		 "flush_all_zero_pkmaps calls); tlb_flushes (wraps that freed slots: one kernel-range flush\n"
		 "each); slots_flushed; scan_steps.",
	.opts = kmap_opts,
};

static int kmap_collect(void *ctx, const struct mm_event *ev)
{
	return trace_push(ctx, ev);
}

/* The workload replayed on a machine with `slots` slots; prints one row. */
static int kmap_run(const struct mm_trace *t, const struct kmap_opts *o, u32 slots)
{
	struct sim_cfg cfg;
	struct sim *s = calloc(1, sizeof(*s));
	sim_cfg_default(&cfg);
	cfg.pkmap.nr_slots = slots;
	cfg.pkmap.highmem_start_pfn = o->gp.highmem_pfn;
	int err = s ? sim_init(s, &cfg) : -ENOMEM;
	if (err) {
		free(s);
		return err;
	}
	struct run_array a;
	struct run_source src = run_source_array(&a, t->ev, t->n);
	struct run_result r = {0, 0, 0};
	struct sim_stats st;
	err = run_events(s, &src, NULL, &r);
	sim_stats_read(s, SIM_STATS_SAMPLE, &st);
	sim_fini(s);
	free(s);
	const struct pkmap_stats *p = &st.pkmap;
	if (!err)
		printf(o->csv ? "%s,%u,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n"
			      : "%-8s %7u %10llu %10llu %10llu %8llu %8llu %10llu %8llu %11llu %13llu "
				"%12llu\n",
		       o->workload, slots, (unsigned long long)p->kmaps, (unsigned long long)p->kmap_hits,
		       (unsigned long long)p->new_maps, (unsigned long long)p->waits,
		       (unsigned long long)p->kmap_lowmem, (unsigned long long)p->kunmaps,
		       (unsigned long long)p->wraps, (unsigned long long)p->tlb_flushes,
		       (unsigned long long)p->slots_flushed, (unsigned long long)p->scan_steps);
	return err;
}

int cmd_kmap(int argc, char **argv)
{
	struct kmap_opts o = {.slots = {1, {PKMAP_DEFAULT_SLOTS}}, .workload = "copy"};
	gen_kmap_params_default(&o.gp);
	o.lowmem_pct = o.gp.lowmem_pct, o.hot_pages = o.gp.hot_pages, o.hot_pct = o.gp.hot_pct,
	o.hold = o.gp.hold;
	int first = 0, rc = cli_parse(&kmap_cmd, argc, argv, &o, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	if (o.lowmem_pct && !o.gp.highmem_pfn)
		return cli_error(&kmap_cmd, "--lowmem-pct needs --highmem > 0");
	o.gp.lowmem_pct = (u32)o.lowmem_pct, o.gp.hot_pages = (u32)o.hot_pages, o.gp.hot_pct = (u32)o.hot_pct;
	o.gp.hold = (u32)o.hold;
	struct mm_trace t = {0};
	bool hot = !strcmp(o.workload, "hot");
	int err = hot ? gen_kmap_hot(&o.gp, kmap_collect, &t) : gen_kmap_copy(&o.gp, kmap_collect, &t);
	if (o.csv)
		printf("workload,slots,kmaps,kmap_hits,new_maps,waits,kmap_lowmem,kunmaps,wraps,tlb_flushes,"
		       "slots_flushed,scan_steps\n");
	else
		printf("%-8s %7s %10s %10s %10s %8s %8s %10s %8s %11s %13s %12s\n", "workload", "slots",
		       "kmaps", "hits", "new", "waits", "lowmem", "kunmaps", "wraps", "tlb_flushes",
		       "slots_flushed", "scan_steps");
	for (size_t i = 0; i < o.slots.n && !err; i++)
		err = kmap_run(&t, &o, (u32)o.slots.v[i]);
	trace_free(&t);
	if (err) {
		fprintf(stderr, "mmreplay kmap: %s\n", strerror(-err));
		return MM_EXIT_FAIL;
	}
	return fflush(stdout) ? MM_EXIT_FAIL : MM_EXIT_OK;
}
