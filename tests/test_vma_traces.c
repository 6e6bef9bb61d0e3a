/* Address spaces replayed from the real strace recordings in data/traces, judged by facts that
 * do not come from our model: the kernel's own /proc/PID/maps for u_churn1, and the call counts
 * of data/traces/README.md for u_build. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine/sim.h"
#include "workloads/trace/trace.h"

#define CHURN_TRACE MMREPLAY_DATA_DIR "/traces/u_churn1.strace.txt.zst"
#define CHURN_MAPS MMREPLAY_DATA_DIR "/traces/u_churn1.maps.txt"
#define BUILD_TRACE MMREPLAY_DATA_DIR "/traces/u_build.strace.txt.zst"

struct span {
	u64 start, end;
	char perms[5];
	bool anon; /* anonymous and unnamed: inode 0, no path */
};

struct spans {
	struct span *v;
	size_t n, cap;
};

static void spans_push(struct spans *s, u64 start, u64 end, const char *perms, bool anon)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		cr_assert(s->v);
	}
	struct span *p = &s->v[s->n++];
	p->start = start;
	p->end = end;
	snprintf(p->perms, sizeof(p->perms), "%s", perms);
	p->anon = anon;
}

/* /proc/PID/maps text: "start-end perms offset dev inode [path]" */
static void parse_maps(FILE *f, struct spans *out)
{
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		unsigned long long s, e, off, ino;
		char perms[8], dev[16];
		int pos = 0;
		cr_assert_eq(
			sscanf(line, "%llx-%llx %7s %llx %15s %llu %n", &s, &e, perms, &off, dev, &ino, &pos),
			6, "bad maps line: %s", line);
		bool named = line[pos] && line[pos] != '\n';
		spans_push(out, s, e, perms, ino == 0 && !named);
	}
}

static bool overlaps(const struct spans *t, u64 s, u64 e)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].start < e && s < t->v[i].end)
			return true;
	return false;
}

static bool has_exact(const struct spans *m, const struct span *k)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].start == k->start && m->v[i].end == k->end && !strcmp(m->v[i].perms, k->perms))
			return true;
	return false;
}

/* Ranges the traced calls of pid touched, from the events alone (no model involved). */
static void touched_ranges(const struct mm_trace *t, u32 pid, struct spans *out)
{
	u64 brk_lo = 0, brk_hi = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct mm_event *e = &t->ev[i];
		if (e->pid != pid || (e->flags & MME_F_FAILED))
			continue;
		switch (e->kind) {
		case MME_MMAP:
		case MME_MUNMAP:
		case MME_MPROTECT:
		case MME_MADVISE:
			spans_push(out, e->addr, e->addr + MM_PAGE_ALIGN(e->len), "", false);
			break;
		case MME_MREMAP:
			spans_push(out, e->addr, e->addr + MM_PAGE_ALIGN(e->len), "", false);
			spans_push(out, e->addr2, e->addr2 + MM_PAGE_ALIGN(e->len2), "", false);
			break;
		case MME_BRK:
			if (!brk_lo)
				brk_lo = brk_hi = e->addr;
			brk_hi = MM_MAX(brk_hi, e->addr);
			break;
		}
	}
	if (brk_hi > brk_lo)
		spans_push(out, brk_lo, MM_PAGE_ALIGN(brk_hi), "", false);
}

struct capture {
	u32 pid;
	char *buf;
	size_t len;
	FILE *f;
	unsigned captured;
};

static void capture_exit(void *arg, u32 pid, struct mm *mm, bool exiting)
{
	struct capture *c = arg;
	if (!exiting || (c->pid && pid != c->pid))
		return;
	fprintf(c->f, "# pid %u\n", pid);
	mm_print_maps(mm, c->f);
	c->captured++;
}

static void capture_live(void *arg, u32 pid, struct mm *mm)
{
	struct capture *c = arg;
	if (c->pid && pid != c->pid)
		return;
	fprintf(c->f, "# pid %u live\n", pid);
	mm_print_maps(mm, c->f);
	c->captured++;
}

/* Replay t through a sim with the given VMA index; maps of pid (0 = all) into a string. */
static char *replay(const struct mm_trace *t, const struct vma_index_ops *idx, u32 pid, struct sim **keep)
{
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.vma = idx;
	cfg.zones.zone[0].nr_pages = 1 << 16;
	struct sim *s = malloc(sizeof(*s));
	cr_assert(s);
	cr_assert_eq(sim_init(s, &cfg), 0);
	struct capture c = {.pid = pid};
	c.f = open_memstream(&c.buf, &c.len);
	s->procs.on_release = capture_exit;
	s->procs.on_release_arg = &c;
	for (size_t i = 0; i < t->n; i++)
		cr_assert_eq(sim_event(s, &t->ev[i]), 0, "event %zu", i);
	s->procs.on_release = NULL;
	procs_for_each(&s->procs, capture_live, &c);
	fclose(c.f);
	cr_assert_gt(c.captured, 0);
	if (keep) {
		*keep = s;
	} else {
		sim_fini(s);
		free(s);
	}
	return c.buf;
}

