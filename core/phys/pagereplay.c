#include "core/phys/pagereplay.h"
#include "core/phys/pagereplay_priv.h"

#include <errno.h>
#include <string.h>

#include "core/phys/compact.h"
#include "core/phys/hindsight.h"
#include "core/phys/pcp.h"
#include "core/phys/pfnmap.h"
#include "core/phys/seed.h"

int pagereplay_init(struct pagereplay *r, struct buddy *b, enum pagereplay_mode mode)
{
	struct pagesrc src = pagesrc_buddy(b);
	return pagereplay_init_src(r, &src, mode);
}

int pagereplay_init_src(struct pagereplay *r, const struct pagesrc *src, enum pagereplay_mode mode)
{
	memset(r, 0, sizeof(*r));
	r->src = *src;
	r->mode = mode;
	return hmap_init(&r->live, 1024);
}

void pagereplay_fini(struct pagereplay *r)
{
	hmap_fini(&r->live);
	pfnmap_fini(&r->owner);
	migpend_fini(&r->migrated);
	migpend_fini(&r->doubt);
	silent_sweep_fini(&r->sweep);
}

void pagereplay_attach(struct pagereplay *r, struct zones *zs, struct pcp *pcp)
{
	r->zs = zs;
	r->pcp = pcp;
}

static void pagereplay_release_cpu(struct pagereplay *r, u64 rec, unsigned cpu)
{
	if (MM_UNLIKELY(r->owner_built) && rec_mt(rec) == MT_MOVABLE)
		pfnmap_del(&r->owner, rec_pfn(rec), NULL);
	if (r->pcp && MM_UNLIKELY(r->bypass))
		pcp_free_direct(r->pcp, rec_pfn(rec), rec_order(rec));
	else if (r->pcp)
		pcp_free(r->pcp, cpu, rec_pfn(rec), rec_order(rec), rec_mt(rec));
	else
		pagesrc_free(&r->src, rec_pfn(rec), rec_order(rec));
}

void pagereplay_refill_mark(struct pagereplay *r, const struct mm_event *ev)
{
	if (ev->cpu >= 64)
		return;
	if (ev->kind == MME_PAGE_ALLOC) {
		r->refilling &= ~(1ULL << ev->cpu);
	} else if (ev->kind == MME_PAGE_ZONE_LOCKED && (ev->flags & MME_F_PCP_REFILL)) {
		r->refilling |= 1ULL << ev->cpu;
		r->refill_pid[ev->cpu] = ev->pid;
	}
}

bool pagereplay_list_locked(struct pagereplay *r, const struct mm_event *ev)
{
	if (ev->cpu >= 64 || !(r->refilling >> ev->cpu & 1))
		return false;
	if (r->refill_pid[ev->cpu] == ev->pid)
		return true;
	r->refilling &= ~(1ULL << ev->cpu);
	return false;
}

/* Lists as the trace: a list-order free the kernel put in the buddy, not on its list (the list
 * locked by a refill on its CPU: an interrupt's free) bypasses the model's list too. Buddy mode's
 * other rule, the block's next event a take from the buddy (hindsight.h), is not used here: on
 * c-thp-hog-full it moved 105 frees and the order-9 error from 79 / 2.39 to 170 / 3.75. */
static bool pagereplay_bypasses_list(struct pagereplay *r, const struct mm_event *ev)
{
	if (!r->pcp || r->pcp->tune != PCP_TUNE_TRACE || pcp_order_index(ev->order) < 0)
		return false;
	if (!pagereplay_list_locked(r, ev))
		return false;
	r->st.locked_frees++;
	return true;
}

static void pagereplay_release(struct pagereplay *r, u64 rec)
{
	pagereplay_release_cpu(r, rec, 0);
}

/* A model allocation failed: count it by the preferred zone and tell the caller. */
static void pagereplay_failed(struct pagereplay *r, const struct mm_event *ev, int limit)
{
	r->st.alloc_failures++;
	r->st.zone_failures[limit]++;
	if (r->on_fail)
		r->on_fail(r->on_fail_ctx, ev, (unsigned)limit);
}

