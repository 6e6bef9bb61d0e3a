/* The three VMA index variants against a slow page-granular reference on random workloads.
 * The reference keeps, per page of a small window, whether it is mapped, its attributes
 * (flags, file, pgoff) and whether a VMA starts there; it applies the kernel's rules (split at
 * both ends, merge when adjacent pages are compatible, max_map_count, EINVAL/ENOMEM/EFAULT) page
 * by page. After every call the variants' VMAs must equal the reference's runs, and the calls must
 * return the same errors. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc/mm.h"
#include "core/mm_event.h"
#include "core/lib/rng.h"

#define WIN_BASE 0x10000000ULL
#define WIN_PAGES 512
#define MAX_MAP 40

struct ref_page {
	bool mapped;
	bool head; /* a VMA starts here */
	u32 flags;
	u64 file, pgoff;
};

struct ref {
	struct ref_page pg[WIN_PAGES + 1]; /* +1: a sentinel that is never mapped */
	u64 next_shmem;
};

static u64 pidx(u64 addr)
{
	return (addr - WIN_BASE) >> MM_PAGE_SHIFT;
}

/* page i-1 and page i compatible for one VMA (no anon_vma in this model: populate none) */
static bool ref_compat(const struct ref *r, u64 i)
{
	if (i == 0 || i >= WIN_PAGES || !r->pg[i - 1].mapped || !r->pg[i].mapped)
		return false;
	const struct ref_page *a = &r->pg[i - 1], *b = &r->pg[i];
	return a->flags == b->flags && a->file == b->file && a->pgoff + 1 == b->pgoff;
}

static bool ref_is_head(const struct ref *r, u64 i)
{
	return r->pg[i].mapped && (i == 0 || !r->pg[i - 1].mapped || r->pg[i].head);
}

static u64 ref_count(const struct ref *r)
{
	u64 n = 0;
	for (u64 i = 0; i < WIN_PAGES; i++)
		n += ref_is_head(r, i);
	return n;
}

/* end (page index) of the VMA holding page i */
static u64 ref_vma_end(const struct ref *r, u64 i)
{
	u64 j = i + 1;
	while (j < WIN_PAGES && r->pg[j].mapped && !r->pg[j].head)
		j++;
	return j;
}

static u64 ref_vma_start(const struct ref *r, u64 i)
{
	while (!ref_is_head(r, i))
		i--;
	return i;
}

static void ref_mark_head(struct ref *r, u64 i)
{
	if (i < WIN_PAGES)
		r->pg[i].head = true;
}

static int ref_munmap_pages(struct ref *r, u64 s, u64 e)
{
	/* a hole punched inside one VMA adds one: refused at the limit */
	u64 first = s;
	while (first < e && !r->pg[first].mapped)
		first++;
	if (first == e)
		return 0;
	if (!ref_is_head(r, s) && r->pg[s].mapped && r->pg[e].mapped && !ref_is_head(r, e) &&
	    ref_vma_start(r, s) == ref_vma_start(r, e) && ref_count(r) >= MAX_MAP)
		return -ENOMEM;
	for (u64 i = s; i < e; i++)
		r->pg[i] = (struct ref_page){0};
	ref_mark_head(r, e);
	return 0;
}

static int ref_munmap(struct ref *r, u64 addr, u64 len)
{
	if (addr & ~MM_PAGE_MASK || !len)
		return -EINVAL;
	len = MM_PAGE_ALIGN(len);
	return ref_munmap_pages(r, pidx(addr), pidx(addr) + (len >> MM_PAGE_SHIFT));
}

/* lay t over [s, e) and merge at both edges (left only when !merge_next is false) */
static void ref_place(struct ref *r, u64 s, u64 e, u32 flags, u64 file, u64 pgoff, bool merge_next)
{
	for (u64 i = s; i < e; i++)
		r->pg[i] = (struct ref_page){true, i == s, flags, file, pgoff + (i - s)};
	ref_mark_head(r, e);
	if (ref_compat(r, s))
		r->pg[s].head = false;
	if (merge_next && ref_compat(r, e))
		r->pg[e].head = false;
}

