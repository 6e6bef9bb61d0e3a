#include "workloads/gen/gen_kmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/gen/gen.h"
#include "core/kva/pkmap.h"
#include "core/lib/rng.h"

void gen_kmap_params_default(struct gen_kmap_params *p)
{
	memset(p, 0, sizeof(*p));
	p->seed = 1;
	p->loops = 10000;
	p->highmem_pfn = PKMAP_DEFAULT_HIGHMEM_PFN;
	p->span_pages = 1ULL << 20;
	p->hot_pages = 64;
	p->hot_pct = 90;
	p->hold = 8;
}

static int gen_kmap_check(const struct gen_kmap_params *p)
{
	if (p->lowmem_pct > 100 || p->hot_pct > 100 || !p->hot_pages || !p->hold)
		return -EINVAL;
	if (p->lowmem_pct && !p->highmem_pfn)
		return -EINVAL; /* no low memory to draw from */
	if (p->span_pages > UINT64_MAX - p->highmem_pfn)
		return -EINVAL;
	return 0;
}

static int emit_kind(gen_kmap_emit_fn emit, void *ctx, unsigned kind, u64 pfn)
{
	struct mm_event ev = {.kind = (u8)kind, .mt = -1, .addr = pfn};
	return emit(ctx, &ev);
}

/* A page: low memory with probability lowmem_pct, else a random highmem page of the span. */
static u64 draw_page(const struct gen_kmap_params *p, struct rng *g)
{
	if (p->lowmem_pct && rng_below(g, 100) < p->lowmem_pct)
		return rng_below(g, p->highmem_pfn);
	return p->highmem_pfn + rng_below(g, p->span_pages ? p->span_pages : 1ULL << 20);
}

static u64 gcd(u64 a, u64 b)
{
	while (b) {
		u64 t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static u64 copy_page(const struct gen_kmap_params *p, struct rng *g, u64 first, u64 stride, u64 span, u64 n)
{
	if (p->lowmem_pct && rng_below(g, 100) < p->lowmem_pct)
		return rng_below(g, p->highmem_pfn);
	return p->highmem_pfn + (u64)(((unsigned __int128)n * stride + first) % span);
}

int gen_kmap_copy(const struct gen_kmap_params *p, gen_kmap_emit_fn emit, void *ctx)
{
	int err = gen_kmap_check(p);
	if (err)
		return err;
	struct rng g;
	rng_seed(&g, p->seed);
	u64 loops = p->loops ? p->loops : 10000, span = p->span_pages ? p->span_pages : 1ULL << 20;
	/* Page n of the copy is highmem_pfn + (first + n * stride) mod span with stride coprime to
	 * span: all distinct until the copy has used the whole span, and scattered. */
	u64 first = rng_below(&g, span), stride = 1 + rng_below(&g, span);
	while (gcd(stride, span) != 1)
		stride++;
	u64 n = 0;
	for (u64 i = 0; i < loops; i++) {
		u64 src = copy_page(p, &g, first, stride, span, n++);
		u64 dst = copy_page(p, &g, first, stride, span, n++);
		if ((err = emit_kind(emit, ctx, MME_KMAP, src)) ||
		    (err = emit_kind(emit, ctx, MME_KMAP, dst)) ||
		    (err = emit_kind(emit, ctx, MME_KUNMAP, dst)) ||
		    (err = emit_kind(emit, ctx, MME_KUNMAP, src)))
			return err;
	}
	return 0;
}

int gen_kmap_hot(const struct gen_kmap_params *p, gen_kmap_emit_fn emit, void *ctx)
{
	int err = gen_kmap_check(p);
	if (err)
		return err;
	struct rng g;
	rng_seed(&g, p->seed);
	u64 *hot = malloc(sizeof(u64) * p->hot_pages), *ring = malloc(sizeof(u64) * p->hold);
	if (!hot || !ring) {
		free(hot);
		free(ring);
		return -ENOMEM;
	}
	for (u32 i = 0; i < p->hot_pages; i++)
		hot[i] = draw_page(p, &g);
	u64 loops = p->loops ? p->loops : 10000;
	u32 head = 0, live = 0; /* ring[head..head+live) mod hold: live mappings, oldest first */
	for (u64 i = 0; !err && i < loops; i++) {
		if (live == p->hold) {
			err = emit_kind(emit, ctx, MME_KUNMAP, ring[head]);
			head = (head + 1) % p->hold;
			live--;
			if (err)
				break;
		}
		u64 pfn =
			rng_below(&g, 100) < p->hot_pct ? hot[rng_below(&g, p->hot_pages)] : draw_page(p, &g);
		ring[(head + live++) % p->hold] = pfn;
		err = emit_kind(emit, ctx, MME_KMAP, pfn);
	}
	while (!err && live) {
		err = emit_kind(emit, ctx, MME_KUNMAP, ring[head]);
		head = (head + 1) % p->hold;
		live--;
	}
	free(hot);
	free(ring);
	return err;
}

/* --- the generator registry's entries (workloads/gen/gen.h): defaults above, --loops and --seed --- */

static void gen_kmap_from(const struct gen_params *gp, struct gen_kmap_params *p)
{
	gen_kmap_params_default(p);
	p->seed = gp->seed;
	if (gp->loops)
		p->loops = gp->loops;
}

/* Registry streams carry synthetic time (strictly increasing) and one pid, as every generator's. */
struct gen_kmap_stamp {
	gen_emit_fn emit;
	void *ctx;
	u64 ts;
};

static int gen_kmap_stamp_emit(void *ctx, const struct mm_event *ev)
{
	struct gen_kmap_stamp *st = ctx;
	struct mm_event e = *ev;
	e.ts_ns = st->ts += 1000;
	e.pid = 1000;
	return st->emit(st->ctx, &e);
}

static int gen_kmap_copy_run(const struct gen_params *gp, gen_emit_fn emit, void *ctx)
{
	struct gen_kmap_params p;
	struct gen_kmap_stamp st = {.emit = emit, .ctx = ctx};
	gen_kmap_from(gp, &p);
	return gen_kmap_copy(&p, gen_kmap_stamp_emit, &st);
}

static int gen_kmap_hot_run(const struct gen_params *gp, gen_emit_fn emit, void *ctx)
{
	struct gen_kmap_params p;
	struct gen_kmap_stamp st = {.emit = emit, .ctx = ctx};
	gen_kmap_from(gp, &p);
	return gen_kmap_hot(&p, gen_kmap_stamp_emit, &st);
}

const struct gen_ops gen_ops_kmap_copy = {
	.name = "kmap_copy",
	.desc = "a file copy through the highmem kmap pool: kmap(src) kmap(dst) kunmap(dst) kunmap(src) per "
		"page",
	.params = "--loops (pages copied, default 10000); highmem pages from pfn 0x38000 over 1 Mi pages",
	.opts = GEN_OPT_LOOPS,
	.default_loops = 10000,
	.run = gen_kmap_copy_run,
};

const struct gen_ops gen_ops_kmap_hot = {
	.name = "kmap_hot",
	.desc = "kmap/kunmap on a working set: 90 % of kmaps on 64 hot highmem pages, up to 8 live at once",
	.params = "--loops (kmap calls, default 10000)",
	.opts = GEN_OPT_LOOPS,
	.default_loops = 10000,
	.run = gen_kmap_hot_run,
};
