/* Machine layouts (struct zones_cfg, core/phys/zones.h) from what users have at hand: a command-line
 * spec, a /proc/zoneinfo snapshot, or a /proc/buddyinfo snapshot. The parsers live here, not in
 * core/, because the engine never parses.
 *
 * Spec syntax (--zones): ZONE[,ZONE...], ZONE = NAME:START-END or NAME:START+SIZE
 *   NAME   DMA, DMA32 or Normal (any case), each at most once, in that order
 *   START  first pfn; END the pfn after the last (half-open); decimal or 0x-hex
 *   SIZE   pages (a bare number) or bytes with a K, M, G or T suffix (a whole number of 4 KiB pages)
 *   e.g.   DMA:0x1-0x1000,DMA32:0x1000-0x100000,Normal:0x100000+20G
 *   "default" is one 4 GiB Normal zone at pfn 0x100000.
 * zonelayout_load() also takes "zoneinfo:PATH" and "buddyinfo:PATH".
 *
 * /proc/zoneinfo: each "Node N, zone NAME" section's start_pfn and present pages give one zone
 * [start_pfn, start_pfn + present). Holes inside the span (spanned - present) are not modelled:
 * the present pages sit contiguously at the zone's start.
 * /proc/buddyinfo has no spans, only free blocks: each zone gets the pages of its free blocks
 * (sum of count << order; allocated pages are invisible to it) and starts at its type's x86-64
 * boundary (DMA pfn 0x1, DMA32 0x1000, Normal 0x100000); the order count sets max_order. The
 * model starts that zone all free, so its free lists are not the snapshot's per-order shape.
 * Both: zones with no pages (Movable, Device, empty ones) are skipped and counted; a non-empty
 * zone of another type or another node is an error (the model is one node, three zone types). */
#ifndef ZONELAYOUT_H
#define ZONELAYOUT_H

#include <stdio.h>

#include "workloads/diag.h"
#include "core/phys/zones.h"

/* Fills cfg->nr_zones and cfg->zone[]; other fields are left as they were. 0, or -EINVAL with a
 * message naming the spec in why. The result passed zones_cfg_check(). */
int zonelayout_parse_spec(const char *spec, struct zones_cfg *cfg, char *why, size_t whylen);
/* As above from a snapshot; skipped (may be NULL) receives the number of empty zones left out.
 * Errors are "name:line: reason" in d. The buddyinfo reader also sets cfg->max_order. */
int zonelayout_read_zoneinfo(FILE *f, const char *name, struct zones_cfg *cfg, unsigned *skipped,
			     struct mm_diag *d);
int zonelayout_read_buddyinfo(FILE *f, const char *name, struct zones_cfg *cfg, unsigned *skipped,
			      struct mm_diag *d);
/* "default", a spec, "zoneinfo:PATH" or "buddyinfo:PATH" ("-" for stdin). */
int zonelayout_load(const char *arg, struct zones_cfg *cfg, unsigned *skipped, struct mm_diag *d);

#endif
