/* mmreplay machine's seeding views: the zones built from kpageflags.start against the
 * buddyinfo read before and after the page maps, and the seed brought to one instant (each page
 * at its own read time, then the trace's buddy-level events) against the buddyinfo read after. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "workloads/state/buddyinfo.h"
#include "workloads/infile.h"
#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/output/csv.h"
#include "bench/output/metrics.h"
#include "bench/run/recording_cfg.h"
#include "bench/run/replay.h"
#include "bench/output/snapcheck_csv.h"
#include "core/phys/hindsight.h"
#include "workloads/trace/trace.h"
#include "bench/cli/machine_seed.h"

/* Model free blocks per type and order from the mobility lists. */
static void free_by_type(const struct buddy *b, u64 out[MT_NR][BUDDY_MAX_ORDER_LIMIT + 1])
{
	memset(out, 0, sizeof(u64) * MT_NR * (BUDDY_MAX_ORDER_LIMIT + 1));
	for (unsigned o = 0; o <= b->max_order; o++)
		for (unsigned t = 0; t < MT_NR; t++)
			for (u32 i = b->head[o][t]; i != BUDDY_NIL; i = buddy_frame_next(b, i))
				out[t][o]++;
}

static int load_bi(const char *dir, const char *name, struct buddyinfo *bi, struct mm_diag *d)
{
	char p[RECORDING_PATH_MAX];
	int err = recording_path(dir, name, p, sizeof(p), d);
	if (err)
		return err == -ENOENT ? diag_set(d, dir, 0, "no %s", name) : err;
	FILE *f = infile_fopen(p, INFILE_REGULAR, d);
	if (!f)
		return -EINVAL; /* d says why */
	err = buddyinfo_parse(f, p, bi, d);
	fclose(f);
	return err;
}

static const struct buddyinfo_zone *bi_zone(const struct buddyinfo *bi, enum zone_type t)
{
	for (unsigned i = 0; i < bi->nr_zones; i++)
		if (!bi->zones[i].node &&
		    zone_type_parse(bi->zones[i].name, strlen(bi->zones[i].name)) == (int)t)
			return &bi->zones[i];
	return NULL;
}

static void seed_types(const struct recfiles_page_state *ps, const struct zones *zs, unsigned z)
{
	static const char *const tn[MT_NR] = {"Unmovable", "Movable", "Reclaimable"};
	const struct kpf_zone_report *r = &ps->rep[z];
	const struct pti_zone *pz =
		ps->pti ? pagetypeinfo_zone(ps->pti, zone_type_name(zs->zone[z].type)) : NULL;
	u64 model[MT_NR][BUDDY_MAX_ORDER_LIMIT + 1];
	free_by_type(&zs->zone[z].buddy, model);
	for (int t = 0; t < MT_NR; t++) {
		int c = ps->pti ? pagetypeinfo_type(ps->pti, tn[t]) : -1;
		u64 kern = 0, mod = 0, err = 0;
		for (unsigned o = 0; o <= zs->zone[z].buddy.max_order && ps->pti && o < ps->pti->nr_orders;
		     o++) {
			u64 k = pz && c >= 0 ? pz->free[c][o] : 0;
			kern += k << o;
			mod += model[t][o] << o;
			err += (k > model[t][o] ? k - model[t][o] : model[t][o] - k) << o;
		}
		printf("  %-11s pageblocks %6llu (pagetypeinfo %6llu)  free pages %8llu (pagetypeinfo %8llu, "
		       "sum of |diff| over orders %llu)\n",
		       tn[t], (unsigned long long)r->pb_model[t], (unsigned long long)r->pb_target[t],
		       (unsigned long long)mod, (unsigned long long)kern, (unsigned long long)err);
	}
}

/* One zone of the seeded machine against the buddyinfo read before and after the page maps:
 * the number of orders outside that range. */
static int seed_zone(const struct recfiles_page_state *ps, const struct zones *zs, unsigned z,
		     const struct buddyinfo *bb, const struct buddyinfo *ba)
{
	const struct buddy *b = &zs->zone[z].buddy;
	const struct kpf_zone_report *r = &ps->rep[z];
	const struct buddyinfo_zone *zb = bi_zone(bb, zs->zone[z].type), *za = bi_zone(ba, zs->zone[z].type);
	int outside = 0;
	printf("zone %-6s pfn 0x%llx-0x%llx: free %llu (zoneinfo nr_free_pages %llu), used %llu, never "
	       "allocatable %llu (reserved/nopage %llu; spanned - managed %llu)\n",
	       zone_type_name(zs->zone[z].type), (unsigned long long)b->base_pfn,
	       (unsigned long long)(b->base_pfn + b->nr_pages), (unsigned long long)r->free_pages,
	       (unsigned long long)r->zoneinfo_free, (unsigned long long)r->used_pages,
	       (unsigned long long)r->never_pages, (unsigned long long)r->reserved_pages,
	       (unsigned long long)r->unmanaged_pages);
	printf("  order   model  before   after\n");
	for (unsigned o = 0; o <= b->max_order; o++) {
		u64 x = zb && o < zb->nr_orders ? zb->nr_free[o] : 0,
		    y = za && o < za->nr_orders ? za->nr_free[o] : 0;
		bool in = b->nr_free[o] >= MM_MIN(x, y) && b->nr_free[o] <= MM_MAX(x, y);
		outside += !in;
		printf("  %5u %7llu %7llu %7llu%s\n", o, (unsigned long long)b->nr_free[o],
		       (unsigned long long)x, (unsigned long long)y,
		       in ? (b->nr_free[o] == x && x == y ? "  equal" : "  within") : "  OUTSIDE");
	}
	seed_types(ps, zs, z);
	return outside;
}

