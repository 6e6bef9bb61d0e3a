/* The model's memory bounded by model-mem-max, on worked examples: a
 * 2^47-byte mmap with --populate all, a 255 GiB zone, a native trace with very many pids. The
 * model stops at the limit (counted in skipped_mem_limit, every event still in one column),
 * announces a large configuration and refuses one beyond the limit, naming the setting. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/run/matrix.h"
#include "bench/run/mem_note.h"
#include "bench/run/replay.h"
#include "bench/host/hostinfo.h"
#include "tests/spawn_cmd.h"

Test(sim_mem, sizes_parse_and_print)
{
	u64 x;
	cr_assert_eq(settings_parse_size("2G", 0, UINT64_MAX, &x), 0);
	cr_assert_eq(x, 2ULL << 30);
	cr_assert_eq(settings_parse_size("1536M", 0, UINT64_MAX, &x), 0);
	cr_assert_eq(x, 1536ULL << 20);
	cr_assert_eq(settings_parse_size("1GiB", 0, UINT64_MAX, &x), 0);
	cr_assert_eq(x, 1ULL << 30);
	cr_assert_eq(settings_parse_size("4097", 0, UINT64_MAX, &x), 0);
	cr_assert_eq(x, 4097);
	cr_assert_eq(settings_parse_size("0x1000", 0, UINT64_MAX, &x), 0);
	cr_assert_eq(x, 4096);
	cr_assert_neq(settings_parse_size("0x10M", 0, UINT64_MAX, &x), 0);
	cr_assert_neq(settings_parse_size("20000000P", 0, UINT64_MAX, &x), 0); /* 2^64 and more */
	cr_assert_neq(settings_parse_size("M", 0, UINT64_MAX, &x), 0);
	cr_assert_neq(settings_parse_size("-1G", 0, UINT64_MAX, &x), 0);
	cr_assert_eq(settings_parse_size("512K", 1ULL << 20, 1ULL << 50, &x), -ERANGE);
	char b[32];
	settings_format_size(2ULL << 30, b, sizeof(b));
	cr_assert_str_eq(b, "2G");
	settings_format_size(1536ULL << 20, b, sizeof(b));
	cr_assert_str_eq(b, "1536M");
	settings_format_size(4097, b, sizeof(b));
	cr_assert_str_eq(b, "4097");
}

static struct mm_event mmap_ev(u32 pid, u64 addr, u64 len)
{
	return (struct mm_event){.kind = MME_MMAP,
				 .pid = pid,
				 .addr = addr,
				 .len = len,
				 .len2 = (u64)-1,
				 .flags = MME_F_ANON,
				 .prot = 3,
				 .mt = -1};
}

static void sums(const struct replay_row *r)
{
	u64 t = 0;
	for (unsigned o = 0; o < SIM_OUTCOMES; o++)
		t += r->st.outcome[o];
	cr_assert_eq(t, r->st.events);
}

/* One 2^47-byte anonymous mmap, populated: the page tables stop at the limit. */
Test(sim_mem, huge_populated_mmap_stops_at_the_limit)
{
	struct mm_event ev[] = {mmap_ev(100, 0x7f0000000000ULL, 1 << 20),
				mmap_ev(100, 0x100000000ULL, 1ULL << 47)};
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.populate = true;
	cfg.model_mem_max = 64ULL << 20;
	struct replay_row r;
	u64 a0 = 0, a1 = 0, res;
	bool heap = hostinfo_heap(&a0, &res);
	cr_assert_eq(replay_run("big", ev, 2, &cfg, &r), 0);
	if (heap && hostinfo_heap(&a1, &res)) /* what the machine really holds (jemalloc builds) */
		cr_assert_leq(a1 - a0, cfg.model_mem_max + (4ULL << 20), "%llu bytes",
			      (unsigned long long)(a1 - a0));
	sums(&r);
	cr_assert_eq(r.sim->outcomes.n[MME_MMAP][SIM_REPLAYED], 1);
	cr_assert_eq(r.sim->outcomes.n[MME_MMAP][SIM_SKIP_MEM_LIMIT], 1, "the huge mapping is cut short");
	cr_assert_leq(r.st.mem_peak, cfg.model_mem_max);
	cr_assert_gt(r.st.mem_peak, cfg.model_mem_max / 2, "it got near the limit: %llu",
		     (unsigned long long)r.st.mem_peak);
	/* a table page costs a host table: the tables built fit in the limit */
	cr_assert_leq(pgtable_table_bytes() * r.sim->mm_pt.st.pgtable_pages_alloc, cfg.model_mem_max);
	replay_row_fini(&r);
	/* unpopulated, the same mapping is one VMA */
	cfg.populate = false;
	cr_assert_eq(replay_run("big", ev, 2, &cfg, &r), 0);
	cr_assert_eq(r.st.outcome[SIM_REPLAYED], 2);
	cr_assert_eq(r.st.outcome[SIM_SKIP_MEM_LIMIT], 0);
	replay_row_fini(&r);
}

