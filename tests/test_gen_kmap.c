/* kmap workload generators: deterministic streams, the shapes they promise (a copy's
 * kmap/kmap/kunmap/kunmap per page on distinct pages; a working set with at most `hold` live
 * mappings, kunmapped oldest first), and the pool bounds a copy stream must produce. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "workloads/gen/gen_kmap.h"
#include "core/lib/hmap.h"
#include "core/kva/pkmap.h"
#include "tests/spawn_cmd.h"

struct evs {
	struct mm_event *ev;
	size_t n, cap;
	size_t stop_at; /* emit fails with -EIO at this event; 0 = never */
};

static int collect(void *ctx, const struct mm_event *ev)
{
	struct evs *e = ctx;
	if (e->stop_at && e->n + 1 == e->stop_at)
		return -EIO;
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 1024;
		e->ev = realloc(e->ev, e->cap * sizeof(*e->ev));
		cr_assert_not_null(e->ev);
	}
	e->ev[e->n++] = *ev;
	return 0;
}

static struct evs run(int (*gen)(const struct gen_kmap_params *, gen_kmap_emit_fn, void *),
		      const struct gen_kmap_params *p)
{
	struct evs e = {0};
	cr_assert_eq(gen(p, collect, &e), 0);
	return e;
}

Test(gen_kmap, deterministic_per_seed)
{
	struct gen_kmap_params p;
	gen_kmap_params_default(&p);
	p.loops = 3000;
	p.lowmem_pct = 10;
	for (int hot = 0; hot < 2; hot++) {
		int (*gen)(const struct gen_kmap_params *, gen_kmap_emit_fn, void *) =
			hot ? gen_kmap_hot : gen_kmap_copy;
		p.seed = 5;
		struct evs a = run(gen, &p), b = run(gen, &p);
		p.seed = 6;
		struct evs c = run(gen, &p);
		cr_assert_eq(a.n, b.n);
		cr_assert_eq(memcmp(a.ev, b.ev, a.n * sizeof(*a.ev)), 0, "same seed, same stream");
		cr_assert(a.n != c.n || memcmp(a.ev, c.ev, a.n * sizeof(*a.ev)),
			  "another seed, another stream");
		free(a.ev);
		free(b.ev);
		free(c.ev);
	}
}

Test(gen_kmap, copy_shape_distinct_pages)
{
	struct gen_kmap_params p;
	gen_kmap_params_default(&p);
	p.loops = 20000;
	p.span_pages = 100000;
	struct evs e = run(gen_kmap_copy, &p);
	cr_assert_eq(e.n, 4 * p.loops);
	struct hmap seen;
	cr_assert_eq(hmap_init(&seen, 2 * p.loops), 0);
	for (size_t i = 0; i < e.n; i += 4) {
		const struct mm_event *v = &e.ev[i];
		cr_assert_eq(v[0].kind, MME_KMAP);
		cr_assert_eq(v[1].kind, MME_KMAP);
		cr_assert_eq(v[2].kind, MME_KUNMAP);
		cr_assert_eq(v[3].kind, MME_KUNMAP);
		cr_assert_eq(v[2].addr, v[1].addr, "dst unmapped first");
		cr_assert_eq(v[3].addr, v[0].addr);
		for (int k = 0; k < 2; k++) {
			cr_assert_geq(v[k].addr, p.highmem_pfn);
			cr_assert_lt(v[k].addr, p.highmem_pfn + p.span_pages);
			cr_assert_eq(hmap_put(&seen, v[k].addr, 1), 0, "page %#llx copied twice",
				     (unsigned long long)v[k].addr);
		}
	}
	hmap_fini(&seen);
	free(e.ev);
}

