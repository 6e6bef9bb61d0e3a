#include "suite_cfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "vma_csv.h"
#include "zonelayout.h"

static int num(const char *v, u64 lo, u64 hi, u64 *out)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 0);
	if (errno || *end || !*v || v[0] == '-' || x < lo || x > hi)
		return -EINVAL;
	*out = x;
	return 0;
}

static int bad(char *err, size_t len, const char *axis, const char *v, const char *known)
{
	snprintf(err, len, "axis %s: unknown '%s' (%s)", axis, v, known);
	return -EINVAL;
}

static int suite_cfg_apply(struct sim_cfg *cfg, const char *key, const char *v, char *err, size_t len)
{
	u64 x;
	if (!strcmp(key, "buddy")) {
		if (!(cfg->buddy = buddy_policy_find(v)))
			return bad(err, len, key, v, "lifo, addr, mobility");
	} else if (!strcmp(key, "vmlist")) {
		if (!(cfg->vmlist = vmlist_find(v)))
			return bad(err, len, key, v, "list, rbtree, augmented");
	} else if (!strcmp(key, "tlb")) {
		if (!(cfg->tlb = tlb_policy_find(v)))
			return bad(err, len, key, v, "eager, range, lazy");
	} else if (!strcmp(key, "vma")) {
		if (!(cfg->vma = vma_index_find(v)))
			return bad(err, len, key, v, "list, rbtree, maple");
	} else if (!strcmp(key, "populate")) {
		if (vma_populate_parse(v, &cfg->populate))
			return bad(err, len, key, v, "none, all");
	} else if (!strcmp(key, "page_mode")) {
		if (!strcmp(v, "placement"))
			cfg->page_mode = PAGEREPLAY_PLACEMENT;
		else if (!strcmp(v, "faithful"))
			cfg->page_mode = PAGEREPLAY_FAITHFUL;
		else
			return bad(err, len, key, v, "placement, faithful");
	} else if (!strcmp(key, "levels")) {
		if (num(v, 2, 5, &x))
			return bad(err, len, key, v, "2..5");
		cfg->levels = (unsigned)x;
	} else if (!strcmp(key, "cpus")) {
		if (num(v, 1, 8192, &x))
			return bad(err, len, key, v, "1..8192");
		cfg->ncpus = (unsigned)x;
	} else if (!strcmp(key, "zone_pages")) {
		if (num(v, 1, BUDDY_MAX_FRAMES, &x))
			return bad(err, len, key, v, "1..67108863 pages");
		sim_cfg_top_zone(cfg)->nr_pages = x; /* the Normal zone */
	} else if (!strcmp(key, "zones")) {
		/* a layout spec with ';' between zones (',' separates axis values), or
		 * zoneinfo:PATH / buddyinfo:PATH; see `mmreplay zones --help` */
		char spec[256];
		struct mm_diag d;
		unsigned skipped;
		if (strlen(v) >= sizeof(spec))
			return bad(err, len, key, v, "a layout of at most 255 characters");
		strcpy(spec, v);
		for (char *c = spec; *c; c++)
			if (*c == ';')
				*c = ',';
		if (zonelayout_load(spec, &cfg->zones, &skipped, &d)) {
			snprintf(err, len, "axis zones: %s", d.msg);
			return -EINVAL;
		}
		if (cfg->zones.max_order)
			cfg->max_order = cfg->zones.max_order;
	} else if (!strcmp(key, "max_order")) {
		if (num(v, 1, BUDDY_MAX_ORDER_LIMIT, &x))
			return bad(err, len, key, v, "1..15");
		cfg->max_order = (unsigned)x;
	} else {
		snprintf(err, len, "unknown axis '%s'", key);
		return -EINVAL;
	}
	return 0;
}

int suite_cfg_build(const struct suite *s, size_t c, struct sim_cfg *cfg, char *err, size_t errlen)
{
	sim_cfg_default(cfg);
	for (size_t a = 0; a < s->naxes; a++) {
		int e = suite_cfg_apply(cfg, s->axes[a].key, suite_value(s, c, a), err, errlen);
		if (e)
			return e;
	}
	return 0;
}

void suite_cfg_label(const struct suite *s, size_t c, char *buf, size_t len)
{
	/* axes with a single value are the same in every configuration: leave them out */
	size_t n = 0, multi = 0;
	for (size_t a = 0; a < s->naxes; a++)
		multi += s->axes[a].n > 1;
	buf[0] = 0;
	for (size_t a = 0; a < s->naxes && n < len; a++)
		if (s->axes[a].n > 1 || !multi)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "/" : "", suite_value(s, c, a));
	if (!s->naxes)
		snprintf(buf, len, "default");
}

static int suite_emit(void *ctx, const struct mm_event *ev)
{
	return trace_push(ctx, ev);
}

