#include "workloads/state/zoneinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/infile.h"
#include "workloads/state/lineread.h"

/* "KEY" then blanks then a decimal at s: 1 with *v, 0 when s is another key, -1 bad number. */
static int zi_key(const char *s, const char *key, u64 *v)
{
	size_t n = strlen(key);
	if (strncmp(s, key, n) || (s[n] != ' ' && s[n] != '\t'))
		return 0;
	s += n;
	while (*s == ' ' || *s == '\t')
		s++;
	char *e;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(s, &e, 10);
	while (*e == ' ' || *e == '\t')
		e++;
	if (errno || *e)
		return -1;
	*v = x;
	return 1;
}

static bool zi_header(const char *s, struct zoneinfo_zone *z)
{
	int node, pos = 0;
	char nm[32];
	if (sscanf(s, "Node %d, zone %31s %n", &node, nm, &pos) != 2 || node < 0 || s[pos])
		return false;
	memset(z, 0, sizeof(*z));
	z->node = node;
	memcpy(z->name, nm, sizeof(nm));
	return true;
}

struct zi_field {
	const char *key;
	size_t off;   /* offset of the u64 in struct zoneinfo_zone */
	ssize_t have; /* offset of its bool, or -1 */
};

#define ZF(k, f, h)                                                                                          \
	{                                                                                                    \
		k, offsetof(struct zoneinfo_zone, f), h                                                      \
	}
static const struct zi_field zi_fields[] = {
	ZF("start_pfn:", start_pfn, offsetof(struct zoneinfo_zone, have_start)),
	ZF("spanned", spanned, offsetof(struct zoneinfo_zone, have_spanned)),
	ZF("present", present, offsetof(struct zoneinfo_zone, have_present)),
	ZF("managed", managed, offsetof(struct zoneinfo_zone, have_managed)),
	ZF("nr_free_pages", nr_free, -1),
	ZF("min", wmark_min, -1),
	ZF("low", wmark_low, -1),
	ZF("high", wmark_high, -1),
	ZF("boost", boost, -1),
};

/* "protection: (A, B, ...)": the zone's lowmem_reserve for an allocation whose highest zone is
 * the kernel's zone index 0, 1, ... (the order of node 0's zones in the file). */
static int zi_protection(struct zoneinfo_zone *z, const char *s, const char **why)
{
	if (strncmp(s, "protection:", 11))
		return 0;
	s += 11;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s++ != '(')
		return *why = "expected 'protection: (N, N, ...)'", -1;
	for (z->nr_protection = 0;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		char *e;
		if (*s < '0' || *s > '9')
			return *why = "expected a non-negative integer in 'protection:'", -1;
		errno = 0;
		unsigned long long v = strtoull(s, &e, 10);
		if (errno)
			return *why = "expected a non-negative integer in 'protection:'", -1;
		if (z->nr_protection == ZONEINFO_MAX_ZONES)
			return *why = "more 'protection:' values than zones", -1;
		z->protection[z->nr_protection++] = v;
		s = e;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s != ')')
			return *why = "expected ',' or ')' in 'protection:'", -1;
		return 1;
	}
}

/* One line inside a zone section; cpu is the pageset being read (-1 before any "cpu:"). */
static int zi_line(struct zoneinfo_zone *z, const char *s, int *cpu, const char **why)
{
	u64 v;
	int r = zi_protection(z, s, why);
	if (r)
		return r < 0 ? -1 : 0;
	for (size_t i = 0; i < sizeof(zi_fields) / sizeof(zi_fields[0]); i++) {
		if (!(r = zi_key(s, zi_fields[i].key, &v)))
			continue;
		if (r < 0)
			return *why = "expected a non-negative integer", -1;
		if (zi_fields[i].have >= 0) {
			bool *have = (bool *)((char *)z + zi_fields[i].have);
			if (*have)
				return *why = "second value of this field in one zone", -1;
			*have = true;
		}
		*(u64 *)((char *)z + zi_fields[i].off) = v;
		return 0;
	}
	if ((r = zi_key(s, "cpu:", &v))) {
		if (r < 0 || v >= ZONEINFO_MAX_CPUS)
			return *why = "cpu number out of range (0..63)", -1;
		if (v != z->ncpus)
			return *why = "pagesets out of order: cpu numbers must count up from 0", -1;
		*cpu = (int)v;
		z->ncpus++;
		return 0;
	}
	static const char *const pk[] = {"count:", "high:", "batch:", "high_min:", "high_max:"};
	for (int k = 0; k < 5; k++) {
		if (!(r = zi_key(s, pk[k], &v)))
			continue;
		if (r < 0)
			return *why = "expected a non-negative integer", -1;
		if (*cpu < 0)
			return *why = "pageset field before any 'cpu: N' line", -1;
		struct zoneinfo_pcp *pc = &z->pcp[*cpu];
		u64 *f[] = {&pc->count, &pc->high, &pc->batch, &pc->high_min, &pc->high_max};
		*f[k] = v;
	}
	return 0;
}

