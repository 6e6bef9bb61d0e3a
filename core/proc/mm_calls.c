/* mprotect (split at both ends, change, merge compatible neighbours: mprotect_fixup and
 * vma_merge_existing_range), brk, mremap (shrink, grow in place, move) and madvise(DONTNEED). */
#include <errno.h>

#include "core/mm_event.h"
#include "core/proc/mm_internal.h"

/* Give [s, e) of v (s >= v->start, e <= v->end) the flags nf, merging with prev (the VMA just
 * below v, or NULL) and the VMA above when they become compatible. Returns the VMA now covering
 * [s, e) in *res. */
static int mm_modify_flags(struct mm *mm, struct vma *v, struct vma *prev, u64 s, u64 e, u32 nf,
			   struct vma **res)
{
	struct mm_stats *st = mm->st;
	struct vma mid = {.start = s,
			  .end = e,
			  .file = v->file,
			  .pgoff = v->pgoff + ((s - v->start) >> MM_PAGE_SHIFT),
			  .flags = nf,
			  .anon_vma = v->anon_vma};
	if (!(prev && prev->end == s && s == v->start))
		prev = NULL;
	struct vma *next = NULL;
	if (e == v->end) {
		next = mm_next(mm, v);
		if (next && next->start != e)
			next = NULL;
	}
	bool cl = prev && mm_mergeable(prev, &mid), cr = next && mm_mergeable(&mid, next);
	if (cl && cr && !mm_anon_vma_compat(prev->anon_vma, next->anon_vma))
		cr = false;
	if (cl || cr)
		st->vma.vma_merges++;
	if (cl && cr) {
		u64 end = next->end;
		u32 av = prev->anon_vma ? prev->anon_vma : v->anon_vma ? v->anon_vma : next->anon_vma;
		mm_unlink(mm, v);
		mm_vma_free(mm, v);
		mm_unlink(mm, next);
		mm_vma_free(mm, next);
		prev->anon_vma = av;
		*res = prev;
		return mm_resize(mm, prev, prev->start, end);
	}
	if (cl) {
		if (!prev->anon_vma)
			prev->anon_vma = v->anon_vma;
		if (e == v->end) {
			mm_unlink(mm, v);
			mm_vma_free(mm, v);
		} else {
			v->pgoff += (e - v->start) >> MM_PAGE_SHIFT;
			int err = mm_resize(mm, v, e, v->end);
			if (err)
				return err;
		}
		*res = prev;
		return mm_resize(mm, prev, prev->start, e);
	}
	if (cr) {
		if (!next->anon_vma)
			next->anon_vma = v->anon_vma;
		if (s == v->start) {
			mm_unlink(mm, v);
			mm_vma_free(mm, v);
		} else {
			int err = mm_resize(mm, v, v->start, s);
			if (err)
				return err;
		}
		next->pgoff = mid.pgoff;
		*res = next;
		return mm_resize(mm, next, s, next->end);
	}
	if (s > v->start) {
		struct vma *up;
		int err = mm_split(mm, v, s, true, &up);
		if (err)
			return err;
		st->mprotect_splits++;
		v = up;
	}
	if (e < v->end) {
		struct vma *up;
		int err = mm_split(mm, v, e, true, &up);
		if (err)
			return err;
		st->mprotect_splits++;
	}
	v->flags = nf;
	*res = v;
	return 0;
}

int mm_mprotect(struct mm *mm, u64 start, u64 len, unsigned prot, unsigned grows)
{
	struct mm_stats *st = mm->st;
	st->mprotect_calls++;
	mm_call_begin(mm);
	if (start & ~MM_PAGE_MASK)
		return mm_fail(mm, -EINVAL);
	if (!len)
		return 0;
	len = MM_PAGE_ALIGN(len);
	u64 end = start + len;
	if (!len || end <= start || end > MM_TASK_SIZE)
		return mm_fail(mm, -ENOMEM);
	struct vma *v = mm_find(mm, start);
	if (!v)
		return mm_fail(mm, -ENOMEM);
	if (grows & MME_F_PROT_GROWSUP)
		return mm_fail(mm, -EINVAL); /* x86 has no VM_GROWSUP */
	if (grows & MME_F_PROT_GROWSDOWN) {
		if (v->start >= end)
			return mm_fail(mm, -ENOMEM);
		if (!(v->flags & VMA_GROWSDOWN))
			return mm_fail(mm, -EINVAL);
		start = v->start; /* the change reaches down to the start of the stack VMA */
	} else if (v->start > start) {
		return mm_fail(mm, -ENOMEM);
	}
	struct vma *prev = v->start < start ? v : mm_prev(mm, v);
	for (u64 s = start;;) {
		u64 e = MM_MIN(v->end, end);
		u32 of = v->flags, nf = (of & ~VMA_PROT_MASK) | (prot & VMA_PROT_MASK);
		if (nf & VMA_WRITE) {
			if (!(of & (VMA_ACCOUNT | VMA_WRITE | VMA_SHARED)))
				nf |= VMA_ACCOUNT; /* a private mapping turning writable is charged */
		} else if ((of & VMA_ACCOUNT) && v->file == VMA_ANON && !v->anon_vma) {
			nf &= ~VMA_ACCOUNT; /* unfaulted anonymous memory is uncharged again (6.x) */
		}
		if (nf != of) {
			int err = mm_modify_flags(mm, v, prev, s, e, nf, &prev);
			if (err)
				return mm_fail(mm, err);
			st->mprotect_changed++;
			if (mm->cfg->populate && ((nf ^ of) & VMA_PROT_MASK))
				mm_flush_range(mm, (e - s) >> MM_PAGE_SHIFT); /* change_protection */
			s = prev->end; /* a merge may have taken the VMA above as well */
		} else {
			prev = v;
			s = e;
		}
		if (s >= end)
			return 0;
		v = mm_next(mm, prev);
		if (!v || v->start != s)
			return mm_fail(mm, -ENOMEM); /* a hole: what came before stays changed */
	}
}

