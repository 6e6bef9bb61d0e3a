#include "core/phys/pfnmap.h"

#include <errno.h>
#include <string.h>

#include "core/lib/bigmem.h"

int pfnmap_init(struct pfnmap *m, const struct zones *zs)
{
	memset(m, 0, sizeof(*m));
	for (unsigned z = 0; z < zs->nr_zones; z++) {
		const struct buddy *b = &zs->zone[z].buddy;
		m->base[z] = b->base_pfn;
		m->pages[z] = b->nr_pages;
		m->nr = z + 1;
		if (b->nr_pages && !(m->v[z] = bigmem_zalloc(b->nr_pages * sizeof(u32)))) {
			pfnmap_fini(m);
			return -ENOMEM;
		}
	}
	return 0;
}

void pfnmap_fini(struct pfnmap *m)
{
	for (unsigned z = 0; z < m->nr; z++)
		bigmem_free(m->v[z], m->pages[z] * sizeof(u32));
	memset(m, 0, sizeof(*m));
}

/* The slot of key, or NULL when no zone holds it. */
static u32 *pfnmap_slot(const struct pfnmap *m, u64 key)
{
	for (unsigned z = 0; z < m->nr; z++)
		if (key - m->base[z] < m->pages[z])
			return &m->v[z][key - m->base[z]];
	return NULL;
}

int pfnmap_put(struct pfnmap *m, u64 key, u64 val)
{
	u32 *s = pfnmap_slot(m, key);
	if (!s || val >= UINT32_MAX)
		return -ERANGE;
	*s = (u32)(val + 1);
	return 0;
}

bool pfnmap_get(const struct pfnmap *m, u64 key, u64 *val)
{
	const u32 *s = pfnmap_slot(m, key);
	if (!s || !*s)
		return false;
	*val = *s - 1ULL;
	return true;
}

bool pfnmap_del(struct pfnmap *m, u64 key, u64 *val)
{
	u32 *s = pfnmap_slot(m, key);
	if (!s || !*s)
		return false;
	if (val)
		*val = *s - 1ULL;
	*s = 0;
	return true;
}

u64 pfnmap_bytes(const struct pfnmap *m)
{
	u64 b = 0;
	for (unsigned z = 0; z < m->nr; z++)
		if (m->v[z])
			b += bigmem_size(m->pages[z] * sizeof(u32));
	return b;
}
