/* bench_gen: how fast each generator produces events (no I/O: a counting sink), as CSV on
 * stdout. usage: bench_gen [NAME...] (default: every generator, default parameters). */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "gen.h"

struct bench_sink {
	u64 n;
	u64 sum; /* folds every record so the work cannot be optimised away */
};

static int bench_sink_emit(void *ctx, const struct mm_event *ev)
{
	struct bench_sink *s = ctx;
	s->n++;
	s->sum += ev->addr ^ ev->len ^ ev->kind;
	return 0;
}

static int bench_one(const struct gen_ops *g)
{
	struct gen_params p;
	gen_params_default(&p);
	struct bench_sink s = {0};
	u64 t0 = clock_ns();
	int err = g->run(&p, bench_sink_emit, &s);
	u64 dt = clock_ns() - t0;
	if (err) {
		fprintf(stderr, "bench_gen: %s: %s\n", g->name, strerror(-err));
		return 1;
	}
	printf("%s,%llu,%llu,%.3f,%llx\n", g->name, (unsigned long long)s.n, (unsigned long long)dt,
	       dt ? (double)s.n * 1e3 / (double)dt : 0.0, (unsigned long long)(s.sum & 0xffff));
	return 0;
}

int main(int argc, char **argv)
{
	int bad = 0;
	printf("generator,events,elapsed_ns,mevents_per_s,checksum\n");
	if (argc < 2) {
		for (const struct gen_ops *const *g = gen_registry; *g; g++)
			bad |= bench_one(*g);
		return bad;
	}
	for (int i = 1; i < argc; i++) {
		const struct gen_ops *g = gen_find(argv[i]);
		if (!g) {
			fprintf(stderr, "bench_gen: unknown generator '%s'\n", argv[i]);
			return 2;
		}
		bad |= bench_one(g);
	}
	return bad;
}
