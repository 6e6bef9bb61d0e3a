/* Zone layouts from a command-line spec, /proc/zoneinfo and /proc/buddyinfo: the real snapshots
 * in data/zones give the x86-64 boundaries (DMA32 at 16 MiB, Normal at 4 GiB), and every
 * malformed input is an error naming the file and line (or the spec) with the reason. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "workloads/state/buddyinfo.h"
#include "tests/spawn_cmd.h"
#include "workloads/state/zonelayout.h"
#include "workloads/state/zoneinfo.h"

static int spec(const char *s, struct zones_cfg *c, char *why)
{
	zones_cfg_default(c);
	return zonelayout_parse_spec(s, c, why, 256);
}

Test(zonelayout, spec_good)
{
	struct zones_cfg c;
	char why[256];
	cr_assert_eq(spec("DMA:0x1-0x1000,DMA32:0x1000-0x100000,Normal:0x100000-0x640000", &c, why), 0, "%s",
		     why);
	cr_assert_eq(c.nr_zones, 3);
	cr_assert_eq(c.zone[0].type, ZONE_DMA);
	cr_assert_eq(c.zone[0].start_pfn, 1);
	cr_assert_eq(c.zone[0].nr_pages, 0xfff);
	cr_assert_eq(c.zone[1].nr_pages, 0x100000 - 0x1000);
	cr_assert_eq(c.zone[2].type, ZONE_NORMAL);
	cr_assert_eq(c.zone[2].nr_pages, 0x540000);
	cr_assert_eq(spec("dma32:4096+2G,normal:0x100000+4096", &c, why), 0, "%s", why);
	cr_assert_eq(c.nr_zones, 2);
	cr_assert_eq(c.zone[0].type, ZONE_DMA32);
	cr_assert_eq(c.zone[0].nr_pages, (2ULL << 30) / 4096);
	cr_assert_eq(c.zone[1].nr_pages, 4096);
	cr_assert_eq(spec("Normal:0x100000+16M", &c, why), 0, "%s", why);
	cr_assert_eq(c.zone[0].nr_pages, 4096);
	cr_assert_eq(spec("default", &c, why), 0);
	cr_assert_eq(c.nr_zones, 1);
	cr_assert_eq(c.zone[0].start_pfn, 0x100000);
}

Test(zonelayout, spec_bad)
{
	static const struct {
		const char *spec, *reason;
	} bad[] = {
		{"", "empty zone entry"},
		{"Normal", "expected NAME:START-END"},
		{"High:0-10", "unknown zone name"},
		{"Normal:0x100000", "START must be"},
		{"Normal:zz-10", "START must be"},
		{"Normal:10-", "missing number"},
		{"Normal:10-5", "END must be above START"},
		{"Normal:10-10", "END must be above START"},
		{"Normal:10-20x", "trailing characters"},
		{"Normal:10+1Q", "suffix"},
		{"Normal:10+1KK", "suffix"},
		{"Normal:10+1K", "4 KiB pages"},
		{"Normal:10+0", "empty"},
		{"Normal:0x100000+1,", "empty zone entry"},
		{"DMA:1-10,,Normal:0x100000+1", "empty zone entry"},
		{"Normal:0x100000+1,DMA:1-10", "zones go DMA, DMA32, Normal"},
		{"DMA32:0x1000-0x100001", "above 4 GiB"},
		{"DMA:1-0x2000,DMA32:0x1000-0x3000", "overlaps"},
		{"DMA:1-2,DMA:3-4", "zones go DMA"},
		{"DMA:1-2,DMA32:0x1000-0x1001,Normal:0x100000+1,Normal:0x200000+1", "more than 3 zones"},
		{"Normal:99999999999999999999-1", "out of range"},
		{"Normal:0+17179869184T", "out of range"},
		{"Normal:0+4503599627370496", "more than the model"},
	};
	for (size_t i = 0; i < MM_ARRAY_SIZE(bad); i++) {
		struct zones_cfg c, before;
		char why[256] = "";
		zones_cfg_default(&c);
		before = c;
		cr_assert_eq(zonelayout_parse_spec(bad[i].spec, &c, why, sizeof(why)), -EINVAL,
			     "'%s' accepted", bad[i].spec);
		cr_assert(strstr(why, bad[i].reason), "'%s': got '%s', want '%s'", bad[i].spec, why,
			  bad[i].reason);
		cr_assert(strstr(why, "zone layout '"), "%s", why);
		cr_assert_eq(memcmp(&c, &before, sizeof(c)), 0, "'%s' changed the cfg", bad[i].spec);
	}
}

static FILE *open_data(const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", MMREPLAY_DATA_DIR, rel);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	return f;
}

/* The recording VM: 24 GiB, DMA below 16 MiB, DMA32 from 16 MiB, Normal from 4 GiB; Movable and
 * Device are empty (data/zones/README.md). */
