/* buddy_aging against the trace it imitates: the order/migratetype mix and the lifetimes are
 * re-derived here, in C, from data/traces/k_threads2.perf.txt.zst (independently of the awk
 * script that produced the generator's table) and the generated stream must match them. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/evbuf.h"
#include "workloads/gen/gen.h"
#include "core/phys/buddy.h"
#include "core/lib/hmap.h"
#include "core/phys/pagereplay.h"
#include "tests/zst_slurp.h"

#define NB 18 /* lifetime buckets 0..16, then ">= 2^17 or never freed" */
#define MAXO 11

struct mixlife {
	u64 mix[MAXO][3]; /* allocations per order and migratetype */
	u64 allocs;
	u64 life[3][NB]; /* per migratetype: lifetimes by bucket */
};

static unsigned bucket(u64 l)
{
	unsigned b = 63 - (unsigned)__builtin_clzll(l);
	return b < NB - 1 ? b : NB - 1;
}

static bool field(const char *line, const char *eol, const char *name, u64 *v)
{
	size_t nl = strlen(name);
	for (const char *p = line; p + nl < eol; p++) {
		if ((p == line || p[-1] == ' ') && !memcmp(p, name, nl)) {
			*v = strtoull(p + nl, NULL, 0);
			return true;
		}
	}
	return false;
}

/* Time in page events; lifetime = events from the alloc to the next free of the same pfn. */
static void derive_from_trace(struct mixlife *m)
{
	size_t len;
	char *txt = zst_slurp(MMREPLAY_DATA_DIR "/traces/k_threads2.perf.txt.zst", &len);
	struct hmap at;
	cr_assert_eq(hmap_init(&at, 1 << 16), 0);
	memset(m, 0, sizeof(*m));
	u64 step = 0;
	for (char *line = txt, *eol; line < txt + len; line = eol + 1) {
		eol = strchr(line, '\n');
		if (!eol)
			eol = txt + len;
		bool alloc = memmem(line, (size_t)(eol - line), " kmem:mm_page_alloc: ", 21) != NULL;
		bool freed = !alloc && memmem(line, (size_t)(eol - line), " kmem:mm_page_free: ", 20);
		if (!alloc && !freed)
			continue;
		step++;
		u64 pfn, order = 0, mt = 0, v;
		if (!field(line, eol, "pfn=", &pfn))
			continue;
		if (alloc) {
			cr_assert(field(line, eol, "order=", &order) &&
				  field(line, eol, "migratetype=", &mt));
			cr_assert(order < MAXO && mt < 3);
			m->mix[order][mt]++;
			m->allocs++;
			cr_assert_geq(hmap_put(&at, pfn, step << 2 | mt), 0);
		} else if (hmap_del(&at, pfn, &v)) {
			m->life[v & 3][bucket(step - (v >> 2))]++;
		}
	}
	u64 v;
	for (u64 pos = 0; hmap_next(&at, &pos, NULL, &v);)
		m->life[v & 3][NB - 1]++; /* never freed in the recording */
	hmap_fini(&at);
	free(txt);
}

/* Same quantities from the generated stream; lifetimes of blocks allocated before `half`. */
static void derive_from_gen(const struct evbuf *b, struct mixlife *m, u64 half)
{
	struct hmap at;
	cr_assert_eq(hmap_init(&at, 1 << 16), 0);
	memset(m, 0, sizeof(*m));
	for (u64 step = 0; step < b->n; step++) {
		const struct mm_event *e = &b->ev[step];
		u64 v;
		if (e->kind == MME_PAGE_ALLOC) {
			cr_assert(e->order < MAXO && e->mt >= 0 && e->mt < 3);
			cr_assert(!hmap_get(&at, e->addr, NULL), "pfn token allocated twice while live");
			m->mix[e->order][e->mt]++;
			m->allocs++;
			cr_assert_geq(hmap_put(&at, e->addr, step << 8 | (u64)e->mt << 4 | e->order), 0);
		} else {
			cr_assert_eq(e->kind, MME_PAGE_FREE);
			cr_assert(hmap_del(&at, e->addr, &v), "free of a pfn that is not live");
			cr_assert_eq(e->order, v & 15, "freed with another order than allocated");
			if ((v >> 8) < half)
				m->life[(v >> 4) & 3][bucket(step - (v >> 8))]++;
		}
	}
	for (u64 pos = 0, v; hmap_next(&at, &pos, NULL, &v);)
		if ((v >> 8) < half)
			m->life[(v >> 4) & 3][NB - 1]++;
	hmap_fini(&at);
}

