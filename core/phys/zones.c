#include "core/phys/zones.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "core/phys/fragindex.h"
#include "core/mm_event.h"

static const char *const zone_names[ZONE_NR_TYPES] = {
	[ZONE_DMA] = "DMA",
	[ZONE_DMA32] = "DMA32",
	[ZONE_NORMAL] = "Normal",
};

const char *zone_type_name(enum zone_type t)
{
	return (unsigned)t < ZONE_NR_TYPES ? zone_names[t] : "unknown";
}

int zone_type_parse(const char *name, size_t len)
{
	for (int t = 0; t < ZONE_NR_TYPES; t++)
		if (strlen(zone_names[t]) == len && !strncasecmp(name, zone_names[t], len))
			return t;
	return -1;
}

void zones_cfg_default(struct zones_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_zones = 1;
	cfg->zone[0] =
		(struct zone_spec){.type = ZONE_NORMAL, .start_pfn = ZONES_4G_PFN, .nr_pages = 1ULL << 20};
	cfg->max_order = BUDDY_DEFAULT_MAX_ORDER;
}

static int why_set(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int why_set(char *why, size_t len, const char *fmt, ...)
{
	if (why && len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int zones_cfg_check(const struct zones_cfg *cfg, char *why, size_t whylen)
{
	if (cfg->nr_zones < 1 || cfg->nr_zones > ZONE_NR_TYPES)
		return why_set(why, whylen, "a layout has 1 to %d zones, not %u", ZONE_NR_TYPES,
			       cfg->nr_zones);
	if (cfg->max_order > BUDDY_MAX_ORDER_LIMIT)
		return why_set(why, whylen, "max order %u is above %d", cfg->max_order,
			       BUDDY_MAX_ORDER_LIMIT);
	for (unsigned i = 0; i < cfg->nr_zones; i++) {
		const struct zone_spec *z = &cfg->zone[i];
		const char *name = zone_type_name(z->type);
		if ((unsigned)z->type >= ZONE_NR_TYPES)
			return why_set(why, whylen, "zone %u has no valid type", i);
		if (!z->nr_pages)
			return why_set(why, whylen, "zone %s is empty", name);
		if (z->nr_pages > BUDDY_MAX_FRAMES)
			return why_set(why, whylen, "zone %s has %llu pages, more than the model's %u", name,
				       (unsigned long long)z->nr_pages, BUDDY_MAX_FRAMES);
		if (z->start_pfn > (1ULL << 52) - z->nr_pages)
			return why_set(why, whylen, "zone %s ends beyond the 52-bit physical address space",
				       name);
		u64 end = z->start_pfn + z->nr_pages;
		if (z->type != ZONE_NORMAL && end > ZONES_4G_PFN)
			return why_set(
				why, whylen,
				"zone %s ends at pfn 0x%llx, above 4 GiB (0x%llx): a 32-bit pointer cannot "
				"address it",
				name, (unsigned long long)end, ZONES_4G_PFN);
		if (i == 0)
			continue;
		const struct zone_spec *p = &cfg->zone[i - 1];
		if (z->type <= p->type)
			return why_set(why, whylen,
				       "zone %s after zone %s: zones go DMA, DMA32, Normal, each once", name,
				       zone_type_name(p->type));
		if (z->start_pfn < p->start_pfn + p->nr_pages)
			return why_set(why, whylen,
				       "zone %s (from pfn 0x%llx) overlaps zone %s (up to 0x%llx)", name,
				       (unsigned long long)z->start_pfn, zone_type_name(p->type),
				       (unsigned long long)(p->start_pfn + p->nr_pages));
	}
	return 0;
}

int zones_init(struct zones *zs, const struct zones_cfg *cfg)
{
	memset(zs, 0, sizeof(*zs));
	for (int t = 0; t < ZONE_NR_TYPES; t++)
		zs->index[t] = -1;
	if (zones_cfg_check(cfg, NULL, 0))
		return -EINVAL;
	for (unsigned i = 0; i < cfg->nr_zones; i++) {
		struct buddy_cfg bc = {
			.base_pfn = cfg->zone[i].start_pfn,
			.nr_pages = cfg->zone[i].nr_pages,
			.max_order = cfg->max_order,
			.policy = cfg->policy,
		};
		int err = buddy_init(&zs->zone[i].buddy, &bc);
		if (err) {
			zones_fini(zs);
			return err;
		}
		zs->zone[i].type = cfg->zone[i].type;
		zs->index[cfg->zone[i].type] = (int)i;
		zs->nr_zones = i + 1;
	}
	return 0;
}

void zones_fini(struct zones *zs)
{
	for (unsigned i = 0; i < zs->nr_zones; i++)
		buddy_fini(&zs->zone[i].buddy);
	zs->nr_zones = 0;
}

int zones_limit_of_flags(unsigned mme_flags)
{
	bool dma = mme_flags & MME_F_ZONE_DMA, dma32 = mme_flags & MME_F_ZONE_DMA32;
	if (dma && dma32)
		return -EINVAL;
	return dma ? ZONE_DMA : dma32 ? ZONE_DMA32 : ZONE_NORMAL;
}

int zones_alloc(struct zones *zs, enum zone_type limit, unsigned order, int mt, u64 *pfn, unsigned *zone_idx)
{
	if ((unsigned)limit >= ZONE_NR_TYPES || !zs->nr_zones || order > zs->zone[0].buddy.max_order) {
		zs->st.bad_requests++;
		return -EINVAL;
	}
	zs->st.requests[limit]++;
	/* The zonelist: every populated zone of type <= limit, highest first. */
	for (int t = (int)limit; t >= 0; t--) {
		int i = zs->index[t];
		if (i < 0)
			continue;
		struct zone *z = &zs->zone[i];
		if (buddy_alloc(&z->buddy, order, mt, pfn)) {
			z->st.passed++;
			continue;
		}
		z->st.allocs++;
		if (t != (int)limit)
			z->st.fallback_allocs++;
		if (zone_idx)
			*zone_idx = (unsigned)i;
		return 0;
	}
	zs->st.failures++;
	zs->st.limit_failures[limit]++;
	return -ENOMEM;
}

int zones_find(const struct zones *zs, u64 pfn)
{
	for (unsigned i = 0; i < zs->nr_zones; i++) {
		const struct buddy *b = &zs->zone[i].buddy;
		if (pfn >= b->base_pfn && pfn - b->base_pfn < b->nr_pages)
			return (int)i;
	}
	return -1;
}

int zones_alloc_at(struct zones *zs, u64 pfn, unsigned order, int mt)
{
	int i = zones_find(zs, pfn);
	if (i < 0)
		return -ERANGE;
	int err = buddy_alloc_at(&zs->zone[i].buddy, pfn, order, mt);
	if (!err)
		zs->zone[i].st.allocs++;
	return err;
}

int zones_free(struct zones *zs, u64 pfn, unsigned order)
{
	int i = zones_find(zs, pfn);
	if (i < 0 || buddy_free(&zs->zone[i].buddy, pfn, order)) {
		zs->st.bad_frees++;
		return -EINVAL;
	}
	zs->zone[i].st.frees++;
	return 0;
}

u64 zones_free_pages(const struct zones *zs)
{
	u64 n = 0;
	for (unsigned i = 0; i < zs->nr_zones; i++)
		n += zs->zone[i].buddy.free_pages;
	return n;
}

int zones_extfrag(const struct zones *zs, unsigned z, unsigned order)
{
	const struct buddy *b = &zs->zone[z].buddy;
	return fragindex_extfrag(b->nr_free, b->max_order + 1, order);
}

int zones_unusable(const struct zones *zs, unsigned z, unsigned order)
{
	const struct buddy *b = &zs->zone[z].buddy;
	return fragindex_unusable(b->nr_free, b->max_order + 1, order);
}

void zones_print_buddyinfo(const struct zones *zs, FILE *out)
{
	for (unsigned i = 0; i < zs->nr_zones; i++) {
		const struct buddy *b = &zs->zone[i].buddy;
		fprintf(out, "Node 0, zone %8s ", zone_type_name(zs->zone[i].type));
		for (unsigned o = 0; o <= b->max_order; o++)
			fprintf(out, "%6llu ", (unsigned long long)b->nr_free[o]);
		fputc('\n', out);
	}
}
