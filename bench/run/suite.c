#include "suite.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct suite_parse {
	struct suite *s;
	const char *dir;      /* the suite file's directory, "" for none */
	const char *data_dir; /* ${data} */
	char why[768];	      /* the handler's reason for failing */
	bool have_name;
};

static char *trim(char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		v[--n] = 0;
	return v;
}

static int fail(struct suite_parse *p, const char *fmt, const char *arg)
{
	snprintf(p->why, sizeof(p->why), fmt, arg);
	return 0; /* inih: 0 stops with this line's number */
}

static int add_trace(struct suite_parse *p, const char *v)
{
	struct suite *s = p->s;
	if (s->ntraces == SUITE_MAX_TRACES)
		return fail(p, "more than %s traces", "64");
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
	if (n < 0 || (size_t)n >= cap)
		return fail(p, "trace path too long: %s", v);
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

static int suite_handler(void *user, const char *section, const char *name, const char *value)
{
	struct suite_parse *p = user;
	struct suite *s = p->s;
	char v[1024];
	if (strlen(value) >= sizeof(v))
		return fail(p, "value of '%s' too long", name);
	strcpy(v, value);
	char *val = trim(v);
	if (!strcmp(section, "suite")) {
		u64 x;
		if (!strcmp(name, "name")) {
			if (!*val || strlen(val) >= sizeof(s->name) || strpbrk(val, "/ \t,"))
				return fail(p, "name '%s' must be a short word (no '/', spaces or commas)",
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
		} else {
			return fail(p, "unknown key '%s' in [suite] (name, repeats, sample_every)", name);
		}
		return 1;
	}
	if (!strcmp(section, "traces")) {
		if (strcmp(name, "trace"))
			return fail(p, "unknown key '%s' in [traces] (trace)", name);
		return add_trace(p, val);
	}
	if (!strcmp(section, "axes"))
		return add_axis(p, name, val);
	return fail(p, "unknown section [%s] (suite, traces, axes)", section);
}

static int suite_finish(struct suite_parse *p, int ret, const char *name, struct mm_diag *d)
{
	if (ret < 0)
		return diag_set(d, name, 0, "%s", ret == -1 ? strerror(errno) : "out of memory");
	if (ret > 0)
		return diag_set(d, name, (u64)ret, "%s", p->why[0] ? p->why : "syntax error");
	if (!p->s->ntraces)
		return diag_set(d, name, 0, "no traces: add a [traces] section with trace = lines");
	if (!p->have_name) {
		const char *base = strrchr(name, '/');
		base = base ? base + 1 : name;
		snprintf(p->s->name, sizeof(p->s->name), "%.*s", (int)strcspn(base, "."), base);
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
	return suite_finish(&p, ini_parse(path, suite_handler, &p), path, d);
}

int suite_load_string(const char *text, const char *name, const char *data_dir, struct suite *s,
		      struct mm_diag *d)
{
	suite_reset(s);
	struct suite_parse p = {.s = s, .dir = "", .data_dir = data_dir};
	return suite_finish(&p, ini_parse_string(text, suite_handler, &p), name, d);
}
