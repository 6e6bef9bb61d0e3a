/* lib/test_vmalloc.c as traces: each case's vmalloc()/__vmalloc_node()/vfree() calls become
 * MME_VMAP_ALLOC / MME_VMAP_FREE events as the kernel's alloc_vmap_area and
 * free_vmap_area_noflush tracepoints would show them. Every worker thread is a small state
 * machine that yields one event per step; a seeded scheduler interleaves the threads event by
 * event, so concurrent workers overlap the way kthreads on several CPUs do.
 *
 * Addresses: a generator cannot know where a model will place an area, so va_start is a token
 * (thread id + 1) << 40 | per-thread counter, unique in the trace, repeated by the area's free.
 * A replay pairs the free with the model's address through it. */
#include <errno.h>
#include <stdlib.h>

#include "workloads/gen/gen.h"
#include "core/lib/rng.h"

/* x86-64 VMALLOC_START and VMALLOC_END as alloc_vmap_area prints them (vend is the last byte). */
#define TV_VSTART 0xffffc90000000000ULL
#define TV_VEND 0xffffe8ffffffffffULL
/* x86-64 THREAD_ALIGN = THREAD_SIZE = 16 KiB (KASAN off); fix_align asks for twice that. */
#define TV_THREAD_ALIGN (16384ULL)
#define TV_LONG_BUSY_AREAS 15000u /* the module's */
#define TV_PTR_SIZE 8u		  /* sizeof(void *): the test's pointer arrays are vmalloc'ed too */
#define TV_TS_STEP_NS 1000u	  /* synthetic time between two events */
#define TV_PID_BASE 1000u	  /* worker i has pid TV_PID_BASE + i */
#define TV_MAX_THREADS 65535	  /* the module clamps nr_threads to USHRT_MAX */

enum tv_case {
	TV_FIX_SIZE,
	TV_FULL_FIT,
	TV_LONG_BUSY_LIST,
	TV_RANDOM_SIZE,
	TV_FIX_ALIGN,
	TV_RANDOM_SIZE_ALIGN,
	TV_ALIGN_SHIFT,
	TV_NR_CASES /* run_test_mask bit i selects case i, as in the module */
};

struct tv_env {
	u64 loops;	 /* test_loop_count */
	u32 repeat;	 /* test_repeat_count */
	u64 fix_bytes;	 /* fix_size: nr_pages * PAGE_SIZE */
	u64 junk_length; /* full_fit: fls(cpus) * 32 MiB / PAGE_SIZE */
	u64 guard;	 /* bytes added to every request: PAGE_SIZE or 0 */
	u32 mask;	 /* run_test_mask restricted to TV_NR_CASES bits */
	bool sequential; /* no per-thread shuffle of the case order */
	u32 cpus;
	u64 busy;    /* long_busy_list's live areas */
	bool window; /* long_busy_list: top-down fill in exact slots */
	u64 stride;  /* long_busy_list with window: 2 leaves a free slot below every area */
};

struct tv_thread {
	u32 tid;
	u8 cases[TV_NR_CASES]; /* the cases this worker runs, in its order */
	u8 nr_cases;
	u8 ci;		/* index into cases[] of the running case */
	u32 rep;	/* repeats of cases[ci] finished */
	u32 phase;	/* step of the running case (per-case meaning) */
	u64 i;		/* position inside the phase */
	u64 next_tok;	/* tokens handed out so far by this worker */
	u64 base;	/* token of the first area a setup phase kept live */
	u64 arr[2];	/* tokens of the case's pointer arrays */
	u64 cur[2];	/* tokens live inside one loop iteration */
	struct rng rng; /* the worker's own random stream: content independent of interleaving */
};

static u64 tv_token(struct tv_thread *t)
{
	return (u64)(t->tid + 1) << 40 | ++t->next_tok;
}

