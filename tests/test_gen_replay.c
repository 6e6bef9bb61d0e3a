/* The test_vmalloc generators through core's vmalloc model: the traces are requests a kernel
 * serves (nothing fails but align_shift past the space), every free finds its area, and the
 * two guard conventions agree: a --guard trace replayed as "guard included" places every area
 * where the --no-guard trace replayed as "guard added" does. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/evbuf.h"
#include "workloads/gen/gen.h"
#include "core/lib/hmap.h"
#include "core/kva/vmalloc.h"

struct replay_out {
	u64 failures, frees, max_live;
	u64 *addr; /* model address of each allocation, in trace order (failed: 0) */
	size_t n;
	u64 failed_shift_min; /* align_shift: smallest failing log2(align) */
};

static void replay(const struct evbuf *b, enum vmalloc_guard guard, const struct vmlist_ops *vl,
		   struct replay_out *o)
{
	struct buddy bd;
	struct buddy_cfg bc = {0x100000, 1 << 20, BUDDY_DEFAULT_MAX_ORDER, buddy_policy_find("lifo")};
	cr_assert_eq(buddy_init(&bd, &bc), 0);
	static struct vmalloc vm;
	struct vmalloc_cfg vc;
	vmalloc_cfg_default(&vc);
	vc.guard = guard;
	vc.vmlist = vl;
	cr_assert_eq(vmalloc_init(&vm, &vc, &bd), 0);
	struct hmap tok;
	cr_assert_eq(hmap_init(&tok, 1024), 0);
	memset(o, 0, sizeof(*o));
	o->addr = calloc(b->n, sizeof(u64));
	o->failed_shift_min = 64;
	for (size_t i = 0; i < b->n; i++) {
		const struct mm_event *e = &b->ev[i];
		u64 a;
		if (e->kind == MME_VMAP_ALLOC) {
			int err = vmalloc_alloc(&vm, e->len, e->aux, e->addr2, e->len2, &a);
			if (err) {
				cr_assert_eq(err, -ENOMEM);
				o->failures++;
				o->failed_shift_min =
					MM_MIN(o->failed_shift_min, (u64)__builtin_ctzll(e->aux));
				a = 0;
			} else {
				cr_assert_geq(hmap_put(&tok, e->addr, a), 0);
			}
			o->addr[o->n++] = a;
			o->max_live = MM_MAX(o->max_live, vm.st.live_areas);
		} else if (hmap_del(&tok, e->addr, &a)) { /* a failed allocation has nothing to free */
			cr_assert_eq(vmalloc_vfree(&vm, a), 0);
			o->frees++;
		}
	}
	cr_assert_eq(vm.st.bad_frees, 0);
	cr_assert_eq(vm.st.live_areas, 0, "every area freed");
	cr_assert_eq(tok.count, 0);
	hmap_fini(&tok);
	vmalloc_fini(&vm);
	buddy_fini(&bd);
}

static const char *const cases[] = {"fix_size",	 "full_fit",	      "long_busy_list", "random_size",
				    "fix_align", "random_size_align", "align_shift"};

Test(gen_replay, test_vmalloc_cases_on_the_vmalloc_model, .timeout = 300)
{
	struct evbuf g = {0}, ng = {0};
	struct gen_params p;
	for (size_t c = 0; c < MM_ARRAY_SIZE(cases); c++) {
		gen_params_default(&p);
		p.cpus = 1;
		if (gen_find(cases[c])->opts & GEN_OPT_LOOPS)
			p.loops = 300;
		cr_assert_eq(evbuf_gen(&g, cases[c], &p), 0);
		p.guard = false;
		cr_assert_eq(evbuf_gen(&ng, cases[c], &p), 0);
		struct replay_out a, b;
		replay(&g, VMALLOC_GUARD_INCLUDED, vmlist_find("augmented"), &a);
		replay(&ng, VMALLOC_GUARD_ADD, vmlist_find("augmented"), &b);
		cr_assert_eq(a.n, b.n);
		cr_assert_eq(memcmp(a.addr, b.addr, a.n * sizeof(u64)), 0,
			     "%s: the guard conventions place areas differently", cases[c]);
		if (!strcmp(cases[c], "align_shift")) {
			/* [vstart, vend] is 2^45 bytes from 0xffffc90000000000: 1 << 45 still has an aligned
			 * slot (0xffffe00000000000), 1 << 46 and up have none */
			cr_assert_eq(a.failures, 64 - 46);
			cr_assert_eq(a.failed_shift_min, 46);
		} else {
			cr_assert_eq(a.failures, 0, "%s: %llu allocations failed", cases[c],
				     (unsigned long long)a.failures);
		}
		if (!strcmp(cases[c], "long_busy_list"))
			cr_assert_eq(a.max_live, 1 + 15000 + 2);
		if (!strcmp(cases[c], "full_fit")) /* junk_length 8192 with one CPU */
			cr_assert_eq(a.max_live, 2 + 2 * 8192);
		free(a.addr);
		free(b.addr);
	}
	evbuf_fini(&g);
	evbuf_fini(&ng);
}
