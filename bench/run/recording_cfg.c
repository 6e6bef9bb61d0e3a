#include "bench/run/recording_cfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/state/zoneinfo.h"
#include "workloads/trace/trace.h"

static void rc_label(const char *arg, char *buf, size_t len)
{
	size_t n = strlen(arg);
	while (n > 1 && arg[n - 1] == '/')
		n--;
	const char *s = arg + n;
	while (s > arg && s[-1] != '/')
		s--;
	snprintf(buf, len, "%.*s", (int)(arg + n - s), s);
}

static void rc_val(struct recording_cfg *rc, const char *name, const char *value)
{
	if (value[0] && rc->vals.n < SETTING_VALS_MAX) {
		rc->vals.v[rc->vals.n].set = settings_find(name);
		rc->vals.v[rc->vals.n++].value = value;
	}
}

static void rc_secs(struct recording_cfg *rc, unsigned i, const char *name, u64 ns)
{
	snprintf(rc->text[i], sizeof(rc->text[i]), "%llu.%09llu", (unsigned long long)(ns / 1000000000ULL),
		 (unsigned long long)(ns % 1000000000ULL));
	rc_val(rc, name, rc->text[i]);
}

/* The recording's values, in the settings registry's terms. */
static void rc_values(struct recording_cfg *rc)
{
	const struct recording *r = rc->rec;
	snprintf(rc->zones, sizeof(rc->zones), "zoneinfo:%s", r->zoneinfo);
	rc_val(rc, "zones", rc->zones);
	rc_val(rc, "pagetypeinfo", r->pagetypeinfo);
	rc_val(rc, "page-state", r->kpageflags);
	snprintf(rc->text[0], sizeof(rc->text[0]), "%llu.%09llu..%llu.%09llu",
		 (unsigned long long)(r->start.kpf_start / 1000000000ULL),
		 (unsigned long long)(r->start.kpf_start % 1000000000ULL),
		 (unsigned long long)(r->start.kpf_end / 1000000000ULL),
		 (unsigned long long)(r->start.kpf_end % 1000000000ULL));
	rc_val(rc, "page-state-at", rc->text[0]); /* the read window: each page at its own time */
	rc_val(rc, "snapshots", r->series);
	/* the shortest read of buddyinfo alone the recording timed (times.txt's "buddyinfo again") */
	u64 reach = 0;
	const struct recording_times *t[2] = {&r->start, r->have_end ? &r->end : NULL};
	for (unsigned i = 0; i < 2; i++)
		if (t[i] && t[i]->bi_again_end > t[i]->bi_again_start &&
		    (!reach || t[i]->bi_again_end - t[i]->bi_again_start < reach))
			reach = t[i]->bi_again_end - t[i]->bi_again_start;
	if (r->series[0] && reach)
		rc_secs(rc, 3, "snapshot-reach", reach);
	rc_val(rc, "vmalloc-state", r->vmalloc_start);
	if (r->zoneinfo_end[0] && r->have_end)
		rc_val(rc, "zoneinfo-end", r->zoneinfo_end);
	if (r->vmalloc_end[0] && r->have_end) {
		rc_val(rc, "vmalloc-end", r->vmalloc_end);
		rc_secs(rc, 1, "vmalloc-end-at", r->end.text_start);
	}
	rc_secs(rc, 2, "from", r->start.text_start);
}

int recording_cfg_open(struct recording_cfg *rc, const char *arg, bool use_recording, struct mm_diag *d)
{
	memset(rc, 0, sizeof(*rc));
	rc_label(arg, rc->label, sizeof(rc->label));
	if (recfiles_new(&rc->files))
		return -ENOMEM;
	if (!recording_is_dir(arg)) {
		if (strlen(arg) >= sizeof(rc->trace))
			return diag_set(d, arg, 0, "path too long");
		strcpy(rc->trace, arg);
		return 0;
	}
	if (!(rc->rec = malloc(sizeof(*rc->rec))))
		return -ENOMEM;
	int err = recording_open(rc->rec, arg, d);
	if (err)
		return err;
	strcpy(rc->trace, rc->rec->trace);
	if (use_recording)
		rc_values(rc);
	return 0;
}

void recording_cfg_close(struct recording_cfg *rc)
{
	recfiles_free(rc->files);
	free(rc->rec);
	memset(rc, 0, sizeof(*rc));
}

/* The recording's values that configuration c keeps: an explicit zones means another machine
 * (no page state), an explicit from another start. */
static void rc_keep(const struct recording_cfg *rc, const struct matrix *m, struct setting_vals *out)
{
	bool zones = matrix_axis_of(m, settings_find("zones")) != NULL;
	bool from = matrix_axis_of(m, settings_find("from")) != NULL;
	out->n = 0;
	for (size_t i = 0; i < rc->vals.n; i++) {
		const char *n = rc->vals.v[i].set->name;
		if (zones && (!strcmp(n, "pagetypeinfo") || !strncmp(n, "page-state", 10)))
			continue;
		if (from && !strcmp(n, "page-state-at"))
			continue;
		out->v[out->n++] = rc->vals.v[i];
	}
}

