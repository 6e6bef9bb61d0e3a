/* The model's memory budget (sim_mem.h). Sizes are the host structures' own (sizeof) plus
 * malloc's header; a hash table costs its capacity. */
#include "core/machine/sim_mem.h"

#include <errno.h>
#include <stdio.h>

#include "core/lib/bigmem.h"
#include "core/machine/sim.h"

#define SIM_MEM_BASE (1ULL << 20) /* first buckets of the hash tables, vmlist, per-CPU lists */
#define SIM_MEM_MALLOC 16	  /* malloc's header per block */
#define SIM_MEM_AREA 160	  /* a vmap area: its vmlist node and its entries in two tables */
#define SIM_MEM_VMA_INDEX 64	  /* a VMA's share of its index's nodes */
#define SIM_MEM_INDEX_ROOT 512	  /* an address space's first index node (a maple node: 304) */

/* What malloc takes for a block of n bytes: its size class (jemalloc's: four classes per
 * doubling above 128 bytes, so a 4112-byte table takes 5120) or n plus glibc's header. */
static u64 block(u64 n)
{
	u64 c = n <= 128 ? (n + 15) & ~15ULL : 0;
	if (!c) {
		unsigned k = 63 - (unsigned)__builtin_clzll(n - 1); /* 2^k < n <= 2^(k+1) */
		u64 step = 1ULL << (k - 2);
		c = (n + step - 1) & ~(step - 1);
	}
	return MM_MAX(c, n + SIM_MEM_MALLOC);
}

static u64 vma_bytes(void)
{
	return block(sizeof(struct vma)) + SIM_MEM_VMA_INDEX;
}

/* An address space: its mm, its index's state and first node, its page table's header. */
static u64 mm_bytes(const struct sim *s)
{
	return block(sizeof(struct mm)) + block(s->procs.cfg.index->priv_size) + block(pgtable_bytes()) +
	       SIM_MEM_INDEX_ROOT + 64 /* pid slot */;
}

u64 sim_mem_fixed(const struct sim_cfg *cfg)
{
	u64 pages = 0, b = 0;
	for (unsigned z = 0; z < cfg->zones.nr_zones && z < ZONE_NR_TYPES; z++) {
		pages += cfg->zones.zone[z].nr_pages;
		b += bigmem_size(cfg->zones.zone[z].nr_pages * 8); /* the frame words (buddy_init) */
	}
	/* the addr policy's bitmaps (a bit per block of every order: at most 2 bits per page) and
	 * mobility's byte per pageblock */
	b += pages / 4 + pages / 512;
	b += (u64)cfg->pkmap.nr_slots * (sizeof(u32) + sizeof(u64) + 1);
	return b + SIM_MEM_BASE;
}

void sim_mem_format(u64 bytes, char *buf, size_t len)
{
	static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	unsigned u = 0;
	double v = (double)bytes;
	while (v >= 1024 && u + 1 < MM_ARRAY_SIZE(unit))
		v /= 1024, u++;
	if (u == 0 || v >= 100 || v == (double)(u64)v)
		snprintf(buf, len, "%.0f %s", v, unit[u]);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
}

int sim_mem_check(const struct sim_cfg *cfg, char *err, size_t len)
{
	u64 need = sim_mem_fixed(cfg);
	if (need <= cfg->model_mem_max)
		return 0;
	u64 pages = 0;
	for (unsigned z = 0; z < cfg->zones.nr_zones && z < ZONE_NR_TYPES; z++)
		pages += cfg->zones.zone[z].nr_pages;
	char a[32], b[32];
	sim_mem_format(need, a, sizeof(a));
	sim_mem_format(cfg->model_mem_max, b, sizeof(b));
	snprintf(err, len,
		 "the model of this configuration takes %s up front (zones of %llu pages in all), over "
		 "model-mem-max %s: raise model-mem-max (--model-mem-max) or use smaller zones",
		 a, (unsigned long long)pages, b);
	return -E2BIG;
}

void sim_mem_init(struct sim *s)
{
	s->mem = (struct sim_mem){
		.limit = s->cfg.model_mem_max ? s->cfg.model_mem_max : SIM_MEM_DEFAULT_MAX,
		.fixed = sim_mem_fixed(&s->cfg),
		.table_bytes = block(pgtable_table_bytes()),
	};
}

static u64 tables_live(const struct pgtable_stats *st)
{
	return st->pgtable_pages_alloc - st->pgtable_pages_free;
}

u64 sim_mem_used(const struct sim *s)
{
	const struct sim_mem *m = &s->mem;
	u64 b = m->fixed + (tables_live(&s->vm.pts) + tables_live(&s->mm_pt.st)) * m->table_bytes;
	b += s->procs.live * mm_bytes(s) + s->procs.vmas.nr_out * vma_bytes();
	b += s->vm.pfns_cap * sizeof(u64) + s->vm.st.live_areas * SIM_MEM_AREA;
	b += hmap_bytes(&s->pages.live) + pfnmap_bytes(&s->pages.owner) + migpend_bytes(&s->pages.migrated) +
	     migpend_bytes(&s->pages.doubt) + hmap_bytes(&s->vmap_pair) + hmap_bytes(&s->procs.pids) +
	     hmap_bytes(&s->pkmap.map);
	return b;
}

/* --- process page tables: the zones, refusing a page beyond the limit --- */

