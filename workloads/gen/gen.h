/* Synthetic workloads ("generators"): each one produces a deterministic stream of mm_events from
 * a seed and a few parameters, with no time, pid or host state in it. One explicit registry
 * (gen.c) lists them; `mmreplay gen NAME` writes a generator's stream in the native format. */
#ifndef GEN_H
#define GEN_H

#include <stdio.h>

#include "core/mm_event.h"

/* Where generated events go: 0 to continue, or a negative errno that stops the generator and is
 * returned by its run(). */
typedef int (*gen_emit_fn)(void *ctx, const struct mm_event *ev);

/* Parameters shared by all generators; each generator reads the ones its `params` line names. */
/* Largest loops value: keeps every generator's token counters (vmap: 40 bits per worker) unique. */
#define GEN_MAX_LOOPS (1ULL << 36)

struct gen_params {
	u64 seed;
	u64 loops;	 /* test_loop_count / allocations / calls; 0 = the generator's default */
	bool guard;	 /* vmap sizes include the guard page, as traced requests do (default) */
	u32 threads;	 /* test_vmalloc nr_threads (0 -> 1, max 65535) */
	u32 repeat;	 /* test_vmalloc test_repeat_count (0 -> 1) */
	u32 nr_pages;	 /* test_vmalloc nr_pages for fix_size (0 -> 1) */
	u32 mask;	 /* test_vmalloc run_test_mask; 0 = the generator's own case(s) */
	bool sequential; /* test_vmalloc sequential_test_order (no per-thread shuffle) */
	u32 cpus;	 /* online CPUs of the imagined machine (full_fit, thread->cpu mapping) */
	bool drain;	 /* buddy_aging: free every block still live at the end */
	u32 regions;	 /* mmap_churn: most regions the process keeps live */
	u32 busy;	 /* long_busy_list: live 1-page areas (0 -> the module's 15000) */
	bool window;	 /* long_busy_list: fill top-down, each area in its exact slot (see gen_vmalloc.c) */
	bool holes;	 /* long_busy_list: a free 1-page slot below every live area (implies window) */
};

/* Which gen_params fields a generator reads (the CLI rejects options a generator ignores). */
enum gen_opt {
	GEN_OPT_LOOPS = 1u << 0,
	GEN_OPT_GUARD = 1u << 1,
	GEN_OPT_THREADS = 1u << 2,
	GEN_OPT_REPEAT = 1u << 3,
	GEN_OPT_NR_PAGES = 1u << 4,
	GEN_OPT_MASK = 1u << 5,
	GEN_OPT_SEQUENTIAL = 1u << 6,
	GEN_OPT_CPUS = 1u << 7,
	GEN_OPT_DRAIN = 1u << 8,
	GEN_OPT_REGIONS = 1u << 9,
	GEN_OPT_BUSY = 1u << 10, /* busy, window, holes */
};

struct gen_ops {
	const char *name;
	const char *desc;   /* one line for --list */
	const char *params; /* the options it reads and their defaults, for --help */
	u32 opts;	    /* GEN_OPT_* it reads (--seed applies to all) */
	u64 default_loops;
	int (*run)(const struct gen_params *p, gen_emit_fn emit, void *ctx);
};

extern const struct gen_ops *const gen_registry[]; /* NULL-terminated */
const struct gen_ops *gen_find(const char *name);

/* Defaults: seed 1, loops 0 (generator default), guard on, threads 1, repeat 1, nr_pages 1,
 * mask 0, cpus 2 (the machine the shared traces come from), regions 400. */
void gen_params_default(struct gen_params *p);

/* The loops value a run uses: p->loops, or the generator's default when 0. */
u64 gen_loops(const struct gen_ops *g, const struct gen_params *p);

/* Run g and write the native trace (header + records) to f; *nevents counts the records.
 * 0 or a negative errno (-EIO on a write error, or what the generator returned). */
int gen_write_native(const struct gen_ops *g, const struct gen_params *p, FILE *f, u64 *nevents);

/* The per-generator entry points (gen_vmalloc.c, gen_aging.c, gen_churn.c, ...). */
extern const struct gen_ops gen_fix_size, gen_full_fit, gen_long_busy_list, gen_random_size, gen_fix_align,
	gen_random_size_align, gen_align_shift, gen_test_vmalloc;
extern const struct gen_ops gen_buddy_aging;
extern const struct gen_ops gen_mmap_churn;
/* gen_kmap.c (kmap pool workloads), gen_drivers.c (vmalloc_32, ioremap, vunmap, DMA zones) */
extern const struct gen_ops gen_ops_kmap_copy, gen_ops_kmap_hot;
extern const struct gen_ops gen_drivers;

#endif