int recording_cfg_build(struct recording_cfg *rc, const struct matrix *m, size_t c,
			const struct sim_trace_facts *tf, struct sim_cfg *cfg, char *err, size_t len)
{
	struct setting_vals keep;
	struct recfiles_app app = {.rf = rc->files};
	struct setting_env env = recfiles_env(&app);
	rc_keep(rc, m, &keep);
	int e = matrix_cfg_env(m, c, &keep, &env, cfg, err, len);
	if (!e)
		sim_cfg_for_trace(cfg, tf);
	const struct recfiles_page_state *ps = !e && cfg->seed ? recfiles_page_state_of(cfg->seed) : NULL;
	if (ps && ps->nfree_bad) /* configurations are built by several threads: said at warn */
		__atomic_store_n(&rc->free_ps, ps, __ATOMIC_RELEASE);
	return e;
}

/* The text line of the n-th event (1-based) of path, or 0 (a native trace has no lines). */
static u64 rc_event_line(const char *path, u64 n)
{
	struct trace_reader *r;
	struct mm_diag d;
	struct mm_event ev;
	u64 line = 0;
	if (trace_open(path, NULL, &r, &d))
		return 0;
	for (u64 i = 0; i < n && trace_next(r, &ev) > 0; i++)
		line = trace_stats(r)->lines;
	trace_close(r);
	return line;
}

static void rc_warn_state(struct recording_cfg *rc, const char *cmd, const struct sim_stats *st)
{
	if (rc->warned_state || !st->page_events_skipped || st->page_state_ns <= st->last_event_ns)
		return;
	rc->warned_state = true;
	if (rc->rec)
		fprintf(stderr, "mmreplay %s: %s:%llu: warning: the page state (kpageflags read until", cmd,
			rc->rec->times, (unsigned long long)rc->rec->start.line);
	else
		fprintf(stderr, "mmreplay %s: %s: warning: the page state (page-state-at", cmd, rc->trace);
	fprintf(stderr,
		" %llu.%09llu) is after the trace's last event (%llu.%09llu): %llu page events are skipped "
		"as already in it (skipped_in_state); the page state and the trace disagree\n",
		(unsigned long long)(st->page_state_ns / 1000000000ULL),
		(unsigned long long)(st->page_state_ns % 1000000000ULL),
		(unsigned long long)(st->last_event_ns / 1000000000ULL),
		(unsigned long long)(st->last_event_ns % 1000000000ULL),
		(unsigned long long)st->page_events_skipped);
}

static void rc_warn_free(const struct recfiles_page_state *ps, unsigned z, const char *cmd)
{
	const struct kpf_zone_report *r = &ps->rep[z];
	const struct zoneinfo_zone *zz = zoneinfo_find(ps->zi, ps->seed.zone[z].type);
	u64 diff = r->free_pages > r->zoneinfo_free ? r->free_pages - r->zoneinfo_free
						    : r->zoneinfo_free - r->free_pages;
	fprintf(stderr,
		"mmreplay %s: %s: warning: zone %s: %llu free pages in the kpageflags, but nr_free_pages "
		"%llu in "
		"%s:%llu: they differ by %llu, over %d%% of the zone's %llu managed pages (read at other "
		"times, "
		"or on another machine?); the replay starts from the kpageflags\n",
		cmd, ps->path, zone_type_name(ps->seed.zone[z].type), (unsigned long long)r->free_pages,
		(unsigned long long)r->zoneinfo_free, ps->zi_path ? ps->zi_path : "zoneinfo",
		(unsigned long long)(zz ? zz->line : 0), (unsigned long long)diff, RECFILES_FREE_SLACK_PCT,
		(unsigned long long)(zz ? zz->managed : 0));
}

void recording_cfg_warn(struct recording_cfg *rc, const char *cmd, const struct sim_stats *st)
{
	rc_warn_state(rc, cmd, st);
	const struct recfiles_page_state *ps = __atomic_load_n(&rc->free_ps, __ATOMIC_ACQUIRE);
	if (ps && !rc->warned_free) {
		rc->warned_free = true;
		for (unsigned i = 0; i < ps->nfree_bad; i++)
			rc_warn_free(ps, ps->free_bad[i], cmd);
	}
	if (rc->warned || !st->exh.first_event)
		return;
	rc->warned = true;
	u64 line = rc_event_line(rc->trace, st->exh.first_event);
	char where[64];
	if (line)
		snprintf(where, sizeof(where), "%llu", (unsigned long long)line);
	else
		snprintf(where, sizeof(where), "event %llu", (unsigned long long)st->exh.first_event);
	char what[128];
	if (st->exh.first_kind == MME_PAGE_ALLOC)
		snprintf(what, sizeof(what), "an order-%u page allocation the kernel served",
			 st->exh.first_order);
	else
		snprintf(what, sizeof(what), "the pages a traced %s needs (page tables, vmalloc pages)",
			 mm_event_kind_name(st->exh.first_kind));
	fprintf(stderr,
		"mmreplay %s: %s:%s: warning: the simulated %s zone ran out of memory here (%s): exhaustion, "
		"not fragmentation; %llu allocations failed (by preferred zone: DMA %llu, DMA32 %llu, Normal "
		"%llu); the index cells of exhausted samples are left empty\n",
		cmd, rc->trace, where, zone_type_name(st->exh.first_zone), what,
		(unsigned long long)st->zones_st.failures,
		(unsigned long long)st->zones_st.limit_failures[ZONE_DMA],
		(unsigned long long)st->zones_st.limit_failures[ZONE_DMA32],
		(unsigned long long)st->zones_st.limit_failures[ZONE_NORMAL]);
}
