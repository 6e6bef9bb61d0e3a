/* The sim's side of a recorded machine: the seeded zones, per-CPU lists, where the
 * models take their pages, the start time of page events, exhaustion, and the comparison with
 * the kernel's buddyinfo snapshots. sim.c calls these at its event sites. */
#include <errno.h>
#include <string.h>

#include "core/phys/hindsight.h"
#include "core/phys/seed.h"
#include "core/machine/sim_priv.h"

int sim_phys_init(struct sim *s)
{
	bool seeded = s->cfg.seed != NULL;
	int err = seeded ? seed_apply(&s->zones, s->cfg.seed) : 0;
	if (!err && seeded)
		err = seedtime_copy(&s->page_times, &s->cfg.seed->times);
	s->page_times.start_ns = s->cfg.page_read_ns ? s->cfg.page_read_ns : s->cfg.page_from_ns;
	s->page_times.end_ns = s->cfg.page_from_ns;
	const struct zone_spec *top = &s->cfg.zones.zone[s->cfg.zones.nr_zones - 1];
	s->page_times.end_pfn = top->start_pfn + top->nr_pages;
	s->cfg.seed = NULL; /* borrowed for init only */
	if (err)
		return err;
	s->pcp_on = s->cfg.page_mode == PAGEREPLAY_PLACEMENT &&
		    (s->cfg.pcp == SIM_PCP_ON || (s->cfg.pcp == SIM_PCP_AUTO && s->cfg.pcp_recorded));
	if (!s->cfg.pcp_cfg.ncpus) /* no recorded pagesets: the trace's CPUs */
		s->cfg.pcp_cfg.ncpus = MM_MAX(s->cfg.ncpus, 1u);
	s->cfg.pcp_cfg.tune = s->cfg.pcp_tune;
	s->cfg.pcp_cfg.wm.boost_factor = s->cfg.wmark_boost_off ? 0 : WMARK_BOOST_FACTOR;
	s->cfg.pcp_cfg.wm.scale_factor = s->cfg.wmark_scale;
	if (s->pcp_on && (err = pcp_init(&s->pcp, &s->zones, &s->cfg.pcp_cfg)))
		return err;
	pagereplay_attach(&s->pages, &s->zones, s->pcp_on ? &s->pcp : NULL);
	if (s->pcp_on && seeded) /* the seed's read: the kernel's moves (pagereplay_window.c) */
		s->pages.window_end_ns = s->cfg.page_from_ns;
	if (s->cfg.page_mode == PAGEREPLAY_BUDDY && s->cfg.hindsight && s->cfg.hindsight->get)
		s->pages.hindsight = s->cfg.hindsight->get(s->cfg.hindsight->ctx);
	s->pages.fast_named = s->cfg.fast_named;
	s->pages.capture = s->cfg.page_mode == PAGEREPLAY_BUDDY && s->cfg.compaction != SIM_COMPACT_OFF;
	if (s->cfg.page_mode == PAGEREPLAY_PLACEMENT && s->cfg.compaction != SIM_COMPACT_OFF) {
		struct compact_hooks h;
		pagereplay_compact_hooks(&s->pages, &h);
		if ((err = compact_init(&s->cmp, &s->zones, &h, s->cfg.proactiveness)))
			return err;
		s->cmp_on = true;
		for (unsigned z = 0; s->pcp_on && z < s->zones.nr_zones; z++)
			compact_set_wmarks(&s->cmp, z, s->pcp.wm.z[z].wmark[WMARK_MIN],
					   s->pcp.wm.z[z].wmark[WMARK_LOW]);
		if ((err = pagereplay_attach_compact(&s->pages, &s->cmp)))
			return err;
	}
	bool none = s->cfg.model_pages == SIM_MODEL_PAGES_NONE ||
		    (s->cfg.model_pages == SIM_MODEL_PAGES_AUTO && seeded);
	s->model_src = none ? pagesrc_phantom(&s->phantom, pagesrc_max_order(&s->src)) : s->src;
	if (seeded) {
		sim_untraced_init(s);
	} else { /* a boot-state machine: nothing left to initialize */
		s->untr.min_cursor = UINT64_MAX;
		for (unsigned z = 0; z < s->zones.nr_zones; z++) {
			s->untr.cursor[z] = s->zones.zone[z].buddy.base_pfn + s->zones.zone[z].buddy.nr_pages;
			s->untr.managed[z] = s->zones.zone[z].buddy.nr_pages;
		}
	}
	return 0;
}

static void sim_phys_kswapd_quiet(struct sim *s, const struct mm_event *ev);
static void sim_phys_kswapd_done(struct sim *s, const struct mm_event *ev);

int sim_phys_page_event(struct sim *s, const struct mm_event *ev)
{
	if (MM_UNLIKELY(ev->ts_ns < s->cfg.page_from_ns) &&
	    seedtime_in_seed(&s->page_times, ev->ts_ns, ev->addr)) {
		s->page_events_skipped++;
		return 0;
	}
	sim_untraced_page(s, ev);
	if (MM_UNLIKELY(s->kswapd.awake))
		sim_phys_kswapd_quiet(s, ev);
	return pagereplay_event(&s->pages, ev);
}

