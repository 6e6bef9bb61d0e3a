/* "drivers": the mapping calls device drivers make, as one stream. A seeded mix of
 *   vmalloc     (MME_VMAP_ALLOC: a buffer of 1..64 pages; alloc_vmap_area's view, guard included
 *                unless --no-guard),
 *   vmalloc_32  (MME_VMALLOC32: a buffer of 1..16 pages a 32-bit device must reach),
 *   ioremap     (MME_IOREMAP: 4 KiB..1 MiB of one of 16 device BARs in the PCI hole below 4 GiB,
 *                at a page offset inside the BAR),
 *   DMA buffers (MME_PAGE_ALLOC of order 0..3 with GFP_DMA32, one in eight with GFP_DMA),
 * and their releases: vfree (MME_VMAP_FREE) for vmalloc and vmalloc_32 areas, iounmap (MME_VUNMAP)
 * for ioremap areas, MME_PAGE_FREE for DMA buffers. At most --regions objects live at once; at the
 * end every one still live is released (module unload), oldest first.
 *
 * Addresses are tokens (as in gen_vmalloc.c): va_start = 0xd << 40 | n, DMA pfn = 0xd << 36 | n,
 * unique in the trace and repeated by the release, which a replay pairs with the model's choice. */
#include <errno.h>
#include <stdlib.h>

#include "workloads/gen/gen.h"
#include "core/lib/rng.h"

#define DRV_VSTART 0xffffc90000000000ULL
#define DRV_VEND 0xffffe8ffffffffffULL
#define DRV_BAR_BASE 0xf0000000ULL /* the PCI hole below 4 GiB */
#define DRV_BAR_SIZE (1ULL << 20)
#define DRV_NR_BARS 16u
#define DRV_TS_STEP_NS 1000u
#define DRV_PID 1000u

enum drv_kind { DRV_VMALLOC, DRV_VMALLOC32, DRV_IOREMAP, DRV_DMA };

struct drv_obj {
	u64 tok;
	u8 kind;  /* enum drv_kind */
	u8 order; /* DRV_DMA */
};

struct drv {
	gen_emit_fn emit;
	void *ctx;
	u64 ts, next_tok;
	u64 guard;
	struct rng g;
	struct drv_obj *live; /* objects live now, in creation order */
	u32 nr_live, cap;
};

static int drv_emit(struct drv *d, struct mm_event *ev)
{
	ev->ts_ns = d->ts += DRV_TS_STEP_NS;
	ev->pid = DRV_PID;
	ev->cpu = 0;
	return d->emit(d->ctx, ev);
}

static int drv_create(struct drv *d)
{
	struct mm_event ev = {.mt = -1};
	struct drv_obj o = {.tok = ++d->next_tok};
	u64 r = rng_below(&d->g, 100);
	if (r < 40) {
		o.kind = DRV_VMALLOC;
		ev.kind = MME_VMAP_ALLOC;
		ev.len = ((1 + rng_below(&d->g, 64)) << MM_PAGE_SHIFT) + d->guard;
		ev.addr2 = DRV_VSTART;
		ev.len2 = DRV_VEND;
		ev.aux = MM_PAGE_SIZE;
	} else if (r < 60) {
		o.kind = DRV_VMALLOC32;
		ev.kind = MME_VMALLOC32;
		ev.len = ((1 + rng_below(&d->g, 16)) << MM_PAGE_SHIFT) + d->guard;
	} else if (r < 85) {
		o.kind = DRV_IOREMAP;
		ev.kind = MME_IOREMAP;
		u64 len = MM_PAGE_SIZE << rng_below(&d->g, 9); /* 4 KiB .. 1 MiB */
		u64 off = rng_below(&d->g, (DRV_BAR_SIZE - len) / MM_PAGE_SIZE + 1) << MM_PAGE_SHIFT;
		ev.addr2 = DRV_BAR_BASE + rng_below(&d->g, DRV_NR_BARS) * DRV_BAR_SIZE + off;
		ev.len = len;
	} else {
		o.kind = DRV_DMA;
		o.order = (u8)rng_below(&d->g, 4);
		ev.kind = MME_PAGE_ALLOC;
		ev.order = o.order;
		ev.mt = 0; /* MIGRATE_UNMOVABLE */
		ev.flags = rng_below(&d->g, 8) ? MME_F_ZONE_DMA32 : MME_F_ZONE_DMA;
	}
	ev.addr = o.kind == DRV_DMA ? 0xdULL << 36 | o.tok : 0xdULL << 40 | o.tok;
	o.tok = ev.addr;
	d->live[d->nr_live++] = o;
	return drv_emit(d, &ev);
}

/* Release live[i] (its slot is filled by the last object: order of the rest does not matter). */
static int drv_release(struct drv *d, u32 i, bool keep_order)
{
	struct drv_obj o = d->live[i];
	struct mm_event ev = {.mt = -1, .addr = o.tok};
	ev.kind = o.kind == DRV_IOREMAP ? MME_VUNMAP : o.kind == DRV_DMA ? MME_PAGE_FREE : MME_VMAP_FREE;
	ev.order = o.order;
	if (keep_order) {
		for (u32 j = i + 1; j < d->nr_live; j++)
			d->live[j - 1] = d->live[j];
		d->nr_live--;
	} else {
		d->live[i] = d->live[--d->nr_live];
	}
	return drv_emit(d, &ev);
}

static int drv_run(const struct gen_params *p, gen_emit_fn emit, void *ctx)
{
	struct drv d = {.emit = emit, .ctx = ctx, .guard = p->guard ? MM_PAGE_SIZE : 0};
	d.cap = p->regions ? p->regions : 1;
	d.live = malloc(sizeof(*d.live) * d.cap);
	if (!d.live)
		return -ENOMEM;
	rng_seed(&d.g, p->seed);
	u64 loops = gen_loops(&gen_drivers, p);
	int err = 0;
	for (u64 i = 0; !err && i < loops; i++) {
		/* create while under half full, release when full, else either at even odds */
		bool create = d.nr_live < d.cap / 2 || (d.nr_live < d.cap && rng_below(&d.g, 2));
		if (!d.nr_live || create)
			err = drv_create(&d);
		else
			err = drv_release(&d, (u32)rng_below(&d.g, d.nr_live), false);
	}
	while (!err && d.nr_live)
		err = drv_release(&d, 0, true);
	free(d.live);
	return err;
}

const struct gen_ops gen_drivers = {
	.name = "drivers",
	.desc = "driver-like vmalloc, vmalloc_32, ioremap of device BARs, GFP_DMA32/GFP_DMA pages; vfree, "
		"iounmap",
	.params = "--loops (calls before unload, default 20000), --regions (most live objects, default 400), "
		  "--guard/--no-guard (vmalloc sizes include the guard page, default on)",
	.opts = GEN_OPT_LOOPS | GEN_OPT_REGIONS | GEN_OPT_GUARD,
	.default_loops = 20000,
	.run = drv_run,
};
