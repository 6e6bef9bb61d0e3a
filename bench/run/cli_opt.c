#include "bench/run/cli_opt.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/machine/settings.h"

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65];
	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			best = MM_MIN(best, up + 1);
			best = MM_MIN(best, row[j - 1] + 1);
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

const char *cli_closest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bd = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, cands[i]);
		if (d < bd || (d == bd && strlen(cands[i]) < strlen(best))) {
			bd = d;
			best = cands[i];
		}
	}
	size_t limit = MM_MAX((size_t)2, strlen(word) / 3);
	return best && bd <= limit ? best : NULL;
}

static bool cli_same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return false;
	return *a == *b;
}

const struct cli_opt *cli_opt_find(const struct cli_opt *table, const char *name)
{
	for (const struct cli_opt *o = table; o && o->name; o++)
		if (cli_same_name(o->name, name))
			return o;
	return NULL;
}

static void cli_store_u64(void *field, size_t size, u64 v)
{
	if (size == sizeof(u32)) {
		u32 x = (u32)v;
		memcpy(field, &x, sizeof(x));
	} else {
		memcpy(field, &v, sizeof(v));
	}
}

struct cli_list_add {
	struct cli_list *l;
	const struct cli_opt *o;
};

static int cli_list_item(void *ctx, const char *item)
{
	struct cli_list_add *a = ctx;
	u64 v;
	if (a->l->n == CLI_LIST_MAX || settings_parse_u64(item, a->o->min, a->o->max, &v))
		return -EINVAL;
	a->l->v[a->l->n++] = v;
	return 0;
}

static int cli_choice(const struct cli_opt *o, const char *v, void *field, char *err, size_t len)
{
	size_t n = (size_t)snprintf(err, len, "takes ");
	for (const char *const *ch = o->choices; *ch; ch++) {
		if (!strcmp(*ch, v)) {
			*(const char **)field = *ch;
			return 0;
		}
		if (n < len)
			n += (size_t)snprintf(err + n, len - n, "%s%s", ch == o->choices ? "" : ", ", *ch);
	}
	if (n < len)
		snprintf(err + n, len - n, ", not '%s'", v);
	return -EINVAL;
}

/* An output path's directory part exists and is a directory: only the last component is
 * created, so a typo in a parent is an error rather than a new tree. 0, or -ENOENT with err. */
static int cli_out_dir(const char *v, char *err, size_t len)
{
	const char *slash = strrchr(v, '/');
	char dir[4096];
	struct stat st;
	if (!strcmp(v, "-") || !slash || slash == v)
		return 0;
	while (slash > v && slash[-1] == '/')
		slash--;
	if (slash == v || (size_t)(slash - v) >= sizeof(dir))
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - v), v);
	if (!stat(dir, &st) && S_ISDIR(st.st_mode))
		return 0;
	snprintf(err, len, "%s: %s %s (only the last part of the path is created)", v, dir,
		 stat(dir, &st) ? "does not exist" : "is not a directory");
	return -ENOENT;
}

int cli_opt_set(const struct cli_opt *o, const char *v, void *opts, char *err, size_t len)
{
	char *field = (char *)opts + o->off;
	u64 x;
	double d;
	char *end;
	switch (o->kind) {
	case CLI_FLAG:
	case CLI_UNSET:
		*(bool *)field = o->kind == CLI_FLAG;
		return 0;
	case CLI_U64:
		if (settings_parse_u64(v, o->min, o->max, &x)) {
			snprintf(err, len, "takes %llu..%llu, not '%s'", (unsigned long long)o->min,
				 (unsigned long long)o->max, v);
			return -EINVAL;
		}
		cli_store_u64(field, o->size, x);
		return 0;
	case CLI_F64:
		d = strtod(v, &end);
		if (!*v || *end || isnan(d) || d < o->fmin || d > o->fmax) {
			snprintf(err, len, "takes a number in [%g, %g], not '%s'", o->fmin, o->fmax, v);
			return -EINVAL;
		}
		*(double *)field = d;
		return 0;
	case CLI_STR:
		if (!*v) {
			snprintf(err, len, "needs a non-empty %s", o->arg);
			return -EINVAL;
		}
		*(const char **)field = v;
		return 0;
	case CLI_OUT:
		if (!*v) {
			snprintf(err, len, "needs a non-empty %s", o->arg);
			return -EINVAL;
		}
		if (cli_out_dir(v, err, len))
			return -ENOENT;
		*(const char **)field = v;
		return 0;
	case CLI_CHOICE:
		return cli_choice(o, v, field, err, len);
	case CLI_LIST: {
		struct cli_list_add a = {(struct cli_list *)field, o};
		a.l->n = 0;
		if (settings_split(v, cli_list_item, &a)) {
			snprintf(err, len, "takes up to %d comma-separated numbers in %llu..%llu, not '%s'",
				 CLI_LIST_MAX, (unsigned long long)o->min, (unsigned long long)o->max, v);
			return -EINVAL;
		}
		return 0;
	}
	}
	return 0;
}