/* vmalloc(bytes) -> alloc_vmap_area(PAGE_ALIGN(bytes) + guard, align) */
static u64 tv_alloc(struct tv_thread *t, const struct tv_env *e, struct mm_event *ev, u64 bytes, u64 align)
{
	ev->kind = MME_VMAP_ALLOC;
	ev->addr = tv_token(t);
	ev->len = MM_PAGE_ALIGN(bytes) + e->guard;
	ev->addr2 = TV_VSTART;
	ev->len2 = TV_VEND;
	ev->aux = align;
	return ev->addr;
}

static void tv_free(struct mm_event *ev, u64 tok)
{
	ev->kind = MME_VMAP_FREE;
	ev->addr = tok;
	ev->len2 = 0; /* nr_lazy and nr_lazy_max belong to the model: not logged */
	ev->aux = 0;
}

/* A loop of `loops` iterations of { alloc; free }: fix_size, random_size, fix_align,
 * random_size_align. */
static bool tv_step_pairs(struct tv_thread *t, const struct tv_env *e, struct mm_event *ev, enum tv_case c)
{
	if (t->i >= 2 * e->loops)
		return false;
	if (t->i++ & 1) {
		tv_free(ev, t->cur[0]);
		return true;
	}
	u64 bytes = MM_PAGE_SIZE, align = 1, rnd;
	switch (c) {
	case TV_FIX_SIZE:
		bytes = e->fix_bytes;
		break;
	case TV_RANDOM_SIZE:
		bytes = (1 + rng_below(&t->rng, 100)) * MM_PAGE_SIZE; /* 1..100 pages */
		break;
	case TV_FIX_ALIGN:
		bytes = 5 * MM_PAGE_SIZE;
		align = TV_THREAD_ALIGN << 1;
		break;
	case TV_RANDOM_SIZE_ALIGN:
		rnd = rng_next(&t->rng) & 0xff; /* get_random_u8() */
		align = 1ULL << (rnd % 23);
		bytes = (rnd % 10 + 1) * MM_PAGE_SIZE;
		break;
	default:
		break;
	}
	t->cur[0] = tv_alloc(t, e, ev, bytes, align);
	return true;
}

/* ptr, junk = vmalloc(8 * jl) x2; jl x { ptr[i] = vmalloc(1 page); junk[i] = vmalloc(1 page) };
 * free every junk[i]; loops x { vmalloc(1 page); vfree }; free every ptr[i]; free both arrays. */
static bool tv_step_full_fit(struct tv_thread *t, const struct tv_env *e, struct mm_event *ev)
{
	u64 jl = e->junk_length;
	for (;;) {
		switch (t->phase) {
		case 0:
		case 1:
			t->arr[t->phase] = tv_alloc(t, e, ev, TV_PTR_SIZE * jl, 1);
			t->phase++;
			return true;
		case 2:
			if (t->i < 2 * jl) {
				u64 tok = tv_alloc(t, e, ev, MM_PAGE_SIZE, 1);
				if (t->i++ == 0)
					t->base = tok; /* ptr[i] = base + 2i, junk[i] = base + 2i + 1 */
				return true;
			}
			break;
		case 3:
			if (t->i < jl) {
				tv_free(ev, t->base + 2 * t->i++ + 1);
				return true;
			}
			break;
		case 4:
			if (t->i < 2 * e->loops) {
				if (t->i++ & 1)
					tv_free(ev, t->cur[0]);
				else
					t->cur[0] = tv_alloc(t, e, ev, MM_PAGE_SIZE, 1);
				return true;
			}
			break;
		case 5:
			if (t->i < jl) {
				tv_free(ev, t->base + 2 * t->i++);
				return true;
			}
			break;
		case 6:
		case 7:
			tv_free(ev, t->arr[t->phase - 6]);
			t->phase++;
			return true;
		default:
			return false;
		}
		t->phase++;
		t->i = 0;
	}
}

/* One fill area of long_busy_list. The module allocates them bottom-up with the whole space as
 * the window. With window, area i (of busy) is asked for top-down in its exact slot [slot, slot +
 * size) above the pointer array: the same layout (every other slot with stride 2) without the
 * 2.4 list's quadratic fill. This assumes the case runs alone on an empty space. */
