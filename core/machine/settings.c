/* The settings registry (settings.h). Adding a setting: a field in struct sim_cfg (sim.h) with
 * its default in sim_cfg_default(), then one entry below; docs/architecture.md has the recipe. */
#include "core/machine/settings.h"

#include "core/lib/decnum.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A variant family: its values are its registry's names; applying sets the ops pointer. */
#define VARIANT_FNS(fam, reg, field)                                                                         \
	static const char *fam##_value(size_t i)                                                             \
	{                                                                                                    \
		for (size_t k = 0; reg[k]; k++)                                                              \
			if (k == i)                                                                          \
				return reg[k]->name;                                                         \
		return NULL;                                                                                 \
	}                                                                                                    \
	static int fam##_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err, \
			       size_t len)                                                                   \
	{                                                                                                    \
		(void)env;                                                                                   \
		for (size_t k = 0; reg[k]; k++)                                                              \
			if (!strcmp(reg[k]->name, v)) {                                                      \
				cfg->field = reg[k];                                                         \
				return 0;                                                                    \
			}                                                                                    \
		snprintf(err, len, "has no variant '%s'", v);                                                \
		return -EINVAL;                                                                              \
	}

VARIANT_FNS(vmlist, vmlist_variants, vmlist)
VARIANT_FNS(tlb, tlb_policies, tlb)
VARIANT_FNS(buddy, buddy_policies, buddy)
VARIANT_FNS(vma, vma_indexes, vma)

static const char *page_mode_value(size_t i)
{
	static const char *const v[] = {"placement", "faithful", "buddy"}; /* enum pagereplay_mode order */
	return i < MM_ARRAY_SIZE(v) ? v[i] : NULL;
}

static int page_mode_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
			   size_t len)
{
	(void)env, (void)err, (void)len;
	for (size_t i = 0; page_mode_value(i); i++)
		if (!strcmp(v, page_mode_value(i)))
			cfg->page_mode = (enum pagereplay_mode)i;
	return 0;
}

static const char *populate_value(size_t i)
{
	static const char *const v[] = {"none", "all"};
	return i < MM_ARRAY_SIZE(v) ? v[i] : NULL;
}

static int populate_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
			  size_t len)
{
	(void)env, (void)err, (void)len;
	cfg->populate = !strcmp(v, "all");
	return 0;
}

/* A layout; ';' may stand for ',' (a suite axis separates its values with commas). */
static int zones_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
		       size_t len)
{
	char spec[1024];
	if (strlen(v) >= sizeof(spec)) {
		snprintf(err, len, "takes a layout of at most %zu characters", sizeof(spec) - 1);
		return -EINVAL;
	}
	strcpy(spec, v);
	for (char *c = spec; *c; c++)
		if (*c == ';')
			*c = ',';
	cfg->pcp_recorded = false;
	if (!strncmp(spec, "zoneinfo:", 9) && env && env->load_file) {
		/* a recorded machine: the layout and the per-CPU pagesets, read once per trace */
		char why[512] = "";
		if (!env->load_file(env->ctx, "zones", spec + 9, cfg, why, sizeof(why)))
			return 0;
		snprintf(err, len, "takes a zone layout (mmreplay zones --help), not '%s': %s", v, why);
		return -EINVAL;
	}
	struct zones_cfg zc = cfg->zones;
	if (!strcmp(spec, "default")) {
		zones_cfg_default(&zc);
	} else if (!env || !env->load_zones) {
		snprintf(err, len, "takes only 'default' here, not '%s'", v);
		return -EINVAL;
	} else {
		char why[256] = "";
		if (env->load_zones(spec, &zc, why, sizeof(why))) {
			snprintf(err, len, "takes a zone layout (mmreplay zones --help), not '%s': %s", v,
				 why);
			return -EINVAL;
		}
	}
	cfg->zones = zc;
	if (zc.max_order) /* a buddyinfo snapshot's order count */
		cfg->max_order = zc.max_order;
	return 0;
}

/* The highest zone of the layout, in pages. */
static int zone_pages_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
			    size_t len)
{
	(void)env, (void)err, (void)len;
	u64 x = 0;
	settings_parse_u64(v, 1, BUDDY_MAX_FRAMES, &x); /* checked by setting_apply */
	sim_cfg_top_zone(cfg)->nr_pages = x;
	return 0;
}

