#include "workloads/state/zonelayout.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/infile.h"
#include "workloads/state/buddyinfo.h"
#include "workloads/state/lineread.h"

/* Decimal or 0x-hex u64 at s, no sign, no leading space. 0 and *end, or -EINVAL/-ERANGE. */
static int parse_u64(const char *s, const char **end, u64 *v)
{
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!(base == 16 ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s)))
		return -EINVAL;
	char *e;
	errno = 0;
	unsigned long long x = strtoull(s, &e, base);
	if (errno == ERANGE)
		return -ERANGE;
	*v = x;
	*end = e;
	return 0;
}

static int spec_err(char *why, size_t len, const char *zone, size_t zlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int spec_err(char *why, size_t len, const char *zone, size_t zlen, const char *fmt, ...)
{
	int n = snprintf(why, len, "zone layout '%.*s': ", (int)MM_MIN(zlen, 200), zone);
	if (n >= 0 && (size_t)n < len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why + n, len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* One NAME:START-END or NAME:START+SIZE of length len at s. */
static int parse_zone(const char *s, size_t len, struct zone_spec *z, char *why, size_t whylen)
{
	const char *colon = memchr(s, ':', len), *lim = s + len, *p;
	if (!colon)
		return spec_err(why, whylen, s, len, "expected NAME:START-END or NAME:START+SIZE");
	int t = zone_type_parse(s, (size_t)(colon - s));
	if (t < 0)
		return spec_err(why, whylen, s, len, "unknown zone name (DMA, DMA32 or Normal)");
	u64 start, x;
	int err = parse_u64(colon + 1, &p, &start);
	if (err || p >= lim || (*p != '-' && *p != '+'))
		return spec_err(
			why, whylen, s, len,
			err == -ERANGE ? "start pfn out of range"
				       : "START must be a pfn (decimal or 0x-hex) followed by -END or +SIZE");
	char sep = *p;
	err = parse_u64(p + 1, &p, &x);
	if (err)
		return spec_err(why, whylen, s, len,
				err == -ERANGE ? "number out of range" : "missing number after '%c'", sep);
	if (sep == '-') {
		if (p != lim)
			return spec_err(why, whylen, s, len, "trailing characters after END");
		if (x <= start)
			return spec_err(why, whylen, s, len, "END must be above START (END is exclusive)");
		x -= start;
	} else if (p != lim) {
		static const char sfx[] = "KMGT";
		const char *k = *p ? strchr(sfx, toupper((unsigned char)*p)) : NULL;
		if (!k || p + 1 != lim)
			return spec_err(why, whylen, s, len, "SIZE suffix must be one of K, M, G, T");
		unsigned shift = 10 * (unsigned)(k - sfx + 1);
		if (x > (UINT64_MAX >> shift))
			return spec_err(why, whylen, s, len, "SIZE out of range");
		x <<= shift;
		if (x % MM_PAGE_SIZE)
			return spec_err(why, whylen, s, len, "SIZE is not a whole number of 4 KiB pages");
		x /= MM_PAGE_SIZE;
	}
	if (!x)
		return spec_err(why, whylen, s, len, "zone is empty");
	z->type = (enum zone_type)t;
	z->start_pfn = start;
	z->nr_pages = x;
	return 0;
}

int zonelayout_parse_spec(const char *spec, struct zones_cfg *cfg, char *why, size_t whylen)
{
	struct zones_cfg c = *cfg;
	if (!strcmp(spec, "default")) {
		zones_cfg_default(&c);
		cfg->nr_zones = c.nr_zones;
		memcpy(cfg->zone, c.zone, sizeof(c.zone));
		return 0;
	}
	c.nr_zones = 0;
	const char *s = spec;
	for (;;) {
		size_t len = strcspn(s, ",");
		if (!len)
			return spec_err(why, whylen, spec, strlen(spec), "empty zone entry");
		if (c.nr_zones == ZONE_NR_TYPES)
			return spec_err(why, whylen, spec, strlen(spec), "more than %d zones", ZONE_NR_TYPES);
		int err = parse_zone(s, len, &c.zone[c.nr_zones], why, whylen);
		if (err)
			return err;
		c.nr_zones++;
		if (!s[len])
			break;
		s += len + 1;
	}
	char reason[200];
	if (zones_cfg_check(&c, reason, sizeof(reason)))
		return spec_err(why, whylen, spec, strlen(spec), "%s", reason);
	*cfg = c;
	return 0;
}

/* A zone as a snapshot describes it, with the line that named it (for messages). */
struct snap_zone {
	int node;
	char name[32];
	u64 line;
	u64 start_pfn, nr_pages;
	bool have_start, have_present;
};

/* Turn snapshot zones into cfg->zone[]: skip empty ones, reject other nodes and types. */
static int snap_finish(const struct snap_zone *sz, unsigned n, const char *name, struct zones_cfg *cfg,
		       unsigned *skipped, struct mm_diag *d)
{
	struct zones_cfg c = *cfg;
	unsigned skip = 0;
	c.nr_zones = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct snap_zone *z = &sz[i];
		if (!z->nr_pages) {
			skip++;
			continue;
		}
		int t = zone_type_parse(z->name, strlen(z->name));
		if (t < 0)
			return diag_set(d, name, z->line,
					"zone %s has %llu pages; only DMA, DMA32 and Normal are modelled",
					z->name, (unsigned long long)z->nr_pages);
		if (z->node != 0)
			return diag_set(d, name, z->line,
					"node %d has memory; the model is a single node (node 0)", z->node);
		if (c.nr_zones == ZONE_NR_TYPES)
			return diag_set(d, name, z->line, "more than %d non-empty zones", ZONE_NR_TYPES);
		c.zone[c.nr_zones++] = (struct zone_spec){
			.type = (enum zone_type)t, .start_pfn = z->start_pfn, .nr_pages = z->nr_pages};
	}
	if (!c.nr_zones)
		return diag_set(d, name, 0, "no zone with pages");
	char reason[200];
	if (zones_cfg_check(&c, reason, sizeof(reason)))
		return diag_set(d, name, 0, "%s", reason);
	*cfg = c;
	if (skipped)
		*skipped = skip;
	return 0;
}

/* "Node N, zone NAME" with nothing after the name. */
static bool zoneinfo_header(const char *s, struct snap_zone *z)
{
	int node, pos = 0;
	char nm[32];
	if (sscanf(s, "Node %d, zone %31s %n", &node, nm, &pos) != 2 || node < 0)
		return false;
	if (s[pos] && s[pos] != '\n' && s[pos] != '\r')
		return false;
	memset(z, 0, sizeof(*z));
	z->node = node;
	memcpy(z->name, nm, sizeof(nm));
	return true;
}

/* Value of "KEY N" (key followed by blanks) or -1 when the line is another key. */
static int zoneinfo_value(const char *s, const char *key, u64 *v, const char **why)
{
	size_t n = strlen(key);
	if (strncmp(s, key, n) || (s[n] != ' ' && s[n] != '\t'))
		return -1;
	s += n;
	while (*s == ' ' || *s == '\t')
		s++;
	const char *e;
	if (parse_u64(s, &e, v)) {
		*why = "expected a non-negative integer";
		return -EINVAL;
	}
	while (*e == ' ' || *e == '\t' || *e == '\n' || *e == '\r')
		e++;
	if (*e) {
		*why = "expected a non-negative integer";
		return -EINVAL;
	}
	return 0;
}

int zonelayout_read_zoneinfo(FILE *f, const char *name, struct zones_cfg *cfg, unsigned *skipped,
			     struct mm_diag *d)
{
	struct snap_zone sz[BUDDYINFO_MAX_ZONES], *cur = NULL;
	unsigned n = 0;
	struct lineread lr;
	int err = 0, rd;
	lineread_init(&lr, f, name);
	while (!err && (rd = lineread_next(&lr, d)) > 0) {
		u64 lineno = lr.line;
		const char *s = lr.buf, *why = NULL;
		while (*s == ' ' || *s == '\t')
			s++;
		u64 v;
		int r;
		if (!strncmp(s, "Node", 4)) {
			if (n == BUDDYINFO_MAX_ZONES)
				err = diag_set(d, name, lineno, "more than %d zones", BUDDYINFO_MAX_ZONES);
			else if (!zoneinfo_header(s, &sz[n]))
				err = diag_set(d, name, lineno, "expected 'Node N, zone NAME'");
			else {
				cur = &sz[n++];
				cur->line = lineno;
			}
		} else if ((r = zoneinfo_value(s, "present", &v, &why)) != -1 ||
			   (r = zoneinfo_value(s, "start_pfn:", &v, &why)) != -1) {
			bool is_start = !strncmp(s, "start_pfn:", 10);
			if (r)
				err = diag_set(d, name, lineno, "%s", why);
			else if (!cur)
				err = diag_set(d, name, lineno,
					       "zone data before any 'Node N, zone NAME' line");
			else if (is_start ? cur->have_start : cur->have_present)
				err = diag_set(d, name, lineno, "second %s line for zone %s",
					       is_start ? "start_pfn" : "present", cur->name);
			else if (is_start) {
				cur->start_pfn = v;
				cur->have_start = true;
			} else {
				cur->nr_pages = v;
				cur->have_present = true;
			}
		}
	}
	if (!err && rd < 0)
		err = rd;
	if (!err && !n)
		err = diag_set(d, name, 0, "no 'Node N, zone NAME' lines: not a /proc/zoneinfo snapshot");
	for (unsigned i = 0; !err && i < n; i++) {
		if (!sz[i].have_present)
			err = diag_set(d, name, sz[i].line, "zone %s has no 'present' line", sz[i].name);
		else if (sz[i].nr_pages && !sz[i].have_start)
			err = diag_set(d, name, sz[i].line,
				       "zone %s has no 'start_pfn:' line (the snapshot is too old or cut)",
				       sz[i].name);
	}
	return err ? err : snap_finish(sz, n, name, cfg, skipped, d);
}

static const u64 zone_type_start[ZONE_NR_TYPES] = {
	[ZONE_DMA] = 0x1, /* x86 keeps pfn 0 out of the DMA zone */
	[ZONE_DMA32] = ZONES_DMA_END_PFN,
	[ZONE_NORMAL] = ZONES_4G_PFN,
};

int zonelayout_read_buddyinfo(FILE *f, const char *name, struct zones_cfg *cfg, unsigned *skipped,
			      struct mm_diag *d)
{
	struct snap_zone sz[BUDDYINFO_MAX_ZONES];
	unsigned n = 0, nr_orders = 0;
	struct lineread lr;
	int err = 0, rd;
	lineread_init(&lr, f, name);
	while (!err && (rd = lineread_next(&lr, d)) > 0) {
		u64 lineno = lr.line;
		const char *s = lr.buf, *why;
		while (*s == ' ' || *s == '\t')
			s++;
		struct buddyinfo_zone bz;
		if (!*s || *s == '#')
			continue;
		if (n == BUDDYINFO_MAX_ZONES) {
			err = diag_set(d, name, lineno, "more than %d zones", BUDDYINFO_MAX_ZONES);
		} else if (buddyinfo_parse_line(s, &bz, &why)) {
			err = diag_set(d, name, lineno, "%s", why);
		} else if (n && bz.nr_orders != nr_orders) {
			err = diag_set(d, name, lineno, "%u orders, but the first zone has %u", bz.nr_orders,
				       nr_orders);
		} else if (bz.nr_orders > BUDDY_MAX_ORDER_LIMIT + 1) {
			err = diag_set(d, name, lineno, "%u orders; the model's largest order is %d",
				       bz.nr_orders, BUDDY_MAX_ORDER_LIMIT);
		} else {
			struct snap_zone *z = &sz[n++];
			memset(z, 0, sizeof(*z));
			z->node = bz.node;
			memcpy(z->name, bz.name, sizeof(z->name));
			z->line = lineno;
			nr_orders = bz.nr_orders;
			u64 pages = 0;
			for (unsigned o = 0; o < bz.nr_orders; o++)
				pages += bz.nr_free[o] << o; /* counts are <= 2^40 and o < 16: no overflow */
			z->nr_pages = pages;
			int t = zone_type_parse(z->name, strlen(z->name));
			if (t >= 0)
				z->start_pfn = zone_type_start[t];
			if (t >= 0 && t != ZONE_NORMAL && pages > ZONES_4G_PFN - z->start_pfn)
				err = diag_set(d, name, lineno,
					       "zone %s has %llu free pages, more than fit below 4 GiB",
					       z->name, (unsigned long long)pages);
			if (t == ZONE_DMA && pages > ZONES_DMA_END_PFN - z->start_pfn)
				err = diag_set(
					d, name, lineno,
					"zone DMA has %llu free pages, more than fit below 16 MiB (pfn "
					"0x1000), where DMA32 starts",
					(unsigned long long)pages);
		}
	}
	if (!err && rd < 0)
		err = rd;
	if (!err && !n)
		err = diag_set(d, name, 0,
			       "no 'Node N, zone NAME ...' lines: not a /proc/buddyinfo snapshot");
	if (err)
		return err;
	struct zones_cfg c = *cfg;
	c.max_order = nr_orders - 1;
	err = snap_finish(sz, n, name, &c, skipped, d);
	if (!err)
		*cfg = c;
	return err;
}

int zonelayout_load(const char *arg, struct zones_cfg *cfg, unsigned *skipped, struct mm_diag *d)
{
	bool zi = !strncmp(arg, "zoneinfo:", 9), bi = !strncmp(arg, "buddyinfo:", 10);
	if (!zi && !bi) {
		if (skipped)
			*skipped = 0;
		return zonelayout_parse_spec(arg, cfg, d->msg, sizeof(d->msg));
	}
	const char *path = arg + (zi ? 9 : 10);
	bool in = !strcmp(path, "-");
	FILE *f = in ? stdin : infile_fopen(path, INFILE_REGULAR, d);
	if (!f)
		return -EINVAL; /* d says why */
	if (in)
		infile_note(0);
	const char *name = in ? "<stdin>" : path;
	int err = zi ? zonelayout_read_zoneinfo(f, name, cfg, skipped, d)
		     : zonelayout_read_buddyinfo(f, name, cfg, skipped, d);
	if (!in)
		fclose(f);
	return err;
}