static int tsrc_alloc(void *ctx, unsigned order, int mt, enum zone_type limit, u64 *pfn)
{
	struct sim *s = ctx;
	if (!s->mem.relaxed && sim_mem_used(s) + s->mem.table_bytes > s->mem.limit) {
		s->mem.refused++;
		s->mem.cut++;
		return -ENOMEM;
	}
	return pagesrc_alloc(&s->model_src, order, mt, limit, pfn);
}

static int tsrc_alloc_at(void *ctx, u64 pfn, unsigned order, int mt)
{
	struct sim *s = ctx;
	return pagesrc_alloc_at(&s->model_src, pfn, order, mt);
}

static int tsrc_free(void *ctx, u64 pfn, unsigned order)
{
	struct sim *s = ctx;
	return pagesrc_free(&s->model_src, pfn, order);
}

static unsigned tsrc_max_order(const void *ctx)
{
	const struct sim *s = ctx;
	return pagesrc_max_order(&s->model_src);
}

static const struct pagesrc_ops sim_mem_tables_ops = {
	.name = "zones, within model-mem-max",
	.alloc = tsrc_alloc,
	.alloc_at = tsrc_alloc_at,
	.free = tsrc_free,
	.max_order = tsrc_max_order,
};

struct pagesrc sim_mem_table_src(struct sim *s)
{
	return (struct pagesrc){.ops = &sim_mem_tables_ops, .ctx = s};
}

/* --- admission --- */

/* A fork's copy: the child's mm, its VMAs and, with populate, its page tables: as many as the
 * parent's, whose accessible VMAs were all populated (the parent's index is not walked: a walk
 * would move its cursor and change the model's own counts). Once a populated mapping has been
 * cut short at the limit that bound no longer holds: such forks are refused. */
static u64 fork_need(const struct sim *s, const struct mm *parent)
{
	u64 need = mm_bytes(s) + s->mem.table_bytes;
	if (!parent)
		return need;
	need += parent->map_count * vma_bytes();
	if (s->procs.cfg.populate && parent->pt) {
		if (s->mem.cut)
			return UINT64_MAX;
		need += pgtable_nr_table_pages(parent->pt) * s->mem.table_bytes;
	}
	return need;
}

static u64 proc_need(const struct sim *s, const struct mm_event *ev)
{
	const struct mm *mm = procs_mm(&s->procs, ev->pid);
	u64 need = mm ? 0 : mm_bytes(s) + s->mem.table_bytes; /* a pid seen first: a fresh mm */
	switch (ev->kind) {
	case MME_MMAP:
	case MME_BRK:
	case MME_MREMAP:
		return need + vma_bytes(); /* populated pages are checked page-table page by page */
	case MME_EXEC:
		return need + mm_bytes(s) + s->mem.table_bytes;
	case MME_FORK:
		if ((ev->flags & MME_F_CLONE_VM) || ev->addr2 == ev->pid)
			return need;
		return need + fork_need(s, mm);
	default:
		return need; /* munmap, mprotect, madvise, exit: they free, or split a VMA at most */
	}
}

/* A vmap area: its page list (the scratch array grows to it), its table pages, its records. */
static u64 vmap_need(const struct sim *s, const struct mm_event *ev)
{
	u64 n;
	if (ev->kind == MME_IOREMAP) {
		if (!ev->len || ev->len > (1ULL << 52) || ev->addr2 > (1ULL << 52))
			return 0; /* refused as invalid by the model */
		u64 first = ev->addr2 & MM_PAGE_MASK;
		n = MM_PAGE_ALIGN(ev->addr2 + ev->len - first) >> MM_PAGE_SHIFT;
	} else {
		if (!ev->len || ev->len > (1ULL << 62))
			return 0;
		n = MM_PAGE_ALIGN(ev->len) >> MM_PAGE_SHIFT;
	}
	u64 list = n > s->vm.pfns_cap ? MM_MAX(n, 2 * s->vm.pfns_cap) * sizeof(u64) : 0;
	u64 tables = n / 511 + 2 * PGTABLE_MAX_LEVELS;
	return list + tables * s->mem.table_bytes + SIM_MEM_AREA;
}

bool sim_mem_admit(struct sim *s, const struct mm_event *ev)
{
	u64 need = 0;
	if (ev->flags & MME_F_FAILED)
		return true; /* nothing is replayed */
	if (ev->kind >= MME_MMAP && ev->kind <= MME_EXIT)
		need = proc_need(s, ev);
	else if (ev->kind == MME_VMAP_ALLOC || ev->kind == MME_VMALLOC32 || ev->kind == MME_IOREMAP)
		need = vmap_need(s, ev);
	if (!need)
		return true;
	u64 used = sim_mem_used(s);
	if (need <= s->mem.limit && used <= s->mem.limit - need) { /* UINT64_MAX: refused */
		s->mem.relaxed = ev->kind == MME_FORK;		   /* its bound covers its copy */
		return true;
	}
	s->mem.refused++;
	return false;
}

void sim_mem_done(struct sim *s, const struct mm_event *ev)
{
	s->mem.relaxed = false;
	if (ev->kind > MME_PAGE_FREE && ev->kind != MME_PAGE_ZONE_LOCKED && ev->kind != MME_PAGE_PCPU_DRAIN) {
		u64 used = sim_mem_used(s);
		if (used > s->mem.peak)
			s->mem.peak = used;
	}
}
