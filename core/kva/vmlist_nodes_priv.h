/* The nodes variant's state, shared by its files (not part of the public API). Every address of
 * the space belongs to exactly one object: a free block (in the free tree), or a busy area, a
 * pool entry or a hidden slot (in the used tree). */
#ifndef VMLIST_NODES_PRIV_H
#define VMLIST_NODES_PRIV_H

#include <stddef.h>

#include "core/kva/freetree.h"
#include "core/lib/hmap.h"
#include "core/lib/objpool.h"
#include "core/kva/vmlist_nodes.h"
#include "core/kva/vmlist_priv.h"

enum nva_state {
	NVA_FREE,   /* in the free tree; never adjacent to another free block */
	NVA_BUSY,   /* allocated (lazily freed areas included: busy until purged) */
	NVA_POOL,   /* on a node's pool list: free space the tree does not see */
	NVA_HIDDEN, /* follow mode: free in the model, known not to be in the kernel's tree */
};

struct nva {
	struct freetree_node va; /* [va.start, va.end): free tree (NVA_FREE) or used tree (the others) */
	struct nva *prev, *next; /* NVA_POOL: the pool list, head first */
	u32 node;		 /* NVA_BUSY: vn_id or VMLIST_NODES_NONE; NVA_POOL: its node */
	u8 state;		 /* enum nva_state */
	u8 purging;		 /* NVA_BUSY: freed during the current purge */
	u8 guess;		 /* NVA_BUSY, NVA_POOL: node is a guess (seeded; nothing traced named it) */
};

/* The nva whose tree node n is (NULL for NULL). */
static inline struct nva *nva_of(struct freetree_node *n)
{
	return n ? (struct nva *)((char *)n - offsetof(struct nva, va)) : NULL;
}

struct nva_pool {
	struct nva *head, *tail;
	u64 len;
};

struct nva_node {
	struct nva_pool pool[VMLIST_NODES_POOLS];
	/* follow: where the kernel last took an entry of each pool (0: its last pick came from the
	 * tree, the pool was empty); the pool's hidden entries continue below it */
	u64 cursor[VMLIST_NODES_POOLS];
	/* follow: the kernel's last two hidden picks of the pool ascended: they were tree space
	 * the model had hidden, taken lowest first; the next is the lowest hidden above */
	u8 up[VMLIST_NODES_POOLS];
	/* follow: the kernel's last pick of the pool was a hidden slot while the model's pool had
	 * entries: the kernel's pool holds hidden entries in front of the model's, given first */
	u8 front[VMLIST_NODES_POOLS];
	/* follow: the kernel's last pick of the pool's size on this node (0: a pool pick of the
	 * model's or none) and, when the pick before it was higher, their distance: a pool hands
	 * out a purge's batch highest first, the tree's lowest fits never descend, so the next
	 * unseen entry of that batch is as far below (nodes_stride_next) */
	u64 last[VMLIST_NODES_POOLS], stride[VMLIST_NODES_POOLS];
	/* that last pick was space the model saw free, or the hidden slot the stride named */
	u8 run[VMLIST_NODES_POOLS];
	/* follow: where the kernel last took this pool's size from the tree, while its tree picks
	 * eat space the model had hidden (a decayed pool: see nodes_hunt_fit); 0: not */
	u64 hunt[VMLIST_NODES_POOLS];
	struct nva **purge; /* the areas freed during the current purge, any order */
	u64 npurge, purge_cap;
};

/* A pool entry a purge decayed in the model: its pool (node, idx) and the entry that stood
 * after the decayed prefix (succ); entries decayed together are adjacent in nodes.dec. */
struct nva_decayed {
	u64 start, succ;
	u32 node, idx;
};

struct nodes {
	struct freetree tree;  /* the global free tree; pool entries, hidden slots, busy areas */
	struct objpool objs;   /* struct nva */
	struct nva_node *node; /* nr_nodes of them */
	unsigned nr_nodes;
	bool purging, full_purge;
	struct vmlist_stats *st;
	struct vmlist_nodes_stats ns;
	u64 vstart, vend;
	struct nva_decayed *dec; /* decayed entries whose succ is still pooled, batch by batch */
	u64 ndec, dec_cap;
	struct hmap dec_at; /* start -> index in dec */
};

/* vmlist_nodes_tree.c: the shared free tree (freetree.h) and its used tree, over struct nva.
 * Visits: an allocation's tree search counts the nodes it looks at; a free counts one visit
 * (vmlist_nodes.c) and nothing for the merge, as this variant always has. */
