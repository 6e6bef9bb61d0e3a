#include "bench/cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/cli/commands.h"
#include "workloads/outfile.h"

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

static const struct cli_opt *cli_find(const struct cli_cmd *c, const char *name)
{
	const struct cli_opt *o = cli_opt_find(c->opts, name);
	return o ? o : cli_opt_find(c->more, name);
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

/* No two output options of one command name one file (one output would be lost): checked
 * here, before anything is written; outfile.h refuses it again when the files are opened. */
static int cli_outputs_distinct(const struct cli_cmd *c, const void *opts)
{
	const struct cli_opt *tabs[2] = {c->opts, c->more}, *seen[16];
	const char *val[16];
	size_t n = 0;
	for (int t = 0; t < 2 && opts; t++)
		for (const struct cli_opt *o = tabs[t]; o && o->name; o++) {
			const char *v = o->kind == CLI_OUT
						? *(const char *const *)((const char *)opts + o->off)
						: NULL;
			for (size_t k = 0; v && k < n; k++)
				if (outfile_same_target(val[k], v))
					return cli_error(c,
							 "--%s %s and --%s %s name the same file: one output "
							 "would be lost",
							 seen[k]->name, val[k], o->name, v);
			if (v && n < 16)
				seen[n] = o, val[n++] = v;
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
	if (rc == CLI_RUN && cli_outputs_distinct(c, opts))
		rc = MM_EXIT_USAGE;
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
			  : s->kind == SETTING_TEXT ? (s->axis ? "LIST" : "VALUE")
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
