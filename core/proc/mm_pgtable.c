/* struct mm_pt_ops over pgtable.h (see mm_pgtable.h). */
#include <errno.h>
#include <string.h>

#include "core/proc/mm_pgtable.h"

#define MM_PGTABLE_PFN 0 /* the placeholder data frame */

void mm_pgtable_init(struct mm_pgtable *ctx, struct buddy *b, unsigned levels)
{
	struct pagesrc src = pagesrc_buddy(b);
	mm_pgtable_init_src(ctx, &src, levels);
}

void mm_pgtable_init_src(struct mm_pgtable *ctx, const struct pagesrc *src, unsigned levels)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->src = *src;
	ctx->levels = levels;
	for (unsigned i = 0; i < MM_PGTABLE_BATCH; i++)
		ctx->pfns[i] = MM_PGTABLE_PFN;
}

static int mpt_create(void *ctx, void **pt)
{
	struct mm_pgtable *c = ctx;
	struct pgtable *t;
	int err = pgtable_create_src(&t, c->levels, &c->src, &c->st);
	if (!err)
		*pt = t;
	return err;
}

static u64 mpt_destroy(void *ctx, void *pt)
{
	u64 n = pgtable_nr_table_pages(pt);
	pgtable_destroy(pt);
	return n;
}

static int mpt_populate(void *ctx, void *pt, u64 start, u64 end)
{
	struct mm_pgtable *c = ctx;
	for (u64 va = start; va < end;) {
		u64 n = MM_MIN((end - va) >> MM_PAGE_SHIFT, MM_PGTABLE_BATCH);
		int err = pgtable_map_range(pt, va, c->pfns, n, NULL);
		if (err)
			return err == -EEXIST ? -EEXIST : -ENOMEM;
		va += n << MM_PAGE_SHIFT;
	}
	return 0;
}

static u64 mpt_unmap(void *ctx, void *pt, u64 start, u64 end, bool free_tables, u64 *tables_freed)
{
	u64 before = pgtable_nr_table_pages(pt);
	u64 n = pgtable_unmap(pt, start, end, free_tables, NULL, NULL);
	*tables_freed = before - pgtable_nr_table_pages(pt);
	return n;
}

const struct mm_pt_ops mm_pgtable_ops = {
	.name = "pgtable",
	.create = mpt_create,
	.destroy = mpt_destroy,
	.populate = mpt_populate,
	.unmap = mpt_unmap,
};