int mm_brk(struct mm *mm, u64 requested, u64 result)
{
	struct mm_stats *st = mm->st;
	st->brk_calls++;
	mm_call_begin(mm);
	if (!mm->brk_known) {
		/* the first brk tells where the heap starts (brk(NULL) right after execve) */
		mm->start_brk = mm->brk = result;
		mm->brk_known = true;
	}
	if (!requested) {
		st->brk_query++;
		return 0;
	}
	if (result != requested || requested < mm->start_brk) {
		st->brk_refused++; /* the kernel refused and returned the old break */
		return 0;
	}
	u64 newbrk = MM_PAGE_ALIGN(requested), oldbrk = MM_PAGE_ALIGN(mm->brk);
	mm->brk = requested;
	if (newbrk < oldbrk) {
		st->brk_shrink++;
		int err = mm_do_munmap(mm, newbrk, oldbrk);
		return err ? mm_fail(mm, err) : 0;
	}
	if (newbrk == oldbrk)
		return 0;
	st->brk_grow++;
	struct vma *o = mm_find(mm, oldbrk);
	if (o && o->start < newbrk)
		return mm_fail(mm, -ENOMEM); /* the kernel never grows the heap over a mapping */
	if (mm->map_count > mm->cfg->max_map_count) {
		st->err_map_count++;
		return mm_fail(mm, -ENOMEM);
	}
	/* do_brk_flags: extend the VMA below when compatible, never merge upwards */
	struct vma t = {.start = oldbrk,
			.end = newbrk,
			.file = VMA_ANON,
			.pgoff = oldbrk >> MM_PAGE_SHIFT,
			.flags = VMA_READ | VMA_WRITE | VMA_ACCOUNT};
	struct vma *v = mm_map_range(mm, &t, false);
	if (!v)
		return mm_fail(mm, -ENOMEM);
	mm_populate_anon_vma(mm, v);
	return mm_pt_fill(mm, oldbrk, newbrk, t.flags) ? mm_fail(mm, -ENOMEM) : 0;
}

/* vma_merge_extend: after growing v in place, merge it with the VMA above when compatible. */
static int mm_merge_above(struct mm *mm, struct vma *v)
{
	struct vma *n = mm_next(mm, v);
	if (!n || !mm_mergeable(v, n))
		return 0;
	u64 end = n->end;
	if (!v->anon_vma)
		v->anon_vma = n->anon_vma;
	mm_unlink(mm, n);
	mm_vma_free(mm, n);
	mm->st->vma.vma_merges++;
	return mm_resize(mm, v, v->start, end);
}

