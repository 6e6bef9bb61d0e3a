#include "core/kva/vmalloc.h"
#include "core/kva/vmalloc_purge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void vmalloc_cfg_default(struct vmalloc_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->vstart = VMALLOC_DEFAULT_START;
	cfg->vend = VMALLOC_DEFAULT_END;
	cfg->vmlist = vmlist_find("augmented");
	cfg->tlb = tlb_policy_find("lazy");
	cfg->ncpus = 2;
	cfg->levels = 4;
	cfg->guard = VMALLOC_GUARD_ADD;
}

int vmalloc_init(struct vmalloc *vm, const struct vmalloc_cfg *cfg, struct buddy *b)
{
	struct pagesrc src = pagesrc_buddy(b);
	return vmalloc_init_src(vm, cfg, &src);
}

int vmalloc_init_src(struct vmalloc *vm, const struct vmalloc_cfg *cfg, const struct pagesrc *src)
{
	memset(vm, 0, sizeof(*vm));
	vm->cfg = *cfg;
	vm->src = *src;
	if (!cfg->vmlist || !cfg->tlb)
		return -EINVAL;
	struct vmlist_cfg vc = {.vstart = cfg->vstart,
				.vend = cfg->vend,
				.cached_hole = cfg->cached_hole,
				.nr_nodes = cfg->nr_nodes};
	int err = tlb_init(&vm->tlb, cfg->tlb, cfg->ncpus);
	if (err)
		return err;
	vm->tlb.flush_ceiling = cfg->flush_ceiling;
	err = vmlist_init(&vm->vl, cfg->vmlist, &vc);
	if (err)
		goto out_tlb;
	err = hmap_init(&vm->areas, 1024);
	if (err)
		goto out_vl;
	err = pgtable_create_src(&vm->pt, cfg->levels, src, &vm->pts);
	if (err)
		goto out_areas;
	return 0;
out_areas:
	hmap_fini(&vm->areas);
out_vl:
	vmlist_fini(&vm->vl);
out_tlb:
	tlb_fini(&vm->tlb);
	return err;
}

void vmalloc_fini(struct vmalloc *vm)
{
	pgtable_destroy(vm->pt);
	hmap_fini(&vm->areas);
	vmlist_fini(&vm->vl);
	tlb_fini(&vm->tlb);
	free(vm->pfns);
	vm->pt = NULL;
	vm->pfns = NULL;
}

static u64 vmalloc_guard_bytes(const struct vmalloc *vm)
{
	return vm->cfg.guard == VMALLOC_GUARD_NONE ? 0 : MM_PAGE_SIZE;
}

/* Reserve space for an area of area bytes; a failure with lazily freed areas waiting purges
 * them and retries once, as alloc_vmap_area does. */
static int vmalloc_reserve(struct vmalloc *vm, u64 area, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	int err = vmlist_alloc_cpu(&vm->vl, area, align, vstart, vend, vm->cpu, addr);
	if (err == -ENOMEM && (vm->tlb.nr_purge || vm->tlb.nr_lazy_foreign)) {
		vmalloc_purge_now(vm, true);
		err = vmlist_alloc_cpu(&vm->vl, area, align, vstart, vend, vm->cpu, addr);
	}
	return err;
}

/* Follow mode's reserve: the model's prediction, then the kernel's address; a conflict with a
 * model busy area falls back to the model's own choice. */
static int vmalloc_reserve_follow(struct vmalloc *vm, u64 area, u64 align, u64 vstart, u64 vend, u64 kaddr,
				  struct vmlist_pick *pred, struct vmlist_pick *how, u64 *addr)
{
	*pred = (struct vmlist_pick){0};
	int err = vmlist_predict(&vm->vl, area, align, vstart, vend, vm->cpu, pred);
	if (err == -EOPNOTSUPP || err == -EINVAL)
		return err;
	err = vmlist_place(&vm->vl, area, align, vstart, vend, vm->cpu, kaddr, how);
	if (!err) {
		*addr = kaddr;
		return 0;
	}
	if (err == -EBUSY && vm->cfg.purge == VMALLOC_PURGE_TRACE &&
	    tlb_lazy_overlaps(&vm->tlb, kaddr, kaddr + area)) {
		/* The kernel reused a lazily freed area: its purge has run. The trace's event comes
		 * at the end of __purge_vmap_area_lazy, after the pools were filled, and another
		 * CPU may allocate in between: run that purge now, not again at its event. */
		vmalloc_purge_now(vm, false);
		vm->purges_ahead++;
		vm->st.early_purges++;
		err = vmlist_place_filling(&vm->vl, area, align, vstart, vend, vm->cpu, kaddr, how);
		if (!err) {
			*addr = kaddr;
			return 0;
		}
	}
	if (err != -EBUSY)
		return err;
	vm->st.follow_conflicts++;
	*how = *pred;
	return vmalloc_reserve(vm, area, align, vstart, vend, addr);
}

