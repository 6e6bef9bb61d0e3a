/* Page tables as a tree of host arrays, each occupying one order-0 buddy page.
 *
 * Table level 0 is the top (PGD); level levels-1 holds the PTEs. Level l indexes the
 * virtual address with bits [12 + 9 * (levels - 1 - l), +9). With fewer than 5 levels the
 * table covers 2^(12 + 9 * levels) bytes and higher address bits are ignored (addresses alias
 * modulo the covered size, as on a narrower MMU).
 *
 * Ranges are handled with an inclusive last address so that ranges ending at 2^64 never
 * overflow. */
#include "core/kva/pgtable.h"

#include <errno.h>
#include <stdlib.h>

#define PT_ENTRIES 512
#define PT_BITS 9

struct pt_table {
	u64 pfn;  /* the buddy page this table occupies */
	u32 used; /* non-empty entries; 0 means the table may be freed */
	u64 born; /* pgtable.gen when made: a failed range map frees exactly the tables it made */
	/* upper levels: the child table (NULL = none); PTE level: (pfn << 1) | 1, 0 = none */
	union {
		struct pt_table *child[PT_ENTRIES];
		u64 pte[PT_ENTRIES];
	};
};

struct pgtable {
	unsigned levels;
	struct pagesrc src; /* table pages: order 0, unmovable, zone limit Normal */
	struct pgtable_stats *st;
	struct pt_table *root;
	u64 nr_tables; /* tables alive, root included == buddy pages held */
	u64 gen;       /* incremented by every range map */
};

static inline unsigned pt_shift(const struct pgtable *pt, unsigned l)
{
	return MM_PAGE_SHIFT + PT_BITS * (pt->levels - 1 - l);
}

static inline unsigned pt_index(const struct pgtable *pt, unsigned l, u64 va)
{
	return (unsigned)(va >> pt_shift(pt, l)) & (PT_ENTRIES - 1);
}

static inline void pt_visit(struct pgtable *pt, unsigned l)
{
	if (l >= PGTABLE_MAX_LEVELS)
		__builtin_unreachable(); /* levels <= 5 is checked at creation */
	pt->st->walk_level[l]++;
	pt->st->walk_entries++;
}

static struct pt_table *pt_table_new(struct pgtable *pt)
{
	u64 pfn;
	if (pagesrc_alloc(&pt->src, 0, MT_UNMOVABLE, ZONE_NORMAL, &pfn)) {
		pt->st->alloc_failures++;
		return NULL;
	}
	struct pt_table *t = calloc(1, sizeof(*t));
	if (!t) {
		pagesrc_free(&pt->src, pfn, 0);
		return NULL;
	}
	t->pfn = pfn;
	t->born = pt->gen;
	pt->nr_tables++;
	pt->st->pgtable_pages_alloc++;
	return t;
}

size_t pgtable_table_bytes(void)
{
	return sizeof(struct pt_table);
}

size_t pgtable_bytes(void)
{
	return sizeof(struct pgtable);
}

static void pt_table_free(struct pgtable *pt, struct pt_table *t)
{
	pagesrc_free(&pt->src, t->pfn, 0);
	free(t);
	pt->nr_tables--;
	pt->st->pgtable_pages_free++;
}

int pgtable_create(struct pgtable **out, unsigned levels, struct buddy *b, struct pgtable_stats *st)
{
	struct pagesrc src = pagesrc_buddy(b);
	return pgtable_create_src(out, levels, &src, st);
}

int pgtable_create_src(struct pgtable **out, unsigned levels, const struct pagesrc *src,
		       struct pgtable_stats *st)
{
	if (levels < 2 || levels > PGTABLE_MAX_LEVELS)
		return -EINVAL;
	struct pgtable *pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->levels = levels;
	pt->src = *src;
	pt->st = st;
	pt->root = pt_table_new(pt);
	if (!pt->root) {
		free(pt);
		return -ENOMEM;
	}
	*out = pt;
	return 0;
}

static void pt_destroy_level(struct pgtable *pt, struct pt_table *t, unsigned l)
{
	if (l + 1 < pt->levels)
		for (unsigned i = 0; i < PT_ENTRIES && t->used; i++)
			if (t->child[i]) {
				pt_destroy_level(pt, t->child[i], l + 1);
				t->used--;
			}
	pt_table_free(pt, t);
}

void pgtable_destroy(struct pgtable *pt)
{
	if (!pt)
		return;
	pt_destroy_level(pt, pt->root, 0);
	free(pt);
}

/* Undo the tables made by a failed walk: fresh[k] hangs from parent[k] at idx[k]. */
static void pt_unwind_fresh(struct pgtable *pt, struct pt_table **parent, unsigned *idx,
			    struct pt_table **fresh, unsigned n)
{
	while (n--) {
		parent[n]->child[idx[n]] = NULL;
		parent[n]->used--;
		pt_table_free(pt, fresh[n]);
	}
}

int pgtable_map(struct pgtable *pt, u64 va, u64 pfn)
{
	struct pt_table *t = pt->root, *parent[PGTABLE_MAX_LEVELS], *fresh[PGTABLE_MAX_LEVELS];
	unsigned idx[PGTABLE_MAX_LEVELS], nfresh = 0;
	for (unsigned l = 0; l + 1 < pt->levels; l++) {
		unsigned i = pt_index(pt, l, va);
		pt_visit(pt, l);
		if (!t->child[i]) {
			struct pt_table *c = pt_table_new(pt);
			if (!c) {
				pt_unwind_fresh(pt, parent, idx, fresh, nfresh);
				return -ENOMEM;
			}
			t->child[i] = c;
			t->used++;
			parent[nfresh] = t;
			idx[nfresh] = i;
			fresh[nfresh++] = c;
		}
		t = t->child[i];
	}
	unsigned i = pt_index(pt, pt->levels - 1, va);
	pt_visit(pt, pt->levels - 1);
	if (t->pte[i])
		return -EEXIST; /* the leaf table existed, so nothing was made on the way */
	t->pte[i] = pfn << 1 | 1;
	t->used++;
	pt->st->pte_set++;
	return 0;
}

