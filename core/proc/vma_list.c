/* The `list` VMA index: one list sorted by address and a one-entry find cache (mmap_cache), as
 * 2.4 kept when a process had few VMAs. find_vma walks from the head. Also the registry. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/proc/vma.h"

struct vma_list {
	struct vma *head;  /* lowest address; links are vma->prev/next, sorted, non-overlapping */
	struct vma *cache; /* last VMA find returned, or NULL; always linked */
	u64 count;
};

static int vl_init(void *priv)
{
	memset(priv, 0, sizeof(struct vma_list));
	return 0;
}

static void vl_fini(void *priv)
{
	memset(priv, 0, sizeof(struct vma_list));
}

static struct vma *vl_find(void *priv, u64 addr, struct vma_stats *st)
{
	struct vma_list *l = priv;
	st->find_vma_calls++;
	struct vma *c = l->cache;
	if (c) {
		st->find_vma_visits++;
		if (c->start <= addr && c->end > addr) {
			st->cache_hits++;
			return c;
		}
	}
	for (struct vma *v = l->head; v; v = v->next) {
		st->find_vma_visits++;
		if (v->end > addr) {
			l->cache = v;
			return v;
		}
	}
	return NULL;
}

static struct vma *vl_first(void *priv, struct vma_stats *st)
{
	return ((struct vma_list *)priv)->head;
}

static struct vma *vl_next(void *priv, struct vma *v, struct vma_stats *st)
{
	st->find_vma_visits++;
	return v->next;
}

static struct vma *vl_prev(void *priv, struct vma *v, struct vma_stats *st)
{
	st->find_vma_visits++;
	return v->prev;
}

static int vl_insert(void *priv, struct vma *v, struct vma_stats *st)
{
	struct vma_list *l = priv;
	struct vma *p = NULL, *n = l->head;
	/* start from the cache when it lies below v, as find_vma_prepare would */
	if (l->cache && l->cache->end <= v->start) {
		p = l->cache;
		n = p->next;
	}
	while (n && n->start < v->start) {
		st->find_vma_visits++;
		p = n;
		n = n->next;
	}
	v->prev = p;
	v->next = n;
	if (p)
		p->next = v;
	else
		l->head = v;
	if (n)
		n->prev = v;
	l->count++;
	return 0;
}

static void vl_erase(void *priv, struct vma *v, struct vma_stats *st)
{
	struct vma_list *l = priv;
	if (v->prev)
		v->prev->next = v->next;
	else
		l->head = v->next;
	if (v->next)
		v->next->prev = v->prev;
	if (l->cache == v)
		l->cache = NULL;
	v->prev = v->next = NULL;
	l->count--;
}

static int vl_resize(void *priv, struct vma *v, u64 start, u64 end, struct vma_stats *st)
{
	v->start = start;
	v->end = end;
	return 0;
}

int vma_list_check_links(struct vma *head, u64 count, char *msg, size_t msglen)
{
	u64 n = 0;
	for (struct vma *v = head, *p = NULL; v; p = v, v = v->next, n++) {
		if (v->prev != p || v->start >= v->end || (p && p->end > v->start)) {
			snprintf(msg, msglen, "list: bad link or order at vma %llu [%llx,%llx)",
				 (unsigned long long)n, (unsigned long long)v->start,
				 (unsigned long long)v->end);
			return -EUCLEAN;
		}
	}
	if (n != count) {
		snprintf(msg, msglen, "list: %llu linked, count says %llu", (unsigned long long)n,
			 (unsigned long long)count);
		return -EUCLEAN;
	}
	return 0;
}

static int vl_check(void *priv, char *msg, size_t msglen)
{
	struct vma_list *l = priv;
	return vma_list_check_links(l->head, l->count, msg, msglen);
}

const struct vma_index_ops vma_index_list = {
	.name = "list",
	.desc = "sorted list + one-entry find cache (2.4)",
	.priv_size = sizeof(struct vma_list),
	.init = vl_init,
	.fini = vl_fini,
	.find = vl_find,
	.first = vl_first,
	.next = vl_next,
	.prev = vl_prev,
	.insert = vl_insert,
	.erase = vl_erase,
	.resize = vl_resize,
	.check = vl_check,
};

const struct vma_index_ops *const vma_indexes[] = {&vma_index_list, &vma_index_rbtree, &vma_index_maple,
						   NULL};

const struct vma_index_ops *vma_index_find(const char *name)
{
	for (const struct vma_index_ops *const *o = vma_indexes; *o; o++)
		if (!strcmp((*o)->name, name))
			return *o;
	return NULL;
}

void vma_perms(const struct vma *v, char *buf)
{
	buf[0] = v->flags & VMA_READ ? 'r' : '-';
	buf[1] = v->flags & VMA_WRITE ? 'w' : '-';
	buf[2] = v->flags & VMA_EXEC ? 'x' : '-';
	buf[3] = v->flags & VMA_SHARED ? 's' : 'p';
	buf[4] = 0;
}
