/* A map from the pfns of a machine's zones to 32-bit values, as one dense array per zone (a
 * lookup is an index, and pfns near each other share cache lines, where a hash table spreads
 * them). Values are stored + 1 (0: absent); a value of UINT32_MAX or more, or a key in no
 * zone, is refused (-ERANGE: the caller treats it like host memory short). Built for the
 * model pfn -> traced pfn map compaction keeps (pagereplay.c): model pfns are dense within the
 * zones. Host memory: 4 bytes per page of the zones. */
#ifndef PFNMAP_H
#define PFNMAP_H

#include "core/phys/zones.h"

struct pfnmap {
	unsigned nr;
	u64 base[ZONE_NR_TYPES], pages[ZONE_NR_TYPES]; /* each zone's span */
	u32 *v[ZONE_NR_TYPES];			       /* pages[z] entries: value + 1, 0 absent */
};

/* One array per zone of zs, all absent. 0 or -ENOMEM. */
int pfnmap_init(struct pfnmap *m, const struct zones *zs);
void pfnmap_fini(struct pfnmap *m);
/* 0, or -ERANGE (key in no zone, or val >= UINT32_MAX). */
int pfnmap_put(struct pfnmap *m, u64 key, u64 val);
/* true and *val when present. */
bool pfnmap_get(const struct pfnmap *m, u64 key, u64 *val);
/* true and *val (may be NULL) when the key was present and is now removed. */
bool pfnmap_del(struct pfnmap *m, u64 key, u64 *val);
/* Host bytes of the arrays (0 before init). */
u64 pfnmap_bytes(const struct pfnmap *m);

#endif
