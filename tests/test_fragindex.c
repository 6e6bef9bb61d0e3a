/* The kernel's fragmentation indices: against the kernel's own debugfs output for real
 * /proc/buddyinfo snapshots, and against states worked out by hand. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/phys/buddy.h"
#include "workloads/state/buddyinfo.h"
#include "core/phys/fragindex.h"

/* Split an oracle snapshot into its buddyinfo, extfrag and unusable sections. */
static void load_snapshot(const char *name, char *bi, char *ext, char *unu, size_t cap)
{
	char path[512], line[1024];
	snprintf(path, sizeof(path), "%s/oracle/%s", MMREPLAY_DATA_DIR, name);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	char *dst = bi;
	bi[0] = ext[0] = unu[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "# extfrag_index", 15)) {
			dst = ext;
			continue;
		}
		if (!strncmp(line, "# unusable_index", 16)) {
			dst = unu;
			continue;
		}
		cr_assert_lt(strlen(dst) + strlen(line), cap);
		strcat(dst, line);
	}
	fclose(f);
	cr_assert(bi[0] && ext[0] && unu[0], "%s: missing a section", name);
}

/* Print one index the way debugfs does, for every zone of the parsed buddyinfo. */
static void render(const struct buddyinfo *b, bool unusable, char *out, size_t cap)
{
	FILE *f = fmemopen(out, cap, "w");
	for (unsigned z = 0; z < b->nr_zones; z++) {
		fprintf(f, "Node %d, zone %8s ", b->zones[z].node, b->zones[z].name);
		for (unsigned o = 0; o < b->zones[z].nr_orders; o++) {
			char v[32];
			const u64 *nf = b->zones[z].nr_free;
			unsigned n = b->zones[z].nr_orders;
			fragindex_format(unusable ? fragindex_unusable(nf, n, o)
						  : fragindex_extfrag(nf, n, o),
					 v, sizeof(v));
			fprintf(f, "%s ", v);
		}
		fputc('\n', f);
	}
	fclose(f);
}

Test(fragindex, kernel_oracle_snapshots)
{
	const char *snaps[] = {"snap1.txt", "snap8.txt", "snap15.txt"};
	for (int i = 0; i < 3; i++) {
		static char bi[4096], ext[4096], unu[4096], got[4096];
		load_snapshot(snaps[i], bi, ext, unu, sizeof(bi));
		FILE *f = fmemopen(bi, strlen(bi), "r");
		struct buddyinfo b;
		struct mm_diag d;
		cr_assert_eq(buddyinfo_parse(f, snaps[i], &b, &d), 0, "%s", d.msg);
		fclose(f);
		cr_assert_eq(b.nr_zones, 3);
		render(&b, false, got, sizeof(got));
		cr_assert_str_eq(got, ext, "%s extfrag differs", snaps[i]);
		render(&b, true, got, sizeof(got));
		cr_assert_str_eq(got, unu, "%s unusable differs", snaps[i]);
	}
}

Test(fragindex, hand_worked_states)
{
	/* 4 free single pages, request order 1: free_pages 4, blocks 4, none suitable:
	 * 1000 - (1000 + 4*1000/2) / 4 = 1000 - 750 = 250 */
	u64 a[11] = {4};
	cr_assert_eq(fragindex_extfrag(a, 11, 1), 250);
	/* unusable: all 4 free pages are in blocks smaller than order 1 */
	cr_assert_eq(fragindex_unusable(a, 11, 1), 1000);
	cr_assert_eq(fragindex_unusable(a, 11, 0), 0);
	cr_assert_eq(fragindex_extfrag(a, 11, 0), -1000);

	/* 10 order-0 and 3 order-1 blocks, request order 2: free_pages 16, blocks 13:
	 * 1000 - (1000 + 16*1000/4) / 13 = 1000 - 5000/13 = 1000 - 384 = 616 */
	u64 b[11] = {10, 3};
	cr_assert_eq(fragindex_extfrag(b, 11, 2), 616);
	/* order 1: suitable blocks exist */
	cr_assert_eq(fragindex_extfrag(b, 11, 1), -1000);
	/* unusable at order 1: 10 of 16 free pages are in order-0 blocks: 625 */
	cr_assert_eq(fragindex_unusable(b, 11, 1), 625);

	/* nothing free: extfrag 0, unusable 1000 */
	u64 z[11] = {0};
	cr_assert_eq(fragindex_extfrag(z, 11, 3), 0);
	cr_assert_eq(fragindex_unusable(z, 11, 3), 1000);

	char s[32];
	fragindex_format(-1000, s, sizeof(s));
	cr_assert_str_eq(s, "-1.000");
	fragindex_format(616, s, sizeof(s));
	cr_assert_str_eq(s, "0.616");
	fragindex_format(1000, s, sizeof(s));
	cr_assert_str_eq(s, "1.000");
}

Test(fragindex, from_a_fragmented_buddy)
{
	/* allocate all 64 pages of a zone as order-0, free every other one: 32 isolated free
	 * pages, so an order-1 request fails purely for fragmentation */
	struct buddy b;
	struct buddy_cfg cfg = {0, 64, 6, NULL};
	cr_assert_eq(buddy_init(&b, &cfg), 0);
	u64 pfn[64];
	for (int i = 0; i < 64; i++)
		cr_assert_eq(buddy_alloc(&b, 0, 0, &pfn[i]), 0);
	for (int i = 0; i < 64; i++)
		if (pfn[i] % 2 == 0)
			cr_assert_eq(buddy_free(&b, pfn[i], 0), 0);
	cr_assert_eq(b.nr_free[0], 32);
	/* 1000 - (1000 + 32*1000/2) / 32 = 1000 - 531 = 469 */
	cr_assert_eq(fragindex_extfrag(b.nr_free, 7, 1), 469);
	cr_assert_eq(fragindex_unusable(b.nr_free, 7, 1), 1000);
	buddy_fini(&b);
}

Test(fragindex, malformed_buddyinfo_reports_file_and_line)
{
	struct {
		const char *text, *want;
	} cases[] = {
		{"Node 0, zone DMA 1 2 3\nNode 0, zone Normal 1 x 3\n", "t:2: free block counts"},
		{"Node 0, zone DMA 1 2 3\nNode 0, zone Normal 1 2\n",
		 "t:2: 2 orders, but the first zone has 3"},
		{"garbage\n", "t:1: expected 'Node"},
		{"Node 0 zone DMA 1\n", "t:1: bad node number"},
		{"Node 0, zone DMA\n", "t:1: no free block counts"},
		{"Node 0, zone DMA -1 2\n", "t:1: free block counts"},
		{"Node 0, zone DMA 99999999999999999999999 2\n", "t:1: free block count out of range"},
		{"", "t: no 'Node N, zone NAME ...' lines"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fmemopen((void *)cases[i].text, strlen(cases[i].text), "r");
		if (!cases[i].text[0])
			f = fopen("/dev/null", "r");
		struct buddyinfo b;
		struct mm_diag d;
		cr_assert_neq(buddyinfo_parse(f, "t", &b, &d), 0, "case %zu parsed", i);
		cr_assert(strstr(d.msg, cases[i].want), "case %zu: got '%s'", i, d.msg);
		fclose(f);
	}
}
