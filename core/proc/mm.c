/* Address space core: VMA allocation, linking, split_vma, vma_merge for new ranges, do_munmap,
 * mmap, and the life cycle (init, dup for fork, fini for exit). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm_event.h"
#include "core/proc/mm_internal.h"

int mm_fail(struct mm *mm, int err)
{
	if (err == -EINVAL)
		mm->st->err_einval++;
	else if (err == -ENOMEM)
		mm->st->err_enomem++;
	else if (err == -EFAULT)
		mm->st->err_efault++;
	return err;
}

bool mm_mergeable(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->flags == b->flags && a->file == b->file &&
	       a->pgoff + vma_pages(a) == b->pgoff && mm_anon_vma_compat(a->anon_vma, b->anon_vma);
}

struct vma *mm_vma_alloc(struct mm *mm)
{
	if (!mm->vma_pool)
		return calloc(1, sizeof(struct vma));
	struct vma *v = objpool_get(mm->vma_pool);
	if (v)
		memset(v, 0, sizeof(*v));
	return v;
}

void mm_vma_free(struct mm *mm, struct vma *v)
{
	if (mm->vma_pool)
		objpool_put(mm->vma_pool, v);
	else
		free(v);
}

int mm_link(struct mm *mm, struct vma *v)
{
	int err = mm->cfg->index->insert(mm->index, v, &mm->st->vma);
	if (err)
		return err;
	mm->map_count++;
	if (mm->map_count > mm->st->vma.vmas_peak)
		mm->st->vma.vmas_peak = mm->map_count;
	return 0;
}

void mm_unlink(struct mm *mm, struct vma *v)
{
	mm->cfg->index->erase(mm->index, v, &mm->st->vma);
	mm->map_count--;
}

int mm_resize(struct mm *mm, struct vma *v, u64 start, u64 end)
{
	return mm->cfg->index->resize(mm->index, v, start, end, &mm->st->vma);
}

struct vma *mm_prev(struct mm *mm, struct vma *v)
{
	return mm->cfg->index->prev(mm->index, v, &mm->st->vma);
}

struct vma *mm_find(struct mm *mm, u64 addr)
{
	return mm->cfg->index->find(mm->index, addr, &mm->st->vma);
}

struct vma *mm_first(struct mm *mm)
{
	return mm->cfg->index->first(mm->index, &mm->st->vma);
}

struct vma *mm_next(struct mm *mm, struct vma *v)
{
	return mm->cfg->index->next(mm->index, v, &mm->st->vma);
}

void mm_populate_anon_vma(struct mm *mm, struct vma *v)
{
	bool written = mm->cfg->populate || (mm->in_loader && mm->cfg->loader_faults);
	if (written && !v->anon_vma && v->file == VMA_ANON && (v->flags & VMA_WRITE))
		v->anon_vma = ++mm->next_anon_vma;
}

int mm_pt_fill(struct mm *mm, u64 s, u64 e, u32 flags)
{
	if (!mm->cfg->populate || s >= e || !(flags & VMA_PROT_MASK))
		return 0; /* MAP_POPULATE leaves PROT_NONE mappings alone */
	mm->st->ptes_set += (e - s) >> MM_PAGE_SHIFT;
	if (!mm->pt)
		return 0;
	return mm->cfg->pt->populate(mm->cfg->pt_ctx, mm->pt, s, e);
}

u64 mm_pt_clear(struct mm *mm, u64 s, u64 e, bool free_tables)
{
	u64 cleared = 0, freed = 0;
	if (mm->pt)
		cleared = mm->cfg->pt->unmap(mm->cfg->pt_ctx, mm->pt, s, e, free_tables, &freed);
	else if (mm->cfg->populate)
		cleared = (e - s) >> MM_PAGE_SHIFT; /* no tables: every mapped page counts as present */
	mm->st->ptes_cleared += cleared;
	mm->st->pgtable_pages_free += freed;
	if (free_tables)
		mm->st->munmap_free_tables += freed;
	return cleared + freed;
}

