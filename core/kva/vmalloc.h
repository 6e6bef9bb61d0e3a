/* The vmalloc layer of one simulated kernel: vmalloc/vmalloc_32/vfree/vmap/ioremap/vunmap over
 * a vmlist variant (address space), the kernel's page tables (init_mm) and a TLB flush policy,
 * with data and table pages taken from a page source (a buddy or the machine's zones) shared with
 * the rest of the machine. vmalloc allocates one order-0 page per page and maps them; any failure
 * unwinds completely, as __vmalloc does. vfree unmaps, frees the area's own pages and flushes per
 * policy (__vunmap with deallocate_pages = 1); vunmap only unmaps (deallocate_pages = 0), so the
 * pages of a vmalloc area it removes stay allocated (counted as leaked). Bad frees are counted. */
#ifndef VMALLOC_H
#define VMALLOC_H

#include "buddy.h"
#include "pagesrc.h"
#include "hmap.h"
#include "pgtable.h"
#include "tlb.h"
#include "vmlist.h"

/* x86-64 VMALLOC_START / VMALLOC_END with 4-level paging */
#define VMALLOC_DEFAULT_START 0xffffc90000000000ULL
#define VMALLOC_DEFAULT_END 0xffffe8ffffffffffULL

enum vmalloc_guard {
	VMALLOC_GUARD_ADD = 0,	/* one guard page added to every request (2.4; every vmalloc()) */
	VMALLOC_GUARD_INCLUDED, /* the size already holds the guard page (traced alloc_vmap_area) */
	VMALLOC_GUARD_NONE,	/* no guard page (VM_NO_GUARD) */
};

struct vmalloc_cfg {
	u64 vstart, vend; /* the space: [vstart, vend); vend may be the kernel's inclusive ...ffff */
	const struct vmlist_ops *vmlist;
	bool cached_hole; /* rbtree vmlist: the free_vmap_cache shortcut */
	const struct tlb_policy_ops *tlb;
	unsigned ncpus;	 /* for IPIs and lazy_max_pages */
	unsigned levels; /* init_mm page-table levels, 2..5 */
	enum vmalloc_guard guard;
	bool free_tables; /* free page tables left empty by vfree (the kernel never does) */
};

/* Defaults: the x86-64 space, augmented, lazy, 2 CPUs, 4 levels, guard added, tables kept. */
void vmalloc_cfg_default(struct vmalloc_cfg *cfg);

struct vmalloc_stats {
	u64 vmallocs, vfrees, vmaps, vunmaps; /* successful calls (vmallocs include vmalloc_32) */
	u64 vmalloc32s, ioremaps;	      /* successful vmalloc_32 and ioremap calls */
	u64 ioremap_pages;		      /* device pages mapped by ioremap (never from the buddy) */
	u64 leaked_pages;		      /* vmalloc pages left allocated by a vunmap of their area */
	u64 alloc_failures;		      /* vmalloc/vmap failures: space + page + table + map */
	u64 space_failures;		      /* no room in the vmlist, even after a forced purge */
	u64 page_failures;		      /* the buddy had no data page (unwound) */
	u64 table_failures;		      /* no page-table page (unwound) */
	u64 map_conflicts;		      /* a PTE already present (aliasing with few levels; unwound) */
	u64 invalid;			      /* size 0, align not a power of two, empty range */
	u64 bad_frees;		     /* vfree/vunmap of a misaligned, unknown or already freed address */
	u64 kind_mismatches;	     /* vfree of a vmap area or vunmap of a vmalloc area (done right) */
	u64 pages_alloc, pages_free; /* order-0 data pages taken from / given back to the buddy */
	u64 live_areas, live_pages;  /* areas and data pages mapped now (lazily freed excluded) */
};

/* A struct vmalloc must not be moved after vmalloc_init (its vmlist keeps pointers). */
struct vmalloc {
	struct vmalloc_cfg cfg;
	struct pagesrc src; /* borrowed: the machine's zone(s) */
	struct vmlist vl;
	struct pgtable *pt; /* init_mm's page tables */
	struct pgtable_stats pts;
	struct tlb tlb;
	struct hmap areas; /* start -> size | VMALLOC_AREA_VMAP of live areas (not lazily freed) */
	u64 *pfns;	   /* scratch page list for one allocation */
	u64 pfns_cap;
	struct vmalloc_stats st;
};

#define VMALLOC_AREA_VMAP 1ULL /* low bit of an areas value: caller's pages (vmap, ioremap) */
#define VMALLOC_AREA_IO 2ULL   /* an ioremap area (device memory, with VMALLOC_AREA_VMAP) */

int vmalloc_init(struct vmalloc *vm, const struct vmalloc_cfg *cfg, struct buddy *b);
/* The same with pages (data and tables) from any page source. */
int vmalloc_init_src(struct vmalloc *vm, const struct vmalloc_cfg *cfg, const struct pagesrc *src);
/* Tear down the model (page tables freed to the buddy; live areas' data pages are not). */
void vmalloc_fini(struct vmalloc *vm);

/* vmalloc: reserve size (page-aligned up; plus a guard page per cfg) at an align-aligned
 * address in [vstart, vend) (clipped to the space; 0, 0 = the whole space), take and map one
 * page per page. 0 with *addr; -EINVAL (counted invalid) or -ENOMEM (counted, unwound). */
int vmalloc_alloc(struct vmalloc *vm, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr);
/* vmalloc_32: as vmalloc_alloc, with every data page from a zone a 32-bit pointer addresses
 * (zone limit DMA32: pfn < 0x100000); page tables stay ordinary (GFP_KERNEL) allocations. */
int vmalloc_alloc32(struct vmalloc *vm, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr);
/* ioremap: reserve an area (plus the guard page, as get_vm_area adds it) and map the physical
 * range [phys & PAGE_MASK, PAGE_ALIGN(phys + size)); no page comes from the buddy and none is
 * ever freed. *addr is the area's start; phys's offset in its page is the caller's. 0,
 * -EINVAL (size 0 or the range wraps; counted invalid), -ENOMEM (counted). */
int vmalloc_ioremap(struct vmalloc *vm, u64 phys, u64 size, u64 *addr);
/* vfree: 0; -EINVAL (misaligned) or -ENOENT (unknown, double): counted in bad_frees. */
int vmalloc_vfree(struct vmalloc *vm, u64 addr);
/* vmap: map the caller's n pages; they are never freed by the model. */
int vmalloc_vmap(struct vmalloc *vm, const u64 *pfns, u64 n, u64 *addr);
/* vunmap (also iounmap): unmap any area and never free a page; a vmalloc area's pages stay
 * allocated (leaked_pages), as __vunmap(addr, 0) leaves them. Same errors as vfree. */
int vmalloc_vunmap(struct vmalloc *vm, u64 addr);
/* Purge lazily freed areas now (vm_unmap_aliases-like); returns areas released. */
u64 vmalloc_purge(struct vmalloc *vm);
/* Size of the live area starting at addr (guard included), or 0. */
u64 vmalloc_area_size(const struct vmalloc *vm, u64 addr);

#endif