/* A native trace of many pids, one mmap each: address spaces stop at the limit; the estimate
 * is no lower than the heap the replay really took (where the allocator says). */
Test(sim_mem, many_pids_stop_at_the_limit)
{
	size_t n = 200000;
	struct mm_event *ev = calloc(n, sizeof(*ev));
	cr_assert_not_null(ev);
	for (size_t i = 0; i < n; i++)
		ev[i] = mmap_ev((u32)(i + 2), 0x7f0000000000ULL, 4096);
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	cfg.model_mem_max = 32ULL << 20;
	struct replay_row r;
	u64 a0 = 0, a1 = 0, res;
	bool heap = hostinfo_heap(&a0, &res);
	cr_assert_eq(replay_run("pids", ev, n, &cfg, &r), 0);
	if (heap && hostinfo_heap(&a1, &res))
		cr_assert_leq(a1 - a0, cfg.model_mem_max + (4ULL << 20), "%llu bytes",
			      (unsigned long long)(a1 - a0));
	sums(&r);
	u64 refused = r.st.outcome[SIM_SKIP_MEM_LIMIT], done = r.st.outcome[SIM_REPLAYED];
	cr_assert_gt(refused, 0);
	cr_assert_gt(done, 1000);
	cr_assert_eq(refused + done, n);
	cr_assert_leq(r.st.mem_peak, cfg.model_mem_max);
	replay_row_fini(&r);

	cfg.model_mem_max = 0; /* the default, 2 GiB: all fit */
	heap = hostinfo_heap(&a0, &res);
	cr_assert_eq(replay_run("pids", ev, n, &cfg, &r), 0);
	heap = heap && hostinfo_heap(&a1, &res);
	cr_assert_eq(r.st.outcome[SIM_REPLAYED], n);
	if (heap && a1 > a0) /* jemalloc's count of what the machine holds (0 under ASan's malloc) */
		cr_assert_geq(r.st.mem_peak, a1 - a0 - sizeof(struct sim),
			      "estimate %llu bytes for a heap of %llu", (unsigned long long)r.st.mem_peak,
			      (unsigned long long)(a1 - a0));
	replay_row_fini(&r);
	free(ev);
}

static int cfg_of(const char *const *kv, struct sim_cfg *cfg, char *err, size_t len)
{
	struct matrix *m = malloc(sizeof(*m));
	cr_assert_not_null(m);
	matrix_init(m);
	for (size_t i = 0; kv[i]; i += 2)
		cr_assert_eq(matrix_set(m, settings_find(kv[i]), kv[i + 1], false, err, len), 0, "%s", err);
	int e = matrix_cfg(m, 0, cfg, err, len);
	free(m);
	return e;
}

/* A 255 GiB zone: accepted and announced under the default, refused under a lower limit with
 * the setting named; sim_init refuses it too. */
Test(sim_mem, huge_zone_announced_or_refused)
{
	struct sim_cfg cfg;
	char err[512] = "";
	const char *big[] = {"zones", "Normal:0x100000+255G", NULL};
	cr_assert_eq(cfg_of(big, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_gt(sim_mem_fixed(&cfg), 255ULL << 21, "8 bytes of frame a page at least");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	mem_note_config(f, "replay", "x", &cfg);
	fclose(f);
	cr_assert(strstr(text, "mmreplay replay: configuration x: the model takes ") &&
			  strstr(text, "model-mem-max 2 GiB"),
		  "%s", text);
	cr_assert_eq(strchr(text, '\n'), text + len - 1, "one line");
	free(text);

	const char *low[] = {"zones", "Normal:0x100000+255G", "model-mem-max", "256M", NULL};
	cr_assert_eq(cfg_of(low, &cfg, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "over model-mem-max 256 MiB") && strstr(err, "--model-mem-max"), "%s", err);
	struct sim s;
	cr_assert_eq(sim_init(&s, &cfg), -E2BIG);

	/* a small machine says nothing */
	const char *small[] = {"zones", "default", NULL};
	cr_assert_eq(cfg_of(small, &cfg, err, sizeof(err)), 0);
	text = NULL;
	f = open_memstream(&text, &len);
	mem_note_config(f, "replay", "x", &cfg);
	fclose(f);
	cr_assert_eq(len, 0);
	free(text);
}

/* The command line: a refusal is exit 1 with one line naming the setting. */
Test(sim_mem, replay_refuses_with_a_clear_message)
{
	struct spawn_res r =
		MMR(NULL, "replay", "--quiet", "--zones", "Normal:0x100000+255G", "--model-mem-max", "256M",
		    MMREPLAY_DATA_DIR "/traces/u_churn1.strace.txt.zst");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "mmreplay replay: ") && strstr(r.err, "model-mem-max"), "%s", r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + r.err_len - 1, "one line: %s", r.err);
	spawn_res_free(&r);
	r = MMR(NULL, "replay", "--quiet", "--model-mem-max", "1",
		MMREPLAY_DATA_DIR "/traces/u_churn1.strace.txt.zst");
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(strstr(r.err, "--model-mem-max takes 1M..1P"), "%s", r.err);
	spawn_res_free(&r);
}
