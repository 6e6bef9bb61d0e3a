/* Generators: determinism (library and CLI), and the test_vmalloc cases checked event by event
 * against the module's code (lib/test_vmalloc.c, kernel-facts.md): counts, sizes, alignments,
 * live areas, and that every free names a live token. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/evbuf.h"
#include "workloads/gen/gen.h"
#include "core/lib/hmap.h"
#include "tests/info_csv.h"
#include "tests/spawn_cmd.h"
#include "workloads/trace/trace_native.h"
#include "tests/zst_slurp.h"

#define VSTART 0xffffc90000000000ULL
#define VEND 0xffffe8ffffffffffULL
#define PG 4096ULL

static const char *const required[] = {"fix_size",   "full_fit",	  "long_busy_list", "random_size",
				       "fix_align",  "random_size_align", "align_shift",    "buddy_aging",
				       "mmap_churn", "kmap_copy",	  "kmap_hot",	    "drivers"};

Test(gen, registry_has_every_workload)
{
	for (size_t i = 0; i < MM_ARRAY_SIZE(required); i++) {
		const struct gen_ops *g = gen_find(required[i]);
		cr_assert(g, "%s missing", required[i]);
		cr_assert_str_eq(g->name, required[i]);
		cr_assert(g->desc && *g->desc && g->params && g->run);
	}
	cr_assert_null(gen_find("nope"));
}

/* The native bytes of one run. */
static char *gen_bytes(const struct gen_ops *g, const struct gen_params *p, size_t *len, u64 *n)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	cr_assert(f);
	cr_assert_eq(gen_write_native(g, p, f, n), 0, "%s", g->name);
	fclose(f);
	return buf;
}

static void small_params(const struct gen_ops *g, struct gen_params *p, u64 seed)
{
	gen_params_default(p);
	p->seed = seed;
	if (g->opts & GEN_OPT_LOOPS)
		p->loops = 3000;
	if (g->opts & GEN_OPT_THREADS)
		p->threads = 2; /* the scheduler makes even the fixed cases seed-dependent */
	if (g->opts & GEN_OPT_MASK)
		p->mask = 1 | 8 | 32 | 64; /* the big setups are covered by their own generators */
	if (g->opts & GEN_OPT_CPUS)
		p->cpus = 1; /* full_fit's smallest junk_length */
}

Test(gen, same_seed_same_bytes_and_header)
{
	for (const struct gen_ops *const *g = gen_registry; *g; g++) {
		struct gen_params p;
		small_params(*g, &p, 42);
		size_t la, lb;
		u64 na, nb;
		char *a = gen_bytes(*g, &p, &la, &na), *b = gen_bytes(*g, &p, &lb, &nb);
		cr_assert(na > 0, "%s wrote nothing", (*g)->name);
		cr_assert_eq(la, TRACE_NATIVE_HDR_SIZE + 64 * na, "%s", (*g)->name);
		cr_assert_eq(la, lb);
		cr_assert_eq(memcmp(a, b, la), 0, "%s: same seed, different bytes", (*g)->name);
		struct trace_native_hdr h;
		memcpy(&h, a, sizeof(h));
		cr_assert_eq(memcmp(h.magic, "MMRTRACE", 8), 0);
		cr_assert_eq(h.version, TRACE_NATIVE_VERSION);
		cr_assert_eq(h.record_size, 64);
		/* synthetic time: strictly increasing */
		u64 prev = 0;
		for (u64 i = 0; i < na; i++) {
			struct mm_event ev;
			memcpy(&ev, a + TRACE_NATIVE_HDR_SIZE + 64 * i, sizeof(ev));
			cr_assert_gt(ev.ts_ns, prev, "%s: event %llu", (*g)->name, (unsigned long long)i);
			cr_assert(ev.kind > MME_NONE && ev.kind < MME_NR_KINDS);
			prev = ev.ts_ns;
		}
		free(a);
		free(b);
	}
}

Test(gen, different_seed_different_bytes)
{
	for (const struct gen_ops *const *g = gen_registry; *g; g++) {
		struct gen_params p1, p2;
		small_params(*g, &p1, 1);
		small_params(*g, &p2, 2);
		size_t la, lb;
		u64 na, nb;
		char *a = gen_bytes(*g, &p1, &la, &na), *b = gen_bytes(*g, &p2, &lb, &nb);
		cr_assert(la != lb || memcmp(a, b, la), "%s: seeds 1 and 2 gave the same trace", (*g)->name);
		free(a);
		free(b);
	}
}

