/* vmlist "list": Linux 2.4's get_vm_area/vfree. Busy areas (struct vm_struct) sit on a singly
 * linked list sorted by address; allocation scans it from the head for the first gap that holds
 * an aligned block, free scans it for the address. Every node looked at is a visit. */
#include <errno.h>

#include "objpool.h"
#include "vmlist_priv.h"

struct vml_area {
	struct vml_area *next; /* next busy area, higher address */
	u64 start, end;	       /* [start, end), page-aligned, end > start */
};

struct vml {
	struct vml_area *head; /* sorted by start, disjoint: a->end <= a->next->start */
	struct objpool pool;
	struct vmlist_stats *st;
	u64 vstart, vend;
};

static int vml_init(void *priv, const struct vmlist_cfg *cfg, struct vmlist_stats *st)
{
	struct vml *l = priv;
	l->head = NULL;
	objpool_init(&l->pool, sizeof(struct vml_area));
	l->st = st;
	l->vstart = cfg->vstart;
	l->vend = cfg->vend;
	return 0;
}

static void vml_fini(void *priv)
{
	struct vml *l = priv;
	objpool_fini(&l->pool);
	l->head = NULL;
}

/* 2.4 scans from the start of the space whatever vstart is; areas wholly below the candidate
 * are skipped (but visited), an area the candidate runs into moves it past that area. */
static int vml_alloc(void *priv, u64 size, u64 align, u64 vstart, u64 vend, u64 *addr)
{
	struct vml *l = priv;
	struct vml_area **pp = &l->head, *n;
	u64 a;
	if (!vmlist_align_up(vstart, align, &a) || !vmlist_fits_below(a, size, vend))
		return -ENOMEM;
	for (n = l->head; n; pp = &n->next, n = n->next) {
		l->st->visits++;
		if (n->end <= a)
			continue;
		if (n->start >= a && size <= n->start - a)
			break; /* the gap before n holds [a, a + size) */
		if (!vmlist_align_up(n->end, align, &a) || !vmlist_fits_below(a, size, vend))
			return -ENOMEM;
	}
	struct vml_area *na = objpool_get(&l->pool);
	if (!na)
		return -ENOMEM;
	na->start = a;
	na->end = a + size;
	na->next = n;
	*pp = na;
	*addr = a;
	return 0;
}

/* 2.4's vfree walks the whole list comparing addresses (no early stop on sorted order). */
static int vml_free(void *priv, u64 addr, u64 *size)
{
	struct vml *l = priv;
	for (struct vml_area **pp = &l->head, *n; (n = *pp); pp = &n->next) {
		l->st->visits++;
		if (n->start == addr) {
			*pp = n->next;
			*size = n->end - n->start;
			objpool_put(&l->pool, n);
			return 0;
		}
	}
	return -ENOENT;
}

static int vml_check(const void *priv)
{
	const struct vml *l = priv;
	u64 count = 0, bytes = 0, prev_end = l->vstart;
	for (const struct vml_area *n = l->head; n; n = n->next) {
		if (n->start < prev_end || n->end <= n->start || n->end > l->vend ||
		    ((n->start | n->end) & ~MM_PAGE_MASK))
			return -EUCLEAN;
		prev_end = n->end;
		count++;
		bytes += n->end - n->start;
	}
	if (count != l->st->live || bytes != l->st->live_bytes || count != l->pool.nr_out)
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
};
