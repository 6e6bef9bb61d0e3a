/* mmap_churn replayed through a slow reference address space (a sorted array of page ranges
 * with their protection): every call must be one the kernel would accept with the result the
 * trace claims. mmap lands in a free range, at the top of the highest gap that fits (top-down);
 * munmap/mprotect name mapped pages; mremap shrinks in place, grows in place only into free
 * pages, moves only when it cannot grow in place, and fails (EFAULT) only when the old range
 * spans pages of different protection (several VMAs). */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/evbuf.h"
#include "workloads/gen/gen.h"
#include "core/proc/procs.h"

#define TOP 0x7f0000000000ULL
#define LOW 0x10000ULL
#define PG 4096ULL
#define REF_MAX 8192

struct ref_range {
	u64 start, end;
	u8 prot;
};

struct ref {
	struct ref_range r[REF_MAX]; /* sorted, disjoint */
	int n;
};

/* Unmap [a, e): trim or split every range that overlaps. */
static void ref_unmap(struct ref *s, u64 a, u64 e)
{
	struct ref_range out[REF_MAX];
	int n = 0;
	for (int i = 0; i < s->n; i++) {
		struct ref_range x = s->r[i];
		if (x.end <= a || x.start >= e) {
			out[n++] = x;
			continue;
		}
		if (x.start < a)
			out[n++] = (struct ref_range){x.start, a, x.prot};
		if (x.end > e)
			out[n++] = (struct ref_range){e, x.end, x.prot};
	}
	cr_assert_lt(n, REF_MAX);
	memcpy(s->r, out, (size_t)n * sizeof(out[0]));
	s->n = n;
}

static bool ref_is_free(const struct ref *s, u64 a, u64 e)
{
	for (int i = 0; i < s->n; i++)
		if (s->r[i].start < e && s->r[i].end > a)
			return false;
	return a >= LOW && e <= TOP && a < e;
}

static void ref_map(struct ref *s, u64 a, u64 e, u8 prot)
{
	cr_assert(ref_is_free(s, a, e));
	cr_assert_lt(s->n, REF_MAX - 1);
	int i = 0;
	while (i < s->n && s->r[i].start < a)
		i++;
	memmove(&s->r[i + 1], &s->r[i], (size_t)(s->n - i) * sizeof(s->r[0]));
	s->r[i] = (struct ref_range){a, e, prot};
	s->n++;
}

/* Every page of [a, e) mapped? *uniform: all with one protection, *prot: the first's. */
static bool ref_mapped(const struct ref *s, u64 a, u64 e, bool *uniform, u8 *prot)
{
	u64 at = a;
	*uniform = true;
	for (int i = 0; i < s->n && at < e; i++) {
		if (s->r[i].end <= at)
			continue;
		if (s->r[i].start > at)
			return false;
		if (at == a)
			*prot = s->r[i].prot;
		else if (s->r[i].prot != *prot)
			*uniform = false;
		at = s->r[i].end;
	}
	return at >= e;
}

/* Top-down: no free range of len bytes lies above addr. */
static bool ref_is_highest_fit(const struct ref *s, u64 addr, u64 len)
{
	u64 hi = TOP;
	for (int i = s->n; i-- >= 0;) {
		u64 lo = i >= 0 ? s->r[i].end : LOW;
		if (hi > lo && hi - lo >= len && hi - len > addr)
			return false;
		if (i >= 0)
			hi = s->r[i].start;
	}
	return true;
}

