/* pagereplay's compaction: the hooks the compaction model calls (which blocks are movable, where
 * a migrated block went), the trace's compaction events applied (buddy mode replays the traced
 * free scanner; placement takes the kernel's requests) and the fast free search's named block. */
#include "core/phys/pagereplay.h"
#include <errno.h>
#include <string.h>
#include "core/phys/compact.h"
#include "core/phys/hindsight.h"
#include "core/phys/pcp.h"
#include "core/phys/pfnmap.h"
#include "core/phys/seed.h"
#include "core/phys/pagereplay_priv.h"
#include "core/phys/silent.h"

/* Compaction's hooks: a block is movable when it is a live block of a movable allocation, or
 * a page allocated before the recording in a movable pageblock (types kept). */
/* The owner map, built from the live records when compaction first asks (until then no
 * allocation or free pays for it). */
static void pagereplay_owner_build(struct pagereplay *r)
{
	r->owner_built = true;
	if (pfnmap_init(&r->owner, r->zs))
		return; /* host memory short: no block is moved */
	u64 key, rec;
	for (u64 pos = 0; hmap_next(&r->live, &pos, &key, &rec);)
		if (rec_mt(rec) == MT_MOVABLE) /* a traced pfn of 2^32 - 1 or more: never moved */
			(void)pfnmap_put(&r->owner, rec_pfn(rec), key);
}

static bool pagereplay_movable(void *ctx, unsigned z, u64 pfn, unsigned order)
{
	struct pagereplay *r = ctx;
	u64 t;
	if (MM_UNLIKELY(!r->owner_built))
		pagereplay_owner_build(r);
	if (pfnmap_get(&r->owner, pfn, &t))
		return true;
	const struct buddy *b = &r->zs->zone[z].buddy;
	u32 i = (u32)(pfn - b->base_pfn);
	/* (a seeded pfn the trace allocated again is left alone: its record is another block's) */
	return order == 0 && buddy_frame_list(b, i) == BUDDY_TAG_SEEDED && b->pageblock_mt &&
	       b->pageblock_mt[buddy_pageblock(b, i)] == MT_MOVABLE && !hmap_get(&r->live, pfn, &t);
}

static void pagereplay_moved(void *ctx, u64 from, u64 to, unsigned order)
{
	struct pagereplay *r = ctx;
	u64 trace_pfn, rec;
	int mt = MT_MOVABLE;
	if (pfnmap_del(&r->owner, from, &trace_pfn)) {
		if (hmap_get(&r->live, trace_pfn, &rec))
			mt = rec_mt(rec);
	} else {
		trace_pfn = from; /* a seeded page: the trace frees it by its own pfn */
	}
	/* host memory short: the block stays unowned (a later free of it is unmatched) */
	if (pfnmap_put(&r->owner, to, trace_pfn) >= 0)
		hmap_put(&r->live, trace_pfn, rec_make(to, mt, order));
}

void pagereplay_compact_hooks(struct pagereplay *r, struct compact_hooks *h)
{
	h->movable = pagereplay_movable;
	h->moved = pagereplay_moved;
	h->ctx = r;
}

int pagereplay_attach_compact(struct pagereplay *r, struct compact *cmp)
{
	r->cmp = cmp;
	return 0;
}

/* Placement: the trace's try_to_compact_pages, the kernel's request for an allocation its
 * free lists could not serve. With the trace's lists (each allocation in the kernel's zone) the
 * model's compaction answers it in the zones the kernel then compacted (pagereplay_compact_run):
 * which zones a request reaches is the kernel's choice there, as the zone of each allocation
 * is; the model's own walk of its zonelist stopped at a zone the kernel had passed over (on a
 * THP hog at full memory it made order-9 blocks in Normal for the THPs the kernel placed in
 * DMA32, 50 k pages). The request stays the task's until its next. With the model's own list
 * tuning (its own zone choices) its own walk answers it at once. */
