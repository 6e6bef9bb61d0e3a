/* What pagereplay.c shares with its other parts (pagereplay_compact.c): the live block's record
 * and the helpers both sides call. Not for users of pagereplay.h. */
#ifndef PAGEREPLAY_PRIV_H
#define PAGEREPLAY_PRIV_H

#include "core/phys/pagereplay.h"

/* A live block's record: its model pfn, the migratetype it was allocated with (the per-CPU
 * list it returns to when the buddy keeps no pageblock types) and its order. */
static inline u64 rec_make(u64 pfn, int mt, unsigned order)
{
	return pfn << 8 | (u64)(mt >= 0 && mt < MT_NR ? mt + 1 : 0) << 4 | order;
}
static inline u64 rec_pfn(u64 rec)
{
	return pagereplay_live_pfn(rec);
}
static inline int rec_mt(u64 rec)
{
	return (int)((rec >> 4) & 0xf) - 1;
}
static inline unsigned rec_order(u64 rec)
{
	return (unsigned)(rec & 0xf);
}

/* A traced request of this task at this order ran and its allocation is this one: taken. */
bool pagereplay_requested(struct pagereplay *r, u32 pid, unsigned order);

/* The zonelist of a request limited to zone type limit: zone positions, highest first. */
unsigned pagereplay_zonelist(const struct pagereplay *r, int limit, int *zl);

/* kcompactd: woken when a boosted kswapd run ends; kswapd going to sleep resets compaction's
 * skip hints (the watermarks count both). */
void pagereplay_kcompactd(struct pagereplay *r);

/* The task's capture is done (its block taken) or over (it compacts again). */
void pagereplay_capture_done(struct pagereplay *r, u32 pid);

/* Placement, faithful: a free of part of a live block splits the model's block into pieces of
 * the free's order, each its own live record (pagereplay_split.c). own: the record the free's
 * pfn held, already taken out of `live` (the block's head piece); NULL: none, a block whose head
 * lies below is looked for. True when it split (the free's piece is then a record in `live`). */
bool pagereplay_split(struct pagereplay *r, const struct mm_event *ev, const u64 *own);

/* A free's record taken out of `live`: kept as a migration's source (placement, the task's
 * compaction run in flight) or given back (to its CPU's list or the buddy). */
void pagereplay_free_rec(struct pagereplay *r, const struct mm_event *ev, u64 rec);

/* Placement, faithful: a free of a block the model holds as pieces, live records (pages the
 * model's compaction moved) and seeded pages, frees every piece (pagereplay_pieces.c). True
 * when the block was such; nothing changes otherwise. */
bool pagereplay_free_pieces(struct pagereplay *r, const struct mm_event *ev);

/* Placement: an allocation of order > 0 no block could serve, compaction's retry included,
 * served as order-0 pages of the kernel's zone, each a live record at its traced pfn
 * (pagereplay_fallback.c). True when served; nothing changes otherwise. */
bool pagereplay_base_fallback(struct pagereplay *r, const struct mm_event *ev, int limit);

/* The lists a refill locks (`refilling`): a refill's zone_locked locks its CPU's list, that
 * CPU's next mm_page_alloc unlocks it. Is the list of the free ev's CPU locked now? An interrupt's
 * free runs as the interrupted task: a free of another task means the refilling task was switched
 * out, its lock long released (a bulk allocation, which traces no mm_page_alloc). */
void pagereplay_refill_mark(struct pagereplay *r, const struct mm_event *ev);
bool pagereplay_list_locked(struct pagereplay *r, const struct mm_event *ev);

/* The traced free scanner's isolation ev (mm_compaction_isolate_freepages or the fast search's)
 * taken from the model's buddy: the fast search's block the trace's later frees name (with
 * hindsight and fast_named), else compact_take's. Counts the pages taken and missing; *block:
 * the fast search's block, or UINT64_MAX. The zone's position, or -1 (outside the zones). */
int pagereplay_isolate(struct pagereplay *r, const struct mm_event *ev, u64 *block);

/* Placement: is a traced compaction run of this task in flight? */
bool pagereplay_in_run(const struct pagereplay *r, u32 pid);

/* The guesses' counts, where the figures read them. */
void pagereplay_held_stats(struct pagereplay *r);

#endif