static u64 tv_busy_fill(struct tv_thread *t, const struct tv_env *e, struct mm_event *ev, u64 i)
{
	u64 tok = tv_alloc(t, e, ev, MM_PAGE_SIZE, 1);
	if (e->window) {
		u64 size = ev->len, base = TV_VSTART + MM_PAGE_ALIGN(TV_PTR_SIZE * e->busy) + e->guard;
		u64 k = e->busy - 1 - i; /* top-down */
		ev->addr2 = base + (k * e->stride + (e->stride - 1)) * size;
		ev->len2 = ev->addr2 + size;
	}
	return tok;
}

/* ptr = vmalloc(8 * busy); busy x vmalloc(1 page); loops x { a = vmalloc(100 pages);
 * b = vmalloc(1 page); vfree(a); vfree(b) }; free the busy areas and the array. */
static bool tv_step_long_busy_list(struct tv_thread *t, const struct tv_env *e, struct mm_event *ev)
{
	for (;;) {
		switch (t->phase) {
		case 0:
			t->arr[0] = tv_alloc(t, e, ev, TV_PTR_SIZE * e->busy, 1);
			t->phase++;
			return true;
		case 1:
			if (t->i < e->busy) {
				u64 tok = tv_busy_fill(t, e, ev, t->i);
				if (t->i++ == 0)
					t->base = tok; /* ptr[i] = base + i */
				return true;
			}
			break;
		case 2:
			if (t->i < 4 * e->loops) {
				switch (t->i++ & 3) {
				case 0:
					t->cur[0] = tv_alloc(t, e, ev, 100 * MM_PAGE_SIZE, 1);
					break;
				case 1:
					t->cur[1] = tv_alloc(t, e, ev, MM_PAGE_SIZE, 1);
					break;
				case 2:
					tv_free(ev, t->cur[0]);
					break;
				default:
					tv_free(ev, t->cur[1]);
					break;
				}
				return true;
			}
			break;
		case 3:
			if (t->i < e->busy) {
				tv_free(ev, t->base + t->i++);
				return true;
			}
			break;
		case 4:
			tv_free(ev, t->arr[0]);
			t->phase++;
			return true;
		default:
			return false;
		}
		t->phase++;
		t->i = 0;
	}
}

/* 64 x { __vmalloc_node(PAGE_SIZE, 1 << i); vfree }. The kernel stops at the first failure
 * (past the space, around i = 45); the trace keeps every request so a model meets them all. */
static bool tv_step_align_shift(struct tv_thread *t, const struct tv_env *e, struct mm_event *ev)
{
	if (t->i >= 2 * 64)
		return false;
	if (t->i & 1)
		tv_free(ev, t->cur[0]);
	else
		t->cur[0] = tv_alloc(t, e, ev, MM_PAGE_SIZE, 1ULL << (t->i / 2));
	t->i++;
	return true;
}

static bool tv_step_case(struct tv_thread *t, const struct tv_env *e, struct mm_event *ev)
{
	enum tv_case c = t->cases[t->ci];
	switch (c) {
	case TV_FULL_FIT:
		return tv_step_full_fit(t, e, ev);
	case TV_LONG_BUSY_LIST:
		return tv_step_long_busy_list(t, e, ev);
	case TV_ALIGN_SHIFT:
		return tv_step_align_shift(t, e, ev);
	default:
		return tv_step_pairs(t, e, ev, c);
	}
}

/* One event of worker t; false when the worker has run all its cases and repeats. */
static bool tv_step(struct tv_thread *t, const struct tv_env *e, struct mm_event *ev)
{
	while (t->ci < t->nr_cases) {
		if (tv_step_case(t, e, ev))
			return true;
		t->phase = 0;
		t->i = 0;
		if (++t->rep == e->repeat) {
			t->rep = 0;
			t->ci++;
		}
	}
	return false;
}