static void pagereplay_compact_request(struct pagereplay *r, const struct mm_event *ev)
{
	int limit = zones_limit_of_flags(ev->flags);
	if (!r->cmp || limit < 0 || ev->order > BUDDY_MAX_ORDER_LIMIT)
		return;
	const struct compact_req rq = {ev->order, ev->mt >= 0 && ev->mt < MT_NR ? ev->mt : MT_UNMOVABLE,
				       (enum compact_prio)MM_MIN(ev->len, (u64)COMPACT_PRIO_ASYNC), true};
	r->st.compact_requests++;
	if (!r->pcp || r->pcp->tune != PCP_TUNE_TRACE) { /* the model's own zones: its own walk */
		int zl[ZONE_NR_TYPES];
		compact_try(r->cmp, zl, pagereplay_zonelist(r, limit, zl), &rq);
		pagereplay_requested(r, ev->pid, ev->order);
		r->request_pid[r->request_next++ % PAGEREPLAY_CAPTURE_SLOTS] =
			(ev->pid + 1ULL) << 8 | ev->order;
		pagereplay_kcompactd(r);
		return;
	}
	unsigned k = r->req_next % PAGEREPLAY_CAPTURE_SLOTS;
	for (unsigned i = 0; i < PAGEREPLAY_CAPTURE_SLOTS; i++)
		if (r->req_pid1[i] == ev->pid + 1ULL)
			k = i;
	if (r->req_pid1[k] != ev->pid + 1ULL)
		r->req_next++;
	r->req_pid1[k] = ev->pid + 1ULL;
	r->req[k] = rq;
	pagereplay_requested(r, ev->pid, ev->order); /* one slot per task and order */
	r->request_pid[r->request_next++ % PAGEREPLAY_CAPTURE_SLOTS] = (ev->pid + 1ULL) << 8 | ev->order;
	pagereplay_kcompactd(r);
}

/* Placement: a traced run begins (mm_compaction_begin, its zone's start pfn): the model compacts
 * that zone for the task's request, if it made one (kcompactd's runs have their own model). */
static void pagereplay_compact_run(struct pagereplay *r, const struct mm_event *ev)
{
	int z = r->cmp && r->zs ? zones_find(r->zs, ev->addr) : -1;
	for (unsigned i = 0; z >= 0 && i < PAGEREPLAY_CAPTURE_SLOTS; i++)
		if (r->req_pid1[i] == ev->pid + 1ULL) {
			(void)compact_zone(r->cmp, (unsigned)z, &r->req[i]);
			pagereplay_kcompactd(r);
			return;
		}
}

void pagereplay_defer_seen(struct pagereplay *r, const struct mm_event *ev, bool early)
{
	if (r->mode == PAGEREPLAY_PLACEMENT && r->cmp && r->zs && ev->addr < ZONE_NR_TYPES &&
	    r->zs->index[ev->addr] >= 0)
		compact_defer_seen(r->cmp, (unsigned)r->zs->index[ev->addr], ev->order, ev->len, ev->len2,
				   early);
}

/* A fast isolation's time, for the replay's sweep (silent_sweep.h), or for silent_out when the
 * sweep could not be made. */
struct pagereplay_silent_at {
	const struct silent *s;
	struct silent_sweep *w; /* NULL: silent_out */
	u64 ts;
};

static bool pagereplay_silent_named(const void *ctx, u64 pfn, unsigned order)
{
	const struct pagereplay_silent_at *at = ctx;
	return at->w ? silent_sweep_out(at->w, pfn, order, at->ts) : silent_out(at->s, pfn, order, at->ts);
}

bool pagereplay_in_run(const struct pagereplay *r, u32 pid)
{
	for (unsigned i = 0; i < COMPACT_HELD_RUNS; i++)
		if (r->run_pid[i] == pid + 1ULL)
			return true;
	return false;
}

/* Placement: the trace's runs in flight (a run of a task still open is ended by its next). */
static void pagereplay_run_mark(struct pagereplay *r, const struct mm_event *ev)
{
	if (ev->aux != MME_COMPACT_BEGIN && ev->aux != MME_COMPACT_END)
		return;
	for (unsigned i = 0; i < COMPACT_HELD_RUNS; i++)
		if (r->run_pid[i] == ev->pid + 1ULL)
			r->run_pid[i] = 0;
	if (ev->aux != MME_COMPACT_BEGIN)
		return;
	for (unsigned i = 0; i < COMPACT_HELD_RUNS; i++)
		if (!r->run_pid[i]) {
			r->run_pid[i] = ev->pid + 1ULL;
			return;
		}
	r->run_pid[r->run_next++ % COMPACT_HELD_RUNS] = ev->pid + 1ULL; /* more tasks: the oldest slot */
}

