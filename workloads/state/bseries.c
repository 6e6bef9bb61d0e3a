#include "workloads/state/bseries.h"

#include <errno.h>
#include <string.h>

#include "core/lib/decnum.h"
#include "workloads/infile.h"
#include "workloads/state/buddyinfo.h"

int bseries_open(struct bseries *s, const char *path, struct mm_diag *d)
{
	memset(s, 0, sizeof(*s));
	s->f = infile_fopen(path, INFILE_REGULAR, d);
	if (!s->f)
		return -EINVAL; /* d says why */
	lineread_init(&s->lr, s->f, path);
	return 0;
}

void bseries_close(struct bseries *s)
{
	if (s->f)
		fclose(s->f);
	s->f = NULL;
}

static int bs_header(struct bseries *s, struct snapshot *out, struct mm_diag *d)
{
	const char *p = s->lr.buf + strlen("# snapshot CLOCK_MONOTONIC ");
	memset(out, 0, sizeof(*out));
	int e0 = decnum_secs(&p, &out->t0_ns),
	    e1 = e0 || *p++ != ' ' ? -EINVAL : decnum_secs(&p, &out->t1_ns);
	if (e0 == -ERANGE || e1 == -ERANGE)
		return diag_set(d, s->lr.name, s->lr.line,
				"snapshot time out of range (at most " DECNUM_SECS_MAX_TEXT " s, 2^64-1 ns)");
	if (e0 || e1 || *p)
		return diag_set(d, s->lr.name, s->lr.line, "expected '# snapshot CLOCK_MONOTONIC T0 T1'");
	if (out->t1_ns < out->t0_ns)
		return diag_set(d, s->lr.name, s->lr.line,
				"snapshot read from T0 to T1 with T0 after T1 (a reversed range)");
	return 0;
}

static bool bs_is_header(const char *l)
{
	return !strncmp(l, "# snapshot CLOCK_MONOTONIC ", 27);
}

/* "KEY=N" at *p (then a blank or the end): 0, or -EINVAL. */
static int bs_kv(const char **p, const char *key, u64 *v)
{
	size_t n = strlen(key);
	const char *s = *p;
	if (strncmp(s, key, n) || s[n] != '=')
		return -EINVAL;
	s += n + 1;
	u64 x;
	if (decnum_u64(&s, &x) || (*s && *s != ' '))
		return -EINVAL;
	*p = *s ? s + 1 : s;
	*v = x;
	return 0;
}

/* The counters after a snapshot: "# page_reporting reported_kib=N passes=N walked=N" and
 * "# managed ZONE=N ..."; other '#' lines are skipped. 0, or -EINVAL with "FILE:LINE". */
static int bs_counters(struct bseries *s, struct snapshot *out, struct mm_diag *d)
{
	const char *p = s->lr.buf;
	if (!strncmp(p, "# page_reporting ", 17)) {
		p += 17;
		if (bs_kv(&p, "reported_kib", &out->reported_kib) ||
		    bs_kv(&p, "passes", &out->report_passes) || bs_kv(&p, "walked", &out->report_walked) ||
		    *p)
			return diag_set(d, s->lr.name, s->lr.line,
					"expected '# page_reporting reported_kib=N passes=N walked=N'");
		out->have_reporting = true;
	} else if (!strncmp(p, "# managed", 9) && (p[9] == ' ' || !p[9])) {
		p += 9;
		while (*p == ' ')
			p++;
		while (*p) {
			const char *eq = strchr(p, '=');
			u64 v;
			int t = eq ? zone_type_parse(p, (size_t)(eq - p)) : -1;
			char key[32];
			if (!eq || (size_t)(eq - p) >= sizeof(key))
				return diag_set(d, s->lr.name, s->lr.line,
						"expected '# managed ZONE=PAGES ...'");
			memcpy(key, p, (size_t)(eq - p));
			key[eq - p] = '\0';
			if (bs_kv(&p, key, &v))
				return diag_set(d, s->lr.name, s->lr.line,
						"expected '# managed ZONE=PAGES ...'");
			if (t >= 0)
				out->managed[t] =
					v; /* zones the model has no type for (Device) are skipped */
		}
		out->have_managed = true;
	}
	return 0;
}

/* One buddyinfo line of a snapshot: every line between the header and pagetypeinfo's "Page
 * block order:" is one, so a line that does not parse is an error, never the end of the zones
 * (that dropped the zones after it). */
static int bs_zone(struct bseries *s, struct snapshot *out, struct mm_diag *d)
{
	struct buddyinfo_zone bz;
	const char *why;
	if (buddyinfo_parse_line(s->lr.buf, &bz, &why))
		return diag_set(d, s->lr.name, s->lr.line,
				"%s (a snapshot's buddyinfo lines run up to "
				"pagetypeinfo's 'Page block order:')",
				why);
	if (bz.node)
		return diag_set(d, s->lr.name, s->lr.line,
				"node %d has memory; the model is a single node (node 0)", bz.node);
	int t = zone_type_parse(bz.name, strlen(bz.name));
	if (t < 0)
		return diag_set(d, s->lr.name, s->lr.line,
				"zone %s has memory; the model has zones DMA, DMA32 and Normal only",
				bz.name);
	for (unsigned i = 0; i < out->nr_zones; i++) {
		if (out->zone[i].type == (enum zone_type)t)
			return diag_set(d, s->lr.name, s->lr.line, "zone %s twice in one snapshot",
					zone_type_name((enum zone_type)t));
		if (out->zone[i].nr_orders != bz.nr_orders)
			return diag_set(d, s->lr.name, s->lr.line, "%u orders, but zone %s has %u",
					bz.nr_orders, zone_type_name(out->zone[i].type),
					out->zone[i].nr_orders);
	}
	struct snap_zone *z = &out->zone[out->nr_zones++];
	z->type = (enum zone_type)t;
	z->nr_orders = bz.nr_orders;
	memcpy(z->nr_free, bz.nr_free, sizeof(u64) * bz.nr_orders);
	return 0;
}

int bseries_next(struct bseries *s, struct snapshot *out, struct mm_diag *d)
{
	int r;
	while (!s->pending) { /* find a header */
		if ((r = lineread_next(&s->lr, d)) <= 0)
			return r;
		if (bs_is_header(s->lr.buf))
			s->pending = true;
		else if (s->lr.line == 1)
			return diag_set(d, s->lr.name, 1,
					"expected '# snapshot CLOCK_MONOTONIC T0 T1': not a "
					"buddyinfo series");
	}
	s->pending = false;
	if ((r = bs_header(s, out, d)))
		return r;
	out->line = s->lr.line;
	bool in_buddyinfo = true;
	while ((r = lineread_next(&s->lr, d)) > 0) {
		if (bs_is_header(s->lr.buf)) {
			s->pending = true;
			break;
		}
		if (!strncmp(s->lr.buf, "# ", 2)) {
			if ((r = bs_counters(s, out, d)))
				return r;
			continue;
		}
		if (!in_buddyinfo)
			continue;
		if (!strncmp(s->lr.buf, "Page block order:", 17)) {
			in_buddyinfo = false; /* pagetypeinfo follows */
			continue;
		}
		if ((r = bs_zone(s, out, d)))
			return r;
	}
	if (r < 0)
		return r;
	if (!out->nr_zones)
		return diag_set(d, s->lr.name, s->lr.line, "snapshot without buddyinfo lines");
	return 1;
}