/* The module's test_func(): cases in index order, or shuffled per worker with
 * j = random_below(i) for i = n-1 .. 1 (shuffle_array), then filtered by the mask. */
static void tv_thread_init(struct tv_thread *t, u32 tid, const struct tv_env *e, u64 seed)
{
	u8 order[TV_NR_CASES];
	*t = (struct tv_thread){.tid = tid};
	rng_seed(&t->rng, seed + 0x9e3779b97f4a7c15ULL * (tid + 1ULL));
	for (int i = 0; i < TV_NR_CASES; i++)
		order[i] = (u8)i;
	if (!e->sequential) {
		for (int i = TV_NR_CASES - 1; i > 0; i--) {
			int j = (int)rng_below(&t->rng, (u64)i);
			u8 tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
	}
	for (int i = 0; i < TV_NR_CASES; i++)
		if (e->mask & (1u << order[i]))
			t->cases[t->nr_cases++] = order[i];
}

static int tv_run(const struct gen_params *p, u32 mask, gen_emit_fn emit, void *ctx)
{
	if (mask & ~((1u << TV_NR_CASES) - 1) || !mask || p->loops > GEN_MAX_LOOPS)
		return -EINVAL;
	struct tv_env e = {
		.loops = p->loops ? p->loops : gen_test_vmalloc.default_loops,
		.repeat = p->repeat ? p->repeat : 1,
		.fix_bytes = (u64)(p->nr_pages ? p->nr_pages : 1) * MM_PAGE_SIZE,
		.guard = p->guard ? MM_PAGE_SIZE : 0,
		.mask = mask,
		.sequential = p->sequential,
		.cpus = p->cpus ? p->cpus : 1,
		.busy = p->busy ? p->busy : TV_LONG_BUSY_AREAS,
		.window = p->window || p->holes,
		.stride = p->holes ? 2 : 1,
	};
	e.junk_length = (u64)mm_fls(e.cpus) * (32ULL * 1024 * 1024 / MM_PAGE_SIZE);
	u32 nthreads = p->threads ? p->threads : 1;
	if (nthreads > TV_MAX_THREADS)
		return -EINVAL;
	struct tv_thread *th = calloc(nthreads, sizeof(*th));
	struct tv_thread **live = calloc(nthreads, sizeof(*live));
	if (!th || !live) {
		free(th);
		free(live);
		return -ENOMEM;
	}
	for (u32 i = 0; i < nthreads; i++) {
		tv_thread_init(&th[i], i, &e, p->seed);
		live[i] = &th[i];
	}
	struct rng sched;
	rng_seed(&sched, p->seed ^ 0x5c4ed01e5c4ed01eULL);
	u32 nlive = nthreads;
	u64 ts = 0;
	int err = 0;
	while (nlive && !err) {
		u32 k = nlive > 1 ? (u32)rng_below(&sched, nlive) : 0;
		struct tv_thread *t = live[k];
		struct mm_event ev = {0};
		if (!tv_step(t, &e, &ev)) {
			live[k] = live[--nlive];
			continue;
		}
		ev.mt = -1;
		ev.pid = TV_PID_BASE + t->tid;
		ev.cpu = (u16)(t->tid % e.cpus);
		ev.ts_ns = ts += TV_TS_STEP_NS;
		err = emit(ctx, &ev);
	}
	free(th);
	free(live);
	return err;
}

static int tv_run_mask(const struct gen_params *p, gen_emit_fn emit, void *ctx)
{
	return tv_run(p, p->mask ? p->mask : (1u << TV_NR_CASES) - 1, emit, ctx);
}

#define TV_LOOPS_DEFAULT 100000 /* the module's 1000000 / 10: each case runs well under a second */
#define TV_LOOPS_PARAM "--loops N (test_loop_count; default 100000, the module's is 1000000), "
#define TV_COMMON_PARAMS                                                                                     \
	"--repeat N (test_repeat_count, 1), --threads N (nr_threads, 1), --cpus N (2), --guard|--no-guard"
#define TV_COMMON_OPTS (GEN_OPT_REPEAT | GEN_OPT_THREADS | GEN_OPT_CPUS | GEN_OPT_GUARD)

#define TV_CASE(id, cname, description, params_, opts_)                                                      \
	static int tv_run_##cname(const struct gen_params *p, gen_emit_fn emit, void *ctx)                   \
	{                                                                                                    \
		return tv_run(p, 1u << (id), emit, ctx);                                                     \
	}                                                                                                    \
	const struct gen_ops gen_##cname = {                                                                 \
		.name = #cname,                                                                              \
		.desc = description,                                                                         \
		.params = params_,                                                                           \
		.opts = TV_COMMON_OPTS | (opts_),                                                            \
		.default_loops = TV_LOOPS_DEFAULT,                                                           \
		.run = tv_run_##cname,                                                                       \
	}

