/* The trace's kswapd reclaim window in placement mode (core/machine/sim_phys.c): every zone is
 * reclaim-active (ZONE_RECLAIM_ACTIVE) from kswapd's wake event until balance_pgdat returns,
 * which kswapd's own compaction event marks (wakeup_kcompactd before its HZ/10 nap); a page
 * event of kswapd's after it makes the run active again; without one, the run ends after 50 ms
 * without a page event of kswapd's, or at its sleep event. The reference is the sequence of
 * states worked out by hand from those rules. */
#include <criterion/criterion.h>

#include "core/machine/sim.h"

#define KSWAPD 48u
#define MS 1000000ULL

static void layout(struct sim_cfg *cfg)
{
	sim_cfg_default(cfg);
	cfg->zones.nr_zones = 2;
	cfg->zones.zone[0] = (struct zone_spec){ZONE_DMA32, 0x1000, 0xf000};
	cfg->zones.zone[1] = (struct zone_spec){ZONE_NORMAL, 0x100000, 1ULL << 18};
	cfg->page_mode = PAGEREPLAY_PLACEMENT;
	cfg->pcp = SIM_PCP_ON;
	cfg->ncpus = 2;
	cfg->buddy = buddy_policy_find("mobility");
}

static void feed(struct sim *s, unsigned kind, unsigned aux, u32 pid, u64 ts, u64 pfn)
{
	struct mm_event e = {.kind = (u8)kind, .mt = 1, .pid = pid, .ts_ns = ts, .addr = pfn, .aux = aux};
	cr_assert_eq(sim_event(s, &e), 0);
}

static void page(struct sim *s, u32 pid, u64 ts, u64 pfn)
{
	feed(s, MME_PAGE_ALLOC, 0, pid, ts, pfn);
}

Test(kswapd_window, ends_where_balance_pgdat_returns)
{
	struct sim_cfg cfg;
	layout(&cfg);
	struct sim s;
	cr_assert_eq(sim_init(&s, &cfg), 0);
	cr_assert(s.pcp_on);
	u64 t = 1000 * MS;
	feed(&s, MME_RECLAIM, MME_RECLAIM_KSWAPD_WAKE, KSWAPD, t, 0);
	cr_assert(s.pcp.wm.kswapd_traced, "kswapd's wake starts the run");
	page(&s, KSWAPD, t + 1 * MS, 0x200000);
	cr_assert(s.pcp.wm.kswapd_traced);
	/* another task's compaction event is not kswapd's return */
	feed(&s, MME_COMPACTION, MME_COMPACT_OTHER, 77, t + 2 * MS, 0);
	page(&s, 77, t + 3 * MS, 0x200001);
	cr_assert(s.pcp.wm.kswapd_traced);
	/* kswapd's own compaction event: balance_pgdat returned, long before 50 ms of quiet */
	feed(&s, MME_COMPACTION, MME_COMPACT_OTHER, KSWAPD, t + 4 * MS, 0);
	cr_assert_not(s.pcp.wm.kswapd_traced, "the run ends at kswapd's compaction event");
	page(&s, 77, t + 5 * MS, 0x200002);
	cr_assert_not(s.pcp.wm.kswapd_traced, "another task's page event does not restart it");
	/* a page event of kswapd's (should_continue_reclaim asked mid-run): active again */
	page(&s, KSWAPD, t + 6 * MS, 0x200003);
	cr_assert(s.pcp.wm.kswapd_traced);
	/* without a compaction event: 50 ms without kswapd's page events end it */
	page(&s, 77, t + 50 * MS, 0x200004);
	cr_assert(s.pcp.wm.kswapd_traced);
	page(&s, 77, t + 57 * MS, 0x200005);
	cr_assert_not(s.pcp.wm.kswapd_traced);
	feed(&s, MME_RECLAIM, MME_RECLAIM_KSWAPD_SLEEP, KSWAPD, t + 160 * MS, 0);
	cr_assert_not(s.pcp.wm.kswapd_traced);
	cr_assert_eq(s.pcp.wm.st.kswapd_traced, 2, "two reclaim periods: the run and its resumption");
	sim_fini(&s);
}