/* kernel-exact vmalloc: when a lazy purge runs; how traced vmap areas are placed */
static const char *purge_value(size_t i)
{
	static const char *const v[] = {"auto", "inline", "trace", "model"};
	return i < MM_ARRAY_SIZE(v) ? v[i] : NULL;
}

static int purge_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
		       size_t len)
{
	(void)env, (void)err, (void)len;
	cfg->purge = !strcmp(v, "inline")  ? VMALLOC_PURGE_INLINE
		     : !strcmp(v, "trace") ? VMALLOC_PURGE_TRACE
		     : !strcmp(v, "model") ? VMALLOC_PURGE_MODEL
					   : VMALLOC_PURGE_AUTO;
	return 0;
}

static const char *vmap_mode_value(size_t i)
{
	static const char *const v[] = {"predict", "follow"};
	return i < MM_ARRAY_SIZE(v) ? v[i] : NULL;
}

static int vmap_mode_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
			   size_t len)
{
	(void)env, (void)err, (void)len;
	cfg->vmap_follow = !strcmp(v, "follow");
	return 0;
}

/* --- a recorded machine --- */
static const char *pcp_value(size_t i)
{
	static const char *const v[] = {"auto", "on", "off"}; /* enum sim_pcp order */
	return i < MM_ARRAY_SIZE(v) ? v[i] : NULL;
}

static int pcp_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err, size_t len)
{
	(void)env, (void)err, (void)len;
	cfg->pcp = !strcmp(v, "on") ? SIM_PCP_ON : !strcmp(v, "off") ? SIM_PCP_OFF : SIM_PCP_AUTO;
	return 0;
}

static const char *pcp_tune_value(size_t i)
{
	static const char *const v[] = {"pressure", "idle", "fixed", "trace",
					"auto"}; /* enum pcp_tune order */
	return i < MM_ARRAY_SIZE(v) ? v[i] : NULL;
}

static int pcp_tune_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
			  size_t len)
{
	(void)env, (void)err, (void)len;
	cfg->pcp_tune = !strcmp(v, "idle")    ? PCP_TUNE_IDLE
			: !strcmp(v, "fixed") ? PCP_TUNE_FIXED
			: !strcmp(v, "trace") ? PCP_TUNE_TRACE
			: !strcmp(v, "auto")  ? PCP_TUNE_AUTO
					      : PCP_TUNE_PRESSURE;
	return 0;
}

static const char *on_off_value(size_t i)
{
	static const char *const v[] = {"on", "off"};
	return i < MM_ARRAY_SIZE(v) ? v[i] : NULL;
}

static int wmark_boost_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
			     size_t len)
{
	(void)env, (void)err, (void)len;
	cfg->wmark_boost_off = !strcmp(v, "off");
	return 0;
}

static const char *fast_free_block_value(size_t i)
{
	static const char *const v[] = {"guess", "named"};
	return i < MM_ARRAY_SIZE(v) ? v[i] : NULL;
}

static int fast_free_block_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
				 size_t len)
{
	(void)env, (void)err, (void)len;
	cfg->fast_named = !strcmp(v, "named");
	return 0;
}

static int purge_learn_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
			     size_t len)
{
	(void)env, (void)err, (void)len;
	cfg->purge_learn_off = !strcmp(v, "off");
	return 0;
}

static int compaction_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
			    size_t len)
{
	(void)env;
	u64 n = SIM_PROACTIVENESS_DEFAULT;
	if (!strcmp(v, "off") || !strcmp(v, "kernel")) {
		cfg->compaction = !strcmp(v, "off") ? SIM_COMPACT_OFF : SIM_COMPACT_KERNEL;
		cfg->proactiveness = SIM_PROACTIVENESS_DEFAULT;
		return 0;
	}
	if (strncmp(v, "proactive", 9) || (v[9] && (v[9] != '=' || settings_parse_u64(v + 10, 0, 100, &n)))) {
		snprintf(err, len, "takes off, kernel, proactive or proactive=N (N 0..100), not '%s'", v);
		return -EINVAL;
	}
	cfg->compaction = SIM_COMPACT_PROACTIVE;
	cfg->proactiveness = v[9] ? (u32)n : 100u;
	return 0;
}