static void close_to(u64 got, u64 gn, u64 want, u64 wn, const char *what, int a, int b)
{
	double p = (double)want / (double)wn, q = (double)got / (double)gn;
	double tol = 5 * sqrt(p * (1 - p) / (double)gn) + 0.004;
	cr_assert(fabs(p - q) <= tol, "%s [%d][%d]: generated %.4f, trace %.4f (tolerance %.4f)", what, a, b,
		  q, p, tol);
}

Test(gen_aging, follows_k_threads2, .timeout = 120)
{
	static struct mixlife tr, ge;
	derive_from_trace(&tr);
	/* shared/traces/README.md: 56554 mm_page_alloc events, none failed */
	cr_assert_eq(tr.allocs, 56554);

	struct evbuf b = {0};
	struct gen_params p;
	gen_params_default(&p);
	p.seed = 11;
	p.loops = 200000;
	cr_assert_eq(evbuf_gen(&b, "buddy_aging", &p), 0);
	derive_from_gen(&b, &ge, b.n / 2);
	cr_assert_eq(ge.allocs, 200000);
	for (int o = 0; o < MAXO; o++)
		for (int mt = 0; mt < 3; mt++) {
			if (!tr.mix[o][mt])
				cr_assert_eq(ge.mix[o][mt], 0, "order %d mt %d never happens in the trace", o,
					     mt);
			else
				close_to(ge.mix[o][mt], ge.allocs, tr.mix[o][mt], tr.allocs, "mix", o, mt);
		}
	for (int mt = 0; mt < 2; mt++) {
		u64 tn = 0, gn = 0;
		for (int k = 0; k < NB; k++) {
			tn += tr.life[mt][k];
			gn += ge.life[mt][k];
		}
		cr_assert_gt(gn, 10000);
		for (int k = 0; k < NB; k++)
			close_to(ge.life[mt][k], gn, tr.life[mt][k], tn, "lifetime", mt, k);
	}
	evbuf_fini(&b);
}

Test(gen_aging, drain_frees_everything)
{
	struct evbuf b = {0};
	struct gen_params p;
	gen_params_default(&p);
	p.loops = 20000;
	p.drain = true;
	cr_assert_eq(evbuf_gen(&b, "buddy_aging", &p), 0);
	struct mixlife m;
	derive_from_gen(&b, &m, 0);
	cr_assert_eq(b.n, 40000, "every allocation is freed once");
	p.drain = false;
	cr_assert_eq(evbuf_gen(&b, "buddy_aging", &p), 0);
	cr_assert_lt(b.n, 40000, "without --drain long-lived blocks stay allocated");
	cr_assert_eq(b.ev[b.n - 1].kind, MME_PAGE_ALLOC, "the run stops at the last allocation");
	evbuf_fini(&b);
}

/* The stream replays cleanly through the real page replay in placement mode (the mode its pfn
 * tokens are meant for): every free pairs with its allocation, nothing fails on a 4 GiB zone,
 * and with --drain the zone ends whole again. */
Test(gen_aging, replays_in_placement_mode)
{
	struct evbuf b = {0};
	struct gen_params p;
	gen_params_default(&p);
	p.loops = 50000;
	p.drain = true;
	cr_assert_eq(evbuf_gen(&b, "buddy_aging", &p), 0);
	for (const struct buddy_policy_ops *const *pol = buddy_policies; *pol; pol++) {
		struct buddy bd;
		struct buddy_cfg cfg = {0x100000, 1 << 20, BUDDY_DEFAULT_MAX_ORDER, *pol};
		struct pagereplay r;
		cr_assert_eq(buddy_init(&bd, &cfg), 0);
		cr_assert_eq(pagereplay_init(&r, &bd, PAGEREPLAY_PLACEMENT), 0);
		for (size_t i = 0; i < b.n; i++)
			cr_assert_eq(pagereplay_event(&r, &b.ev[i]), 0);
		cr_assert_eq(r.st.allocs, 50000, "%s", (*pol)->name);
		cr_assert_eq(r.st.frees, 50000);
		cr_assert_eq(r.st.alloc_failures + r.st.unmatched_frees + r.st.order_mismatches +
				     r.st.implicit_frees,
			     0);
		cr_assert_eq(bd.free_pages, 1 << 20, "%s: every page back after the drain", (*pol)->name);
		cr_assert_eq(buddy_check(&bd, NULL, 0), 0);
		pagereplay_fini(&r);
		buddy_fini(&bd);
	}
	evbuf_fini(&b);
}