/* Per-CPU lists: the kernel handed out (or drained) page X before any refill brought X to a
 * list, and the page state has X allocated: X was on that CPU's list when the recording began.
 * The model gives X to the user (or back to the buddy) as the kernel did. */
static bool pagereplay_pcp_start(struct pagereplay *r, const struct mm_event *ev, bool drained)
{
	int z = pcp_order_index(ev->order) >= 0 ? zones_find(r->zs, ev->addr) : -1;
	if (z < 0 || seed_claim(&r->zs->zone[z].buddy, ev->addr, ev->order, ev->mt))
		return false;
	pcp_reveal(r->pcp, (unsigned)z, ev->cpu, ev->order, drained);
	if (drained)
		buddy_free(&r->zs->zone[z].buddy, ev->addr, ev->order);
	return true;
}

/* The model's block for a placed allocation: through the per-CPU lists or the zones. */
static int pagereplay_take(struct pagereplay *r, const struct mm_event *ev, int limit, u64 *pfn)
{
	if (!r->pcp)
		return pagesrc_alloc(&r->src, ev->order, ev->mt, (enum zone_type)limit, pfn);
	if (r->pcp->tune != PCP_TUNE_TRACE)
		return pcp_alloc(r->pcp, (enum zone_type)limit, ev->cpu, ev->order, ev->mt, pfn, NULL);
	/* lists as the trace: the kernel's zone, whose list its refill filled, else the walk from it */
	int kz = zones_find(r->zs, ev->addr);
	if (kz >= 0 && (int)r->zs->zone[kz].type <= limit &&
	    !pcp_alloc_in(r->pcp, (unsigned)kz, ev->cpu, ev->order, ev->mt, pfn))
		return 0;
	r->pcp->first = kz >= 0 ? (int)r->zs->zone[kz].type : -1;
	int err = pcp_alloc(r->pcp, (enum zone_type)limit, ev->cpu, ev->order, ev->mt, pfn, NULL);
	if (err && r->pcp->first >= 0 && r->pcp->first < limit) { /* then the whole zonelist */
		r->pcp->first = -1;
		err = pcp_alloc(r->pcp, (enum zone_type)limit, ev->cpu, ev->order, ev->mt, pfn, NULL);
	}
	r->pcp->first = -1;
	return err;
}

/* The zonelist of a request limited to zone type limit: zone positions, highest first. */
unsigned pagereplay_zonelist(const struct pagereplay *r, int limit, int *zl)
{
	unsigned n = 0;
	for (int t = limit; t >= 0; t--)
		if (r->zs->index[t] >= 0)
			zl[n++] = r->zs->index[t];
	return n;
}

/* A traced request of this task at this order ran and its allocation is this one: taken. */
bool pagereplay_requested(struct pagereplay *r, u32 pid, unsigned order)
{
	u64 key = (pid + 1ULL) << 8 | order;
	for (unsigned i = 0; i < PAGEREPLAY_CAPTURE_SLOTS; i++)
		if (r->request_pid[i] == key) {
			r->request_pid[i] = 0;
			return true;
		}
	return false;
}

/* Direct compaction for an allocation the model could not place (the trace holds no request
 * for it): try_to_compact_pages asynchronously, then synchronously (the slow path's next
 * priority), and the allocation is tried again. 0 with *pfn, or -ENOMEM. */
static int pagereplay_compact_retry(struct pagereplay *r, const struct mm_event *ev, int limit, u64 *pfn)
{
	int zl[ZONE_NR_TYPES];
	unsigned n = pagereplay_zonelist(r, limit, zl);
	if (pagereplay_requested(r, ev->pid, ev->order))
		return -ENOMEM;
	struct compact_req rq = {ev->order, ev->mt >= 0 ? ev->mt : MT_UNMOVABLE, COMPACT_PRIO_ASYNC, true};
	enum compact_result res = compact_try(r->cmp, zl, n, &rq);
	if (res < COMPACT_SUCCESS) {
		rq.prio = COMPACT_PRIO_SYNC_LIGHT;
		res = MM_MAX(res, compact_try(r->cmp, zl, n, &rq));
	}
	if (res < COMPACT_COMPLETE)
		return -ENOMEM;
	r->st.compact_retries++;
	if (pagereplay_take(r, ev, limit, pfn))
		return -ENOMEM;
	r->st.compact_rescued++;
	return 0;
}

