/* mmap_churn: one process doing random anonymous mmap / munmap (whole and partial) / mprotect
 * (sub-ranges) / mremap(MREMAP_MAYMOVE) calls, like the program recorded in u_churn1, emitted as
 * the strace reader would report them (pid, results, flags).
 *
 * The generator is its own kernel: it keeps the process's regions (sorted, disjoint, each fully
 * mapped, at most 64 pages, with a PROT_READ / PROT_READ|PROT_WRITE bit per page) and hands out
 * addresses top-down below CH_TOP (the highest gap that fits, placed at the gap's top, as the
 * kernel's top-down vm_unmapped_area does). mremap grows in place when the pages after the
 * region are free, otherwise moves (the old range is still mapped while the new one is found);
 * growing a region whose pages differ in protection fails with EFAULT, because mprotect split it
 * into several VMAs and the kernel requires the old range to be one VMA.
 *
 * The process never touches its memory (a trace records no faults), so no VMA gets an anon_vma:
 * mprotect(PROT_READ) uncharges a page mprotect(PROT_WRITE) charged (mprotect_fixup, 6.x) and
 * VM_ACCOUNT never splits what protection does not. The trace begins with the process already
 * running (as `strace -p` shows it: no execve, so no ld.so prologue whose writes would fault
 * anonymous memory) and ends with its exit_group. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/gen/gen.h"
#include "core/lib/rng.h"

#define CH_TOP 0x7f0000000000ULL /* mmap_base: every mapping ends at or below it */
#define CH_LOW 0x10000ULL	 /* mmap_min_addr */
#define CH_MAX_PAGES 64u	 /* mmap and mremap sizes: 1..64 pages, as in u_churn1 */
#define CH_PID 4242u
#define CH_TS_STEP_NS 1000u
#define CH_PROT_R 1u
#define CH_PROT_RW 3u
#define CH_MREMAP_MAYMOVE 1u

/* Call mix, after u_churn1's 907 mmap : 1198 munmap : 582 mprotect : 314 mremap. Its munmaps
 * were 41% whole, 17% head, 5% tail, 37% middle of what the program had mapped; middle unmaps
 * split a region in two here (the recorded program forgot the far piece), so whole unmaps are
 * weighted up to keep the region count bounded with a similar call mix. */
enum ch_op { CH_MMAP, CH_MUNMAP, CH_MPROTECT, CH_MREMAP, CH_NR_OPS };
static const u32 ch_op_weight[CH_NR_OPS] = {30, 40, 19, 11};
enum ch_unmap { CH_WHOLE, CH_HEAD, CH_TAIL, CH_MIDDLE, CH_NR_UNMAPS };
static const u32 ch_unmap_weight[CH_NR_UNMAPS] = {60, 12, 8, 20};
#define CH_RW_PERCENT 79 /* u_churn1: 719 of 914 anonymous mmaps were PROT_READ|PROT_WRITE */

struct ch_region {
	u64 start;
	u64 rw;	   /* bit i: page i is PROT_READ|PROT_WRITE, else PROT_READ; bits >= pages are 0 */
	u32 pages; /* 1..CH_MAX_PAGES */
};

struct ch_state {
	struct ch_region *r; /* sorted by start, disjoint: r[i].start + pages*4K <= r[i+1].start */
	u32 n, cap;
	struct rng rng;
	u64 ts;
	gen_emit_fn emit;
	void *ctx;
};

static u64 ch_end(const struct ch_region *r)
{
	return r->start + ((u64)r->pages << MM_PAGE_SHIFT);
}

static u64 ch_mask(u32 pages)
{
	return pages >= 64 ? ~0ULL : (1ULL << pages) - 1;
}

static int ch_emit(struct ch_state *s, struct mm_event *ev)
{
	ev->pid = CH_PID;
	ev->mt = -1;
	ev->ts_ns = s->ts += CH_TS_STEP_NS;
	return s->emit(s->ctx, ev);
}

static size_t ch_pick(struct rng *r, const u32 *w, size_t n)
{
	u64 total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	u64 x = rng_below(r, total);
	size_t i = 0;
	while (x >= w[i])
		x -= w[i++];
	return i;
}

