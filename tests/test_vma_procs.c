/* Address spaces with their page tables (populate), madvise, and the process table (fork,
 * CLONE_VM, execve, exit_group), plus garbage events that must never break the invariants. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/phys/buddy.h"
#include "core/proc/mm.h"
#include "core/mm_event.h"
#include "core/proc/mm_pgtable.h"
#include "core/proc/procs.h"
#include "core/lib/rng.h"
#include "core/machine/sim.h"

#define WIN_BASE 0x10000000ULL
#define WIN_PAGES 512

static const unsigned prots[] = {VMA_READ, VMA_READ | VMA_WRITE, 0, VMA_READ | VMA_EXEC};

/* populate=all through real page tables: after every call a page is present exactly when a VMA
 * covers it, and tearing everything down gives every table page back to the buddy. */
Test(vma, populate_tables_follow_vmas)
{
	struct buddy b;
	struct buddy_cfg bc = {.base_pfn = 0x100000,
			       .nr_pages = 1 << 16,
			       .max_order = 10,
			       .policy = buddy_policy_find("lifo")};
	cr_assert_eq(buddy_init(&b, &bc), 0);
	u64 free0 = b.free_pages;
	struct mm_pgtable ctx;
	mm_pgtable_init(&ctx, &b, 4);
	struct mm_stats st = {0};
	struct mm_cfg cfg = {.index = &vma_index_maple,
			     .max_map_count = MM_MAX_MAP_COUNT,
			     .populate = true,
			     .pt = &mm_pgtable_ops,
			     .pt_ctx = &ctx};
	struct mm mm, child;
	cr_assert_eq(mm_init(&mm, &cfg, &st), 0);
	struct rng g;
	rng_seed(&g, 5);
	for (int step = 0; step < 4000; step++) {
		u64 addr = WIN_BASE + (rng_below(&g, WIN_PAGES - 64) << 12), len = (1 + rng_below(&g, 40))
										   << 12;
		/* accessible protections only: PROT_NONE mappings are never populated */
		unsigned op = (unsigned)rng_below(&g, 4), prot = prots[rng_below(&g, 2)];
		if (op == 0)
			mm_mmap(&mm, addr, len, prot, MME_F_ANON, (u64)-1, 0);
		else if (op == 1)
			mm_munmap(&mm, addr, len);
		else if (op == 2)
			mm_mprotect(&mm, addr, len, prot, 0);
		else
			mm_mremap(&mm, addr, len, (1 + rng_below(&g, 40)) << 12, MM_MREMAP_MAYMOVE,
				  rng_below(&g, 2) ? addr : WIN_BASE + (rng_below(&g, WIN_PAGES - 48) << 12));
		if (step % 40)
			continue;
		for (u64 i = 0; i < WIN_PAGES; i++) {
			u64 va = WIN_BASE + (i << 12);
			struct vma *v = mm_find(&mm, va);
			bool mapped = v && v->start <= va;
			cr_assert_eq(pgtable_lookup(mm.pt, va) >= 0, mapped, "step %d page %llx", step,
				     (unsigned long long)va);
		}
	}
	cr_assert_gt(st.tlb_flush_range, 0);
	/* a mapping alone in its own 512 GiB: unmapping it frees its PTE, PMD and PUD tables */
	u64 before = st.pgtable_pages_free, flushes = st.tlb_flush_range;
	cr_assert_eq(mm_mmap(&mm, 0x7f0000000000ULL, 8192, VMA_READ, MME_F_ANON, (u64)-1, 0), 0);
	cr_assert_eq(mm_munmap(&mm, 0x7f0000000000ULL, 8192), 0);
	cr_assert_eq(st.pgtable_pages_free - before, 3, "freed %llu",
		     (unsigned long long)(st.pgtable_pages_free - before));
	cr_assert_eq(st.tlb_flush_range - flushes, 1);
	/* a PROT_NONE reservation is not populated, however large */
	u64 set = st.ptes_set;
	cr_assert_eq(mm_mmap(&mm, 0x7e0000000000ULL, 1ULL << 40, 0, MME_F_ANON, (u64)-1, 0), 0);
	cr_assert_eq(st.ptes_set, set);
	cr_assert_eq(mm_munmap(&mm, 0x7e0000000000ULL, 1ULL << 40), 0);
	/* fork copies the tables: the child sees the same pages */
	cr_assert_eq(mm_init(&child, &cfg, &st), 0);
	cr_assert_eq(mm_dup(&child, &mm), 0);
	for (u64 i = 0; i < WIN_PAGES; i++) {
		u64 va = WIN_BASE + (i << 12);
		cr_assert_eq(pgtable_lookup(child.pt, va) >= 0, pgtable_lookup(mm.pt, va) >= 0);
	}
	mm_fini(&child);
	mm_fini(&mm);
	cr_assert_eq(b.free_pages, free0, "table pages leaked: %llu",
		     (unsigned long long)(free0 - b.free_pages));
	buddy_fini(&b);
}

/* MADV_DONTNEED clears the PTEs of mapped pages (the VMAs stay), fails with ENOMEM over a hole
 * after doing the mapped part, and flushes once. */
