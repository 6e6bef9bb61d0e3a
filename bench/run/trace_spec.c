#include "bench/run/trace_spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/run/gen_opts.h"
#include "workloads/state/recording.h"

static int trace_spec_emit(void *ctx, const struct mm_event *ev)
{
	return trace_push(ctx, ev);
}

int trace_spec_gen_parse(const char *spec, const struct gen_ops **gp, struct gen_params *p, struct mm_diag *d)
{
	char buf[512], *save = NULL, err[512];
	snprintf(buf, sizeof(buf), "%s", spec + 4);
	char *name = strtok_r(buf, " \t", &save);
	const struct gen_ops *g = name ? gen_find(name) : NULL;
	if (!g)
		return diag_set(d, spec, 0, "unknown generator '%s' (mmreplay gen --list)", name ? name : "");
	gen_params_default(p);
	for (char *kv; (kv = strtok_r(NULL, " \t", &save));)
		if (gen_opts_pair(g, kv, p, err, sizeof(err)))
			return diag_set(d, spec, 0, "%s", err);
	*gp = g;
	return 0;
}

/* "gen:NAME k=v ..." (the keys of `mmreplay gen`'s options, gen_opts.h) */
static int trace_spec_gen_load(const char *spec, struct mm_trace *t, struct mm_diag *d)
{
	const struct gen_ops *g;
	struct gen_params p;
	int e = trace_spec_gen_parse(spec, &g, &p, d);
	if (e)
		return e;
	e = trace_spec_gen(g, &p, t);
	return e ? diag_set(d, spec, 0, "generator failed: %s", strerror(-e)) : 0;
}

int trace_spec_gen(const struct gen_ops *g, const struct gen_params *p, struct mm_trace *t)
{
	memset(t, 0, sizeof(*t));
	t->format = TRACE_FMT_NATIVE;
	int err = g->run(p, trace_spec_emit, t);
	if (err) {
		trace_free(t);
		return err;
	}
	for (size_t i = 0; i < t->n; i++)
		t->stats.kind[t->ev[i].kind < MME_NR_KINDS ? t->ev[i].kind : 0]++;
	t->stats.events = t->n;
	return 0;
}

int trace_spec_load(const char *spec, struct mm_trace *t, struct mm_diag *d)
{
	if (!strncmp(spec, "gen:", 4))
		return trace_spec_gen_load(spec, t, d);
	if (recording_is_dir(spec)) { /* a recording directory: its trace */
		struct recording *rec = malloc(sizeof(*rec));
		int err = rec ? recording_open(rec, spec, d) : diag_set(d, spec, 0, "out of memory");
		if (!err)
			err = trace_load(rec->trace, NULL, t, d);
		free(rec);
		return err;
	}
	return trace_load(spec, NULL, t, d);
}

int trace_spec_stats(const char *spec, struct trace_stats *st, struct mm_diag *d)
{
	struct trace_reader *r;
	struct trace_opts o = {.no_map = true};
	const struct mm_event *ev;
	char path[RECORDING_PATH_MAX];
	long k;
	int err = 0;
	if (!strncmp(spec, "gen:", 4)) {
		struct mm_trace t;
		if ((err = trace_spec_gen_load(spec, &t, d)))
			return err;
		*st = t.stats;
		trace_free(&t);
		return 0;
	}
	snprintf(path, sizeof(path), "%s", spec);
	if (recording_is_dir(spec)) { /* a recording directory: its trace */
		struct recording *rec = malloc(sizeof(*rec));
		err = rec ? recording_open(rec, spec, d) : diag_set(d, spec, 0, "out of memory");
		if (!err)
			snprintf(path, sizeof(path), "%s", rec->trace);
		free(rec);
	}
	if (err || (err = trace_open(path, &o, &r, d)))
		return err;
	while ((k = trace_batch(r, &ev, TRACE_BATCH)) > 0)
		;
	if (k < 0)
		*d = *trace_diag(r);
	*st = *trace_stats(r);
	trace_close(r);
	return k < 0 ? (int)k : 0;
}

void trace_spec_label(const char *spec, char *buf, size_t len)
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