int mm_split(struct mm *mm, struct vma *v, u64 addr, bool check_limit, struct vma **upper)
{
	if (check_limit && mm->map_count >= mm->cfg->max_map_count) {
		mm->st->err_map_count++;
		return -ENOMEM;
	}
	struct vma *n = mm_vma_alloc(mm);
	if (!n)
		return -ENOMEM;
	*n = (struct vma){.start = addr,
			  .end = v->end,
			  .file = v->file,
			  .pgoff = v->pgoff + ((addr - v->start) >> MM_PAGE_SHIFT),
			  .flags = v->flags,
			  .anon_vma = v->anon_vma};
	int err = mm_resize(mm, v, v->start, addr);
	if (!err)
		err = mm_link(mm, n);
	if (err) {
		mm_vma_free(mm, n);
		return err;
	}
	mm->st->vma.vma_splits++;
	*upper = n;
	return 0;
}

struct vma *mm_map_range(struct mm *mm, const struct vma *t, bool merge_next)
{
	struct vma *p = t->start ? mm_find(mm, t->start - 1) : mm_first(mm);
	struct vma *prev = p && p->end == t->start ? p : NULL;
	struct vma *next = prev ? mm_next(mm, prev) : p;
	if (!merge_next || (next && next->start != t->end))
		next = NULL;
	bool cp = prev && mm_mergeable(prev, t), cn = next && mm_mergeable(t, next);
	if (cp && cn && !mm_anon_vma_compat(prev->anon_vma, next->anon_vma))
		cn = false; /* prev and next cannot share one anon_vma: merge with prev only */
	if (cp || cn)
		mm->st->vma.vma_merges++;
	if (cp && cn) {
		u64 end = next->end;
		u32 av = prev->anon_vma ? prev->anon_vma : next->anon_vma;
		mm_unlink(mm, next);
		mm_vma_free(mm, next);
		prev->anon_vma = av ? av : t->anon_vma;
		return mm_resize(mm, prev, prev->start, end) ? NULL : prev;
	}
	if (cp) {
		if (!prev->anon_vma)
			prev->anon_vma = t->anon_vma;
		return mm_resize(mm, prev, prev->start, t->end) ? NULL : prev;
	}
	if (cn) {
		next->pgoff = t->pgoff;
		if (!next->anon_vma)
			next->anon_vma = t->anon_vma;
		return mm_resize(mm, next, t->start, next->end) ? NULL : next;
	}
	struct vma *v = mm_vma_alloc(mm);
	if (!v)
		return NULL;
	*v = *t;
	v->prev = v->next = v->detached = NULL;
	if (mm_link(mm, v)) {
		mm_vma_free(mm, v);
		return NULL;
	}
	return v;
}

int mm_do_munmap(struct mm *mm, u64 start, u64 end)
{
	struct mm_stats *st = mm->st;
	struct vma *v = mm_find(mm, start);
	if (!v || v->start >= end) {
		st->munmap_nothing++;
		return 0;
	}
	/* split the front off; a hole in the middle adds a VMA, refused at max_map_count */
	if (v->start < start) {
		if (end < v->end && mm->map_count >= mm->cfg->max_map_count) {
			st->err_map_count++;
			return -ENOMEM;
		}
		struct vma *up;
		int err = mm_split(mm, v, start, false, &up);
		if (err)
			return err;
		st->munmap_split_front++;
		v = up;
	}
	/* split the tail, and detach [start, end) into a chain */
	struct vma *head = NULL, **tail = &head;
	u64 lo = v->start, hi = v->start, pages = 0;
	int err = 0;
	while (v && v->start < end) {
		if (v->end > end) {
			struct vma *up;
			err = mm_split(mm, v, end, false, &up);
			if (err)
				break; /* host failure: unmap what was detached, report it */
			st->munmap_split_tail++;
		}
		struct vma *n = mm_next(mm, v);
		mm_unlink(mm, v);
		st->vma.vmas_detached++;
		v->detached = NULL;
		*tail = v;
		tail = &v->detached;
		hi = v->end;
		pages += vma_pages(v);
		v = n;
	}
	st->do_munmap++;
	st->munmap_detach++;
	/* unmap_region: one mmu_gather over the range, free_pgtables, one ranged TLB flush */
	st->munmap_unmap_region++;
	u64 work = 0;
	if (mm->pt) {
		work = mm_pt_clear(mm, lo, hi, true);
	} else if (mm->cfg->populate) {
		st->ptes_cleared += pages;
		work = pages;
	}
	if (work)
		mm_flush_range(mm, (hi - lo) >> MM_PAGE_SHIFT);
	/* remove_vma_list */
	while (head) {
		struct vma *n = head->detached;
		mm_vma_free(mm, head);
		st->munmap_remove++;
		head = n;
	}
	return err;
}