TV_CASE(TV_FIX_SIZE, fix_size,
	"test_vmalloc fix_size_alloc_test: vmalloc(nr_pages pages) + vfree, loops times",
	TV_LOOPS_PARAM TV_COMMON_PARAMS ", --nr-pages N (nr_pages, 1)", GEN_OPT_LOOPS | GEN_OPT_NR_PAGES);
TV_CASE(TV_FULL_FIT, full_fit,
	"test_vmalloc full_fit_alloc_test: fls(cpus)*32 MiB of 1-page areas with junk between, junk freed, "
	"then 1-page alloc/free into the holes",
	TV_LOOPS_PARAM TV_COMMON_PARAMS, GEN_OPT_LOOPS);
TV_CASE(TV_LONG_BUSY_LIST, long_busy_list,
	"test_vmalloc long_busy_list_alloc_test: 15000 live 1-page areas, then loops x (100 pages, 1 page, "
	"free both)",
	TV_LOOPS_PARAM TV_COMMON_PARAMS
	", --busy N (live areas, 15000), --window (fill top-down in exact "
	"slots: the same layout, fast on any vmlist; the case alone on an empty "
	"space), --holes (a free slot below every live area; implies --window)",
	GEN_OPT_LOOPS | GEN_OPT_BUSY);
TV_CASE(TV_RANDOM_SIZE, random_size, "test_vmalloc random_size_alloc_test: vmalloc(1..100 pages) + vfree",
	TV_LOOPS_PARAM TV_COMMON_PARAMS, GEN_OPT_LOOPS);
TV_CASE(TV_FIX_ALIGN, fix_align,
	"test_vmalloc fix_align_alloc_test: 5 pages at align THREAD_ALIGN<<1 (32 KiB) + vfree",
	TV_LOOPS_PARAM TV_COMMON_PARAMS, GEN_OPT_LOOPS);
TV_CASE(TV_RANDOM_SIZE_ALIGN, random_size_align,
	"test_vmalloc random_size_align_alloc_test: rnd=u8, (rnd%10+1) pages at align 1<<(rnd%23) bytes",
	TV_LOOPS_PARAM TV_COMMON_PARAMS, GEN_OPT_LOOPS);
TV_CASE(TV_ALIGN_SHIFT, align_shift,
	"test_vmalloc align_shift_alloc_test: 1 page at align 1<<i, i=0..63 (fails past the space; every "
	"request kept)",
	TV_COMMON_PARAMS, 0);

const struct gen_ops gen_test_vmalloc = {
	.name = "test_vmalloc",
	.desc = "the test_vmalloc module run: the --mask cases, shuffled per worker unless --sequential",
	.params = TV_LOOPS_PARAM TV_COMMON_PARAMS
	", --nr-pages N (1), --mask M (run_test_mask; default 127 = "
	"the seven cases above; 128 and up are not vmap workloads), --sequential",
	.opts = TV_COMMON_OPTS | GEN_OPT_LOOPS | GEN_OPT_NR_PAGES | GEN_OPT_MASK | GEN_OPT_SEQUENTIAL |
		GEN_OPT_BUSY,
	.default_loops = TV_LOOPS_DEFAULT,
	.run = tv_run_mask,
};