static void replay(const struct evbuf *b, u64 calls, u32 regions)
{
	static struct ref s;
	s.n = 0;
	cr_assert_eq(b->ev[b->n - 1].kind, MME_EXIT);
	u64 counted = 0, moved = 0, efault = 0, partial_unmaps = 0, max_ranges = 0;
	for (size_t i = 0; i + 1 < b->n; i++) {
		const struct mm_event *e = &b->ev[i];
		cr_assert_eq(e->pid, b->ev[0].pid);
		cr_assert(e->addr % PG == 0 && e->len % PG == 0 && e->len > 0, "event %zu", i);
		bool uniform;
		u8 prot = 0;
		counted++;
		switch (e->kind) {
		case MME_MMAP:
			cr_assert_eq(e->flags, MME_F_ANON); /* private anonymous, not FIXED, not failed */
			cr_assert_eq(e->len2, ~0ULL);	    /* fd -1 */
			cr_assert_eq(e->addr2, 0);	    /* no hint */
			cr_assert(e->prot == 1 || e->prot == 3);
			cr_assert(ref_is_free(&s, e->addr, e->addr + e->len), "mmap %zu overlaps", i);
			cr_assert(ref_is_highest_fit(&s, e->addr, e->len), "mmap %zu is not top-down", i);
			ref_map(&s, e->addr, e->addr + e->len, e->prot);
			break;
		case MME_MUNMAP:
			cr_assert(ref_mapped(&s, e->addr, e->addr + e->len, &uniform, &prot), "munmap %zu",
				  i);
			for (int k = 0; k < s.n; k++)
				if (s.r[k].start < e->addr && s.r[k].end > e->addr + e->len)
					partial_unmaps++;
			ref_unmap(&s, e->addr, e->addr + e->len);
			break;
		case MME_MPROTECT:
			cr_assert(e->prot == 1 || e->prot == 3);
			cr_assert(ref_mapped(&s, e->addr, e->addr + e->len, &uniform, &prot), "mprotect %zu",
				  i);
			ref_unmap(&s, e->addr, e->addr + e->len);
			ref_map(&s, e->addr, e->addr + e->len, e->prot);
			break;
		case MME_MREMAP: {
			u64 old = e->addr, olen = e->len, nlen = e->len2;
			cr_assert_eq(e->aux, 1); /* MREMAP_MAYMOVE */
			cr_assert(ref_mapped(&s, old, old + olen, &uniform, &prot), "mremap %zu", i);
			if (e->flags & MME_F_FAILED) {
				cr_assert_eq(e->ret, -14, "only EFAULT is expected");
				cr_assert_eq(e->addr2, 0,
					     "a failed call has no result (as the strace reader)");
				cr_assert(nlen > olen && !uniform, "mremap %zu failed without several VMAs",
					  i);
				efault++;
				break;
			}
			cr_assert_eq(e->flags, 0);
			if (nlen <= olen) {
				cr_assert_eq(e->addr2, old, "shrinking happens in place");
				ref_unmap(&s, old + nlen, old + olen);
				break;
			}
			cr_assert(uniform, "mremap %zu grew a range of several VMAs", i);
			bool in_place_ok = ref_is_free(&s, old + olen, old + nlen);
			if (e->addr2 == old) {
				cr_assert(in_place_ok, "mremap %zu grew over mapped pages", i);
				ref_map(&s, old + olen, old + nlen, prot);
				break;
			}
			cr_assert(!in_place_ok, "mremap %zu moved although it could grow in place", i);
			cr_assert(ref_is_free(&s, e->addr2, e->addr2 + nlen),
				  "mremap %zu moved onto mappings", i);
			cr_assert(ref_is_highest_fit(&s, e->addr2, nlen));
			ref_unmap(&s, old, old + olen);
			ref_map(&s, e->addr2, e->addr2 + nlen, prot);
			moved++;
			break;
		}
		default:
			cr_assert_fail("event %zu: unexpected kind %u", i, e->kind);
		}
		max_ranges = MM_MAX(max_ranges, (u64)s.n);
	}
	cr_assert_eq(counted, calls);
	cr_assert_gt(moved, 0);
	cr_assert_gt(efault, 0);
	cr_assert_gt(partial_unmaps, 0, "middle unmaps happen");
	/* a region can be split in pieces of different protection: at most 64 pieces */
	cr_assert_leq(max_ranges, (u64)regions * 64 + 64);
}

Test(gen_churn, replays_through_reference, .timeout = 120)
{
	struct evbuf b = {0};
	struct gen_params p;
	gen_params_default(&p);
	p.loops = 20000;
	cr_assert_eq(evbuf_gen(&b, "mmap_churn", &p), 0);
	replay(&b, p.loops, p.regions);
	p.seed = 99;
	p.regions = 50;
	cr_assert_eq(evbuf_gen(&b, "mmap_churn", &p), 0);
	replay(&b, p.loops, p.regions);
	evbuf_fini(&b);
}

/* u_churn1's call mix: 907 mmap, 1198 munmap, 582 mprotect, 314 mremap of 3001; ours within a
 * few points at steady state. */
Test(gen_churn, call_mix_like_u_churn1)
{
	struct evbuf b = {0};
	struct gen_params p;
	gen_params_default(&p);
	p.loops = 50000;
	cr_assert_eq(evbuf_gen(&b, "mmap_churn", &p), 0);
	u64 k[MME_NR_KINDS] = {0};
	for (size_t i = 0; i < b.n; i++)
		k[b.ev[i].kind]++;
	double n = (double)p.loops;
	cr_assert(k[MME_MMAP] / n > 0.20 && k[MME_MMAP] / n < 0.33, "mmap %f", k[MME_MMAP] / n);
	cr_assert(k[MME_MUNMAP] / n > 0.37 && k[MME_MUNMAP] / n < 0.50, "munmap %f", k[MME_MUNMAP] / n);
	cr_assert(k[MME_MPROTECT] / n > 0.16 && k[MME_MPROTECT] / n < 0.22);
	cr_assert(k[MME_MREMAP] / n > 0.08 && k[MME_MREMAP] / n < 0.14);
	evbuf_fini(&b);
}
/* The same trace through the address-space model of core/ (struct procs/mm: VMA splits, merges,
 * VM_ACCOUNT, mremap's one-VMA rule): every call the trace says succeeded succeeds there too, each
 * failed mremap fails there with EFAULT as well, in-place grows and moves agree, and the final
 * VMAs cover exactly the pages the reference has, with the same permissions. */
