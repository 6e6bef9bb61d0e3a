/* Which settings can change a trace's results: the facets its events give (vmap events, page
 * events, process calls, kmap events) and those they imply (settings.h). */
#include "core/machine/settings.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The event kinds behind each facet a trace's events give directly (the others follow). */
static const struct {
	u32 facet;
	u8 n;
	u8 kind[10];
} facet_kinds[] = {
	{SETTING_ON_VMAP,
	 6,
	 {MME_VMAP_ALLOC, MME_VMAP_FREE, MME_VMAP_PURGE, MME_VMALLOC32, MME_IOREMAP, MME_VUNMAP}},
	{SETTING_ON_PAGE_EVENTS,
	 5,
	 {MME_PAGE_ALLOC, MME_PAGE_FREE, MME_PAGE_ZONE_LOCKED, MME_PAGE_PCPU_DRAIN, MME_PAGE_EXTFRAG}},
	{SETTING_ON_PROC,
	 9,
	 {MME_MMAP, MME_MUNMAP, MME_MPROTECT, MME_BRK, MME_MREMAP, MME_MADVISE, MME_FORK, MME_EXEC,
	  MME_EXIT}},
	{SETTING_ON_KMAP, 2, {MME_KMAP, MME_KUNMAP}},
};

u64 settings_facet_events(const u64 kind[MME_NR_KINDS], u32 facet)
{
	u64 x = 0;
	for (size_t i = 0; i < MM_ARRAY_SIZE(facet_kinds); i++)
		for (size_t k = 0; facet_kinds[i].facet == facet && k < facet_kinds[i].n; k++)
			x += kind[facet_kinds[i].kind[k]];
	return x;
}

u32 settings_facets(const u64 kind[MME_NR_KINDS], const struct sim_cfg *cfg)
{
	u32 f = 0;
	if (settings_facet_events(kind, SETTING_ON_VMAP))
		f |= SETTING_ON_VMAP | SETTING_ON_PGTABLE | SETTING_ON_BUDDY;
	if (settings_facet_events(kind, SETTING_ON_PAGE_EVENTS))
		f |= SETTING_ON_PAGE_EVENTS | SETTING_ON_BUDDY;
	if (settings_facet_events(kind, SETTING_ON_PROC))
		f |= SETTING_ON_PROC;
	if ((f & SETTING_ON_PROC) && cfg->populate) /* process page tables from the buddy */
		f |= SETTING_ON_PGTABLE | SETTING_ON_BUDDY;
	if (settings_facet_events(kind, SETTING_ON_KMAP))
		f |= SETTING_ON_KMAP;
	return f;
}

bool setting_applies(const struct setting *s, u32 facets)
{
	return !s->affects || (s->affects & facets);
}

void setting_facet_words(u32 mask, char *buf, size_t len)
{
	static const char *const words[] = {
		"vmap events",	 "traced page events", "pages taken from the buddy",
		"process calls", "page tables",	       "kmap events"};
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; i < MM_ARRAY_SIZE(words) && n < len; i++)
		if (mask & (1u << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " or " : "", words[i]);
}
