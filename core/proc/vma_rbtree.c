/* The `rbtree` VMA index (2.6 to 6.0): a red-black tree ordered by address for find_vma, the
 * sorted list for neighbours and walks, and the one-entry mmap_cache of 2.6. The tree is libbsd's
 * <sys/tree.h>. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/proc/vma.h"

static int vma_rb_cmp(const struct vma *a, const struct vma *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

RB_HEAD(vma_rb_root, vma);
/* RB_GENERATE_STATIC relies on a __unused macro libbsd leaves undefined on Linux */
RB_GENERATE_INTERNAL(vma_rb_root, vma, rb, vma_rb_cmp, __attribute__((unused)) static)

struct vma_rbtree {
	struct vma_rb_root root; /* every linked VMA, keyed by start */
	struct vma *head;	 /* the same VMAs as a sorted list (vma->prev/next) */
	struct vma *cache;	 /* mmap_cache: last find result, or NULL; always linked */
	u64 count;
};

static int vr_init(void *priv)
{
	struct vma_rbtree *t = priv;
	memset(t, 0, sizeof(*t));
	RB_INIT(&t->root);
	return 0;
}

static void vr_fini(void *priv)
{
	memset(priv, 0, sizeof(struct vma_rbtree));
}

static struct vma *vr_find(void *priv, u64 addr, struct vma_stats *st)
{
	struct vma_rbtree *t = priv;
	st->find_vma_calls++;
	struct vma *c = t->cache;
	if (c) {
		st->find_vma_visits++;
		if (c->start <= addr && c->end > addr) {
			st->cache_hits++;
			return c;
		}
	}
	struct vma *n = RB_ROOT(&t->root), *best = NULL;
	while (n) {
		st->find_vma_visits++;
		if (n->end > addr) {
			best = n;
			if (n->start <= addr)
				break;
			n = RB_LEFT(n, rb);
		} else {
			n = RB_RIGHT(n, rb);
		}
	}
	if (best)
		t->cache = best;
	return best;
}

static struct vma *vr_first(void *priv, struct vma_stats *st)
{
	return ((struct vma_rbtree *)priv)->head;
}

static struct vma *vr_next(void *priv, struct vma *v, struct vma_stats *st)
{
	st->find_vma_visits++;
	return v->next;
}

static struct vma *vr_prev(void *priv, struct vma *v, struct vma_stats *st)
{
	st->find_vma_visits++;
	return v->prev;
}

static int vr_insert(void *priv, struct vma *v, struct vma_stats *st)
{
	struct vma_rbtree *t = priv;
	/* find_vma_links: the descent that finds the list predecessor and the rb link */
	struct vma *n = RB_ROOT(&t->root), *p = NULL;
	while (n) {
		st->find_vma_visits++;
		if (n->start < v->start) {
			p = n;
			n = RB_RIGHT(n, rb);
		} else {
			n = RB_LEFT(n, rb);
		}
	}
	RB_INSERT(vma_rb_root, &t->root, v);
	v->prev = p;
	v->next = p ? p->next : t->head;
	if (p)
		p->next = v;
	else
		t->head = v;
	if (v->next)
		v->next->prev = v;
	t->count++;
	return 0;
}

static void vr_erase(void *priv, struct vma *v, struct vma_stats *st)
{
	struct vma_rbtree *t = priv;
	RB_REMOVE(vma_rb_root, &t->root, v);
	if (v->prev)
		v->prev->next = v->next;
	else
		t->head = v->next;
	if (v->next)
		v->next->prev = v->prev;
	if (t->cache == v)
		t->cache = NULL;
	v->prev = v->next = NULL;
	t->count--;
}

static int vr_resize(void *priv, struct vma *v, u64 start, u64 end, struct vma_stats *st)
{
	/* the order among non-overlapping ranges cannot change: adjust in place (vma_adjust) */
	v->start = start;
	v->end = end;
	return 0;
}

static int vr_check(void *priv, char *msg, size_t msglen)
{
	struct vma_rbtree *t = priv;
	int err = vma_list_check_links(t->head, t->count, msg, msglen);
	if (err)
		return err;
	struct vma *l = t->head;
	struct vma *n;
	RB_FOREACH(n, vma_rb_root, &t->root)
	{
		if (n != l) {
			snprintf(msg, msglen, "rbtree: in-order walk differs from the list at %llx",
				 (unsigned long long)n->start);
			return -EUCLEAN;
		}
		l = l->next;
	}
	if (l) {
		snprintf(msg, msglen, "rbtree: list longer than tree");
		return -EUCLEAN;
	}
	return 0;
}

const struct vma_index_ops vma_index_rbtree = {
	.name = "rbtree",
	.desc = "rbtree + sorted list + mmap_cache (2.6 to 6.0)",
	.priv_size = sizeof(struct vma_rbtree),
	.init = vr_init,
	.fini = vr_fini,
	.find = vr_find,
	.first = vr_first,
	.next = vr_next,
	.prev = vr_prev,
	.insert = vr_insert,
	.erase = vr_erase,
	.resize = vr_resize,
	.check = vr_check,
};