Test(zonelayout, zoneinfo_real_snapshot)
{
	struct zones_cfg c;
	struct mm_diag d;
	unsigned skipped = 99;
	zones_cfg_default(&c);
	FILE *f = open_data("zones/zoneinfo1.txt");
	cr_assert_eq(zonelayout_read_zoneinfo(f, "zoneinfo1.txt", &c, &skipped, &d), 0, "%s", d.msg);
	fclose(f);
	cr_assert_eq(c.nr_zones, 3);
	cr_assert_eq(skipped, 2);
	cr_assert_eq(c.zone[0].type, ZONE_DMA);
	cr_assert_lt(c.zone[0].start_pfn, 0x1000);
	cr_assert_eq(c.zone[1].type, ZONE_DMA32);
	cr_assert_eq(c.zone[1].start_pfn, 0x1000);
	cr_assert_eq(c.zone[2].type, ZONE_NORMAL);
	cr_assert_eq(c.zone[2].start_pfn, 0x100000);
	u64 total = c.zone[0].nr_pages + c.zone[1].nr_pages + c.zone[2].nr_pages;
	cr_assert(total > (23ULL << 30) / 4096 && total <= (24ULL << 30) / 4096, "%llu pages",
		  (unsigned long long)total);
	struct zones zs;
	cr_assert_eq(zones_init(&zs, &c), 0);
	cr_assert_eq(zones_free_pages(&zs), total);
	zones_fini(&zs);
}

/* The watermarks' lowmem_reserve from the zones' "protection: (...)" lines, by the kernel's zone
 * index (node 0's zones in the file's order: DMA, DMA32, Normal, Movable, Device). */
Test(zonelayout, zoneinfo_protection)
{
	struct zoneinfo zi;
	struct mm_diag d;
	char path[512];
	snprintf(path, sizeof(path), "%s/zones/zoneinfo1.txt", MMREPLAY_DATA_DIR);
	cr_assert_eq(zoneinfo_load(path, &zi, &d), 0, "%s", d.msg);
	struct zones_cfg c;
	zones_cfg_default(&c);
	cr_assert_eq(zoneinfo_span_layout(&zi, path, &c, &d), 0, "%s", d.msg);
	struct pcp_cfg *pc = calloc(1, sizeof(*pc));
	cr_assert(pc);
	zoneinfo_pcp_cfg(&zi, &c, pc);
	cr_assert_eq(pc->wm.zone[0].lowmem_reserve[ZONE_DMA32], 3018);
	cr_assert_eq(pc->wm.zone[0].lowmem_reserve[ZONE_NORMAL], 4554);
	cr_assert_eq(pc->wm.zone[1].lowmem_reserve[ZONE_DMA32], 0);
	cr_assert_eq(pc->wm.zone[1].lowmem_reserve[ZONE_NORMAL], 1536);
	cr_assert_eq(pc->wm.zone[2].lowmem_reserve[ZONE_NORMAL], 0);
	free(pc);
	static const char *const bad[][2] = {
		{"Node 0, zone DMA\n  protection: 0, 1)\n", "expected 'protection: (N, N, ...)'"},
		{"Node 0, zone DMA\n  protection: (0, x)\n",
		 "expected a non-negative integer in 'protection:'"},
		{"Node 0, zone DMA\n  protection: (0, 1\n", "expected ',' or ')' in 'protection:'"},
	};
	for (size_t i = 0; i < MM_ARRAY_SIZE(bad); i++) {
		FILE *f = fmemopen((void *)bad[i][0], strlen(bad[i][0]), "r");
		cr_assert(f);
		cr_assert_eq(zoneinfo_parse(f, "snap", &zi, &d), -EINVAL, "%s", bad[i][0]);
		fclose(f);
		cr_assert(strstr(d.msg, bad[i][1]) && strstr(d.msg, "snap:2:"), "%s", d.msg);
	}
}

