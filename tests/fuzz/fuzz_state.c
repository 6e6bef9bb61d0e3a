/* libFuzzer target for the machine-state readers: FUZZ_STATE picks /proc/buddyinfo
 * (buddyinfo_parse, then the zone layout built from it), /proc/zoneinfo
 * (zonelayout_read_zoneinfo), /proc/vmallocinfo (vmallocinfo_parse), /proc/pagetypeinfo
 * (pagetypeinfo_parse), a recording's buddyinfo-series.txt (bseries, read from a memfd
 * through its /proc/self/fd path) or its times.txt and kpageflags chunk stamps (recording_times
 * for both lines, kpfchunks_load; the same memfd way). Every failure must explain itself in one printable
 * line; a success must give at most ZONE_NR_TYPES zones (a series: each once, one number of
 * orders, checked against a fixed layout as a slow reference would), none of whose end wraps, areas inside
 * the ranges in order without overlap, counts within the tables' bounds, every time range read forwards. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workloads/state/bseries.h"
#include "workloads/state/kpfchunks.h"
#include "workloads/state/recording.h"
#include "workloads/state/buddyinfo.h"
#include "workloads/state/pagetypeinfo.h"
#include "workloads/state/vmallocinfo.h"
#include "workloads/state/zonelayout.h"

#define FUZZ_BUDDYINFO 1
#define FUZZ_ZONEINFO 2
#define FUZZ_VMALLOCINFO 3
#define FUZZ_PAGETYPEINFO 4
#define FUZZ_BSERIES 5
#define FUZZ_TIMES 6
#ifndef FUZZ_STATE
#define FUZZ_STATE FUZZ_BUDDYINFO
#endif

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check_msg(const struct mm_diag *d)
{
	if (!d->msg[0] || strchr(d->msg, '\n'))
		abort(); /* every failure explains itself, on one line */
	for (const unsigned char *p = (const unsigned char *)d->msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort(); /* control bytes are escaped (diag_escape) */
}

static void check_layout(const struct zones_cfg *cfg)
{
	if (cfg->nr_zones > ZONE_NR_TYPES)
		abort();
	for (unsigned i = 0; i < cfg->nr_zones; i++)
		if (cfg->zone[i].start_pfn + cfg->zone[i].nr_pages < cfg->zone[i].start_pfn)
			abort(); /* a zone's end does not wrap */
}