int mm_munmap(struct mm *mm, u64 start, u64 len)
{
	mm->st->munmap_calls++;
	mm_call_begin(mm);
	mm->in_loader = false;
	if ((start & ~MM_PAGE_MASK) || start > MM_TASK_SIZE || len > MM_TASK_SIZE - start)
		return mm_fail(mm, -EINVAL);
	len = MM_PAGE_ALIGN(len);
	if (!len)
		return mm_fail(mm, -EINVAL);
	int err = mm_do_munmap(mm, start, start + len);
	return err ? mm_fail(mm, err) : 0;
}

int mm_mmap(struct mm *mm, u64 addr, u64 len, unsigned prot, unsigned mflags, u64 fd, u64 off)
{
	struct mm_stats *st = mm->st;
	st->mmap_calls++;
	mm_call_begin(mm);
	if ((addr & ~MM_PAGE_MASK) || !len)
		return mm_fail(mm, -EINVAL);
	len = MM_PAGE_ALIGN(len);
	if (!len || addr > MM_TASK_SIZE || len > MM_TASK_SIZE - addr)
		return mm_fail(mm, -ENOMEM);
	bool anon = (mflags & MME_F_ANON) || fd == (u64)-1, shared = mflags & MME_F_SHARED;
	if (!anon && (off & ~MM_PAGE_MASK))
		return mm_fail(mm, -EINVAL);
	if (mm->map_count > mm->cfg->max_map_count) {
		st->err_map_count++;
		return mm_fail(mm, -ENOMEM);
	}
	u64 end = addr + len;
	struct vma t = {.start = addr, .end = end};
	t.flags = (prot & VMA_PROT_MASK) | (shared ? VMA_SHARED : 0);
	if (mflags & MME_F_GROWSDOWN)
		t.flags |= VMA_GROWSDOWN;
	if (mflags & MME_F_STACK)
		t.flags |= VMA_NOHUGEPAGE;
	if (!shared && (prot & VMA_WRITE))
		t.flags |= VMA_ACCOUNT; /* accountable_mapping */
	if (anon && shared) {
		t.pgoff = 0; /* t.file: a fresh shmem file, once the range is free */
	} else if (anon) {
		t.file = VMA_ANON;
		t.pgoff = addr >> MM_PAGE_SHIFT;
	} else {
		t.file = fd;
		t.pgoff = off >> MM_PAGE_SHIFT;
	}
	/* mmap_region: whatever overlaps goes first (MAP_FIXED, or a model that lacks a hole) */
	struct vma *o = mm_find(mm, addr);
	if (o && o->start < end) {
		st->mmap_fixed_unmaps++;
		if (!(mflags & MME_F_FIXED))
			st->mmap_model_overlap++;
		int err = mm_do_munmap(mm, addr, end);
		if (err)
			return mm_fail(mm, err);
	}
	if (anon && shared)
		t.file = (1ULL << 63) | mm->next_shmem++; /* merges with nothing */
	struct vma *v = mm_map_range(mm, &t, true);
	if (!v)
		return mm_fail(mm, -ENOMEM);
	mm_populate_anon_vma(mm, v);
	return mm_pt_fill(mm, addr, end, t.flags) ? mm_fail(mm, -ENOMEM) : 0;
}