/* The seeded zones against the recorded buddyinfo: 0 when every order is within, 1 when not,
 * or -errno with d. */
int machine_seed_check(const char *dir, const struct sim_cfg *cfg, struct mm_diag *d)
{
	const struct recfiles_page_state *ps = recfiles_page_state_of(cfg->seed);
	struct buddyinfo *bb = malloc(sizeof(*bb)), *ba = malloc(sizeof(*ba));
	struct zones zs;
	struct zones_cfg zc = cfg->zones;
	int err = -ENOMEM, outside = 0;
	zc.policy = buddy_policy_find("mobility");
	zc.max_order = cfg->max_order;
	if (!ps)
		err = diag_set(d, dir, 0, "no page state to check");
	else if (bb && ba && !(err = load_bi(dir, "buddyinfo.start.txt", bb, d)) &&
		 !(err = load_bi(dir, "buddyinfo.start-after-kpageflags.txt", ba, d)) &&
		 !(err = zones_init(&zs, &zc))) {
		seed_apply(&zs, &ps->seed);
		printf("seeding %s from %s\n", dir, ps->path);
		for (unsigned z = 0; z < zs.nr_zones; z++)
			outside += seed_zone(ps, &zs, z, bb, ba);
		printf("%s: %d order(s) outside the before/after range\n", dir, outside);
		zones_fini(&zs);
		err = outside ? 1 : 0;
	}
	free(bb);
	free(ba);
	return err;
}

/* The seed brought to one instant: a buddy-mode machine seeded from the page state (each page at
 * its own read time) replays the trace's buddy-level events up to the read of
 * buddyinfo.start-after-kpageflags.txt and is compared with it: the residual per order and zone.
 * In range: per zone, |free pages| within 0.5 % of the kernel's and |ufi9| within 2 thousandths
 * (the bounds of the snapshot comparison). 0 in range, 1 not, or -errno with d. */
int machine_seed_instant(struct recording_cfg *rc, const struct sim_cfg *cfg0, struct mm_diag *d)
{
	const struct recording *rec = rc->rec;
	u64 at = rec->start.bi_again_start;
	struct buddyinfo *ba = malloc(sizeof(*ba));
	struct sim *s = malloc(sizeof(*s));
	struct mm_trace t = {0};
	int err = !ba || !s ? -ENOMEM : 0, out = 0;
	if (!err && !at)
		err = diag_set(d, rec->dir, 0, "times.txt has no 'buddyinfo again' read");
	if (!err)
		err = load_bi(rec->dir, "buddyinfo.start-after-kpageflags.txt", ba, d);
	if (!err)
		err = trace_load(rc->trace, NULL, &t, d);
	struct sim_cfg cfg = *cfg0;
	cfg.page_mode = PAGEREPLAY_BUDDY;
	cfg.snapshots = NULL;
	cfg.vmalloc_end = NULL;
	if (!err && !(err = sim_init(s, &cfg))) {
		for (size_t i = 0; i < t.n && t.ev[i].ts_ns <= at && !err; i++)
			err = sim_event(s, &t.ev[i]);
		printf("the seed at one instant: each page at its own read time (%s), then the trace's "
		       "buddy-level events up to the buddyinfo read after kpageflags (%llu.%06llu s)\n",
		       s->page_times.n ? "the recorder's chunk stamps"
				       : "no chunk stamps: interpolated over the kpageflags read window",
		       (unsigned long long)(at / 1000000000ULL),
		       (unsigned long long)(at % 1000000000ULL / 1000));
		for (unsigned z = 0; !err && z < s->zones.nr_zones; z++) {
			const struct buddy *b = &s->zones.zone[z].buddy;
			const struct buddyinfo_zone *k = bi_zone(ba, s->zones.zone[z].type);
			u64 kn[BUDDY_MAX_ORDER_LIMIT + 1] = {0}, kfree = 0;
			printf("  %-6s residual (model - kernel) per order:",
			       zone_type_name(s->zones.zone[z].type));
			for (unsigned o = 0; o <= b->max_order; o++) {
				kn[o] = k && o < k->nr_orders ? k->nr_free[o] : 0;
				kfree += kn[o] << o;
				printf(" %lld", (long long)b->nr_free[o] - (long long)kn[o]);
			}
			long long fe = (long long)b->free_pages - (long long)kfree;
			int um = snapcheck_ufi9(b->nr_free, b->max_order + 1),
			    uk = snapcheck_ufi9(kn, b->max_order + 1);
			int ue = um < 0 || uk < 0 ? 0 : um > uk ? um - uk : uk - um;
			bool in = (u64)(fe < 0 ? -fe : fe) * 200 <= kfree && ue <= 2;
			out += !in;
			printf("; free pages %+lld of %llu, ufi9 %d against %d: %s\n", fe,
			       (unsigned long long)kfree, um, uk, in ? "in range" : "OUT OF RANGE");
		}
		for (unsigned i = 0; !err && i < ba->nr_zones; i++) { /* a zone on one side only */
			int zt = zone_type_parse(ba->zones[i].name, strlen(ba->zones[i].name));
			bool in = !ba->zones[i].node && zt >= 0 && s->zones.index[zt] >= 0;
			if (!in) {
				printf("  node %d zone %s: in the kernel's buddyinfo, not in the model: OUT "
				       "OF RANGE\n",
				       ba->zones[i].node, ba->zones[i].name);
				out++;
			}
		}
		sim_fini(s);
	}
	if (t.ev)
		trace_free(&t);
	free(ba);
	free(s);
	return err ? err : out ? 1 : 0;
}