/* A fast free search's block is the first on its free list at or above the search's low point
 * (else the highest above min_pfn): nothing bounds it above. The tracepoint prints min_pfn ~
 * free_pfn, the free scanner's position, so the block is looked for up to the zone's end. */
static void sim_phys_fast_range(const struct sim *s, struct mm_event *ev)
{
	int z = ev->aux == MME_COMPACT_FAST_ISOLATE_FREE ? zones_find(&s->zones, ev->addr) : -1;
	if (z < 0 || ev->addr2 < ev->addr)
		return;
	const struct buddy *b = &s->zones.zone[z].buddy;
	ev->addr2 = MM_MAX(ev->addr2, b->base_pfn + b->nr_pages - 1); /* inclusive */
}

/* A free-scanner isolation while the page map was being read: its range's pages read after it
 * are in the seed already (not free there while isolated, or whatever their later events made
 * them), so only the pages read before it can still change: the range is cut to those (they
 * come first, the map is read in pfn order), and an isolation with none of them is in the seed
 * (skipped). An isolation replayed whole there took the model's other free pages instead. */
static bool sim_phys_isolation_read(struct sim *s, struct mm_event *ev)
{
	bool fast = ev->aux == MME_COMPACT_FAST_ISOLATE_FREE; /* its range's end is inclusive */
	u64 hi = ev->addr2 + fast;
	u64 e = hi > ev->addr ? seedtime_read_before(&s->page_times, ev->ts_ns, ev->addr, hi) : hi;
	if (hi > ev->addr && e == ev->addr) {
		s->page_events_skipped++;
		return false;
	}
	if (e < hi) /* pages past e are the seed's: not the model's to take */
		ev->addr2 = e - fast;
	return true;
}

int sim_phys_compaction(struct sim *s, const struct mm_event *ev)
{
	struct sim_compact_traced *t = &s->cmp_traced;
	if (MM_UNLIKELY(s->kswapd.awake) && ev->pid == s->kswapd.pid)
		sim_phys_kswapd_done(s, ev);
	switch (ev->aux) {
	case MME_COMPACT_BEGIN:
		t->runs++;
		break;
	case MME_COMPACT_END:
		t->success += ev->ret == 8; /* COMPACT_SUCCESS, as the kernel numbers it */
		break;
	case MME_COMPACT_ISOLATE_MIGRATE:
		t->isolated += ev->len2;
		/* fall through */
	case MME_COMPACT_ISOLATE_FREE:
	case MME_COMPACT_FAST_ISOLATE_FREE:
		t->scanned += ev->len;
		break;
	case MME_COMPACT_MIGRATEPAGES:
		t->migrated += ev->len;
		break;
	default:
		break;
	}
	if (s->cmp_on && ev->aux == MME_COMPACT_TRY &&
	    ev->ts_ns >= s->cfg.page_from_ns) /* placement: a request */
		pagereplay_compaction(&s->pages, ev);
	if (s->cmp_on && ev->aux == MME_COMPACT_KCOMPACTD_SLEEP &&
	    ev->ts_ns >= s->cfg.page_from_ns) /* placement: kcompactd's timer */
		pagereplay_compaction(&s->pages, ev);
	if (s->cmp_on && ev->aux == MME_COMPACT_DEFER) /* placement: a zone's deferral seen */
		pagereplay_defer_seen(&s->pages, ev, ev->ts_ns < s->cfg.page_from_ns);
	bool placed = s->cfg.page_mode == PAGEREPLAY_PLACEMENT;
	if (placed && (ev->aux == MME_COMPACT_BEGIN || ev->aux == MME_COMPACT_END))
		pagereplay_compaction(&s->pages, ev); /* runs in flight: whose frees are migrations */
	bool replay = !placed && s->cfg.compaction != SIM_COMPACT_OFF;
	/* placement with lists while the page state was read: the kernel's isolations, replayed */
	bool window = placed && ev->ts_ns < s->pages.window_end_ns && s->pcp_on;
	if (replay && (ev->aux == MME_COMPACT_BEGIN || ev->aux == MME_COMPACT_END))
		pagereplay_compaction(&s->pages, ev); /* a success: its task may capture a block */
	if (!(replay || window) ||
	    (ev->aux != MME_COMPACT_ISOLATE_FREE && ev->aux != MME_COMPACT_FAST_ISOLATE_FREE)) {
		sim_untraced_event(s, ev);
		return 0;
	}
	struct mm_event in = *ev;
	sim_phys_fast_range(s, &in);
	if (MM_UNLIKELY(ev->ts_ns < s->cfg.page_from_ns) && !sim_phys_isolation_read(s, &in))
		return 0;
	u64 missing = s->pages.st.compact_missing_pages;
	if (window && !s->pages.hindsight && s->cfg.hindsight && s->cfg.hindsight->get)
		s->pages.hindsight = s->cfg.hindsight->get(s->cfg.hindsight->ctx); /* the named block */
	if (window)
		pagereplay_window_isolation(&s->pages, &in);
	else
		pagereplay_compaction(&s->pages, &in);
	struct mm_event left = in; /* only what the model could not take is evidence */
	left.len2 = s->pages.st.compact_missing_pages - missing;
	sim_untraced_event(s, &left);
	s->untr.compact_taken_total += ev->len2 - left.len2; /* the column keeps the kernel's total */
	return 0;
}