Test(gen_kmap, hot_working_set_shape)
{
	struct gen_kmap_params p;
	gen_kmap_params_default(&p);
	p.loops = 40000;
	p.hot_pages = 32;
	p.hot_pct = 70;
	p.hold = 5;
	p.lowmem_pct = 20;
	struct evs e = run(gen_kmap_hot, &p);
	u64 ring[5], head = 0, live = 0, kmaps = 0, lowmem = 0;
	struct hmap freq;
	cr_assert_eq(hmap_init(&freq, 1024), 0);
	for (size_t i = 0; i < e.n; i++) {
		const struct mm_event *v = &e.ev[i];
		if (v->kind == MME_KMAP) {
			cr_assert_lt(live, p.hold, "event %zu: more than hold mappings live", i);
			ring[(head + live++) % 5] = v->addr;
			kmaps++;
			u64 c = 0;
			hmap_get(&freq, v->addr, &c);
			hmap_put(&freq, v->addr, c + 1);
		} else {
			cr_assert_eq(v->kind, MME_KUNMAP);
			cr_assert_gt(live, 0);
			cr_assert_eq(v->addr, ring[head], "event %zu: kunmap of the oldest mapping", i);
			head = (head + 1) % 5;
			live--;
		}
	}
	cr_assert_eq(live, 0, "every mapping is closed at the end");
	cr_assert_eq(kmaps, p.loops);
	/* the 32 most frequent pages are the working set: about 70 % of the kmaps */
	u64 top = 0, hotset[32];
	for (int k = 0; k < 32; k++) {
		u64 best = 0, key = 0, k1, v1;
		for (u64 pos = 0; hmap_next(&freq, &pos, &k1, &v1);)
			if (v1 > best) {
				best = v1;
				key = k1;
			}
		top += best;
		hotset[k] = key;
		hmap_put(&freq, key, 0);
	}
	cr_assert(top > kmaps * 68 / 100 && top < kmaps * 72 / 100, "top32 %llu of %llu",
		  (unsigned long long)top, (unsigned long long)kmaps);
	/* of the other (cold) kmaps, about 20 % are on low memory */
	u64 cold = 0;
	for (size_t i = 0; i < e.n; i++) {
		bool is_hot = false;
		for (int k = 0; k < 32; k++)
			is_hot |= e.ev[i].addr == hotset[k];
		if (e.ev[i].kind != MME_KMAP || is_hot)
			continue;
		cold++;
		lowmem += e.ev[i].addr < p.highmem_pfn;
	}
	cr_assert_eq(cold, kmaps - top);
	cr_assert(lowmem > cold * 18 / 100 && lowmem < cold * 22 / 100, "lowmem %llu of %llu cold",
		  (unsigned long long)lowmem, (unsigned long long)cold);
	hmap_fini(&freq);
	free(e.ev);
}

static int feed(void *ctx, const struct mm_event *ev)
{
	u32 s;
	return ev->kind == MME_KMAP ? pkmap_kmap(ctx, ev->addr, &s) : pkmap_kunmap(ctx, ev->addr);
}

/* Between two wraps the scan passes each slot once and every new map takes a distinct slot, so
 * wraps >= new/N - 1; a copy holds at most one page when the scan wraps, so each cycle maps at
 * least N - 1 pages: wraps <= new/(N - 1) + 1. Stale slots exist at every wrap: one flush each. */
Test(gen_kmap, copy_through_the_pool)
{
	struct gen_kmap_params p;
	gen_kmap_params_default(&p);
	p.loops = 30000;
	static const u32 sizes[] = {3, 4, 16, 100, 1024};
	for (size_t k = 0; k < MM_ARRAY_SIZE(sizes); k++) {
		u32 n = sizes[k];
		struct pkmap pk;
		struct pkmap_cfg c = {.nr_slots = n, .highmem_start_pfn = p.highmem_pfn};
		cr_assert_eq(pkmap_init(&pk, &c), 0);
		cr_assert_eq(gen_kmap_copy(&p, feed, &pk), 0, "no waits, no bad kunmaps");
		u64 nm = pk.st.new_maps;
		cr_assert_eq(nm, 2 * p.loops);
		cr_assert_geq(pk.st.wraps + 1, nm / n, "N %u wraps %llu", n, (unsigned long long)pk.st.wraps);
		cr_assert_leq(pk.st.wraps, nm / (n - 1) + 1, "N %u wraps %llu", n,
			      (unsigned long long)pk.st.wraps);
		cr_assert_eq(pk.st.tlb_flushes, pk.st.wraps);
		cr_assert_eq(pk.st.kunmaps, 2 * p.loops);
		pkmap_fini(&pk);
	}
}

