/* spans against a plain sorted array on random inserts and removes: the same members in the same
 * order, spans_above and spans_rank as a linear search finds them, removal ranks, rejected
 * overlaps, and the chunk invariants (inner max gap, sizes, no empty chunk) after every step. */
#include <criterion/criterion.h>
#include <errno.h>

#include "core/lib/rng.h"
#include "core/lib/spans.h"

#define NREF 6000

struct sref {
	u64 start[NREF], end[NREF];
	u64 n;
};

static u64 sref_above(const struct sref *r, u64 x)
{
	u64 i = 0;
	while (i < r->n && r->end[i] <= x)
		i++;
	return i;
}

static bool sref_overlaps(const struct sref *r, u64 s, u64 e)
{
	for (u64 i = 0; i < r->n; i++)
		if (r->start[i] < e && s < r->end[i])
			return true;
	return false;
}

static void same(const struct spans *s, const struct sref *r)
{
	cr_assert_eq(spans_check(s), 0);
	cr_assert_eq(s->count, r->n);
	u64 k = 0;
	for (u32 c = 0; c < s->nr; c++)
		for (u32 i = 0; i < s->c[c].n; i++, k++) {
			cr_assert_eq(s->c[c].start[i], r->start[k]);
			cr_assert_eq(s->c[c].end[i], r->end[k]);
		}
}

static void run(u64 seed, u64 slots, long steps, u64 min_chunks)
{
	static struct sref r;
	struct spans s;
	struct rng g;
	rng_seed(&g, seed);
	spans_init(&s);
	r.n = 0;
	u64 max_chunks = 0;
	for (long step = 0; step < steps; step++) {
		/* fill for a while, then drain, so chunks split and merge */
		bool filling = (step / 4000) % 2 == 0;
		u64 k = rng_below(&g, 100);
		if (k < (filling ? 65u : 30u)) {
			u64 st = rng_below(&g, slots) * 16, e = st + 1 + rng_below(&g, 40);
			bool ov = sref_overlaps(&r, st, e);
			int ret = spans_insert(&s, st, e);
			if (ov || r.n == NREF) {
				cr_assert_eq(ret, ov ? -EINVAL : 0);
				if (!ret)
					cr_assert_eq(spans_remove(&s, st, NULL, NULL), 0);
			} else {
				cr_assert_eq(ret, 0);
				u64 i = sref_above(&r, st);
				memmove(&r.start[i + 1], &r.start[i], (r.n - i) * sizeof(u64));
				memmove(&r.end[i + 1], &r.end[i], (r.n - i) * sizeof(u64));
				r.start[i] = st;
				r.end[i] = e;
				r.n++;
			}
		} else if (r.n && k < 97) {
			u64 i = rng_below(&g, r.n), end = 0, rank = 0;
			cr_assert_eq(spans_remove(&s, r.start[i], &end, &rank), 0);
			cr_assert_eq(end, r.end[i]);
			cr_assert_eq(rank, i);
			memmove(&r.start[i], &r.start[i + 1], (r.n - i - 1) * sizeof(u64));
			memmove(&r.end[i], &r.end[i + 1], (r.n - i - 1) * sizeof(u64));
			r.n--;
		} else {
			u64 x = rng_below(&g, slots * 16 + 64);
			struct spans_pos p = spans_above(&s, x);
			u64 i = sref_above(&r, x);
			cr_assert_eq(spans_rank(&s, p), i);
			if (i < r.n)
				cr_assert_eq(s.c[p.c].start[p.i], r.start[i]);
			else
				cr_assert_eq(p.c, s.nr);
			bool member = i < r.n && r.start[i] == x;
			if (!member)
				cr_assert_eq(spans_remove(&s, x, NULL, NULL), -ENOENT);
		}
		max_chunks = MM_MAX(max_chunks, s.nr);
		if (step % 50 == 0)
			same(&s, &r);
	}
	same(&s, &r);
	cr_assert_geq(max_chunks, min_chunks, "the workload must spread over several chunks");
	spans_fini(&s);
}

Test(spans, matches_sorted_array)
{
	for (u64 seed = 1; seed <= 4; seed++)
		run(seed, 4000, 20000, 16);
}

Test(spans, dense_slots_merge_and_split)
{
	run(9, 700, 20000, 4); /* few free slots: many rejected overlaps, full chunks */
}