static int vmalloc_pfns_reserve(struct vmalloc *vm, u64 n)
{
	if (n <= vm->pfns_cap)
		return 0;
	u64 cap = MM_MAX(n, vm->pfns_cap * 2);
	u64 *p = realloc(vm->pfns, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	vm->pfns = p;
	vm->pfns_cap = cap;
	return 0;
}

/* Validate and normalise a request into the reserved size and the mapped size. */
static int vmalloc_shape(struct vmalloc *vm, u64 size, u64 *align, u64 *vstart, u64 *vend, u64 *area,
			 u64 *mapped)
{
	if (!size || size > (1ULL << 62) || (*align & (*align - 1)))
		return -EINVAL;
	*align = MM_MAX(*align, MM_PAGE_SIZE);
	size = MM_PAGE_ALIGN(size);
	*area = size + (vm->cfg.guard == VMALLOC_GUARD_ADD ? MM_PAGE_SIZE : 0);
	if (*area <= vmalloc_guard_bytes(vm) && vm->cfg.guard == VMALLOC_GUARD_INCLUDED)
		return -EINVAL; /* a traced area holds at least its guard page */
	*mapped = *area - vmalloc_guard_bytes(vm);
	u64 space_end = vm->cfg.vend & MM_PAGE_MASK;
	u64 lo = *vstart ? MM_MAX(*vstart, vm->cfg.vstart) : vm->cfg.vstart;
	u64 hi = *vend ? MM_MIN(*vend, space_end) : space_end;
	if (lo >= hi)
		return -EINVAL;
	*vstart = lo;
	*vend = hi;
	return 0;
}

static void vmalloc_free_pfns(struct vmalloc *vm, u64 n)
{
	for (u64 i = 0; i < n; i++)
		pagesrc_free(&vm->src, vm->pfns[i], 0);
	vm->st.pages_free += n;
}

/* Map pfns[0..n) at addr and record the area; on failure nothing is left but the reserved
 * space, which the caller releases. */
static int vmalloc_map_area(struct vmalloc *vm, u64 addr, u64 area, u64 n, const u64 *pfns, u64 flag)
{
	int err = pgtable_map_range(vm->pt, addr, pfns, n, NULL);
	if (err) {
		if (err == -ENOMEM)
			vm->st.table_failures++;
		else
			vm->st.map_conflicts++;
		return -ENOMEM;
	}
	if (hmap_put(&vm->areas, addr, area | flag) < 0) {
		pgtable_unmap(vm->pt, addr, addr + (n << MM_PAGE_SHIFT), false, NULL, NULL);
		return -ENOMEM;
	}
	vm->st.live_areas++;
	vm->st.live_pages += n;
	return 0;
}

/* follow: NULL, or the kernel's address and where the prediction and the placement go. */
struct vmalloc_follow {
	u64 kaddr;
	struct vmlist_pick *pred, *how;
};

static int vmalloc_alloc_limit(struct vmalloc *vm, u64 size, u64 align, u64 vstart, u64 vend,
			       enum zone_type limit, const struct vmalloc_follow *fw, u64 *addr)
{
	u64 area, mapped, a;
	int err = vmalloc_shape(vm, size, &align, &vstart, &vend, &area, &mapped);
	if (err) {
		vm->st.invalid++;
		return err;
	}
	u64 n = mapped >> MM_PAGE_SHIFT;
	if (vmalloc_pfns_reserve(vm, n))
		return -ENOMEM;
	if (fw)
		err = vmalloc_reserve_follow(vm, area, align, vstart, vend, fw->kaddr, fw->pred, fw->how, &a);
	else
		err = vmalloc_reserve(vm, area, align, vstart, vend, &a);
	if (err == -EOPNOTSUPP)
		return err;
	if (err) {
		vm->st.space_failures += err == -ENOMEM;
		vm->st.invalid += err != -ENOMEM;
		goto fail;
	}
	for (u64 i = 0; i < n; i++) {
		if (pagesrc_alloc(&vm->src, 0, MT_UNMOVABLE, limit, &vm->pfns[i])) {
			vmalloc_free_pfns(vm, i);
			vm->st.pages_alloc += i;
			vm->st.page_failures++;
			goto fail_space;
		}
	}
	vm->st.pages_alloc += n;
	if (vmalloc_map_area(vm, a, area, n, vm->pfns, 0)) {
		vmalloc_free_pfns(vm, n);
		goto fail_space;
	}
	vm->st.vmallocs++;
	vm->st.vmalloc32s += limit == ZONE_DMA32;
	*addr = a;
	return 0;
fail_space:
	vmlist_free(&vm->vl, a, NULL); /* never mapped, nothing to flush */
fail:
	vm->st.alloc_failures++;
	return -ENOMEM;
}

int vmalloc_alloc(struct vmalloc *vm, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	return vmalloc_alloc_limit(vm, size, align, vstart, vend, ZONE_NORMAL, NULL, addr);
}

int vmalloc_predict(struct vmalloc *vm, u64 size, u64 align, u64 vstart, u64 vend, struct vmlist_pick *pick)
{
	u64 area, mapped;
	int err = vmalloc_shape(vm, size, &align, &vstart, &vend, &area, &mapped);
	return err ? err : vmlist_predict(&vm->vl, area, align, vstart, vend, vm->cpu, pick);
}

int vmalloc_alloc_follow(struct vmalloc *vm, u64 size, u64 align, u64 vstart, u64 vend, u64 kaddr,
			 struct vmlist_pick *pred, struct vmlist_pick *how, u64 *addr)
{
	struct vmalloc_follow fw = {.kaddr = kaddr, .pred = pred, .how = how};
	return vmalloc_alloc_limit(vm, size, align, vstart, vend, ZONE_NORMAL, &fw, addr);
}

int vmalloc_alloc32(struct vmalloc *vm, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	return vmalloc_alloc_limit(vm, size, align, vstart, vend, ZONE_DMA32, NULL, addr);
}

/* Reserve an area for n caller-owned pages at pfns[0..n) and map them (vmap, ioremap). */
static int vmalloc_map_foreign(struct vmalloc *vm, const u64 *pfns, u64 n, u64 flag, u64 *addr)
{
	u64 a, area = (n << MM_PAGE_SHIFT) + vmalloc_guard_bytes(vm); /* get_vm_area adds the guard */
	int err = vmalloc_reserve(vm, area, MM_PAGE_SIZE, vm->cfg.vstart, vm->cfg.vend & MM_PAGE_MASK, &a);
	if (err) {
		vm->st.space_failures++;
		vm->st.alloc_failures++;
		return -ENOMEM;
	}
	if (vmalloc_map_area(vm, a, area, n, pfns, flag)) {
		vmlist_free(&vm->vl, a, NULL);
		vm->st.alloc_failures++;
		return -ENOMEM;
	}
	*addr = a;
	return 0;
}

int vmalloc_ioremap(struct vmalloc *vm, u64 phys, u64 size, u64 *addr)
{
	u64 first = phys & MM_PAGE_MASK;
	if (!size || size > (1ULL << 52) || phys > (1ULL << 52)) {
		vm->st.invalid++;
		return -EINVAL;
	}
	u64 n = MM_PAGE_ALIGN(phys + size - first) >> MM_PAGE_SHIFT;
	if (vmalloc_pfns_reserve(vm, n))
		return -ENOMEM;
	for (u64 i = 0; i < n; i++)
		vm->pfns[i] = (first >> MM_PAGE_SHIFT) + i;
	int err = vmalloc_map_foreign(vm, vm->pfns, n, VMALLOC_AREA_VMAP | VMALLOC_AREA_IO, addr);
	if (err)
		return err;
	vm->st.ioremaps++;
	vm->st.ioremap_pages += n;
	return 0;
}

int vmalloc_vmap(struct vmalloc *vm, const u64 *pfns, u64 n, u64 *addr)
{
	if (!n || n > (1ULL << 40)) {
		vm->st.invalid++;
		return -EINVAL;
	}
	int err = vmalloc_map_foreign(vm, pfns, n, VMALLOC_AREA_VMAP, addr);
	if (!err)
		vm->st.vmaps++;
	return err;
}

static void vmalloc_page_unmapped(void *arg, u64 va, u64 pfn)
{
	struct vmalloc *vm = arg;
	pagesrc_free(&vm->src, pfn, 0);
	vm->st.pages_free++;
}

/* Shared by vfree and vunmap: look up, unmap, flush. deallocate_pages (vfree) frees the area's
 * own pages, i.e. those of a vmalloc area; vunmap frees none, and a vmalloc area's stay leaked. */
static int vmalloc_remove(struct vmalloc *vm, u64 addr, bool want_vmap)
{
	u64 rec;
	if (addr & ~MM_PAGE_MASK) {
		vm->st.bad_frees++;
		return -EINVAL;
	}
	if (!hmap_del(&vm->areas, addr, &rec)) {
		vm->st.bad_frees++; /* "Trying to vfree() nonexistent vm area" */
		return -ENOENT;
	}
	bool is_vmap = rec & VMALLOC_AREA_VMAP;
	u64 size = rec & MM_PAGE_MASK, mapped = size - vmalloc_guard_bytes(vm), n = 0;
	vm->st.kind_mismatches += is_vmap != want_vmap;
	bool deallocate = !want_vmap && !is_vmap;
	if (!(rec & VMALLOC_AREA_SEED)) /* a seeded area has nothing mapped in the model */
		n = pgtable_unmap(vm->pt, addr, addr + mapped, vm->cfg.free_tables,
				  deallocate ? vmalloc_page_unmapped : NULL, vm);
	if (want_vmap && !is_vmap)
		vm->st.leaked_pages += n;
	vm->st.live_areas--;
	vm->st.live_pages -= n;
	int r = tlb_unmapped(&vm->tlb, addr, size);
	if (r < 0)
		return r;
	if (r == 1)
		vmlist_free(&vm->vl, addr, NULL);
	else if (tlb_purge_due(&vm->tlb))
		vmalloc_purge_due(vm);
	if (want_vmap)
		vm->st.vunmaps++;
	else
		vm->st.vfrees++;
	return 0;
}

int vmalloc_vfree(struct vmalloc *vm, u64 addr)
{
	return vmalloc_remove(vm, addr, false);
}

int vmalloc_vunmap(struct vmalloc *vm, u64 addr)
{
	return vmalloc_remove(vm, addr, true);
}

int vmalloc_seed_area(struct vmalloc *vm, u64 start, u64 end, bool lazy, unsigned vn_node, bool guess)
{
	if (end <= start || ((start | end) & ~MM_PAGE_MASK))
		return -EINVAL;
	int err = vmlist_reserve(&vm->vl, start, end - start);
	if (err)
		return err;
	if (vn_node != VMLIST_NODES_NONE)
		vmlist_set_owner(&vm->vl, start, vn_node, true, guess);
	if (hmap_put(&vm->areas, start, (end - start) | VMALLOC_AREA_SEED) < 0)
		return -ENOMEM;
	vm->st.live_areas++;
	vm->st.seeded_areas++;
	if (!lazy)
		return 0;
	/* lazily freed before the model started: only the lazy list holds it, no purge yet */
	hmap_del(&vm->areas, start, NULL);
	vm->st.live_areas--;
	int r = tlb_unmapped(&vm->tlb, start, end - start);
	if (r == 1)
		vmlist_free(&vm->vl, start, NULL);
	return r < 0 ? r : 0;
}

u64 vmalloc_area_size(const struct vmalloc *vm, u64 addr)
{
	u64 rec;
	return hmap_get(&vm->areas, addr, &rec) ? rec & MM_PAGE_MASK : 0;
}
