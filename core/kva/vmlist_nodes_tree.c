/* The nodes variant's two trees over struct nva: the global free tree (the kernel's
 * free_vmap_area_root, freetree.c, shared with the augmented variant) and the used tree of every
 * other object (busy areas, pool entries, hidden slots) by address. */
#include <errno.h>

#include "core/kva/vmlist_nodes_priv.h"

void nodes_tree_init(struct nodes *m)
{
	freetree_init(&m->tree, &m->objs, m->st);
}

struct nva *nodes_used_find(struct nodes *m, u64 start)
{
	return nva_of(freetree_used_find(&m->tree, start, NULL));
}

struct nva *nodes_used_floor(struct nodes *m, u64 addr)
{
	return nva_of(freetree_used_floor(&m->tree, addr));
}

struct nva *nodes_used_first(struct nodes *m)
{
	return nva_of(freetree_used_first(&m->tree));
}

struct nva *nodes_used_next(struct nodes *m, struct nva *u)
{
	return nva_of(freetree_used_next(&m->tree, &u->va));
}

void nodes_used_insert(struct nodes *m, struct nva *n)
{
	freetree_used_insert(&m->tree, &n->va);
}

void nodes_used_remove(struct nodes *m, struct nva *n)
{
	freetree_used_remove(&m->tree, &n->va);
}

struct nva *nodes_free_holding(struct nodes *m, u64 a, u64 size)
{
	return nva_of(freetree_holding(&m->tree, a, size));
}

struct nva *nodes_free_lowest(struct nodes *m, u64 length, u64 size, u64 align, u64 vstart, u64 vend, u64 *at,
			      u64 *visits)
{
	const struct freetree_req rq = {length, size, align, vstart, vend};
	return nva_of(freetree_lowest(&m->tree, &rq, at, visits));
}

int nodes_free_clip(struct nodes *m, struct nva *fb, u64 a, u64 size)
{
	struct freetree_node *split;
	int err = freetree_clip(&m->tree, &fb->va, a, size, &split);
	if (split)
		nva_of(split)->state = NVA_FREE;
	return err;
}

void nodes_free_add(struct nodes *m, struct nva *va)
{
	va->state = NVA_FREE; /* recycled instead when it merges */
	freetree_add(&m->tree, &va->va, NULL);
}

/* Both trees together tile [vstart, vend); no two free blocks touch; states match the trees. */
int nodes_tree_check(struct nodes *m)
{
	if (freetree_check(&m->tree))
		return -EUCLEAN;
	struct nva *f = nva_of(freetree_free_first(&m->tree)), *u = nva_of(freetree_used_first(&m->tree));
	u64 pos = m->vstart, busy = 0, bytes = 0, nodes = 0;
	bool last_free = false;
	while (f || u) {
		bool take_free = f && (!u || f->va.start < u->va.start);
		struct nva *n = take_free ? f : u;
		if (n->va.start != pos || n->va.end <= n->va.start || n->va.end > m->vend ||
		    ((n->va.start | n->va.end) & ~MM_PAGE_MASK) || (take_free && last_free) ||
		    (take_free != (n->state == NVA_FREE)))
			return -EUCLEAN;
		pos = n->va.end;
		last_free = take_free;
		nodes++;
		if (take_free) {
			f = nva_of(freetree_free_next(&m->tree, &f->va));
			continue;
		}
		if (n->state == NVA_BUSY) {
			busy++;
			bytes += n->va.end - n->va.start;
		}
		u = nva_of(freetree_used_next(&m->tree, &u->va));
	}
	if (pos != m->vend || busy != m->st->live || bytes != m->st->live_bytes || nodes != m->objs.nr_out)
		return -EUCLEAN;
	return 0;
}

void vmlist_nodes_walk(const struct vmlist *v, void (*cb)(void *arg, u64 start, u64 end, int kind, u32 node),
		       void *arg)
{
	if (v->ops != &vmlist_nodes_ops)
		return;
	struct nodes *m = v->priv;
	struct nva *f = nva_of(freetree_free_first(&m->tree)), *u = nva_of(freetree_used_first(&m->tree));
	while (f || u) {
		if (f && (!u || f->va.start < u->va.start)) {
			cb(arg, f->va.start, f->va.end, VMLIST_NODES_FREE, VMLIST_NODES_NONE);
			f = nva_of(freetree_free_next(&m->tree, &f->va));
			continue;
		}
		int kind = u->state == NVA_BUSY	  ? VMLIST_NODES_BUSY
			   : u->state == NVA_POOL ? VMLIST_NODES_POOL
						  : VMLIST_NODES_HIDDEN;
		cb(arg, u->va.start, u->va.end, kind, u->node);
		u = nva_of(freetree_used_next(&m->tree, &u->va));
	}
}
