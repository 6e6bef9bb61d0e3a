#include "core/phys/compact_held.h"

static struct compact_held_run *held_run(struct compact_held *h, u32 pid)
{
	for (unsigned i = 0; i < COMPACT_HELD_RUNS; i++)
		if (h->run[i].pid1 == pid + 1ULL)
			return &h->run[i];
	return NULL;
}

void compact_held_begin(struct compact_held *h, u32 pid)
{
	compact_held_end(h, pid);
	struct compact_held_run *r = held_run(h, UINT32_MAX); /* a free slot: pid1 0 */
	for (unsigned i = 0; !r && i < COMPACT_HELD_RUNS; i++)
		if (!h->run[i].pid1)
			r = &h->run[i];
	if (!r) { /* more runs than slots: the oldest slot's blocks stay guesses */
		r = &h->run[h->next++ % COMPACT_HELD_RUNS];
		compact_held_end(h, (u32)(r->pid1 - 1));
	}
	r->pid1 = pid + 1ULL;
	r->n = 0;
}

void compact_held_add(struct compact_held *h, u32 pid, u64 pfn, unsigned order)
{
	struct compact_held_run *r = held_run(h, pid);
	if (!r || r->n >= COMPACT_HELD_BLOCKS) {
		h->unnamed_pages += 1ULL << order;
		return;
	}
	r->blk[r->n++] = (struct compact_held_block){.pfn = pfn, .order = (u8)order};
}

void compact_held_end(struct compact_held *h, u32 pid)
{
	struct compact_held_run *r = held_run(h, pid);
	if (!r)
		return;
	for (unsigned i = 0; i < r->n; i++) {
		const struct compact_held_block *k = &r->blk[i];
		if (!k->named)
			h->unnamed_pages += 1ULL << k->order;
		for (u64 p = 0, old; h->doubt && !k->right && p < 1ULL << k->order; p++) {
			if (h->doubt->n >= h->doubt_max && !migpend_pop(h->doubt, 0, &old))
				break;
			(void)migpend_push(h->doubt, 0, k->pfn + p);
		}
	}
	r->pid1 = 0;
	r->n = 0;
}

u64 compact_held_free_end(const struct buddy *b, u64 pfn)
{
	if (pfn < b->base_pfn || pfn >= b->base_pfn + b->nr_pages)
		return 0;
	for (unsigned k = 0; k <= b->max_order; k++) { /* the free block's head: pfn's k low bits 0 */
		u64 head = pfn & ~((1ULL << k) - 1);
		if (head < b->base_pfn)
			break;
		u32 i = (u32)(head - b->base_pfn);
		if (buddy_frame_is_free(b, i))
			return buddy_frame_order(b, i) >= k ? head + (1ULL << buddy_frame_order(b, i)) : 0;
		if (buddy_frame_is_alloc(b, i))
			return 0;
	}
	return 0;
}

/* Are all pages of [pfn, pfn + n) free in b? */
static bool held_all_free(const struct buddy *b, u64 pfn, u64 n)
{
	for (u64 p = pfn; p < pfn + n;) {
		u64 e = compact_held_free_end(b, p);
		if (!e)
			return false;
		p = e;
	}
	return true;
}

void compact_held_free(struct compact_held *h, struct buddy *b, u32 pid, u64 pfn, unsigned order)
{
	struct compact_held_run *r = held_run(h, pid);
	if (!r)
		return;
	for (unsigned i = 0; i < r->n; i++) { /* a piece of a guessed block: the guess was right */
		struct compact_held_block *k = &r->blk[i];
		if (pfn >= k->pfn && pfn < k->pfn + (1ULL << k->order)) {
			if (!k->named)
				h->confirmed_pages += 1ULL << k->order;
			k->named = k->right = true;
			return;
		}
	}
	if (!held_all_free(b, pfn, 1ULL << order))
		return; /* in use in the model too: a migration's source, not a piece */
	for (unsigned i = 0; i < r->n; i++) {
		struct compact_held_block *k = &r->blk[i];
		u64 n = 1ULL << k->order, to = pfn & ~(n - 1);
		if (k->named || k->order < order || to < b->base_pfn || to + n > b->base_pfn + b->nr_pages ||
		    !held_all_free(b, to, n))
			continue;
		k->named = true;
		h->contradicted_pages += n;
		return;
	}
}