Test(vma_traces, churn1_matches_kernel_maps)
{
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(trace_load(CHURN_TRACE, NULL, &t, &d), 0, "%s", d.msg);
	u32 pid = t.ev[0].pid;
	struct spans touched = {0}, kern = {0};
	touched_ranges(&t, pid, &touched);
	cr_assert_gt(touched.n, 1000);
	FILE *f = fopen(CHURN_MAPS, "r");
	cr_assert(f);
	parse_maps(f, &kern);
	fclose(f);
	cr_assert_eq(kern.n, 550); /* the README's line count */
	for (const struct vma_index_ops *const *o = vma_indexes; *o; o++) {
		char *text = replay(&t, *o, pid, NULL);
		struct spans model = {0};
		FILE *mf = fmemopen(text, strlen(text), "r");
		parse_maps(mf, &model);
		fclose(mf);
		size_t checked = 0;
		for (size_t i = 0; i < kern.n; i++) {
			const struct span *k = &kern.v[i];
			if (!k->anon || !overlaps(&touched, k->start, k->end))
				continue;
			checked++;
			cr_expect(has_exact(&model, k), "%s: kernel VMA %llx-%llx %s missing from the replay",
				  (*o)->name, (unsigned long long)k->start, (unsigned long long)k->end,
				  k->perms);
		}
		for (size_t i = 0; i < model.n; i++) {
			const struct span *m = &model.v[i];
			if (!m->anon || !overlaps(&touched, m->start, m->end))
				continue;
			cr_expect(has_exact(&kern, m),
				  "%s: replay VMA %llx-%llx %s is not in the kernel's maps", (*o)->name,
				  (unsigned long long)m->start, (unsigned long long)m->end, m->perms);
		}
		cr_assert_gt(checked, 500, "%s: only %zu kernel VMAs in traced ranges", (*o)->name, checked);
		free(model.v);
		free(text);
	}
	free(touched.v);
	free(kern.v);
	trace_free(&t);
}

Test(vma_traces, build_replays_every_call)
{
	struct mm_trace t;
	struct mm_diag d;
	cr_assert_eq(trace_load(BUILD_TRACE, NULL, &t, &d), 0, "%s", d.msg);
	struct sim *s;
	char *ref = replay(&t, &vma_index_maple, 0, &s);
	const struct procs_stats *ps = &s->procs.ps;
	/* the README's counts of the recording: every call reached the model, applied or (when
	 * it failed in the trace) counted as skipped */
	static const struct {
		unsigned kind;
		u64 calls;
	} facts[] = {
		{MME_MMAP, 11922}, {MME_BRK, 4313},  {MME_MPROTECT, 2292}, {MME_MUNMAP, 325},
		{MME_MREMAP, 4},   {MME_EXEC, 1877}, {MME_FORK, 242 + 73}, {MME_EXIT, 315},
	};
	for (size_t i = 0; i < MM_ARRAY_SIZE(facts); i++) {
		unsigned k = facts[i].kind;
		cr_expect_eq(ps->applied[k] + ps->failed_skipped[k], facts[i].calls,
			     "%s: %llu + %llu != %llu", mm_event_kind_name(k),
			     (unsigned long long)ps->applied[k], (unsigned long long)ps->failed_skipped[k],
			     (unsigned long long)facts[i].calls);
	}
	/* and what `mmreplay info` counts, kind by kind */
	for (unsigned k = MME_MMAP; k <= MME_EXIT; k++)
		cr_expect_eq(ps->applied[k] + ps->failed_skipped[k], t.stats.kind[k], "%s",
			     mm_event_kind_name(k));
	/* no unexplained errors: every call that succeeded in the trace succeeded in the model,
	 * except on memory execve mapped before the trace could see it */
	for (unsigned k = MME_MMAP; k <= MME_EXIT; k++)
		cr_expect_eq(ps->model_errors[k], ps->untraced_range[k],
			     "%s: %llu model errors, %llu explained", mm_event_kind_name(k),
			     (unsigned long long)ps->model_errors[k],
			     (unsigned long long)ps->untraced_range[k]);
	/* the relro mprotect of the executable and of ld.so per successful execve, at most */
	cr_expect_leq(ps->untraced_range[MME_MPROTECT], 2 * ps->applied[MME_EXEC]);
	cr_expect_eq(s->procs.st.err_einval, 0);
	/* the kernel never returned, without MAP_FIXED, an address the model still held */
	cr_expect_eq(s->procs.st.mmap_model_overlap, 0);
	cr_expect_eq(ps->exits, 315);
	sim_fini(s);
	free(s);
	/* the other index variants end with byte-identical address spaces */
	for (const struct vma_index_ops *const *o = vma_indexes; *o; o++) {
		if (*o == &vma_index_maple)
			continue;
		char *other = replay(&t, *o, 0, NULL);
		cr_expect(!strcmp(ref, other), "%s and maple end with different address spaces", (*o)->name);
		free(other);
	}
	free(ref);
	trace_free(&t);
}