static void agree_with_model(u64 seed, u32 regions)
{
	struct evbuf b = {0};
	struct gen_params p;
	gen_params_default(&p);
	p.loops = 20000;
	p.seed = seed;
	p.regions = regions;
	cr_assert_eq(evbuf_gen(&b, "mmap_churn", &p), 0);
	struct mm_cfg cfg;
	procs_cfg_default(&cfg);
	static struct procs pr;
	cr_assert_eq(procs_init(&pr, &cfg), 0);
	u64 failed = 0, grows = 0, moves = 0;
	for (size_t i = 0; i + 1 < b.n; i++) { /* all but exit_group: keep the mm to look at */
		const struct mm_event *e = &b.ev[i];
		if (e->kind == MME_MREMAP && (e->flags & MME_F_FAILED)) {
			/* ask the model whether it would have let it grow (it must not) */
			struct mm *mm = procs_mm(&pr, e->pid);
			cr_assert(mm);
			cr_assert_eq(mm_mremap(mm, e->addr, e->len, e->len2, MM_MREMAP_MAYMOVE, e->addr),
				     -EFAULT, "event %zu: the model lets this mremap through", i);
			failed++;
			continue;
		}
		if (e->kind == MME_MREMAP && e->len2 > e->len)
			*(e->addr2 == e->addr ? &grows : &moves) += 1;
		cr_assert_eq(procs_event(&pr, e), 0);
	}
	for (int k = 0; k < MME_NR_KINDS; k++)
		cr_assert_eq(pr.ps.model_errors[k], 0, "%s: the model refused a call the trace made",
			     mm_event_kind_name((unsigned)k));
	cr_assert_gt(failed, 0);
	cr_assert_eq(pr.st.err_efault, failed);
	cr_assert_eq(pr.st.mremap_grow_in_place, grows);
	cr_assert_eq(pr.st.mremap_move, moves);

	/* final layout: pages and permissions, against the reference replay */
	static struct ref s;
	s.n = 0;
	for (size_t i = 0; i + 1 < b.n; i++) {
		const struct mm_event *e = &b.ev[i];
		if (e->flags & MME_F_FAILED)
			continue;
		bool uniform;
		u8 prot = 0;
		switch (e->kind) {
		case MME_MMAP:
			ref_map(&s, e->addr, e->addr + e->len, e->prot);
			break;
		case MME_MUNMAP:
			ref_unmap(&s, e->addr, e->addr + e->len);
			break;
		case MME_MPROTECT:
			ref_unmap(&s, e->addr, e->addr + e->len);
			ref_map(&s, e->addr, e->addr + e->len, e->prot);
			break;
		default: /* MREMAP */
			cr_assert(ref_mapped(&s, e->addr, e->addr + e->len, &uniform, &prot));
			if (e->len2 <= e->len) {
				ref_unmap(&s, e->addr + e->len2, e->addr + e->len);
			} else if (e->addr2 == e->addr) {
				ref_map(&s, e->addr + e->len, e->addr + e->len2, prot);
			} else {
				ref_unmap(&s, e->addr, e->addr + e->len);
				ref_map(&s, e->addr2, e->addr2 + e->len2, prot);
			}
		}
	}
	struct mm *mm = procs_mm(&pr, b.ev[0].pid);
	int k = 0;
	u64 at = 0;
	for (struct vma *v = mm_first(mm); v; v = mm_next(mm, v)) {
		for (u64 a = v->start; a < v->end; a = at) {
			cr_assert_lt(k, s.n, "the model maps %llx, the reference does not",
				     (unsigned long long)a);
			cr_assert_eq(s.r[k].start, a, "mapped ranges differ at %llx", (unsigned long long)a);
			cr_assert_eq(s.r[k].prot, v->flags & VMA_PROT_MASK);
			at = s.r[k].end;
			cr_assert_leq(at, v->end, "a reference range crosses a VMA boundary");
			k++;
		}
	}
	cr_assert_eq(k, s.n, "the reference maps more than the model");
	procs_fini(&pr);
	evbuf_fini(&b);
}

Test(gen_churn, agrees_with_the_vma_model, .timeout = 120)
{
	agree_with_model(1, 400);
	agree_with_model(7, 60);
}