void nodes_tree_init(struct nodes *m);
struct nva *nodes_used_find(struct nodes *m, u64 start);
/* The used object with the highest start at or below addr, or NULL. */
struct nva *nodes_used_floor(struct nodes *m, u64 addr);
/* The lowest used object, or NULL. */
struct nva *nodes_used_first(struct nodes *m);
/* The used object after u in address order, or NULL. */
struct nva *nodes_used_next(struct nodes *m, struct nva *u);
void nodes_used_insert(struct nodes *m, struct nva *n);
void nodes_used_remove(struct nodes *m, struct nva *n);
/* The free block holding [a, a + size), or NULL. */
struct nva *nodes_free_holding(struct nodes *m, u64 a, u64 size);
/* The lowest block of at least length bytes in which the request fits at or above vstart and
 * below vend; *at = where. NULL when none. visits: where to count nodes looked at (or NULL). */
struct nva *nodes_free_lowest(struct nodes *m, u64 length, u64 size, u64 align, u64 vstart, u64 vend, u64 *at,
			      u64 *visits);
/* Remove [a, a + size) from free block fb (which holds it); counts the fit type. -ENOMEM (host). */
int nodes_free_clip(struct nodes *m, struct nva *fb, u64 a, u64 size);
/* Give object n's range back to the free tree, merging with free neighbours; n is consumed
 * (reused or recycled) and must not be in any tree or list. */
void nodes_free_add(struct nodes *m, struct nva *n);
/* The tree search's length for a request (adjust_search_size). */
static inline u64 nodes_search_length(const struct vmlist_req *rq)
{
	bool adjust = rq->align > MM_PAGE_SIZE && rq->vend - rq->vstart != rq->size;
	return adjust ? rq->size + rq->align - 1 : rq->size;
}
/* 0 or -EUCLEAN: tree shapes and augmentation. */
int nodes_tree_check(struct nodes *m);

/* vmlist_nodes.c: pools. */
static inline struct nva_pool *nodes_pool(struct nodes *m, unsigned node, u64 size)
{
	u64 idx = (size - 1) / MM_PAGE_SIZE;
	return idx < VMLIST_NODES_POOLS ? &m->node[node].pool[idx] : NULL;
}
void nodes_pool_unlink(struct nva_pool *p, struct nva *n);
void nodes_pool_push_head(struct nva_pool *p, struct nva *n);
void nodes_pool_push_tail(struct nva_pool *p, struct nva *n);
/* Drop pool entries to the free tree: the first k of p. */
void nodes_pool_drop(struct nodes *m, struct nva_pool *p, u64 k);
/* Is the request one node_alloc serves (full window, more than one node)? */
static inline bool nodes_full_window(const struct nodes *m, const struct vmlist_req *rq)
{
	return m->nr_nodes > 1 && rq->vstart == m->vstart && rq->vend == m->vend;
}
static inline unsigned nodes_cpu_node(const struct nodes *m, unsigned cpu)
{
	return cpu % m->nr_nodes;
}
/* A busy area object for [a, a + size) owned by vn, inserted in the used tree. */
int nodes_make_busy(struct nodes *m, struct nva *n, u64 a, u64 size, u32 vn);

/* vmlist_nodes_follow.c */
#define NODES_HIDDEN_WALK 256 /* used objects a hidden-slot prediction looks at below the cursor */
/* The hidden slot the kernel's pool (node, rq) would give next, or NULL. */
struct nva *nodes_hidden_next(struct nodes *m, unsigned node, const struct vmlist_req *rq);
/* The next entry of a batch the kernel's pool (node, rq) is handing out in descending steps
 * the model cannot see: stride below its last pick, past the batch's slots a busy area holds
 * exactly (NODES_HIDDEN_WALK at most), when that range is free or hidden slots in the model;
 * false when there is no such run or the slot is partly used otherwise. */
bool nodes_stride_next(struct nodes *m, unsigned node, const struct vmlist_req *rq, u64 *at);
/* The lowest place above the pool's hunt address where rq fits in free or hidden space (a
 * decayed pool's slots are the kernel's tree); false: not hunting, or none within the walk. */
bool nodes_hunt_fit(struct nodes *m, unsigned node, const struct vmlist_req *rq, u64 *at);
int nodes_place(void *priv, const struct vmlist_req *rq, u64 addr, struct vmlist_pick *how);
void nodes_set_owner(void *priv, u64 addr, unsigned cpu, bool full, bool guess);

#endif
