#include "bench/run/matrix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workloads/infile.h"
#include "workloads/state/zoneinfo.h"
#include "workloads/state/zonelayout.h"

static int matrix_load_zones(const char *value, struct zones_cfg *zc, char *err, size_t len)
{
	struct mm_diag d = {{0}};
	unsigned skipped = 0;
	if (zonelayout_load(value, zc, &skipped, &d)) {
		snprintf(err, len, "%s", d.msg);
		return -EINVAL;
	}
	return 0;
}

/* Without a per-trace loader (recfiles.h): a zoneinfo's pagesets are read here; other files are
 * only checked to be readable (options are checked before any trace is read). */
static int matrix_load_file(void *ctx, const char *setting, const char *path, struct sim_cfg *cfg, char *err,
			    size_t len)
{
	(void)ctx;
	if (!strcmp(setting, "zones")) {
		struct zoneinfo *zi = malloc(sizeof(*zi));
		struct mm_diag d = {{0}};
		char spec[4200];
		snprintf(spec, sizeof(spec), "zoneinfo:%s", path);
		if (!zi || matrix_load_zones(spec, &cfg->zones, err, len) || zoneinfo_load(path, zi, &d)) {
			if (!zi || d.msg[0])
				snprintf(err, len, "%s", zi ? d.msg : "out of memory");
			free(zi);
			return -EINVAL;
		}
		zoneinfo_pcp_cfg(zi, &cfg->zones, &cfg->pcp_cfg);
		cfg->pcp_recorded = true;
		free(zi);
		return 0;
	}
	struct mm_diag d;
	if (infile_check(path, INFILE_REGULAR, &d)) {
		snprintf(err, len, "%s", d.msg);
		return -EINVAL;
	}
	return 0;
}

const struct setting_env matrix_env = {.load_zones = matrix_load_zones, .load_file = matrix_load_file};

void matrix_init(struct matrix *m)
{
	m->naxes = 0;
	m->used = 0;
}

struct matrix_add {
	struct matrix *m;
	struct matrix_axis ax;
	char *err;
	size_t len;
};

static int matrix_add_value(struct matrix_add *a, const char *v)
{
	struct matrix *m = a->m;
	for (size_t i = 0; i < a->ax.n; i++)
		if (!strcmp(m->pool + a->ax.val[i], v)) {
			snprintf(a->err, a->len, "lists '%s' twice", v);
			return -EINVAL;
		}
	if (a->ax.n == MATRIX_MAX_VALUES) {
		snprintf(a->err, a->len, "takes at most %d values", MATRIX_MAX_VALUES);
		return -EINVAL;
	}
	struct sim_cfg scratch;
	sim_cfg_default(&scratch);
	int e = setting_apply(a->ax.set, &scratch, v, &matrix_env, a->err, a->len);
	if (e)
		return e;
	size_t n = strlen(v) + 1;
	if (m->used + n > sizeof(m->pool)) {
		snprintf(a->err, a->len, "values too long (%d bytes in all)", MATRIX_POOL);
		return -EINVAL;
	}
	memcpy(m->pool + m->used, v, n);
	a->ax.val[a->ax.n++] = (u16)m->used;
	m->used += n;
	return 0;
}

static int matrix_add_item(void *ctx, const char *item)
{
	struct matrix_add *a = ctx;
	const struct setting *s = a->ax.set;
	if (strcmp(item, "all") || !setting_all_expands(s))
		return matrix_add_value(a, item);
	for (size_t i = 0; s->value(i); i++) {
		int e = matrix_add_value(a, s->value(i));
		if (e)
			return e;
	}
	return 0;
}

int matrix_set(struct matrix *m, const struct setting *s, const char *text, bool list, char *err, size_t len)
{
	size_t used = m->used;
	err[0] = 0;
	struct matrix_add a = {.m = m, .ax = {.set = s}, .err = err, .len = len};
	int e = list ? settings_split(text, matrix_add_item, &a) : matrix_add_value(&a, text);
	if (e == -E2BIG || (e == -EINVAL && !a.ax.n && list && !err[0]))
		snprintf(err, len, e == -E2BIG ? "has a value over 511 characters" : "has no values");
	if (e) {
		m->used = used; /* the pool forgets this axis's values */
		return -EINVAL;
	}
	size_t i;
	for (i = 0; i < m->naxes && m->axis[i].set != s; i++)
		;
	if (i == m->naxes) {
		if (m->naxes == MATRIX_MAX_AXES) {
			snprintf(err, len, "too many axes");
			return -EINVAL;
		}
		m->naxes++;
	}
	m->axis[i] = a.ax;
	return 0;
}