/* kcompactd: woken when a boosted kswapd run ends; kswapd going to sleep resets compaction's
 * skip hints (the watermarks count both). */
void pagereplay_kcompactd(struct pagereplay *r)
{
	if (!r->pcp)
		return;
	if (r->pcp->wm.st.kswapd_sleeps != r->kswapd_sleep_mark) {
		r->kswapd_sleep_mark = r->pcp->wm.st.kswapd_sleeps;
		compact_kswapd_sleep(r->cmp);
	}
	if (r->pcp->wm.st.kcompactd_wakes == r->kcompactd_mark)
		return;
	r->kcompactd_mark = r->pcp->wm.st.kcompactd_wakes;
	compact_wake_kcompactd(r->cmp, BUDDY_PAGEBLOCK_ORDER); /* balance_pgdat after a boost */
}

void pagereplay_kswapd_slept(struct pagereplay *r, unsigned order)
{
	if (!r->cmp || r->mode != PAGEREPLAY_PLACEMENT)
		return;
	compact_kswapd_sleep(r->cmp);
	compact_wake_kcompactd(r->cmp, order);
}

/* Placement: the zone the model's block is in against the zone of the traced pfn, the
 * kernel's choice. A diagnostic of the zonelist walk: the model never follows it. */
static void pagereplay_zone_choice(struct pagereplay *r, const struct mm_event *ev, u64 model_pfn)
{
	int kz = zones_find(r->zs, ev->addr), mz = zones_find(r->zs, model_pfn);
	if (kz < 0 || mz < 0)
		return;
	r->st.zone_placed[ev->order]++;
	if (kz == mz)
		return;
	r->st.zone_differs[ev->order]++;
	r->st.zone_higher += r->zs->zone[mz].type > r->zs->zone[kz].type;
}

/* An allocation whose first take failed was served after all (compaction's retry, the base
 * pages' fallback): the zones' failure counts go back to what they were before the take. */
static void pagereplay_served(struct pagereplay *r, u64 failures, u64 limit_failures, int limit)
{
	if (!r->zs)
		return;
	r->zs->st.failures = failures;
	r->zs->st.limit_failures[limit] = limit_failures;
}

static int pagereplay_alloc(struct pagereplay *r, const struct mm_event *ev)
{
	u64 model_pfn, rec;
	if (ev->flags & MME_F_FAILED) {
		r->st.traced_failures++;
		return 0;
	}
	int limit = zones_limit_of_flags(ev->flags);
	if (limit < 0) {
		r->st.bad_flags++;
		return 0;
	}
	if (ev->order > pagesrc_max_order(&r->src)) {
		r->st.out_of_range++;
		return 0;
	}
	if (hmap_del(&r->live, ev->addr, &rec)) {
		r->st.implicit_frees++;
		pagereplay_release(r, rec);
	}
	/* the zones' failures count no request served in the end: no exhaustion */
	u64 f = r->zs ? r->zs->st.failures : 0, lf = r->zs ? r->zs->st.limit_failures[limit] : 0;
	if (r->mode == PAGEREPLAY_FAITHFUL) {
		int err = pagesrc_alloc_at(&r->src, ev->addr, ev->order, ev->mt);
		if (err) {
			if (err == -EBUSY)
				r->st.conflicts++;
			else if (err == -ENXIO)
				r->st.no_zone++;
			else
				r->st.out_of_range++;
			return 0;
		}
		model_pfn = ev->addr;
	} else if (r->pcp && pagereplay_pcp_start(r, ev, false)) {
		model_pfn = ev->addr;
	} else if (pagereplay_take(r, ev, limit, &model_pfn)) {
		if (r->cmp && ev->order && !pagereplay_compact_retry(r, ev, limit, &model_pfn)) {
			pagereplay_served(r, f, lf, limit);
			if (r->zs && r->zs->nr_zones > 1)
				pagereplay_zone_choice(r, ev, model_pfn);
		} else if (pagereplay_base_fallback(r, ev, limit)) {
			pagereplay_served(r, f, lf, limit);
			return 0; /* its pieces are live records */
		} else {
			pagereplay_failed(r, ev, limit);
			return 0;
		}
	} else if (r->zs && r->zs->nr_zones > 1) { /* one zone: nothing to choose */
		pagereplay_zone_choice(r, ev, model_pfn);
	}
	r->st.allocs++;
	/* a traced pfn the owner map cannot hold (2^32 - 1 or more), or no map (host memory
	 * short): compaction leaves the block where it is; the allocation itself is replayed */
	if (MM_UNLIKELY(r->owner_built) && ev->mt == MT_MOVABLE)
		(void)pfnmap_put(&r->owner, model_pfn, ev->addr);
	if (MM_UNLIKELY(r->cmp != NULL))
		pagereplay_kcompactd(r);
	return hmap_put(&r->live, ev->addr, rec_make(model_pfn, ev->mt, ev->order)) < 0 ? -ENOMEM : 0;
}