#if FUZZ_STATE == FUZZ_BSERIES || FUZZ_STATE == FUZZ_TIMES
/* The readers open a path: the input as a memfd's. */
static int memfd_path(const unsigned char *data, size_t size, char *path, size_t len)
{
	int fd = memfd_create("state", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}
#endif

#if FUZZ_STATE == FUZZ_TIMES
static void fuzz_times(const unsigned char *data, size_t size)
{
	char path[64];
	int fd = memfd_path(data, size, path, sizeof(path));
	static const char *const lines[] = {"start", "end"};
	for (int i = 0; i < 2; i++) {
		struct recording_times t;
		struct mm_diag d = {{0}};
		memset(&t, 0, sizeof(t));
		if (recording_times(path, lines[i], &t, &d))
			check_msg(&d);
		else if (t.text_start > t.text_end || t.kpf_start > t.kpf_end ||
			 t.bi_again_start > t.bi_again_end)
			abort(); /* every range read forwards */
	}
	struct seedtime st;
	struct mm_diag d = {{0}};
	if (kpfchunks_load(path, &st, &d)) {
		check_msg(&d);
	} else {
		for (size_t i = 0; i < st.n; i++)
			if (st.c[i].pfn_end <= st.c[i].pfn_start || st.c[i].t1_ns < st.c[i].t0_ns ||
			    (i && st.c[i].pfn_start < st.c[i - 1].pfn_end))
				abort(); /* non-empty, forwards, in pfn order */
		seedtime_fini(&st);
	}
	close(fd);
}
#endif

#if FUZZ_STATE == FUZZ_BSERIES
/* Each snapshot read holds each zone once, all with one number of orders (a line that does not
 * parse is an error, never the end of the zones); the layout check against a fixed three-zone
 * machine agrees with a slow reference: it passes exactly when every snapshot has DMA, DMA32 and
 * Normal with at most 11 orders. */
static void fuzz_bseries(const unsigned char *data, size_t size)
{
	static struct snapshot snaps[64];
	char path[64];
	int fd = memfd_path(data, size, path, sizeof(path));
	struct bseries s;
	struct mm_diag d = {{0}};
	size_t n = 0;
	int r = bseries_open(&s, path, &d);
	if (r) {
		check_msg(&d);
		close(fd);
		return;
	}
	for (unsigned k = 0; (r = bseries_next(&s, &snaps[n], &d)) == 1 && k < 100000; k++) {
		const struct snapshot *k1 = &snaps[n];
		if (!k1->nr_zones || k1->nr_zones > ZONE_NR_TYPES)
			abort();
		for (unsigned i = 0; i < k1->nr_zones; i++)
			for (unsigned j = 0; j < i; j++)
				if (k1->zone[i].type == k1->zone[j].type ||
				    k1->zone[i].nr_orders != k1->zone[j].nr_orders)
					abort();
		n += n + 1 < sizeof(snaps) / sizeof(snaps[0]);
	}
	if (r < 0)
		check_msg(&d);
	bseries_close(&s);
	close(fd);
	if (r < 0 || !n)
		return;
	struct zones_cfg z = {
		.nr_zones = 3,
		.zone = {{ZONE_DMA, 1, 4095}, {ZONE_DMA32, 4096, 1 << 20}, {ZONE_NORMAL, 1 << 20, 1 << 20}}};
	struct snap_series ser = {snaps, n, path};
	bool ok = true;
	for (size_t k = 0; k < n; k++) {
		ok &= snaps[k].nr_zones == 3;
		for (unsigned i = 0; i < snaps[k].nr_zones; i++)
			ok &= snaps[k].zone[i].nr_orders <= 11;
	}
	char why[512] = "";
	if (!snapcheck_layout(&ser, &z, 10, why, sizeof(why)) != ok)
		abort();
	if (!ok && (!why[0] || strchr(why, '\n')))
		abort();
}
#endif

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
#if FUZZ_STATE == FUZZ_BSERIES
	fuzz_bseries(data, size);
	return 0;
#elif FUZZ_STATE == FUZZ_TIMES
	fuzz_times(data, size);
	return 0;
#endif
	FILE *f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0; /* fmemopen refuses size 0 on some libcs */
	struct mm_diag d = {{0}};
	struct zones_cfg cfg;
	unsigned skipped = 0;
	memset(&cfg, 0, sizeof(cfg));
#if FUZZ_STATE == FUZZ_BUDDYINFO
	static struct buddyinfo bi;
	if (buddyinfo_parse(f, "fuzz", &bi, &d))
		check_msg(&d);
	else if (bi.nr_zones > BUDDYINFO_MAX_ZONES)
		abort();
	rewind(f);
	memset(&d, 0, sizeof(d));
	if (zonelayout_read_buddyinfo(f, "fuzz", &cfg, &skipped, &d))
		check_msg(&d);
	else
		check_layout(&cfg);
#elif FUZZ_STATE == FUZZ_ZONEINFO
	if (zonelayout_read_zoneinfo(f, "fuzz", &cfg, &skipped, &d))
		check_msg(&d);
	else
		check_layout(&cfg);
#elif FUZZ_STATE == FUZZ_VMALLOCINFO
	struct vmallocinfo_ranges r;
	struct vmap_snapshot s = {0};
	vmallocinfo_ranges_default(&r);
	if (vmallocinfo_parse(f, "fuzz", &r, &s, &d)) {
		check_msg(&d);
	} else {
		for (size_t i = 0; i < s.n; i++)
			if (s.a[i].end <= s.a[i].start)
				abort(); /* every area has a size */
		vmallocinfo_free(&s);
	}
#elif FUZZ_STATE == FUZZ_PAGETYPEINFO
	static struct pagetypeinfo p;
	if (pagetypeinfo_parse(f, "fuzz", &p, &d))
		check_msg(&d);
	else if (p.nr_types > PTI_MAX_TYPES || p.nr_zones > PTI_MAX_ZONES || p.nr_orders > PTI_MAX_ORDERS)
		abort();
#endif
	fclose(f);
	return 0;
}