/* kswapd reclaims (ZONE_RECLAIM_ACTIVE) from its wake event until balance_pgdat returns
 * (clear_reclaim_active). Its sleep event comes only after an undisturbed nap of HZ/10
 * (kswapd_try_to_sleep), but before the nap kswapd asks whether to wake kcompactd
 * (wakeup_kcompactd -> kcompactd_node_suitable, traced as mm_compaction_suitable): a compaction
 * event of kswapd's own ends the run there (sim_phys_kswapd_done). Without one (a recording
 * without the compaction tracepoints) the run is taken to end once kswapd has been quiet (no
 * page event of its own) this long. */
#define SIM_KSWAPD_QUIET_NS 50000000ULL

/* The trace's kswapd runs (running) or its run ended: balance_pgdat returned and
 * kswapd_try_to_sleep resets compaction's skip hints and wakes kcompactd for the run's order
 * (pagereplay_kswapd_slept). */
static void sim_phys_kswapd_traced(struct sim *s, bool running)
{
	bool was = s->pcp.wm.kswapd_traced;
	wmark_kswapd_traced(&s->pcp.wm, running);
	if (was && !running)
		pagereplay_kswapd_slept(&s->pages, s->kswapd.order);
}

void sim_phys_reclaim(struct sim *s, const struct mm_event *ev)
{
	if (!s->pcp_on || (ev->aux != MME_RECLAIM_KSWAPD_WAKE && ev->aux != MME_RECLAIM_KSWAPD_SLEEP))
		return;
	s->kswapd.awake = ev->aux == MME_RECLAIM_KSWAPD_WAKE;
	s->kswapd.pid = ev->pid;
	s->kswapd.last_ns = ev->ts_ns;
	if (s->kswapd.awake)
		s->kswapd.order = ev->order;
	sim_phys_kswapd_traced(s, s->kswapd.awake);
}

/* A compaction event of kswapd's own: balance_pgdat has returned (above). A page event of
 * kswapd's after it makes the run active again (should_continue_reclaim also asks compaction,
 * mid-run, for costly orders). */
static void sim_phys_kswapd_done(struct sim *s, const struct mm_event *ev)
{
	if (!s->pcp_on)
		return;
	s->kswapd.last_ns = ev->ts_ns - SIM_KSWAPD_QUIET_NS - 1;
	if (s->pcp.wm.kswapd_traced)
		sim_phys_kswapd_traced(s, false);
}

/* A page event while the trace's kswapd is awake: is it still reclaiming? */
static void sim_phys_kswapd_quiet(struct sim *s, const struct mm_event *ev)
{
	if (ev->pid == s->kswapd.pid)
		s->kswapd.last_ns = ev->ts_ns;
	bool active = ev->ts_ns - s->kswapd.last_ns <= SIM_KSWAPD_QUIET_NS;
	if (active != s->pcp.wm.kswapd_traced)
		sim_phys_kswapd_traced(s, active);
}

void sim_phys_exhausted(struct sim *s, const struct mm_event *ev)
{
	if (s->exh.first_event)
		return;
	s->exh.first_event = s->vfid.skipped + s->events;
	s->exh.first_kind = ev->kind;
	s->exh.first_order = ev->order;
	s->exh.first_zone = ZONE_NORMAL;
	for (int t = 0; t < ZONE_NR_TYPES; t++) /* the zone whose counter moved */
		if (s->zones.st.limit_failures[t])
			s->exh.first_zone = (enum zone_type)t;
}

unsigned sim_snapcheck(struct sim *s, const struct snap_series *ser, size_t idx,
		       const struct snapcheck_seen *seen, struct snapcheck_row *rows)
{
	const struct snapshot *k = &ser->s[idx];
	char why[sizeof(rows->untraced)];
	sim_untraced_evidence(s, ser, idx, why, sizeof(why));
	bool exhausted[ZONE_NR_TYPES] = {false};
	for (int t = 0; t < ZONE_NR_TYPES; t++) {
		int z = s->zones.index[t];
		if (z >= 0 && s->zones.st.limit_failures[t] != s->snap_fail_mark[t])
			exhausted[z] = true;
		s->snap_fail_mark[t] = s->zones.st.limit_failures[t];
	}
	unsigned n = snapcheck_compare(&s->snaps, &s->zones, k, seen, exhausted, why, rows);
	sim_untraced_after(s, k);
	return n;
}