int mm_init(struct mm *mm, const struct mm_cfg *cfg, struct mm_stats *st)
{
	memset(mm, 0, sizeof(*mm));
	mm->cfg = cfg;
	mm->st = st;
	mm->users = 1;
	mm->index = calloc(1, cfg->index->priv_size);
	if (!mm->index)
		return -ENOMEM;
	int err = cfg->index->init(mm->index);
	if (!err && cfg->pt)
		err = cfg->pt->create(cfg->pt_ctx, &mm->pt);
	if (err) {
		free(mm->index);
		mm->index = NULL;
	}
	return err;
}

void mm_fini(struct mm *mm)
{
	if (!mm->index)
		return;
	struct vma *v = mm_first(mm);
	while (v) {
		struct vma *n = mm_next(mm, v);
		if (mm->pt)
			mm_pt_clear(mm, v->start, v->end, false);
		mm_unlink(mm, v);
		mm_vma_free(mm, v);
		v = n;
	}
	if (mm->pt)
		mm->st->pgtable_pages_free += mm->cfg->pt->destroy(mm->cfg->pt_ctx, mm->pt);
	mm->cfg->index->fini(mm->index);
	free(mm->index);
	mm->index = NULL;
	mm->pt = NULL;
}

int mm_dup(struct mm *child, const struct mm *parent)
{
	struct mm *p = (struct mm *)parent; /* walks count their visits */
	child->start_brk = p->start_brk;
	child->brk = p->brk;
	child->brk_known = p->brk_known;
	child->next_anon_vma = p->next_anon_vma;
	child->next_shmem = p->next_shmem;
	for (struct vma *v = mm_first(p); v; v = mm_next(p, v)) {
		struct vma *c = mm_vma_alloc(child);
		if (!c)
			return -ENOMEM;
		*c = *v;
		c->prev = c->next = c->detached = NULL;
		int err = mm_link(child, c);
		if (!err)
			err = mm_pt_fill(child, c->start, c->end, c->flags);
		if (err)
			return err;
	}
	return 0;
}

void mm_print_maps(struct mm *mm, FILE *out)
{
	for (struct vma *v = mm_first(mm); v; v = mm_next(mm, v)) {
		char perms[5], path[40] = "";
		vma_perms(v, perms);
		u64 off = 0;
		if (v->file == VMA_ANON) {
			if (mm->brk_known && v->start <= mm->brk && v->end >= mm->start_brk)
				strcpy(path, "[heap]");
		} else if (v->file >> 63) {
			strcpy(path, "/dev/zero (deleted)");
			off = v->pgoff << MM_PAGE_SHIFT;
		} else {
			snprintf(path, sizeof(path), "[fd %llu]", (unsigned long long)v->file);
			off = v->pgoff << MM_PAGE_SHIFT;
		}
		int n = fprintf(out, "%08llx-%08llx %s %08llx 00:00 0 ", (unsigned long long)v->start,
				(unsigned long long)v->end, perms, (unsigned long long)off);
		if (path[0])
			fprintf(out, "%*s%s", n < 73 ? 73 - n : 0, "", path);
		fputc('\n', out);
	}
}

int mm_check(struct mm *mm, char *msg, size_t msglen)
{
	int err = mm->cfg->index->check(mm->index, msg, msglen);
	if (err)
		return err;
	struct vma_stats scratch = {0};
	u64 n = 0;
	struct vma *p = NULL;
	for (struct vma *v = mm->cfg->index->first(mm->index, &scratch); v;
	     p = v, v = mm->cfg->index->next(mm->index, v, &scratch), n++) {
		if ((v->start | v->end) & ~MM_PAGE_MASK || v->start >= v->end || (p && p->end > v->start)) {
			snprintf(msg, msglen, "mm: bad VMA [%llx,%llx)", (unsigned long long)v->start,
				 (unsigned long long)v->end);
			return -EUCLEAN;
		}
	}
	if (n != mm->map_count) {
		snprintf(msg, msglen, "mm: %llu VMAs, map_count %llu", (unsigned long long)n,
			 (unsigned long long)mm->map_count);
		return -EUCLEAN;
	}
	return 0;
}
