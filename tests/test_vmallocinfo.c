/* /proc/vmallocinfo reader: the bundled snapshots parse whole, their lazy lists fall into one
 * ascending run per node, the lazy pages agree with what the kernel's own tracepoint counted, and
 * every kind of bad snapshot is refused with FILE:LINE: reason. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "workloads/state/vmallocinfo.h"

#define REC MMREPLAY_DATA_DIR "/recordings/"

static unsigned count_kind(const struct vmap_snapshot *s, int kind)
{
	unsigned n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->a[i].kind == kind;
	return n;
}

Test(vmallocinfo, bundled_snapshots)
{
	static const char *const names[] = {"d_threads4", "d_bpf2", "d_mixed5", "d_bpf3"};
	for (int i = 0; i < 4; i++) {
		for (int end = 0; end < 2; end++) {
			char path[512];
			snprintf(path, sizeof(path), REC "%s/vmallocinfo.%s.txt", names[i],
				 end ? "end" : "start");
			struct vmap_snapshot s;
			struct mm_diag d = {{0}};
			cr_assert_eq(vmallocinfo_load(path, &s, &d), 0, "%s", d.msg);
			/* two CPUs, two vmap nodes: each node's lazy list is one ascending run */
			cr_assert_eq(s.lazy_runs, 2, "%s", path);
			/* every line is an area; the irq stacks are the two vmap areas */
			FILE *f = fopen(path, "r");
			char line[4096];
			size_t lines = 0;
			while (fgets(line, sizeof(line), f))
				lines++;
			fclose(f);
			cr_assert_eq(s.n, lines);
			cr_assert_eq(count_kind(&s, VMAP_SNAP_VMAP), 2);
			cr_assert_gt(count_kind(&s, VMAP_SNAP_VMALLOC), 200);
			cr_assert_gt(count_kind(&s, VMAP_SNAP_IOREMAP), 20);
			vmallocinfo_free(&s);
		}
	}
}

/* The kernel's free_vmap_area_noflush right after d_threads4's start snapshot logs
 * nr_lazy=2930 for the 5-page stack it frees: the snapshot's unpurged areas are the other 2925
 * pages (trace line "va_start=0xffffc900100b0000 nr_lazy=2930"). */
Test(vmallocinfo, lazy_pages_match_the_kernel_count)
{
	struct vmap_snapshot s;
	struct mm_diag d = {{0}};
	cr_assert_eq(vmallocinfo_load(REC "d_threads4/vmallocinfo.start.txt", &s, &d), 0, "%s", d.msg);
	cr_assert_eq(s.lazy_pages, 2930 - 5);
	/* the runs split where the addresses step down: line 543 starts node 1's list */
	for (size_t i = 0; i < s.n; i++) {
		if (s.a[i].kind != VMAP_SNAP_LAZY)
			continue;
		cr_assert_eq(s.a[i].run, s.a[i].line < 543 ? 0 : 1, "line %u", s.a[i].line);
		cr_assert_eq(vmap_snapshot_lazy_node(&s, &s.a[i], 2), s.a[i].run);
	}
	vmallocinfo_free(&s);
}

static const char *parse_text(const char *text, struct vmap_snapshot *s, struct mm_diag *d)
{
	struct vmallocinfo_ranges r;
	vmallocinfo_ranges_default(&r);
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err = vmallocinfo_parse(f, "snap", &r, s, d);
	fclose(f);
	return err ? d->msg : NULL;
}

