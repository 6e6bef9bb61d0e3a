/* The readers on the real recordings in data/traces: every count must equal the recording
 * note (data/traces/README.md), and the facts it lists must hold in the parsed events. */
#include "tests/trace_testutil.h"

struct expect {
	const char *file;
	u64 kind[MME_NR_KINDS];
	u32 unstated; /* kinds (bits) the note does not count: checked elsewhere */
};

/* From data/traces/README.md's table (fork = vfork + clone: 242 + 73 = 315). */
static const struct expect facts[] = {
	{.file = "k_fork.perf.txt.zst",
	 .kind = {[MME_PAGE_ALLOC] = 22163,
		  [MME_PAGE_FREE] = 21117,
		  [MME_TLB_FLUSH] = 13724,
		  [MME_VMAP_ALLOC] = 44,
		  [MME_VMAP_FREE] = 41}},
	{.file = "k_threads2.perf.txt.zst",
	 .kind = {[MME_PAGE_ALLOC] = 56554,
		  [MME_PAGE_FREE] = 93805,
		  [MME_TLB_FLUSH] = 49485,
		  [MME_VMAP_ALLOC] = 9653,
		  [MME_VMAP_FREE] = 9648,
		  [MME_VMAP_PURGE] = 4}},
	{.file = "k_fork.ftrace.txt.zst",
	 .kind = {[MME_PAGE_ALLOC] = 21755,
		  [MME_PAGE_FREE] = 21810,
		  [MME_VMAP_ALLOC] = 38,
		  [MME_VMAP_FREE] = 37}},
	{.file = "u_build.strace.txt.zst",
	 .kind = {[MME_MMAP] = 11922,
		  [MME_BRK] = 4313,
		  [MME_MPROTECT] = 2292,
		  [MME_MUNMAP] = 325,
		  [MME_MREMAP] = 4,
		  [MME_EXEC] = 1877,
		  [MME_FORK] = 242 + 73,
		  [MME_EXIT] = 315}},
	{.file = "u_churn1.strace.txt.zst",
	 .kind = {[MME_MMAP] = 915,
		  [MME_MUNMAP] = 1198,
		  [MME_MPROTECT] = 585,
		  [MME_MREMAP] = 314,
		  [MME_BRK] = 3},
	 /* the note's table lists the churn calls only; the process's own execve and
	  * exit_group are checked by u_churn1_calls */
	 .unstated = 1u << MME_EXEC | 1u << MME_EXIT},
};

static void load(const char *file, struct mm_trace *t)
{
	struct mm_diag d = {{0}};
	int e = trace_load(file, NULL, t, &d);
	cr_assert_eq(e, 0, "%s: %s", file, d.msg);
}

Test(trace_real, counts_match_the_recording_note)
{
	for (size_t i = 0; i < MM_ARRAY_SIZE(facts); i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/traces/%s", MMREPLAY_DATA_DIR, facts[i].file);
		struct mm_trace t;
		load(path, &t);
		u64 cnt[MME_NR_KINDS] = {0};
		for (size_t j = 0; j < t.n; j++)
			cnt[t.ev[j].kind]++;
		for (unsigned k = 1; k < MME_NR_KINDS; k++) {
			cr_expect_eq(t.stats.kind[k], cnt[k]);
			if (facts[i].unstated & (1u << k))
				continue;
			cr_expect_eq(cnt[k], facts[i].kind[k], "%s: %s: %llu events, README says %llu",
				     facts[i].file, mm_event_kind_name(k), (unsigned long long)cnt[k],
				     (unsigned long long)facts[i].kind[k]);
		}
		cr_expect_eq(t.stats.skipped, 0);
		cr_expect_eq(t.stats.unknown, 0, "%s: nothing else was recorded", facts[i].file);
		trace_free(&t);
	}
}

Test(trace_real, k_threads2_vmalloc_facts)
{
	struct mm_trace t;
	load(DATA("k_threads2.perf.txt.zst"), &t);
	const struct mm_event *first_free = NULL;
	u64 purged[8];
	int npurge = 0;
	for (size_t i = 0; i < t.n; i++) {
		const struct mm_event *e = &t.ev[i];
		if (e->kind == MME_VMAP_FREE && !first_free)
			first_free = e;
		if (e->kind == MME_VMAP_FREE)
			cr_assert_eq(e->aux, 16384, "nr_lazy_max is 32 MiB x fls(2) / 4 KiB");
		if (e->kind == MME_VMAP_PURGE && npurge < 8) {
			purged[npurge++] = e->aux;
			cr_assert_lt(e->addr, e->addr2);
		}
		if (e->kind == MME_VMAP_ALLOC) {
			/* kernel stacks: 16 KiB + guard, aligned to 16 KiB, inside [vstart, vend] */
			cr_assert_eq(e->len, 20480);
			cr_assert_eq(e->aux, 16384);
			cr_assert_eq(e->addr % 16384, 0);
			cr_assert_geq(e->addr, e->addr2);
			cr_assert_leq(e->addr + e->len - 1, e->len2);
			cr_assert_eq(e->flags & MME_F_FAILED, 0);
		}
	}
	cr_assert_not_null(first_free);
	cr_assert_eq(first_free->len2, 15050, "the first free already shows nr_lazy=15050");
	cr_assert_eq(npurge, 4);
	/* three threshold purges of 3292, 3284, 3287 areas and one of 6 */
	u64 sum = 0;
	int six = 0;
	for (int i = 0; i < npurge; i++) {
		sum += purged[i];
		six += purged[i] == 6;
	}
	cr_assert_eq(sum, 3292 + 3284 + 3287 + 6);
	cr_assert_eq(six, 1);
	trace_free(&t);
}