static const char *model_pages_value(size_t i)
{
	static const char *const v[] = {"auto", "zones", "none"}; /* enum sim_model_pages order */
	return i < MM_ARRAY_SIZE(v) ? v[i] : NULL;
}

static int model_pages_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
			     size_t len)
{
	(void)env, (void)err, (void)len;
	cfg->model_pages = !strcmp(v, "zones")	? SIM_MODEL_PAGES_ZONES
			   : !strcmp(v, "none") ? SIM_MODEL_PAGES_NONE
						: SIM_MODEL_PAGES_AUTO;
	return 0;
}

/* A file setting: "none" clears what it gave; a file goes to the caller's loader. */
static int file_apply(const char *name, struct sim_cfg *cfg, const char *v, const struct setting_env *env,
		      char *err, size_t len)
{
	if (strcmp(v, "none")) {
		if (!env || !env->load_file) {
			snprintf(err, len, "takes only 'none' here, not '%s'", v);
			return -EINVAL;
		}
		return env->load_file(env->ctx, name, v, cfg, err, len);
	}
	if (!strcmp(name, "page-state"))
		cfg->seed = NULL;
	else if (!strcmp(name, "snapshots"))
		cfg->snapshots = NULL;
	else if (!strcmp(name, "vmalloc-state"))
		cfg->vmalloc_state = NULL;
	else if (!strcmp(name, "vmalloc-end"))
		cfg->vmalloc_end = NULL;
	else if (!strcmp(name, "zoneinfo-end"))
		cfg->pcp_end_known = false;
	return 0;
}

#define FILE_FNS(fn, name)                                                                                   \
	static int fn##_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,  \
			      size_t len)                                                                    \
	{                                                                                                    \
		return file_apply(name, cfg, v, env, err, len);                                              \
	}
FILE_FNS(pagetypeinfo, "pagetypeinfo")
FILE_FNS(page_state, "page-state")
FILE_FNS(snapshots, "snapshots")
FILE_FNS(vmalloc_state, "vmalloc-state")
FILE_FNS(vmalloc_end, "vmalloc-end")
FILE_FNS(zoneinfo_end, "zoneinfo-end")

/* A trace time in seconds into the u64 ns field at off. */
static int secs_apply(u64 *field, const char *v, char *err, size_t len)
{
	int e = settings_parse_secs(v, field);
	if (e == -ERANGE)
		snprintf(err, len, "'%s' is out of range: a trace time is at most " DECNUM_SECS_MAX_TEXT " s",
			 v);
	else if (e)
		snprintf(err, len, "takes seconds on the trace's clock (2519.35), not '%s'", v);
	if (e)
		return -EINVAL;
	return 0;
}

#define SECS_FNS(fn, field)                                                                                  \
	static int fn##_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,  \
			      size_t len)                                                                    \
	{                                                                                                    \
		(void)env;                                                                                   \
		return secs_apply(&cfg->field, v, err, len);                                                 \
	}
/* "S" (the page state is one instant) or "A..B" (its page maps were read from A to B: each
 * page's own time from the seed's chunk stamps, else interpolated over the window). */
static int page_state_at_apply(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
			       size_t len)
{
	(void)env;
	const char *dots = strstr(v, "..");
	char a[64];
	if (!dots) {
		cfg->page_read_ns = 0;
		return secs_apply(&cfg->page_from_ns, v, err, len);
	}
	if ((size_t)(dots - v) >= sizeof(a) || !dots[2]) {
		snprintf(err, len, "takes S or A..B, seconds on the trace's clock, not '%s'", v);
		return -EINVAL;
	}
	memcpy(a, v, (size_t)(dots - v));
	a[dots - v] = '\0';
	int e = secs_apply(&cfg->page_read_ns, a, err, len);
	if (!e)
		e = secs_apply(&cfg->page_from_ns, dots + 2, err, len);
	if (!e && cfg->page_read_ns > cfg->page_from_ns) {
		snprintf(err, len, "A..B with A after B: '%s'", v);
		e = -EINVAL;
	}
	return e;
}
SECS_FNS(vmalloc_end_at, vmalloc_end_ns)
SECS_FNS(from, from_ns)
SECS_FNS(snapshot_reach, snap_reach_ns)

#define FIELD(f) .off = offsetof(struct sim_cfg, f), .size = sizeof(((struct sim_cfg *)0)->f)

