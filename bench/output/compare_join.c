/* The join of a summary or replay CSV's rows into (trace, configuration) groups, linear in the
 * rows (hash maps, strmap.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/output/compare_priv.h"
#include "bench/output/metrics.h"
#include "bench/output/strmap.h"

/* A field's numbers: one, or a ';'-separated list (a suite's per-repeat host timings). How many
 * were stored at out (at most max); -1 when the field is not numeric. */
int compare_join_numbers(const char *f, double *out, size_t max)
{
	char buf[4096];
	int n = 0;
	if (!*f)
		return 0;
	if (strlen(f) >= sizeof(buf))
		return -1;
	strcpy(buf, f);
	for (char *save = NULL, *tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		double v;
		if (!csv_number(tok, &v))
			return -1;
		if ((size_t)n < max)
			out[n++] = v;
	}
	return n;
}

static bool ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n > k && !strcmp(name + n - k, suffix);
}

/* Which columns name the configuration, which are metrics, which of those are host figures. */
int compare_join_classify(struct cmp *c)
{
	struct strmap names; /* column names, for the _all siblings (a header may be wide) */
	if (strmap_init(&names, c->t->ncols))
		return -ENOMEM;
	for (size_t col = 0; col < c->t->ncols; col++)
		strmap_index(&names, c->t->head[col], 0, NULL);
	for (size_t col = 0; col < c->t->ncols; col++) {
		const char *h = c->t->head[col];
		const struct metric *m = metric_find(h, METRIC_IN_ROWS);
		bool numeric = c->t->nrows > 0;
		for (size_t r = 0; r < c->t->nrows && numeric; r++)
			numeric = compare_join_numbers(c->t->rows[r][col], c->va, COMPARE_MAX_SAMPLES) >= 0;
		bool cfg = m ? m->cls == METRIC_CONFIG : !numeric;
		if ((int)col == c->tcol || !strcmp(h, "repeat") || !strcmp(h, "seed") ||
		    !strcmp(h, "trace_id"))
			continue;
		/* min/median/max beside a per-repeat list: the list carries the samples */
		if (numeric && (ends_with(h, "_min") || ends_with(h, "_median") || ends_with(h, "_max"))) {
			char sib[256];
			snprintf(sib, sizeof(sib), "%.*s_all", (int)(strrchr(h, '_') - h), h);
			if (strmap_find(&names, sib, 0) != SIZE_MAX)
				continue;
		}
		c->is_cfg[col] = cfg;
		c->is_metric[col] = !cfg && numeric;
		c->is_host[col] = m ? m->cls == METRIC_HOST : !strncmp(h, "host_", 5);
	}
	strmap_fini(&names);
	return 0;
}

/* Whether column col differs between two rows of one trace: each row against its trace's first. */
static bool varies_in_a_trace(const struct cmp *c, size_t col, size_t *first)
{
	for (size_t i = 0; i < c->ntr; i++)
		first[i] = SIZE_MAX;
	for (size_t r = 0; r < c->t->nrows; r++) {
		size_t *f = &first[c->rti[r]];
		if (*f == SIZE_MAX)
			*f = r;
		else if (strcmp(c->t->rows[r][col], c->t->rows[*f][col]))
			return true;
	}
	return false;
}

/* Row r's label from the configuration columns that vary (an older CSV, no config column). */
static size_t built_label(const struct cmp *c, size_t r, const bool *varies, bool any, char *label,
			  size_t len)
{
	label[0] = 0;
	for (size_t col = 0; col < c->t->ncols; col++)
		if (c->is_cfg[col] && (varies[col] || !any)) {
			if (label[0])
				strncat(label, "/", len - strlen(label) - 1);
			strncat(label, c->t->rows[r][col], len - strlen(label) - 1);
		}
	return strlen(label) + 1;
}

/* Each row's label: its config column, or (an older CSV) the configuration columns that vary,
 * kept in one store of the size they take. */
int compare_join_labels(struct cmp *c, char **store)
{
	size_t n = c->t->nrows, need = 0, at = 0;
	char label[LABEL_MAX];
	if (c->ccfg >= 0) {
		for (size_t r = 0; r < n; r++)
			c->rlabel[r] = c->t->rows[r][c->ccfg];
		return 0;
	}
	bool *varies = calloc(c->t->ncols + 1, sizeof(bool)), any = false;
	size_t *first = malloc((c->ntr + 1) * sizeof(size_t));
	if (!varies || !first) {
		free(varies);
		free(first);
		return -ENOMEM;
	}
	for (size_t col = 0; col < c->t->ncols; col++)
		any |= varies[col] = c->is_cfg[col] && varies_in_a_trace(c, col, first);
	free(first);
	for (size_t r = 0; r < n; r++)
		need += built_label(c, r, varies, any, label, sizeof(label));
	if (!(*store = malloc(need + 1))) {
		free(varies);
		return -ENOMEM;
	}
	for (size_t r = 0; r < n; r++) {
		size_t k = built_label(c, r, varies, any, label, sizeof(label));
		memcpy(*store + at, label, k);
		c->rlabel[r] = *store + at;
		at += k;
	}
	free(varies);
	return 0;
}

/* Each row's trace: its trace column, and where rows of one label come from different traces
 * (their trace_id differs: CSVs of separate runs joined), the label with the id's first 8 hex
 * digits ("t.zst#1c050dea"), so two traces are never averaged as one. Then every row's trace
 * index, in order of first appearance. */