Test(trace_real, decimal_va_start_from_the_note)
{
	/* README: alloc_vmap_area prints va_start in decimal, e.g. 18446683600604020736 */
	struct mm_trace t;
	load(DATA("k_threads2.perf.txt.zst"), &t);
	bool found = false;
	for (size_t i = 0; i < t.n && !found; i++)
		found = t.ev[i].kind == MME_VMAP_ALLOC && t.ev[i].addr == 18446683600604020736ull;
	cr_assert(found);
	trace_free(&t);
}

Test(trace_real, streaming_equals_load)
{
	struct mm_trace t;
	load(DATA("k_fork.ftrace.txt.zst"), &t);
	struct trace_reader *r;
	struct mm_diag d;
	cr_assert_eq(trace_open(DATA("k_fork.ftrace.txt.zst"), NULL, &r, &d), 0);
	struct mm_event ev;
	size_t i = 0;
	int e;
	while ((e = trace_next(r, &ev)) == 1) {
		cr_assert_lt(i, t.n);
		cr_assert_eq(memcmp(&ev, &t.ev[i], sizeof(ev)), 0, "event %zu differs", i);
		i++;
	}
	cr_assert_eq(e, 0);
	cr_assert_eq(i, t.n);
	cr_assert_eq(trace_reader_format(r), TRACE_FMT_FTRACE);
	cr_assert_eq(trace_stats(r)->nr_cpus, 2, "recorded on 2 CPUs");
	trace_close(r);
	trace_free(&t);
}

Test(trace_real, u_build_process_tree)
{
	struct mm_trace t;
	load(DATA("u_build.strace.txt.zst"), &t);
	cr_assert_eq(t.stats.joined, 1649, "README: 1649 <... resumed> lines");
	u64 vm = 0;
	/* The ordering contract: a child's first event comes after the fork naming it. */
	struct hmap born;
	cr_assert_eq(hmap_init(&born, 1024), 0);
	u32 root = t.ev[0].pid;
	hmap_put(&born, root, 1);
	for (size_t i = 0; i < t.n; i++) {
		const struct mm_event *e = &t.ev[i];
		u64 v;
		cr_assert(hmap_get(&born, e->pid, &v), "event %zu of pid %u before its fork", i, e->pid);
		if (e->kind == MME_FORK && !(e->flags & MME_F_FAILED)) {
			hmap_put(&born, e->addr2, 1);
			vm += !!(e->flags & MME_F_CLONE_VM);
		}
		cr_assert_eq(e->cpu, TRACE_CPU_NONE);
	}
	cr_assert_eq(vm, 242, "the 242 vforks share the mm; the 73 clones do not use CLONE_VM");
	hmap_fini(&born);
	trace_free(&t);
}

Test(trace_real, u_churn1_calls)
{
	struct mm_trace t;
	load(DATA("u_churn1.strace.txt.zst"), &t);
	/* "one process": it starts with its execve and ends with its exit_group */
	cr_assert_eq(t.stats.kind[MME_EXEC], 1);
	cr_assert_eq(t.stats.kind[MME_EXIT], 1);
	cr_assert_eq(t.ev[0].kind, MME_EXEC);
	cr_assert_eq(t.ev[t.n - 1].kind, MME_EXIT);
	cr_assert_eq(t.stats.nr_pids, 1);
	for (size_t i = 0; i < t.n; i++) {
		const struct mm_event *e = &t.ev[i];
		if (e->kind == MME_MREMAP)
			cr_assert_eq(e->aux, 1, "mremap(MAYMOVE)");
		if (e->kind == MME_MMAP && !(e->flags & MME_F_FAILED)) {
			cr_assert_eq(e->addr & 4095, 0);
			if (e->flags & MME_F_ANON)
				cr_assert_eq(e->len2, (u64)-1);
		}
	}
	trace_free(&t);
}