int matrix_copy_axis(struct matrix *dst, const struct matrix *src, size_t a, char *err, size_t len)
{
	const struct matrix_axis *ax = &src->axis[a];
	struct matrix_add add = {.m = dst, .ax = {.set = ax->set}, .err = err, .len = len};
	if (matrix_axis_of(dst, ax->set) || dst->naxes == MATRIX_MAX_AXES) {
		snprintf(err, len, "is set twice");
		return -EINVAL;
	}
	for (size_t i = 0; i < ax->n; i++)
		if (matrix_add_value(&add, src->pool + ax->val[i]))
			return -EINVAL;
	dst->axis[dst->naxes++] = add.ax;
	return 0;
}

void matrix_order(struct matrix *m, bool first_fastest)
{
	struct matrix_axis sorted[MATRIX_MAX_AXES];
	size_t n = 0;
	for (const struct setting *s = settings; s->name; s++)
		for (size_t a = 0; a < m->naxes; a++)
			if (m->axis[a].set == s)
				sorted[n++] = m->axis[a];
	for (size_t a = 0; a < n; a++)
		m->axis[a] = sorted[first_fastest ? n - 1 - a : a];
}

int matrix_rename(struct matrix *m, const struct setting *s, const char *from, const char *to)
{
	struct matrix_axis *ax = (struct matrix_axis *)matrix_axis_of(m, s);
	size_t i, j, n = strlen(to) + 1;
	if (!ax)
		return 0;
	for (i = 0; i < ax->n && strcmp(m->pool + ax->val[i], from); i++)
		;
	if (i == ax->n)
		return 0;
	for (j = 0; j < ax->n && strcmp(m->pool + ax->val[j], to); j++)
		;
	if (j < ax->n) { /* to is listed: from goes */
		memmove(&ax->val[i], &ax->val[i + 1], (ax->n - i - 1) * sizeof(ax->val[0]));
		ax->n--;
		return 0;
	}
	if (m->used + n > sizeof(m->pool))
		return -EINVAL;
	memcpy(m->pool + m->used, to, n);
	ax->val[i] = (u16)m->used;
	m->used += n;
	return 0;
}

const struct matrix_axis *matrix_axis_of(const struct matrix *m, const struct setting *s)
{
	for (size_t a = 0; a < m->naxes; a++)
		if (m->axis[a].set == s)
			return &m->axis[a];
	return NULL;
}

size_t matrix_size(const struct matrix *m)
{
	size_t n = 1;
	for (size_t a = 0; a < m->naxes; a++)
		n *= m->axis[a].n;
	return n;
}

const char *matrix_value(const struct matrix *m, size_t c, size_t a)
{
	for (size_t k = m->naxes; k-- > a + 1;)
		c /= m->axis[k].n;
	return m->pool + m->axis[a].val[c % m->axis[a].n];
}

const char *matrix_lookup(const struct matrix *m, size_t c, const char *name)
{
	const struct setting *s = settings_find(name);
	for (size_t a = 0; s && a < m->naxes; a++)
		if (m->axis[a].set == s)
			return matrix_value(m, c, a);
	return NULL;
}

int matrix_cfg(const struct matrix *m, size_t c, struct sim_cfg *cfg, char *err, size_t len)
{
	return matrix_cfg_env(m, c, NULL, NULL, cfg, err, len);
}

int matrix_cfg_env(const struct matrix *m, size_t c, const struct setting_vals *extra,
		   const struct setting_env *env, struct sim_cfg *cfg, char *err, size_t len)
{
	sim_cfg_default(cfg);
	for (const struct setting *s = settings; s->name; s++) {
		const char *v = NULL;
		for (size_t a = 0; a < m->naxes && !v; a++)
			if (m->axis[a].set == s)
				v = matrix_value(m, c, a);
		for (size_t i = 0; extra && i < extra->n && !v; i++)
			if (extra->v[i].set == s)
				v = extra->v[i].value;
		if (v) {
			int e = setting_apply(s, cfg, v, env ? env : &matrix_env, err, len);
			if (e)
				return e;
		}
	}
	if (snapcheck_layout(cfg->snapshots, &cfg->zones, cfg->max_order, err, len))
		return -EINVAL;				   /* every zone on both sides */
	return sim_mem_check(cfg, err, len) ? -EINVAL : 0; /* bounded memory */
}

void matrix_label(const struct matrix *m, size_t c, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (const struct setting *s = settings; s->name && n < len; s++)
		for (size_t a = 0; a < m->naxes && n < len; a++) {
			char name[64] = "";
			if (m->axis[a].set != s)
				continue;
			if (s->kind != SETTING_VARIANT) {
				setting_axis_name(s, name, sizeof(name) - 1);
				strcat(name, "=");
			}
			n += (size_t)snprintf(buf + n, len - n, "%s%s%s", n ? "/" : "", name,
					      matrix_value(m, c, a));
		}
	if (!m->naxes)
		snprintf(buf, len, "default");
}