Test(zonelayout, buddyinfo_real_snapshot)
{
	struct zones_cfg c;
	struct mm_diag d;
	unsigned skipped = 99;
	zones_cfg_default(&c);
	FILE *f = open_data("oracle/snap1.txt"); /* buddyinfo lines, then '#' comment sections */
	int err = zonelayout_read_buddyinfo(f, "snap1.txt", &c, &skipped, &d);
	fclose(f);
	/* snap1.txt goes on with the debugfs index lines, which are not buddyinfo lines */
	cr_assert_eq(err, -EINVAL);
	cr_assert(strstr(d.msg, "snap1.txt:5: "), "%s", d.msg);
	f = open_data("zones/buddyinfo1.txt");
	cr_assert_eq(zonelayout_read_buddyinfo(f, "buddyinfo1.txt", &c, &skipped, &d), 0, "%s", d.msg);
	fclose(f);
	cr_assert_eq(c.nr_zones, 3);
	cr_assert_eq(skipped, 0);
	cr_assert_eq(c.max_order, 10);
	cr_assert_eq(c.zone[0].start_pfn, 1);
	cr_assert_eq(c.zone[1].start_pfn, 0x1000);
	cr_assert_eq(c.zone[2].start_pfn, 0x100000);
}

/* Sizes from the free counts: sum of count << order, per zone. */
Test(zonelayout, buddyinfo_sizes_from_free_counts)
{
	const char *text = "# header comment\n"
			   "Node 0, zone      DMA      1      0      2 \n"
			   "\n"
			   "Node 0, zone   Normal      3      1      1 \n"
			   "Node 0, zone  Movable      0      0      0 \n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct zones_cfg c;
	struct mm_diag d;
	unsigned skipped;
	zones_cfg_default(&c);
	cr_assert_eq(zonelayout_read_buddyinfo(f, "b", &c, &skipped, &d), 0, "%s", d.msg);
	fclose(f);
	cr_assert_eq(c.nr_zones, 2);
	cr_assert_eq(c.max_order, 2);
	cr_assert_eq(skipped, 1);
	cr_assert_eq(c.zone[0].nr_pages, 1 + 2 * 4);
	cr_assert_eq(c.zone[1].type, ZONE_NORMAL);
	cr_assert_eq(c.zone[1].nr_pages, 3 + 2 + 4);
}

struct bad_text {
	const char *text, *where;
};

static void expect_bad(int (*rd)(FILE *, const char *, struct zones_cfg *, unsigned *, struct mm_diag *),
		       const struct bad_text *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		FILE *f = fmemopen((void *)b[i].text, strlen(b[i].text), "r");
		struct zones_cfg c, before;
		struct mm_diag d = {""};
		zones_cfg_default(&c);
		before = c;
		cr_assert_eq(rd(f, "snap", &c, NULL, &d), -EINVAL, "case %zu accepted", i);
		fclose(f);
		cr_assert(strstr(d.msg, b[i].where), "case %zu: got '%s', want '%s'", i, d.msg, b[i].where);
		cr_assert_eq(memcmp(&c, &before, sizeof(c)), 0, "case %zu changed the cfg", i);
	}
}

#define ZI(name, start, present)                                                                             \
	"Node 0, zone " name "\n  pages free 5\n        spanned  " present "\n        present  " present     \
	"\n  start_pfn:           " start "\n"

Test(zonelayout, zoneinfo_malformed)
{
	static const struct bad_text bad[] = {
		{"", "snap: no 'Node N, zone NAME' lines"},
		{"        present  10\n", "snap:1: zone data before any"},
		{"Node 0, zone Normal\n  present  x10\n", "snap:2: expected a non-negative integer"},
		{"Node 0, zone Normal\n  present  10 pages\n", "snap:2: expected a non-negative integer"},
		{"Node 0, zone Normal extra\n", "snap:1: expected 'Node N, zone NAME'"},
		{"Node 0, zone Normal\n  present 10\n  present 10\n", "snap:3: second present line"},
		{"Node 0, zone Normal\n  present 10\n", "snap:1: zone Normal has no 'start_pfn:'"},
		{"Node 0, zone Normal\n  start_pfn: 1\n", "snap:1: zone Normal has no 'present'"},
		{ZI("DMA", "1", "4095") ZI("Movable", "4096", "10"), "snap:6: zone Movable has 10 pages"},
		{ZI("DMA", "1", "4095") "Node 1, zone Normal\n present 5\n start_pfn: 99999999\n",
		 "snap:6: node 1 has memory"},
		{ZI("DMA", "1", "4096") ZI("DMA32", "4096", "10"),
		 "snap: zone DMA32 (from pfn 0x1000) overlaps"},
		{ZI("DMA32", "4096", "1044481"), "snap: zone DMA32 ends at pfn 0x100001, above 4 GiB"},
		{ZI("Normal", "1048576", "0"), "snap: no zone with pages"},
	};
	expect_bad(zonelayout_read_zoneinfo, bad, MM_ARRAY_SIZE(bad));
}

