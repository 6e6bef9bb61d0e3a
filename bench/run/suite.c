#include "bench/run/suite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/infile.h"
#include "bench/run/iniread.h"
#include "bench/run/trace_label.h"
#include "bench/run/trace_spec.h"

bool suite_name_ok(const char *name)
{
	if (!*name || strlen(name) >= sizeof(((struct suite *)0)->name) || name[0] == '-' ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c < 0x20 || *c == 0x7f || *c == '/' || *c == ' ' || *c == ',')
			return false;
	return true;
}

struct suite_parse {
	struct suite *s;
	const char *dir;      /* the suite file's directory, "" for none */
	const char *data_dir; /* ${data} */
	char why[768];	      /* the handler's reason for failing */
	bool have_name;
	bool pending_axes; /* a [traces] axes line to check once [axes] is read */
};

static int fail(struct suite_parse *p, const char *fmt, const char *arg)
{
	snprintf(p->why, sizeof(p->why), fmt, arg);
	return 0; /* stops the reader with this line's number */
}

static int add_trace(struct suite_parse *p, const char *v)
{
	struct suite *s = p->s;
	if (s->ntraces == SUITE_MAX_TRACES)
		return fail(p, "more than %s traces", "256");
	char *dst = s->traces[s->ntraces];
	size_t cap = sizeof(s->traces[0]);
	const char *var = strstr(v, "${data}");
	int n;
	if (!strncmp(v, "gen:", 4))
		n = snprintf(dst, cap, "%s", v);
	else if (var)
		n = snprintf(dst, cap, "%.*s%s%s", (int)(var - v), v, p->data_dir, var + 7);
	else if (v[0] == '/' || !p->dir[0])
		n = snprintf(dst, cap, "%s", v);
	else
		n = snprintf(dst, cap, "%s/%s", p->dir, v);
	if (n < 0 || (size_t)n >= cap) {
		snprintf(p->why, sizeof(p->why), "trace path too long (%d bytes, the limit is %zu)", n,
			 cap - 1);
		return 0;
	}
	if (var && strstr(var + 7, "${data}"))
		return fail(p, "${data} more than once in trace %s", v);
	if (!strcmp(dst, "gen:") || !dst[0])
		return fail(p, "empty trace %s", v);
	s->ntraces++;
	return 1;
}

static int add_axis(struct suite_parse *p, const char *key, char *v)
{
	struct suite *s = p->s;
	const struct setting *set = settings_find(key);
	char err[512];
	if (!set) {
		size_t n = (size_t)snprintf(p->why, sizeof(p->why), "unknown axis '%s' (", key);
		for (const struct setting *k = settings; k->name && n < sizeof(p->why); k++) {
			char name[64];
			setting_axis_name(k, name, sizeof(name));
			n += (size_t)snprintf(p->why + n, sizeof(p->why) - n, "%s%s",
					      k == settings ? "" : ", ", name);
		}
		if (n < sizeof(p->why))
			snprintf(p->why + n, sizeof(p->why) - n, ")");
		return 0;
	}
	if (matrix_axis_of(&s->axes, set))
		return fail(p, "axis '%s' given twice", key);
	if (matrix_set(&s->axes, set, v, true, err, sizeof(err))) {
		snprintf(p->why, sizeof(p->why), "axis %s %s", key, err);
		return 0;
	}
	return 1;
}

struct restrict_check {
	const struct suite *s;
	const struct setting *set;
	const char *bad; /* the first value the axis lacks */
	char buf[128];
};

static int restrict_value(void *ctx, const char *v)
{
	struct restrict_check *r = ctx;
	const struct matrix_axis *ax = matrix_axis_of(&r->s->axes, r->set);
	for (size_t i = 0; ax && i < ax->n; i++)
		if (!strcmp(r->s->axes.pool + ax->val[i], v))
			return 0;
	snprintf(r->buf, sizeof(r->buf), "%s", v);
	r->bad = r->buf;
	return -EINVAL;
}