int compare_join_traces(struct cmp *c, char **store)
{
	int icol = csvtab_col(c->t, "trace_id");
	size_t n = c->t->nrows, need = 0, at = 0;
	struct strmap names, traces;
	size_t *first = malloc((n + 1) * sizeof(size_t));
	bool *mixed = calloc(n + 1, sizeof(bool));
	int err = first && mixed ? strmap_init(&names, n) : -ENOMEM;
	if (!err && (err = strmap_init(&traces, n)))
		strmap_fini(&names);
	if (err) {
		free(first);
		free(mixed);
		return -ENOMEM;
	}
	for (size_t r = 0; r < n; r++) { /* a trace name is mixed when its rows' ids differ */
		const char *tr = c->tcol >= 0 ? c->t->rows[r][c->tcol] : "";
		bool added;
		size_t i = strmap_index(&names, tr, 0, &added);
		if (added)
			first[i] = r;
		else if (icol >= 0 && strcmp(c->t->rows[first[i]][icol], c->t->rows[r][icol]))
			mixed[i] = true;
		c->rtrace[r] = tr;
		c->rti[r] = i; /* for now: the name's index */
	}
	for (size_t r = 0; r < n; r++)
		if (mixed[c->rti[r]])
			need += strlen(c->rtrace[r]) + 10; /* at most 400 + '#' + 8 + NUL, never more */
	if (need && !(*store = malloc(need))) {
		err = -ENOMEM;
	} else {
		for (size_t r = 0; r < n; r++)
			if (mixed[c->rti[r]]) {
				int k = snprintf(*store + at, need - at, "%.400s#%.8s", c->rtrace[r],
						 c->t->rows[r][icol]);
				c->rtrace[r] = *store + at;
				at += (size_t)k + 1;
			}
		for (size_t r = 0; r < n; r++)
			c->rti[r] = strmap_index(&traces, c->rtrace[r], 0, NULL);
		c->ntr = traces.n;
	}
	strmap_fini(&names);
	strmap_fini(&traces);
	free(first);
	free(mixed);
	return err;
}

/* The groups, in order of their first row; each trace's groups in that order (tg, tg_off). */
int compare_join_groups(struct cmp *c)
{
	size_t n = c->t->nrows, *gof = malloc((n + 1) * sizeof(size_t));
	struct strmap keys;
	c->grows = malloc((n + 1) * sizeof(size_t));
	c->tg = malloc((n + 1) * sizeof(size_t));
	c->tg_off = calloc(c->ntr + 2, sizeof(size_t));
	if (!gof || !c->grows || !c->tg || !c->tg_off || strmap_init(&keys, n)) {
		free(gof);
		return -ENOMEM;
	}
	for (size_t r = 0; r < n; r++) {
		bool added;
		size_t g = gof[r] = strmap_index(&keys, c->rlabel[r], c->rti[r], &added);
		if (added)
			c->groups[g] =
				(struct group){.trace = c->rtrace[r], .label = c->rlabel[r], .ti = c->rti[r]};
		c->groups[g].n++;
	}
	c->ngroups = keys.n;
	strmap_fini(&keys);
	size_t at = 0;
	for (size_t g = 0; g < c->ngroups; g++) { /* each group's slice of grows */
		c->groups[g].rows = c->grows + at;
		at += c->groups[g].n;
		c->groups[g].n = 0;
		c->tg_off[c->groups[g].ti + 1]++;
	}
	for (size_t r = 0; r < n; r++) {
		struct group *g = &c->groups[gof[r]];
		g->rows[g->n++] = r;
	}
	for (size_t i = 0; i < c->ntr; i++)
		c->tg_off[i + 1] += c->tg_off[i];
	size_t *fill = gof; /* reused: the next free place of each trace */
	for (size_t i = 0; i < c->ntr; i++)
		fill[i] = c->tg_off[i];
	for (size_t g = 0; g < c->ngroups; g++)
		c->tg[fill[c->groups[g].ti]++] = g;
	free(gof);
	return 0;
}

/* One '/'-item of a pattern against group g: a label item, or AXIS=VALUE against the column. */
static bool item_match(const struct cmp *c, const struct group *g, const char *item)
{
	char lab[512];
	snprintf(lab, sizeof(lab), "%s", g->label);
	for (char *save = NULL, *x = strtok_r(lab, "/", &save); x; x = strtok_r(NULL, "/", &save))
		if (!fnmatch(item, x, 0))
			return true;
	const char *eq = strchr(item, '=');
	if (!eq)
		return false;
	char name[128];
	snprintf(name, sizeof(name), "%.*s", (int)(eq - item), item);
	int col = csvtab_col(c->t, name);
	return col >= 0 && !fnmatch(eq + 1, c->t->rows[g->rows[0]][col], 0);
}

/* A configuration pattern: the whole label (a glob), or every '/'-item matching. */
bool compare_join_matches(const struct cmp *c, const struct group *g, const char *pat)
{
	char buf[512];
	if (!fnmatch(pat, g->label, 0))
		return true;
	snprintf(buf, sizeof(buf), "%s", pat);
	for (char *save = NULL, *x = strtok_r(buf, "/", &save); x; x = strtok_r(NULL, "/", &save))
		if (!item_match(c, g, x))
			return false;
	return true;
}

bool compare_join_wanted(const struct cmp *c, const struct group *g)
{
	char buf[1024];
	if (!c->o->config)
		return true;
	snprintf(buf, sizeof(buf), "%s", c->o->config);
	for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (compare_join_matches(c, g, p))
			return true;
	return false;
}