const struct setting settings_table[] = {
	{"vmlist", "vmalloc address-space allocator", "", "augmented", SETTING_VARIANT, true, 0, 0, 0, 0,
	 vmlist_value, vmlist_apply, SETTING_ON_VMAP},
	{"tlb", "TLB flush policy for vfree", "", "lazy", SETTING_VARIANT, true, 0, 0, 0, 0, tlb_value,
	 tlb_apply, SETTING_ON_VMAP},
	{"buddy", "buddy placement policy", "", "lifo", SETTING_VARIANT, true, 0, 0, 0, 0, buddy_value,
	 buddy_apply, SETTING_ON_BUDDY},
	{"vma", "process VMA index", "", "maple", SETTING_VARIANT, true, 0, 0, 0, 0, vma_value, vma_apply,
	 SETTING_ON_PROC},
	{"page-mode",
	 "traced page events: the model places them, takes the traced pfns, or replays the buddy's own "
	 "events",
	 "", "placement", SETTING_CHOICE, true, 0, 0, 0, 0, page_mode_value, page_mode_apply,
	 SETTING_ON_PAGE_EVENTS},
	{"populate", "pages of process mappings: none present, or all (MAP_POPULATE)", "", "none",
	 SETTING_CHOICE, true, 0, 0, 0, 0, populate_value, populate_apply, SETTING_ON_PROC},
	{"levels", "kernel page-table levels", "levels", "4", SETTING_UINT, true, 2, PGTABLE_MAX_LEVELS,
	 FIELD(levels), NULL, NULL, SETTING_ON_PGTABLE},
	{"cpus", "CPUs: IPIs per flush and lazy_max_pages", "CPUs", "from the trace", SETTING_UINT, true, 1,
	 8192, FIELD(ncpus), NULL, NULL, SETTING_ON_VMAP},
	{"zones",
	 "zone layout: default (one 4 GiB Normal zone at pfn 0x100000), a spec, zoneinfo:PATH or "
	 "buddyinfo:PATH",
	 "", "default", SETTING_TEXT, false, 0, 0, 0, 0, NULL, zones_apply, SETTING_ON_BUDDY},
	{"zone-pages", "size of the layout's highest zone", "pages", "1048576", SETTING_UINT, true, 1,
	 BUDDY_MAX_FRAMES, 0, 0, NULL, zone_pages_apply, SETTING_ON_BUDDY},
	{"max-order", "largest buddy order", "", "10", SETTING_UINT, true, 1, BUDDY_MAX_ORDER_LIMIT,
	 FIELD(max_order), NULL, NULL, SETTING_ON_BUDDY},
	{"pkmap-slots", "persistent kmap pool size (LAST_PKMAP)", "slots", "1024", SETTING_UINT, true, 1,
	 PKMAP_MAX_SLOTS, FIELD(pkmap.nr_slots), NULL, NULL, SETTING_ON_KMAP},
	/* a recorded machine (docs/physical-fidelity.md); files read once per trace */
	{"pagetypeinfo", "a /proc/pagetypeinfo: --page-state gives pageblocks its per-zone type counts", "",
	 "none", SETTING_FILE, false, 0, 0, 0, 0, NULL, pagetypeinfo_apply, SETTING_ON_BUDDY},
	{"page-state",
	 "a /proc/kpageflags (plain or .zst) of the machine --zones zoneinfo:FILE describes: the zones "
	 "become its spans, its free pages the free blocks",
	 "", "none", SETTING_FILE, false, 0, 0, 0, 0, NULL, page_state_apply, SETTING_ON_BUDDY},
	{"page-state-at",
	 "when the page state was read, S or A..B (a read window: each page's own time from the chunk "
	 "stamps beside the page state, else interpolated): earlier page events are in it (skipped)",
	 "s", "0", SETTING_TEXT, false, 0, 0, 0, 0, NULL, page_state_at_apply, SETTING_ON_PAGE_EVENTS},
	{"pcp", "per-CPU page lists in placement mode; auto: on when the zones come from a zoneinfo", "",
	 "auto", SETTING_CHOICE, true, 0, 0, 0, 0, pcp_value, pcp_apply, SETTING_ON_PAGE_EVENTS},
	{"pcp-high",
	 "every per-CPU list's high, fixed (0: the zoneinfo's, tuned within its high_min..high_max; "
	 "without one 4 x batch); the lists as the trace (pcp-tune trace) keep no high",
	 "pages", "0", SETTING_UINT, true, 0, UINT32_MAX, FIELD(pcp_cfg.high_set), NULL, NULL,
	 SETTING_ON_PAGE_EVENTS},
	{"pcp-batch", "every per-CPU list's batch (0: the zoneinfo's, or 63; pcp-tune trace: the trace's)",
	 "pages", "0", SETTING_UINT, true, 0, UINT32_MAX, FIELD(pcp_cfg.batch_set), NULL, NULL,
	 SETTING_ON_PAGE_EVENTS},
	{"pcp-tune",
	 "how per-CPU lists tune high: pressure (6.7+: within high_min..high_max, lowered and drained "
	 "while the zone is below its high watermark or kswapd reclaims), idle (the same without the "
	 "zone flags), fixed (the recorded high), trace (no tuning: the lists refill and drain when and "
	 "as much as the trace's did, and each allocation is served in the zone the kernel chose; the "
	 "model picks the blocks), auto (trace once the trace shows a refill or drain of a list, "
	 "pressure until then and without)",
	 "", "auto", SETTING_CHOICE, true, 0, 0, 0, 0, pcp_tune_value, pcp_tune_apply,
	 SETTING_ON_PAGE_EVENTS},
	{"watermark-boost",
	 "a fallback that may claim another type's pageblock boosts the zone's watermarks "
	 "(watermark_boost_factor 15000) and wakes kswapd",
	 "", "on", SETTING_CHOICE, true, 0, 0, 0, 0, on_off_value, wmark_boost_apply, SETTING_ON_PAGE_EVENTS},
	{"watermark-scale",
	 "watermark_scale_factor: low and high from the zoneinfo's min, steps of max(min/4, managed x "
	 "N/10000) (0: the zoneinfo's low and high)",
	 "", "0", SETTING_UINT, true, 0, 3000, FIELD(wmark_scale), NULL, NULL, SETTING_ON_PAGE_EVENTS},
	{"compaction",
	 "off, kernel (direct compaction when an allocation of order > 0 finds no block, kcompactd after a "
	 "boosted reclaim, proactive compaction at compaction_proactiveness 20) or proactive[=N] (the "
	 "same at proactiveness N, 100 without one); buddy and faithful modes replay the traced free "
	 "scanner unless off (placement with per-CPU lists replays it while the page state was read, "
	 "whatever this is: it brings the seed to the replay's start)",
	 "", "kernel", SETTING_TEXT, true, 0, 0, 0, 0, NULL, compaction_apply, SETTING_ON_PAGE_EVENTS},
	{"fast-free-block",
	 "buddy mode: the block compaction's fast free search isolated, which the trace does not name: "
	 "guess (the highest free block of its order from the search's low end to the zone's end) or "
	 "named (the highest one the trace's later frees show had left the buddy untraced then, else "
	 "the guess)",
	 "", "named", SETTING_CHOICE, true, 0, 0, 0, 0, fast_free_block_value, fast_free_block_apply,
	 SETTING_ON_BUDDY},
	{"model-pages",
	 "pages of vmalloc areas and page tables: from the zones, or none (a recording's page events hold "
	 "them); auto: none with --page-state",
	 "", "auto", SETTING_CHOICE, true, 0, 0, 0, 0, model_pages_value, model_pages_apply,
	 SETTING_ON_BUDDY},
	{"snapshots",
	 "the kernel's buddyinfo over time (a recording's buddyinfo-series.txt): compared with the model's "
	 "zones as the trace passes each",
	 "", "none", SETTING_FILE, false, 0, 0, 0, 0, NULL, snapshots_apply, SETTING_ON_BUDDY},
	{"snapshot-reach",
	 "how long a read of /proc/buddyinfo alone takes (a recording's shortest 'buddyinfo again' in "
	 "times.txt): each zone of a snapshot is compared from that long after the read's start, and "
	 "after a batch holding the zone's lock then (0: every zone at the read's start)",
	 "s", "0", SETTING_TEXT, false, 0, 0, 0, 0, NULL, snapshot_reach_apply, SETTING_ON_BUDDY},
	{"zoneinfo-end",
	 "a later /proc/zoneinfo (a recording's zoneinfo.end.txt): the pages its per-CPU lists hold are "
	 "compared with the model's lists at the replay's end (pcp_pages_end_kernel)",
	 "", "none", SETTING_FILE, false, 0, 0, 0, 0, NULL, zoneinfo_end_apply, SETTING_ON_BUDDY},
	/* kernel-exact vmalloc (docs/vmalloc-fidelity.md) */
	{"flush-ceiling",
	 "x86 tlb_single_page_flush_ceiling: a range flush of more pages is a full flush; 0 never", "pages",
	 "33", SETTING_UINT, true, 0, 1ULL << 40, FIELD(flush_ceiling), NULL, NULL, SETTING_ON_VMAP},
	{"purge",
	 "when a lazy purge runs: inline (in the crossing vfree), trace (at the trace's purge events), model "
	 "(purge-delay vmalloc calls later), auto (trace if the trace has purge events, else model)",
	 "", "auto", SETTING_CHOICE, true, 0, 0, 0, 0, purge_value, purge_apply, SETTING_ON_VMAP},
	{"purge-delay",
	 "model purge timing: vmalloc calls between the crossing vfree and the purge (with purge-learn on, "
	 "until the trace shows a drain of its own)",
	 "calls", "1", SETTING_UINT, true, 0, 1000000, FIELD(purge_delay), NULL, NULL, SETTING_ON_VMAP},
	{"purge-learn",
	 "model purge timing: the drain delay is the median of the trace's own drain delays seen so far "
	 "(vmalloc calls from the vfree that crossed nr_lazy_max to its purge event, or to when it took "
	 "the lazy lists where a start snapshot tells; the latest 64), and a purge runs for the calls per "
	 "area the trace's purges ran (vfrees meanwhile queue it again); off: purge-delay, instant purges",
	 "", "on", SETTING_CHOICE, true, 0, 0, 0, 0, on_off_value, purge_learn_apply, SETTING_ON_VMAP},
	{"vmap-mode",
	 "predict: the model places every vmap area; follow: record its prediction, then place the area at "
	 "the kernel's address (nodes vmlist)",
	 "", "predict", SETTING_CHOICE, true, 0, 0, 0, 0, vmap_mode_value, vmap_mode_apply, SETTING_ON_VMAP},
	{"vmap-nodes", "nodes vmlist: nr_vmap_nodes (the machine's possible CPUs)", "nodes", "from the trace",
	 SETTING_UINT, true, 1, VMLIST_MAX_NODES, FIELD(vmap_nodes), NULL, NULL, SETTING_ON_VMAP},
	{"vmalloc-state", "a /proc/vmallocinfo with real addresses: the vmalloc space starts as it", "",
	 "none", SETTING_FILE, false, 0, 0, 0, 0, NULL, vmalloc_state_apply, SETTING_ON_VMAP},
	{"vmalloc-end", "a later /proc/vmallocinfo: the model's areas are compared with it", "", "none",
	 SETTING_FILE, false, 0, 0, 0, 0, NULL, vmalloc_end_apply, SETTING_ON_VMAP},
	{"vmalloc-end-at", "when --vmalloc-end was read (0: at the end of the replay)", "s", "0",
	 SETTING_TEXT, false, 0, 0, 0, 0, NULL, vmalloc_end_at_apply, SETTING_ON_VMAP},
	{"from", "start the replay at this trace time: earlier events are in the snapshots (skipped)", "s",
	 "0", SETTING_TEXT, false, 0, 0, 0, 0, NULL, from_apply,
	 SETTING_ON_VMAP | SETTING_ON_PAGE_EVENTS | SETTING_ON_PROC},
	/* the model's host memory (core/machine/sim_mem.h) */
	{"model-mem-max",
	 "the model's host memory per machine (zone frames, page tables, address spaces): a configuration "
	 "needing more up front is refused, events that would grow it further are skipped "
	 "(skipped_mem_limit)",
	 "bytes", "2G", SETTING_SIZE, false, 1ULL << 20, 1ULL << 50, FIELD(model_mem_max), NULL, NULL, 0},
	{NULL, NULL, NULL, NULL, 0, false, 0, 0, 0, 0, NULL, NULL, 0},
};
