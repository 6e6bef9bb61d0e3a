/* libFuzzer target for the machine-state readers: FUZZ_STATE picks /proc/buddyinfo
 * (buddyinfo_parse, then the zone layout built from it) or /proc/zoneinfo
 * (zonelayout_read_zoneinfo). Every failure must explain itself in one printable line; a
 * success must give at most ZONE_NR_TYPES zones, none of whose end wraps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddyinfo.h"
#include "zonelayout.h"

#define FUZZ_BUDDYINFO 1
#define FUZZ_ZONEINFO 2
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

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
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
#else
	if (zonelayout_read_zoneinfo(f, "fuzz", &cfg, &skipped, &d))
		check_msg(&d);
	else
		check_layout(&cfg);
#endif
	fclose(f);
	return 0;
}