Test(vma, madvise_dontneed_clears_ptes)
{
	struct buddy b;
	struct buddy_cfg bc = {.base_pfn = 0x100000,
			       .nr_pages = 1 << 14,
			       .max_order = 10,
			       .policy = buddy_policy_find("lifo")};
	cr_assert_eq(buddy_init(&b, &bc), 0);
	struct mm_pgtable ctx;
	mm_pgtable_init(&ctx, &b, 4);
	struct mm_stats st = {0};
	struct mm_cfg cfg = {.index = &vma_index_rbtree,
			     .max_map_count = MM_MAX_MAP_COUNT,
			     .populate = true,
			     .pt = &mm_pgtable_ops,
			     .pt_ctx = &ctx};
	struct mm mm;
	cr_assert_eq(mm_init(&mm, &cfg, &st), 0);
	cr_assert_eq(mm_mmap(&mm, WIN_BASE, 16 << 12, VMA_READ | VMA_WRITE, MME_F_ANON, (u64)-1, 0), 0);
	u64 flushes = st.tlb_flush_range;
	cr_assert_eq(mm_madvise(&mm, WIN_BASE + (4 << 12), 4 << 12, MM_MADV_DONTNEED), 0);
	cr_assert_eq(st.tlb_flush_range, flushes + 1);
	for (u64 i = 0; i < 16; i++)
		cr_assert_eq(pgtable_lookup(mm.pt, WIN_BASE + (i << 12)) >= 0, i < 4 || i >= 8, "page %llu",
			     (unsigned long long)i);
	cr_assert_eq(mm.map_count, 1);
	/* over the end of the mapping: the mapped part is cleared, the hole reported */
	cr_assert_eq(mm_madvise(&mm, WIN_BASE + (12 << 12), 8 << 12, MM_MADV_DONTNEED), -ENOMEM);
	cr_assert_lt(pgtable_lookup(mm.pt, WIN_BASE + (13 << 12)), 0);
	cr_assert_eq(mm_madvise(&mm, WIN_BASE + 1, 4096, MM_MADV_DONTNEED), -EINVAL);
	mm_fini(&mm);
	buddy_fini(&b);
}

static struct mm_event pev(unsigned kind, u32 pid, u64 addr, u64 len)
{
	struct mm_event e = {.kind = (u8)kind, .pid = pid, .addr = addr, .len = len};
	return e;
}

/* fork copies, CLONE_VM shares, execve replaces, exit_group drops; failed calls are skipped */
Test(vma, processes_fork_share_exec_exit)
{
	struct procs p;
	struct mm_cfg cfg;
	procs_cfg_default(&cfg);
	cr_assert_eq(procs_init(&p, &cfg), 0);
	struct mm_event e = pev(MME_MMAP, 10, WIN_BASE, 8192);
	e.prot = VMA_READ | VMA_WRITE;
	e.flags = MME_F_ANON;
	e.len2 = (u64)-1;
	cr_assert_eq(procs_event(&p, &e), 0);
	cr_assert_eq(p.ps.unknown_pids, 1);
	struct mm_event f = pev(MME_FORK, 10, 0, 0);
	f.addr2 = 11;
	cr_assert_eq(procs_event(&p, &f), 0); /* 11: a copy */
	f.addr2 = 12;
	f.flags = MME_F_CLONE_VM;
	cr_assert_eq(procs_event(&p, &f), 0); /* 12: a thread of 10 */
	cr_assert(procs_mm(&p, 11) != procs_mm(&p, 10));
	cr_assert(procs_mm(&p, 12) == procs_mm(&p, 10));
	cr_assert_eq(procs_mm(&p, 11)->map_count, 1);
	/* the child unmaps its copy: the parent keeps its own */
	struct mm_event u = pev(MME_MUNMAP, 11, WIN_BASE, 8192);
	cr_assert_eq(procs_event(&p, &u), 0);
	cr_assert_eq(procs_mm(&p, 11)->map_count, 0);
	cr_assert_eq(procs_mm(&p, 10)->map_count, 1);
	/* the thread maps: the parent sees it */
	e.pid = 12;
	e.addr = WIN_BASE + (64 << 12);
	cr_assert_eq(procs_event(&p, &e), 0);
	cr_assert_eq(procs_mm(&p, 10)->map_count, 2);
	/* a call that failed in the trace is not applied */
	u.pid = 10;
	u.flags = MME_F_FAILED;
	cr_assert_eq(procs_event(&p, &u), 0);
	cr_assert_eq(procs_mm(&p, 10)->map_count, 2);
	cr_assert_eq(p.ps.failed_skipped[MME_MUNMAP], 1);
	/* execve: a fresh, empty address space; the thread keeps the old one */
	struct mm_event x = pev(MME_EXEC, 10, 0, 0);
	cr_assert_eq(procs_event(&p, &x), 0);
	cr_assert_eq(procs_mm(&p, 10)->map_count, 0);
	cr_assert_eq(procs_mm(&p, 12)->map_count, 2);
	u64 live = p.live;
	struct mm_event q = pev(MME_EXIT, 12, 0, 0);
	cr_assert_eq(procs_event(&p, &q), 0);
	cr_assert_null(procs_mm(&p, 12));
	cr_assert_eq(p.live, live - 1); /* its mm had no other user left */
	procs_fini(&p);
}

