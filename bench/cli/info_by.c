/* mmreplay info --by comm|tree|cgroup: a trace's events per kind per group of tasks, and the
 * workload's share (task_table.h says who a task is and what the workload is; a kworker's vfree
 * of an area the workload allocated is in its share). Task records
 * and perf's lost marks are the recording's notes, not any group's work, and are not counted. */
#include "bench/cli/info_by.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct group {
	char label[64];
	u64 n[MME_NR_KINDS], total;
};

struct groups {
	struct hmap idx; /* key -> index */
	struct group *g;
	size_t n, cap;
};

static u64 fnv(const char *s)
{
	u64 h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static struct group *group_get(struct groups *gs, u64 key, const char *label)
{
	u64 i;
	if (hmap_get(&gs->idx, key, &i))
		return &gs->g[i];
	if (gs->n == gs->cap) {
		size_t nc = gs->cap ? 2 * gs->cap : 64;
		struct group *ng = realloc(gs->g, nc * sizeof(*ng));
		if (!ng)
			return NULL;
		gs->g = ng;
		gs->cap = nc;
	}
	if (hmap_put(&gs->idx, key, gs->n) < 0)
		return NULL;
	struct group *g = &gs->g[gs->n++];
	memset(g, 0, sizeof(*g));
	snprintf(g->label, sizeof(g->label), "%s", label);
	return g;
}

static int by_total(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	return x->total != y->total ? (x->total < y->total ? 1 : -1) : strcmp(x->label, y->label);
}

static const char *comm_or(const struct task_ent *te)
{
	return te && te->comm[0] ? te->comm : "?";
}

/* The group of an event of task te. */
static struct group *group_of(struct groups *gs, struct task_table *tt, enum info_by by,
			      const struct task_ent *te, bool mine_tree)
{
	char label[64];
	switch (by) {
	case INFO_BY_COMM:
		return group_get(gs, fnv(comm_or(te)), comm_or(te));
	case INFO_BY_CGROUP: {
		const char *p = te ? task_table_cgroup(tt, te->cgroup) : "";
		return group_get(gs, te ? te->cgroup : 0, *p ? p : "(unknown)");
	}
	case INFO_BY_TREE:
	default:
		if (mine_tree) {
			snprintf(label, sizeof(label), "tree:%u (the workload)", tt->workload_pid);
			return group_get(gs, ~0ULL, label);
		}
		if (!te)
			return group_get(gs, ~1ULL, "(no task)");
		const struct task_ent *top = te;
		u64 i;
		if (te->top != te->pid && hmap_get(&tt->idx, te->top, &i))
			top = &tt->t[i];
		snprintf(label, sizeof(label), "tree:%u (%s)", te->top, comm_or(top));
		return group_get(gs, te->top, label);
	}
}

int info_by(const char *path, struct trace_reader *r, enum info_by by, const struct task_spec *spec, bool csv,
	    FILE *o)
{
	struct task_table tt;
	struct groups gs = {0};
	struct task_spec tree = {.kind = TASK_SPEC_DEFAULT};
	if (task_table_init(&tt, spec) || hmap_init(&gs.idx, 256))
		return -ENOMEM;
	/* --by tree keeps the recorded command's tree together whatever --workload says */
	struct task_table treet;
	if (task_table_init(&treet, &tree))
		return -ENOMEM;
	u64 total[MME_NR_KINDS] = {0}, events = 0, mine = 0, mine_ppm = 0;
	const struct mm_event *evs;
	long n;
	int err = 0;
	while (!err && (n = trace_batch(r, &evs, TRACE_BATCH)) > 0) {
		for (long i = 0; i < n && !err; i++) {
			const struct mm_event *ev = &evs[i];
			const struct task_ent *te = task_table_event(&tt, ev, &err);
			const struct task_ent *tte = task_table_event(&treet, ev, &err);
			if (ev->kind == MME_TASK || ev->kind == MME_LOST || ev->kind >= MME_NR_KINDS)
				continue;
			u32 ppm, tppm;
			if (task_table_mine(&tt, te, ev, &ppm) || tt.last_on_behalf)
				mine_ppm += tt.last_on_behalf ? 1000000 : ppm;
			bool in_tree = task_table_mine(&treet, tte, ev, &tppm) && treet.workload_pid &&
				       ev->kind != MME_VMAP_PURGE;
			struct group *g = group_of(&gs, &tt, by, te, in_tree);
			if (!g) {
				err = -ENOMEM;
				break;
			}
			g->n[ev->kind]++;
			g->total++;
			total[ev->kind]++;
			events++;
		}
	}
	if (!err && n < 0)
		err = (int)n;
	mine = (mine_ppm + 500000) / 1000000;
	if (err) {
		fprintf(stderr, "mmreplay info: %s\n", err == -ENOMEM ? "out of memory" : trace_diag(r)->msg);
		goto out;
	}
	if (gs.n) /* no group: gs.g is NULL, which qsort must not be given */
		qsort(gs.g, gs.n, sizeof(*gs.g), by_total);
	static const char *const words[] = {
		[INFO_BY_COMM] = "comm", [INFO_BY_TREE] = "tree", [INFO_BY_CGROUP] = "cgroup"};
	char label[300];
	task_spec_label(&tt.spec, tt.workload_pid, label, sizeof(label));
	if (csv) {
		fprintf(o, "%s,kind,count\n", words[by]);
		for (size_t g = 0; g < gs.n; g++)
			for (unsigned k = 1; k < MME_NR_KINDS; k++)
				if (gs.g[g].n[k])
					fprintf(o, "%s,%s,%" PRIu64 "\n", gs.g[g].label,
						mm_event_kind_name(k), gs.g[g].n[k]);
		goto out;
	}
	fprintf(o, "trace        %s\n", path);
	if (!tt.has_records)
		fprintf(o, "tasks        the trace has no task records (recorded before the recorders kept "
			   "them, or not by them): commands and trees are unknown\n");
	else
		fprintf(o,
			"tasks        %zu (alive at the start, forked, or seen), from the trace's task "
			"records\n",
			tt.n);
	u64 wi;
	if (tt.workload_pid && hmap_get(&tt.idx, tt.workload_pid, &wi))
		fprintf(o, "command      pid %u (%s): the recorded command\n", tt.workload_pid,
			comm_or(&tt.t[wi]));
	fprintf(o, "workload     %s: %" PRIu64 " of %" PRIu64 " events (%.1f %%)%s\n", label, mine, events,
		events ? 100.0 * (double)mine / (double)events : 0.0,
		tt.spec.kind == TASK_SPEC_DEFAULT && !tt.workload_pid ? " (the trace names no command)" : "");
	if (by == INFO_BY_NONE) /* the share alone */
		goto out;
	fprintf(o, "\n%-28s %10s %7s", words[by], "events", "share");
	for (unsigned k = 1; k < MME_NR_KINDS; k++)
		if (total[k])
			fprintf(o, " %*s", (int)MM_MAX(strlen(mm_event_kind_name(k)), (size_t)9),
				mm_event_kind_name(k));
	fputc('\n', o);
	for (size_t g = 0; g < gs.n; g++) {
		fprintf(o, "%-28.28s %10" PRIu64 " %6.2f%%", gs.g[g].label, gs.g[g].total,
			100.0 * (double)gs.g[g].total / (double)events);
		for (unsigned k = 1; k < MME_NR_KINDS; k++)
			if (total[k])
				fprintf(o, " %*" PRIu64,
					(int)MM_MAX(strlen(mm_event_kind_name(k)), (size_t)9), gs.g[g].n[k]);
		fputc('\n', o);
	}
out:
	task_table_fini(&tt);
	task_table_fini(&treet);
	hmap_fini(&gs.idx);
	free(gs.g);
	return err;
}