/* Placement: a free by a task whose compaction run is in flight, of a block the model has, is
 * a migration's source: the page lives on at an untraced target, so the block stays allocated
 * until a later free of an unknown pfn of its order (migpend.h). True when kept. */
static bool pagereplay_migrated(struct pagereplay *r, const struct mm_event *ev, u64 rec)
{
	if (r->mode != PAGEREPLAY_PLACEMENT || !pagereplay_in_run(r, ev->pid))
		return false;
	if (migpend_push(&r->migrated, rec_order(rec), rec))
		return false;		 /* host memory short: freed as the trace says */
	if (MM_UNLIKELY(r->owner_built)) /* held blocks stay where they are */
		pfnmap_del(&r->owner, rec_pfn(rec), NULL);
	r->st.migrated_kept++;
	return true;
}

/* Are traced pfn a and model pfn b in the same zone (or both in none)? One zone lookup. */
static bool pagereplay_same_zone(const struct pagereplay *r, u64 a, u64 b)
{
	int z = zones_find(r->zs, a);
	if (z < 0)
		return zones_find(r->zs, b) < 0;
	const struct buddy *bd = &r->zs->zone[z].buddy;
	return b >= bd->base_pfn && b - bd->base_pfn < bd->nr_pages;
}

void pagereplay_free_rec(struct pagereplay *r, const struct mm_event *ev, u64 rec)
{
	if (pagereplay_migrated(r, ev, rec))
		return;
	/* lists as the trace: a block in another zone than the kernel's goes to the buddy; on the
	 * list of its zone nothing would drain it (the kernel's drain is in the kernel's zone) */
	bool bypass = r->bypass;
	if (!bypass && r->pcp && r->pcp->tune == PCP_TUNE_TRACE && r->mode == PAGEREPLAY_PLACEMENT)
		r->bypass = !pagereplay_same_zone(r, ev->addr, rec_pfn(rec));
	pagereplay_release_cpu(r, rec, ev->cpu);
	r->bypass = bypass;
}

/* An unmatched free on a seeded machine: the page is the model's too when it was allocated
 * before the recording (placement and faithful pair nothing with it). */
static bool pagereplay_free_seeded(struct pagereplay *r, const struct mm_event *ev)
{
	int z = r->zs && ev->order <= 15 ? zones_find(r->zs, ev->addr) : -1;
	if (z < 0 || seed_claim(&r->zs->zone[z].buddy, ev->addr, ev->order, ev->mt))
		return false;
	r->st.seeded_frees++;
	pagereplay_free_rec(r, ev, rec_make(ev->addr, ev->mt, ev->order));
	return true;
}

static int pagereplay_free_listed(struct pagereplay *r, const struct mm_event *ev);

static int pagereplay_free(struct pagereplay *r, const struct mm_event *ev)
{
	r->bypass = pagereplay_bypasses_list(r, ev);
	int err = pagereplay_free_listed(r, ev);
	r->bypass = false;
	return err;
}

