/* buddy_aging: a long stream of page allocations and frees whose order and migratetype mix and
 * whose lifetimes follow a real trace (k_threads2: 16 rounds of hundreds of Python threads), so
 * a buddy model ages the way a busy machine's zone does.
 *
 * Time is counted in page events, as in the derivation. At each step the generator frees the
 * block whose lifetime is due (earliest first), else allocates: (order, mt) drawn from the mix,
 * a lifetime bucket drawn from that migratetype's table, a lifetime uniform inside the bucket.
 * Blocks the recording never saw freed ("censored") live for 2^18..2^20 events: longer than the
 * recording, bounded so a long run reaches a steady state. pfns are pairing tokens (1, 2, 3...),
 * not placements: replay this workload in placement mode. */
#include <errno.h>
#include <stdlib.h>

#include "workloads/gen/gen.h"
#include "core/lib/rng.h"

#define AGING_NR_MT 3
#define AGING_NR_BUCKETS 21 /* lifetime buckets 0..19, then the censored column */
#define AGING_CENSORED (AGING_NR_BUCKETS - 1)
#define AGING_CENSORED_LO_SHIFT 18 /* censored lifetimes: [2^18, 2^20) events */
#define AGING_CENSORED_HI_SHIFT 20
#define AGING_TS_STEP_NS 1000u
#define AGING_PID 1u

struct aging_mix {
	u8 order, mt;
	u32 count; /* mm_page_alloc events with this order and migratetype */
};

/* Regenerate with workloads/record/derive_aging_mix.sh (see its header for the definitions).
 * aging_life[mt][b]: frees of blocks of migratetype mt whose lifetime L (page events from the
 * alloc to the free of the same pfn) has 2^b <= L < 2^(b+1); last column: still live at the end. */
// clang-format off
/* derived tables: workloads/record/derive_aging_mix.sh k_threads2.perf.txt.zst (150359 page events) */
static const struct aging_mix aging_mix[] = {
	{0, 0, 18510},
	{0, 1, 35893},
	{1, 0, 80},
	{1, 1, 166},
	{2, 1, 157},
	{3, 0, 1474},
	{3, 1, 135},
	{4, 1, 97},
	{5, 1, 42},
};
static const u32 aging_life[AGING_NR_MT][AGING_NR_BUCKETS] = {
	{42, 4, 0, 24, 36, 46, 216, 1083, 3170, 2961, 768, 2623, 5416, 2461, 334, 112, 19, 5, 0, 0, 356},
	{1, 0, 0, 4, 64, 708, 594, 702, 846, 1232, 4209, 10062, 11738, 2093, 90, 252, 620, 2208, 0, 0, 1067},
	{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
};
/* end of derived tables */
// clang-format on

struct aging_block {
	u64 due; /* the step at which it is freed */
	u64 pfn; /* token */
	u8 order;
};

/* A binary min-heap on (due, pfn): the next block to free is at the root. */
struct aging_heap {
	struct aging_block *a;
	size_t n, cap;
};

static bool aging_before(const struct aging_block *x, const struct aging_block *y)
{
	return x->due < y->due || (x->due == y->due && x->pfn < y->pfn);
}

static int aging_push(struct aging_heap *h, struct aging_block b)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 4096;
		struct aging_block *a = realloc(h->a, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		h->a = a;
		h->cap = cap;
	}
	size_t i = h->n++;
	while (i && aging_before(&b, &h->a[(i - 1) / 2])) {
		h->a[i] = h->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->a[i] = b;
	return 0;
}

static struct aging_block aging_pop(struct aging_heap *h)
{
	struct aging_block top = h->a[0], last = h->a[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && aging_before(&h->a[c + 1], &h->a[c]))
			c++;
		if (!aging_before(&h->a[c], &last))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (h->n)
		h->a[i] = last;
	return top;
}

/* Index i with probability w[i] / total (total = sum of w[0..n-1] > 0). */
static size_t aging_pick(struct rng *r, const u32 *w, size_t n, u64 total)
{
	u64 x = rng_below(r, total);
	size_t i = 0;
	while (i + 1 < n && x >= w[i])
		x -= w[i++];
	return i;
}

static u64 aging_lifetime(struct rng *r, unsigned bucket)
{
	if (bucket == AGING_CENSORED) {
		u64 lo = 1ULL << AGING_CENSORED_LO_SHIFT, hi = 1ULL << AGING_CENSORED_HI_SHIFT;
		return lo + rng_below(r, hi - lo);
	}
	return (1ULL << bucket) + rng_below(r, 1ULL << bucket);
}

static int aging_run(const struct gen_params *p, gen_emit_fn emit, void *ctx)
{
	if (p->loops > GEN_MAX_LOOPS)
		return -EINVAL;
	u32 mixw[MM_ARRAY_SIZE(aging_mix)];
	u64 mix_total = 0, life_total[AGING_NR_MT] = {0};
	for (size_t i = 0; i < MM_ARRAY_SIZE(aging_mix); i++)
		mix_total += mixw[i] = aging_mix[i].count;
	for (int mt = 0; mt < AGING_NR_MT; mt++)
		for (int b = 0; b < AGING_NR_BUCKETS; b++)
			life_total[mt] += aging_life[mt][b];

	u64 loops = gen_loops(&gen_buddy_aging, p), allocs = 0, step = 0, next_pfn = 0;
	struct aging_heap h = {0};
	struct rng r;
	rng_seed(&r, p->seed);
	int err = 0;
	while (!err && (allocs < loops || (p->drain && h.n))) {
		struct mm_event ev = {.pid = AGING_PID, .ts_ns = (step + 1) * AGING_TS_STEP_NS};
		if (h.n && (h.a[0].due <= step || allocs == loops)) {
			struct aging_block b = aging_pop(&h);
			ev.kind = MME_PAGE_FREE;
			ev.addr = b.pfn;
			ev.order = b.order;
			ev.mt = -1;
		} else {
			const struct aging_mix *m =
				&aging_mix[aging_pick(&r, mixw, MM_ARRAY_SIZE(aging_mix), mix_total)];
			unsigned bucket = life_total[m->mt]
						  ? (unsigned)aging_pick(&r, aging_life[m->mt],
									 AGING_NR_BUCKETS, life_total[m->mt])
						  : AGING_CENSORED;
			struct aging_block b = {step + aging_lifetime(&r, bucket), ++next_pfn, m->order};
			err = aging_push(&h, b);
			ev.kind = MME_PAGE_ALLOC;
			ev.addr = b.pfn;
			ev.order = m->order;
			ev.mt = (i8)m->mt;
			allocs++;
		}
		step++;
		if (!err)
			err = emit(ctx, &ev);
	}
	free(h.a);
	return err;
}

const struct gen_ops gen_buddy_aging = {
	.name = "buddy_aging",
	.desc = "page alloc/free with k_threads2's order, migratetype and lifetime mix (placement replay)",
	.params = "--loops (allocations, default 200000), --drain (free every live block at the end)",
	.opts = GEN_OPT_LOOPS | GEN_OPT_DRAIN,
	.default_loops = 200000,
	.run = aging_run,
};