/* exit status of mmreplay gen ARGS... */
#define run_cli(...) MMR_STATUS(NULL, "gen", __VA_ARGS__)

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "%s", path);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	char *buf = malloc(*len + 1);
	cr_assert_eq(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

/* Two processes (different pids, different times) write the same bytes; nothing else is left. */
Test(gen, cli_reproducible_atomic_and_strict)
{
	char dir[] = "/tmp/mmreplay_gen_XXXXXX", a[128], b[128];
	cr_assert(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a.bin", dir);
	snprintf(b, sizeof(b), "%s/sub/b.bin", dir);
	cr_assert_eq(run_cli("random_size", "--seed", "7", "--loops", "1000", "--out", a), 0);
	/* --out creates only the last part of its path: a missing parent is refused, nothing made */
	cr_assert_eq(run_cli("random_size", "--seed", "7", "--loops", "1000", "--out", b), 2);
	snprintf(b, sizeof(b), "%s/sub", dir);
	cr_assert_neq(access(b, F_OK), 0, "a refused --out created its parent");
	cr_assert_eq(mkdir(b, 0700), 0);
	snprintf(b, sizeof(b), "%s/sub/b.bin", dir);
	cr_assert_eq(run_cli("random_size", "--seed", "7", "--loops", "1000", "--out", b), 0);
	size_t la, lb;
	char *x = slurp(a, &la), *y = slurp(b, &lb);
	cr_assert_eq(la, TRACE_NATIVE_HDR_SIZE + 64 * 2000);
	cr_assert(la == lb && !memcmp(x, y, la));
	free(x);
	free(y);
	if (info_available()) { /* the native reader takes what gen writes */
		cr_assert_eq(info_count(a, "vmap_alloc"), 1000);
		cr_assert_eq(info_count(a, "vmap_free"), 1000);
	}
	cr_assert_neq(SH(NULL, "find \"$1\" -name '*.tmp.*' | grep -q .", dir), 0,
		      "a temporary file was left behind");
	/* strict command line */
	cr_assert_eq(run_cli("no_such_generator", "--out", "/dev/null"), 2);
	cr_assert_eq(run_cli("fix_size", "--mask", "3", "--out", "/dev/null"),
		     2); /* --mask is test_vmalloc's */
	cr_assert_eq(run_cli("align_shift", "--loops", "5", "--out", "/dev/null"),
		     2); /* align_shift has no loops */
	cr_assert_eq(run_cli("mmap_churn", "--threads", "2", "--out", "/dev/null"), 2);
	cr_assert_eq(run_cli("fix_size", "--loops", "12x", "--out", "/dev/null"), 2);
	cr_assert_eq(run_cli("test_vmalloc", "--mask", "128", "--out", "/dev/null"), 2);
	cr_assert_eq(SPAWN_STATUS(NULL, "rm", "-rf", dir), 0);
}

/* Generic checks of a vmap trace; per-pid counts in the arrays (pid - 1000 < 64). */
struct vm_check {
	u64 allocs, frees, live, max_live;
	u64 pid_allocs[64], pid_frees[64], pid_live[64], pid_max_live[64];
	bool interleaved; /* two consecutive events from different pids */
};

static void vm_check(const struct evbuf *b, bool guard, struct vm_check *c)
{
	struct hmap live, seen;
	memset(c, 0, sizeof(*c));
	cr_assert_eq(hmap_init(&live, 1024), 0);
	cr_assert_eq(hmap_init(&seen, 1024), 0);
	for (size_t i = 0; i < b->n; i++) {
		const struct mm_event *e = &b->ev[i];
		cr_assert(e->pid >= 1000 && e->pid < 1064, "pid %u", e->pid);
		unsigned t = e->pid - 1000;
		if (i && e->pid != b->ev[i - 1].pid)
			c->interleaved = true;
		if (e->kind == MME_VMAP_ALLOC) {
			cr_assert_eq(e->addr2, VSTART);
			cr_assert_eq(e->len2, VEND);
			cr_assert_eq(e->flags, 0);
			cr_assert(e->addr != 0 && e->addr != VEND);
			cr_assert(e->len % PG == 0 && e->len >= (guard ? 2 : 1) * PG, "size %llu",
				  (unsigned long long)e->len);
			cr_assert(e->aux && !(e->aux & (e->aux - 1)), "align %llu is not a power of two",
				  (unsigned long long)e->aux);
			cr_assert(!hmap_get(&seen, e->addr, NULL), "token reused");
			cr_assert_geq(hmap_put(&seen, e->addr, 1), 0);
			cr_assert_geq(hmap_put(&live, e->addr, t), 0);
			c->allocs++;
			c->pid_allocs[t]++;
			c->live++;
			c->pid_live[t]++;
			c->max_live = MM_MAX(c->max_live, c->live);
			c->pid_max_live[t] = MM_MAX(c->pid_max_live[t], c->pid_live[t]);
		} else {
			cr_assert_eq(e->kind, MME_VMAP_FREE);
			u64 owner;
			cr_assert(hmap_del(&live, e->addr, &owner),
				  "event %zu frees a token that is not live", i);
			cr_assert_eq(owner, t, "a worker freed another worker's area");
			c->frees++;
			c->pid_frees[t]++;
			c->live--;
			c->pid_live[t]--;
		}
	}
	cr_assert_eq(c->live, 0, "every test case frees what it allocated");
	hmap_fini(&live);
	hmap_fini(&seen);
}

static void vm_params(struct gen_params *p, u64 loops)
{
	gen_params_default(p);
	p->loops = loops;
}

Test(gen_vmalloc, fix_size_pairs_and_guard)
{
	struct evbuf b = {0};
	struct gen_params p;
	vm_params(&p, 5000);
	p.nr_pages = 3;
	cr_assert_eq(evbuf_gen(&b, "fix_size", &p), 0);
	struct vm_check c;
	vm_check(&b, true, &c);
	cr_assert_eq(b.n, 10000);
	cr_assert_eq(c.max_live, 1);
	for (size_t i = 0; i < b.n; i += 2) {
		cr_assert_eq(b.ev[i].kind, MME_VMAP_ALLOC);
		cr_assert_eq(b.ev[i].len, 3 * PG + PG); /* vmalloc(3 pages) + guard */
		cr_assert_eq(b.ev[i].aux, 1);		/* plain vmalloc() asks for align 1 */
		cr_assert_eq(b.ev[i + 1].addr, b.ev[i].addr);
	}
	p.guard = false;
	struct evbuf nb = {0};
	cr_assert_eq(evbuf_gen(&nb, "fix_size", &p), 0);
	cr_assert_eq(nb.n, b.n);
	for (size_t i = 0; i < b.n; i += 2)
		cr_assert_eq(nb.ev[i].len, 3 * PG);
	evbuf_fini(&b);
	evbuf_fini(&nb);
}

Test(gen_vmalloc, full_fit_fills_then_reuses_holes)
{
	struct evbuf b = {0};
	struct gen_params p;
	for (u32 cpus = 1; cpus <= 4; cpus *= 4) {
		vm_params(&p, 1000);
		p.cpus = cpus;
		cr_assert_eq(evbuf_gen(&b, "full_fit", &p), 0);
		struct vm_check c;
		vm_check(&b, true, &c);
		u64 fls = cpus == 1 ? 1 : 3;	   /* fls(4) */
		u64 jl = fls * (32ULL << 20) / PG; /* junk_length */
		cr_assert_eq(c.allocs, 2 + 2 * jl + 1000);
		cr_assert_eq(c.max_live, 2 + 2 * jl);
		/* the two pointer arrays: vmalloc(8 * jl) */
		cr_assert_eq(b.ev[0].len, (8 * jl + PG - 1) / PG * PG + PG);
		cr_assert_eq(b.ev[1].len, b.ev[0].len);
		/* the loop runs with jl + 2 areas live: the holes are between them */
		size_t loop0 = 2 + 2 * jl + jl;
		cr_assert_eq(b.ev[loop0 - 1].kind, MME_VMAP_FREE);
		cr_assert_eq(b.ev[loop0].kind, MME_VMAP_ALLOC);
		cr_assert_eq(b.ev[loop0].len, 2 * PG);
	}
	evbuf_fini(&b);
}

Test(gen_vmalloc, long_busy_list_keeps_15000_areas)
{
	struct evbuf b = {0};
	struct gen_params p;
	vm_params(&p, 2000);
	cr_assert_eq(evbuf_gen(&b, "long_busy_list", &p), 0);
	struct vm_check c;
	vm_check(&b, true, &c);
	cr_assert_eq(c.allocs, 1 + 15000 + 2 * 2000);
	cr_assert_eq(c.max_live, 1 + 15000 + 2);
	u64 live1 = 0, big = 0;
	for (size_t i = 0; i < b.n; i++) {
		const struct mm_event *e = &b.ev[i];
		if (e->kind != MME_VMAP_ALLOC)
			continue;
		if (e->len == 101 * PG) { /* vmalloc(100 pages): 15000 one-page areas are live */
			cr_assert_eq(live1, 15000);
			big++;
		} else if (e->len == 2 * PG && !big) {
			live1++;
		}
	}
	cr_assert_eq(big, 2000);
	evbuf_fini(&b);
}

Test(gen_vmalloc, random_size_is_uniform_1_to_100_pages)
{
	struct evbuf b = {0};
	struct gen_params p;
	vm_params(&p, 40000);
	cr_assert_eq(evbuf_gen(&b, "random_size", &p), 0);
	struct vm_check c;
	vm_check(&b, true, &c);
	u64 seen[101] = {0}, sum = 0;
	for (size_t i = 0; i < b.n; i += 2) {
		u64 pages = b.ev[i].len / PG - 1;
		cr_assert(pages >= 1 && pages <= 100);
		seen[pages]++;
		sum += pages;
	}
	for (int i = 1; i <= 100; i++)
		cr_assert_gt(seen[i], 250, "size %d pages: %llu of 40000", i, (unsigned long long)seen[i]);
	double mean = (double)sum / 40000.0; /* 50.5, sd of the mean 0.14 */
	cr_assert(mean > 49.8 && mean < 51.2, "mean %f", mean);
	evbuf_fini(&b);
}

Test(gen_vmalloc, fix_align_thread_align_twice)
{
	struct evbuf b = {0};
	struct gen_params p;
	vm_params(&p, 1000);
	cr_assert_eq(evbuf_gen(&b, "fix_align", &p), 0);
	struct vm_check c;
	vm_check(&b, true, &c);
	for (size_t i = 0; i < b.n; i += 2) {
		cr_assert_eq(b.ev[i].aux, 2 * 16384); /* THREAD_ALIGN << 1, THREAD_SIZE 16 KiB */
		cr_assert_eq(b.ev[i].len, 6 * PG);
	}
	evbuf_fini(&b);
}

/* align = 1 << (rnd % 23), pages = rnd % 10 + 1 from the same byte rnd. */
Test(gen_vmalloc, random_size_align_from_one_byte)
{
	struct evbuf b = {0};
	struct gen_params p;
	vm_params(&p, 20000);
	cr_assert_eq(evbuf_gen(&b, "random_size_align", &p), 0);
	struct vm_check c;
	vm_check(&b, true, &c);
	u64 shifts = 0;
	for (size_t i = 0; i < b.n; i += 2) {
		u64 align = b.ev[i].aux, pages = b.ev[i].len / PG - 1;
		unsigned sh = (unsigned)__builtin_ctzll(align);
		cr_assert_leq(sh, 22);
		shifts |= 1ULL << sh;
		bool ok = false;
		for (unsigned rnd = 0; rnd < 256 && !ok; rnd++)
			ok = rnd % 23 == sh && rnd % 10 + 1 == pages;
		cr_assert(ok, "align %llu with %llu pages comes from no byte", (unsigned long long)align,
			  (unsigned long long)pages);
	}
	cr_assert_eq(shifts, (1ULL << 23) - 1, "every shift 0..22 occurs");
	evbuf_fini(&b);
}

Test(gen_vmalloc, align_shift_all_64_requests)
{
	struct evbuf b = {0};
	struct gen_params p;
	gen_params_default(&p);
	cr_assert_eq(evbuf_gen(&b, "align_shift", &p), 0);
	struct vm_check c;
	vm_check(&b, true, &c);
	cr_assert_eq(b.n, 128);
	for (unsigned i = 0; i < 64; i++) {
		cr_assert_eq(b.ev[2 * i].aux, 1ULL << i);
		cr_assert_eq(b.ev[2 * i].len, 2 * PG);
	}
	evbuf_fini(&b);
}

Test(gen_vmalloc, workers_interleave_and_keep_their_own_areas)
{
	struct evbuf b = {0};
	struct gen_params p;
	vm_params(&p, 2000);
	p.threads = 4;
	p.cpus = 2;
	cr_assert_eq(evbuf_gen(&b, "fix_size", &p), 0);
	struct vm_check c;
	vm_check(&b, true, &c);
	cr_assert(c.interleaved);
	cr_assert_gt(c.max_live, 1, "workers never overlapped");
	for (unsigned t = 0; t < 4; t++) {
		cr_assert_eq(c.pid_allocs[t], 2000);
		cr_assert_eq(c.pid_max_live[t], 1);
	}
	for (size_t i = 0; i < b.n; i++)
		cr_assert_eq(b.ev[i].cpu, (b.ev[i].pid - 1000) % 2);
	evbuf_fini(&b);
}

/* The module run: every worker runs every masked case test_repeat_count times. */
Test(gen_vmalloc, test_vmalloc_runs_each_masked_case)
{
	struct evbuf b = {0};
	struct gen_params p;
	struct vm_check c;
	const u64 L = 300, jl = 8192; /* junk_length with one CPU */
	vm_params(&p, L);
	p.threads = 2;
	p.cpus = 1;
	cr_assert_eq(evbuf_gen(&b, "test_vmalloc", &p), 0); /* default mask: all seven cases */
	vm_check(&b, true, &c);
	/* fix_size, full_fit, long_busy_list, random_size, fix_align, random_size_align, align_shift */
	u64 per_run = L + (2 + 2 * jl + L) + (1 + 15000 + 2 * L) + L + L + L + 64;
	cr_assert_eq(c.pid_allocs[0], per_run);
	cr_assert_eq(c.pid_allocs[1], per_run);
	for (int sequential = 0; sequential < 2; sequential++) {
		p.threads = 3;
		p.repeat = 2;
		p.sequential = sequential;
		p.mask = 1 | 64; /* fix_size + align_shift */
		cr_assert_eq(evbuf_gen(&b, "test_vmalloc", &p), 0);
		vm_check(&b, true, &c);
		for (unsigned t = 0; t < 3; t++)
			cr_assert_eq(c.pid_allocs[t], 2 * (L + 64));
		if (!sequential)
			continue;
		/* in index order, repeats first: 2L fix_size allocations (align 1), then align_shift's
		 * 1 << 0, 1 << 1, ... twice */
		u64 nth[3] = {0};
		for (size_t i = 0; i < b.n; i++) {
			const struct mm_event *e = &b.ev[i];
			if (e->kind != MME_VMAP_ALLOC)
				continue;
			u64 k = nth[e->pid - 1000]++;
			cr_assert_eq(e->aux, k < 2 * L ? 1 : 1ULL << ((k - 2 * L) % 64));
		}
	}
	p.mask = 128; /* pcpu_alloc_test is not a vmap-area workload */
	cr_assert_eq(gen_test_vmalloc.run(&p, evbuf_emit, &b), -EINVAL);
	evbuf_fini(&b);
}

/* The guard convention against the kernel's own output: k_threads2's thread stacks are
 * THREAD_SIZE (16 KiB) vmallocs, and every alloc_vmap_area there says how big the traced request
 * is. fix_size with 4 pages must print the same size by default, and 16 KiB with --no-guard. */
Test(gen_vmalloc, guard_matches_the_traced_kernel)
{
	size_t len;
	char *txt = zst_slurp(MMREPLAY_DATA_DIR "/traces/k_threads2.perf.txt.zst", &len);
	u64 traced = 0, n = 0;
	for (char *p = txt, *eol; p < txt + len; p = eol + 1) {
		/* line by line: a sanitizer's strstr would rescan the whole text on every call */
		eol = memchr(p, '\n', (size_t)(txt + len - p));
		if (!eol)
			eol = txt + len;
		*eol = 0;
		if (!strstr(p, " vmalloc:alloc_vmap_area: "))
			continue;
		char *sz = strstr(p, " size=");
		cr_assert(sz);
		u64 v = strtoull(sz + 6, NULL, 10);
		cr_assert(!traced || v == traced, "the stacks have one size");
		traced = v;
		n++;
	}
	free(txt);
	cr_assert_eq(n, 9653); /* shared/traces/README.md */
	struct evbuf b = {0};
	struct gen_params p;
	vm_params(&p, 1);
	p.nr_pages = 16384 / PG;
	cr_assert_eq(evbuf_gen(&b, "fix_size", &p), 0);
	cr_assert_eq(b.ev[0].len, traced);
	p.guard = false;
	cr_assert_eq(evbuf_gen(&b, "fix_size", &p), 0);
	cr_assert_eq(b.ev[0].len, 16384);
	p.loops = GEN_MAX_LOOPS + 1;
	cr_assert_eq(evbuf_gen(&b, "fix_size", &p), -EINVAL);
	evbuf_fini(&b);
}
