/* mmreplay machine: a recording replayed on its own machine. Seeds the zones from
 * kpageflags.start (printing the seeding against the recorded buddyinfo), then replays the
 * page events in each page mode and buddy policy and compares with the kernel's buddyinfo
 * series (bench/cli/machine_run.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddyinfo.h"
#include "cli.h"
#include "commands.h"
#include "csv.h"
#include "machine_run.h"

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
	if (recording_path(dir, name, p, sizeof(p)))
		return diag_set(d, dir, 0, "no %s", name);
	FILE *f = fopen(p, "r");
	if (!f)
		return diag_set(d, p, 0, "%s", strerror(errno));
	int err = buddyinfo_parse(f, p, bi, d);
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

static void seed_types(const struct recording *rec, const struct zones *zs, unsigned z)
{
	static const char *const tn[MT_NR] = {"Unmovable", "Movable", "Reclaimable"};
	const struct kpf_zone_report *r = &rec->rep[z];
	const struct pti_zone *pz = pagetypeinfo_zone(&rec->pti, zone_type_name(zs->zone[z].type));
	u64 model[MT_NR][BUDDY_MAX_ORDER_LIMIT + 1];
	free_by_type(&zs->zone[z].buddy, model);
	for (int t = 0; t < MT_NR; t++) {
		int c = pagetypeinfo_type(&rec->pti, tn[t]);
		u64 kern = 0, mod = 0, err = 0;
		for (unsigned o = 0; o <= zs->zone[z].buddy.max_order && o < rec->pti.nr_orders; o++) {
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

/* The seeded zones against the buddyinfo read before and after the page maps. */
static int seed_check(const struct recording *rec, struct mm_diag *d)
{
	struct buddyinfo *bb = malloc(sizeof(*bb)), *ba = malloc(sizeof(*ba));
	struct zones zs;
	struct zones_cfg zc = rec->layout;
	int err = -ENOMEM, outside = 0;
	zc.policy = buddy_policy_find("mobility");
	if (!bb || !ba || (err = load_bi(rec->dir, "buddyinfo.start.txt", bb, d)) ||
	    (err = load_bi(rec->dir, "buddyinfo.start-after-kpageflags.txt", ba, d)) ||
	    (err = zones_init(&zs, &zc)))
		goto out;
	seed_apply(&zs, &rec->seed);
	printf("seeding %s from %s\n", rec->dir, rec->kpageflags);
	for (unsigned z = 0; z < zs.nr_zones; z++) {
		const struct buddy *b = &zs.zone[z].buddy;
		const struct kpf_zone_report *r = &rec->rep[z];
		const struct buddyinfo_zone *zb = bi_zone(bb, zs.zone[z].type),
					    *za = bi_zone(ba, zs.zone[z].type);
		printf("zone %-6s pfn 0x%llx-0x%llx: free %llu (zoneinfo nr_free_pages %llu), used %llu, "
		       "never "
		       "allocatable %llu (reserved/nopage %llu; spanned - managed %llu)\n",
		       zone_type_name(zs.zone[z].type), (unsigned long long)b->base_pfn,
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
		seed_types(rec, &zs, z);
	}
	printf("%s: %d order(s) outside the before/after range\n", rec->dir, outside);
	zones_fini(&zs);
	err = outside ? 1 : 0;
out:
	free(bb);
	free(ba);
	return err;
}

static const char *const mode_names[] = {"placement", "faithful", "buddy"};

static void summary_header(FILE *f)
{
	fprintf(f, "recording,page_mode,buddy,pcp,snaps_compared,snap_ufi9_err_max,snap_ufi9_err_mean,"
		   "snap_free_pages_err_max,snap_free_pages_kernel,page_alloc_failures_dma,"
		   "page_alloc_failures_dma32,page_alloc_failures_normal,trace_zone_locked_refill,"
		   "trace_zone_locked_direct,trace_pcpu_drain,pcp_refill_blocks,pcp_direct_allocs,"
		   "pcp_drain_blocks,buddy_takes,buddy_returns,untraced_join_pages,untraced_leave_pages,"
		   "untraced_other_pages,seeded_frees,unmatched_frees,page_events,host_replay_s\n");
}

static void summary_row(FILE *f, const char *rec, const struct machine_opts *o,
			const struct machine_result *r)
{
	const struct pagereplay_stats *p = &r->pr;
	bool pcp = o->mode == PAGEREPLAY_PLACEMENT && o->pcp;
	fprintf(f, "%s,%s,%s,%s,%llu,%d,%.2f,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,", rec,
		mode_names[o->mode], o->policy->name, pcp ? "on" : "off", (unsigned long long)r->sc.compared,
		r->sc.ufi9_err_max, r->sc.ufi9_n ? r->sc.ufi9_err_sum / (double)r->sc.ufi9_n : 0.0,
		(unsigned long long)r->sc.free_pages_err_max, (unsigned long long)r->sc.free_pages_kernel,
		(unsigned long long)r->zone_failures[ZONE_DMA],
		(unsigned long long)r->zone_failures[ZONE_DMA32],
		(unsigned long long)r->zone_failures[ZONE_NORMAL], (unsigned long long)p->trace_refill,
		(unsigned long long)p->trace_locked, (unsigned long long)p->trace_drain);
	if (pcp)
		fprintf(f, "%llu,%llu,%llu,", (unsigned long long)r->pcp.refill_blocks,
			(unsigned long long)r->pcp.direct_allocs, (unsigned long long)r->pcp.drain_blocks);
	else
		fprintf(f, ",,,");
	fprintf(f, "%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.3f\n", (unsigned long long)p->buddy_takes,
		(unsigned long long)p->buddy_returns, (unsigned long long)p->untraced_join_pages,
		(unsigned long long)p->untraced_leave_pages, (unsigned long long)p->untraced_other_pages,
		(unsigned long long)p->seeded_frees, (unsigned long long)p->unmatched_frees,
		(unsigned long long)r->events_replayed, r->secs);
}

struct machine_args {
	bool seed_only;
	const char *modes, *policies, *pcp, *csv, *snap_csv;
	u64 pcp_high, pcp_batch;
	double from_s;	    /* < 0: from the kpageflags read's end */
	struct matrix axes; /* page-mode and buddy, checked by the settings registry */
	struct machine_opts o;
};

static const char *const machine_pcp[] = {"on", "off", "both", NULL};

static const struct cli_opt machine_opts[] = {
	CLI_OPT_FLAG("seed-check", struct machine_args, seed_only,
		     "print only the seeding; exit 1 when an order lies outside the range"),
	CLI_OPT_STR("page-mode", "LIST", struct machine_args, modes,
		    "page modes: placement, faithful, buddy (buddy)"),
	CLI_OPT_STR("buddy", "LIST", struct machine_args, policies, "buddy policies, or all (lifo)"),
	CLI_OPT_CHOICE("pcp", "on|off|both", struct machine_args, pcp, machine_pcp,
		       "placement with per-CPU lists, without, or both (on)"),
	CLI_OPT_U64("pcp-high", "N", struct machine_args, pcp_high, 0, UINT32_MAX,
		    "every list's high (0: zoneinfo's)"),
	CLI_OPT_U64("pcp-batch", "N", struct machine_args, pcp_batch, 0, UINT32_MAX,
		    "every list's batch (0: zoneinfo's)"),
	CLI_OPT_F64("from", "SECONDS", struct machine_args, from_s, 0, 1e12,
		    "replay from this trace time (default: when the kpageflags read ended)"),
	CLI_OPT_STR("snap-csv", "FILE", struct machine_args, snap_csv, "one row per snapshot and zone"),
	CLI_OPT_STR("csv", "FILE", struct machine_args, csv, "the summary lines as CSV"),
	CLI_OPT_END,
};

static const struct cli_cmd machine_cmd = {
	.name = "machine",
	.synopsis = "RECORDING_DIR",
	.about = "Builds the recorded machine's zones from zoneinfo.start.txt (spans; holes, reserved and\n"
		 "unmanaged pages never allocatable) with kpageflags.start's free pages as free blocks and\n"
		 "pageblock types matching pagetypeinfo.start.txt, prints that state against\n"
		 "buddyinfo.start.txt (read before the page maps) and buddyinfo.start-after-kpageflags.txt,\n"
		 "then replays the trace's page events from --from in each page mode and buddy policy,\n"
		 "placement with and without per-CPU lists (batch and high from zoneinfo, or --pcp-batch /\n"
		 "--pcp-high), and compares the model with every buddyinfo-series.txt snapshot: one\n"
		 "summary line per configuration (--csv FILE as CSV), one row per snapshot and zone with\n"
		 "--snap-csv FILE.",
	.opts = machine_opts,
	.min_args = 1,
	.max_args = 1,
};

static int parse_args(int argc, char **argv, struct machine_args *a, int *first)
{
	char err[512];
	int rc = cli_parse(&machine_cmd, argc, argv, a, NULL, first);
	if (rc != CLI_RUN)
		return rc;
	matrix_init(&a->axes);
	if (matrix_set(&a->axes, settings_find("page-mode"), a->modes, true, err, sizeof(err)))
		return cli_error(&machine_cmd, "--page-mode %s", err);
	if (matrix_set(&a->axes, settings_find("buddy"), a->policies, true, err, sizeof(err)))
		return cli_error(&machine_cmd, "--buddy %s", err);
	a->o.pcp_high = (u32)a->pcp_high;
	a->o.pcp_batch = (u32)a->pcp_batch;
	a->o.from_set = a->from_s >= 0;
	a->o.from_ns = a->o.from_set ? (u64)(a->from_s * 1e9 + 0.5) : 0;
	return CLI_RUN;
}

/* Whether page mode m is asked for; policy p's ops (NULL past the last). */
static bool machine_mode(const struct machine_args *a, int m)
{
	const struct matrix_axis *ax = &a->axes.axis[0];
	for (size_t i = 0; i < ax->n; i++)
		if (!strcmp(a->axes.pool + ax->val[i], mode_names[m]))
			return true;
	return false;
}

static const struct buddy_policy_ops *machine_policy(const struct machine_args *a, size_t p)
{
	const struct matrix_axis *ax = &a->axes.axis[1];
	return p < ax->n ? buddy_policy_find(a->axes.pool + ax->val[p]) : NULL;
}

static int machine_runs(const struct recording *rec, struct machine_args *a, FILE *csv)
{
	struct mm_diag d = {{0}};
	FILE *out = csv ? csv : stdout;
	summary_header(out);
	bool pcp[2] = {strcmp(a->pcp, "on") != 0, strcmp(a->pcp, "off") != 0}; /* off, on */
	for (int m = 0; m < 3; m++) {
		if (!machine_mode(a, m))
			continue;
		for (size_t p = 0; machine_policy(a, p); p++) {
			if (m == PAGEREPLAY_BUDDY && p > 0)
				break; /* the buddy follows the kernel: no policy decides */
			for (int pc = 0; pc < 2; pc++) {
				if (!pcp[pc] || (m != PAGEREPLAY_PLACEMENT && pc != (pcp[1] ? 1 : 0)))
					continue;
				struct machine_result res;
				char label[64];
				a->o.mode = (enum pagereplay_mode)m;
				a->o.policy = machine_policy(a, p);
				a->o.pcp = pc == 1;
				snprintf(label, sizeof(label), "%s/%s/%s", mode_names[m], a->o.policy->name,
					 m == PAGEREPLAY_PLACEMENT && pc ? "pcp" : "nopcp");
				a->o.label = label;
				a->o.warn = true;
				if (machine_run(rec, &a->o, &res, &d)) {
					fprintf(stderr, "mmreplay machine: %s\n", d.msg);
					return MM_EXIT_FAIL;
				}
				summary_row(out, rec->dir, &a->o, &res);
				fflush(out);
			}
		}
	}
	return MM_EXIT_OK;
}

static int machine_main(struct machine_args *a, const char *dir)
{
	int rc;
	struct recording *rec = malloc(sizeof(*rec));
	struct mm_diag d = {{0}};
	if (!rec)
		return MM_EXIT_FAIL;
	if (recording_load(rec, dir, &d)) {
		fprintf(stderr, "mmreplay machine: %s\n", d.msg);
		recording_fini(rec);
		free(rec);
		return MM_EXIT_FAIL;
	}
	int sc = seed_check(rec, &d);
	if (sc < 0)
		fprintf(stderr, "mmreplay machine: %s\n", d.msg);
	rc = sc < 0 ? MM_EXIT_FAIL : a->seed_only ? (sc ? MM_EXIT_FAIL : MM_EXIT_OK) : MM_EXIT_OK;
	struct csv snap = {0}, out = {0}; /* outfile.h: temporary + rename, no symlink followed */
	int e = 0;
	if (!a->seed_only && sc >= 0) {
		if (a->snap_csv && (e = csv_open(&snap, a->snap_csv))) {
			fprintf(stderr, "mmreplay machine: %s: %s\n", a->snap_csv, csv_error(&snap, e));
			rc = MM_EXIT_FAIL;
		} else if (a->csv && (e = csv_open(&out, a->csv))) {
			fprintf(stderr, "mmreplay machine: %s: %s\n", a->csv, csv_error(&out, e));
			rc = MM_EXIT_FAIL;
		} else {
			if ((a->o.snap_csv = snap.f))
				machine_csv_header(a->o.snap_csv);
			rc = machine_runs(rec, a, out.f);
		}
	}
	struct csv *files[2] = {&snap, &out};
	for (int i = 0; i < 2; i++) {
		if (!files[i]->f)
			continue;
		if (rc != MM_EXIT_OK)
			csv_abort(files[i]);
		else if ((e = csv_commit(files[i]))) {
			fprintf(stderr, "mmreplay machine: %s: %s\n", files[i]->out.path,
				csv_error(files[i], e));
			rc = MM_EXIT_FAIL;
		}
	}
	recording_fini(rec);
	free(rec);
	return rc;
}

int cmd_machine(int argc, char **argv)
{
	struct machine_args *a = calloc(1, sizeof(*a));
	int first = 0, rc = MM_EXIT_FAIL;
	if (!a)
		return MM_EXIT_FAIL;
	*a = (struct machine_args){.modes = "buddy", .policies = "lifo", .pcp = "on", .from_s = -1};
	rc = parse_args(argc, argv, a, &first);
	if (rc == CLI_RUN)
		rc = machine_main(a, argv[first]);
	free(a);
	return rc;
}