struct pt_map_ctx {
	u64 start;
	const u64 *pfns;
	u64 done;
};

/* Map [va, last] below table t of level l, stopping at the first failure. */
static int pt_map_level(struct pgtable *pt, struct pt_table *t, unsigned l, u64 va, u64 last,
			struct pt_map_ctx *c)
{
	unsigned shift = pt_shift(pt, l);
	u64 span_mask = (1ULL << shift) - 1;
	for (;;) {
		u64 sub_last = MM_MIN(va | span_mask, last);
		unsigned i = pt_index(pt, l, va);
		pt_visit(pt, l);
		if (l + 1 == pt->levels) {
			if (t->pte[i])
				return -EEXIST;
			t->pte[i] = c->pfns[(va - c->start) >> MM_PAGE_SHIFT] << 1 | 1;
			t->used++;
			pt->st->pte_set++;
			c->done++;
		} else {
			if (!t->child[i]) {
				struct pt_table *n = pt_table_new(pt);
				if (!n)
					return -ENOMEM;
				t->child[i] = n;
				t->used++;
			}
			int err = pt_map_level(pt, t->child[i], l + 1, va, sub_last, c);
			if (err)
				return err;
		}
		if (sub_last == last)
			return 0;
		va = sub_last + 1;
	}
}

struct pt_unmap_ctx {
	bool free_tables;
	bool only_born; /* free only empty tables made in generation pt->gen */
	void (*fn)(void *arg, u64 va, u64 pfn);
	void *arg;
	u64 unmapped;
};

static void pt_unmap_level(struct pgtable *pt, struct pt_table *t, unsigned l, u64 va, u64 last,
			   struct pt_unmap_ctx *c)
{
	unsigned shift = pt_shift(pt, l);
	u64 span_mask = (1ULL << shift) - 1;
	for (;;) {
		u64 sub_last = MM_MIN(va | span_mask, last);
		unsigned i = pt_index(pt, l, va);
		pt_visit(pt, l);
		if (l + 1 == pt->levels) {
			u64 e = t->pte[i];
			if (e) {
				t->pte[i] = 0;
				t->used--;
				pt->st->pte_clear++;
				c->unmapped++;
				if (c->fn)
					c->fn(c->arg, va, e >> 1);
			}
		} else if (t->child[i]) {
			pt_unmap_level(pt, t->child[i], l + 1, va, sub_last, c);
			struct pt_table *ch = t->child[i];
			if (c->free_tables && !ch->used && (!c->only_born || ch->born == pt->gen)) {
				pt_table_free(pt, t->child[i]);
				t->child[i] = NULL;
				t->used--;
			}
		}
		if (sub_last == last)
			return;
		va = sub_last + 1;
	}
}

u64 pgtable_unmap(struct pgtable *pt, u64 start, u64 end, bool free_tables,
		  void (*fn)(void *arg, u64 va, u64 pfn), void *arg)
{
	struct pt_unmap_ctx c = {.free_tables = free_tables, .fn = fn, .arg = arg};
	if (end <= start && end != 0)
		return 0;
	u64 last = end - 1;
	unsigned cover_bits = MM_PAGE_SHIFT + PT_BITS * pt->levels;
	if (cover_bits < 64 && last - start >= (1ULL << cover_bits) - 1) {
		/* the range covers the whole table: visit each top entry once */
		start &= ~((1ULL << cover_bits) - 1);
		last = start + ((1ULL << cover_bits) - 1);
	}
	pt_unmap_level(pt, pt->root, 0, start, last, &c);
	return c.unmapped;
}

int pgtable_map_range(struct pgtable *pt, u64 va, const u64 *pfns, u64 n, u64 *done)
{
	struct pt_map_ctx c = {.start = va, .pfns = pfns};
	int err = 0;
	pt->gen++;
	if (n)
		err = pt_map_level(pt, pt->root, 0, va, va + (n << MM_PAGE_SHIFT) - 1, &c);
	if (err && (c.done || err == -ENOMEM)) {
		/* nothing half-built: clear what this call set and free the tables it made, on
		 * the pages mapped and on the way to the page that failed; an empty table that
		 * existed before stays */
		struct pt_unmap_ctx u = {.free_tables = true, .only_born = true};
		u64 fail_va = va + (c.done << MM_PAGE_SHIFT);
		if (err == -EEXIST) /* the failing PTE is someone else's, its tables too */
			fail_va -= MM_PAGE_SIZE;
		pt_unmap_level(pt, pt->root, 0, va, fail_va, &u);
	}
	if (done)
		*done = c.done;
	return err;
}

i64 pgtable_lookup(struct pgtable *pt, u64 va)
{
	struct pt_table *t = pt->root;
	for (unsigned l = 0; l + 1 < pt->levels; l++) {
		pt_visit(pt, l);
		t = t->child[pt_index(pt, l, va)];
		if (!t)
			return -1;
	}
	pt_visit(pt, pt->levels - 1);
	u64 e = t->pte[pt_index(pt, pt->levels - 1, va)];
	return e ? (i64)(e >> 1) : -1;
}

u64 pgtable_nr_table_pages(const struct pgtable *pt)
{
	return pt->nr_tables;
}

unsigned pgtable_levels(const struct pgtable *pt)
{
	return pt->levels;
}