/* Each AXIS=LIST word of text, in order: calls each(ctx, setting, list); non-zero stops. */
static int restrict_words(const char *text,
			  int (*each)(void *ctx, const struct setting *set, const char *list), void *ctx)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *save = NULL, *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(w, '=');
		if (!eq)
			return each(ctx, NULL, w);
		*eq = 0;
		int e = each(ctx, settings_find(w), eq + 1);
		if (e)
			return e;
	}
	return 0;
}

static int restrict_check_word(void *ctx, const struct setting *set, const char *list)
{
	struct suite_parse *p = ctx;
	struct restrict_check r = {.s = p->s, .set = set};
	if (!set) {
		snprintf(p->why, sizeof(p->why), "axes takes AXIS=VALUE[,VALUE...] words, not '%s'", list);
		return -EINVAL;
	}
	if (!matrix_axis_of(&p->s->axes, set)) {
		snprintf(p->why, sizeof(p->why), "axes: '%s' is not an axis of [axes] (set it there first)",
			 set->name);
		return -EINVAL;
	}
	if (settings_split(list, restrict_value, &r)) {
		snprintf(p->why, sizeof(p->why), "axes: %s has no value '%s' in [axes]", set->name,
			 r.bad ? r.bad : list);
		return -EINVAL;
	}
	return 0;
}

static int add_trace_axes(struct suite_parse *p, const char *v)
{
	struct suite *s = p->s;
	if (!s->ntraces)
		return fail(p, "axes = %s before any trace line (it restricts the trace above it)", v);
	if (s->trace_axes[s->ntraces - 1][0])
		return fail(p, "a second axes line for one trace: %s", v);
	if (strlen(v) >= sizeof(s->trace_axes[0]))
		return fail(p, "axes line too long: %s", v);
	p->pending_axes = true;
	snprintf(s->trace_axes[s->ntraces - 1], sizeof(s->trace_axes[0]), "%s", v);
	return 1;
}

struct allows {
	const struct setting *set;
	const char *v;
	bool listed, found;
};

static int allows_value(void *ctx, const char *v)
{
	struct allows *a = ctx;
	a->found |= !strcmp(a->v, v);
	return 0;
}

static int allows_word(void *ctx, const struct setting *set, const char *list)
{
	struct allows *a = ctx;
	if (set == a->set) {
		a->listed = true;
		settings_split(list, allows_value, a);
	}
	return 0;
}

bool suite_trace_allows(const struct suite *s, size_t ti, const struct setting *set, const char *v)
{
	struct allows a = {set, v, false, false};
	restrict_words(s->trace_axes[ti], allows_word, &a);
	return !a.listed || a.found;
}

/* One key: 1, or 0 with the reason in p->why. */
static int suite_key(struct suite_parse *p, const char *section, const char *name, char *val)
{
	struct suite *s = p->s;
	if (!strcmp(section, "suite")) {
		u64 x;
		if (!strcmp(name, "name")) {
			if (!suite_name_ok(val))
				return fail(p,
					    "name '%s' must be a short word (no '/', spaces or commas, not "
					    "'.', '..' or starting with '-')",
					    val);
			strcpy(s->name, val);
			p->have_name = true;
		} else if (!strcmp(name, "repeats")) {
			if (settings_parse_u64(val, 1, 1000, &x))
				return fail(p, "repeats takes 1..1000, not '%s'", val);
			s->repeats = (unsigned)x;
		} else if (!strcmp(name, "sample_every")) {
			if (settings_parse_u64(val, 0, UINT64_MAX, &x))
				return fail(p, "sample_every takes a count of events, not '%s'", val);
			s->sample_every = x;
		} else if (!strcmp(name, "workload")) {
			struct task_spec sp;
			char err[400];
			if (strlen(val) >= sizeof(s->workload) || task_spec_parse(val, &sp, err, sizeof(err)))
				return fail(p, "%s",
					    strlen(val) >= sizeof(s->workload) ? "workload too long" : err);
			strcpy(s->workload, val);
		} else if (!strcmp(name, "every_cell")) {
			if (settings_parse_u64(val, 0, 1, &x))
				return fail(p, "every_cell takes 0 or 1, not '%s'", val);
			s->every_cell = x;
		} else {
			return fail(p,
				    "unknown key '%s' in [suite] (name, repeats, sample_every, every_cell, "
				    "workload)",
				    name);
		}
		return 1;
	}
	if (!strcmp(section, "traces")) {
		if (!strcmp(name, "axes"))
			return add_trace_axes(p, val);
		if (strcmp(name, "trace"))
			return fail(p, "unknown key '%s' in [traces] (trace, axes)", name);
		return add_trace(p, val);
	}
	if (!strcmp(section, "axes"))
		return add_axis(p, name, val);
	return fail(p, "unknown section [%s] (suite, traces, axes)", section);
}