Test(zonelayout, buddyinfo_malformed)
{
	static const struct bad_text bad[] = {
		{"", "snap: no 'Node N, zone NAME ...' lines"},
		{"# only a comment\n", "snap: no 'Node"},
		{"Node 0, zone Normal 1 2 x\n", "snap:1: free block counts must be"},
		{"Node 0, zone Normal 1 2\nNode 0, zone DMA 1\n",
		 "snap:2: 1 orders, but the first zone has 2"},
		{"Node 0, zone DMA 0 0 0 0 0 0 0 0 0 0 0 0 0 1\n", "snap:1: zone DMA has 8192 free pages"},
		{"Node 0, zone DMA32 0 0 0 0 0 0 0 0 0 0 0 10000\n", "snap:1: zone DMA32 has"},
		{"Node 0, zone HighMem 4\n", "snap:1: zone HighMem has 4 pages"},
		{"Node 0, zone DMA 1\nNode 1, zone Normal 4\n", "snap:2: node 1 has memory"},
		{"Node 0, zone Normal 0 0\n", "snap: no zone with pages"},
		{"Node 0, zone Normal 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1\n", "snap:1: more than 16 orders"},
	};
	expect_bad(zonelayout_read_buddyinfo, bad, MM_ARRAY_SIZE(bad));
}

Test(zonelayout, load_dispatch)
{
	struct zones_cfg c;
	struct mm_diag d;
	unsigned skipped;
	zones_cfg_default(&c);
	cr_assert_eq(zonelayout_load("zoneinfo:/nonexistent/zi", &c, &skipped, &d), -EINVAL);
	cr_assert(strstr(d.msg, "/nonexistent/zi: "), "%s", d.msg);
	cr_assert_eq(zonelayout_load("Normal:1+", &c, &skipped, &d), -EINVAL);
	cr_assert(strstr(d.msg, "zone layout 'Normal:1+'"), "%s", d.msg);
	char path[512];
	snprintf(path, sizeof(path), "zoneinfo:%s/zones/zoneinfo1.txt", MMREPLAY_DATA_DIR);
	cr_assert_eq(zonelayout_load(path, &c, &skipped, &d), 0, "%s", d.msg);
	cr_assert_eq(c.nr_zones, 3);
}

/* mmreplay zones --buddyinfo: a layout read from a buddyinfo snapshot prints back as buddyinfo
 * lines (every zone, read by the same parser) holding the snapshot's free pages per zone. */
Test(zonelayout, cli_zones_round_trip)
{
	struct spawn_res r = MMR(NULL, "zones", "--buddyinfo", "--zones",
				 "buddyinfo:" MMREPLAY_DATA_DIR "/zones/buddyinfo1.txt");
	FILE *p = fmemopen(r.out, r.out_len, "r");
	cr_assert_not_null(p);
	struct buddyinfo out, in;
	struct mm_diag d;
	cr_assert_eq(buddyinfo_parse(p, "mmreplay zones", &out, &d), 0, "%s", d.msg);
	fclose(p);
	cr_assert_eq(r.status, 0);
	spawn_res_free(&r);
	FILE *f = open_data("zones/buddyinfo1.txt");
	cr_assert_eq(buddyinfo_parse(f, "buddyinfo1.txt", &in, &d), 0, "%s", d.msg);
	fclose(f);
	cr_assert_eq(out.nr_zones, in.nr_zones);
	for (unsigned z = 0; z < in.nr_zones; z++) {
		cr_assert_str_eq(out.zones[z].name, in.zones[z].name);
		cr_assert_eq(out.zones[z].nr_orders, in.zones[z].nr_orders);
		u64 a = 0, b = 0;
		for (unsigned o = 0; o < in.zones[z].nr_orders; o++) {
			a += out.zones[z].nr_free[o] << o;
			b += in.zones[z].nr_free[o] << o;
		}
		cr_assert_eq(a, b, "zone %s", in.zones[z].name);
	}
	cr_assert_eq(MMR_STATUS(NULL, "zones", "--zones", "Normal:5-3"), 2);
}