Test(vmallocinfo, bad_snapshots_say_file_and_line)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"0x000000004f2e1a3b-0x00000000c93e2b11   20480 kernel_clone+0xb8/0x400 pages=4 vmalloc\n",
		 "snap:1: not a kernel address: hashed pointers"},
		{"0x0000000000000000-0x0000000000000000   20480 kernel_clone+0xb8/0x400 pages=4 vmalloc\n",
		 "snap:1: not a kernel address"},
		{"0xffffc90000000000-0xffffc90000005000   20480 a vmap\n"
		 "0xffffc90000004000-0xffffc90000009000   20480 unpurged vm_area\n",
		 "snap:2: area 0xffffc90000004000-0xffffc90000009000 overlaps "
		 "0xffffc90000000000-0xffffc90000005000 "
		 "(line 1)"},
		{"0xffffc90000000000-0xffffc90000005000   20480 a vmap\n"
		 "0xffff888000000000-0xffff888000005000   20480 b vmap\n",
		 "snap:2: outside the vmalloc and module address ranges"},
		{"0xffffc90000000000-0xffffc90000005000   20480 a vmap\n0xffffc90000010000-0xffffc900",
		 "snap:2: truncated line: no newline at end of file"},
		{"0xffffc90000000000-0xffffc90000005000\n",
		 "snap:1: truncated line: no size after the range"},
		{"0xffffc90000000000-0xffffc90000005000   20480\n",
		 "snap:1: truncated line: nothing after the size"},
		{"0xffffc90000000000-0xffffc90000005000   8192 a vmap\n", "snap:1: the size field disagrees"},
		{"0xffffc90000000800-0xffffc90000005800   20480 a vmap\n",
		 "snap:1: the range is empty or not page"},
		{"ffffc90000000000-0xffffc90000005000   20480 a vmap\n", "snap:1: expected 0xSTART-0xEND"},
	};
	for (size_t i = 0; i < MM_ARRAY_SIZE(bad); i++) {
		struct vmap_snapshot s;
		struct mm_diag d = {{0}};
		const char *msg = parse_text(bad[i].text, &s, &d);
		cr_assert_not_null(msg, "case %zu accepted", i);
		cr_assert(!strncmp(msg, bad[i].want, strlen(bad[i].want)), "case %zu: %s", i, msg);
		cr_assert_eq(s.n, 0);
		cr_assert_null(s.a);
	}
	/* a module-space area (execmem, BPF programs) is fine; blank lines are skipped */
	struct vmap_snapshot s;
	struct mm_diag d = {{0}};
	cr_assert_null(parse_text(
		"\n0xffffffffc0000000-0xffffffffc0201000 2101248 bpf_prog_pack_alloc+0x28b/0x3a0 "
		"pages=512 vmalloc N0=512\n0xffffc90000000000-0xffffc90000002000    8192 vm_map_ram\n",
		&s, &d));
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.a[0].pages, 512);
	cr_assert_eq(s.a[0].kind, VMAP_SNAP_VMALLOC);
	cr_assert_eq(s.a[1].kind, VMAP_SNAP_VM_MAP_RAM);
	cr_assert_eq(s.a[1].line, 3);
	vmallocinfo_free(&s);
	cr_assert_neq(vmallocinfo_load("/nonexistent/vmallocinfo", &s, &d), 0);
}

/* An area freed while the file was read is printed busy, then (later) unpurged: the later line
 * is its state when the read ended; two busy lines of one range stay an error. */
Test(vmallocinfo, an_area_freed_while_read_keeps_its_later_line)
{
	struct vmap_snapshot s;
	struct mm_diag d = {{0}};
	cr_assert_null(parse_text("0xffffc90000000000-0xffffc90000005000   20480 a vmap\n"
				  "0xffffc90000008000-0xffffc9000000a000    8192 b vmap\n"
				  "0xffffc90000000000-0xffffc90000005000   20480 unpurged vm_area\n",
				  &s, &d));
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.freed_while_read, 1);
	cr_assert_eq(s.a[0].start, 0xffffc90000008000ULL); /* file order kept */
	cr_assert_eq(s.a[1].kind, VMAP_SNAP_LAZY);
	cr_assert_eq(s.a[1].line, 3);
	cr_assert_eq(s.lazy_pages, 5);
	vmallocinfo_free(&s);
	const char *msg = parse_text("0xffffc90000000000-0xffffc90000005000   20480 a vmap\n"
				     "0xffffc90000000000-0xffffc90000005000   20480 a vmap\n",
				     &s, &d);
	cr_assert_not_null(msg);
	cr_assert(strstr(msg, "snap:2: area 0xffffc90000000000-0xffffc90000005000 overlaps"), "%s", msg);
}