static int pagereplay_free_listed(struct pagereplay *r, const struct mm_event *ev)
{
	u64 rec;
	bool found = hmap_del(&r->live, ev->addr, &rec);
	/* a part of a live block (its head piece, or a piece of a block whose head lies below): the
	 * block's pieces become records, the free takes its own */
	if ((!found || rec_order(rec) > ev->order) && pagereplay_split(r, ev, found ? &rec : NULL))
		found = hmap_del(&r->live, ev->addr, &rec);
	/* a block of which the model holds this pfn's page apart (its compaction moved it) */
	if (found && rec_order(rec) < ev->order && hmap_put(&r->live, ev->addr, rec) >= 0) {
		if (pagereplay_free_pieces(r, ev))
			return 0;
		hmap_del(&r->live, ev->addr, &rec);
	}
	if (!found) {
		if (pagereplay_free_seeded(r, ev) || pagereplay_free_pieces(r, ev))
			return 0;
		/* a migration target's free: the oldest source of its order goes (never during a run:
		 * the run's unused isolated pages come back then) */
		if (r->migrated.n && !pagereplay_in_run(r, ev->pid) &&
		    migpend_pop(&r->migrated, ev->order, &rec)) {
			r->st.migrated_released++;
			pagereplay_release_cpu(r, rec, ev->cpu);
			return 0;
		}
		r->st.unmatched_frees++;
		return 0;
	}
	if (rec_order(rec) != ev->order)
		r->st.order_mismatches++;
	pagereplay_free_rec(r, ev, rec);
	r->st.frees++;
	return 0;
}

/* buddy mode: an allocation of a task whose compaction just succeeded may be the block that
 * compaction captured for it (compaction_capture: it never reached the free lists). */
static bool pagereplay_capturing(struct pagereplay *r, const struct mm_event *ev)
{
	if (!r->capture || (ev->flags & MME_F_FAILED))
		return false;
	for (unsigned i = 0; i < PAGEREPLAY_CAPTURE_SLOTS; i++)
		if (r->capture_pid[i] == ev->pid + 1ULL)
			return true;
	return false;
}

/* The task's capture is done (its block taken) or over (it compacts again). */
void pagereplay_capture_done(struct pagereplay *r, u32 pid)
{
	for (unsigned i = 0; i < PAGEREPLAY_CAPTURE_SLOTS; i++)
		if (r->capture_pid[i] == pid + 1ULL)
			r->capture_pid[i] = 0;
}

/* The guesses' counts, where the figures read them. */
void pagereplay_held_stats(struct pagereplay *r)
{
	r->st.fast_confirmed_pages = r->held.confirmed_pages;
	r->st.fast_contradicted_pages = r->held.contradicted_pages;
	r->st.fast_unnamed_pages = r->held.unnamed_pages;
}

/* Buddy mode: n pages the kernel returned were free in the model already: the kernel had taken
 * them without a trace (a compaction isolation's block, used as migration targets, whose users
 * free them now), and the model took others for that isolation, its guess. The oldest
 * unconfirmed guesses' pages go back, as many as were found free (a page no longer allocated as
 * the guess left it, order 0, is passed over). */
static void pagereplay_doubt_release(struct pagereplay *r, u64 n)
{
	u64 pfn;
	while (n && r->doubt.n && migpend_pop(&r->doubt, 0, &pfn)) {
		int z = zones_find(r->zs, pfn);
		if (z < 0)
			continue;
		struct buddy *b = &r->zs->zone[z].buddy;
		u32 i = (u32)(pfn - b->base_pfn);
		if (!buddy_frame_is_alloc(b, i) || buddy_frame_order(b, i) != 0 ||
		    buddy_frame_list(b, i) != MT_MOVABLE || buddy_free(b, pfn, 0))
			continue;
		n--;
		r->st.doubt_released++;
	}
}