/* "gen:NAME k=v ..." */
static int suite_gen_load(const char *spec, struct mm_trace *t, struct mm_diag *d)
{
	char buf[512], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", spec + 4);
	char *name = strtok_r(buf, " \t", &save);
	const struct gen_ops *g = name ? gen_find(name) : NULL;
	if (!g)
		return diag_set(d, spec, 0, "unknown generator '%s' (mmreplay gen --list)", name ? name : "");
	struct gen_params p;
	gen_params_default(&p);
	for (char *kv; (kv = strtok_r(NULL, " \t", &save));) {
		char *eq = strchr(kv, '=');
		u64 v;
		if (!eq || num(eq + 1, 0, UINT64_MAX >> 8, &v))
			return diag_set(d, spec, 0, "expected key=number, not '%s'", kv);
		*eq = 0;
		static const struct {
			const char *key;
			u32 opt;
		} keys[] = {{"seed", 0},
			    {"loops", GEN_OPT_LOOPS},
			    {"threads", GEN_OPT_THREADS},
			    {"repeat", GEN_OPT_REPEAT},
			    {"nr_pages", GEN_OPT_NR_PAGES},
			    {"mask", GEN_OPT_MASK},
			    {"cpus", GEN_OPT_CPUS},
			    {"regions", GEN_OPT_REGIONS},
			    {"guard", GEN_OPT_GUARD},
			    {"drain", GEN_OPT_DRAIN},
			    {"sequential", GEN_OPT_SEQUENTIAL}};
		size_t k;
		for (k = 0; k < MM_ARRAY_SIZE(keys) && strcmp(keys[k].key, kv); k++)
			;
		if (k == MM_ARRAY_SIZE(keys) || (keys[k].opt && !(g->opts & keys[k].opt)))
			return diag_set(d, spec, 0, "%s does not take '%s' (it reads: %s)", g->name, kv,
					g->params);
		if ((!strcmp(kv, "threads") || !strcmp(kv, "repeat") || !strcmp(kv, "nr_pages") ||
		     !strcmp(kv, "mask") || !strcmp(kv, "cpus") || !strcmp(kv, "regions")) &&
		    (v == 0 || v > 1u << 24))
			return diag_set(d, spec, 0, "%s takes 1..16777216", kv);
		if (!strcmp(kv, "seed"))
			p.seed = v;
		else if (!strcmp(kv, "loops"))
			p.loops = v;
		else if (!strcmp(kv, "threads"))
			p.threads = (u32)v;
		else if (!strcmp(kv, "repeat"))
			p.repeat = (u32)v;
		else if (!strcmp(kv, "nr_pages"))
			p.nr_pages = (u32)v;
		else if (!strcmp(kv, "mask"))
			p.mask = (u32)v;
		else if (!strcmp(kv, "cpus"))
			p.cpus = (u32)v;
		else if (!strcmp(kv, "regions"))
			p.regions = (u32)v;
		else if (!strcmp(kv, "guard"))
			p.guard = v != 0;
		else if (!strcmp(kv, "drain"))
			p.drain = v != 0;
		else
			p.sequential = v != 0;
	}
	memset(t, 0, sizeof(*t));
	t->format = TRACE_FMT_NATIVE;
	int err = g->run(&p, suite_emit, t);
	if (err) {
		trace_free(t);
		return diag_set(d, spec, 0, "generator failed: %s", strerror(-err));
	}
	for (size_t i = 0; i < t->n; i++)
		t->stats.kind[t->ev[i].kind < MME_NR_KINDS ? t->ev[i].kind : 0]++;
	t->stats.events = t->n;
	return 0;
}

int suite_trace_load(const char *spec, struct mm_trace *t, struct mm_diag *d)
{
	if (!strncmp(spec, "gen:", 4))
		return suite_gen_load(spec, t, d);
	return trace_load(spec, NULL, t, d);
}

void suite_trace_label(const char *spec, char *buf, size_t len)
{
	if (!strncmp(spec, "gen:", 4)) {
		size_t n = 0;
		for (const char *p = spec + 4; *p && n + 1 < len; p++) {
			if (*p == ' ' || *p == '\t') {
				if (n && buf[n - 1] != '-')
					buf[n++] = '-';
			} else if (*p != '/') {
				buf[n++] = *p;
			}
		}
		buf[n] = 0;
		return;
	}
	const char *base = strrchr(spec, '/');
	snprintf(buf, len, "%s", base ? base + 1 : spec);
	static const char *const exts[] = {".zst", ".txt", ".dat", ".mmr", ".trace"};
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < MM_ARRAY_SIZE(exts); i++) {
			size_t n = strlen(buf), e = strlen(exts[i]);
			if (n > e && !strcmp(buf + n - e, exts[i]))
				buf[n - e] = 0;
		}
}
