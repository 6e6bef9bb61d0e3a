#include "bench/run/suite_axes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/output/csv.h"
#include "bench/run/trace_spec.h"

/* The value axis a runs at for trace ti when it does not apply: the setting's default when the
 * trace may run it, else the first value it may run. */
static const char *axis_rep(const struct suite *s, size_t ti, size_t a)
{
	const struct matrix_axis *ax = &s->axes.axis[a];
	const char *first = NULL;
	for (size_t i = 0; i < ax->n; i++) {
		const char *v = s->axes.pool + ax->val[i];
		if (!suite_trace_allows(s, ti, ax->set, v))
			continue;
		if (!strcmp(v, ax->set->def))
			return v;
		if (!first)
			first = v;
	}
	return first ? first : s->axes.pool + ax->val[0];
}

/* Why (ti, c) is skipped, into buf ("" when it runs), given the configuration's facets. */
static void cell_why(const struct suite *s, size_t ti, size_t c, u32 facets, char *buf, size_t len)
{
	buf[0] = 0;
	for (size_t a = 0; a < s->axes.naxes; a++) {
		const struct setting *set = s->axes.axis[a].set;
		const char *v = matrix_value(&s->axes, c, a), *rep;
		char name[64], words[160];
		setting_axis_name(set, name, sizeof(name));
		if (!suite_trace_allows(s, ti, set, v)) {
			snprintf(buf, len, "%s=%s: the suite file restricts this trace to %s", name, v,
				 s->trace_axes[ti]);
			return;
		}
		if (setting_applies(set, facets) || !strcmp(v, rep = axis_rep(s, ti, a)))
			continue;
		setting_facet_words(set->affects, words, sizeof(words));
		snprintf(buf, len, "%s does not apply: the trace has no %s (runs %s only)", name, words, rep);
		return;
	}
}

int suite_plan_from_counts(const struct suite *s, bool every_cell, const u64 (*kind)[MME_NR_KINDS],
			   struct suite_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->ntraces = s->ntraces;
	p->nconfigs = suite_nconfigs(s);
	p->every_cell = every_cell;
	p->tr = calloc(s->ntraces, sizeof(*p->tr));
	p->runs = calloc(p->ntraces * p->nconfigs + 1, 1);
	struct sim_cfg *cfg = calloc(p->nconfigs, sizeof(*cfg));
	if (!p->tr || !p->runs || !cfg) {
		free(cfg);
		suite_plan_free(p);
		return -ENOMEM;
	}
	for (size_t c = 0; c < p->nconfigs; c++) {
		char err[512];
		if (matrix_cfg(&s->axes, c, &cfg[c], err, sizeof(err)))
			sim_cfg_default(&cfg[c]); /* suite_run refuses the suite before any cell runs */
	}
	for (size_t ti = 0; ti < s->ntraces; ti++) {
		struct suite_trace_info *t = &p->tr[ti];
		suite_trace_label(s, ti, t->label, sizeof(t->label)); /* unique */
		memcpy(t->kind, kind[ti], sizeof(t->kind));
		for (size_t k = 0; k < MME_NR_KINDS; k++)
			t->events += t->kind[k];
		for (size_t c = 0; c < p->nconfigs; c++) {
			char why[512];
			cell_why(s, ti, c, settings_facets(t->kind, &cfg[c]), why, sizeof(why));
			p->runs[ti * p->nconfigs + c] = !why[0];
			t->cells_run += every_cell || !why[0];
		}
	}
	free(cfg);
	return 0;
}

int suite_plan_build(const struct suite *s, bool every_cell, struct suite_plan *p, struct mm_diag *d)
{
	u64(*kind)[MME_NR_KINDS] = calloc(s->ntraces + 1, sizeof(*kind));
	if (!kind)
		return -ENOMEM;
	for (size_t ti = 0; ti < s->ntraces; ti++) {
		struct trace_stats st;
		int err = trace_spec_stats(s->traces[ti], &st, d); /* streamed: nothing held */
		if (err) {
			free(kind);
			return err;
		}
		memcpy(kind[ti], st.kind, sizeof(kind[ti]));
	}
	int err = suite_plan_from_counts(s, every_cell, (const u64(*)[MME_NR_KINDS])kind, p);
	free(kind);
	return err;
}

void suite_plan_free(struct suite_plan *p)
{
	free(p->tr);
	free(p->runs);
	p->tr = NULL;
	p->runs = NULL;
}

size_t suite_plan_ncells_run(const struct suite_plan *p)
{
	size_t n = 0;
	for (size_t ti = 0; ti < p->ntraces; ti++)
		n += p->tr[ti].cells_run;
	return n;
}

int suite_plan_width(const struct suite_plan *p)
{
	size_t w = 5;
	for (size_t ti = 0; ti < p->ntraces; ti++)
		w = MM_MAX(w, strlen(p->tr[ti].label));
	return (int)w;
}

