#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"

int cli_error(const struct cli_cmd *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mmreplay %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (mmreplay %s --help)\n", c->name);
	return MM_EXIT_USAGE;
}

int cli_cached_hole(const struct cli_cmd *c, bool on, struct matrix *m)
{
	if (on && matrix_rename(m, settings_find("vmlist"), "rbtree", "rbtree_cache"))
		return cli_error(c, "--cached-hole: too many values");
	return CLI_RUN;
}

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

/* Every option name of c (settings included), for suggestions; returns the count. */
static size_t cli_names(const struct cli_cmd *c, const char **names, size_t max)
{
	size_t n = 0;
	names[n++] = "help";
	for (const struct cli_opt *o = c->opts; o && o->name && n < max; o++)
		names[n++] = o->name;
	for (const struct cli_opt *o = c->more; o && o->name && n < max; o++)
		names[n++] = o->name;
	for (const struct setting *s = settings; c->settings && s->name && n < max; s++)
		names[n++] = s->name;
	return n;
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

static const struct cli_opt *cli_find(const struct cli_cmd *c, const char *name)
{
	const struct cli_opt *o = cli_opt_find(c->opts, name);
	return o ? o : cli_opt_find(c->more, name);
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

/* Apply value v (NULL for flags) to option o. 0, or MM_EXIT_USAGE after a message. */
static int cli_apply(const struct cli_cmd *c, const struct cli_opt *o, const char *v, void *opts)
{
	char err[512];
	if (cli_opt_set(o, v, opts, err, sizeof(err)))
		return cli_error(c, "--%s %s", o->name, err);
	if (c->record_tags)
		*(u32 *)((char *)opts + c->tags_off) |= o->tag;
	return 0;
}

/* One option token argv[*i] ("--name" or "--name=value"); may take argv[*i + 1]. */
static int cli_option(const struct cli_cmd *c, int argc, char **argv, int *i, void *opts, struct matrix *m)
{
	char name[128];
	const char *tok = argv[*i] + 2, *eq = strchr(tok, '='), *v = eq ? eq + 1 : NULL;
	snprintf(name, sizeof(name), "%.*s", (int)(eq ? (size_t)(eq - tok) : strlen(tok)), tok);
	const struct cli_opt *o = cli_find(c, name);
	const struct setting *s = !o && c->settings ? settings_find(name) : NULL;
	if (!o && !s) {
		const char *names[128];
		const char *near = cli_closest(name, names, cli_names(c, names, MM_ARRAY_SIZE(names)));
		if (near)
			return cli_error(c, "unknown option --%s; did you mean --%s?", name, near);
		return cli_error(c, "unknown option --%s", name);
	}
	bool takes = s || (o->kind != CLI_FLAG && o->kind != CLI_UNSET);
	if (!takes && v)
		return cli_error(c, "--%s takes no value", name);
	if (takes && !v) {
		if (*i + 1 >= argc)
			return cli_error(c, "--%s needs a value (%s)", name, s ? "see --help" : o->arg);
		v = argv[++*i];
	}
	if (o)
		return cli_apply(c, o, v, opts);
	char err[512];
	if (matrix_set(m, s, v, s->axis, err, sizeof(err)))
		return cli_error(c, "--%s %s", s->name, err);
	return 0;
}

/* A short option argv[*i] ("-X VALUE" or "-XVALUE"); may take argv[*i + 1]. */
static int cli_short(const struct cli_cmd *c, int argc, char **argv, int *i, void *opts)
{
	const char *a = argv[*i];
	for (int t = 0; t < 2; t++)
		for (const struct cli_opt *o = t ? c->more : c->opts; o && o->name; o++) {
			if (!o->letter || o->letter != a[1])
				continue;
			bool takes = o->kind != CLI_FLAG && o->kind != CLI_UNSET;
			if (!takes)
				return a[2] ? cli_error(c, "-%c takes no value", a[1])
					    : cli_apply(c, o, NULL, opts);
			if (!a[2] && *i + 1 >= argc)
				return cli_error(c, "-%c needs a value (%s)", a[1], o->arg);
			return cli_apply(c, o, a[2] ? a + 2 : argv[++*i], opts);
		}
	return cli_error(c, "unknown option %s (options are long: --name)", a);
}

static int cli_defaults(const struct cli_cmd *c, struct matrix *m)
{
	matrix_init(m);
	for (const char *const *d = c->settings; *d; d++) {
		char name[64], err[512];
		const char *eq = strchr(*d, '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *d), *d);
		if (matrix_set(m, settings_find(name), eq + 1, true, err, sizeof(err)))
			return cli_error(c, "built-in default %s: %s", *d, err);
	}
	return 0;
}

int cli_parse(const struct cli_cmd *c, int argc, char **argv, void *opts, struct matrix *m, int *first)
{
	if (c->settings && cli_defaults(c, m))
		return MM_EXIT_USAGE;
	char **pos = malloc(sizeof(char *) * (size_t)(argc + 1));
	int npos = 0, rc = CLI_RUN;
	if (!pos)
		return MM_EXIT_USAGE;
	for (int i = 1; i < argc && rc == CLI_RUN; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			while (++i < argc)
				pos[npos++] = argv[i];
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_help(c, stdout);
			rc = MM_EXIT_OK;
		} else if (a[0] == '-' && a[1] == '-') {
			int e = cli_option(c, argc, argv, &i, opts, m);
			rc = e ? e : CLI_RUN;
		} else if (a[0] == '-' && a[1]) {
			int e = cli_short(c, argc, argv, &i, opts);
			rc = e ? e : CLI_RUN;
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (rc == CLI_RUN && ((unsigned)npos < c->min_args || (unsigned)npos > c->max_args))
		rc = npos < (int)c->min_args
			     ? cli_error(c, "needs %s", c->synopsis)
			     : cli_error(c, "takes %s, not '%s'", c->max_args ? c->synopsis : "no arguments",
					 pos[c->max_args]);
	if (rc == CLI_RUN && c->settings && c->first_fastest)
		matrix_order(m, true);
	*first = argc - npos;
	for (int k = 0; k < npos; k++)
		argv[*first + k] = pos[k];
	free(pos);
	return rc;
}

static void cli_help_setting(const struct cli_cmd *c, const struct setting *s, FILE *f)
{
	char opt[64], allowed[512], def[128];
	const char *arg = s->kind == SETTING_UINT   ? (s->axis ? "N[,N...]" : "N")
			  : s->kind == SETTING_TEXT ? "VALUE"
			  : s->kind == SETTING_SIZE ? "SIZE"
			  : s->kind == SETTING_FILE ? "FILE"
						    : (s->axis ? "LIST" : "NAME");
	snprintf(def, sizeof(def), "%s", s->def);
	for (const char *const *d = c->settings; *d; d++) {
		size_t n = strlen(s->name);
		if (!strncmp(*d, s->name, n) && (*d)[n] == '=')
			snprintf(def, sizeof(def), "%s", *d + n + 1);
	}
	if (c->variant_def && s->kind == SETTING_VARIANT) {
		char d2[128];
		snprintf(d2, sizeof(d2), c->variant_def, def);
		snprintf(def, sizeof(def), "%s", d2);
	}
	setting_allowed(s, allowed, sizeof(allowed));
	snprintf(opt, sizeof(opt), "--%s %s", s->name, arg);
	if (s->kind == SETTING_TEXT || s->kind == SETTING_FILE)
		fprintf(f, "  %-24s %s [%s]\n", opt, s->help, def);
	else
		fprintf(f, "  %-24s %s: %s [%s]\n", opt, s->help, allowed, def);
}

void cli_help(const struct cli_cmd *c, FILE *f)
{
	char opt[64];
	fprintf(f, "usage: mmreplay %s [OPTIONS]%s%s\n\n%s\n", c->name, c->synopsis[0] ? " " : "",
		c->synopsis, c->about);
	if ((c->opts && c->opts->name) || (c->more && c->more->name))
		fprintf(f, "\noptions:\n");
	for (int t = 0; t < 2; t++)
		for (const struct cli_opt *o = t ? c->more : c->opts; o && o->name; o++) {
			char letter[8] = "";
			if (o->letter)
				snprintf(letter, sizeof(letter), "-%c, ", o->letter);
			snprintf(opt, sizeof(opt), "%s--%s%s%s", letter, o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
			fprintf(f, "  %-24s %s", opt, o->help);
			if (o->kind == CLI_U64 && !strstr(o->help, ".."))
				fprintf(f, " (%llu..%llu)", (unsigned long long)o->min,
					(unsigned long long)o->max);
			fputc('\n', f);
		}
	if (c->settings) {
		fprintf(f,
			"\nmachine settings (default in brackets; where a LIST or N[,N...] is allowed, each\n"
			"value is a configuration of its own, and in a LIST 'all' names every value, but "
			"for\n"
			"--populate, where 'all' is a value):\n");
		for (const struct setting *s = settings; s->name; s++)
			if (!c->facets || !s->affects || (s->affects & c->facets))
				cli_help_setting(c, s, f);
	}
	if (c->epilog)
		fprintf(f, "\n%s", c->epilog);
}