/* Index where a region starting at addr belongs. */
static u32 ch_lower_bound(const struct ch_state *s, u64 addr)
{
	u32 lo = 0, hi = s->n;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		if (s->r[mid].start < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int ch_insert(struct ch_state *s, struct ch_region reg)
{
	if (s->n == s->cap) {
		u32 cap = s->cap ? 2 * s->cap : 1024;
		struct ch_region *r = realloc(s->r, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		s->r = r;
		s->cap = cap;
	}
	u32 i = ch_lower_bound(s, reg.start);
	memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(*s->r));
	s->r[i] = reg;
	s->n++;
	return 0;
}

static void ch_remove(struct ch_state *s, u32 i)
{
	memmove(&s->r[i], &s->r[i + 1], (s->n - i - 1) * sizeof(*s->r));
	s->n--;
}

/* Top-down: the highest gap below CH_TOP that holds `pages`; its top `pages` pages. */
static int ch_find(const struct ch_state *s, u32 pages, u64 *addr)
{
	u64 len = (u64)pages << MM_PAGE_SHIFT, hi = CH_TOP;
	for (u32 i = s->n; i-- > 0;) {
		u64 end = ch_end(&s->r[i]);
		if (hi >= end && hi - end >= len) {
			*addr = hi - len;
			return 0;
		}
		hi = s->r[i].start;
	}
	if (hi >= CH_LOW && hi - CH_LOW >= len) {
		*addr = hi - len;
		return 0;
	}
	return -ENOMEM;
}

static int ch_mmap(struct ch_state *s)
{
	u32 pages = 1 + (u32)rng_below(&s->rng, CH_MAX_PAGES);
	bool rw = rng_below(&s->rng, 100) < CH_RW_PERCENT;
	struct mm_event ev = {.kind = MME_MMAP,
			      .len = (u64)pages << MM_PAGE_SHIFT,
			      .flags = MME_F_ANON,
			      .prot = rw ? CH_PROT_RW : CH_PROT_R,
			      .len2 = ~0ULL};
	u64 addr;
	int err = ch_find(s, pages, &addr);
	if (err) {
		/* the space is full: the call fails as the kernel's would */
		ev.flags |= MME_F_FAILED;
		ev.ret = -ENOMEM;
		ev.addr = 0; /* the strace reader leaves a failed call's result 0 */
		return ch_emit(s, &ev);
	}
	err = ch_insert(s, (struct ch_region){addr, rw ? ch_mask(pages) : 0, pages});
	ev.addr = addr;
	return err ? err : ch_emit(s, &ev);
}

static int ch_munmap(struct ch_state *s, u32 i, enum ch_unmap kind)
{
	struct ch_region *r = &s->r[i];
	u32 n = r->pages, off = 0, k = n;
	if ((kind == CH_HEAD || kind == CH_TAIL) && n < 2)
		kind = CH_WHOLE;
	if (kind == CH_MIDDLE && n < 3)
		kind = CH_WHOLE;
	switch (kind) {
	case CH_HEAD:
		k = 1 + (u32)rng_below(&s->rng, n - 1);
		break;
	case CH_TAIL:
		k = 1 + (u32)rng_below(&s->rng, n - 1);
		off = n - k;
		break;
	case CH_MIDDLE:
		off = 1 + (u32)rng_below(&s->rng, n - 2);
		k = 1 + (u32)rng_below(&s->rng, n - 1 - off);
		break;
	default:
		break;
	}
	struct mm_event ev = {.kind = MME_MUNMAP,
			      .addr = r->start + ((u64)off << MM_PAGE_SHIFT),
			      .len = (u64)k << MM_PAGE_SHIFT};
	int err = 0;
	switch (kind) {
	case CH_WHOLE:
		ch_remove(s, i);
		break;
	case CH_HEAD:
		r->start += (u64)k << MM_PAGE_SHIFT;
		r->pages -= k;
		r->rw >>= k;
		break;
	case CH_TAIL:
		r->pages -= k;
		r->rw &= ch_mask(r->pages);
		break;
	default: {
		struct ch_region tail = {r->start + ((u64)(off + k) << MM_PAGE_SHIFT), r->rw >> (off + k),
					 n - off - k};
		r->pages = off;
		r->rw &= ch_mask(off);
		err = ch_insert(s, tail);
		break;
	}
	}
	return err ? err : ch_emit(s, &ev);
}

static int ch_mprotect(struct ch_state *s, u32 i)
{
	struct ch_region *r = &s->r[i];
	u32 off = (u32)rng_below(&s->rng, r->pages);
	u32 k = 1 + (u32)rng_below(&s->rng, r->pages - off);
	bool rw = rng_below(&s->rng, 2);
	u64 bits = ch_mask(k) << off;
	r->rw = rw ? r->rw | bits : r->rw & ~bits;
	struct mm_event ev = {.kind = MME_MPROTECT,
			      .addr = r->start + ((u64)off << MM_PAGE_SHIFT),
			      .len = (u64)k << MM_PAGE_SHIFT,
			      .prot = rw ? CH_PROT_RW : CH_PROT_R};
	return ch_emit(s, &ev);
}

static int ch_mremap(struct ch_state *s, u32 i)
{
	struct ch_region *r = &s->r[i];
	u32 n = r->pages, m = 1 + (u32)rng_below(&s->rng, CH_MAX_PAGES);
	struct mm_event ev = {.kind = MME_MREMAP,
			      .addr = r->start,
			      .len = (u64)n << MM_PAGE_SHIFT,
			      .len2 = (u64)m << MM_PAGE_SHIFT,
			      .aux = CH_MREMAP_MAYMOVE};
	if (m <= n) { /* shrink (or same size) in place */
		r->pages = m;
		r->rw &= ch_mask(m);
		ev.addr2 = r->start;
		return ch_emit(s, &ev);
	}
	bool all_rw = r->rw == ch_mask(n);
	if (!all_rw && r->rw) { /* several VMAs under the old range */
		ev.flags = MME_F_FAILED;
		ev.ret = -EFAULT;
		ev.addr2 = 0; /* no result, as the strace reader reports a failure */
		return ch_emit(s, &ev);
	}
	u64 next = i + 1 < s->n ? s->r[i + 1].start : CH_TOP;
	if (next - ch_end(r) >= (u64)(m - n) << MM_PAGE_SHIFT) { /* grow in place */
		r->pages = m;
		r->rw = all_rw ? ch_mask(m) : 0;
		ev.addr2 = r->start;
		return ch_emit(s, &ev);
	}
	u64 addr;
	if (ch_find(s, m, &addr)) {
		ev.flags = MME_F_FAILED;
		ev.ret = -ENOMEM;
		ev.addr2 = 0;
		return ch_emit(s, &ev);
	}
	ch_remove(s, i);
	int err = ch_insert(s, (struct ch_region){addr, all_rw ? ch_mask(m) : 0, m});
	ev.addr2 = addr;
	return err ? err : ch_emit(s, &ev);
}

static int ch_run(const struct gen_params *p, gen_emit_fn emit, void *ctx)
{
	if (p->loops > GEN_MAX_LOOPS)
		return -EINVAL;
	struct ch_state s = {.emit = emit, .ctx = ctx};
	rng_seed(&s.rng, p->seed);
	u64 calls = gen_loops(&gen_mmap_churn, p);
	u32 cap = p->regions ? p->regions : 1;
	struct mm_event ev;
	int err = 0;
	for (u64 c = 0; c < calls && !err; c++) {
		enum ch_op op = (enum ch_op)ch_pick(&s.rng, ch_op_weight, CH_NR_OPS);
		if (!s.n) {
			err = ch_mmap(&s);
			continue;
		}
		u32 i = (u32)rng_below(&s.rng, s.n);
		switch (op) {
		case CH_MMAP:
			/* at the cap, the process frees a region instead */
			err = s.n < cap ? ch_mmap(&s) : ch_munmap(&s, i, CH_WHOLE);
			break;
		case CH_MUNMAP:
			err = ch_munmap(&s, i, (enum ch_unmap)ch_pick(&s.rng, ch_unmap_weight, CH_NR_UNMAPS));
			break;
		case CH_MPROTECT:
			err = ch_mprotect(&s, i);
			break;
		default:
			err = ch_mremap(&s, i);
			break;
		}
	}
	if (!err) {
		ev = (struct mm_event){.kind = MME_EXIT};
		err = ch_emit(&s, &ev);
	}
	free(s.r);
	return err;
}

const struct gen_ops gen_mmap_churn = {
	.name = "mmap_churn",
	.desc = "one running process: random anonymous mmap/munmap/mprotect/mremap calls like u_churn1, then "
		"exit_group",
	.params = "--loops (memory calls, default 100000), --regions (most live regions, default 400)",
	.opts = GEN_OPT_LOOPS | GEN_OPT_REGIONS,
	.default_loops = 100000,
	.run = ch_run,
};