static int ref_mmap(struct ref *r, u64 addr, u64 len, unsigned prot, unsigned mf, u64 fd, u64 off)
{
	if (addr & ~MM_PAGE_MASK || !len)
		return -EINVAL;
	bool anon = fd == (u64)-1, shared = mf & MME_F_SHARED;
	if (!anon && (off & ~MM_PAGE_MASK))
		return -EINVAL;
	if (ref_count(r) > MAX_MAP)
		return -ENOMEM;
	len = MM_PAGE_ALIGN(len);
	u64 s = pidx(addr), e = s + (len >> MM_PAGE_SHIFT);
	int err = ref_munmap_pages(r, s, e);
	if (err)
		return err;
	u32 flags = prot | (shared ? VMA_SHARED : 0) | (!shared && (prot & VMA_WRITE) ? VMA_ACCOUNT : 0);
	u64 file = anon ? (shared ? (1ULL << 63) | r->next_shmem++ : VMA_ANON) : fd;
	u64 pgoff = anon ? (shared ? 0 : addr >> MM_PAGE_SHIFT) : off >> MM_PAGE_SHIFT;
	ref_place(r, s, e, flags, file, pgoff, true);
	return 0;
}

static int ref_mprotect(struct ref *r, u64 addr, u64 len, unsigned prot)
{
	if (addr & ~MM_PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = MM_PAGE_ALIGN(len);
	u64 s = pidx(addr), e = s + (len >> MM_PAGE_SHIFT);
	if (!r->pg[s].mapped)
		return -ENOMEM;
	for (u64 i = s; i < e;) {
		if (!r->pg[i].mapped)
			return -ENOMEM;
		u64 vs = ref_vma_start(r, i), ve = ref_vma_end(r, i), pe = MM_MIN(ve, e);
		u32 of = r->pg[i].flags, nf = (of & ~VMA_PROT_MASK) | prot;
		if (nf & VMA_WRITE) {
			if (!(of & (VMA_ACCOUNT | VMA_WRITE | VMA_SHARED)))
				nf |= VMA_ACCOUNT;
		} else if ((of & VMA_ACCOUNT) && r->pg[i].file == VMA_ANON) {
			nf &= ~VMA_ACCOUNT;
		}
		if (nf != of) {
			/* would a neighbour merge? then no split is needed */
			struct ref_page save_l = r->pg[i];
			for (u64 k = i; k < pe; k++)
				r->pg[k].flags = nf;
			bool ml = i == vs && ref_compat(r, i), mr = pe == ve && ref_compat(r, pe);
			if (!ml && !mr) {
				u64 cnt = ref_count(r);
				if (i > vs && cnt >= MAX_MAP) {
					for (u64 k = i; k < pe; k++)
						r->pg[k].flags = save_l.flags;
					return -ENOMEM;
				}
				if (i > vs)
					cnt++;
				if (pe < ve && cnt >= MAX_MAP) {
					/* the front split happened, the change did not */
					for (u64 k = i; k < pe; k++)
						r->pg[k].flags = save_l.flags;
					r->pg[i].head = true;
					return -ENOMEM;
				}
			}
			r->pg[i].head = true;
			ref_mark_head(r, pe);
			if (ml)
				r->pg[i].head = false;
			if (mr)
				r->pg[pe].head = false;
		}
		i = pe;
	}
	return 0;
}

static int ref_mremap(struct ref *r, u64 old, u64 old_len, u64 new_len, u64 result)
{
	if (old & ~MM_PAGE_MASK || result & ~MM_PAGE_MASK)
		return -EINVAL;
	old_len = MM_PAGE_ALIGN(old_len);
	new_len = MM_PAGE_ALIGN(new_len);
	if (!old_len || !new_len)
		return -EINVAL;
	u64 s = pidx(old), on = old_len >> MM_PAGE_SHIFT, nn = new_len >> MM_PAGE_SHIFT;
	if (!r->pg[s].mapped)
		return -EFAULT;
	if (result == old && nn <= on) /* shrinking unmaps the tail, whatever VMAs it spans */
		return nn == on ? 0 : ref_munmap_pages(r, s + nn, s + on);
	u64 ve = ref_vma_end(r, s);
	if (ve < s + on)
		return -EFAULT;
	if (result == old) {
		if (s + on != ve)
			return -ENOMEM;
		for (u64 i = s + on; i < s + nn; i++)
			if (i >= WIN_PAGES || r->pg[i].mapped)
				return -ENOMEM;
		struct ref_page a = r->pg[s];
		for (u64 i = s + on; i < s + nn; i++)
			r->pg[i] = (struct ref_page){true, false, a.flags, a.file, a.pgoff + (i - s)};
		ref_mark_head(r, s + nn);
		if (ref_compat(r, s + nn))
			r->pg[s + nn].head = false;
		return 0;
	}
	u64 t = pidx(result);
	if (t < s + on && s < t + nn)
		return -EINVAL;
	if (ref_count(r) + 3 >= MAX_MAP)
		return -ENOMEM;
	if (nn < on) {
		int err = ref_munmap_pages(r, s + nn, s + on);
		if (err)
			return err;
		on = nn;
	}
	struct ref_page a = r->pg[s];
	u64 pgoff = a.file == VMA_ANON ? result >> MM_PAGE_SHIFT : a.pgoff;
	int err = ref_munmap_pages(r, t, t + nn);
	if (err)
		return err;
	ref_place(r, t, t + nn, a.flags, a.file, pgoff, true);
	return ref_munmap_pages(r, s, s + on);
}

static int ref_brk_grow(struct ref *r, u64 oldbrk, u64 newbrk)
{
	u64 s = pidx(oldbrk), e = pidx(newbrk);
	for (u64 i = s; i < e; i++)
		if (r->pg[i].mapped)
			return -ENOMEM;
	if (ref_count(r) > MAX_MAP)
		return -ENOMEM;
	ref_place(r, s, e, VMA_READ | VMA_WRITE | VMA_ACCOUNT, VMA_ANON, oldbrk >> MM_PAGE_SHIFT, false);
	return 0;
}

/* the model's VMAs equal the reference's runs */
static void compare(struct mm *mm, const struct ref *r, const char *variant, int step)
{
	char msg[256];
	cr_assert_eq(mm_check(mm, msg, sizeof(msg)), 0, "%s step %d: %s", variant, step, msg);
	struct vma *v = mm_first(mm);
	for (u64 i = 0; i < WIN_PAGES;) {
		if (!r->pg[i].mapped) {
			i++;
			continue;
		}
		u64 e = ref_vma_end(r, i);
		cr_assert(v, "%s step %d: VMA at page %llu missing", variant, step, (unsigned long long)i);
		cr_assert(v->start == WIN_BASE + (i << 12) && v->end == WIN_BASE + (e << 12),
			  "%s step %d: VMA [%llx,%llx), reference [%llx,%llx)", variant, step,
			  (unsigned long long)v->start, (unsigned long long)v->end,
			  (unsigned long long)(WIN_BASE + (i << 12)),
			  (unsigned long long)(WIN_BASE + (e << 12)));
		cr_assert(v->flags == r->pg[i].flags && v->file == r->pg[i].file &&
				  v->pgoff == r->pg[i].pgoff,
			  "%s step %d: VMA at %llx has flags %x file %llx pgoff %llx, reference %x %llx %llx",
			  variant, step, (unsigned long long)v->start, v->flags, (unsigned long long)v->file,
			  (unsigned long long)v->pgoff, r->pg[i].flags, (unsigned long long)r->pg[i].file,
			  (unsigned long long)r->pg[i].pgoff);
		v = mm_next(mm, v);
		i = e;
	}
	cr_assert(!v, "%s step %d: extra VMA at %llx", variant, step,
		  v ? (unsigned long long)v->start : 0ULL);
}

static u64 rnd_addr(struct rng *g)
{
	u64 a = WIN_BASE + (rng_below(g, WIN_PAGES - 64) << 12);
	if (rng_below(g, 50) == 0)
		a += 1 + rng_below(g, 4095); /* misaligned: EINVAL */
	return a;
}

static const unsigned prots[] = {VMA_READ, VMA_READ | VMA_WRITE, 0, VMA_READ | VMA_EXEC};

static void run_workload(u64 seed, int steps)
{
	struct rng g;
	rng_seed(&g, seed);
	struct mm_stats st[3];
	struct mm_cfg cfg[3];
	struct mm mm[3];
	struct ref *r = calloc(1, sizeof(*r));
	for (int k = 0; k < 3; k++) {
		memset(&st[k], 0, sizeof(st[k]));
		memset(&cfg[k], 0, sizeof(cfg[k]));
		cfg[k].index = vma_indexes[k];
		cfg[k].max_map_count = MAX_MAP;
		cr_assert_eq(mm_init(&mm[k], &cfg[k], &st[k]), 0);
	}
	u64 brk = WIN_BASE + ((u64)(WIN_PAGES - 48) << 12);
	for (int k = 0; k < 3; k++)
		mm_brk(&mm[k], 0, brk);
	for (int step = 0; step < steps; step++) {
		unsigned op = (unsigned)rng_below(&g, 100);
		u64 addr = rnd_addr(&g), len = (1 + rng_below(&g, 40)) << 12;
		if (rng_below(&g, 8) == 0)
			len -= rng_below(&g, 4096); /* lengths round up to pages */
		unsigned prot = prots[rng_below(&g, 4)];
		int want, got[3];
		if (op < 35) {
			bool anon = rng_below(&g, 3) != 0, shared = rng_below(&g, 10) == 0;
			u64 fd = anon ? (u64)-1 : 3 + rng_below(&g, 2);
			/* offsets that follow the address so neighbouring file mappings can merge */
			u64 off = anon ? 0 : (addr & MM_PAGE_MASK) - WIN_BASE;
			unsigned mf = (anon ? MME_F_ANON : 0) | (shared ? MME_F_SHARED : 0);
			want = ref_mmap(r, addr, len, prot, mf, fd, off);
			for (int k = 0; k < 3; k++)
				got[k] = mm_mmap(&mm[k], addr, len, prot, mf, fd, off);
		} else if (op < 60) {
			want = ref_munmap(r, addr, len);
			for (int k = 0; k < 3; k++)
				got[k] = mm_munmap(&mm[k], addr, len);
		} else if (op < 85) {
			want = ref_mprotect(r, addr, len, prot);
			for (int k = 0; k < 3; k++)
				got[k] = mm_mprotect(&mm[k], addr, len, prot, 0);
		} else if (op < 95) {
			u64 new_len = (1 + rng_below(&g, 40)) << 12;
			u64 result =
				rng_below(&g, 2) ? addr : WIN_BASE + (rng_below(&g, WIN_PAGES - 48) << 12);
			want = ref_mremap(r, addr, len, new_len, result);
			for (int k = 0; k < 3; k++)
				got[k] = mm_mremap(&mm[k], addr, len, new_len, MM_MREMAP_MAYMOVE, result);
		} else {
			/* brk within the top of the window */
			u64 nb = WIN_BASE + ((u64)(WIN_PAGES - 48) << 12) + rng_below(&g, 40 << 12);
			u64 ob = MM_PAGE_ALIGN(brk), nbp = MM_PAGE_ALIGN(nb);
			want = nbp < ob	  ? ref_munmap_pages(r, pidx(nbp), pidx(ob))
			       : nbp > ob ? ref_brk_grow(r, ob, nbp)
					  : 0;
			for (int k = 0; k < 3; k++)
				got[k] = mm_brk(&mm[k], nb, nb);
			brk = nb;
		}
		if (getenv("VMA_DEBUG") && got[0] != want) {
			fprintf(stderr, "got %d %d %d st %llu op %u addr %llx len %llx prot %u\n", got[0],
				got[1], got[2], (unsigned long long)st[0].err_map_count, op,
				(unsigned long long)addr, (unsigned long long)len, prot);
			mm_print_maps(&mm[0], stderr);
		}
		for (int k = 0; k < 3; k++) {
			cr_assert_eq(got[k], want, "seed %llu step %d op %u %s: returned %d, reference %d",
				     (unsigned long long)seed, step, op, vma_indexes[k]->name, got[k], want);
			compare(&mm[k], r, vma_indexes[k]->name, step);
		}
		cr_assert_eq(mm[0].map_count, ref_count(r));
	}
	/* index-independent work is identical across variants */
	for (int k = 1; k < 3; k++) {
		cr_assert_eq(st[k].vma.vma_splits, st[0].vma.vma_splits);
		cr_assert_eq(st[k].vma.vma_merges, st[0].vma.vma_merges);
		cr_assert_eq(st[k].vma.vmas_detached, st[0].vma.vmas_detached);
		cr_assert_eq(st[k].vma.vmas_peak, st[0].vma.vmas_peak);
		cr_assert_eq(st[k].munmap_split_front, st[0].munmap_split_front);
		cr_assert_eq(st[k].err_enomem, st[0].err_enomem);
	}
	/* the workload reached the interesting cases */
	cr_assert_gt(st[0].vma.vma_merges, 0);
	cr_assert_gt(st[0].munmap_split_front, 0);
	cr_assert_gt(st[0].munmap_split_tail, 0);
	cr_assert_gt(st[0].err_einval, 0);
	cr_assert_gt(st[0].mremap_move, 0);
	for (int k = 0; k < 3; k++)
		mm_fini(&mm[k]);
	free(r);
}

Test(vma, variants_match_page_reference)
{
	for (u64 seed = 1; seed <= 6; seed++)
		run_workload(seed, 3000);
}

Test(vma, map_count_limit_reached)
{
	/* many small disjoint mappings: the limit must be hit and refused with ENOMEM */
	struct mm_stats st = {0};
	struct mm_cfg cfg = {.index = &vma_index_maple, .max_map_count = MAX_MAP};
	struct mm mm;
	cr_assert_eq(mm_init(&mm, &cfg, &st), 0);
	int last = 0;
	for (u64 i = 0; i < 2 * MAX_MAP; i++) {
		/* prot alternates so neighbours never merge */
		last = mm_mmap(&mm, WIN_BASE + (i << 12), 4096, i & 1 ? VMA_READ : VMA_READ | VMA_WRITE,
			       MME_F_ANON, (u64)-1, 0);
		if (last)
			break;
	}
	cr_assert_eq(last, -ENOMEM);
	cr_assert_eq(mm.map_count, MAX_MAP + 1); /* do_mmap refuses only above the limit */
	cr_assert_gt(st.err_map_count, 0);
	/* unmapping nothing succeeds; a misaligned start fails */
	cr_assert_eq(mm_munmap(&mm, WIN_BASE + (1000ULL << 12), 4096), 0);
	cr_assert_eq(mm_munmap(&mm, WIN_BASE + 1, 4096), -EINVAL);
	mm_fini(&mm);
}

/* same VMAs in two address spaces (the variants under test against each other) */
static void same_vmas(struct mm *a, struct mm *b, int step)
{
	char msg[256];
	cr_assert_eq(mm_check(a, msg, sizeof(msg)), 0, "step %d: %s", step, msg);
	cr_assert_eq(mm_check(b, msg, sizeof(msg)), 0, "step %d: %s", step, msg);
	cr_assert_eq(a->map_count, b->map_count, "step %d", step);
	struct vma *x = mm_first(a), *y = mm_first(b);
	for (; x && y; x = mm_next(a, x), y = mm_next(b, y))
		cr_assert(x->start == y->start && x->end == y->end && x->flags == y->flags, "step %d at %llx",
			  step, (unsigned long long)x->start);
	cr_assert(!x && !y);
}

Test(vma, maple_large_random)
{
	/* deep trees: thousands of VMAs, random splits and frees, checked structurally and against
	 * the rbtree variant (itself checked against the page reference above) */
	struct mm_stats st = {0}, lst = {0};
	struct mm_cfg cfg = {.index = &vma_index_maple, .max_map_count = MM_MAX_MAP_COUNT};
	struct mm_cfg lcfg = {.index = &vma_index_rbtree, .max_map_count = MM_MAX_MAP_COUNT};
	struct mm mm, ref;
	struct rng g;
	rng_seed(&g, 99);
	cr_assert_eq(mm_init(&mm, &cfg, &st), 0);
	cr_assert_eq(mm_init(&ref, &lcfg, &lst), 0);
	for (int step = 0; step < 40000; step++) {
		u64 a = 0x100000000ULL + (rng_below(&g, 1 << 16) << 12);
		if (rng_below(&g, 3)) {
			u64 len = (1 + rng_below(&g, 4)) << 12;
			unsigned prot = prots[rng_below(&g, 2)];
			cr_assert_eq(mm_mmap(&mm, a, len, prot, MME_F_ANON, (u64)-1, 0),
				     mm_mmap(&ref, a, len, prot, MME_F_ANON, (u64)-1, 0));
		} else {
			u64 len = (1 + rng_below(&g, 8)) << 12;
			cr_assert_eq(mm_munmap(&mm, a, len), mm_munmap(&ref, a, len));
		}
		if (step % 997 == 0)
			same_vmas(&mm, &ref, step);
	}
	cr_assert_gt(st.vma.vmas_peak, 1000);
	/* drain in random chunks: internal nodes borrow and merge on the way down */
	for (int step = 0; mm.map_count; step++) {
		u64 a = 0x100000000ULL + (rng_below(&g, 1 << 16) << 12), len = (1 + rng_below(&g, 256)) << 12;
		cr_assert_eq(mm_munmap(&mm, a, len), 0);
		cr_assert_eq(mm_munmap(&ref, a, len), 0);
		if (step % 101 == 0)
			same_vmas(&mm, &ref, step);
	}
	cr_assert_null(mm_first(&mm));
	cr_assert_eq(ref.map_count, 0);
	mm_fini(&mm);
	mm_fini(&ref);
}