static int suite_handler(void *user, const char *section, const char *name, const char *value, char *why,
			 size_t len)
{
	struct suite_parse *p = user;
	size_t n = strlen(value) + 1;
	char *v = malloc(n);
	if (!v)
		return snprintf(why, len, "out of memory"), -ENOMEM;
	memcpy(v, value, n);
	p->why[0] = '\0';
	int ok = suite_key(p, section, name, v);
	free(v);
	if (ok)
		return 0;
	snprintf(why, len, "%s", p->why);
	return -EINVAL;
}

static int suite_finish(struct suite_parse *p, int ret, const char *name, struct mm_diag *d)
{
	if (ret)
		return ret; /* d says "FILE:LINE: why" */
	if (!p->s->ntraces)
		return diag_set(d, name, 0, "no traces: add a [traces] section with trace = lines");
	for (size_t t = 0; p->pending_axes && t < p->s->ntraces; t++)
		if (restrict_words(p->s->trace_axes[t], restrict_check_word, p))
			return diag_set(d, name, 0, "trace %zu (%s): %s", t + 1, p->s->traces[t], p->why);
	if (!p->have_name) {
		const char *base = strrchr(name, '/');
		base = base ? base + 1 : name;
		snprintf(p->s->name, sizeof(p->s->name), "%.*s", (int)strcspn(base, "."), base);
		for (char *c = p->s->name; *c; c++) /* "-x y.ini": a usable name, as close as can be */
			if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == ' ' || *c == ',' ||
			    (*c == '-' && c == p->s->name))
				*c = '_';
		if (!suite_name_ok(p->s->name)) /* "..ini", ".ini" */
			snprintf(p->s->name, sizeof(p->s->name), "suite");
	}
	return 0;
}

static void suite_reset(struct suite *s)
{
	memset(s, 0, sizeof(*s));
	s->repeats = 1;
	matrix_init(&s->axes);
}

int suite_load(const char *path, const char *data_dir, struct suite *s, struct mm_diag *d)
{
	char dir[512] = "";
	const char *slash = strrchr(path, '/');
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	suite_reset(s);
	struct suite_parse p = {.s = s, .dir = dir, .data_dir = data_dir};
	FILE *f = infile_fopen(path, INFILE_REGULAR, d);
	if (!f)
		return -errno;
	int r = iniread_file(f, path, suite_handler, &p, d);
	fclose(f);
	return suite_finish(&p, r, path, d);
}

int suite_load_string(const char *text, const char *name, const char *data_dir, struct suite *s,
		      struct mm_diag *d)
{
	suite_reset(s);
	struct suite_parse p = {.s = s, .dir = "", .data_dir = data_dir};
	return suite_finish(&p, iniread_string(text, name, suite_handler, &p, d), name, d);
}

void suite_trace_label(const struct suite *s, size_t ti, char *buf, size_t len)
{
	const char *specs[SUITE_MAX_TRACES];
	char(*labels)[TRACE_LABEL_MAX] = calloc(SUITE_MAX_TRACES, sizeof(*labels));
	for (size_t i = 0; i < s->ntraces && i < SUITE_MAX_TRACES; i++)
		specs[i] = s->traces[i];
	if (labels && !trace_labels(specs, s->ntraces, TRACE_LABEL_SPEC, labels))
		snprintf(buf, len, "%s", labels[ti]);
	else /* out of memory: the base label */
		trace_spec_label(s->traces[ti], buf, len);
	free(labels);
}
