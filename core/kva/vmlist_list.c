/* vmlist "list": Linux 2.4's get_vm_area/vfree. Busy areas (struct vm_struct) sit on a singly
 * linked list sorted by address; allocation scans it from the head for the first gap that holds
 * an aligned block, free scans it for the address. Every node looked at is a visit. */
#include <errno.h>

#include "core/lib/spans.h"
#include "core/kva/vmlist_priv.h"

/* The list is held as a spans set (address-sorted arrays): the model's visits are what the 2.4
 * walk would count, found by scanning arrays and passing whole chunks where no area can end
 * the walk. */
struct vml {
	struct spans busy; /* the busy areas in list order */
	struct vmlist_stats *st;
	u64 vstart, vend;
};

static int vml_init(void *priv, const struct vmlist_cfg *cfg, struct vmlist_stats *st)
{
	struct vml *l = priv;
	spans_init(&l->busy);
	l->st = st;
	l->vstart = cfg->vstart;
	l->vend = cfg->vend;
	return 0;
}

static void vml_fini(void *priv)
{
	struct vml *l = priv;
	spans_fini(&l->busy);
}

/* 2.4 scans from the start of the space whatever vstart is; areas wholly below the candidate
 * are skipped (but visited), an area the candidate runs into moves it past that area. A chunk
 * is passed whole (each area a visit) when it lies below the candidate, or when no area in it
 * can end the walk: the first area leaves no room before it, every inner gap is shorter than
 * size (the candidate at an area is at or past the previous area's end), and the block still
 * fits below vend past the last area (the candidate only grows). */
static int vml_alloc(void *priv, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	struct vml *l = priv;
	const struct spans *s = &l->busy;
	u64 a, na, visits = 0;
	int ret = 0;
	u32 c, i = 0;
	if (!vmlist_align_up(vstart, align, &a) || !vmlist_fits_below(a, size, vend))
		return -ENOMEM;
	for (c = 0; c < s->nr; c++) {
		const struct spans_chunk *ch = &s->c[c];
		const u64 *st = ch->start, *en = ch->end;
		u32 n = ch->n;
		if (ch->hi <= a) {
			visits += n;
			continue;
		}
		if (ch->maxgap < size && (ch->lo < a || ch->lo - a < size) &&
		    vmlist_align_up(ch->hi, align, &na) && vmlist_fits_below(na, size, vend)) {
			visits += n;
			a = MM_MAX(a, na);
			continue;
		}
		for (i = 0; i < n; i++) {
			visits++;
			if (en[i] <= a)
				continue;
			if (st[i] >= a && size <= st[i] - a)
				goto found; /* the gap before area i holds [a, a + size) */
			if (!vmlist_align_up(en[i], align, &a) || !vmlist_fits_below(a, size, vend)) {
				ret = -ENOMEM;
				goto out;
			}
		}
	}
	i = 0; /* ran off the end: append */
found:
	ret = spans_insert_at(&l->busy, &(struct spans_pos){c, i}, a, a + size);
	if (!ret)
		*addr = a;
out:
	l->st->visits += visits;
	return ret;
}

/* 2.4's vfree walks the list comparing addresses (no early stop on sorted order): the k-th area
 * costs k visits, an unknown address the whole list. */
static int vml_free(void *priv, u64 addr, u64 *size)
{
	struct vml *l = priv;
	u64 end, rank;
	if (spans_remove(&l->busy, addr, &end, &rank)) {
		l->st->visits += l->busy.count;
		return -ENOENT;
	}
	l->st->visits += rank + 1;
	*size = end - addr;
	return 0;
}

static int vml_check(const void *priv)
{
	const struct vml *l = priv;
	const struct spans *s = &l->busy;
	u64 count = 0, bytes = 0;
	if (spans_check(s))
		return -EUCLEAN;
	for (u32 c = 0; c < s->nr; c++) {
		for (u32 i = 0; i < s->c[c].n; i++) {
			u64 st = s->c[c].start[i], en = s->c[c].end[i];
			if (st < l->vstart || en > l->vend || ((st | en) & ~MM_PAGE_MASK))
				return -EUCLEAN;
			count++;
			bytes += en - st;
		}
	}
	if (count != l->st->live || bytes != l->st->live_bytes)
		return -EUCLEAN;
	return 0;
}

const struct vmlist_ops vmlist_list_ops = {
	.name = "list",
	.desc = "2.4: sorted singly linked list, linear first fit, linear lookup on free",
	.priv_size = sizeof(struct vml),
	.init = vml_init,
	.fini = vml_fini,
	.alloc = vml_alloc,
	.free = vml_free,
	.check = vml_check,
	.lowest_fit = true,
};