int zoneinfo_parse(FILE *f, const char *name, struct zoneinfo *zi, struct mm_diag *d)
{
	struct lineread lr;
	struct zoneinfo_zone *cur = NULL;
	int r, cpu = -1;
	memset(zi, 0, sizeof(*zi));
	lineread_init(&lr, f, name);
	while ((r = lineread_next(&lr, d)) > 0) {
		const char *s = lr.buf, *why = NULL;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!strncmp(s, "Node", 4)) {
			if (zi->nr_zones == ZONEINFO_MAX_ZONES)
				return diag_set(d, name, lr.line, "more than %d zones", ZONEINFO_MAX_ZONES);
			cur = &zi->zone[zi->nr_zones];
			if (!zi_header(s, cur))
				return diag_set(d, name, lr.line, "expected 'Node N, zone NAME'");
			cur->line = lr.line;
			zi->nr_zones++;
			cpu = -1;
		} else if (cur && zi_line(cur, s, &cpu, &why)) {
			return diag_set(d, name, lr.line, "%s", why);
		}
	}
	if (r < 0)
		return r;
	if (!zi->nr_zones)
		return diag_set(d, name, 0, "no 'Node N, zone NAME' lines: not a /proc/zoneinfo snapshot");
	for (unsigned i = 0; i < zi->nr_zones; i++) {
		const struct zoneinfo_zone *z = &zi->zone[i];
		if (!z->have_present || !z->have_spanned)
			return diag_set(d, name, z->line, "zone %s has no 'spanned' or 'present' line",
					z->name);
		if (z->present && !z->have_start)
			return diag_set(d, name, z->line, "zone %s has no 'start_pfn:' line (too old or cut)",
					z->name);
		if (z->present > z->spanned || z->managed > z->present)
			return diag_set(d, name, z->line,
					"zone %s: managed <= present <= spanned does not hold", z->name);
	}
	return 0;
}

int zoneinfo_load(const char *path, struct zoneinfo *zi, struct mm_diag *d)
{
	FILE *f = infile_fopen(path, INFILE_REGULAR, d);
	if (!f)
		return -EINVAL; /* d says why */
	int err = zoneinfo_parse(f, path, zi, d);
	fclose(f);
	return err;
}

const struct zoneinfo_zone *zoneinfo_find(const struct zoneinfo *zi, enum zone_type t)
{
	for (unsigned i = 0; i < zi->nr_zones; i++)
		if (zi->zone[i].node == 0 && zi->zone[i].present &&
		    zone_type_parse(zi->zone[i].name, strlen(zi->zone[i].name)) == (int)t)
			return &zi->zone[i];
	return NULL;
}

int zoneinfo_span_layout(const struct zoneinfo *zi, const char *name, struct zones_cfg *cfg,
			 struct mm_diag *d)
{
	struct zones_cfg c = *cfg;
	c.nr_zones = 0;
	for (unsigned i = 0; i < zi->nr_zones; i++) {
		const struct zoneinfo_zone *z = &zi->zone[i];
		if (!z->present)
			continue;
		int t = zone_type_parse(z->name, strlen(z->name));
		if (t < 0 || z->node != 0)
			return diag_set(d, name, z->line,
					"zone %s of node %d has pages; the model has node 0's "
					"DMA, DMA32 and Normal only",
					z->name, z->node);
		c.zone[c.nr_zones++] = (struct zone_spec){
			.type = (enum zone_type)t, .start_pfn = z->start_pfn, .nr_pages = z->spanned};
	}
	char why[200];
	if (!c.nr_zones)
		return diag_set(d, name, 0, "no zone with pages");
	if (zones_cfg_check(&c, why, sizeof(why)))
		return diag_set(d, name, 0, "%s", why);
	*cfg = c;
	return 0;
}

void zoneinfo_pcp_cfg(const struct zoneinfo *zi, const struct zones_cfg *layout, struct pcp_cfg *pc)
{
	memset(pc, 0, sizeof(*pc));
	for (unsigned i = 0; i < layout->nr_zones; i++) {
		const struct zoneinfo_zone *z = zoneinfo_find(zi, layout->zone[i].type);
		if (!z)
			continue;
		pc->ncpus = MM_MAX(pc->ncpus, z->ncpus);
		pc->wm.zone[i].wmark[WMARK_MIN] = z->wmark_min;
		pc->wm.zone[i].wmark[WMARK_LOW] = z->wmark_low;
		pc->wm.zone[i].wmark[WMARK_HIGH] = z->wmark_high;
		pc->wm.zone[i].boost = z->boost;
		pc->wm.zone[i].managed = z->managed;
		for (unsigned j = 0, k = 0; j < zi->nr_zones && k < z->nr_protection; j++) {
			if (zi->zone[j].node)
				continue; /* the kernel's zone index k: node 0's k-th zone */
			int t = zone_type_parse(zi->zone[j].name, strlen(zi->zone[j].name));
			if (t >= 0)
				pc->wm.zone[i].lowmem_reserve[t] = z->protection[k];
			k++;
		}
		for (unsigned c = 0; c < z->ncpus; c++) {
			pc->zone[i].cpu[c].high = (u32)MM_MIN(z->pcp[c].high, UINT32_MAX);
			pc->zone[i].cpu[c].batch = (u32)MM_MIN(z->pcp[c].batch, UINT32_MAX);
			pc->zone[i].cpu[c].high_min = (u32)MM_MIN(z->pcp[c].high_min, UINT32_MAX);
			pc->zone[i].cpu[c].high_max = (u32)MM_MIN(z->pcp[c].high_max, UINT32_MAX);
			pc->zone[i].cpu[c].count = (u32)MM_MIN(z->pcp[c].count, UINT32_MAX);
		}
	}
}