Test(gen_kmap, bad_params_and_emit_errors)
{
	struct gen_kmap_params p;
	struct evs e = {0};
	gen_kmap_params_default(&p);
	p.hold = 0;
	cr_assert_eq(gen_kmap_hot(&p, collect, &e), -EINVAL);
	gen_kmap_params_default(&p);
	p.lowmem_pct = 101;
	cr_assert_eq(gen_kmap_copy(&p, collect, &e), -EINVAL);
	gen_kmap_params_default(&p);
	p.lowmem_pct = 5;
	p.highmem_pfn = 0;
	cr_assert_eq(gen_kmap_copy(&p, collect, &e), -EINVAL);
	cr_assert_eq(e.n, 0);
	gen_kmap_params_default(&p);
	e.stop_at = 7;
	cr_assert_eq(gen_kmap_hot(&p, collect, &e), -EIO);
	cr_assert_eq(e.n, 6);
	e.n = 0;
	e.stop_at = 3;
	cr_assert_eq(gen_kmap_copy(&p, collect, &e), -EIO);
	cr_assert_eq(e.n, 2);
	free(e.ev);
}

/* stdout of mmreplay kmap ARGS... (malloc'd); its exit status into *status */
static char *run_cli_v(const char *const *argv, int *status)
{
	struct spawn_res r = spawn_v(argv, NULL);
	*status = r.status;
	free(r.err);
	return r.out;
}
#define run_cli(status, ...) run_cli_v(SPAWN_ARGV(spawn_mmreplay(), "kmap", __VA_ARGS__), status)

/* mmreplay kmap: deterministic output, one CSV row per pool size with the copy's exact totals. */
Test(gen_kmap, cli_demo)
{
	int st;
	char *a = run_cli(&st, "--csv", "--slots", "4,16", "--pages", "1000", "--seed", "3");
	cr_assert_eq(st, 0);
	char *b = run_cli(&st, "--csv", "--slots", "4,16", "--pages", "1000", "--seed", "3");
	cr_assert_str_eq(a, b);
	cr_assert(!strncmp(a, "workload,slots,kmaps,kmap_hits,new_maps,waits,", 46), "%s", a);
	unsigned slots;
	unsigned long long km, hits, nm, waits, low, kun, wraps, tlb;
	const char *row = strstr(a, "\ncopy,16,");
	cr_assert_not_null(row, "%s", a);
	cr_assert_eq(sscanf(row + 1, "copy,%u,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu", &slots, &km, &hits,
			    &nm, &waits, &low, &kun, &wraps, &tlb),
		     9);
	cr_assert_eq(km, 2000);
	cr_assert_eq(nm, 2000);
	cr_assert_eq(kun, 2000);
	cr_assert_eq(waits + hits + low, 0);
	cr_assert(wraps + 1 >= 2000 / 16 && wraps <= 2000 / 15 + 1, "wraps %llu", wraps);
	cr_assert_eq(tlb, wraps);
	free(a);
	free(b);
	free(run_cli(&st, "--slots", "0"));
	cr_assert_eq(st, 2);
	free(run_cli(&st, "--workload", "nope"));
	cr_assert_eq(st, 2);
	free(run_cli(&st, "--hot-pct", "101"));
	cr_assert_eq(st, 2);
}