/* buddy mode: the kernel's buddy-level events, applied at the traced pfn. */
static int pagereplay_buddy(struct pagereplay *r, const struct mm_event *ev)
{
	bool take = ev->kind == MME_PAGE_ZONE_LOCKED;
	/* a free of a per-CPU list order went to a list: its pcpu_drain event returns it */
	bool listed = ev->kind == MME_PAGE_FREE && pcp_order_index(ev->order) >= 0;
	pagereplay_refill_mark(r, ev);
	/* A free while its CPU's list is locked by a refill comes from an interrupt on that CPU
	 * (the refilling task holds the lock with preemption off): free_frozen_pages' trylock of
	 * the list fails and free_one_page puts the block in the buddy, with no pcpu_drain. */
	if (listed && pagereplay_list_locked(r, ev)) {
		listed = false;
		r->st.locked_frees++;
	} else if (listed && r->hindsight && hindsight_to_buddy(r->hindsight, ev)) {
		listed = false; /* the block's next event takes it from the buddy */
		r->st.hindsight_frees++;
	}
	if (ev->order > 15 || (ev->kind == MME_PAGE_ALLOC && (ev->flags & MME_F_FAILED)))
		return 0;
	int z = r->zs ? zones_find(r->zs, ev->addr) : -1;
	if (z < 0) {
		r->st.no_zone++;
		return 0;
	}
	struct buddy *b = &r->zs->zone[z].buddy;
	if (ev->kind == MME_PAGE_FREE) { /* a piece a compaction run gives back names its block */
		compact_held_free(&r->held, b, ev->pid, ev->addr, ev->order);
		pagereplay_held_stats(r);
	}
	if (ev->kind == MME_PAGE_ALLOC || listed) {
		/* The usual case, a block handed out from or freed to a per-CPU list, is allocated in
		 * the model already (its refill took it; in use until its drain): no conflict. A block
		 * the model has free left the buddy with no zone_locked: compaction's capture (the
		 * freed block went straight to the task), a migration target compaction's free
		 * scanner isolated, or another untraced take; the event is the evidence, so the model
		 * takes it now rather than finding it free when it comes back. */
		u64 c0 = b->st.conflicts;
		if (!buddy_alloc_at(b, ev->addr, ev->order, ev->mt)) {
			r->st.alloc_takes++;
			if (ev->kind == MME_PAGE_ALLOC && pagereplay_capturing(r, ev)) {
				r->st.captured_pages += 1ULL << ev->order;
				pagereplay_capture_done(r, ev->pid);
			} else {
				r->st.untraced_alloc_pages += 1ULL << ev->order;
			}
		}
		b->st.conflicts = c0;
		return 0;
	}
	if (take) {
		r->st.buddy_takes++;
		r->st.untraced_join_pages += seed_take_range(b, ev->addr, ev->order, ev->mt);
	} else {
		r->st.buddy_returns++;
		u64 left = r->st.untraced_leave_pages;
		seed_release_range(b, ev->addr, ev->order, NULL, &r->st.untraced_leave_pages,
				   &r->st.untraced_other_pages);
		pagereplay_doubt_release(r, r->st.untraced_leave_pages - left);
	}
	return 0;
}

/* buddy mode: a fallback allocation (mm_page_alloc_extfrag). Linux 6.15+ traces a claimed block
 * of pageblock order or more (try_to_claim_block takes it whole) and a steal (__rmqueue_steal)
 * only here: the block at pfn of the allocation's order left the buddy with no zone_locked.
 * A claim of a smaller block goes through __rmqueue_smallest, whose zone_locked took the page
 * first: the model has it allocated already and nothing happens. */
static int pagereplay_extfrag(struct pagereplay *r, const struct mm_event *ev)
{
	int z = r->zs && ev->order <= 15 ? zones_find(r->zs, ev->addr) : -1;
	if (z < 0)
		return 0;
	struct buddy *b = &r->zs->zone[z].buddy;
	u64 c0 = b->st.conflicts; /* taken by its zone_locked already: no conflict */
	if (!buddy_alloc_at(b, ev->addr, ev->order, ev->mt)) {
		r->st.buddy_takes++;
		r->st.extfrag_takes++;
	}
	b->st.conflicts = c0;
	return 0;
}

/* Placement: a buddy-level event of the kernel shows the type of the pageblock it touched now:
 * a zone_locked block came from the free list of its migratetype (in 6.18 a free list holds
 * only blocks of its pageblocks' type), a pcpu_drain prints the pageblock's type, a fallback its
 * type before any claim (which comes with its zone_locked first). The seed only guessed it. */