void pagereplay_compaction(struct pagereplay *r, const struct mm_event *ev)
{
	bool fast = ev->aux == MME_COMPACT_FAST_ISOLATE_FREE;
	if (r->mode == PAGEREPLAY_PLACEMENT && ev->aux == MME_COMPACT_TRY)
		pagereplay_compact_request(r, ev);
	if (r->mode == PAGEREPLAY_PLACEMENT && ev->aux == MME_COMPACT_KCOMPACTD_SLEEP && r->cmp)
		compact_kcompactd_sleep(r->cmp, ev->ts_ns);
	if (r->mode == PAGEREPLAY_PLACEMENT)
		pagereplay_run_mark(r, ev);
	if (r->mode == PAGEREPLAY_PLACEMENT && ev->aux == MME_COMPACT_BEGIN)
		pagereplay_compact_run(r, ev);

	if (r->mode == PAGEREPLAY_PLACEMENT || !r->zs)
		return;
	r->held.doubt = &r->doubt; /* (set here: the struct may have moved since its init) */
	r->held.doubt_max = 0;
	for (unsigned z = 0; z < r->zs->nr_zones; z++) /* a page is in doubt once at a time */
		r->held.doubt_max += r->zs->zone[z].buddy.nr_pages;
	if (ev->aux == MME_COMPACT_BEGIN)
		compact_held_begin(&r->held, ev->pid);
	else if (ev->aux == MME_COMPACT_END)
		compact_held_end(&r->held, ev->pid);
	pagereplay_held_stats(r);
	if (ev->aux == MME_COMPACT_BEGIN && r->capture)
		pagereplay_capture_done(r, ev->pid);
	if (ev->aux == MME_COMPACT_END && r->capture) /* a capture may end a run of any status */
		r->capture_pid[r->capture_next++ % PAGEREPLAY_CAPTURE_SLOTS] = ev->pid + 1ULL;
	if (ev->aux == MME_COMPACT_BEGIN || ev->aux == MME_COMPACT_END)
		return;
	if (!fast && ev->aux != MME_COMPACT_ISOLATE_FREE)
		return;
	u64 block;
	int z = pagereplay_isolate(r, ev, &block);
	if (z >= 0 && block != UINT64_MAX) {
		compact_held_add(&r->held, ev->pid, block, (unsigned)__builtin_ctzll(ev->len2));
		pagereplay_held_stats(r);
	}
}

int pagereplay_isolate(struct pagereplay *r, const struct mm_event *ev, u64 *block)
{
	bool fast = ev->aux == MME_COMPACT_FAST_ISOLATE_FREE;
	int z = zones_find(r->zs, ev->addr);
	*block = UINT64_MAX;
	if (z < 0 || ev->addr2 < ev->addr) {
		r->st.compact_missing_pages += ev->len2;
		return -1;
	}
	/* the range's end: isolate_freepages_block's stop (exclusive), fast's free_pfn (inclusive) */
	u64 got = 0;
	if (fast && r->fast_named &&
	    r->hindsight) { /* the block the trace's later frees show out of the buddy now */
		const struct silent *s = &r->hindsight->silent;
		if (r->sweep.s != s) { /* the first question (of this hindsight) */
			silent_sweep_fini(&r->sweep);
			(void)silent_sweep_init(&r->sweep, s); /* without memory, silent_out answers */
		}
		const struct pagereplay_silent_at at = {s, r->sweep.s ? &r->sweep : NULL, ev->ts_ns};
		const struct compact_named named = {pagereplay_silent_named, &at};
		*block = compact_take_named(&r->zs->zone[z].buddy, ev->addr, ev->addr2 + 1, ev->len2, &named);
		got = *block != UINT64_MAX ? ev->len2 : 0;
		r->st.fast_silent_pages += got;
	}
	if (*block == UINT64_MAX)
		got = compact_take(&r->zs->zone[z].buddy, ev->addr, ev->addr2 + fast, ev->len2, ev->len, fast,
				   block);
	r->st.compact_isolated_pages += got;
	r->st.compact_missing_pages += ev->len2 - got;
	return z;
}
