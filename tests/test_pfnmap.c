/* The dense pfn map (core/phys/pfnmap.h) against the hash map (core/lib/hmap.h) as the slow,
 * obvious reference, on random puts, gets and deletes over three zones with holes between
 * them: every answer agrees, keys outside the zones and values too large are refused. */
#include <criterion/criterion.h>
#include <errno.h>

#include "core/lib/hmap.h"
#include "core/lib/rng.h"
#include "core/phys/pfnmap.h"

Test(pfnmap, agrees_with_hmap)
{
	static struct zones zs;
	struct zones_cfg zc = {.nr_zones = 3, .max_order = 10};
	zc.zone[0] = (struct zone_spec){ZONE_DMA, 0x1, 0xfff};
	zc.zone[1] = (struct zone_spec){ZONE_DMA32, 0x1000, 0x3000};
	zc.zone[2] = (struct zone_spec){ZONE_NORMAL, 0x100000, 0x4000};
	cr_assert_eq(zones_init(&zs, &zc), 0);
	static struct pfnmap m;
	struct hmap ref;
	cr_assert_eq(pfnmap_init(&m, &zs), 0);
	cr_assert_eq(hmap_init(&ref, 16), 0);
	cr_assert_eq(pfnmap_bytes(&m) >= (0xfff + 0x3000 + 0x4000) * 4, true);
	struct rng g;
	rng_seed(&g, 22);
	const u64 keys[][2] = {{0, 0x5000}, {0xfff00, 0x105000}}; /* both zone runs, edges, holes */
	for (unsigned s = 0; s < 200000; s++) {
		const u64 *r = keys[rng_below(&g, 2)];
		u64 k = r[0] + rng_below(&g, r[1] - r[0]), v = rng_below(&g, 1u << 30), a = 0, b = 0;
		bool in = (k >= 0x1 && k < 0x1000) || (k >= 0x1000 && k < 0x4000) ||
			  (k >= 0x100000 && k < 0x104000);
		switch (rng_below(&g, 3)) {
		case 0:
			if (in) {
				cr_assert_eq(pfnmap_put(&m, k, v), 0);
				cr_assert_geq(hmap_put(&ref, k, v), 0);
			} else {
				cr_assert_eq(pfnmap_put(&m, k, v), -ERANGE, "key %#llx is in no zone",
					     (unsigned long long)k);
			}
			break;
		case 1: {
			bool x = pfnmap_get(&m, k, &a), y = hmap_get(&ref, k, &b);
			cr_assert_eq(x, y, "get %#llx", (unsigned long long)k);
			if (x)
				cr_assert_eq(a, b);
			break;
		}
		default: {
			bool x = pfnmap_del(&m, k, &a), y = hmap_del(&ref, k, &b);
			cr_assert_eq(x, y, "del %#llx", (unsigned long long)k);
			if (x)
				cr_assert_eq(a, b);
		}
		}
	}
	cr_assert_eq(pfnmap_put(&m, 0x1000, UINT32_MAX), -ERANGE);
	cr_assert_eq(pfnmap_put(&m, 0x1000, UINT32_MAX - 1), 0);
	u64 v;
	cr_assert(pfnmap_get(&m, 0x1000, &v) && v == UINT32_MAX - 1);
	cr_assert_eq(pfnmap_put(&m, 0x1000, 0), 0, "value 0 is a value");
	cr_assert(pfnmap_get(&m, 0x1000, &v) && v == 0);
	hmap_fini(&ref);
	pfnmap_fini(&m);
	cr_assert_eq(pfnmap_bytes(&m), 0);
	zones_fini(&zs);
}