/* Garbage in: random kinds, pids, addresses, lengths and flags never crash the process model or
 * break its invariants; the model refuses what the kernel would refuse. */
Test(vma, random_events_keep_invariants)
{
	for (int populate = 0; populate < 2; populate++) {
		struct sim_cfg sc;
		sim_cfg_default(&sc);
		sim_cfg_top_zone(&sc)->nr_pages = 1 << 16;
		sc.populate = populate;
		sc.vma = vma_indexes[populate];
		struct sim *s = malloc(sizeof(*s));
		cr_assert_eq(sim_init(s, &sc), 0);
		struct rng g;
		rng_seed(&g, 77 + (u64)populate);
		for (int i = 0; i < 20000; i++) {
			struct mm_event e = {0};
			e.kind = (u8)(MME_MMAP + rng_below(&g, MME_EXIT - MME_MMAP + 1));
			e.pid = 1 + (u32)rng_below(&g, 6);
			u64 r = rng_next(&g);
			/* addresses: near a small window, or anywhere (overflow, misalignment) */
			e.addr = r & 1 ? WIN_BASE + (rng_below(&g, 256) << 12) : rng_next(&g);
			e.addr2 = r & 2 ? WIN_BASE + (rng_below(&g, 256) << 12) : rng_next(&g) & ~0xfffULL;
			u64 maxlen = populate ? 64 << 12 : ~0ULL;
			e.len = r & 4 ? (rng_below(&g, 64) << 12) : rng_next(&g) % maxlen;
			e.len2 = r & 8 ? (u64)-1 : rng_below(&g, 64) << 12;
			e.aux = rng_below(&g, 16);
			e.prot = (u8)rng_below(&g, 8);
			e.flags = (u16)(rng_next(&g) & 0x7fe); /* never FAILED: everything is applied */
			if (e.kind == MME_FORK)
				e.addr2 = 1 + rng_below(&g, 6);
			cr_assert_eq(sim_event(s, &e), 0, "event %d", i);
			struct mm *mm = procs_mm(&s->procs, e.pid);
			if (mm && i % 97 == 0) {
				char msg[256];
				cr_assert_eq(mm_check(mm, msg, sizeof(msg)), 0, "event %d: %s", i, msg);
			}
		}
		cr_assert_gt(s->procs.st.err_einval, 0);
		sim_fini(s);
		free(s);
	}
}

/* x86 flush_tlb_mm_range: a flush of more than tlb_single_page_flush_ceiling (33) pages
 * flushes the whole address space; 0 never promotes. munmap, madvise and mprotect alike. */
Test(vma, flush_ceiling_promotes_large_process_flushes)
{
	for (u64 ceiling = 0; ceiling <= 33; ceiling += 33) {
		struct buddy b;
		struct buddy_cfg bc = {.base_pfn = 0x100000,
				       .nr_pages = 1 << 14,
				       .max_order = 10,
				       .policy = buddy_policy_find("lifo")};
		cr_assert_eq(buddy_init(&b, &bc), 0);
		struct mm_pgtable ctx;
		mm_pgtable_init(&ctx, &b, 4);
		struct mm_stats st = {0};
		struct mm_cfg cfg = {.index = &vma_index_maple,
				     .max_map_count = MM_MAX_MAP_COUNT,
				     .populate = true,
				     .pt = &mm_pgtable_ops,
				     .pt_ctx = &ctx,
				     .flush_ceiling = ceiling};
		struct mm mm;
		cr_assert_eq(mm_init(&mm, &cfg, &st), 0);
		cr_assert_eq(mm_mmap(&mm, WIN_BASE, 200 << 12, VMA_READ | VMA_WRITE, MME_F_ANON, (u64)-1, 0),
			     0);
		cr_assert_eq(mm_munmap(&mm, WIN_BASE, 33 << 12), 0); /* at the ceiling: a range */
		cr_assert_eq(st.tlb_flush_range, 1);
		cr_assert_eq(st.tlb_flush_pages, 33);
		cr_assert_eq(mm_munmap(&mm, WIN_BASE + (33 << 12), 34 << 12), 0); /* one page more */
		cr_assert_eq(mm_madvise(&mm, WIN_BASE + (67 << 12), 40 << 12, MM_MADV_DONTNEED), 0);
		cr_assert_eq(mm_mprotect(&mm, WIN_BASE + (107 << 12), 90 << 12, VMA_READ, 0), 0);
		u64 big = ceiling ? 3 : 0;
		cr_assert_eq(st.tlb_flush_all, big, "ceiling %llu", (unsigned long long)ceiling);
		cr_assert_eq(st.tlb_flush_range, 4 - big);
		cr_assert_eq(st.tlb_flush_pages, ceiling ? 33 : 33 + 34 + 40 + 90);
		mm_fini(&mm);
		buddy_fini(&b);
	}
}