int mm_mremap(struct mm *mm, u64 old, u64 old_len, u64 new_len, unsigned flags, u64 result)
{
	struct mm_stats *st = mm->st;
	st->mremap_calls++;
	mm_call_begin(mm);
	if ((old & ~MM_PAGE_MASK) || (result & ~MM_PAGE_MASK) ||
	    (flags & ~(MM_MREMAP_MAYMOVE | MM_MREMAP_FIXED | MM_MREMAP_DONTUNMAP)) ||
	    ((flags & MM_MREMAP_FIXED) && !(flags & MM_MREMAP_MAYMOVE)))
		return mm_fail(mm, -EINVAL);
	old_len = MM_PAGE_ALIGN(old_len);
	new_len = MM_PAGE_ALIGN(new_len);
	if (!new_len || !old_len) /* old_len 0 duplicates a shared mapping: not modelled */
		return mm_fail(mm, -EINVAL);
	if (old > MM_TASK_SIZE || old_len > MM_TASK_SIZE - old || result > MM_TASK_SIZE ||
	    new_len > MM_TASK_SIZE - result)
		return mm_fail(mm, -EINVAL);
	struct vma *v = mm_find(mm, old);
	if (!v || v->start > old)
		return mm_fail(mm, -EFAULT);
	if (result == old && new_len <= old_len) {
		/* shrink_vma: a plain munmap of the tail, which may span several VMAs */
		if (new_len == old_len)
			return 0;
		st->mremap_shrink++;
		int err = mm_do_munmap(mm, old + new_len, old + old_len);
		return err ? mm_fail(mm, err) : 0;
	}
	if (old + old_len > v->end)
		return mm_fail(mm, -EFAULT); /* resize_is_valid: growing or moving stays in one VMA */
	if (result == old) {
		/* grow in place: the range must end the VMA and the space above must be free */
		struct vma *n = mm_next(mm, v);
		if (old + old_len != v->end || (n && n->start < old + new_len))
			return mm_fail(mm, -ENOMEM);
		st->mremap_grow_in_place++;
		int err = mm_resize(mm, v, v->start, old + new_len);
		if (!err)
			err = mm_merge_above(mm, v);
		mm_populate_anon_vma(mm, v);
		if (!err)
			err = mm_pt_fill(mm, old + old_len, old + new_len, v->flags);
		return err ? mm_fail(mm, err) : 0;
	}
	/* move */
	if (result < old + old_len && old < result + new_len)
		return mm_fail(mm, -EINVAL); /* new range overlaps the old one */
	if (mm->map_count + 3 >= mm->cfg->max_map_count) {
		st->err_map_count++;
		return mm_fail(mm, -ENOMEM);
	}
	if (new_len < old_len) {
		int err = mm_do_munmap(mm, old + new_len, old + old_len);
		if (err)
			return mm_fail(mm, err);
		old_len = new_len;
	}
	struct vma t = {.start = result,
			.end = result + new_len,
			.file = v->file,
			.pgoff = v->pgoff + ((old - v->start) >> MM_PAGE_SHIFT),
			.flags = v->flags,
			.anon_vma = v->anon_vma};
	if (v->file == VMA_ANON && !v->anon_vma)
		t.pgoff = result >> MM_PAGE_SHIFT; /* copy_vma: unfaulted anon follows its address */
	/* MREMAP_FIXED unmaps the target; a target the model thinks busy is cleared the same way */
	struct vma *o = mm_find(mm, result);
	if (o && o->start < result + new_len) {
		st->mmap_fixed_unmaps++;
		int err = mm_do_munmap(mm, result, result + new_len);
		if (err)
			return mm_fail(mm, err);
	}
	st->mremap_move++;
	if (!mm_map_range(mm, &t, true))
		return mm_fail(mm, -ENOMEM);
	/* move_page_tables: the old PTEs now map the new range (grown part populated too) */
	int err = mm_pt_fill(mm, result, result + new_len, t.flags);
	if (err)
		return mm_fail(mm, err);
	if (flags & MM_MREMAP_DONTUNMAP) {
		if (mm_pt_clear(mm, old, old + old_len, false))
			mm_flush_range(mm, old_len >> MM_PAGE_SHIFT);
		return 0;
	}
	err = mm_do_munmap(mm, old, old + old_len);
	return err ? mm_fail(mm, err) : 0;
}

int mm_madvise(struct mm *mm, u64 start, u64 len, unsigned advice)
{
	struct mm_stats *st = mm->st;
	st->madvise_calls++;
	mm_call_begin(mm);
	if (start & ~MM_PAGE_MASK)
		return mm_fail(mm, -EINVAL);
	len = MM_PAGE_ALIGN(len);
	u64 end = start + len;
	if (end < start)
		return mm_fail(mm, -EINVAL);
	if (advice != MM_MADV_DONTNEED) {
		st->madvise_ignored++;
		return 0;
	}
	if (!len)
		return 0;
	st->madvise_dontneed++;
	bool hole = false;
	u64 cleared = 0, pos = start;
	for (struct vma *v = mm_find(mm, start); v && v->start < end; v = mm_next(mm, v)) {
		if (v->start > pos)
			hole = true;
		u64 s = MM_MAX(v->start, start), e = MM_MIN(v->end, end);
		cleared += mm_pt_clear(mm, s, e, false); /* zap_page_range keeps the tables */
		pos = e;
	}
	if (pos < end)
		hole = true;
	if (cleared)
		mm_flush_range(mm, len >> MM_PAGE_SHIFT);
	return hole ? mm_fail(mm, -ENOMEM) : 0;
}