void suite_plan_why(const struct suite *s, const struct suite_plan *p, size_t cell, char *buf, size_t len)
{
	size_t ti = cell / p->nconfigs, c = cell % p->nconfigs;
	struct sim_cfg cfg;
	char err[512];
	buf[0] = 0;
	if (p->every_cell || ti >= p->ntraces || matrix_cfg(&s->axes, c, &cfg, err, sizeof(err)))
		return;
	cell_why(s, ti, c, settings_facets(p->tr[ti].kind, &cfg), buf, len);
}

/* The axes with a value skipped for trace ti, in words: "vmlist, tlb (no vmap events)". */
static void skipped_axes(const struct suite *s, const struct suite_plan *p, size_t ti, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (size_t a = 0; a < s->axes.naxes && n < len; a++) {
		bool skipped = false;
		char why[512], name[64];
		for (size_t c = 0; c < p->nconfigs && !skipped; c++) {
			if (p->runs[ti * p->nconfigs + c])
				continue;
			suite_plan_why(s, p, ti * p->nconfigs + c, why, sizeof(why));
			setting_axis_name(s->axes.axis[a].set, name, sizeof(name));
			skipped = !strncmp(why, name, strlen(name)) && strchr("= ", why[strlen(name)]);
		}
		if (skipped)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name);
	}
}

void suite_plan_print(const struct suite *s, const struct suite_plan *p, FILE *f)
{
	for (size_t ti = 0; ti < p->ntraces && !p->every_cell; ti++) {
		const struct suite_trace_info *t = &p->tr[ti];
		char axes[512];
		if (t->cells_run == p->nconfigs)
			continue;
		skipped_axes(s, p, ti, axes, sizeof(axes));
		fprintf(f,
			"%s: %zu of %zu cells skipped, where %s cannot change its replay%s (skipped.csv says "
			"why)\n",
			t->label, p->nconfigs - t->cells_run, p->nconfigs, axes,
			s->trace_axes[ti][0] ? ", or restricted by the suite file" : "");
	}
}

static void field(FILE *f, const char *v)
{
	csv_write_field(f, v);
}

static void write_traces(const struct suite *s, const struct suite_plan *p, FILE *f)
{
	fprintf(f, "trace,spec,events,vmap_events,page_events,process_calls,kmap_events,axes_apply,"
		   "restricted,cells,cells_run\n");
	for (size_t ti = 0; ti < p->ntraces; ti++) {
		const struct suite_trace_info *t = &p->tr[ti];
		struct sim_cfg cfg;
		char apply[512] = "";
		size_t n = 0;
		sim_cfg_default(&cfg);
		cfg.populate = true; /* an axis that applies in some configuration applies */
		u32 facets = settings_facets(t->kind, &cfg);
		for (size_t a = 0; a < s->axes.naxes && n < sizeof(apply); a++)
			if (setting_applies(s->axes.axis[a].set, facets)) {
				char name[64];
				setting_axis_name(s->axes.axis[a].set, name, sizeof(name));
				n += (size_t)snprintf(apply + n, sizeof(apply) - n, "%s%s", n ? " " : "",
						      name);
			}
		field(f, t->label);
		fputc(',', f);
		field(f, s->traces[ti]);
		fprintf(f, ",%llu,%llu,%llu,%llu,%llu,", (unsigned long long)t->events,
			(unsigned long long)settings_facet_events(t->kind, SETTING_ON_VMAP),
			(unsigned long long)settings_facet_events(t->kind, SETTING_ON_PAGE_EVENTS),
			(unsigned long long)settings_facet_events(t->kind, SETTING_ON_PROC),
			(unsigned long long)settings_facet_events(t->kind, SETTING_ON_KMAP));
		field(f, apply);
		fputc(',', f);
		field(f, s->trace_axes[ti]);
		fprintf(f, ",%zu,%zu\n", p->nconfigs, t->cells_run);
	}
}

static int open_in(struct csv *w, const char *dir, const char *rel)
{
	int err = csv_open_in(w, dir, rel);
	if (err)
		fprintf(stderr, "mmreplay suite: %s: %s\n", w->out.path, csv_error(w, err));
	return err;
}

static int commit(struct csv *w)
{
	int err = csv_commit(w);
	if (err)
		fprintf(stderr, "mmreplay suite: %s: %s\n", w->out.path, csv_error(w, err));
	return err;
}

int suite_plan_write(const struct suite *s, const struct suite_plan *p, const char *dir)
{
	struct csv w;
	int err;
	if ((err = open_in(&w, dir, "traces.csv")))
		return err;
	write_traces(s, p, w.f);
	if ((err = commit(&w)) || (err = open_in(&w, dir, "skipped.csv")))
		return err;
	fprintf(w.f, "trace,config,reason\n");
	for (size_t k = 0; k < p->ntraces * p->nconfigs; k++) {
		char why[512], label[512];
		if (suite_plan_runs(p, k))
			continue;
		suite_plan_why(s, p, k, why, sizeof(why));
		matrix_label(&s->axes, k % p->nconfigs, label, sizeof(label));
		field(w.f, p->tr[k / p->nconfigs].label);
		fputc(',', w.f);
		field(w.f, label);
		fputc(',', w.f);
		field(w.f, why);
		fputc('\n', w.f);
	}
	return commit(&w);
}