static void pagereplay_pageblock_seen(struct pagereplay *r, const struct mm_event *ev)
{
	int z = r->zs ? zones_find(r->zs, ev->addr) : -1;
	if (z < 0)
		return;
	int mt = ev->kind == MME_PAGE_EXTFRAG ? (int)ev->addr2 : ev->mt;
	if (buddy_pageblock_reveal(&r->zs->zone[z].buddy, ev->addr, mt))
		r->st.pageblocks_retyped++;
}

/* Per-CPU lists tuned as the trace (pcp.h): the kernel's refill or drain of one block, in the
 * zone of its pfn, moves one of the model's. */
static int pagereplay_trace_list(struct pagereplay *r, const struct mm_event *ev)
{
	int z = ev->order <= 15 ? zones_find(r->zs, ev->addr) : -1;
	if (z < 0)
		return 0;
	if (ev->kind == MME_PAGE_PCPU_DRAIN) {
		pcp_trace_drain(r->pcp, (unsigned)z, ev->cpu, ev->order, ev->mt);
		return 0;
	}
	return pcp_trace_refill(r->pcp, (unsigned)z, ev->cpu, ev->order, ev->mt);
}

int pagereplay_event(struct pagereplay *r, const struct mm_event *ev)
{
	if (r->mode == PAGEREPLAY_PLACEMENT &&
	    (ev->kind == MME_PAGE_EXTFRAG || ev->kind == MME_PAGE_ZONE_LOCKED ||
	     ev->kind == MME_PAGE_PCPU_DRAIN))
		pagereplay_pageblock_seen(r, ev);
	if (ev->kind == MME_PAGE_EXTFRAG)
		return r->mode == PAGEREPLAY_BUDDY ? pagereplay_extfrag(r, ev) : 0;
	if (ev->kind == MME_PAGE_ZONE_LOCKED)
		*(ev->flags & MME_F_PCP_REFILL ? &r->st.trace_refill : &r->st.trace_locked) += 1;
	else if (ev->kind == MME_PAGE_PCPU_DRAIN)
		r->st.trace_drain++;
	if (r->pcp && (ev->kind == MME_PAGE_PCPU_DRAIN ||
		       (ev->kind == MME_PAGE_ZONE_LOCKED && (ev->flags & MME_F_PCP_REFILL))))
		pcp_trace_seen(r->pcp);
	if (r->mode == PAGEREPLAY_BUDDY)
		return pagereplay_buddy(r, ev);
	if (MM_UNLIKELY(ev->ts_ns < r->window_end_ns) && r->pcp)
		return pagereplay_window_event(r, ev);
	if (r->pcp)
		pcp_tick(r->pcp, ev->ts_ns);
	if (MM_UNLIKELY(r->cmp != NULL)) {
		r->cmp->kswapd_running = false;
		for (unsigned z = 0; r->pcp && z < r->zs->nr_zones; z++)
			r->cmp->kswapd_running |= r->pcp->wm.z[z].reclaim_active;
		compact_tick(r->cmp, ev->ts_ns);
	}
	if (r->pcp && r->pcp->tune == PCP_TUNE_TRACE) /* lists locked by a refill (buddy mode's rule) */
		pagereplay_refill_mark(r, ev);
	switch (ev->kind) {
	case MME_PAGE_ALLOC:
		return pagereplay_alloc(r, ev);
	case MME_PAGE_FREE:
		return pagereplay_free(r, ev);
	case MME_PAGE_PCPU_DRAIN:
		if (r->pcp && !pagereplay_pcp_start(r, ev, true) && r->pcp->tune == PCP_TUNE_TRACE)
			pagereplay_trace_list(r, ev);
		return 0;
	case MME_PAGE_ZONE_LOCKED:
		if (r->pcp && r->pcp->tune == PCP_TUNE_TRACE && (ev->flags & MME_F_PCP_REFILL))
			return pagereplay_trace_list(r, ev);
		return 0;
	default:
		return 0;
	}
}
