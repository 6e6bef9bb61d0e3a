#include "suite_cfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "settings.h"

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
		if (!eq || settings_parse_u64(eq + 1, 0, UINT64_MAX >> 8, &v))
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
